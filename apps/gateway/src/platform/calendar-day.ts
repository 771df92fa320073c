import { Temporal } from 'temporal-polyfill';

/** A day as typed or read from a file, YYYY-MM-DD: the day, or which of the two rules it breaks. */
export type DayReading = { ok: true; day: Temporal.PlainDate } | { ok: false; problem: 'shape' | 'calendar' };

/**
 * Reads YYYY-MM-DD strictly: 'shape' for any other text, 'calendar' for a day no calendar has
 * (2027-02-29, and year 0000: the years go from 1 BC to AD 1, and PostgreSQL refuses it).
 */
export function readDay(text: string): DayReading {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return { ok: false, problem: 'shape' };
  if (text.startsWith('0000')) return { ok: false, problem: 'calendar' };
  try {
    return { ok: true, day: Temporal.PlainDate.from(text, { overflow: 'reject' }) };
  } catch {
    return { ok: false, problem: 'calendar' };
  }
}

/** A calendar date as YYYY-MM-DD, or undefined for anything else (2027-02-29 included). */
export function parseDay(text: string): Temporal.PlainDate | undefined {
  const reading = readDay(text);
  return reading.ok ? reading.day : undefined;
}
