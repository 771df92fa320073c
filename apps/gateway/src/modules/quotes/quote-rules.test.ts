import { Temporal } from 'temporal-polyfill';
import { describe, expect, it } from 'vitest';
import { DEFAULT_LIFECYCLE_SETTINGS } from '../lifecycle/lifecycle-dates.ts';
import type { PersonWithRoles } from '../people/people.repository.ts';
import {
  canSeeQuote,
  formatDay,
  formatInstant,
  lastDayToOrder,
  QUOTE_VALID_DAYS,
  quoteIsValid,
  quoteNameDifferences,
  quoteUsed,
  quoteValidUntil,
  quoteValidUntilWords,
} from './quote-rules.ts';

describe('how long a quote is valid', () => {
  it('is 30 days', () => {
    expect(QUOTE_VALID_DAYS).toBe(30);
  });

  it('counts calendar days across a month end and a year end', () => {
    expect(quoteValidUntil('2026-11-27')).toBe('2026-12-27');
    expect(quoteValidUntil('2026-01-31')).toBe('2026-03-02');
    expect(quoteValidUntil('2026-12-15')).toBe('2027-01-14');
  });

  it('counts 29 February in a leap year', () => {
    expect(quoteValidUntil('2028-02-10')).toBe('2028-03-11');
    expect(quoteValidUntil('2027-02-10')).toBe('2027-03-12');
    expect(quoteValidUntil('2028-02-29')).toBe('2028-03-30');
  });

  it('ends with the licence for more space: none can be ordered after its end date', () => {
    expect(quoteValidUntil('2026-12-08', '2026-12-20')).toBe('2026-12-20');
    expect(quoteValidUntil('2026-12-08', '2027-01-07')).toBe('2027-01-07');
    expect(quoteValidUntil('2026-12-08', '2027-06-30')).toBe('2027-01-07');
  });

  it('never ends before the day it is issued: a licence the night has not moved on yet can still be ordered that day', () => {
    expect(quoteValidUntil('2026-12-08', '2026-12-07')).toBe('2026-12-08');
    expect(quoteValidUntil('2026-12-08', '2026-12-08')).toBe('2026-12-08');
  });

  it('cannot price a second order: one placed with it and not rejected or cancelled has used it', () => {
    expect(quoteUsed({ reference: 'Q-000005', usedBy: null })).toBeNull();
    expect(quoteUsed({ reference: 'Q-000005', usedBy: 'ORD-000016' })).toBe(
      'Quote Q-000005 was used for order ORD-000016: a quote pays for one order',
    );
  });

  it('is valid through its last day and not the day after', () => {
    const quote = { issuedOn: '2028-02-10', validUntil: quoteValidUntil('2028-02-10') };
    expect(quoteIsValid(quote, '2028-02-10')).toBe(true);
    expect(quoteIsValid(quote, '2028-03-11')).toBe(true);
    expect(quoteIsValid(quote, Temporal.PlainDate.from('2028-03-11'))).toBe(true);
    expect(quoteIsValid(quote, '2028-03-12')).toBe(false);
    expect(quoteIsValid(quote, '2029-01-01')).toBe(false);
  });

  it('writes dates for people to read', () => {
    expect(formatDay('2028-02-29')).toBe('29 February 2028');
    expect(formatDay('2026-12-01')).toBe('1 December 2026');
  });

  it('writes a moment out in full, in the University’s time zone, summer time included', () => {
    expect(formatInstant(new Date('2026-12-07T16:38:00Z'))).toBe('7 December 2026 at 16:38');
    expect(formatInstant(new Date('2026-07-07T23:30:00Z'))).toBe('8 July 2026 at 00:30');
  });
});

describe('the last day a change of a licence can be ordered, which a quote for it lasts no longer than', () => {
  const settings = DEFAULT_LIFECYCLE_SETTINGS;

  it('more space: its end date', () => {
    expect(lastDayToOrder('increase', '2027-07-31', settings)).toBe('2027-07-31');
    expect(lastDayToOrder('increase', '2028-02-29', settings)).toBe('2028-02-29');
  });

  it('a renewal: the day before the licence moves to the cold store, 30 days after its end date', () => {
    // Ended 15 November: in the cold store from 15 December, so renewable until 14 December.
    expect(lastDayToOrder('renewal', '2026-11-15', settings)).toBe('2026-12-14');
    // Across a month end and a year end.
    expect(lastDayToOrder('renewal', '2026-10-31', settings)).toBe('2026-11-29');
    expect(lastDayToOrder('renewal', '2026-12-31', settings)).toBe('2027-01-29');
    // February: 28 days in 2027, 29 in 2028.
    expect(lastDayToOrder('renewal', '2027-01-31', settings)).toBe('2027-03-01');
    expect(lastDayToOrder('renewal', '2028-01-31', settings)).toBe('2028-02-29');
    expect(lastDayToOrder('renewal', '2028-01-30', settings)).toBe('2028-02-28');
    expect(lastDayToOrder('renewal', '2028-02-29', settings)).toBe('2028-03-29');
    expect(lastDayToOrder('renewal', '2027-02-28', settings)).toBe('2027-03-29');
  });

  it('a recovery: the day before the licence becomes due for deletion, 6 months after its end date', () => {
    expect(lastDayToOrder('recovery', '2026-06-10', settings)).toBe('2026-12-09');
    // A day the sixth month lacks is its last day (as the nightly job counts): 31 August + 6 months
    // is 28 February, or 29 in a leap year; the recovery can be ordered until the day before.
    expect(lastDayToOrder('recovery', '2026-08-31', settings)).toBe('2027-02-27');
    expect(lastDayToOrder('recovery', '2027-08-31', settings)).toBe('2028-02-28');
    expect(lastDayToOrder('recovery', '2027-08-29', settings)).toBe('2028-02-28');
    expect(lastDayToOrder('recovery', '2028-02-29', settings)).toBe('2028-08-28');
    expect(lastDayToOrder('recovery', '2026-03-31', settings)).toBe('2026-09-29');
    // Across a year end.
    expect(lastDayToOrder('recovery', '2026-07-01', settings)).toBe('2026-12-31');
    expect(lastDayToOrder('recovery', '2026-07-02', settings)).toBe('2027-01-01');
  });

  it('follows the settings', () => {
    const other = { ...settings, coldAfterDays: 60, deletableAfterMonths: 12 };
    expect(lastDayToOrder('renewal', '2028-01-01', other)).toBe('2028-02-29');
    expect(lastDayToOrder('recovery', '2027-02-28', other)).toBe('2028-02-27');
    expect(lastDayToOrder('recovery', '2028-02-29', other)).toBe('2029-02-27');
  });

  it('caps a quote issued within 30 days of it', () => {
    // Issued 8 December for a licence that ended 15 November: until 14 December, not 7 January.
    expect(quoteValidUntil('2026-12-08', lastDayToOrder('renewal', '2026-11-15', settings))).toBe('2026-12-14');
    // An active licence on its end date: in the cold store 30 days later, so 29 days.
    expect(quoteValidUntil('2026-11-27', lastDayToOrder('renewal', '2026-11-27', settings))).toBe('2026-12-26');
    expect(quoteValidUntil('2026-11-27', lastDayToOrder('renewal', '2026-11-28', settings))).toBe('2026-12-27');
    expect(quoteValidUntil('2026-11-27', lastDayToOrder('recovery', '2026-06-10', settings))).toBe('2026-12-09');
    expect(quoteValidUntil('2026-11-27', lastDayToOrder('recovery', '2026-07-10', settings))).toBe('2026-12-27');
  });
});

describe('how a quote says how long it holds', () => {
  const quote = (kind: 'renewal' | 'recovery' | 'increase' | null, validUntil: string) => ({
    issuedOn: '2026-12-08',
    validUntil,
    change: kind ? { kind } : null,
  });

  it('30 days from issue, when nothing sooner ends it', () => {
    expect(quoteValidUntilWords(quote(null, '2027-01-07'))).toBe('7 January 2027 (30 days from issue)');
    expect(quoteValidUntilWords(quote('renewal', '2027-01-07'))).toBe('7 January 2027 (30 days from issue)');
  });

  it('the last day the change can be ordered, and why, when that is sooner', () => {
    expect(quoteValidUntilWords(quote('renewal', '2026-12-14'))).toBe(
      '14 December 2026, the last day this licence can be renewed before it moves to the cold store',
    );
    expect(quoteValidUntilWords(quote('recovery', '2026-12-09'))).toBe(
      '9 December 2026, the last day this licence can be recovered before it becomes due for deletion',
    );
    expect(quoteValidUntilWords(quote('increase', '2026-12-31'))).toBe(
      '31 December 2026, the licence’s end date: more space is sold only up to it',
    );
  });
});

describe('who may see a quote', () => {
  const person = (id: number, staffRoles: PersonWithRoles['staffRoles'] = []): PersonWithRoles => ({
    id,
    crsid: `p${id}`,
    displayName: `Person ${id}`,
    email: `p${id}@cam.ac.uk`,
    institutionId: 'PHYS',
    staffRoles,
  });
  const researchQuote = { personId: 1, service: 'research' as const };

  it('lets the person who asked for it see it, and no other customer', () => {
    expect(canSeeQuote(person(1), researchQuote)).toBe(true);
    expect(canSeeQuote(person(2), researchQuote)).toBe(false);
    expect(canSeeQuote(undefined, researchQuote)).toBe(false);
  });

  it("lets the product's service team, Finance and superusers see it, but not another service's team", () => {
    expect(canSeeQuote(person(2, [{ role: 'service-admin', service: 'research' }]), researchQuote)).toBe(true);
    expect(canSeeQuote(person(2, [{ role: 'finance', service: null }]), researchQuote)).toBe(true);
    expect(canSeeQuote(person(2, [{ role: 'superuser', service: null }]), researchQuote)).toBe(true);
    expect(canSeeQuote(person(2, [{ role: 'service-admin', service: 'institutional' }]), researchQuote)).toBe(false);
  });

  it("lets a licence's Data Owner and Data Managers see a quote for its change, as they see its change orders", () => {
    const changeQuote = { ...researchQuote, change: { licenceId: 9 } };
    expect(canSeeQuote(person(3), changeQuote, [3, 4])).toBe(true);
    expect(canSeeQuote(person(4), changeQuote, [3, 4])).toBe(true);
    // Person 1 asked for it and no longer owns or manages the licence: as the buyer of an order, they still see it.
    expect(canSeeQuote(person(1), changeQuote, [3])).toBe(true);
    expect(canSeeQuote(person(2), changeQuote, [3, 4])).toBe(false);
    expect(canSeeQuote(person(2), researchQuote, [2])).toBe(false);
    expect(canSeeQuote(person(2, [{ role: 'service-admin', service: 'research' }]), changeQuote, [3])).toBe(true);
  });
});

describe('the names and people an order placed with a quote asks for', () => {
  const quote = {
    reference: 'Q-000005',
    licenceName: 'Quote cfg',
    setup: { ownerCrsid: 'ar101', managerCrsids: ['bm202', 'cb404'], projectName: 'qcfg' },
  };
  const same = {
    licenceName: 'Quote cfg',
    ownerCrsid: 'ar101',
    managerCrsids: ['bm202', 'cb404'],
    projectName: 'qcfg',
  };

  it('are the quote’s: CRSids in any case, Data Managers in any order', () => {
    expect(quoteNameDifferences(quote, same)).toEqual({});
    expect(quoteNameDifferences(quote, { ...same, ownerCrsid: 'AR101', managerCrsids: ['CB404', 'bm202'] })).toEqual(
      {},
    );
  });

  it('names each that differs, with the quote’s and the order’s', () => {
    expect(
      quoteNameDifferences(quote, {
        licenceName: 'Something else',
        ownerCrsid: 'bm202',
        managerCrsids: [],
        projectName: 'other',
      }),
    ).toEqual({
      licenceName: 'Quote Q-000005 was for the licence name “Quote cfg”, not “Something else”',
      ownerCrsid: 'Quote Q-000005 was for ar101 as Data Owner, not bm202',
      managerCrsids: 'Quote Q-000005 was for bm202, cb404 as Data Managers, not none',
      projectName: 'Quote Q-000005 was for the storage project “qcfg”, not “other”',
    });
    expect(
      quoteNameDifferences(
        { ...quote, setup: { ...quote.setup, managerCrsids: [] } },
        { ...same, managerCrsids: ['da303'] },
      ),
    ).toEqual({ managerCrsids: 'Quote Q-000005 was for no Data Managers, not da303' });
    expect(quoteNameDifferences(quote, { ...same, managerCrsids: ['bm202'] })).toEqual({
      managerCrsids: 'Quote Q-000005 was for bm202, cb404 as Data Managers, not bm202',
    });
  });

  it('are only the licence name for a quote issued before it kept its people and project', () => {
    const old = { ...quote, setup: null };
    expect(quoteNameDifferences(old, { ...same, ownerCrsid: 'da303', projectName: 'x' })).toEqual({});
    expect(Object.keys(quoteNameDifferences(old, { ...same, licenceName: 'Other' }))).toEqual(['licenceName']);
  });
});
