import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { describeFinanceCode, formatGlCode, type GlCode, isIsoDate, parseGlCode, parseGrant } from './finance-code.ts';

const letter = fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZ');
const alnum = fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789');
const word = (first: fc.Arbitrary<string>[], rest: number) =>
  fc.tuple(...first, ...Array.from({ length: rest }, () => alnum)).map((chars) => chars.join(''));
const glCode: fc.Arbitrary<GlCode> = fc.record({
  costCentre: word([letter, letter], 2),
  sourceOfFunds: word([letter], 3),
  transactionCode: fc.option(word([], 4), { nil: null }),
});
const separator = fc.constantFrom('.', '-', '/', ' ', ' . ', '');

describe('calendar dates', () => {
  it('knows real days in every century, the first ones included', () => {
    expect(isIsoDate('2028-02-29')).toBe(true);
    expect(isIsoDate('2026-02-29')).toBe(false);
    expect(isIsoDate('0050-01-01')).toBe(true);
    expect(isIsoDate('0050-02-29')).toBe(false);
  });
});

describe('GL codes', () => {
  it('reads back every well-formed code it writes', () => {
    fc.assert(
      fc.property(glCode, (code) => {
        expect(parseGlCode(formatGlCode(code))).toEqual({ ok: true, value: code });
      }),
    );
  });

  it('ignores case, surrounding space and the separator between parts', () => {
    fc.assert(
      fc.property(glCode, separator, fc.boolean(), (code, sep, lower) => {
        const parts = [code.costCentre, code.sourceOfFunds, code.transactionCode].filter(
          (p): p is string => p !== null,
        );
        const written = ` ${parts.join(sep)} `;
        expect(parseGlCode(lower ? written.toLowerCase() : written)).toEqual({ ok: true, value: code });
      }),
    );
  });

  it('never throws, and anything it accepts is in canonical form once written', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 30 }), (text) => {
        const parsed = parseGlCode(text);
        if (parsed.ok)
          expect(formatGlCode(parsed.value)).toMatch(/^[A-Z]{2}[A-Z0-9]{2}\.[A-Z][A-Z0-9]{3}(\.[A-Z0-9]{4})?$/);
        else expect(parsed.problems.length).toBeGreaterThan(0);
      }),
    );
  });

  it('upper-cases a to z only: a letter that upper-cases to one of them is no letter of a code', () => {
    expect(parseGlCode('phaa.gaaa')).toMatchObject({ ok: true });
    for (const code of ['phaa.\u0131aaa', 'PHAA.\u017fAAA', 'PH\u212aA.GAAA'])
      expect(parseGlCode(code).ok, code).toBe(false);
    expect(parseGrant({ award: 'rg94772', project: 'pha\u0131', task: '1' }).ok).toBe(false);
  });

  it('calls malformed any code with a character outside letters, digits and separators', () => {
    fc.assert(
      fc.property(glCode, fc.constantFrom('*', '_', ',', '£', 'é', '\u0000'), (code, bad) => {
        const parsed = parseGlCode(`${formatGlCode(code)}${bad}`);
        expect(parsed.ok).toBe(false);
      }),
    );
  });

  it('explains what is wrong', () => {
    expect(parseGlCode('')).toMatchObject({ ok: false, problems: [{ field: 'code', message: /Enter a GL code/ }] });
    expect(parseGlCode('PHAA')).toMatchObject({ ok: false, problems: [{ message: /4-character cost centre/ }] });
    expect(parseGlCode('12AA.GAAA')).toMatchObject({ ok: false, problems: [{ message: /must start with 2 letters/ }] });
  });
});

describe('grants', () => {
  const award = fc
    .tuple(fc.constantFrom('RG', 'G'), fc.integer({ min: 100, max: 99_999_999 }))
    .map(([p, n]) => `${p}${n}`);
  const project = fc.stringMatching(/^[A-Z0-9]{4,12}$/);
  const task = fc.stringMatching(/^[0-9]{1,3}(\.[0-9]{1,3}){0,2}$/);

  it('accepts every well-formed award, project and task, in either case', () => {
    fc.assert(
      fc.property(award, project, task, (a, p, t) => {
        expect(parseGrant({ award: a.toLowerCase(), project: ` ${p.toLowerCase()}`, task: t })).toEqual({
          ok: true,
          value: { award: a, project: p, task: t },
        });
      }),
    );
  });

  it('names each field that fails, and only those', () => {
    expect(parseGrant({ award: 'RG94772', project: 'PHAG0042', task: '1.1' }).ok).toBe(true);
    const bad = parseGrant({ award: 'AB123', project: 'PHAG0042', task: '1.' });
    expect(!bad.ok && bad.problems.map((p) => p.field)).toEqual(['award', 'task']);
    const empty = parseGrant({});
    expect(!empty.ok && empty.problems.map((p) => p.message)).toEqual([
      expect.stringMatching(/Enter the award number/),
      expect.stringMatching(/Enter the project number/),
      expect.stringMatching(/Enter the task number/),
    ]);
  });

  it('describes a code as people read it', () => {
    expect(describeFinanceCode({ kind: 'grant', award: 'RG94772', project: 'PHAG0042', task: '1.1' })).toBe(
      'RG94772 / PHAG0042 / 1.1',
    );
    expect(describeFinanceCode({ kind: 'gl', costCentre: 'PHAA', sourceOfFunds: 'GAAA', transactionCode: null })).toBe(
      'PHAA.GAAA',
    );
  });
});
