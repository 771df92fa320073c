import { describe, expect, it } from 'vitest';
import {
  type ProductEditable,
  parseNewPrice,
  parseProductEdit,
  parseTermsYears,
  priceStates,
  productEditValues,
} from './catalogue-admin-rules.ts';

const rds: ProductEditable = {
  name: 'Research Data Store',
  summary: 'Fast project storage',
  description: 'Disk storage for working research data.',
  minimumTb: 1,
  termsYears: [1, 2, 3, 4, 5],
  active: true,
};

describe('parseTermsYears', () => {
  it('reads whole years once each, shortest first', () => {
    expect(parseTermsYears('5, 1 3,3')).toEqual([1, 3, 5]);
    expect(parseTermsYears('10')).toEqual([10]);
  });
  it.each(['', '0', '11', '1.5', 'one', '1, -2'])('refuses %j', (text) => {
    expect(typeof parseTermsYears(text)).toBe('string');
  });
});

describe('parseProductEdit', () => {
  it('returns only what changed; an unticked box withdraws the product', () => {
    const values = productEditValues(rds);
    expect(parseProductEdit({ ...values, minimumTb: '2', termsYears: '1, 3' }, rds)).toEqual({
      ok: true,
      value: { changes: { minimumTb: 2, termsYears: [1, 3] } },
    });
    const { active: _, ...unticked } = values;
    expect(parseProductEdit(unticked, rds)).toEqual({ ok: true, value: { changes: { active: false } } });
  });

  it('gives a message for each field that is wrong', () => {
    const result = parseProductEdit(
      { name: ' ', summary: 'x'.repeat(201), description: '', minimumTb: '0', termsYears: '', active: 'yes' },
      rds,
    );
    expect(result).toEqual({
      ok: false,
      errors: {
        name: 'Enter the product’s name',
        summary: 'The summary must be 200 characters or fewer',
        description: 'Enter a description',
        minimumTb: 'Enter the minimum size as a whole number of TB, at least 1',
        termsYears: 'Enter the terms offered, in years, for example 1, 3, 5',
      },
    });
  });

  it('says when nothing changed', () => {
    expect(parseProductEdit(productEditValues(rds), rds)).toEqual({
      ok: false,
      errors: { name: 'Nothing has changed' },
    });
  });
});

describe('parseNewPrice', () => {
  const today = '2026-11-27';
  it('reads a class, pounds and pence, and a day from today on', () => {
    expect(parseNewPrice({ customerClass: 'internal', pounds: '60.00', validFrom: '2026-11-27' }, today)).toEqual({
      ok: true,
      value: { customerClass: 'internal', pencePerTbYear: 6000, validFrom: '2026-11-27' },
    });
    expect(parseNewPrice({ customerClass: 'external', pounds: '£72.5', validFrom: '2027-08-01' }, today)).toEqual({
      ok: true,
      value: { customerClass: 'external', pencePerTbYear: 7250, validFrom: '2027-08-01' },
    });
  });

  it('refuses a day in the past, saying that quotes and orders keep their price', () => {
    const result = parseNewPrice({ customerClass: 'internal', pounds: '60', validFrom: '2026-11-26' }, today);
    expect(result).toEqual({
      ok: false,
      errors: {
        validFrom:
          'A price cannot start in the past (before today, 27 November 2026): existing quotes and orders keep their price',
      },
    });
  });

  it('gives a message for each field that is wrong', () => {
    expect(parseNewPrice({ customerClass: 'staff', pounds: '-1', validFrom: '2027-02-29' }, today)).toEqual({
      ok: false,
      errors: {
        customerClass: 'Choose who pays this price: internal or external customers',
        pounds: 'The price cannot be negative',
        validFrom: 'Enter the day as a real date: as year-month-day, for example 2027-08-01',
      },
    });
    expect(parseNewPrice({}, today)).toMatchObject({
      ok: false,
      errors: {
        pounds: 'Enter the price in pounds and pence, for example 54.00',
        validFrom: 'Enter the day the price applies from',
      },
    });
  });
});

describe('priceStates', () => {
  it('marks the latest begun price of each class as in force, later ones future, earlier ones past', () => {
    const prices = [
      { customerClass: 'internal' as const, validFrom: '2027-08-01' },
      { customerClass: 'internal' as const, validFrom: '2026-08-01' },
      { customerClass: 'internal' as const, validFrom: '2025-08-01' },
      { customerClass: 'external' as const, validFrom: '2026-11-27' },
      { customerClass: 'external' as const, validFrom: '2026-08-01' },
    ];
    expect(priceStates(prices, '2026-11-27').map((price) => price.state)).toEqual([
      'future',
      'in-force',
      'past',
      'in-force',
      'past',
    ]);
  });
});
