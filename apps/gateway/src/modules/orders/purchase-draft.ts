import { quoteIsValid } from '../quotes/quote-rules.ts';
import type { Quote } from '../quotes/quotes.repository.ts';
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
 * A quote holds its price for 30 days: a configuration that matches a valid quote (same product,
 * size, term and department) is charged the quote's price, even if the catalogue price changed.
 */
export function withQuotePrice(
  configuration: PricedConfiguration,
  quote: Quote | undefined,
  today: string,
): { configuration: PricedConfiguration; quoteId: number | null } {
  const matches =
    quote &&
    quoteIsValid(quote, today) &&
    quote.productCode === configuration.product.code &&
    quote.sizeTb === configuration.sizeTb &&
    quote.termYears === configuration.termYears &&
    quote.institution.id === configuration.institution.id;
  if (!matches) return { configuration, quoteId: null };
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
  };
}
