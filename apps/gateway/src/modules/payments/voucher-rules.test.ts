import { describe, expect, it } from 'vitest';
import { generateVoucherCode, parseVoucherIssue, VOUCHER_CODE_ALPHABET, voucherStatus } from './voucher-rules.ts';

describe('generateVoucherCode', () => {
  it('is the product and two groups of four unambiguous characters', () => {
    for (let run = 0; run < 200; run++) {
      const code = generateVoucherCode('ifs');
      expect(code).toMatch(/^IFS-[A-Z2-9]{4}-[A-Z2-9]{4}$/);
      expect(code.slice(4)).not.toMatch(/[01OIL]/);
    }
  });

  it('uses every character of the alphabet, and only those, as the random source picks them', () => {
    expect(VOUCHER_CODE_ALPHABET).toHaveLength(31);
    expect(VOUCHER_CODE_ALPHABET).not.toMatch(/[01OIL]/);
    let next = 0;
    const sequence = (below: number) => next++ % below;
    expect(generateVoucherCode('IFS', sequence)).toBe('IFS-ABCD-EFGH');
    expect(generateVoucherCode('IFS', () => 30)).toBe('IFS-9999-9999');
    expect(() => generateVoucherCode('IFS', () => 31)).toThrow(RangeError);
  });

  it('makes different codes from a real random source', () => {
    const codes = new Set(Array.from({ length: 500 }, () => generateVoucherCode('IFS')));
    expect(codes.size).toBe(500);
  });
});

describe('voucherStatus', () => {
  const today = '2026-11-27';
  const fresh = { revokedAt: null, redeemedAt: null, expiresOn: null };
  it('reads withdrawn, then used, then expired, else unused', () => {
    expect(voucherStatus(fresh, today)).toBe('unused');
    expect(voucherStatus({ ...fresh, expiresOn: today }, today)).toBe('unused');
    expect(voucherStatus({ ...fresh, expiresOn: '2026-11-26' }, today)).toBe('expired');
    expect(voucherStatus({ ...fresh, expiresOn: '2026-11-26', redeemedAt: new Date() }, today)).toBe('used');
    expect(voucherStatus({ ...fresh, redeemedAt: new Date(), revokedAt: new Date() }, today)).toBe('revoked');
  });
});

describe('parseVoucherIssue', () => {
  const allowed = {
    products: [{ code: 'IFS', minimumTb: 1 }],
    institutionIds: ['CHEM', 'PHYS'],
    today: '2026-11-27',
  };

  it('reads a product, size, optional department, optional expiry and a note', () => {
    expect(
      parseVoucherIssue(
        { productCode: 'ifs', sizeTb: '2', institutionId: 'CHEM', expiresOn: '2026-11-27', note: ' x ' },
        allowed,
      ),
    ).toEqual({
      ok: true,
      value: { productCode: 'IFS', sizeTb: 2, institutionId: 'CHEM', expiresOn: '2026-11-27', note: 'x' },
    });
    expect(parseVoucherIssue({ productCode: 'IFS', sizeTb: '1', institutionId: '', expiresOn: '' }, allowed)).toEqual({
      ok: true,
      value: { productCode: 'IFS', sizeTb: 1, institutionId: null, expiresOn: null, note: '' },
    });
  });

  it('gives a message for each field that is wrong', () => {
    expect(
      parseVoucherIssue(
        { productCode: 'RDS', sizeTb: '1.5', institutionId: 'NOPE', expiresOn: '2026-11-26', note: 'n'.repeat(201) },
        allowed,
      ),
    ).toEqual({
      ok: false,
      errors: {
        productCode: 'Choose the product the voucher pays for',
        sizeTb: 'Enter the size as a whole number of TB, for example 2',
        institutionId: 'Choose a department from the list, or any department',
        expiresOn: 'The expiry day cannot be in the past (before today, 27 November 2026)',
        note: 'The note must be 200 characters or fewer',
      },
    });
    expect(parseVoucherIssue({ productCode: 'IFS', sizeTb: '', expiresOn: '2027-02-30' }, allowed)).toEqual({
      ok: false,
      errors: {
        sizeTb: 'Enter the most TB the voucher pays for',
        expiresOn: 'Enter the expiry day as a real date: as year-month-day, for example 2027-08-01',
      },
    });
    expect(
      parseVoucherIssue({ productCode: 'IFS', sizeTb: '2' }, { ...allowed, products: [{ code: 'IFS', minimumTb: 3 }] }),
    ).toEqual({ ok: false, errors: { sizeTb: 'The size must be at least 3 TB, the product’s minimum' } });
  });
});
