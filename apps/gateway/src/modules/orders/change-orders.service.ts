import { sql } from 'kysely';
import type { Executor } from '../../platform/db/database.ts';
import type { FieldErrors } from '../../platform/web/components.tsx';
import { AppError, type AppErrorLink } from '../../platform/web/errors.ts';
import { personActor, recordAudit } from '../audit/audit.repository.ts';
import { findPriceInForce } from '../catalogue/catalogue.repository.ts';
import { sizeText } from '../catalogue/sizes.ts';
import { licenceLink, licenceNotFound } from '../licences/licence-links.ts';
import { licenceLockProblem } from '../licences/licence-lock.ts';
import { LICENCE_STATUS_WORDS } from '../licences/licence-status.ts';
import type { LicenceStatus } from '../licences/licences.tables.ts';
import { paymentMethodsFor } from '../payments/payment-details.ts';
import type { PaymentMethod } from '../payments/payments.tables.ts';
import type { PersonWithRoles } from '../people/people.repository.ts';
import type { CustomerClass, ServiceCode } from '../people/people.tables.ts';
import { isServiceStaff } from '../people/staff-access.ts';
import { changeNoLongerApplies } from '../provisioning/licence-changes.ts';
import { formatDay, quoteExpiry, quoteUsed } from '../quotes/quote-rules.ts';
import { type QuoteStanding, quoteStanding } from '../quotes/quote-standing.ts';
import type { Quote } from '../quotes/quotes.repository.ts';
import { findQuoteFor } from '../quotes/quotes.service.ts';
import { cancellationWords } from './cancellation-words.ts';
import { CHANGE_ACTION_WORDS, changePath } from './change-orders.views.tsx';
import {
  type ChangeKind,
  type ChangePrice,
  COLD_STORE_PRODUCT,
  changeProblem,
  changesAllowed,
  priceChange,
} from './change-pricing.ts';
import {
  atQuotedPrice,
  changeQuoteMismatch,
  changeQuoteProblem,
  changeQuoteRefusal,
  quotedChoice,
} from './change-quotes.ts';
import { takesPayment } from './order-payment.ts';
import { orderPriceWords } from './order-price-words.ts';
import { ORDER_KIND_WORDS, ORDER_STATUS_WORDS, type OrderKind } from './order-status.ts';
import { findOrder, type OrderDetail, orderInProgress } from './orders.repository.ts';
import {
  canSeeOrder,
  emailOrderPeople,
  insertOrder,
  type OrdersContext,
  refuseUnexpectedTotal,
  SubmissionRefused,
  type SubmissionTarget,
  type SubmittedPayment,
  submitOnce,
  takePayment,
} from './orders.service.ts';
import { years } from './purchase.views.tsx';
import { type RenewalWindowSettings, renewalNotOpenYet } from './renewal-window.ts';

/**
 * Orders that change a licence: more space, a renewal, a recovery from the cold store, a
 * cancellation (issue 6, point 2). Placed by the licence's Data Owner or a Data Manager only (staff
 * see the licence but customers place its orders), paid like new storage, and approved by the
 * service team like new storage; what completing one does to the licence is the provisioning
 * module's. Prices and status rules are change-pricing.ts.
 */

/** A licence as a change order needs it: its product's rules, its payer's customer class, its lock. */
export interface LicenceForChange {
  id: number;
  name: string;
  status: LicenceStatus;
  sizeTb: number;
  endDate: string | null;
  institutionId: string;
  institutionName: string;
  customerClass: CustomerClass;
  ownerPersonId: number;
  product: { code: string; name: string; service: ServiceCode; minimumTb: number; termsYears: number[] };
  lockedAt: Date | null;
  lockReason: string | null;
}

/** Who may place a change order and what they may place: the answer for a licence page and each step. */
export interface ChangeOptions {
  licence: LicenceForChange;
  /** The changes the licence's status allows; empty when it is locked or a change is in progress. */
  kinds: ChangeKind[];
  /** Why none can be placed now (locked; a change in progress), for the licence page. */
  problem?: string;
  /** When the changes the status allows but that cannot be ordered yet open ("Renewal opens on …": renewal-window.ts). */
  notOpenYet?: string[];
}

async function readLicence(db: Executor, licenceId: number, forUpdate = false): Promise<LicenceForChange | undefined> {
  let query = db
    .selectFrom('licences')
    .innerJoin('products', 'products.code', 'licences.product_code')
    .innerJoin('institutions', 'institutions.id', 'licences.institution_id')
    .select([
      'licences.id',
      'licences.name',
      'licences.status',
      'licences.size_tb',
      'licences.end_date',
      'licences.institution_id',
      'institutions.name as institution_name',
      'institutions.customer_class',
      'licences.owner_person_id',
      'licences.locked_at',
      'licences.lock_reason',
      'products.code as product_code',
      'products.name as product_name',
      'products.service',
      'products.minimum_tb',
      'products.terms_years',
    ])
    .where('licences.id', '=', licenceId);
  if (forUpdate) query = query.forUpdate('licences');
  const row = await query.executeTakeFirst();
  if (!row) return undefined;
  return {
    id: row.id,
    name: row.name,
    status: row.status,
    sizeTb: row.size_tb,
    endDate: row.end_date,
    institutionId: row.institution_id,
    institutionName: row.institution_name,
    customerClass: row.customer_class,
    ownerPersonId: row.owner_person_id,
    product: {
      code: row.product_code,
      name: row.product_name,
      service: row.service,
      minimumTb: row.minimum_tb,
      termsYears: row.terms_years,
    },
    lockedAt: row.locked_at,
    lockReason: row.lock_reason,
  };
}

/**
 * The Data Owner or a Data Manager may; anyone else who can see the licence (a project member,
 * staff) is refused (403); anyone who cannot see it gets the same 404 as for no licence at all.
 */
async function authorise(db: Executor, person: PersonWithRoles, licence: LicenceForChange): Promise<void> {
  if (licence.ownerPersonId === person.id) return;
  const place = await db
    .selectFrom('licences')
    .select((eb) => [
      eb
        .exists(
          eb
            .selectFrom('licence_managers')
            .select(sql.lit(1).as('one'))
            .where('licence_id', '=', licence.id)
            .where('person_id', '=', person.id),
        )
        .as('manager'),
      eb
        .exists(
          eb
            .selectFrom('storage_project_members')
            .innerJoin('storage_projects', 'storage_projects.id', 'storage_project_members.project_id')
            .select(sql.lit(1).as('one'))
            .where('storage_projects.licence_id', '=', licence.id)
            .where('storage_project_members.person_id', '=', person.id),
        )
        .as('member'),
    ])
    .where('id', '=', licence.id)
    .executeTakeFirstOrThrow();
  if (place.manager) return;
  if (place.member || isServiceStaff(person, licence.product.service)) {
    throw new AppError(
      'forbidden',
      'Only the Data Owner and Data Managers of this licence can change it: ask one of them to place the order.',
    );
  }
  throw licenceNotFound();
}

/** The change order of this licence in progress, if there is one (also asked by the back office's licence edit). */
export async function changeInProgress(
  db: Executor,
  licenceId: number,
): Promise<{ reference: string; kind: OrderKind } | undefined> {
  const change = await orderInProgress(db, licenceId, 'change');
  return change && { reference: change.reference, kind: change.kind };
}

/** What to order once the change that no longer applies is cancelled, by the licence's status now. */
const INSTEAD: Partial<Record<LicenceStatus, string>> = {
  suspended: ', then renew',
  cold: ', then order a recovery',
  deletable: ', and contact the storage team straight away if its data is still needed',
};

const NOW_THAT: Partial<Record<LicenceStatus, string>> = {
  suspended: 'the licence has ended',
  cold: 'the licence is in the cold store',
  deletable: 'the licence is due for deletion',
};

/**
 * Why no other change can be ordered while `busy` is in progress. Waiting for it is no answer when
 * it can no longer be carried out for the licence's status now (the rule staff approval and
 * completion use: changeNoLongerApplies), as with more space ordered before the licence ended and
 * still waiting once it is suspended: its people cancel it first, then renew (or recover).
 */
function inProgressMessage(busy: { reference: string; kind: OrderKind }, status: LicenceStatus): string {
  const { reference, kind } = busy;
  if (kind !== 'new' && changeNoLongerApplies(kind, status)) {
    const named = `Order ${reference} (${ORDER_KIND_WORDS[kind].toLowerCase()})`;
    const instead = kind === 'cancellation' ? '' : (INSTEAD[status] ?? '');
    return `${named} can no longer be carried out now that ${NOW_THAT[status] ?? `the licence is ${LICENCE_STATUS_WORDS[status].label.toLowerCase()}`}: cancel it${instead}.`;
  }
  return `Order ${reference} is already changing this licence. Wait until it is done (or cancel it) before ordering another change.`;
}

/**
 * What `person` may change on a licence, for its page and each step: undefined for people who
 * may not place its orders (the page shows them no section; a step answers 404 or 403).
 */
export async function changeOptionsFor(
  db: Executor,
  person: PersonWithRoles,
  licenceId: number,
  today: string,
  renewal: RenewalWindowSettings,
): Promise<ChangeOptions | undefined> {
  const licence = await readLicence(db, licenceId);
  if (!licence) return undefined;
  try {
    await authorise(db, person, licence);
  } catch (error) {
    if (error instanceof AppError) return undefined;
    throw error;
  }
  // A change in progress is said even when the licence has since moved to a status that allows
  // none (a recovery ordered in the cold store, the licence now due for deletion: the order still
  // brings it back), rather than "cannot be changed here".
  const busy = await changeInProgress(db, licenceId);
  const kinds = changesAllowed(licence, today);
  if (kinds.length === 0)
    return busy ? { licence, kinds, problem: inProgressMessage(busy, licence.status) } : { licence, kinds };
  const locked = licenceLockProblem(licence);
  if (locked) return { licence, kinds: [], problem: locked };
  if (busy) return { licence, kinds: [], problem: inProgressMessage(busy, licence.status) };
  const notOpenYet = kinds.flatMap((kind) => renewalNotOpenYet(kind, licence, today, renewal) ?? []);
  if (notOpenYet.length === 0) return { licence, kinds };
  return { licence, kinds: kinds.filter((kind) => !renewalNotOpenYet(kind, licence, today, renewal)), notOpenYet };
}

/**
 * The licence for one kind of change by this person, or the answer that refuses it: 404 for people
 * who cannot see it, 403 for those who see it but may not order, 409 when it is locked, its status
 * (and, for more space, its end date) does not allow the change, a renewal does not open yet
 * (renewal-window.ts), or another change is in progress.
 */
export async function licenceForChange(
  db: Executor,
  person: PersonWithRoles,
  licenceId: number,
  kind: ChangeKind,
  today: string,
  renewal: RenewalWindowSettings,
  options: { forUpdate?: boolean; quote?: Quote } = {},
): Promise<LicenceForChange> {
  const licence = await readLicence(db, licenceId, options.forUpdate);
  if (!licence) throw licenceNotFound();
  await authorise(db, person, licence);
  // Each refusal's page links the licence, and for a change its status does not allow, the ones it does.
  const locked = licenceLockProblem(licence);
  if (locked) throw new AppError('conflict', locked, undefined, [licenceLink(licence)]);
  if (options.quote) {
    // A quote for another licence or change can never price this one, whatever happens: a 422 for
    // it, said before whether it was used (for its own change), which is no reason here.
    const mismatch = changeQuoteMismatch(options.quote, licence.id, kind);
    if (mismatch) {
      const message = `${mismatch}. Ask for a quote for this change, or leave quoteReference out to order at today’s price.`;
      throw new AppError('unprocessable', message, { quoteReference: message });
    }
    // A quote an order has used is refused here too, so that its link is refused at once, not at submitting.
    const refused = quoteUsed(options.quote) ?? changeQuoteRefusal(options.quote, licence, kind, today);
    if (refused) throw quoteNoLongerApplies(options.quote, licence, kind, refused);
  }
  const problem = changeProblem(kind, licence, today);
  if (problem) {
    const instead = changesAllowed(licence, today).filter(
      (other) => !renewalNotOpenYet(other, licence, today, renewal),
    );
    const links = instead.map((other) => ({ href: changePath(licence.id, other), text: CHANGE_ACTION_WORDS[other] }));
    throw new AppError('conflict', problem, undefined, [...links, licenceLink(licence)]);
  }
  const busy = await changeInProgress(db, licenceId);
  if (busy) {
    // The refusal's page links the order in the way (when this person may see it) and the licence.
    const order = await findOrder(db, { reference: busy.reference });
    const links: AppErrorLink[] =
      order && canSeeOrder(person, order)
        ? [{ href: `/orders/${busy.reference}/`, text: `Go to order ${busy.reference}` }]
        : [];
    links.push(licenceLink(licence));
    throw new AppError('conflict', inProgressMessage(busy, licence.status), undefined, links);
  }
  // After the change in progress, as the licence page says them: a waiting renewal is the reason to wait.
  const notOpenYet = renewalNotOpenYet(kind, licence, today, renewal);
  if (notOpenYet) throw new AppError('conflict', notOpenYet, undefined, [licenceLink(licence)]);
  return licence;
}

/** The buyer's choice for a change: TB to add, a term, or a cancellation's reason. */
export interface ChangeChoice {
  addTb?: unknown;
  termYears?: unknown;
  reason?: string;
}

/**
 * A quote that no longer applies to the licence (it expired, or the licence has moved on): a 409
 * saying why, with the ways on: the licence, the quote, and the change at today's price (where a
 * new quote can be asked for too). The order is refused, never placed at another price.
 */
function quoteNoLongerApplies(quote: Quote, licence: LicenceForChange, kind: ChangeKind, problem: string): AppError {
  const message = `${refusalSentence(quote, problem)}. Its price cannot be used: get a new quote, or order at today’s price.`;
  return new AppError('conflict', message, { quoteReference: message }, [
    {
      href: `/storage/licence/${licence.id}/change/${kind}/?quote=`,
      text: 'Get a new quote or order at today’s price',
    },
    { href: `/storage/quotes/${quote.reference}/`, text: `Go to quote ${quote.reference}` },
    licenceLink(licence),
  ]);
}

/** A reason a quote cannot be used as a sentence about the quote, without its full stop: "Quote Q-… no longer applies: …". */
function refusalSentence(quote: Quote, problem: string): string {
  const why = problem.replace(/[.:]\s*$/, '');
  return why.startsWith(`Quote ${quote.reference}`)
    ? why
    : `Quote ${quote.reference} no longer applies: ${why.charAt(0).toLowerCase()}${why.slice(1)}`;
}

/**
 * Why a quote can no longer be ordered with, whatever the buyer chooses, as a sentence without its
 * full stop ("Quote Q-000042 expired on …"), or null while it can: for every page and API answer
 * that shows a quote as usable, by the rule ordering with it applies. The reason that matters most
 * is given (quote-standing.ts): used, then its licence gone or moved on, then expired. Used once an
 * order was placed with it (quoteUsed: placing a second is refused, orders.service.ts insertOrder);
 * a quote for new storage expires (quoteExpiry, as purchase-draft.ts quoteProblem); one for a
 * change also no longer applies when the licence's status no longer allows the change or the
 * licence has moved on since (change-quotes.ts changeQuoteRefusal, as licenceForChange and
 * priceLicenceChange), its change priced today as ordering it would be.
 */
export async function quoteRefusal(db: Executor, quote: Quote, today: string): Promise<string | null> {
  return quoteUsed(quote) ?? (await quoteLicenceRefusal(db, quote, today)).refusal ?? quoteExpiry(quote, today);
}

/**
 * quoteRefusal's reason with what it means for the way on (quote-standing.ts): whether the same
 * storage or change can still be ordered at today's price, its licence's status and a renewal's
 * opening (renewal-window.ts) allowing.
 */
export async function quoteStandingOf(
  db: Executor,
  quote: Quote,
  today: string,
  renewal: RenewalWindowSettings,
): Promise<QuoteStanding> {
  const used = quoteUsed(quote);
  if (used) return quoteStanding({ used, licence: null, expired: null, changeOpen: false });
  const { refusal, licence } = await quoteLicenceRefusal(db, quote, today);
  const kind = quote.change?.kind;
  const changeOpen =
    !kind ||
    (licence !== undefined &&
      !changeProblem(kind, licence, today) &&
      !renewalNotOpenYet(kind, licence, today, renewal));
  return quoteStanding({ used, licence: refusal, expired: quoteExpiry(quote, today), changeOpen });
}

/**
 * Why a change quote no longer applies to its licence, its date aside (null for new storage, or
 * while it does), with the licence: it is gone, its status no longer allows the change, or it has
 * moved on since. Judged as if the quote were still in date, so that an expired quote still says
 * its licence has gone, which matters more.
 */
async function quoteLicenceRefusal(
  db: Executor,
  quote: Quote,
  today: string,
): Promise<{ refusal: string | null; licence?: LicenceForChange }> {
  const change = quote.change;
  if (!change) return { refusal: null };
  const licence = await readLicence(db, change.licenceId);
  if (!licence) return { refusal: `Quote ${quote.reference} is for a licence that no longer exists` };
  const inDate = quoteExpiry(quote, today) ? { ...quote, validUntil: today } : quote;
  const refused = changeQuoteRefusal(inDate, licence, change.kind, today);
  if (refused) return { refusal: refusalSentence(quote, refused), licence };
  let current: Awaited<ReturnType<typeof priceChangeToday>>;
  try {
    current = await priceChangeToday(db, licence, change.kind, quotedChoice(quote), today);
  } catch (error) {
    // No price today: ordering says to contact the team, whatever the quote; the quote is not why.
    if (error instanceof AppError && error.code === 'unavailable') return { refusal: null, licence };
    throw error;
  }
  if (!current.priced.ok) return { refusal: null, licence };
  const moved = changeQuoteRefusal(inDate, licence, change.kind, today, current.priced.value);
  return { refusal: moved && refusalSentence(quote, moved), licence };
}

/**
 * Prices a change of this licence on `today` with the prices in force that day; with a quote, at
 * the quote's price when it still applies (change-quotes.ts). A choice other than the quote's (term,
 * TB to add) is a problem with that field; a quote that no longer applies is refused (409).
 */
export async function priceLicenceChange(
  db: Executor,
  licence: LicenceForChange,
  kind: ChangeKind,
  choice: ChangeChoice,
  today: string,
  quote?: Quote,
): Promise<LicenceChangePrice> {
  if (quote) {
    const refused = changeQuoteRefusal(quote, licence, kind, today);
    if (refused) throw quoteNoLongerApplies(quote, licence, kind, refused);
  }
  const { priced, price, coldStore } = await priceChangeToday(db, licence, kind, choice, today);
  if (!priced.ok) return priced;
  if (quote) {
    const refused = changeQuoteRefusal(quote, licence, kind, today, priced.value);
    if (refused) throw quoteNoLongerApplies(quote, licence, kind, refused);
    const problem = changeQuoteProblem(quote, priced.value, today);
    if (problem) return { ok: false, errors: { [problem.field]: problem.problem } };
    const { price: charged, todayIsLower } = atQuotedPrice(priced.value, quote);
    return {
      ok: true,
      value: charged,
      validFrom: todayIsLower ? price.validFrom : quote.priceValidFrom,
      coldStorePencePerTbYear: todayIsLower ? coldStore?.pencePerTbYear : undefined,
      quote: { id: quote.id, reference: quote.reference, validUntil: quote.validUntil, todayIsLower },
    };
  }
  return { ...priced, validFrom: price.validFrom, coldStorePencePerTbYear: coldStore?.pencePerTbYear };
}

/** A change of this licence priced by change-pricing.ts with the prices in force on `today` (503 when there are none). */
async function priceChangeToday(
  db: Executor,
  licence: LicenceForChange,
  kind: ChangeKind,
  choice: ChangeChoice,
  today: string,
) {
  const price = await findPriceInForce(db, licence.product.code, licence.customerClass, today);
  if (!price) {
    throw new AppError(
      'unavailable',
      `${licence.product.name} has no ${licence.customerClass} price today; contact us.`,
    );
  }
  const coldStore =
    kind === 'recovery' ? await findPriceInForce(db, COLD_STORE_PRODUCT, licence.customerClass, today) : undefined;
  if (kind === 'recovery' && !coldStore) {
    throw new AppError('unavailable', 'The cold store has no price today; contact us.');
  }
  const priced = priceChange({
    kind,
    today,
    licence,
    product: licence.product,
    customerClass: licence.customerClass,
    pencePerTbYear: price.pencePerTbYear,
    coldStorePencePerTbYear: coldStore?.pencePerTbYear,
    addTb: choice.addTb,
    termYears: choice.termYears,
  });
  return { priced, price, coldStore };
}

/**
 * A priced change with the day its price began to apply (and the quote it is priced by, if any),
 * or the buyer's choice's problems by field.
 */
export type LicenceChangePrice =
  | {
      ok: true;
      value: ChangePrice;
      validFrom: string;
      coldStorePencePerTbYear?: number;
      /** The quote it is ordered with; `todayIsLower`: today's price is charged, being lower than the quote's. */
      quote?: { id: number; reference: string; validUntil: string; todayIsLower: boolean };
    }
  | { ok: false; errors: FieldErrors };

export interface ChangeSubmission {
  licenceId: number;
  kind: ChangeKind;
  choice: ChangeChoice;
  /** None for a change that takes no payment (a cancellation: order-payment.ts takesPayment). */
  payment: SubmittedPayment | undefined;
  termsVersionId: number;
  /** From the check-your-answers page or the API: the same key twice means the same order. */
  submissionKey: string;
  /** From the API: the total the caller agreed to; any other total refuses the order (refuseUnexpectedTotal). */
  expectedTotalPence?: number;
  /** A quote of the buyer's for this change, to order at its price (refused if it no longer applies). */
  quoteReference?: string;
}

/**
 * What a change submission asks for: its licence and kind, the TB added or the term it names, its
 * quote, its payment (none for a cancellation) and a cancellation's reason.
 */
export function changeTarget(
  submission: Pick<ChangeSubmission, 'licenceId' | 'kind' | 'choice' | 'quoteReference' | 'payment'>,
): SubmissionTarget {
  const { licenceId, kind, choice } = submission;
  const payment = submission.payment ?? null;
  // Quote references are stored in capitals (selectQuote finds them so).
  const quoteReference = submission.quoteReference?.trim().toUpperCase() || null;
  // The page sends the numbers as text; one that is not a whole number is not compared.
  const whole = (value: unknown) => {
    const number = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
    return typeof number === 'number' && Number.isInteger(number) ? number : undefined;
  };
  if (kind === 'increase') return { kind, licenceId, quoteReference, payment, sizeTb: whole(choice.addTb) };
  if (kind === 'renewal' || kind === 'recovery')
    return { kind, licenceId, quoteReference, payment, termYears: whole(choice.termYears) };
  // As submitChangeOrder keeps it.
  return { kind, licenceId, quoteReference, payment, reason: choice.reason?.trim() || null };
}

/**
 * Submits a change order in one transaction: the licence read FOR UPDATE (so two changes of one
 * licence happen one after the other, and a lock taken a moment earlier is respected), who and
 * what checked again, the price and terms frozen, the payment recorded as for new storage, an
 * audit row and the confirmation email. Submitting the same key twice returns the first order.
 */
export async function submitChangeOrder(
  context: OrdersContext,
  buyer: PersonWithRoles,
  submission: ChangeSubmission,
  renewal: RenewalWindowSettings,
): Promise<{ reference: string; created: boolean }> {
  return submitOnce(context, buyer, { ...submission, what: changeTarget(submission) }, async (tx, checked) => {
    const { kind, payment } = submission;
    const today = context.clock.today().toString();
    const quote = submission.quoteReference ? await findQuoteFor(tx, buyer, submission.quoteReference) : undefined;
    const licence = await licenceForChange(tx, buyer, submission.licenceId, kind, today, renewal, {
      forUpdate: true,
      quote,
    });
    const priced = await priceLicenceChange(tx, licence, kind, submission.choice, today, quote);
    if (!priced.ok) throw new SubmissionRefused(priced.errors);
    const price = priced.value;
    const refused = paymentRefusal(price, payment, paymentMethodsFor(licence.product.service));
    if (refused) throw new SubmissionRefused(refused);
    refuseUnexpectedTotal(submission.expectedTotalPence, price.totalPence);
    const voucher = await takePayment(context, tx, buyer, payment, {
      productCode: licence.product.code,
      sizeTb: price.sizeTb,
      institutionId: licence.institutionId,
      licenceSize: kind !== 'increase',
    });
    const order = await insertOrder(context, tx, {
      values: {
        kind,
        licence_id: licence.id,
        buyer_person_id: buyer.id,
        product_code: licence.product.code,
        institution_id: licence.institutionId,
        customer_class: licence.customerClass,
        size_tb: price.sizeTb,
        term_years: price.termYears,
        pence_per_tb_year: price.pencePerTbYear,
        price_valid_from: priced.validFrom,
        starts_on: price.startsOn,
        ends_on: price.endsOn,
        quote_id: priced.quote?.id ?? null,
        terms_version_id: submission.termsVersionId,
        submission_key: submission.submissionKey,
      },
      price,
      payment,
      voucher,
      buyer: personActor(buyer),
      checked,
    });
    const { status, charged } = order;
    const reason = submission.choice.reason?.trim() || null;
    await recordAudit(tx, {
      actor: personActor(buyer),
      entityType: 'order',
      entityId: order.reference,
      licenceId: licence.id,
      action: 'submitted',
      // No `before`: the order did not exist. The licence as it was priced is named as the
      // licence's, so the history does not read as its size or end date changing to the order's.
      after: {
        kind,
        status,
        ...(kind === 'increase' ? { addTb: price.sizeTb } : { sizeTb: price.sizeTb }),
        termYears: price.termYears,
        startsOn: price.startsOn,
        endsOn: price.endsOn,
        pencePerTbYear: price.pencePerTbYear,
        coldStorePence: charged.coldStorePence,
        totalPence: charged.totalPence,
        payment: payment?.method ?? null,
        checkStatus: checked.checkStatus,
        ...(reason ? { reason } : {}),
        ...(priced.quote ? { quote: priced.quote.reference } : {}),
        licenceStatus: licence.status,
        licenceSizeTb: licence.sizeTb,
        licenceEndDate: licence.endDate,
      },
    });
    const detail = await findOrder(tx, { id: order.id });
    if (!detail) throw new Error(`order ${order.id} vanished inside its own transaction`);
    await emailOrderPeople(
      context,
      tx,
      detail,
      `Order ${detail.reference} received`,
      changeConfirmationParagraphs(detail, licence, reason),
    );
    return order.reference;
  });
}

/**
 * What is wrong with a change's payment for its price, by field: none given when one is needed,
 * one given for a change that takes none (order-payment.ts takesPayment), or a method not offered.
 */
function paymentRefusal(
  price: ChangePrice,
  payment: SubmittedPayment | undefined,
  methods: PaymentMethod[],
): FieldErrors | undefined {
  if (!takesPayment(price)) {
    return payment
      ? { payment: 'This change costs nothing, so it takes no payment: send it without payment details' }
      : undefined;
  }
  if (!payment) return { payment: 'Say how you will pay' };
  return methods.includes(payment.method) ? undefined : { method: 'Choose how you will pay' };
}

/** "5 TB more for “Quantum imaging data” (5 TB → 10 TB), 27 November 2026 to 31 July 2027". */
export function describeChange(
  order: Pick<OrderDetail, 'kind' | 'sizeTb' | 'termYears' | 'startsOn' | 'endsOn'> & { licence: { name: string } },
  licenceSizeTb?: number,
): string {
  const period = order.startsOn && order.endsOn ? `, ${formatDay(order.startsOn)} to ${formatDay(order.endsOn)}` : '';
  const name = `“${order.licence.name}”`;
  switch (order.kind) {
    case 'increase': {
      const sizes =
        licenceSizeTb === undefined ? '' : ` (${sizeText(licenceSizeTb)} → ${sizeText(licenceSizeTb + order.sizeTb)})`;
      return `${sizeText(order.sizeTb)} more for ${name}${sizes}${period}`;
    }
    case 'renewal':
      return `a renewal of ${name} (${sizeText(order.sizeTb)}) for ${years(order.termYears)}${period}`;
    case 'recovery':
      return `the recovery of ${name} (${sizeText(order.sizeTb)}) from the cold store, renewed for ${years(order.termYears)}${period}`;
    case 'cancellation':
      return `the cancellation of ${name}`;
    case 'new':
      return `${sizeText(order.sizeTb)} of new storage, ${name}`;
  }
}

function changeConfirmationParagraphs(order: OrderDetail, licence: LicenceForChange, reason: string | null): string[] {
  const words = ORDER_STATUS_WORDS[order.status];
  return [
    `${order.buyer.displayName} ordered ${describeChange(order, licence.sizeTb)}.`,
    ...(reason ? [`Reason given: ${reason}`] : []),
    order.kind === 'cancellation'
      ? `${cancellationWords(licence.status).cost} ${cancellationWords(licence.status).consequences}`
      : orderPriceWords(order),
    `Status: ${words.label}. ${words.explanation}`,
  ];
}
