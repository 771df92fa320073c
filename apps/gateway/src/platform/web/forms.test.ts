import { describe, expect, it } from 'vitest';
import { wholeNumberFrom } from './forms.ts';

describe('wholeNumberFrom', () => {
  it('reads whole numbers as people type them, thousands grouped as the site writes them', () => {
    expect(wholeNumberFrom(' 12 ')).toBe(12);
    expect(wholeNumberFrom('1,000')).toBe(1000);
    expect(wholeNumberFrom('10,000')).toBe(10_000);
    expect(wholeNumberFrom('1,234,567')).toBe(1_234_567);
    expect(wholeNumberFrom('0')).toBe(0);
    expect(wholeNumberFrom(7)).toBe(7);
    // too big for anything, but whole: the caller's upper bound is the message
    expect(wholeNumberFrom('9'.repeat(400))).toBe(Number.POSITIVE_INFINITY);
  });

  it('keeps a minus sign, for the caller to say the number is too small', () => {
    expect(wholeNumberFrom('-3')).toBe(-3);
    expect(wholeNumberFrom('\u22123')).toBe(-3);
    expect(Object.is(wholeNumberFrom('-0'), 0)).toBe(true);
  });

  it('refuses anything else', () => {
    for (const value of ['', 'ten', '1.5', '1e3', '1,00', '10,00,000', '1,0000', ',100', '1 000', 1.5, null, undefined])
      expect(wholeNumberFrom(value), String(value)).toBeUndefined();
  });
});
