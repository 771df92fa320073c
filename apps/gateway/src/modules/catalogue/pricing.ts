import type { CustomerClass } from '../people/people.tables.ts';

/** UK standard-rate VAT, charged to external customers (Colleges count as external). */
export const VAT_PERCENT = 20;

export interface PriceBreakdown {
  /** size × price per TB per year × years, in pence. */
  netPence: number;
  vatPence: number;
  totalPence: number;
}

/** The price of a licence. Integer pence throughout; VAT rounds half up to the penny. */
export function priceLicence(input: {
  sizeTb: number;
  termYears: number;
  pencePerTbYear: number;
  customerClass: CustomerClass;
}): PriceBreakdown {
  const { sizeTb, termYears, pencePerTbYear, customerClass } = input;
  for (const [name, value] of Object.entries({ sizeTb, termYears, pencePerTbYear })) {
    if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`${name} must be a whole number, not ${value}`);
  }
  return withVat(sizeTb * pencePerTbYear * termYears, customerClass);
}

/** A net price with the VAT a customer class pays on it: 20% for external customers, rounded half up to the penny. */
export function withVat(netPence: number, customerClass: CustomerClass): PriceBreakdown {
  if (!Number.isSafeInteger(netPence) || netPence < 0) throw new RangeError('the price is too large to represent');
  const vatPence = customerClass === 'external' ? Math.floor((netPence * VAT_PERCENT + 50) / 100) : 0;
  return { netPence, vatPence, totalPence: netPence + vatPence };
}
