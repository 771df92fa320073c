import { describe, expect, it } from 'vitest';
import { parseDay } from '../../platform/calendar-day.ts';
import {
  chartStart,
  formatTb,
  isNearQuota,
  type RawReading,
  usageSeries,
  usedPercent,
  validateReadings,
} from './usage-readings.ts';

const raw = (line: number, path: string, readOn: string, usedBytes: string | number): RawReading => ({
  line,
  path,
  readOn,
  usedBytes,
});

describe('usage readings', () => {
  it('keeps good readings and rejects each bad one with its line and reason', () => {
    const { readings, rejected } = validateReadings(
      [
        raw(2, ' /rds/p1 ', '2026-11-27', '9200000000000'),
        raw(3, '/rds/p2', '2026-11-28', '1'),
        raw(4, '/rds/p3', '2026-11-31', '1'),
        raw(5, '/rds/p4', '27/11/2026', '1'),
        raw(6, '/rds/p5', '2026-11-20', '12.5'),
        raw(7, '/rds/p6', '2026-11-20', '-3'),
        raw(8, '/rds/p7', '2026-11-20', '1e12'),
        raw(9, '', '2026-11-20', '1'),
        raw(10, '/rds/p1', '2026-11-27', '5'),
        raw(11, '/rds/p8', '2026-11-20', 0),
        raw(12, '/rds/p9', '2026-11-20', 2 ** 60),
      ],
      '2026-11-27',
    );
    expect(readings).toEqual([
      { line: 2, path: '/rds/p1', readOn: '2026-11-27', usedBytes: 9_200_000_000_000 },
      { line: 11, path: '/rds/p8', readOn: '2026-11-20', usedBytes: 0 },
    ]);
    expect(rejected).toEqual([
      { line: 3, reason: 'read_on 2026-11-28 is in the future' },
      { line: 4, reason: 'read_on "2026-11-31" is not a day of the calendar' },
      { line: 5, reason: 'read_on "27/11/2026" is not a date as YYYY-MM-DD' },
      { line: 6, reason: 'used_bytes "12.5" is not a whole number of bytes' },
      { line: 7, reason: 'used_bytes "-3" is not a whole number of bytes' },
      { line: 8, reason: 'used_bytes "1e12" is not a whole number of bytes' },
      { line: 9, reason: 'path is empty' },
      { line: 10, reason: 'the same path and day as line 2' },
      { line: 12, reason: 'used_bytes "1152921504606847000" is too large: at most 9007199254740991 bytes (9,007 TB)' },
    ]);
  });

  it('knows 29 February only in a leap year, and today is not the future', () => {
    expect(parseDay('2028-02-29')?.toString()).toBe('2028-02-29');
    expect(parseDay('2027-02-29')).toBeUndefined();
    expect(validateReadings([raw(1, '/p', '2028-02-29', 1)], '2028-02-29').rejected).toEqual([]);
    expect(validateReadings([raw(1, '/p', '2028-03-01', 1)], '2028-02-29').rejected).toHaveLength(1);
    expect(validateReadings([raw(1, '/p', '2026-12-01', 1)], '2026-11-30').rejected).toHaveLength(1);
  });

  it('is near quota at exactly the threshold, not a byte below', () => {
    expect(isNearQuota(9_000_000_000_000, 10, 90)).toBe(true);
    expect(isNearQuota(8_999_999_999_999, 10, 90)).toBe(false);
    expect(isNearQuota(12_000_000_000_000, 10, 90)).toBe(true);
    expect(usedPercent(8_999_999_999_999, 10)).toBe(89);
    expect(usedPercent(9_240_000_000_000, 10)).toBe(92);
    expect(usedPercent(1, 0)).toBe(0);
    expect(formatTb(9_240_000_000_000)).toBe('9.2 TB');
    expect(formatTb(0)).toBe('0.0 TB');
    expect(formatTb(9_999_960_000_000_000)).toBe('9,999.9 TB');
  });

  // An editor read "3.3 TB 32%" and "3.8 TB 37%" in one table: the TB rounded to the nearest, the
  // percentage down. Both round down, so a figure never reads as more than was used, and 90% (the
  // near-quota warning, isNearQuota) is only ever shown when it was reached.
  it('rounds the TB used down as it rounds the percentage down, so the two agree', () => {
    expect([formatTb(3_250_000_000_000), usedPercent(3_250_000_000_000, 10)]).toEqual(['3.2 TB', 32]);
    expect([formatTb(3_799_999_999_999), usedPercent(3_799_999_999_999, 10)]).toEqual(['3.7 TB', 37]);
    expect([formatTb(8_999_999_999_999), usedPercent(8_999_999_999_999, 10)]).toEqual(['8.9 TB', 89]);
    expect([formatTb(9_000_000_000_000), usedPercent(9_000_000_000_000, 10)]).toEqual(['9.0 TB', 90]);
    // exact tenths stay themselves (no floating-point 3.2999…)
    expect(formatTb(3_300_000_000_000)).toBe('3.3 TB');
    expect(formatTb(700_000_000_000)).toBe('0.7 TB');
    expect(formatTb(1_234_567.5)).toBe('0.0 TB');
  });

  it('charts the 12 months up to a day, across month ends and 29 February', () => {
    expect(chartStart('2026-11-27')).toBe('2025-11-28');
    expect(chartStart('2028-02-29')).toBe('2027-03-01');
    expect(chartStart('2029-02-28')).toBe('2028-02-29');
    expect(chartStart('2027-03-31')).toBe('2026-04-01');
    expect(chartStart('2027-01-01')).toBe('2026-01-02');
  });

  it("sums each project's latest reading on each day any project was read", () => {
    expect(
      usageSeries([
        { projectId: 2, readOn: '2026-10-02', usedBytes: 50 },
        { projectId: 1, readOn: '2026-10-01', usedBytes: 100 },
        { projectId: 1, readOn: '2026-10-02', usedBytes: 120 },
        { projectId: 1, readOn: '2026-10-05', usedBytes: 90 },
        { projectId: 2, readOn: '2026-10-07', usedBytes: 70 },
      ]),
    ).toEqual([
      { day: '2026-10-01', usedBytes: 100 },
      { day: '2026-10-02', usedBytes: 170 },
      { day: '2026-10-05', usedBytes: 140 },
      { day: '2026-10-07', usedBytes: 160 },
    ]);
    expect(usageSeries([])).toEqual([]);
  });
});
