import { describe, expect, it } from 'vitest';
import type { Quote } from '../quotes/quotes.repository.ts';
import type { ChangePrice } from './change-pricing.ts';
import { changeQuoteRefusal, quotedChoice } from './change-quotes.ts';

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
      'Quote Q-000031 is not for this change of this licence',
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
