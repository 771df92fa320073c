import { describe, expect, it } from 'vitest';
import { compareDays, containsPattern, parseCalendarDate, parseWholeNumber, reasonField } from './manage-forms.ts';

describe('parseCalendarDate', () => {
  it.each([
    ['2026-11-27', '2026-11-27'],
    [' 2028-02-29 ', '2028-02-29'],
    ['2000-02-29', '2000-02-29'],
  ])('reads %j as %s', (text, day) => {
    expect(parseCalendarDate(text)).toBe(day);
  });

  it.each([
    '2027-02-29',
    '1900-02-29',
    '2026-13-01',
    '2026-00-10',
    '2026-04-31',
    '2026-4-1',
    '27/11/2026',
    '2026-11-27T00:00',
    '',
    'tomorrow',
    '1899-12-31',
    '3000-01-01',
  ])('refuses %j', (text) => {
    expect(parseCalendarDate(text)).toBeUndefined();
  });
});

describe('compareDays', () => {
  it('orders calendar days', () => {
    expect(compareDays('2026-11-27', '2026-11-28')).toBeLessThan(0);
    expect(compareDays('2026-11-27', '2026-11-27')).toBe(0);
    expect(compareDays('2027-01-01', '2026-12-31')).toBeGreaterThan(0);
  });
});

describe('parseWholeNumber', () => {
  it('reads a whole number that is not negative', () => {
    expect(parseWholeNumber(' 12 ')).toBe(12);
    expect(parseWholeNumber('0')).toBe(0);
    expect(parseWholeNumber('1,000')).toBe(1000);
    for (const text of ['-1', '1.5', '1e3', '', 'ten', '1,00']) expect(parseWholeNumber(text)).toBeUndefined();
  });
});

describe('reasonField', () => {
  it('needs a reason of at most 500 characters, trimmed', () => {
    expect(reasonField().safeParse('  Grant extended  ').data).toBe('Grant extended');
    expect(reasonField('Say why').safeParse('   ').error?.issues[0]?.message).toBe('Say why');
    expect(reasonField().safeParse('x'.repeat(501)).error?.issues[0]?.message).toBe(
      'The reason must be 500 characters or fewer',
    );
  });
});

describe('containsPattern', () => {
  it('matches the text anywhere, lower case, with LIKE wildcards taken literally', () => {
    expect(containsPattern('Dark')).toBe('%dark%');
    expect(containsPattern('100%_done\\')).toBe('%100\\%\\_done\\\\%');
    expect(containsPattern('King\u2019s O\u2018Brien')).toBe("%king's o'brien%");
  });
});
