import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatPence, MAXIMUM_PRICE_PENCE, parsePounds, penceAsPounds } from './money.ts';

describe('formatPence', () => {
  it('shows pounds and pence the way a British reader expects', () => {
    expect(formatPence(5400)).toBe('£54.00');
    expect(formatPence(1_234_567)).toBe('£12,345.67');
    expect(formatPence(0)).toBe('£0.00');
    expect(formatPence(-150)).toBe('-£1.50');
  });

  it('refuses fractions of a penny instead of rounding them away', () => {
    expect(() => formatPence(10.5)).toThrow(RangeError);
  });

  it('never loses a penny for any whole amount', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10_000_000_00 }), (pence) => {
        const digits = formatPence(pence).replace(/[£,.]/g, '');
        expect(Number(digits)).toBe(pence);
      }),
    );
  });
});

describe('parsePounds', () => {
  it.each([
    ['54.00', 5400],
    ['54', 5400],
    ['54.5', 5450],
    ['0.07', 7],
    ['.5', 50],
    ['54.', 5400],
    ['£54.00', 5400],
    ['£ 139', 13_900],
    ['  12.34  ', 1234],
    ['1,234.56', 123_456],
    ['1,000,000', 100_000_000],
    ['0', 0],
    ['007.10', 710],
  ])('reads %j as %i pence', (text, pence) => {
    expect(parsePounds(text)).toEqual({ ok: true, pence });
  });

  it.each([
    ['-54.00', 'The price cannot be negative'],
    ['£-1', 'The price cannot be negative'],
    ['−3', 'The price cannot be negative'],
    ['£ –2', 'The price cannot be negative'],
    ['54.001', 'Enter the price to the nearest penny: no more than 2 digits after the point'],
    ['0.125', 'Enter the price to the nearest penny: no more than 2 digits after the point'],
    ['', 'Enter the price in pounds and pence, for example 54.00'],
    ['   ', 'Enter the price in pounds and pence, for example 54.00'],
    ['fifty', 'Enter the price in pounds and pence, for example 54.00'],
    ['54,00', 'Enter the price in pounds and pence, for example 54.00'],
    ['1,23.00', 'Enter the price in pounds and pence, for example 54.00'],
    ['5e3', 'Enter the price in pounds and pence, for example 54.00'],
    ['0x10', 'Enter the price in pounds and pence, for example 54.00'],
    ['54.00.00', 'Enter the price in pounds and pence, for example 54.00'],
    ['.', 'Enter the price in pounds and pence, for example 54.00'],
    ['+54', 'Enter the price in pounds and pence, for example 54.00'],
    ['£', 'Enter the price in pounds and pence, for example 54.00'],
    ['Infinity', 'Enter the price in pounds and pence, for example 54.00'],
    ['1000000.01', 'The price must be at most £1,000,000.00'],
    ['99999999999999999999', 'The price must be at most £1,000,000.00'],
  ])('refuses %j: %s', (text, message) => {
    expect(parsePounds(text)).toEqual({ ok: false, message });
  });

  it('reads back what formatPence and penceAsPounds write, for every whole amount', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: MAXIMUM_PRICE_PENCE }), (pence) => {
        expect(parsePounds(formatPence(pence))).toEqual({ ok: true, pence });
        expect(parsePounds(penceAsPounds(pence))).toEqual({ ok: true, pence });
      }),
    );
  });
});
