import type { Insertable } from 'kysely';
import type { Executor } from '../../platform/db/database.ts';
import { preparedQuery } from '../../platform/db/prepared.ts';
import { UNDONE_STATUSES } from '../orders/order-status.ts';
import type { CustomerClass, ServiceCode } from '../people/people.tables.ts';
import type { QuotedChangeKind, QuotesTable } from './quotes.tables.ts';

/** What a quote for a change of a licence quotes, beside the figures every quote has. */
export interface QuotedChange {
  licenceId: number;
  kind: QuotedChangeKind;
  /** The period the change pays for (a renewal's from the day after the licence's end date). */
  startsOn: string;
  endsOn: string;
  /** A recovery's cold-store fee, part of the net price; 0 otherwise. */
  coldStorePence: number;
}

/** The people and first storage project a quote for new storage was asked for, as the purchase form takes them. */
export interface QuotedSetup {
  ownerCrsid: string;
  managerCrsids: string[];
  projectName: string;
}

/** A quote as pages, the PDF and other modules read it: the stored offer with the names it refers to. */
export interface Quote {
  id: number;
  reference: string;
  personId: number;
  requester: { crsid: string; displayName: string; email: string };
  productCode: string;
  productName: string;
  service: ServiceCode;
  serviceName: string;
  /** The team that sells the product, and its email, for questions about the quote. */
  team: { name: string; email: string };
  institution: { id: string; name: string };
  customerClass: CustomerClass;
  licenceName: string;
  sizeTb: number;
  termYears: number;
  pencePerTbYear: number;
  priceValidFrom: string;
  netPence: number;
  vatPence: number;
  totalPence: number;
  issuedOn: string;
  validUntil: string;
  /** A quote for a change of a licence; null for new storage. */
  change: QuotedChange | null;
  /**
   * A quote for new storage: the Data Owner, Data Managers and first storage project it was asked
   * for, so buying with it fills the form in with them. Null for a change quote, and for a quote
   * issued before they were kept (migration 0023).
   */
  setup: QuotedSetup | null;
  /** The order placed with this quote (its reference), unless it was rejected or cancelled: a quote prices one order. */
  usedBy: string | null;
}

export type NewQuoteRow = Insertable<QuotesTable>;

/** Stores a quote; the database numbers it (Q-000001…). Returns its id and reference. */
export async function insertQuote(tx: Executor, row: NewQuoteRow): Promise<{ id: number; reference: string }> {
  return tx.insertInto('quotes').values(row).returning(['id', 'reference']).executeTakeFirstOrThrow();
}

function selectQuotes(db: Executor) {
  return db
    .selectFrom('quotes')
    .innerJoin('people', 'people.id', 'quotes.person_id')
    .innerJoin('products', 'products.code', 'quotes.product_code')
    .innerJoin('services', 'services.code', 'products.service')
    .innerJoin('institutions', 'institutions.id', 'quotes.institution_id')
    .select([
      'quotes.id',
      'quotes.reference',
      'quotes.person_id',
      'people.crsid',
      'people.display_name',
      'people.email',
      'quotes.product_code',
      'products.name as product_name',
      'products.service',
      'services.name as service_name',
      'services.team_name',
      'services.team_email',
      'quotes.institution_id',
      'institutions.name as institution_name',
      'quotes.customer_class',
      'quotes.licence_name',
      'quotes.size_tb',
      'quotes.term_years',
      'quotes.pence_per_tb_year',
      'quotes.price_valid_from',
      'quotes.net_pence',
      'quotes.vat_pence',
      'quotes.total_pence',
      'quotes.issued_on',
      'quotes.valid_until',
      'quotes.licence_id',
      'quotes.change_kind',
      'quotes.starts_on',
      'quotes.ends_on',
      'quotes.cold_store_pence',
      'quotes.owner_crsid',
      'quotes.manager_crsids',
      'quotes.project_name',
      (eb) =>
        eb
          .selectFrom('orders')
          .select('orders.reference')
          .whereRef('orders.quote_id', '=', 'quotes.id')
          .where('orders.status', 'not in', UNDONE_STATUSES)
          .orderBy('orders.id')
          .limit(1)
          .as('used_by'),
    ]);
}

type QuoteRow = Awaited<ReturnType<ReturnType<typeof selectQuotes>['executeTakeFirstOrThrow']>>;

function toQuote(row: QuoteRow): Quote {
  return {
    id: row.id,
    reference: row.reference,
    personId: row.person_id,
    requester: { crsid: row.crsid, displayName: row.display_name, email: row.email },
    productCode: row.product_code,
    productName: row.product_name,
    service: row.service,
    serviceName: row.service_name,
    team: { name: row.team_name, email: row.team_email },
    institution: { id: row.institution_id, name: row.institution_name },
    customerClass: row.customer_class,
    licenceName: row.licence_name,
    sizeTb: row.size_tb,
    termYears: row.term_years,
    pencePerTbYear: row.pence_per_tb_year,
    priceValidFrom: row.price_valid_from,
    netPence: row.net_pence,
    vatPence: row.vat_pence,
    totalPence: row.total_pence,
    issuedOn: row.issued_on,
    validUntil: row.valid_until,
    change:
      row.licence_id !== null && row.change_kind !== null && row.starts_on !== null && row.ends_on !== null
        ? {
            licenceId: row.licence_id,
            kind: row.change_kind,
            startsOn: row.starts_on,
            endsOn: row.ends_on,
            coldStorePence: row.cold_store_pence,
          }
        : null,
    setup:
      row.owner_crsid !== null && row.manager_crsids !== null && row.project_name !== null
        ? { ownerCrsid: row.owner_crsid, managerCrsids: row.manager_crsids, projectName: row.project_name }
        : null,
    usedBy: row.used_by,
  };
}

/** The quote with this reference (Q-000123, any letter case), whoever asked for it. */
export async function selectQuote(db: Executor, reference: string): Promise<Quote | undefined> {
  const row = await selectQuotes(db).where('quotes.reference', '=', reference.toUpperCase()).executeTakeFirst();
  return row ? toQuote(row) : undefined;
}

/** The ids of a licence's Data Owner and Data Managers: who may see its change quotes (quote-rules.ts canSeeQuote). */
export async function selectLicencePeople(db: Executor, licenceId: number): Promise<number[]> {
  const rows = await db
    .selectFrom('licences')
    .select('owner_person_id as id')
    .where('id', '=', licenceId)
    .union(db.selectFrom('licence_managers').select('person_id as id').where('licence_id', '=', licenceId))
    .execute();
  return rows.map((row) => row.id);
}

/** The latest quotes for changes of one licence, newest first, whoever asked for them. */
export async function selectChangeQuotesForLicence(db: Executor, licenceId: number, limit: number): Promise<Quote[]> {
  const rows = await selectQuotes(db)
    .where('quotes.licence_id', '=', licenceId)
    .orderBy('quotes.id', 'desc')
    .limit(limit)
    .execute();
  return rows.map(toQuote);
}

/** A person's quotes, newest first. */
export async function selectQuotesForPerson(db: Executor, personId: number): Promise<Quote[]> {
  const rows = await selectQuotesOfPerson(db, { personId });
  return rows.map(toQuote);
}

/** A page of a person's quotes, newest first, with how many they have in all. */
export async function selectQuotePageForPerson(
  db: Executor,
  personId: number,
  page: { limit: number; offset: number; services?: readonly ServiceCode[] },
): Promise<{ quotes: Quote[]; total: number }> {
  const { services } = page;
  const rows = await selectQuotes(db)
    .where('quotes.person_id', '=', personId)
    .$if(services !== undefined, (query) => query.where('products.service', 'in', services ?? []))
    .orderBy('quotes.id', 'desc')
    .limit(page.limit)
    .offset(page.offset)
    .execute();
  const count = await db
    .selectFrom('quotes')
    .innerJoin('products', 'products.code', 'quotes.product_code')
    .select((eb) => eb.fn.countAll().as('total'))
    .where('quotes.person_id', '=', personId)
    .$if(services !== undefined, (query) => query.where('products.service', 'in', services ?? []))
    .executeTakeFirstOrThrow();
  return { quotes: rows.map(toQuote), total: Number(count.total) };
}

// Prepared: My storage asks it on every view.
const selectQuotesOfPerson = preparedQuery((db, p: { personId: number }) =>
  selectQuotes(db).where('quotes.person_id', '=', p.personId).orderBy('quotes.id', 'desc'),
);
