import { describe, expect, it } from 'vitest';
import { annualCostPence, daysToExpiry, expiryWords, paysForLicence } from './licence-figures.ts';

describe('daysToExpiry', () => {
  it.each([
    ['2026-11-27', '2026-11-27', 0],
    ['2026-11-27', '2026-11-28', 1],
    ['2026-11-27', '2026-11-26', -1],
    ['2026-11-30', '2026-12-01', 1],
    ['2026-12-31', '2027-01-01', 1],
    ['2026-01-31', '2026-02-28', 28],
    ['2026-01-31', '2026-03-01', 29],
    ['2028-01-31', '2028-03-01', 30],
    ['2028-02-28', '2028-02-29', 1],
    ['2028-02-29', '2028-03-01', 1],
    ['2028-03-01', '2028-02-29', -1],
    ['2028-02-29', '2029-02-28', 365],
    ['2027-03-01', '2028-03-01', 366],
    ['2026-10-24', '2026-10-26', 2],
    ['2026-11-27', '2025-11-27', -365],
  ])('as of %s, a licence ending on %s has %i days left', (today, end, days) => {
    expect(daysToExpiry(end, today)).toBe(days);
  });
});

describe('expiryWords', () => {
  it.each([
    [366, '366 days left'],
    [1, '1 day left'],
    [0, 'Ends today'],
    [-1, 'Expired 1 day ago'],
    [-30, 'Expired 30 days ago'],
  ])('%i days is "%s"', (days, words) => {
    expect(expiryWords(days)).toBe(words);
  });
});

describe('annualCostPence', () => {
  it('is size × the price per TB per year, with 20% VAT for external customers', () => {
    expect(annualCostPence({ sizeTb: 5, status: 'active', customerClass: 'internal', pencePerTbYear: 5_400 })).toBe(
      27_000,
    );
    expect(annualCostPence({ sizeTb: 3, status: 'suspended', customerClass: 'external', pencePerTbYear: 6_481 })).toBe(
      23_332,
    );
  });

  it('is nothing for a cancelled or deleted licence, or a product with no price', () => {
    for (const status of ['cancelled', 'deleted'] as const) {
      expect(annualCostPence({ sizeTb: 5, status, customerClass: 'internal', pencePerTbYear: 5_400 })).toBeUndefined();
    }
    expect(annualCostPence({ sizeTb: 5, status: 'active', customerClass: 'internal', pencePerTbYear: null })).toBe(
      undefined,
    );
  });
});

describe('paysForLicence', () => {
  it("counts a licence's cost for its Data Owner and Data Managers, not for a member of one of its projects", () => {
    expect(paysForLicence(['data-owner'])).toBe(true);
    expect(paysForLicence(['data-manager', 'project-data-user'])).toBe(true);
    expect(paysForLicence(['project-data-user'])).toBe(false);
    expect(paysForLicence(['project-data-manager'])).toBe(false);
    expect(paysForLicence([])).toBe(false);
  });
});
