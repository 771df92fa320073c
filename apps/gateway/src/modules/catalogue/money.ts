const poundsFormat = new Intl.NumberFormat('en-GB', { style: 'currency', currency: 'GBP' });

/** Money is integer pence everywhere; this is the only place it becomes pounds, for people to read. */
export function formatPence(pence: number): string {
  if (!Number.isSafeInteger(pence)) throw new RangeError(`not a whole number of pence: ${pence}`);
  return poundsFormat.format(pence / 100);
}

/** The most a price per TB per year may be typed as: £1,000,000.00. */
export const MAXIMUM_PRICE_PENCE = 100_000_000;

export type ParsedPounds = { ok: true; pence: number } | { ok: false; message: string };

const POUNDS_HINT = 'Enter the price in pounds and pence, for example 54.00';

/**
 * Pounds and pence typed by a person ("54.00", "£54", "1,234.5") as integer pence, with no
 * floating point on the way: the digits are read as text. Refuses a sign, more than two decimal
 * places, thousands separators in the wrong places and anything else that is not an amount.
 */
export function parsePounds(text: string): ParsedPounds {
  const trimmed = text.trim().replace(/^£\s*/, '');
  if (trimmed === '') return { ok: false, message: POUNDS_HINT };
  // A hyphen, a minus sign (U+2212) or an en dash (U+2013); escaped, so that the production bundle
  // has no character beyond Latin-1 and V8 keeps its source as one byte per character.
  if (/^[-\u2212\u2013]/.test(trimmed) || /^£?\s*[-\u2212\u2013]/.test(text.trim())) {
    return { ok: false, message: 'The price cannot be negative' };
  }
  const match = /^(\d{1,3}(?:,\d{3})+|\d+)?(?:\.(\d*))?$/.exec(trimmed);
  if (!match || (match[1] === undefined && !match[2])) return { ok: false, message: POUNDS_HINT };
  const whole = (match[1] ?? '0').replaceAll(',', '');
  const fraction = match[2] ?? '';
  if (fraction.length > 2) {
    return { ok: false, message: 'Enter the price to the nearest penny: no more than 2 digits after the point' };
  }
  if (whole.length > 9) return { ok: false, message: 'The price must be at most £1,000,000.00' };
  const pence = Number(whole) * 100 + Number(fraction.padEnd(2, '0'));
  if (pence > MAXIMUM_PRICE_PENCE) return { ok: false, message: 'The price must be at most £1,000,000.00' };
  return { ok: true, pence };
}

/** Integer pence as the text a person would type back into a price field: 5400 → "54.00". */
export function penceAsPounds(pence: number): string {
  if (!Number.isSafeInteger(pence) || pence < 0) throw new RangeError(`not a price in pence: ${pence}`);
  return `${Math.floor(pence / 100)}.${String(pence % 100).padStart(2, '0')}`;
}

/** Integer pence as pounds with two decimals and no symbol or separators (81000 → "810.00"), for files such as CSV. */
export function penceAsDecimalPounds(pence: number): string {
  if (!Number.isSafeInteger(pence)) throw new RangeError(`not a whole number of pence: ${pence}`);
  const sign = pence < 0 ? '-' : '';
  const whole = Math.abs(pence);
  return `${sign}${Math.trunc(whole / 100)}.${String(whole % 100).padStart(2, '0')}`;
}
