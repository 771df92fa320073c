import { type ExpressionBuilder, sql } from 'kysely';
import type { Database } from '../../database.ts';
import type { Executor } from '../../platform/db/database.ts';
import type { ServiceCode } from '../people/people.tables.ts';
import type { VoucherIssue, VoucherStatus } from './voucher-rules.ts';

/** Vouchers as the service teams see them: a paginated list, one voucher, issuing and withdrawing. */

export interface AdminVoucher {
  id: number;
  code: string;
  productCode: string;
  service: ServiceCode;
  sizeTb: number;
  institutionId: string | null;
  institutionName: string | null;
  note: string;
  issuedAt: Date;
  expiresOn: string | null;
  redeemedAt: Date | null;
  revokedAt: Date | null;
  revokeReason: string | null;
  /** The order the voucher paid for (the latest one not cancelled), when it is used. */
  usedBy: string | null;
}

type VoucherScope = ExpressionBuilder<Database, 'vouchers'>;

/** The SQL for each status, the same rules as voucherStatus() in voucher-rules.ts. */
function hasStatus(eb: VoucherScope, status: VoucherStatus, today: string) {
  const unexpired = eb.or([eb('vouchers.expires_on', 'is', null), eb('vouchers.expires_on', '>=', today)]);
  switch (status) {
    case 'revoked':
      return eb('vouchers.revoked_at', 'is not', null);
    case 'used':
      return eb.and([eb('vouchers.revoked_at', 'is', null), eb('vouchers.redeemed_at', 'is not', null)]);
    case 'expired':
      return eb.and([
        eb('vouchers.revoked_at', 'is', null),
        eb('vouchers.redeemed_at', 'is', null),
        eb('vouchers.expires_on', '<', today),
      ]);
    case 'unused':
      return eb.and([eb('vouchers.revoked_at', 'is', null), eb('vouchers.redeemed_at', 'is', null), unexpired]);
  }
}

function selectVouchers(db: Executor) {
  return db
    .selectFrom('vouchers')
    .innerJoin('products', 'products.code', 'vouchers.product_code')
    .leftJoin('institutions', 'institutions.id', 'vouchers.institution_id')
    .select((eb) => [
      'vouchers.id',
      'vouchers.code',
      'vouchers.product_code',
      'products.service',
      'vouchers.size_tb',
      'vouchers.institution_id',
      'institutions.name as institution_name',
      'vouchers.note',
      'vouchers.issued_at',
      'vouchers.expires_on',
      'vouchers.redeemed_at',
      'vouchers.revoked_at',
      'vouchers.revoke_reason',
      eb
        .selectFrom('payments')
        .innerJoin('orders', 'orders.id', 'payments.order_id')
        .select('orders.reference')
        .whereRef('payments.voucher_id', '=', 'vouchers.id')
        .where('orders.status', '<>', 'cancelled')
        .orderBy('orders.id', 'desc')
        .limit(1)
        .as('used_by'),
    ]);
}

type VoucherRow = Awaited<ReturnType<ReturnType<typeof selectVouchers>['execute']>>[number];

function toVoucher(row: VoucherRow): AdminVoucher {
  return {
    id: row.id,
    code: row.code,
    productCode: row.product_code,
    service: row.service,
    sizeTb: row.size_tb,
    institutionId: row.institution_id,
    institutionName: row.institution_name,
    note: row.note,
    issuedAt: row.issued_at,
    expiresOn: row.expires_on,
    redeemedAt: row.redeemed_at,
    revokedAt: row.revoked_at,
    revokeReason: row.revoke_reason,
    usedBy: row.redeemed_at ? row.used_by : null,
  };
}

/** The vouchers of these services' products, newest first, optionally of one status; one query a page. */
export async function listVouchers(
  db: Executor,
  filter: { services: ServiceCode[]; status?: VoucherStatus; today: string; limit: number; offset: number },
): Promise<{ vouchers: AdminVoucher[]; total: number }> {
  if (filter.services.length === 0) return { vouchers: [], total: 0 };
  let query = selectVouchers(db)
    .select(sql<number>`count(*) OVER ()`.as('total'))
    .where('products.service', 'in', filter.services);
  const status = filter.status;
  if (status) query = query.where((eb) => hasStatus(eb, status, filter.today));
  const rows = await query
    .orderBy('vouchers.issued_at', 'desc')
    .orderBy('vouchers.id', 'desc')
    .limit(filter.limit)
    .offset(filter.offset)
    .execute();
  // A page past the last one has no row to carry the total: the first page's does.
  const total =
    rows[0]?.total ?? (filter.offset > 0 ? (await listVouchers(db, { ...filter, limit: 1, offset: 0 })).total : 0);
  return { vouchers: rows.map(toVoucher), total: Number(total) };
}

export async function findAdminVoucher(db: Executor, id: number): Promise<AdminVoucher | undefined> {
  const row = await selectVouchers(db).where('vouchers.id', '=', id).executeTakeFirst();
  return row ? toVoucher(row) : undefined;
}

/**
 * Inserts a voucher; undefined when the code is already taken (the caller draws another) or a
 * voucher was already issued from the same form (findVoucherIssuedBy finds it).
 */
export async function insertVoucher(
  tx: Executor,
  code: string,
  issue: VoucherIssue,
  issueKey: string | null = null,
): Promise<number | undefined> {
  const row = await tx
    .insertInto('vouchers')
    .values({
      code,
      product_code: issue.productCode,
      size_tb: issue.sizeTb,
      institution_id: issue.institutionId,
      expires_on: issue.expiresOn,
      note: issue.note,
      issue_key: issueKey,
    })
    // A code already taken, or (with a key) a form already issued: the caller tells them apart.
    .onConflict((oc) => oc.doNothing())
    .returning('id')
    .executeTakeFirst();
  return row?.id;
}

/** The voucher issued from the form with this key, if one was. */
export async function findVoucherIssuedBy(tx: Executor, issueKey: string): Promise<number | undefined> {
  const row = await tx.selectFrom('vouchers').select('id').where('issue_key', '=', issueKey).executeTakeFirst();
  return row?.id;
}

/**
 * Withdraws a voucher that is neither used nor already withdrawn. The conditional update is the
 * guard against a purchase using it at the same moment (redeemVoucher's update waits on the same
 * row and then finds it withdrawn). False means it was used or withdrawn first.
 */
export async function revokeVoucher(tx: Executor, id: number, reason: string, at: Date): Promise<boolean> {
  const result = await tx
    .updateTable('vouchers')
    .set({ revoked_at: at, revoke_reason: reason })
    .where('id', '=', id)
    .where('revoked_at', 'is', null)
    .where('redeemed_at', 'is', null)
    .executeTakeFirst();
  return result.numUpdatedRows === 1n;
}
