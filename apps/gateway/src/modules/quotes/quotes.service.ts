import type { Executor } from '../../platform/db/database.ts';
import { AppError } from '../../platform/web/errors.ts';
import { personActor, recordAudit } from '../audit/audit.repository.ts';
import type { LifecycleSettings } from '../lifecycle/lifecycle-dates.ts';
import type { LicenceForChange } from '../orders/change-orders.service.ts';
import type { ChangePrice } from '../orders/change-pricing.ts';
import type { PricedConfiguration } from '../orders/purchase-configuration.service.ts';
import type { PersonWithRoles } from '../people/people.repository.ts';
import type { ServiceCode } from '../people/people.tables.ts';
import { canOrderWithQuote, canSeeQuote, lastDayToOrder, quoteValidUntil } from './quote-rules.ts';
import {
  insertQuote,
  type NewQuoteRow,
  type Quote,
  selectChangeQuotesForLicence,
  selectLicencePeople,
  selectQuote,
  selectQuotePageForPerson,
  selectQuotesForPerson,
} from './quotes.repository.ts';
import type { QuotedChangeKind } from './quotes.tables.ts';

export type { Quote } from './quotes.repository.ts';

/**
 * Issues a quote for a priced configuration: stores the offer at the price in force, valid for
 * QUOTE_VALID_DAYS from `issuedOn`, with the whole configuration it was asked for (the Data Owner,
 * Data Managers and first storage project too, so buying with it fills them in), and writes the
 * audit row in the same transaction. Pass a
 * transaction to make the quote part of a larger change; given the root handle it opens its own.
 */
export async function createQuote(
  db: Executor,
  person: { id: number; crsid: string },
  configuration: PricedConfiguration,
  issuedOn: string,
): Promise<Quote> {
  const { product, institution, price } = configuration;
  return issueQuote(db, person, {
    person_id: person.id,
    product_code: product.code,
    institution_id: institution.id,
    customer_class: institution.customerClass,
    licence_name: configuration.licenceName,
    size_tb: configuration.sizeTb,
    term_years: configuration.termYears,
    pence_per_tb_year: price.pencePerTbYear,
    price_valid_from: price.validFrom,
    net_pence: price.netPence,
    vat_pence: price.vatPence,
    total_pence: price.totalPence,
    issued_on: issuedOn,
    valid_until: quoteValidUntil(issuedOn),
    owner_crsid: configuration.owner.crsid,
    manager_crsids: configuration.managers.map((manager) => manager.crsid),
    project_name: configuration.projectName,
  });
}

/**
 * Issues a quote for a change of a licence (a renewal, a recovery, more space), priced on `issuedOn`
 * as the change order would be that day (change-orders.service.ts priceLicenceChange): the licence,
 * the kind and period, the size (the TB added, for more space), and the figures, valid for
 * QUOTE_VALID_DAYS, or up to the last day the change can still be ordered when that is sooner
 * (quote-rules.ts lastDayToOrder, from the licence's end date and `lifecycle`, the settings the
 * nightly job moves licences on by: config.lifecycle). Only the licence's Data Owner and Data
 * Managers ask for one (the caller checks).
 */
export async function createChangeQuote(
  db: Executor,
  person: { id: number; crsid: string },
  licence: Pick<LicenceForChange, 'id' | 'name' | 'institutionId' | 'customerClass' | 'endDate'> & {
    product: { code: string };
  },
  kind: QuotedChangeKind,
  priced: { value: ChangePrice; validFrom: string },
  issuedOn: string,
  lifecycle: LifecycleSettings,
): Promise<Quote> {
  const price = priced.value;
  if (!price.startsOn || !price.endsOn) throw new Error(`a ${kind} quote needs the period it pays for`);
  if (!licence.endDate) throw new Error(`a ${kind} quote needs the licence's end date`);
  return issueQuote(db, person, {
    person_id: person.id,
    product_code: licence.product.code,
    institution_id: licence.institutionId,
    customer_class: licence.customerClass,
    licence_name: licence.name,
    size_tb: price.sizeTb,
    term_years: price.termYears,
    pence_per_tb_year: price.pencePerTbYear,
    price_valid_from: priced.validFrom,
    net_pence: price.netPence,
    vat_pence: price.vatPence,
    total_pence: price.totalPence,
    issued_on: issuedOn,
    valid_until: quoteValidUntil(issuedOn, lastDayToOrder(kind, licence.endDate, lifecycle)),
    licence_id: licence.id,
    change_kind: kind,
    starts_on: price.startsOn,
    ends_on: price.endsOn,
    cold_store_pence: price.coldStorePence,
  });
}

/** Stores a quote and writes its audit row in one transaction (given the root handle it opens its own). */
async function issueQuote(db: Executor, person: { id: number; crsid: string }, row: NewQuoteRow): Promise<Quote> {
  if (!db.isTransaction) return db.transaction().execute((tx) => issueQuote(tx, person, row));
  const { id, reference } = await insertQuote(db, row);
  await recordAudit(db, {
    actor: personActor(person),
    entityType: 'quote',
    entityId: reference,
    action: 'issued',
    after: { ...row, reference },
  });
  const quote = await selectQuote(db, reference);
  if (!quote || quote.id !== id) throw new Error(`quote ${reference} vanished inside its own transaction`);
  return quote;
}

/** The quote with this reference, whoever asked for it: for code that has already checked access. */
export async function findQuote(db: Executor, reference: string): Promise<Quote | undefined> {
  return selectQuote(db, reference);
}

/**
 * The quote with this reference if this person may see it. Anyone else gets the same 404 as for
 * a reference that does not exist, so quote numbers cannot be probed.
 */
export async function findQuoteFor(db: Executor, person: PersonWithRoles, reference: string): Promise<Quote> {
  const quote = /^Q-\d{1,12}$/i.test(reference) ? await selectQuote(db, reference) : undefined;
  const licencePeople = quote?.change ? await selectLicencePeople(db, quote.change.licenceId) : [];
  if (!quote || !canSeeQuote(person, quote, licencePeople))
    throw new AppError(
      'not-found',
      `We could not find quote ${reference}. A quote can be seen only by the person who asked for it (for a change of a licence, also by its Data Owner and Data Managers) and the storage team.`,
    );
  return quote;
}

/** Whether the person may order with the quote (canOrderWithQuote), reading a change quote's licence people. */
export async function mayOrderWithQuote(db: Executor, person: PersonWithRoles, quote: Quote): Promise<boolean> {
  const licencePeople = quote.change ? await selectLicencePeople(db, quote.change.licenceId) : [];
  return canOrderWithQuote(person, quote, licencePeople);
}

/**
 * A page of a person's quotes, newest first, with how many in all (the API lists them so); only
 * `services`' quotes if given (a view of the site as this person: view-as-rules.ts).
 */
export async function listQuotePageForPerson(
  db: Executor,
  personId: number,
  page: { limit: number; offset: number; services?: readonly ServiceCode[] },
): Promise<{ quotes: Quote[]; total: number }> {
  return selectQuotePageForPerson(db, personId, page);
}

/** How many of a licence's change quotes its page lists. */
export const LICENCE_QUOTES_SHOWN = 10;

/**
 * The latest quotes for changes of a licence, newest first, for its page: whoever of its Data Owner
 * and Data Managers asked for one, the others see it there too (canSeeQuote lets them open it).
 * Only for those who see the whole licence (its keepers and the storage team).
 */
export async function listChangeQuotesForLicence(db: Executor, licenceId: number): Promise<Quote[]> {
  return selectChangeQuotesForLicence(db, licenceId, LICENCE_QUOTES_SHOWN);
}

/** A person's quotes, newest first (the "my storage" page lists them). */
export async function listQuotesForPerson(db: Executor, personId: number): Promise<Quote[]> {
  return selectQuotesForPerson(db, personId);
}
