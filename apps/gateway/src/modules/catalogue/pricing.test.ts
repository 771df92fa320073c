import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { priceLicence } from './pricing.ts';

describe('priceLicence', () => {
  it('multiplies size, price per TB per year and years, without VAT for internal customers', () => {
    expect(priceLicence({ sizeTb: 5, termYears: 3, pencePerTbYear: 5400, customerClass: 'internal' })).toEqual({
      netPence: 81_000,
      vatPence: 0,
      totalPence: 81_000,
    });
  });

  it('adds 20% VAT for external customers, rounding half a penny up', () => {
    expect(priceLicence({ sizeTb: 2, termYears: 1, pencePerTbYear: 6480, customerClass: 'external' })).toEqual({
      netPence: 12_960,
      vatPence: 2_592,
      totalPence: 15_552,
    });
    // 1 × 1 × 3 pence: VAT 0.6p rounds to 1p; 1 × 1 × 2 pence: 0.4p rounds to 0p.
    expect(priceLicence({ sizeTb: 1, termYears: 1, pencePerTbYear: 3, customerClass: 'external' }).vatPence).toBe(1);
    expect(priceLicence({ sizeTb: 1, termYears: 1, pencePerTbYear: 2, customerClass: 'external' }).vatPence).toBe(0);
  });

  it('always totals net plus VAT in whole pence, and VAT is within half a penny of 20%', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 10_000 }),
        fc.integer({ min: 1, max: 10 }),
        fc.integer({ min: 0, max: 100_000 }),
        (sizeTb, termYears, pencePerTbYear) => {
          const price = priceLicence({ sizeTb, termYears, pencePerTbYear, customerClass: 'external' });
          expect(Number.isInteger(price.vatPence)).toBe(true);
          expect(price.totalPence).toBe(price.netPence + price.vatPence);
          expect(Math.abs(price.vatPence - price.netPence * 0.2)).toBeLessThanOrEqual(0.5);
        },
      ),
    );
  });

  it('refuses fractional or negative inputs rather than pricing them', () => {
    expect(() => priceLicence({ sizeTb: 1.5, termYears: 1, pencePerTbYear: 100, customerClass: 'internal' })).toThrow(
      RangeError,
    );
    expect(() => priceLicence({ sizeTb: -1, termYears: 1, pencePerTbYear: 100, customerClass: 'internal' })).toThrow(
      RangeError,
    );
  });
});
