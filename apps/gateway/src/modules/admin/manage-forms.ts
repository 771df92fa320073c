import { Temporal } from 'temporal-polyfill';
import * as z from 'zod';
import { parseDay } from '../../platform/calendar-day.ts';
import { wholeNumberFrom } from '../../platform/web/forms.ts';

/**
 * Small pure pieces the back office's MANAGE forms share (licences, catalogue, vouchers, people):
 * the reason every change carries, calendar dates typed as text, whole numbers of TB, and the
 * page number of a paginated list.
 */

export const REASON_MAX_LENGTH = 500;

/** The reason a change needs: recorded in the audit trail beside the before and after. */
export function reasonField(missing = 'Enter the reason for this change') {
  return z
    .string({ error: missing })
    .trim()
    .min(1, missing)
    .max(REASON_MAX_LENGTH, `The reason must be ${REASON_MAX_LENGTH} characters or fewer`);
}

export const DATE_HINT = 'As year-month-day, for example 2027-08-01';

/** A calendar date typed as YYYY-MM-DD: the day's canonical text, or undefined when it is no real day. */
export function parseCalendarDate(text: string): string | undefined {
  const day = parseDay(text.trim());
  return day && day.year >= 1900 && day.year <= 2999 ? day.toString() : undefined;
}

/** Negative when `a` is before `b`, zero on the same day, positive after. */
export function compareDays(a: string, b: string): number {
  return Temporal.PlainDate.compare(Temporal.PlainDate.from(a), Temporal.PlainDate.from(b));
}

/** A whole number typed as text, not negative (wholeNumberFrom): the number, or undefined. */
export function parseWholeNumber(text: string): number | undefined {
  const number = wholeNumberFrom(text);
  return number === undefined || number < 0 ? undefined : number;
}

/** ?page=N of a paginated list: a bad or missing value is the first page. */
export const pageQuery = z.coerce.number().int().min(1).max(100_000).catch(1);

/** One of a list's allowed values from the query string, or undefined for anything else. */
export function oneOf<T extends string>(allowed: readonly T[], value: unknown): T | undefined {
  return allowed.find((candidate) => candidate === value);
}

/** A query-string value as trimmed text, at most `max` characters; '' when absent. */
export function queryText(value: unknown, max = 100): string {
  return typeof value === 'string' ? value.trim().slice(0, max) : '';
}

/**
 * The text of a LIKE pattern that matches `text` anywhere, with its wildcards taken literally. A
 * typographic apostrophe (what phones and word processors type) is searched as the plain one names
 * are kept with: "King’s" finds "King's College", "O’Brien" finds "O'Brien".
 */
export function containsPattern(text: string): string {
  const plain = text.toLowerCase().replace(/[\u2018\u2019\u02bc]/g, "'");
  return `%${plain.replace(/[\\%_]/g, (char) => `\\${char}`)}%`;
}
