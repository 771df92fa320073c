import { Temporal } from 'temporal-polyfill';
import { describe, expect, it } from 'vitest';
import { penceAsDecimalPounds } from '../catalogue/money.ts';
import { billedDays, billingFileName, londonDay, parseBillingQuery, previousMonth } from './billing-rules.ts';

describe('the billing export’s rules', () => {
  it('reads a range of London days, both included, as instants', () => {
    const parsed = parseBillingQuery({ from: '2026-03-29', to: '2026-03-29' }, ['research', 'institutional']);
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    // The clocks went forward that day: it was 23 hours long.
    expect(parsed.range.from.toISOString()).toBe('2026-03-29T00:00:00.000Z');
    expect(parsed.range.until.toISOString()).toBe('2026-03-29T23:00:00.000Z');
    expect(parsed.range.services).toEqual(['research', 'institutional']);
    expect(billingFileName(parsed.range)).toBe('billing-2026-03-29-to-2026-03-29.csv');
    // A file of one service is named after it.
    expect(billingFileName({ ...parsed.range, services: ['research'] })).toBe(
      'billing-research-2026-03-29-to-2026-03-29.csv',
    );
  });

  it('limits the services to those the person may read: one chosen, another refused', () => {
    const team = parseBillingQuery({ from: '2026-11-01', to: '2026-11-30' }, ['research']);
    expect(team.ok && team.range.services).toEqual(['research']);
    const other = parseBillingQuery({ from: '2026-11-01', to: '2026-11-30', service: 'institutional' }, ['research']);
    expect(other).toMatchObject({ ok: false, forbidden: 'institutional' });
    const unknown = parseBillingQuery({ from: '2026-11-01', to: '2026-11-30', service: 'tape' }, ['research']);
    expect(unknown).toMatchObject({ ok: false, errors: { service: 'Choose a service from the list' } });
  });

  it('refuses days no calendar has, and a range that ends before it starts', () => {
    expect(parseBillingQuery({ from: '2027-02-29', to: '2027-03-01' }, ['research'])).toMatchObject({
      ok: false,
      errors: { from: 'Enter the first day as a date, for example 2026-11-01' },
    });
    // Year 0 is no year: it was a 500 page and a CSV broken off (PostgreSQL refused the range).
    expect(parseBillingQuery({ from: '0000-01-01', to: '2026-12-31' }, ['research'])).toMatchObject({
      ok: false,
      errors: { from: 'Enter the first day as a date, for example 2026-11-01' },
    });
    expect(parseBillingQuery({ from: '2026-11-02', to: '2026-11-01' }, ['research'])).toMatchObject({
      ok: false,
      errors: { to: 'The last day must be the same as or after the first day' },
    });
  });

  it('opens on the month before today’s', () => {
    expect(previousMonth(Temporal.PlainDate.from('2026-03-31'))).toEqual({ from: '2026-02-01', to: '2026-02-28' });
    expect(previousMonth(Temporal.PlainDate.from('2028-01-05'))).toEqual({ from: '2027-12-01', to: '2027-12-31' });
  });

  it('writes pence as pounds with two decimals, and instants as London days', () => {
    expect(penceAsDecimalPounds(81000)).toBe('810.00');
    expect(penceAsDecimalPounds(5)).toBe('0.05');
    expect(penceAsDecimalPounds(123456789)).toBe('1234567.89');
    expect(londonDay(new Date('2026-06-30T23:30:00Z'))).toBe('2026-07-01');
    expect(londonDay(new Date('2026-12-31T23:30:00Z'))).toBe('2026-12-31');
  });

  it('counts the days an increase pays for, both included, 29 February too; none for the other kinds', () => {
    expect(billedDays({ kind: 'increase', startsOn: '2026-11-30', endsOn: '2027-01-01' })).toBe(33);
    expect(billedDays({ kind: 'increase', startsOn: '2028-02-01', endsOn: '2028-03-01' })).toBe(30);
    expect(billedDays({ kind: 'increase', startsOn: '2026-12-31', endsOn: '2026-12-31' })).toBe(1);
    expect(billedDays({ kind: 'renewal', startsOn: '2027-01-01', endsOn: '2027-12-31' })).toBeNull();
    expect(billedDays({ kind: 'new', startsOn: '2026-01-01', endsOn: '2026-12-31' })).toBeNull();
  });
});
