import { sizeText } from '../catalogue/sizes.ts';
import { formatDay, quoteIsValid } from '../quotes/quote-rules.ts';
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
    purchase?: PurchaseDraft;
  }
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
 * Why a quote's price does not apply to a configuration, or null when it does. A quote holds its
 * price for 30 days for what it quoted: the same product, size, term and department. One rule for
 * both ways of buying: the check-your-answers page says why today's price applies instead, and
 * the API refuses the order (a 422 for quoteReference) rather than charge another price.
 */
export function quoteProblem(quote: Quote, configuration: PricedConfiguration, today: string): string | null {
  if (!quoteIsValid(quote, today)) return `Quote ${quote.reference} expired on ${formatDay(quote.validUntil)}`;
  const c = configuration;
  const differences = [
    [quote.productCode, c.product.code],
    [sizeText(quote.sizeTb), sizeText(c.sizeTb)],
    [years(quote.termYears), years(c.termYears)],
    [`department ${quote.institution.id}`, `department ${c.institution.id}`],
  ].flatMap(([quoted, ordered]) => (quoted === ordered ? [] : [`${quoted} (not ${ordered})`]));
  if (differences.length === 0) return null;
  return `Quote ${quote.reference} is for another order: ${differences.join(', ')}`;
}

/**
 * A configuration with a quote's price when the quote applies to it (quoteProblem), and why not
 * when it does not.
 */
export function withQuotePrice(
  configuration: PricedConfiguration,
  quote: Quote | undefined,
  today: string,
): { configuration: PricedConfiguration; quoteId: number | null; quoteProblem: string | null } {
  const problem = quote ? quoteProblem(quote, configuration, today) : null;
  if (!quote || problem) return { configuration, quoteId: null, quoteProblem: problem };
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
  };
}
