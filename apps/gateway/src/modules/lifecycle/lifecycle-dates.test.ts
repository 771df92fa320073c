import fc from 'fast-check';
import { Temporal } from 'temporal-polyfill';
import { describe, expect, it } from 'vitest';
import {
  coldFrom,
  deletableFrom,
  expiryStatus,
  reminderDue,
  DEFAULT_LIFECYCLE_SETTINGS as settings,
  suspendedFrom,
} from './lifecycle-dates.ts';

const plus = (day: string, days: number) => Temporal.PlainDate.from(day).add({ days }).toString();
const anyDay = fc
  .integer({ min: 0, max: 365 * 8 })
  .map((offset) => Temporal.PlainDate.from('2025-01-01').add({ days: offset }).toString());

describe('expiry dates', () => {
  it('suspends the day after the end date, by default', () => {
    expect(suspendedFrom('2026-11-30', settings)).toBe('2026-12-01');
    expect(suspendedFrom('2026-12-31', settings)).toBe('2027-01-01');
    expect(suspendedFrom('2028-02-28', settings)).toBe('2028-02-29');
    expect(suspendedFrom('2028-02-29', settings)).toBe('2028-03-01');
    expect(suspendedFrom('2027-02-28', settings)).toBe('2027-03-01');
    expect(suspendedFrom('2026-11-30', { ...settings, suspendAfterDays: 14 })).toBe('2026-12-15');
  });

  it('moves to the cold store 30 days after the end date', () => {
    expect(coldFrom('2028-01-31', settings)).toBe('2028-03-01');
    expect(coldFrom('2028-01-30', settings)).toBe('2028-02-29');
    expect(coldFrom('2027-01-30', settings)).toBe('2027-03-01');
  });

  it('becomes deletable 6 months after the end date, a missing day of the month being its last', () => {
    expect(deletableFrom('2026-11-15', settings)).toBe('2027-05-15');
    expect(deletableFrom('2027-08-31', settings)).toBe('2028-02-29');
    expect(deletableFrom('2026-08-31', settings)).toBe('2027-02-28');
    expect(deletableFrom('2028-02-29', settings)).toBe('2028-08-29');
    expect(deletableFrom('2026-12-31', settings)).toBe('2027-06-30');
  });

  it('gives each status from its first day, not a day early', () => {
    const end = '2028-02-29';
    expect(expiryStatus(end, '2028-02-29', settings)).toBe('active');
    expect(expiryStatus(end, '2028-03-01', settings)).toBe('suspended');
    expect(expiryStatus(end, '2028-03-29', settings)).toBe('suspended');
    expect(expiryStatus(end, '2028-03-30', settings)).toBe('cold');
    expect(expiryStatus(end, '2028-08-28', settings)).toBe('cold');
    expect(expiryStatus(end, '2028-08-29', settings)).toBe('deletable');
  });

  it('never goes back a step as the days pass', () => {
    const order = ['active', 'suspended', 'cold', 'deletable'];
    fc.assert(
      fc.property(anyDay, anyDay, fc.integer({ min: 0, max: 400 }), (end, asOf, later) => {
        const a = order.indexOf(expiryStatus(end, asOf, settings));
        const b = order.indexOf(expiryStatus(end, plus(asOf, later), settings));
        expect(b).toBeGreaterThanOrEqual(a);
      }),
    );
  });
});

describe('reminders', () => {
  it('are due exactly 60, 30 and 7 days before the end date when the job runs every day', () => {
    expect(reminderDue('2028-02-29', '2027-12-31', '2027-12-30', settings)).toBe(60);
    expect(reminderDue('2028-02-29', '2028-01-30', '2028-01-29', settings)).toBe(30);
    expect(reminderDue('2028-02-29', '2028-02-22', '2028-02-21', settings)).toBe(7);
    expect(reminderDue('2028-02-29', '2028-02-21', '2028-02-20', settings)).toBeNull();
    expect(reminderDue('2028-02-29', '2028-02-23', '2028-02-22', settings)).toBeNull();
    expect(reminderDue('2027-03-01', '2027-01-30', null, settings)).toBe(30);
    expect(reminderDue('2026-12-31', '2026-11-01', null, settings)).toBe(60);
  });

  it('with no previous run, only on the exact day', () => {
    expect(reminderDue('2026-12-31', '2026-11-02', null, settings)).toBeNull();
    expect(reminderDue('2026-12-31', '2026-10-31', null, settings)).toBeNull();
  });

  it('after missed nights, sends the latest threshold crossed since the last run, once', () => {
    // 30 days before 2027-03-01 is 2027-01-30; the job last ran on the 27th
    expect(reminderDue('2027-03-01', '2027-02-02', '2027-01-27', settings)).toBe(30);
    // both 30 and 7 days were crossed since the last run: only the 7-day one
    expect(reminderDue('2027-03-01', '2027-02-23', '2027-01-27', settings)).toBe(7);
    // the run after that has nothing more to send
    expect(reminderDue('2027-03-01', '2027-02-24', '2027-02-23', settings)).toBeNull();
    // nothing once the end date has passed
    expect(reminderDue('2027-03-01', '2027-03-02', '2027-01-27', settings)).toBeNull();
  });

  it('daily runs send each threshold exactly once, and never a late one', () => {
    fc.assert(
      fc.property(anyDay, (end) => {
        const sent: number[] = [];
        for (let offset = -70; offset <= 2; offset++) {
          const asOf = plus(end, offset);
          const due = reminderDue(end, asOf, plus(asOf, -1), settings);
          if (due !== null) {
            expect(plus(end, -due)).toBe(asOf);
            sent.push(due);
          }
        }
        expect(sent).toEqual([60, 30, 7]);
      }),
    );
  });

  it('runs every few days send at most one reminder per threshold, in order, each on or after its day', () => {
    fc.assert(
      fc.property(anyDay, fc.array(fc.integer({ min: 1, max: 20 }), { minLength: 1, maxLength: 20 }), (end, gaps) => {
        let previous = plus(end, -75);
        const sent: number[] = [];
        for (const gap of gaps) {
          const asOf = plus(previous, gap);
          const due = reminderDue(end, asOf, previous, settings);
          if (due !== null) {
            expect(Temporal.PlainDate.compare(asOf, plus(end, -due))).toBeGreaterThanOrEqual(0);
            sent.push(due);
          }
          previous = asOf;
        }
        expect(new Set(sent).size).toBe(sent.length);
        expect([...sent].sort((a, b) => b - a)).toEqual(sent);
      }),
    );
  });
});
