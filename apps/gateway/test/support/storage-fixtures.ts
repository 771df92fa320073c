import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { LicenceStatus, ProjectRole } from '../../src/modules/licences/licences.tables.ts';
import type { OrderKind, OrderStatus } from '../../src/modules/orders/order-status.ts';
import type { Executor } from '../../src/platform/db/database.ts';

/**
 * Licences, storage projects and orders written straight into the tables, for tests of the pages
 * that read them. Rows as the purchase flow would leave them, without going through it: tests of
 * the flow itself use the orders service.
 */

export interface ProjectFixture {
  name: string;
  quotaTb?: number;
  status?: 'pending' | 'active' | 'removed';
  members?: Array<{ crsid: string; role: ProjectRole }>;
}

export interface OrderFixture {
  /** The buyer's CRSid; the Data Owner when left out. */
  buyer?: string;
  kind?: OrderKind;
  status?: OrderStatus;
  statusReason?: string | null;
  pencePerTbYear?: number;
  termYears?: number;
  /** The order's size: the licence's when left out (for an increase, the TB added). */
  sizeTb?: number;
  /** The period a change order pays for (migration 0010). */
  startsOn?: string | null;
  endsOn?: string | null;
}

export interface StorageFixtureOptions {
  name: string;
  /** RDS when left out. */
  productCode?: string;
  /** PHYS when left out. */
  institutionId?: string;
  /** The Data Owner's CRSid. */
  owner: string;
  managers?: string[];
  sizeTb?: number;
  status?: LicenceStatus;
  startDate?: string | null;
  endDate?: string | null;
  projects?: ProjectFixture[];
  /** One order for the licence (a new-storage order awaiting approval by default); none when null. */
  order?: OrderFixture | null;
}

export interface StorageFixture {
  licenceId: number;
  projectIds: number[];
  order?: { id: number; reference: string };
}

export async function personIdOf(db: Executor, crsid: string): Promise<number> {
  const row = await db.selectFrom('people').select('id').where('crsid', '=', crsid).executeTakeFirstOrThrow();
  return row.id;
}

/** A licence with its Data Managers, storage projects and members, and an order paid by finance code. */
export async function insertStorage(db: Executor, options: StorageFixtureOptions): Promise<StorageFixture> {
  const productCode = options.productCode ?? 'RDS';
  const institutionId = options.institutionId ?? 'PHYS';
  const sizeTb = options.sizeTb ?? 5;
  return db.transaction().execute(async (tx) => {
    const ownerId = await personIdOf(tx, options.owner);
    const licence = await tx
      .insertInto('licences')
      .values({
        product_code: productCode,
        name: options.name,
        institution_id: institutionId,
        owner_person_id: ownerId,
        size_tb: sizeTb,
        start_date: options.startDate ?? null,
        end_date: options.endDate ?? null,
        status: options.status ?? 'pending',
      })
      .returning('id')
      .executeTakeFirstOrThrow();

    for (const crsid of options.managers ?? []) {
      await tx
        .insertInto('licence_managers')
        .values({ licence_id: licence.id, person_id: await personIdOf(tx, crsid) })
        .execute();
    }

    const projectIds: number[] = [];
    for (const project of options.projects ?? []) {
      const row = await tx
        .insertInto('storage_projects')
        .values({
          licence_id: licence.id,
          name: project.name,
          quota_tb: project.quotaTb ?? sizeTb,
          status: project.status ?? 'pending',
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      projectIds.push(row.id);
      for (const member of project.members ?? []) {
        await tx
          .insertInto('storage_project_members')
          .values({ project_id: row.id, person_id: await personIdOf(tx, member.crsid), role: member.role })
          .execute();
      }
    }

    if (options.order === null) return { licenceId: licence.id, projectIds };
    const inserted = await insertOrder(tx, licence.id, options.order ?? {});
    return { licenceId: licence.id, projectIds, order: inserted };
  });
}

/** An order for an existing licence (such as a change order), paid by finance code; its product and department are the licence's. */
export async function insertOrder(
  db: Executor,
  licenceId: number,
  order: OrderFixture,
): Promise<{ id: number; reference: string }> {
  const licence = await db
    .selectFrom('licences')
    .innerJoin('products', 'products.code', 'licences.product_code')
    .select(['licences.product_code', 'licences.institution_id', 'licences.owner_person_id', 'licences.size_tb'])
    .select('products.service')
    .where('licences.id', '=', licenceId)
    .executeTakeFirstOrThrow();
  const terms = await db
    .selectFrom('terms_versions')
    .select('id')
    .where('service', '=', licence.service)
    .orderBy('published_on', 'desc')
    .limit(1)
    .executeTakeFirstOrThrow();
  const sizeTb = order.sizeTb ?? licence.size_tb;
  const pencePerTbYear = order.pencePerTbYear ?? 5400;
  const termYears = order.termYears ?? 1;
  const net = order.kind === 'cancellation' ? 0 : pencePerTbYear * sizeTb * termYears;
  const inserted = await db
    .insertInto('orders')
    .values({
      kind: order.kind ?? 'new',
      status: order.status ?? 'awaiting-approval',
      status_reason: order.statusReason ?? null,
      licence_id: licenceId,
      buyer_person_id: order.buyer ? await personIdOf(db, order.buyer) : licence.owner_person_id,
      product_code: licence.product_code,
      institution_id: licence.institution_id,
      customer_class: 'internal',
      size_tb: sizeTb,
      term_years: termYears,
      pence_per_tb_year: pencePerTbYear,
      price_valid_from: '2026-08-01',
      net_pence: net,
      vat_pence: 0,
      total_pence: net,
      terms_version_id: terms.id,
      terms_accepted_at: new Date('2026-11-20T09:30:00Z'),
      submission_key: randomUUID(),
      starts_on: order.startsOn ?? null,
      ends_on: order.endsOn ?? null,
    })
    .returning(['id', 'reference'])
    .executeTakeFirstOrThrow();
  await db
    .insertInto('payments')
    .values({
      order_id: inserted.id,
      method: 'finance-code',
      finance_code: 'PHAA.GAAA',
      po_number: null,
      po_document_id: null,
      voucher_id: null,
      check_status: 'valid',
      check_message: null,
      checked_at: new Date('2026-11-20T09:31:00Z'),
    })
    .execute();
  return inserted;
}

/** `count` licences of one owner, product, status and dates in one statement (names `${prefix} 1…`), for tests of set-based jobs. Returns their ids. */
export async function insertLicences(
  db: Executor,
  options: {
    count: number;
    prefix: string;
    owner: string;
    productCode?: string;
    institutionId?: string;
    status: LicenceStatus;
    startDate: string;
    endDate: string;
  },
): Promise<number[]> {
  const ownerId = await personIdOf(db, options.owner);
  const rows = await sql<{ id: string }>`
    INSERT INTO licences (product_code, name, institution_id, owner_person_id, size_tb, start_date, end_date, status)
    SELECT ${options.productCode ?? 'RDS'}, ${options.prefix} || ' ' || g, ${options.institutionId ?? 'PHYS'}, ${ownerId},
           1, ${options.startDate}::date, ${options.endDate}::date, ${options.status}
      FROM generate_series(1, ${options.count}::int) AS g
    RETURNING id`.execute(db);
  return rows.rows.map((row) => Number(row.id)).sort((a, b) => a - b);
}
