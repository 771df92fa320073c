import { withVat } from '../catalogue/pricing.ts';
import { sizeText } from '../catalogue/sizes.ts';
import { formatDay, quoteExpiry } from '../quotes/quote-rules.ts';
import type { Quote } from '../quotes/quotes.repository.ts';
import type { QuotedChangeKind } from '../quotes/quotes.tables.ts';
import {
  type ChangeableLicence,
  type ChangeKind,
  type ChangePrice,
  changeProblem,
  daysInclusive,
  proRataPence,
} from './change-pricing.ts';
import { years } from './purchase.views.tsx';

/**
 * Quotes for a change of a licence, as pure rules: which changes can be quoted, and whether a quote
 * still applies to the change being ordered. A quote holds its price for 30 days (no longer than
 * the change can be ordered: quote-rules.ts lastDayToOrder) for what it quoted: the same licence,
 * kind of change, size or TB added, term and period. When the licence has
 * moved on (renewed since, made bigger, ended up in the cold store) its quote no longer applies and
 * the order is refused, never placed at another price.
 */

/** A cancellation costs nothing, so it needs no quote. */
export function isQuotableChange(kind: ChangeKind): kind is QuotedChangeKind {
  return kind !== 'cancellation';
}

/** What a change quote is for, in a refusal's words. */
const QUOTED_CHANGE_WORDS: Record<QuotedChangeKind, string> = {
  increase: 'more space on',
  renewal: 'a renewal of',
  recovery: 'a recovery of',
};

/**
 * Why a quote cannot price this kind of change of this licence at all, saying what it is for:
 * another licence, another kind, new storage. No change of the licence makes it apply.
 */
export function changeQuoteMismatch(quote: Quote, licenceId: number, kind: ChangeKind): string | null {
  const change = quote.change;
  if (change && change.licenceId === licenceId && change.kind === kind) return null;
  const quoted = change ? `${QUOTED_CHANGE_WORDS[change.kind]} licence ${change.licenceId}` : 'new storage';
  return `Quote ${quote.reference} is not for this change of this licence: it is for ${quoted}`;
}

/** The choice a change quote was priced for (the TB to add, or the term), as the change's first page takes it. */
export function quotedChoice(quote: Quote): Record<string, string> {
  return quote.change?.kind === 'increase' ? { addTb: String(quote.sizeTb) } : { termYears: String(quote.termYears) };
}

/**
 * Why ordering this change of this licence with the quote is refused on `today` whatever the buyer
 * chooses, or null while the quote can be used: it is not for this change, it has expired, the
 * licence's status no longer allows the change, or (given `current`, the change priced today) the
 * licence has moved on since the quote priced it. The one rule for ordering with a quote
 * (change-orders.service.ts licenceForChange and priceLicenceChange refuse the order by it) and for
 * showing a quote as usable (change-orders.service.ts quoteRefusal, for the pages and the API).
 */
export function changeQuoteRefusal(
  quote: Quote,
  licence: ChangeableLicence & { id: number },
  kind: ChangeKind,
  today: string,
  current?: ChangePrice,
): string | null {
  const refused =
    changeQuoteMismatch(quote, licence.id, kind) ?? quoteExpiry(quote, today) ?? changeProblem(kind, licence, today);
  if (refused || !current) return refused ?? null;
  const problem = changeQuoteProblem(quote, current, today);
  return problem?.field === 'licence' ? problem.problem : null;
}

/**
 * Why a quote's price does not apply to the change priced today (`current`, priced by the same
 * rules as an order without a quote), or null when it does. `choice`: a problem with what the
 * buyer chose (another term or TB to add than quoted), which they can put right on the page;
 * `licence`: the quote has expired or the licence has moved on, so a new quote is needed.
 */
export function changeQuoteProblem(
  quote: Quote,
  current: ChangePrice,
  today: string,
): { field: 'termYears' | 'addTb'; problem: string } | { field: 'licence'; problem: string } | null {
  const change = quote.change;
  if (!change) return { field: 'licence', problem: `Quote ${quote.reference} is for new storage, not a change` };
  const expired = quoteExpiry(quote, today);
  if (expired) return { field: 'licence', problem: expired };
  if (change.kind === 'increase') {
    if (current.sizeTb !== quote.sizeTb)
      return {
        field: 'addTb',
        problem: `Quote ${quote.reference} is for ${sizeText(quote.sizeTb)} more: add ${sizeText(quote.sizeTb)} to pay its price`,
      };
    if (current.endsOn !== change.endsOn)
      return {
        field: 'licence',
        problem: `Quote ${quote.reference} priced more space up to ${formatDay(change.endsOn)}, but the licence now ends on ${formatDay(current.endsOn ?? '')}`,
      };
    return null;
  }
  if (current.termYears !== quote.termYears)
    return {
      field: 'termYears',
      problem: `Quote ${quote.reference} is for ${years(quote.termYears)}: choose ${years(quote.termYears)} to pay its price`,
    };
  if (current.startsOn !== change.startsOn)
    return {
      field: 'licence',
      problem: `Quote ${quote.reference} is for a term from ${formatDay(change.startsOn)}, but the licence has been renewed since: a ${change.kind} would now start on ${formatDay(current.startsOn ?? '')}`,
    };
  if (current.sizeTb !== quote.sizeTb)
    return {
      field: 'licence',
      problem: `Quote ${quote.reference} is for ${sizeText(quote.sizeTb)}, but the licence is now ${sizeText(current.sizeTb)}`,
    };
  return null;
}

/**
 * The change ordered with a quote that applies to it (changeQuoteProblem finds no problem): at the
 * quote's price, or at today's when that is lower (`todayIsLower`), so that a quote never makes a
 * buyer pay more than they would without it. A renewal or recovery keeps the quote's figures (a
 * recovery's cold-store fee runs to the day it was quoted). More space keeps the quote's price per
 * TB per year but is paid, as without a quote, from the day it is ordered to the end date: the
 * days gone by since the quote are not charged.
 */
export function atQuotedPrice(current: ChangePrice, quote: Quote): { price: ChangePrice; todayIsLower: boolean } {
  const held = heldPrice(current, quote);
  return held.totalPence <= current.totalPence
    ? { price: held, todayIsLower: false }
    : { price: current, todayIsLower: true };
}

function heldPrice(current: ChangePrice, quote: Quote): ChangePrice {
  const change = quote.change;
  if (!change) throw new Error(`quote ${quote.reference} is not for a change`);
  if (change.kind === 'increase') {
    const net = proRataPence(quote.pencePerTbYear, current.sizeTb, current.days);
    return { ...current, ...withVat(net, quote.customerClass), pencePerTbYear: quote.pencePerTbYear };
  }
  return {
    ...current,
    pencePerTbYear: quote.pencePerTbYear,
    netPence: quote.netPence,
    vatPence: quote.vatPence,
    totalPence: quote.totalPence,
    coldStorePence: change.coldStorePence,
    // The recovery's days since the licence ended up to the day it was quoted, which its fee pays for.
    coldStoreDays: change.kind === 'recovery' ? daysInclusive(change.startsOn, quote.issuedOn) : 0,
    startsOn: change.startsOn,
    endsOn: change.endsOn,
  };
}
