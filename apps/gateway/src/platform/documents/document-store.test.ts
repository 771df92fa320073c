import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { REJECTED_KEYS } from '../../../test/support/document-store-contract.ts';
import { assertValidDocumentKey, InvalidDocumentKeyError } from './document-store.ts';

describe('document keys', () => {
  it.each(['po/2026/7f9c1a52-3b1e-4c8e-9f7d-2d6a1b0c9e11.pdf', 'invoice.pdf', 'a', 'po/2026/order_1-final.v2.pdf'])(
    'accepts %s',
    (key) => {
      expect(() => assertValidDocumentKey(key)).not.toThrow();
    },
  );

  it.each(REJECTED_KEYS)('rejects %j', (key) => {
    expect(() => assertValidDocumentKey(key)).toThrow(InvalidDocumentKeyError);
  });

  it('never lets an accepted key resolve outside the folder it is joined to', () => {
    const root = path.resolve('/srv/documents');
    const keyish = fc.string({ unit: fc.constantFrom('a', 'b', '0', '.', '/', '-', '_', '\\', 'A', ' ', '%') });
    fc.assert(
      fc.property(keyish, (key) => {
        let accepted = true;
        try {
          assertValidDocumentKey(key);
        } catch {
          accepted = false;
        }
        if (accepted) {
          const resolved = path.resolve(root, key);
          expect(resolved.startsWith(`${root}${path.sep}`)).toBe(true);
          expect(path.relative(root, resolved).split(path.sep).join('/')).toBe(key);
        }
      }),
      { numRuns: 2000 },
    );
  });
});
