import { describe, expect, it } from 'vitest';
import type { Quote } from '../quotes/quotes.repository.ts';
import { type ChangePrice, proRataPence } from './change-pricing.ts';
import { atQuotedPrice, changeQuoteRefusal, quotedChoice } from './change-quotes.ts';

/** 3 TB more for licence 7, quoted on 27 November 2026 up to its end date, 6 December 2027. */
const increase: Quote = {
  id: 1,
  reference: 'Q-000031',
  personId: 1,
  requester: { crsid: 'ar101', displayName: 'Alice Researcher', email: 'ar101@cam.ac.uk' },
  productCode: 'RDS',
  productName: 'Research Data Store',
  service: 'research',
  serviceName: 'Research storage',
  team: { name: 'Research Computing Services', email: 'storage-support@example.ac.uk' },
  institution: { id: 'PHYS', name: 'Department of Physics' },
  customerClass: 'internal',
  licenceName: 'Licence X',
  sizeTb: 3,
  termYears: 2,
  pencePerTbYear: 5_400,
  priceValidFrom: '2026-08-01',
  netPence: 16_689,
  vatPence: 0,
  totalPence: 16_689,
  issuedOn: '2026-11-27',
  validUntil: '2026-12-27',
  change: { licenceId: 7, kind: 'increase', startsOn: '2026-11-27', endsOn: '2027-12-06', coldStorePence: 0 },
  setup: null,
  usedBy: null,
};

const licence = { id: 7, status: 'active' as const, endDate: '2027-12-06' };

/** The increase priced on `today` for the licence as it is, with `endsOn` its end date now. */
const priced = (endsOn: string, sizeTb = 3): ChangePrice => ({
  kind: 'increase',
  sizeTb,
  termYears: 2,
  startsOn: '2026-12-01',
  endsOn,
  days: 0,
  pencePerTbYear: 5_400,
  coldStoreDays: 0,
  coldStorePence: 0,
  netPence: 0,
  vatPence: 0,
  totalPence: 0,
});

describe('whether a change quote can be ordered with', () => {
  it('can while it is valid and the licence is as it was quoted', () => {
    expect(changeQuoteRefusal(increase, licence, 'increase', '2026-12-01')).toBeNull();
    expect(changeQuoteRefusal(increase, licence, 'increase', '2026-12-01', priced('2027-12-06'))).toBeNull();
  });

  it('cannot once the licence has been renewed since, and says why', () => {
    const renewed = { ...licence, endDate: '2029-12-06' };
    expect(changeQuoteRefusal(increase, renewed, 'increase', '2026-12-01', priced('2029-12-06'))).toBe(
      'Quote Q-000031 priced more space up to 6 December 2027, but the licence now ends on 6 December 2029',
    );
  });

  it('cannot once it has expired, or when the licence no longer allows the change, or for another change', () => {
    expect(changeQuoteRefusal(increase, licence, 'increase', '2026-12-28')).toBe(
      'Quote Q-000031 expired on 27 December 2026',
    );
    expect(changeQuoteRefusal(increase, { ...licence, status: 'cancelled' }, 'increase', '2026-12-01')).toMatch(
      /this one is cancelled/,
    );
    expect(changeQuoteRefusal(increase, licence, 'renewal', '2026-12-01')).toBe(
      `Quote Q-000031 is not for this change of this licence: it is for more space on licence ${licence.id}`,
    );
    expect(changeQuoteRefusal(increase, { ...licence, id: licence.id + 1 }, 'increase', '2026-12-01')).toBe(
      `Quote Q-000031 is not for this change of this licence: it is for more space on licence ${licence.id}`,
    );
    expect(changeQuoteRefusal({ ...increase, change: null }, licence, 'increase', '2026-12-01')).toBe(
      'Quote Q-000031 is not for this change of this licence: it is for new storage',
    );
  });

  it('leaves a choice other than the quote’s to the page: that is not the quote’s refusal', () => {
    expect(changeQuoteRefusal(increase, licence, 'increase', '2026-12-01', priced('2027-12-06', 4))).toBeNull();
  });

  it('is priced for the choice it quoted', () => {
    expect(quotedChoice(increase)).toEqual({ addTb: '3' });
    const renewal = { ...increase, change: { ...increase.change, kind: 'renewal' } } as Quote;
    expect(quotedChoice(renewal)).toEqual({ termYears: '2' });
  });
});

describe('the price of a change ordered with its quote', () => {
  /** The increase as ordered on 4 December 2026 at `pencePerTbYear`: 368 days to 6 December 2027. */
  const orderedOn4December = (pencePerTbYear: number): ChangePrice => {
    const netPence = proRataPence(pencePerTbYear, 3, 368);
    return {
      ...priced('2027-12-06'),
      startsOn: '2026-12-04',
      days: 368,
      pencePerTbYear,
      netPence,
      totalPence: netPence,
    };
  };

  it('keeps the quoted price per TB per year for more space, paid from the day it is ordered, not from the quote’s day', () => {
    // Quoted on 27 November for 375 days (£166.89); ordered a week later, the space is 368 days.
    const { price, todayIsLower } = atQuotedPrice(orderedOn4December(5_600), increase);
    expect(todayIsLower).toBe(false);
    expect(price).toMatchObject({ startsOn: '2026-12-04', endsOn: '2027-12-06', days: 368, pencePerTbYear: 5_400 });
    expect(price.netPence).toBe(proRataPence(5_400, 3, 368));
    expect(price.netPence).toBe(16_333);
    expect(price.totalPence).toBe(16_333);
  });

  it('charges today’s price when it is lower than the quote’s', () => {
    const { price, todayIsLower } = atQuotedPrice(orderedOn4December(5_000), increase);
    expect(todayIsLower).toBe(true);
    expect(price).toEqual(orderedOn4December(5_000));
  });

  it('keeps a renewal’s quoted figures, unless today’s total is lower', () => {
    const renewal: Quote = {
      ...increase,
      netPence: 32_400,
      totalPence: 32_400,
      change: { licenceId: 7, kind: 'renewal', startsOn: '2027-12-07', endsOn: '2029-12-06', coldStorePence: 0 },
    };
    const today = (pencePerTbYear: number): ChangePrice => ({
      ...priced('2029-12-06'),
      kind: 'renewal',
      startsOn: '2027-12-07',
      pencePerTbYear,
      netPence: pencePerTbYear * 3 * 2,
      totalPence: pencePerTbYear * 3 * 2,
    });
    expect(atQuotedPrice(today(5_600), renewal)).toMatchObject({
      todayIsLower: false,
      price: { pencePerTbYear: 5_400, netPence: 32_400, totalPence: 32_400 },
    });
    expect(atQuotedPrice(today(5_000), renewal)).toMatchObject({
      todayIsLower: true,
      price: { pencePerTbYear: 5_000, netPence: 30_000, totalPence: 30_000 },
    });
  });
});
