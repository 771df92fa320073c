import { describe, expect, it } from 'vitest';
import { sizeText } from './sizes.ts';

describe('sizeText', () => {
  it('writes TB with thousands separators, as the pages say the limits', () => {
    expect(sizeText(1)).toBe('1 TB');
    expect(sizeText(999)).toBe('999 TB');
    expect(sizeText(10_000)).toBe('10,000 TB');
  });
});
