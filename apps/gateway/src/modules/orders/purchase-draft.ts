import { randomUUID } from 'node:crypto';
import type { Session } from 'fastify';
import { sizeText } from '../catalogue/sizes.ts';
import { quoteExpiry } from '../quotes/quote-rules.ts';
import type { Quote } from '../quotes/quotes.repository.ts';
import { years } from './purchase.views.tsx';
import type { PricedConfiguration } from './purchase-configuration.service.ts';

/**
 * A purchase in progress, kept in the person's server-side session between the steps: what they
 * chose, how they will pay, and the key that makes the final submission happen once.
 */
export type DraftPayment =
  | { method: 'finance-code'; financeCode: string; checkNote: string }
  | { method: 'purchase-order'; poNumber: string; documentId: string; documentName: string }
  | { method: 'voucher'; voucherCode: string };

export interface PurchaseDraft {
  product: string;
  configuration?: Record<string, string>;
  quoteReference?: string;
  payment?: DraftPayment;
  submissionKey: string;
}

declare module 'fastify' {
  interface Session {
    /**
     * The purchases in progress, one per product: every tab of a browser shares its session, so
     * buying another product in another tab must not throw this one away.
     */
    purchases?: Record<string, PurchaseDraft>;
  }
}

/** The session's purchase in progress of this product, if any. */
export function purchaseDraftOf(session: Session, product: string): PurchaseDraft | undefined {
  return session.purchases?.[product];
}

/** Keeps `draft` as the session's purchase in progress of its product, or drops that product's (none given). */
export function keepPurchaseDraft(session: Session, product: string, draft?: PurchaseDraft): void {
  const others = Object.entries(session.purchases ?? {}).filter(([code]) => code !== product);
  session.purchases = Object.fromEntries(draft ? [...others, [product, { ...draft }]] : others);
}

/**
 * The purchase in progress when buying starts afresh from the product's page, not from a quote's
 * "Buy this storage": its answers are kept, but not a quote an earlier "Buy this storage" put in
 * it, which would otherwise follow the buyer into another purchase ("Quote Q-… is for another
 * order") or price it. Only the quote's own button buys with a quote.
 */
export function startedAfresh(draft: PurchaseDraft): PurchaseDraft {
  const { quoteReference: _dropped, ...rest } = draft;
  return rest;
}

/** The fields of the configure step, the only ones a draft keeps from that form. */
export const CONFIGURATION_FIELDS = [
  'sizeTb',
  'termYears',
  'institutionId',
  'licenceName',
  'ownerCrsid',
  'managerCrsids',
  'projectName',
] as const;

export function configurationValues(body: Record<string, string>): Record<string, string> {
  return Object.fromEntries(CONFIGURATION_FIELDS.map((field) => [field, body[field] ?? '']));
}

/**
 * The configure form as a quote for new storage was asked for: "Buy this storage" fills in exactly
 * that, never answers of an earlier attempt kept in the session. A quote issued before it kept its
 * people and project (migration 0023) has the one who asked for it as Data Owner and leaves the
 * Data Managers and the project for the buyer to fill in.
 */
export function quoteFormValues(quote: Quote): Record<string, string> {
  return {
    sizeTb: String(quote.sizeTb),
    termYears: String(quote.termYears),
    institutionId: quote.institution.id,
    licenceName: quote.licenceName,
    ownerCrsid: quote.setup?.ownerCrsid ?? quote.requester.crsid,
    managerCrsids: quote.setup?.managerCrsids.join(', ') ?? '',
    projectName: quote.setup?.projectName ?? '',
  };
}

/**
 * The purchase in progress once a quote for new storage is bought with ("Buy this storage"): the
 * quote's configuration (quoteFormValues) at its price; or, `atQuotePrice` false, once it is asked
 * for: the answers it was asked for, at today's price until the buyer follows the quote. Either
 * keeps the payment and submission key of a draft for the same product (buying something else
 * starts again), and no earlier quote.
 */
export function draftFromQuote(
  draft: PurchaseDraft | undefined,
  quote: Quote,
  { atQuotePrice = true }: { atQuotePrice?: boolean } = {},
): PurchaseDraft {
  const kept =
    draft && draft.product === quote.productCode ? draft : { product: quote.productCode, submissionKey: randomUUID() };
  return {
    ...kept,
    configuration: quoteFormValues(quote),
    quoteReference: atQuotePrice ? quote.reference : undefined,
  };
}

/**
 * Why a quote's price does not apply to a configuration, or null when it does. A quote holds its
 * price for 30 days for what it quoted: the same product, size, term and department. One rule for
 * both ways of buying: the check-your-answers page says why today's price applies instead, and
 * the API refuses the order (a 422 for quoteReference) rather than charge another price.
 */
export function quoteProblem(quote: Quote, configuration: PricedConfiguration, today: string): string | null {
  // A change's price (pro rata for an increase) is no price for new storage.
  if (quote.change)
    return `Quote ${quote.reference} is for a change of licence ${quote.change.licenceId}, not for new storage`;
  const expired = quoteExpiry(quote, today);
  if (expired) return expired;
  const c = configuration;
  // Compared by their codes, named as the rest of the site names them: departments by their names.
  const differences = [
    [quote.productCode, c.product.code, quote.productCode, c.product.code],
    [quote.sizeTb, c.sizeTb, sizeText(quote.sizeTb), sizeText(c.sizeTb)],
    [quote.termYears, c.termYears, years(quote.termYears), years(c.termYears)],
    [quote.institution.id, c.institution.id, quote.institution.name, c.institution.name],
  ].flatMap(([quoted, ordered, quotedWords, orderedWords]) =>
    quoted === ordered ? [] : [`${quotedWords} (not ${orderedWords})`],
  );
  if (differences.length === 0) return null;
  return `Quote ${quote.reference} is for another order: ${differences.join(', ')}`;
}

/**
 * A configuration with a quote's price when the quote applies to it (quoteProblem), and why not
 * when it does not. Today's price when that is lower (`todayIsLower`): a quote never makes a buyer
 * pay more than they would without it; the order is still placed with the quote.
 */
export function withQuotePrice(
  configuration: PricedConfiguration,
  quote: Quote | undefined,
  today: string,
): {
  configuration: PricedConfiguration;
  quoteId: number | null;
  quoteProblem: string | null;
  todayIsLower: boolean;
} {
  const problem = quote ? quoteProblem(quote, configuration, today) : null;
  if (!quote || problem) return { configuration, quoteId: null, quoteProblem: problem, todayIsLower: false };
  if (configuration.price.totalPence < quote.totalPence)
    return { configuration, quoteId: quote.id, quoteProblem: null, todayIsLower: true };
  return {
    configuration: {
      ...configuration,
      price: {
        pencePerTbYear: quote.pencePerTbYear,
        validFrom: quote.priceValidFrom,
        netPence: quote.netPence,
        vatPence: quote.vatPence,
        totalPence: quote.totalPence,
      },
    },
    quoteId: quote.id,
    quoteProblem: null,
    todayIsLower: false,
  };
}
