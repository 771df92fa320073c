import { CHANGE_ACTION_WORDS, changePath } from '../orders/change-orders.views.tsx';
import type { QuotedChangeKind } from './quotes.tables.ts';

/**
 * Whether a quote can still be ordered with and, if not, why: one decision for the quote's page,
 * My storage, a licence's page and the API (change-orders.service.ts quoteStandingOf gathers the
 * reasons). A quote can fail for several reasons at once; the one that matters most is told, and
 * with whether ordering the same at today's price can work, decides what is offered next:
 *
 * 1. used: an order was placed with it (a quote pays for one order). Its order is named, even once
 *    the quote expired, and nothing is offered that would buy the same storage or change twice.
 * 2. licence: its licence no longer exists, or has moved on (deleted, renewed since, in the cold
 *    store), so its change cannot be ordered as quoted. The change at today's price only while the
 *    licence still allows it; otherwise the licence's page, which says what can be ordered now.
 * 3. expired: past its last day, nothing else wrong: the same at today's price.
 */
export type QuoteUnusableBecause = 'used' | 'licence' | 'expired';

export type QuoteStanding =
  | { usable: true; refusal: null; because: null; todaysPrice: true }
  | {
      usable: false;
      /** The reason, as a sentence without its full stop ("Quote Q-000042 expired on …"). */
      refusal: string;
      because: QuoteUnusableBecause;
      /** Whether the same storage or change can still be ordered at today's price. */
      todaysPrice: boolean;
    };

/** Each reason a quote cannot be used, as a sentence without its full stop, or null. */
export interface QuoteReasons {
  used: string | null;
  licence: string | null;
  expired: string | null;
  /** Whether its change can be ordered today (its licence's status allows it; a renewal has opened); always for new storage. */
  changeOpen: boolean;
}

/** The reason that matters most (used, then licence, then expired), or usable when there is none. */
export function quoteStanding(reasons: QuoteReasons): QuoteStanding {
  for (const because of ['used', 'licence', 'expired'] as const) {
    const refusal = reasons[because];
    if (refusal) return { usable: false, refusal, because, todaysPrice: because !== 'used' && reasons.changeOpen };
  }
  return { usable: true, refusal: null, because: null, todaysPrice: true };
}

/** A quote as its next step needs it. */
export interface QuoteForNextStep {
  reference: string;
  productCode: string;
  licenceName: string;
  usedBy: string | null;
  change: { licenceId: number; kind: QuotedChangeKind } | null;
}

/**
 * The way on from a quote for someone who may order with it: with it while it can be used; its
 * order once used; otherwise the same at today's price where that can work, or else the licence's
 * page. `what` names the ordering for the page's words.
 */
export function quoteNextStep(
  quote: QuoteForNextStep,
  standing: QuoteStanding,
): { href: string; words: string; what: string } {
  const { change } = quote;
  const reference = encodeURIComponent(quote.reference);
  const what = change ? 'order the change' : 'buy the storage';
  if (standing.because === 'used' && quote.usedBy)
    return { href: `/orders/${quote.usedBy}/`, words: `Go to order ${quote.usedBy}`, what };
  if (!change)
    return { href: `/storage/buy/${quote.productCode}/?quote=${reference}`, words: 'Buy this storage', what };
  const path = changePath(change.licenceId, change.kind);
  if (standing.usable)
    return { href: `${path}?quote=${reference}`, words: `${CHANGE_ACTION_WORDS[change.kind]} with this quote`, what };
  if (standing.todaysPrice)
    return { href: `${path}?quote=`, words: `${CHANGE_ACTION_WORDS[change.kind]} at today’s price`, what };
  return { href: `/storage/licence/${change.licenceId}/`, words: `Go to the licence “${quote.licenceName}”`, what };
}

/** A quote's standing in a list's few words (My storage, a licence's quotes). */
export function quoteStandingHint(quote: { usedBy: string | null }, standing: QuoteStanding): string {
  switch (standing.because) {
    case null:
      return 'You can order at this price until then.';
    case 'used':
      return `Used for order ${quote.usedBy}: a quote pays for one order.`;
    case 'licence':
      return standing.todaysPrice
        ? `Can no longer be used: ${standing.refusal}. Ask for a new quote to order at today's price.`
        : `Can no longer be used: ${standing.refusal}.`;
    case 'expired':
      return "Expired: ask for a new quote to order at today's price.";
  }
}
