import { describe, expect, it } from 'vitest';
import { licenceEndDate } from './licence-dates.ts';

describe('licenceEndDate', () => {
  it.each([
    ['2026-11-27', 1, '2027-11-26'],
    ['2026-11-27', 3, '2029-11-26'],
    ['2026-01-01', 1, '2026-12-31'],
    ['2026-03-01', 2, '2028-02-29'],
    // A year from 29 February runs to 28 February, as from 1 March; never a day short of one from the 28th.
    ['2028-02-29', 1, '2029-02-28'],
    ['2028-02-28', 1, '2029-02-27'],
    ['2028-03-01', 1, '2029-02-28'],
    ['2028-02-29', 4, '2032-02-28'],
    ['2028-02-29', 3, '2031-02-28'],
    ['2026-12-31', 10, '2036-12-30'],
  ])('a licence from %s for %i years ends on %s', (start, years, end) => {
    expect(licenceEndDate(start, years)).toBe(end);
  });
});
