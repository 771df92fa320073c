import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LICENCE_STATUSES } from '../licences/licence-status.ts';
import {
  CHANGE_KINDS,
  type ChangePricingInput,
  changeProblem,
  changesAllowed,
  daysInclusive,
  listPenceBeforeVoucher,
  priceChange,
  proRataPence,
} from './change-pricing.ts';
import { takesPayment } from './order-payment.ts';

const TODAY = '2026-11-27';

const RDS = { minimumTb: 1, termsYears: [1, 2, 3, 4, 5] };

type Asked = Partial<ChangePricingInput> & Pick<ChangePricingInput, 'kind' | 'today'>;

function priceOf(input: Asked) {
  return priceChange({
    licence: { sizeTb: 5, endDate: '2027-07-31' },
    product: RDS,
    customerClass: 'internal',
    pencePerTbYear: 5400,
    coldStorePencePerTbYear: 1200,
    ...input,
  });
}

function price(input: Asked) {
  const result = priceOf(input);
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result.value;
}

function refusal(input: Asked) {
  const result = priceOf(input);
  if (result.ok) throw new Error('expected a refusal');
  return result.errors;
}

describe('which licence statuses allow which change', () => {
  it.each([
    ['pending', ['cancellation']],
    ['active', ['increase', 'renewal', 'cancellation']],
    ['suspended', ['renewal']],
    ['cold', ['recovery']],
    ['deletable', []],
    ['deleted', []],
    ['cancelled', []],
  ] as const)('a %s licence allows %j', (status, kinds) => {
    const licence = { status, endDate: '2027-07-31' };
    expect(changesAllowed(licence, TODAY)).toEqual(kinds);
    for (const kind of CHANGE_KINDS) {
      expect(changeProblem(kind, licence, TODAY) === undefined).toBe((kinds as readonly string[]).includes(kind));
    }
  });

  it('says what the licence is and what the change needs', () => {
    const at = (status: (typeof LICENCE_STATUSES)[number]) => ({ status, endDate: '2027-07-31' });
    expect(changeProblem('recovery', at('active'), TODAY)).toBe(
      'Only a licence in the cold store can be recovered: this one is active.',
    );
    expect(changeProblem('renewal', at('cold'), TODAY)).toMatch(/one in the cold store is recovered instead/);
    expect(
      LICENCE_STATUSES.every(
        (status) => changeProblem('increase', at(status), TODAY) !== undefined || status === 'active',
      ),
    ).toBe(true);
  });

  it('an active licence past its end date (the nightly job has not suspended it yet) is renewed, not made bigger', () => {
    const ended = { status: 'active', endDate: '2026-11-26' } as const;
    expect(changesAllowed(ended, TODAY)).toEqual(['renewal', 'cancellation']);
    expect(changeProblem('increase', ended, TODAY)).toBe(
      'This licence ended on 26 November 2026: renew it before making it bigger.',
    );
    // Its last day still counts: one day of more space is priced.
    expect(changesAllowed({ status: 'active', endDate: TODAY }, TODAY)).toContain('increase');
    expect(changesAllowed({ status: 'active', endDate: null }, TODAY)).not.toContain('increase');
  });
});

describe('days and pro rata', () => {
  it.each([
    ['2026-11-27', '2026-11-27', 1],
    ['2026-11-27', '2026-11-30', 4],
    ['2026-11-30', '2026-12-01', 2],
    ['2027-02-28', '2027-03-01', 2],
    ['2028-02-28', '2028-03-01', 3],
    ['2026-12-31', '2027-12-30', 365],
    ['2027-03-01', '2028-02-29', 366],
    ['2026-11-28', '2026-11-27', 0],
  ])('from %s to %s is %i days, both included', (from, to, days) => {
    expect(daysInclusive(from, to)).toBe(days);
  });

  it('rounds half a penny up and never uses floating point', () => {
    // 5400 / 365 = 14.79… → 15p; 182/365 = 0.498… → 0p; 183/365 = 0.501… → 1p.
    expect(proRataPence(5400, 1, 1)).toBe(15);
    expect(proRataPence(365, 1, 1)).toBe(1);
    expect(proRataPence(1, 1, 182)).toBe(0);
    expect(proRataPence(1, 1, 183)).toBe(1);
    expect(proRataPence(73, 5, 1)).toBe(1); // 365/365 = 1
    expect(proRataPence(73, 1, 2)).toBe(0); // 146/365 = 0.4
    expect(proRataPence(73, 1, 3)).toBe(1); // 219/365 = 0.6
  });

  it('a whole year of 365 days costs exactly the yearly price', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1_000_000 }), fc.integer({ min: 1, max: 10_000 }), (pence, tb) => {
        expect(proRataPence(pence, tb, 365)).toBe(pence * tb);
      }),
    );
  });
});

describe('increase', () => {
  it('charges the TB added from the pricing day to the end date, both included', () => {
    // 27 Nov 2026 .. 31 Jul 2027 = 247 days; 2 TB × £54 × 247 / 365 = £73.09 (7308.49… → 7308)
    const change = price({ kind: 'increase', today: '2026-11-27', addTb: '2' });
    expect(change).toMatchObject({
      sizeTb: 2,
      days: 247,
      startsOn: '2026-11-27',
      endsOn: '2027-07-31',
      netPence: 7308,
      vatPence: 0,
      totalPence: 7308,
      termYears: 1,
    });
  });

  it('adds VAT for external customers, rounded half up on the pro-rata net', () => {
    const change = price({
      kind: 'increase',
      today: '2026-11-27',
      addTb: 2,
      customerClass: 'external',
      pencePerTbYear: 6480,
    });
    // 2 × 6480 × 247 / 365 = 8770.19… → 8770; VAT 1754
    expect(change).toMatchObject({ netPence: 8770, vatPence: 1754, totalPence: 10_524 });
  });

  it('across a month end: priced on 30 November and on 1 December', () => {
    const licence = { sizeTb: 5, endDate: '2026-12-31' };
    expect(price({ kind: 'increase', today: '2026-11-30', addTb: 1, licence })).toMatchObject({
      days: 32,
      netPence: 473,
    });
    expect(price({ kind: 'increase', today: '2026-12-01', addTb: 1, licence })).toMatchObject({
      days: 31,
      netPence: 459,
    });
    expect(price({ kind: 'increase', today: '2026-12-31', addTb: 1, licence })).toMatchObject({
      days: 1,
      netPence: 15,
    });
  });

  it('priced on 29 February counts the leap day like any other day', () => {
    const licence = { sizeTb: 5, endDate: '2028-03-01' };
    expect(price({ kind: 'increase', today: '2028-02-29', addTb: 1, licence })).toMatchObject({
      days: 2,
      startsOn: '2028-02-29',
      netPence: proRataPence(5400, 1, 2),
    });
    // A year that holds 29 February has 366 days and costs 366/365 of the yearly price.
    const leapYear = price({
      kind: 'increase',
      today: '2027-03-01',
      addTb: 1,
      licence: { sizeTb: 5, endDate: '2028-02-29' },
    });
    expect(leapYear).toMatchObject({ days: 366, netPence: 5415, termYears: 1 });
    // Its term is the period's nearest whole number of years: 731 days from 8 December 2026 is 2.
    const twoYears = price({
      kind: 'increase',
      today: '2026-12-08',
      addTb: 1,
      licence: { sizeTb: 5, endDate: '2028-12-07' },
    });
    expect(twoYears).toMatchObject({ days: 731, termYears: 2 });
  });

  it('refuses a size that is not a whole number of TB, below 1, or beyond the largest licence', () => {
    expect(refusal({ kind: 'increase', today: '2026-11-27', addTb: '' })).toEqual({
      addTb: 'Enter how many TB to add',
    });
    expect(refusal({ kind: 'increase', today: '2026-11-27', addTb: '1.5' }).addTb).toMatch(/whole number/);
    // A negative number is a whole number too small, not "not a whole number" (a hyphen or a minus sign).
    for (const negative of ['-1', '\u22122', -3])
      expect(refusal({ kind: 'increase', today: '2026-11-27', addTb: negative })).toEqual({
        addTb: 'Add at least 1 TB',
      });
    expect(refusal({ kind: 'increase', today: '2026-11-27', addTb: '0' })).toEqual({ addTb: 'Add at least 1 TB' });
    expect(refusal({ kind: 'increase', today: '2026-11-27', addTb: 9996 }).addTb).toMatch(/add at most 9,995 TB/);
    expect(price({ kind: 'increase', today: '2026-11-27', addTb: 9995 }).sizeTb).toBe(9995);
  });

  it('applies the product minimum to the resulting size', () => {
    const product = { minimumTb: 10, termsYears: [1] };
    expect(refusal({ kind: 'increase', today: '2026-11-27', addTb: 2, product })).toEqual({
      addTb: 'The licence must be at least 10 TB',
    });
    expect(price({ kind: 'increase', today: '2026-11-27', addTb: 5, product }).sizeTb).toBe(5);
  });

  it('refuses a licence past its end date (renew it first)', () => {
    expect(refusal({ kind: 'increase', today: '2027-08-01', addTb: 1 }).addTb).toMatch(/renew it/);
  });
});

describe('renewal', () => {
  it('charges today’s price for the size and term, from the day after the end date', () => {
    expect(price({ kind: 'renewal', today: '2027-06-01', termYears: '2' })).toMatchObject({
      sizeTb: 5,
      termYears: 2,
      startsOn: '2027-08-01',
      endsOn: '2029-07-31',
      netPence: 54_000,
      totalPence: 54_000,
    });
  });

  it('across a month end: a licence ending on 30 November renews from 1 December', () => {
    const licence = { sizeTb: 1, endDate: '2026-11-30' };
    expect(price({ kind: 'renewal', today: '2026-11-27', termYears: 1, licence })).toMatchObject({
      startsOn: '2026-12-01',
      endsOn: '2027-11-30',
    });
  });

  it('a licence ending on 29 February 2028 renews from 1 March 2028', () => {
    const licence = { sizeTb: 1, endDate: '2028-02-29' };
    expect(price({ kind: 'renewal', today: '2028-02-01', termYears: 1, licence })).toMatchObject({
      startsOn: '2028-03-01',
      endsOn: '2029-02-28',
    });
    expect(price({ kind: 'renewal', today: '2028-02-01', termYears: 4, licence }).endsOn).toBe('2032-02-29');
  });

  it('after expiry it is back-dated: it still starts the day after the old end date', () => {
    expect(price({ kind: 'renewal', today: '2027-08-20', termYears: 1 })).toMatchObject({
      startsOn: '2027-08-01',
      endsOn: '2028-07-31',
      netPence: 27_000,
      coldStorePence: 0,
    });
  });

  it('adds VAT for external customers', () => {
    expect(
      price({ kind: 'renewal', today: '2027-06-01', termYears: 1, customerClass: 'external', pencePerTbYear: 6480 }),
    ).toMatchObject({ netPence: 32_400, vatPence: 6_480, totalPence: 38_880 });
  });

  it('takes any whole term from 1 year to the product’s longest', () => {
    expect(price({ kind: 'renewal', today: '2027-06-01', termYears: 5 }).termYears).toBe(5);
    expect(refusal({ kind: 'renewal', today: '2027-06-01', termYears: 6 })).toEqual({
      termYears: 'Choose a term from 1 to 5 years',
    });
    expect(refusal({ kind: 'renewal', today: '2027-06-01', termYears: '0' })).toEqual({
      termYears: 'Choose a term from 1 to 5 years',
    });
    expect(refusal({ kind: 'renewal', today: '2027-06-01', termYears: '' })).toEqual({
      termYears: 'Choose how long to renew for',
    });
    expect(
      refusal({ kind: 'renewal', today: '2027-06-01', termYears: 2, product: { minimumTb: 1, termsYears: [1] } }),
    ).toEqual({
      termYears: 'Choose 1 year: this product is renewed a year at a time',
    });
  });
});

describe('recovery', () => {
  it('is a renewal plus the cold-store fee from the day after the end date to the pricing day', () => {
    // ended 31 Jul 2027; priced 15 Sep 2027: 1 Aug .. 15 Sep = 46 days; 5 TB × £12 × 46 / 365 = £7.56 (756.16… → 756)
    expect(price({ kind: 'recovery', today: '2027-09-15', termYears: 1 })).toMatchObject({
      startsOn: '2027-08-01',
      endsOn: '2028-07-31',
      coldStoreDays: 46,
      coldStorePence: 756,
      netPence: 27_000 + 756,
      totalPence: 27_756,
    });
  });

  it('counts 29 February in the cold store like any other day, and VAT covers the fee', () => {
    const licence = { sizeTb: 10, endDate: '2028-01-31' };
    // 1 Feb .. 1 Mar 2028 = 30 days (29 February included); 10 × 1440 × 30 / 365 = 1183.56… → 1184
    const change = price({
      kind: 'recovery',
      today: '2028-03-01',
      termYears: 1,
      licence,
      customerClass: 'external',
      pencePerTbYear: 6480,
      coldStorePencePerTbYear: 1440,
    });
    expect(change).toMatchObject({ coldStoreDays: 30, coldStorePence: 1184, netPence: 64_800 + 1184 });
    expect(change.vatPence).toBe(Math.floor(((64_800 + 1184) * 20 + 50) / 100));
  });
});

describe('cancellation', () => {
  it('costs nothing and pays for no period', () => {
    expect(price({ kind: 'cancellation', today: '2026-11-27' })).toMatchObject({
      netPence: 0,
      vatPence: 0,
      totalPence: 0,
      startsOn: null,
      endsOn: null,
      sizeTb: 5,
    });
    expect(price({ kind: 'cancellation', today: '2026-11-27', licence: { sizeTb: 3, endDate: null } }).sizeTb).toBe(3);
  });
});

describe('payment', () => {
  it('is taken for a change that costs something, and not for a cancellation, which costs nothing', () => {
    const cancellation = price({ kind: 'cancellation', today: '2026-11-27', licence: { sizeTb: 3, endDate: null } });
    expect(takesPayment(cancellation)).toBe(false);
    expect(takesPayment(price({ kind: 'renewal', today: TODAY, termYears: 1 }))).toBe(true);
  });
});

describe('the list price of an order paid by voucher', () => {
  // The order page said "List price £300.00" (a whole year of 2 TB) for 2 TB added on 27 November
  // 2026 to a licence ending on 31 July 2027, which had been priced £203.01 for its 247 days.
  it('is the price by the day for more space, as it was priced', () => {
    const increase = price({ kind: 'increase', today: TODAY, addTb: 2, pencePerTbYear: 15_000 });
    expect(increase.netPence).toBe(20_301);
    expect(listPenceBeforeVoucher(increase)).toEqual({ pence: 20_301, plusColdStoreFee: false });
  });

  it('is the price per TB per year × TB × term for new storage and a renewal; a recovery’s cold-store fee is on top', () => {
    const renewal = price({ kind: 'renewal', today: TODAY, termYears: 2 });
    expect(listPenceBeforeVoucher(renewal)).toEqual({ pence: renewal.netPence, plusColdStoreFee: false });
    const recovery = price({ kind: 'recovery', today: TODAY, termYears: 1 });
    expect(listPenceBeforeVoucher(recovery)).toEqual({ pence: 5400 * 5, plusColdStoreFee: true });
    const fresh = { kind: 'new' as const, sizeTb: 3, termYears: 3, pencePerTbYear: 5400, startsOn: null, endsOn: null };
    expect(listPenceBeforeVoucher(fresh)).toEqual({ pence: 48_600, plusColdStoreFee: false });
    const cancellation = price({ kind: 'cancellation', today: TODAY });
    expect(listPenceBeforeVoucher(cancellation)).toEqual({ pence: 0, plusColdStoreFee: false });
  });
});
