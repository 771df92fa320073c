import { describe, expect, it } from 'vitest';
import { parseDay, readDay } from './calendar-day.ts';

describe('reading a calendar day', () => {
  it('reads YYYY-MM-DD, 29 February of a leap year included', () => {
    expect(parseDay('2028-02-29')?.toString()).toBe('2028-02-29');
    expect(parseDay('0001-01-01')?.toString()).toBe('0001-01-01');
    expect(parseDay('9999-12-31')?.toString()).toBe('9999-12-31');
  });

  it('tells a day no calendar has from text of another shape', () => {
    expect(readDay('2027-02-29')).toEqual({ ok: false, problem: 'calendar' });
    for (const text of ['2027-2-28', '27-02-28', '-000001-01-01', '+002027-01-01', '2027-02-28T00:00', ' 2027-02-28']) {
      expect(readDay(text), text).toEqual({ ok: false, problem: 'shape' });
    }
  });

  it('has no year 0, which PostgreSQL refuses (a 500 where a date was compared with it)', () => {
    expect(readDay('0000-01-01')).toEqual({ ok: false, problem: 'calendar' });
    expect(parseDay('0000-12-31')).toBeUndefined();
  });
});
