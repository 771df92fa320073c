import { describe, expect, it } from 'vitest';
import { countWords, singular } from './paging.tsx';

describe('counting what a list holds', () => {
  it('says one of each in the singular, "entries" and "people" too', () => {
    expect(singular('licences')).toBe('licence');
    expect(singular('entries')).toBe('entry');
    expect(singular('people')).toBe('person');
    expect(countWords(1, 'entries')).toBe('1 entry');
    expect(countWords(1_250, 'entries')).toBe('1,250 entries');
  });
});
