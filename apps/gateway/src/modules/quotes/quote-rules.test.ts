import { Temporal } from 'temporal-polyfill';
import { describe, expect, it } from 'vitest';
import type { PersonWithRoles } from '../people/people.repository.ts';
import {
  canSeeQuote,
  formatDay,
  formatInstant,
  QUOTE_VALID_DAYS,
  quoteIsValid,
  quoteUsed,
  quoteValidUntil,
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
