import type { FieldErrors } from '../../platform/web/components.tsx';
import { compareDays, DATE_HINT, parseCalendarDate, parseWholeNumber } from '../admin/manage-forms.ts';
import type { CustomerClass } from '../people/people.tables.ts';
import { formatDay } from '../quotes/quote-rules.ts';
import { parsePounds } from './money.ts';
import { sizeText } from './sizes.ts';

/**
 * The service teams' rules for their catalogue (pure): what a product's details may be, and how a
 * new price is added. A price is never changed or removed once set: a new one takes over from its
 * valid-from day, and quotes and orders keep the price they were made with.
 */

export interface ProductEditable {
  name: string;
  summary: string;
  description: string;
  minimumTb: number;
  termsYears: number[];
  active: boolean;
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; errors: FieldErrors };

/** The longest licence term a product may offer, in years. */
export const LONGEST_TERM_YEARS = 10;
const MINIMUM_TB_LIMIT = 1000;

function text(raw: Record<string, unknown>, key: string): string {
  const value = raw[key];
  return typeof value === 'string' ? value.trim() : '';
}

export function productEditValues(product: ProductEditable): Record<string, string> {
  return {
    name: product.name,
    summary: product.summary,
    description: product.description,
    minimumTb: String(product.minimumTb),
    termsYears: product.termsYears.join(', '),
    active: product.active ? 'yes' : '',
  };
}

/** "1, 3, 5": whole years, each offered once, shortest first. */
export function parseTermsYears(value: string): number[] | string {
  const parts = value.split(/[\s,;]+/).filter(Boolean);
  if (parts.length === 0) return 'Enter the terms offered, in years, for example 1, 3, 5';
  const years: number[] = [];
  for (const part of parts) {
    const year = parseWholeNumber(part);
    if (year === undefined || year < 1 || year > LONGEST_TERM_YEARS) {
      return `Enter each term as a whole number of years from 1 to ${LONGEST_TERM_YEARS}, separated by commas`;
    }
    if (!years.includes(year)) years.push(year);
  }
  return years.sort((a, b) => a - b);
}

/** Checks an edit of a product's details; returns only what changed, or a message for each field. */
export function parseProductEdit(
  raw: Record<string, unknown>,
  current: ProductEditable,
): Parsed<{ changes: Partial<ProductEditable> }> {
  const errors: FieldErrors = {};
  const next: Partial<ProductEditable> = {};

  const name = text(raw, 'name');
  if (!name) errors.name = 'Enter the product’s name';
  else if (name.length > 80) errors.name = 'The name must be 80 characters or fewer';
  else next.name = name;

  const summary = text(raw, 'summary');
  if (!summary) errors.summary = 'Enter a one-line summary';
  else if (summary.length > 200) errors.summary = 'The summary must be 200 characters or fewer';
  else next.summary = summary;

  const description = text(raw, 'description');
  if (!description) errors.description = 'Enter a description';
  else if (description.length > 2000) errors.description = 'The description must be 2,000 characters or fewer';
  else next.description = description;

  const minimumText = text(raw, 'minimumTb');
  const minimum = parseWholeNumber(minimumText);
  if (!minimumText) errors.minimumTb = 'Enter the minimum size in TB';
  else if (minimum === undefined || minimum < 1)
    errors.minimumTb = 'Enter the minimum size as a whole number of TB, at least 1';
  else if (minimum > MINIMUM_TB_LIMIT)
    errors.minimumTb = `The minimum size must be at most ${sizeText(MINIMUM_TB_LIMIT)}`;
  else next.minimumTb = minimum;

  const terms = parseTermsYears(text(raw, 'termsYears'));
  if (typeof terms === 'string') errors.termsYears = terms;
  else next.termsYears = terms;

  // A checkbox sends its value when ticked and nothing at all when not.
  next.active = raw.active === 'yes';

  if (Object.keys(errors).length > 0) return { ok: false, errors };
  const changes: Partial<ProductEditable> = {};
  for (const key of Object.keys(next) as Array<keyof ProductEditable>) {
    if (JSON.stringify(next[key]) !== JSON.stringify(current[key])) Object.assign(changes, { [key]: next[key] });
  }
  if (Object.keys(changes).length === 0) return { ok: false, errors: { name: 'Nothing has changed' } };
  return { ok: true, value: { changes } };
}

export interface NewPrice {
  customerClass: CustomerClass;
  pencePerTbYear: number;
  validFrom: string;
}

export const CUSTOMER_CLASS_WORDS: Record<CustomerClass, string> = {
  internal: 'Internal (University departments)',
  external: 'External (Colleges and outside bodies, who also pay VAT)',
};

/** A new price: a customer class, an amount in pounds and pence, and a first day that is today or later. */
export function parseNewPrice(raw: Record<string, unknown>, today: string): Parsed<NewPrice> {
  const errors: FieldErrors = {};
  const customerClass = text(raw, 'customerClass');
  if (customerClass !== 'internal' && customerClass !== 'external') {
    errors.customerClass = 'Choose who pays this price: internal or external customers';
  }
  const pounds = parsePounds(text(raw, 'pounds'));
  if (!pounds.ok) errors.pounds = pounds.message;

  const validText = text(raw, 'validFrom');
  const validFrom = parseCalendarDate(validText);
  if (!validText) errors.validFrom = 'Enter the day the price applies from';
  else if (!validFrom) errors.validFrom = `Enter the day as a real date: ${DATE_HINT.toLowerCase()}`;
  else if (compareDays(validFrom, today) < 0) {
    errors.validFrom = `A price cannot start in the past (before today, ${formatDay(today)}): existing quotes and orders keep their price`;
  }
  if (Object.keys(errors).length > 0 || !pounds.ok || !validFrom) return { ok: false, errors };
  return {
    ok: true,
    value: { customerClass: customerClass as CustomerClass, pencePerTbYear: pounds.pence, validFrom },
  };
}

export type PriceState = 'past' | 'in-force' | 'future';

/**
 * Which of a product's prices applies on `today` for each customer class (the latest that has
 * begun), which are over and which are still to come.
 */
export function priceStates<T extends { customerClass: CustomerClass; validFrom: string }>(
  prices: readonly T[],
  today: string,
): Array<T & { state: PriceState }> {
  const inForce = new Map<CustomerClass, string>();
  for (const price of prices) {
    if (compareDays(price.validFrom, today) > 0) continue;
    const best = inForce.get(price.customerClass);
    if (!best || compareDays(price.validFrom, best) > 0) inForce.set(price.customerClass, price.validFrom);
  }
  return prices.map((price) => {
    const state: PriceState =
      compareDays(price.validFrom, today) > 0
        ? 'future'
        : inForce.get(price.customerClass) === price.validFrom
          ? 'in-force'
          : 'past';
    return { ...price, state };
  });
}
