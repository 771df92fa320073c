import { Temporal } from 'temporal-polyfill';
import { readDay } from '../../platform/calendar-day.ts';

/**
 * The rules of usage readings: what a reading from a storage system must look like (the one
 * validator behind the CSV upload, the API and the command line), when a licence is near its
 * quota, and how a licence's usage over time is worked out from its projects' readings.
 *
 * Sizes are sold in TB, and a TB here is 10^12 bytes, as the storage systems' quotas count them.
 */
export const BYTES_PER_TB = 1_000_000_000_000;

export interface UsageSettings {
  /** A licence whose latest usage is at least this percentage of its size is near its quota. */
  warningPercent: number;
  /** A licence's usage counts only while its newest reading is from the last this many days (as of the run). */
  readingMaxAgeDays: number;
}

export const DEFAULT_USAGE_SETTINGS: UsageSettings = { warningPercent: 90, readingMaxAgeDays: 7 };

/** A reading as it arrived: `line` is the CSV line, or the position in an API call's list (from 1). */
export interface RawReading {
  line: number;
  path: string;
  readOn: string;
  usedBytes: string | number;
}

export interface Reading {
  line: number;
  path: string;
  readOn: string;
  usedBytes: number;
}

export interface Rejection {
  line: number;
  reason: string;
}

export const MAX_PATH_LENGTH = 1000;

/** What a rejection calls a reading's day and bytes: the CSV's column names, or the API's fields. */
export interface ReadingFieldNames {
  readOn: string;
  usedBytes: string;
}

/** The CSV upload's (and the command line's) columns, USAGE_CSV_COLUMNS. */
export const CSV_FIELD_NAMES: ReadingFieldNames = { readOn: 'read_on', usedBytes: 'used_bytes' };

/**
 * Checks each reading as of `today` (YYYY-MM-DD): a path, a real calendar date not after today,
 * and a whole number of bytes. A second reading for the same path and day is refused, so a file
 * never says two things about one day. Good readings are kept in their order. A rejection names
 * the day and the bytes as the readings arrived: `names` (the CSV's columns unless given).
 */
export function validateReadings(
  raws: Iterable<RawReading>,
  today: string,
  names: ReadingFieldNames = CSV_FIELD_NAMES,
): { readings: Reading[]; rejected: Rejection[] } {
  const readings: Reading[] = [];
  const rejected: Rejection[] = [];
  const seen = new Map<string, number>();
  for (const raw of raws) {
    const problem = readingProblem(raw, today, names);
    if (problem) {
      rejected.push({ line: raw.line, reason: problem });
      continue;
    }
    const path = raw.path.trim();
    const readOn = raw.readOn.trim();
    const key = `${readOn} ${path}`;
    const earlier = seen.get(key);
    if (earlier !== undefined) {
      rejected.push({ line: raw.line, reason: `the same path and day as line ${earlier}` });
      continue;
    }
    seen.set(key, raw.line);
    readings.push({ line: raw.line, path, readOn, usedBytes: Number(String(raw.usedBytes).trim()) });
  }
  return { readings, rejected };
}

function readingProblem(raw: RawReading, today: string, names: ReadingFieldNames): string | undefined {
  const path = raw.path.trim();
  if (path === '') return 'path is empty';
  if (path.length > MAX_PATH_LENGTH) return `path is longer than ${MAX_PATH_LENGTH} characters`;
  const reading = readDay(raw.readOn.trim());
  if (!reading.ok) {
    return reading.problem === 'calendar'
      ? `${names.readOn} "${raw.readOn}" is not a day of the calendar`
      : `${names.readOn} "${raw.readOn}" is not a date as YYYY-MM-DD`;
  }
  if (Temporal.PlainDate.compare(reading.day, Temporal.PlainDate.from(today)) > 0) {
    return `${names.readOn} ${raw.readOn.trim()} is in the future`;
  }
  const bytes = String(raw.usedBytes).trim();
  if (!/^\d+$/.test(bytes)) return `${names.usedBytes} "${raw.usedBytes}" is not a whole number of bytes`;
  if (!Number.isSafeInteger(Number(bytes))) {
    const tb = Math.floor(Number.MAX_SAFE_INTEGER / BYTES_PER_TB).toLocaleString('en-GB');
    return `${names.usedBytes} "${raw.usedBytes}" is too large: at most ${Number.MAX_SAFE_INTEGER} bytes (${tb} TB)`;
  }
  return undefined;
}

/** Whether `usedBytes` is at least `percent` of `sizeTb`, exactly (no floating point). */
export function isNearQuota(usedBytes: number, sizeTb: number, percent: number): boolean {
  return BigInt(usedBytes) * 100n >= BigInt(percent) * BigInt(sizeTb) * BigInt(BYTES_PER_TB);
}

/** The whole percentage of the size used, rounded down (so 89.9% never reads as 90%). */
export function usedPercent(usedBytes: number, sizeTb: number): number {
  if (sizeTb <= 0) return 0;
  return Number((BigInt(usedBytes) * 100n) / (BigInt(sizeTb) * BigInt(BYTES_PER_TB)));
}

const usedTbFormat = new Intl.NumberFormat('en-GB', { minimumFractionDigits: 1, maximumFractionDigits: 1 });

/**
 * Bytes as TB to one decimal place, grouped as sizeText groups whole TB: 9_240_000_000_000 → "9.2 TB".
 * Rounded down, exactly (in whole tenths of a TB, no floating point), as usedPercent rounds down: the
 * two figures of a reading agree ("3.2 TB (32%)", never "3.3 TB (32%)"), and neither reads as the
 * near-quota threshold before it is reached.
 */
export function formatTb(bytes: number): string {
  const tenths = (BigInt(Math.floor(bytes)) * 10n) / BigInt(BYTES_PER_TB);
  return `${usedTbFormat.format(Number(tenths) / 10)} TB`;
}

/** The first day of the 12 months up to `asOf`: 2027-03-01 for 2028-02-29, 2028-02-29 for 2029-02-28. */
export function chartStart(asOf: string): string {
  return Temporal.PlainDate.from(asOf).subtract({ months: 12 }).add({ days: 1 }).toString();
}

export interface ProjectReading {
  projectId: number;
  readOn: string;
  usedBytes: number;
}

export interface UsagePoint {
  day: string;
  usedBytes: number;
}

/**
 * A licence's usage on each day any of its projects was read: the sum, over its projects, of each
 * project's latest reading on or before that day (a project not read that day counts with its
 * previous reading), oldest day first.
 */
export function usageSeries(readings: readonly ProjectReading[]): UsagePoint[] {
  const sorted = [...readings].sort((a, b) => a.readOn.localeCompare(b.readOn) || a.projectId - b.projectId);
  const latest = new Map<number, number>();
  const points: UsagePoint[] = [];
  let total = 0;
  for (const reading of sorted) {
    total += reading.usedBytes - (latest.get(reading.projectId) ?? 0);
    latest.set(reading.projectId, reading.usedBytes);
    const last = points.at(-1);
    if (last?.day === reading.readOn) last.usedBytes = total;
    else points.push({ day: reading.readOn, usedBytes: total });
  }
  return points;
}
