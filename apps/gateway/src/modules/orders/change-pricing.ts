import { Temporal } from 'temporal-polyfill';
import type { FieldErrors } from '../../platform/web/components.tsx';
import { wholeNumberFrom } from '../../platform/web/forms.ts';
import { type PriceBreakdown, withVat } from '../catalogue/pricing.ts';
import { sizeText } from '../catalogue/sizes.ts';
import { licenceEndDate } from '../licences/licence-dates.ts';
import type { LicenceStatus } from '../licences/licences.tables.ts';
import type { CustomerClass } from '../people/people.tables.ts';
import { formatDay } from '../quotes/quote-rules.ts';
import type { OrderKind } from './order-status.ts';
import { MAXIMUM_TB } from './purchase-configuration.ts';

/**
 * Orders that change a licence (issue 6, point 2), as pure rules: which licence statuses allow
 * which change, and what each change costs on a given day. Integer pence throughout; VAT as for
 * new storage (catalogue/pricing.ts).
 *
 * - increase: the price in force on the pricing day × TB added × the days from the pricing day to
 *   the licence's end date (both included) / 365, rounded half up to the penny. Every day counts
 *   the same, 29 February too, so a year with a leap day costs 366/365 of the yearly price.
 * - renewal: the price in force × the licence's size × the term chosen (1 year up to the
 *   product's longest term), for the period from the day after the current end date, even when
 *   that day is in the past (a renewal after expiry is back-dated).
 * - recovery (a licence in the cold store): a renewal, plus the cold-store fee: the Research Cold
 *   Store's price per TB per year × the licence's size × the days from the day after the end date
 *   to the pricing day (both included; the read-only days before the cold store too) / 365,
 *   rounded half up.
 * - cancellation: nothing. No refund is made for the rest of the term.
 */
export type ChangeKind = Exclude<OrderKind, 'new'>;

export const CHANGE_KINDS = [
  'increase',
  'renewal',
  'recovery',
  'cancellation',
] as const satisfies readonly ChangeKind[];

/** The product whose price is the cold-store fee (catalogue.seed.ts: Research Cold Store). */
export const COLD_STORE_PRODUCT = 'RCS';

/** Which licence statuses allow which change; a locked licence allows none (licence-lock.ts). */
export const CHANGE_ALLOWED_FROM: Record<ChangeKind, readonly LicenceStatus[]> = {
  increase: ['active'],
  renewal: ['active', 'suspended'],
  recovery: ['cold'],
  cancellation: ['pending', 'active'],
};

/** A licence as far as which changes it allows: its status and its end date (its last day). */
export interface ChangeableLicence {
  status: LicenceStatus;
  endDate: string | null;
}

/** The changes a licence allows on `today` (YYYY-MM-DD): what `changeProblem` does not refuse. */
export function changesAllowed(licence: ChangeableLicence, today: string): ChangeKind[] {
  return CHANGE_KINDS.filter((kind) => changeProblem(kind, licence, today) === undefined);
}

const STATUS_WORDS: Record<LicenceStatus, string> = {
  pending: 'waiting to be set up',
  active: 'active',
  suspended: 'expired (read-only)',
  cold: 'in the cold store',
  deletable: 'due for deletion',
  deleted: 'deleted',
  cancelled: 'cancelled',
};

const CHANGE_NEEDS: Record<ChangeKind, string> = {
  increase: 'Only an active licence can be made bigger',
  renewal: 'Only an active or expired (read-only) licence can be renewed; one in the cold store is recovered instead',
  recovery: 'Only a licence in the cold store can be recovered',
  cancellation: 'Only a licence that is active or waiting to be set up can be cancelled',
};

/**
 * Why a licence cannot have this change on `today`, or undefined when it can: its status must
 * allow the change, and more space is sold only up to the end date, so a licence past its end
 * date that the nightly job has not suspended yet is renewed first (it is still `active` until then).
 */
export function changeProblem(kind: ChangeKind, licence: ChangeableLicence, today: string): string | undefined {
  if (!CHANGE_ALLOWED_FROM[kind].includes(licence.status))
    return `${CHANGE_NEEDS[kind]}: this one is ${STATUS_WORDS[licence.status]}.`;
  if (kind !== 'increase') return undefined;
  if (!licence.endDate) return 'This licence has no end date yet, so it cannot be made bigger.';
  if (licence.endDate < today)
    return `This licence ended on ${formatDay(licence.endDate)}: renew it before making it bigger.`;
  return undefined;
}

/** What a change is priced from: the licence, the day, the prices in force that day and the buyer's choice. */
export interface ChangePricingInput {
  kind: ChangeKind;
  /** The pricing day (YYYY-MM-DD). */
  today: string;
  licence: { sizeTb: number; endDate: string | null };
  product: { minimumTb: number; termsYears: readonly number[] };
  customerClass: CustomerClass;
  /** The product's price in force on the pricing day for the customer class. */
  pencePerTbYear: number;
  /** Recovery only: the cold-store product's price in force on the pricing day. */
  coldStorePencePerTbYear?: number;
  /** Increase: the TB to add, as typed or sent. */
  addTb?: unknown;
  /** Renewal and recovery: the term in years, as typed or sent. */
  termYears?: unknown;
}

export interface ChangePrice extends PriceBreakdown {
  kind: ChangeKind;
  /** Increase: the TB added; otherwise the licence's size. */
  sizeTb: number;
  /** Renewal and recovery: the term bought; increase: the whole or part years the period covers; cancellation: 1. */
  termYears: number;
  /** The period the order pays for (none for a cancellation). */
  startsOn: string | null;
  endsOn: string | null;
  /** Increase: the days from the pricing day to the end date, both included. */
  days: number;
  pencePerTbYear: number;
  /**
   * Recovery: the days since the licence ended (the day after the end date to the pricing day, both
   * included: the days it was read-only before it moved to the cold store too) and their fee.
   */
  coldStoreDays: number;
  coldStorePence: number;
}

export type PricedChange = { ok: true; value: ChangePrice } | { ok: false; errors: FieldErrors };

const DAYS_PER_YEAR = 365;

/** The days from `from` to `to`, both included (0 when `to` is before `from`). */
export function daysInclusive(from: string, to: string): number {
  const days = Temporal.PlainDate.from(from).until(Temporal.PlainDate.from(to), { largestUnit: 'days' }).days + 1;
  return Math.max(0, days);
}

/** Price per TB per year × TB × days / 365, rounded half up to the penny, in integers only. */
export function proRataPence(pencePerTbYear: number, sizeTb: number, days: number): number {
  const numerator = pencePerTbYear * sizeTb * days;
  if (!Number.isSafeInteger(numerator)) throw new RangeError('the price is too large to represent');
  return Math.floor((2 * numerator + DAYS_PER_YEAR) / (2 * DAYS_PER_YEAR));
}

export function nextDay(day: string): string {
  return Temporal.PlainDate.from(day).add({ days: 1 }).toString();
}

/** A whole number from a form (text) or JSON (number), or a message. */
function wholeNumber(value: unknown, missing: string, notWhole: string): { value: number } | { problem: string } {
  if (value === undefined || value === null || (typeof value === 'string' && value.trim() === ''))
    return { problem: missing };
  // A minus sign makes a whole number too small, not something else: the caller's lower bound says so.
  const number = wholeNumberFrom(value);
  return number === undefined ? { problem: notWhole } : { value: number };
}

/** The longest term a licence of this product can be renewed for. */
export function longestTerm(product: { termsYears: readonly number[] }): number {
  return Math.max(1, ...product.termsYears);
}

function termOf(input: ChangePricingInput): { value: number } | { problem: string } {
  const longest = longestTerm(input.product);
  const choose =
    longest === 1
      ? 'Choose 1 year: this product is renewed a year at a time'
      : `Choose a term from 1 to ${longest} years`;
  const term = wholeNumber(input.termYears, 'Choose how long to renew for', choose);
  if ('problem' in term) return term;
  if (term.value < 1 || term.value > longest) return { problem: choose };
  return term;
}

/** Prices a change on the pricing day, or says what is wrong with the buyer's choice (keyed by field). */
export function priceChange(input: ChangePricingInput): PricedChange {
  const { kind, licence, today } = input;
  const base = { kind, pencePerTbYear: input.pencePerTbYear, days: 0, coldStoreDays: 0, coldStorePence: 0 };
  if (kind === 'cancellation') {
    return {
      ok: true,
      value: {
        ...base,
        ...withVat(0, input.customerClass),
        sizeTb: licence.sizeTb,
        termYears: 1,
        startsOn: null,
        endsOn: null,
      },
    };
  }
  if (!licence.endDate)
    return { ok: false, errors: { kind: 'This licence has no end date yet, so it cannot be changed' } };

  if (kind === 'increase') {
    const add = wholeNumber(
      input.addTb,
      'Enter how many TB to add',
      'Enter the TB to add as a whole number, for example 2',
    );
    if ('problem' in add) return { ok: false, errors: { addTb: add.problem } };
    if (add.value < 1) return { ok: false, errors: { addTb: 'Add at least 1 TB' } };
    const newSize = licence.sizeTb + add.value;
    if (newSize > MAXIMUM_TB) {
      const room = Math.max(0, MAXIMUM_TB - licence.sizeTb);
      return {
        ok: false,
        errors: {
          addTb: `A licence can be at most ${sizeText(MAXIMUM_TB)}: add at most ${sizeText(room)}, or contact us for more`,
        },
      };
    }
    if (newSize < input.product.minimumTb) {
      return { ok: false, errors: { addTb: `The licence must be at least ${sizeText(input.product.minimumTb)}` } };
    }
    const days = daysInclusive(today, licence.endDate);
    if (days < 1) {
      return {
        ok: false,
        errors: { addTb: 'This licence has reached its end date: renew it before making it bigger' },
      };
    }
    const net = proRataPence(input.pencePerTbYear, add.value, days);
    return {
      ok: true,
      value: {
        ...base,
        ...withVat(net, input.customerClass),
        sizeTb: add.value,
        // Every order has a term; an increase is priced by its days, and its term is their nearest
        // whole number of years (a two-year period with 29 February in it, 731 days, is 2, not 3).
        termYears: Math.max(1, Math.round(days / DAYS_PER_YEAR)),
        startsOn: today,
        endsOn: licence.endDate,
        days,
      },
    };
  }

  const term = termOf(input);
  if ('problem' in term) return { ok: false, errors: { termYears: term.problem } };
  const startsOn = nextDay(licence.endDate);
  const renewalNet = input.pencePerTbYear * licence.sizeTb * term.value;
  let coldStoreDays = 0;
  let coldStorePence = 0;
  if (kind === 'recovery') {
    if (input.coldStorePencePerTbYear === undefined) throw new Error('a recovery needs the cold-store price');
    coldStoreDays = daysInclusive(startsOn, today);
    coldStorePence = proRataPence(input.coldStorePencePerTbYear, licence.sizeTb, coldStoreDays);
  }
  return {
    ok: true,
    value: {
      ...base,
      ...withVat(renewalNet + coldStorePence, input.customerClass),
      sizeTb: licence.sizeTb,
      termYears: term.value,
      startsOn,
      endsOn: licenceEndDate(startsOn, term.value),
      coldStoreDays,
      coldStorePence,
    },
  };
}

/**
 * The price before VAT an order was priced at when a voucher paid it (its stored price is then
 * nothing): the price per TB per year × its TB × its term, except for more space, which is priced
 * by the day to the end date (proRataPence over its period), not a whole year. A recovery's
 * cold-store fee is not kept on an order paid by voucher, so `plusColdStoreFee` says it is on top.
 */
export function listPenceBeforeVoucher(order: {
  kind: OrderKind;
  sizeTb: number;
  termYears: number;
  pencePerTbYear: number;
  startsOn: string | null;
  endsOn: string | null;
}): { pence: number; plusColdStoreFee: boolean } {
  if (order.kind === 'cancellation') return { pence: 0, plusColdStoreFee: false };
  if (order.kind === 'increase' && order.startsOn && order.endsOn) {
    const days = daysInclusive(order.startsOn, order.endsOn);
    return { pence: proRataPence(order.pencePerTbYear, order.sizeTb, days), plusColdStoreFee: false };
  }
  return {
    pence: order.pencePerTbYear * order.sizeTb * order.termYears,
    plusColdStoreFee: order.kind === 'recovery',
  };
}
