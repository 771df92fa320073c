import { describe, expect, it } from 'vitest';
import { byWhomAndWhen, isJustNow, PRESSED_TWICE_SECONDS, pressedTwice } from './pressed-twice.ts';

describe('a button pressed twice', () => {
  const at = new Date('2026-11-27T10:00:00Z');
  const rosa = { personId: 5, name: 'Rosa Storage', at, justNow: true };

  it('is the same person’s change of a moment ago, nobody else’s, and not an older one', () => {
    expect(pressedTwice(rosa, { id: 5 })).toBe(true);
    expect(pressedTwice(rosa, { id: 6 })).toBe(false);
    expect(pressedTwice({ ...rosa, justNow: false }, { id: 5 })).toBe(false);
    expect(pressedTwice({ ...rosa, personId: null }, { id: 5 })).toBe(false);
    expect(pressedTwice(undefined, { id: 5 })).toBe(false);
  });

  it('counts a change as just now for PRESSED_TWICE_SECONDS, either side of the clock', () => {
    const later = (seconds: number) => new Date(at.getTime() + seconds * 1000);
    expect(isJustNow(at, at)).toBe(true);
    expect(isJustNow(at, later(PRESSED_TWICE_SECONDS))).toBe(true);
    expect(isJustNow(at, later(PRESSED_TWICE_SECONDS + 1))).toBe(false);
    expect(isJustNow(at, later(-1))).toBe(true);
  });

  it('names who made the change, and when, in the University’s time; "you" to them', () => {
    expect(byWhomAndWhen(rosa, { id: 6 })).toBe('by Rosa Storage on 27 November 2026 at 10:00');
    expect(byWhomAndWhen(rosa, { id: 5 })).toBe('by you on 27 November 2026 at 10:00');
  });
});
