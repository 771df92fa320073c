import { describe, expect, it } from 'vitest';
import { DEFAULT_LIFECYCLE_SETTINGS } from '../lifecycle/lifecycle-dates.ts';
import { renewalNotOpenYet, renewalOpensOn } from './renewal-window.ts';

describe('renewal window', () => {
  const settings = DEFAULT_LIFECYCLE_SETTINGS;
  const chemistry = { status: 'active' as const, endDate: '2027-12-07' };

  it('opens with the first reminder by default: 60 days before the end date', () => {
    expect(settings.renewalOpensDaysBeforeEnd).toBe(settings.reminderDays[0]);
    expect(renewalOpensOn('2027-12-07', settings)).toBe('2027-10-08');
    expect(renewalOpensOn('2028-03-01', { renewalOpensDaysBeforeEnd: 1 })).toBe('2028-02-29');
  });

  it('refuses renewing an active licence before then, saying when it opens', () => {
    const message = 'Renewal opens on 8 October 2027, 60 days before the licence ends.';
    expect(renewalNotOpenYet('renewal', chemistry, '2026-12-15', settings)).toBe(message);
    expect(renewalNotOpenYet('renewal', chemistry, '2027-10-07', settings)).toBe(message);
    expect(renewalNotOpenYet('renewal', chemistry, '2027-12-05', { renewalOpensDaysBeforeEnd: 1 })).toBe(
      'Renewal opens on 6 December 2027, 1 day before the licence ends.',
    );
  });

  it('allows it from the day it opens, past the end date and once the licence is read-only', () => {
    expect(renewalNotOpenYet('renewal', chemistry, '2027-10-08', settings)).toBeUndefined();
    expect(renewalNotOpenYet('renewal', chemistry, '2027-12-07', settings)).toBeUndefined();
    // Past its end date but not suspended by the night yet.
    expect(renewalNotOpenYet('renewal', chemistry, '2027-12-09', settings)).toBeUndefined();
    expect(renewalNotOpenYet('renewal', { ...chemistry, status: 'suspended' }, '2027-12-09', settings)).toBeUndefined();
  });

  it('leaves other changes, and other statuses, to their own rules', () => {
    for (const kind of ['increase', 'recovery', 'cancellation'] as const)
      expect(renewalNotOpenYet(kind, chemistry, '2026-12-15', settings)).toBeUndefined();
    expect(
      renewalNotOpenYet('renewal', { status: 'cold', endDate: '2027-12-07' }, '2026-12-15', settings),
    ).toBeUndefined();
    expect(renewalNotOpenYet('renewal', { status: 'active', endDate: null }, '2026-12-15', settings)).toBeUndefined();
  });
});
