import { describe, expect, it } from 'vitest';
import { nextCheckDelayMinutes } from './payment-check.jobs.ts';

describe('nextCheckDelayMinutes', () => {
  it('doubles the wait after each try: 2, 4, 8, 16, 32 minutes', () => {
    expect([1, 2, 3, 4, 5].map(nextCheckDelayMinutes)).toEqual([2, 4, 8, 16, 32]);
  });

  it('never waits more than an hour, however many tries have failed', () => {
    expect(nextCheckDelayMinutes(6)).toBe(60);
    expect(nextCheckDelayMinutes(7)).toBe(60);
    expect(nextCheckDelayMinutes(100)).toBe(60);
    expect(nextCheckDelayMinutes(2000)).toBe(60);
  });
});
