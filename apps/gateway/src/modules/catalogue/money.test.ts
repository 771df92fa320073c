import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatPence } from './money.ts';

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
