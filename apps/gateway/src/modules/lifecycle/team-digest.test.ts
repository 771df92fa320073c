import { describe, expect, it } from 'vitest';
import { moreWaitingLine, weekStart } from './team-digest.ts';

describe('team digest rules', () => {
  it('a run belongs to the week starting on the Monday on or before its day', () => {
    expect(weekStart('2026-11-30')).toBe('2026-11-30'); // a Monday
    expect(weekStart('2026-12-06')).toBe('2026-11-30'); // the Sunday after
    expect(weekStart('2026-12-07')).toBe('2026-12-07');
    expect(weekStart('2028-03-01')).toBe('2028-02-28'); // across 29 February, a Wednesday
    expect(weekStart('2027-01-01')).toBe('2026-12-28'); // across a year end
  });

  it('says how many more orders wait beyond those listed', () => {
    expect(moreWaitingLine(50, 50)).toBeUndefined();
    expect(moreWaitingLine(51, 50)).toBe('… and 1 more order waits: see the orders queue.');
    expect(moreWaitingLine(60, 50)).toBe('… and 10 more orders wait: see the orders queue.');
  });
});
