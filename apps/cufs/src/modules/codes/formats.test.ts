import { describe, expect, it } from 'vitest';
import { formatGlCode, isIsoDate, parseAsOf, parseGlCode, parseGrant } from './formats.ts';

describe('chart-of-accounts formats', () => {
  it.each([
    ['PHAA.GAAA', 'PHAA.GAAA'],
    ['phaa gaaa', 'PHAA.GAAA'],
    ['PHAAGAAA', 'PHAA.GAAA'],
    ['PHAA-GAAA-LAAA', 'PHAA.GAAA.LAAA'],
    [' PHAA / GAAA ', 'PHAA.GAAA'],
    ['PHAAGAAALAAA', 'PHAA.GAAA.LAAA'],
  ])('reads the GL code %j as %s', (input, canonical) => {
    const parsed = parseGlCode(input);
    expect(parsed.ok && formatGlCode(parsed.value)).toBe(canonical);
  });

  it.each(['', 'PHA.GAAA', 'PHAAGAA', 'PHAA.GAAA.LAA', 'P1AA.GAAA', 'PHAA.9AAA', 'PHAA_GAAA', 'PHAA.GAAA.LAAA.MAAA'])(
    'calls %j malformed',
    (input) => {
      const parsed = parseGlCode(input);
      expect(parsed.ok).toBe(false);
      expect(!parsed.ok && parsed.problems[0]?.field).toBe('code');
    },
  );

  it('reads a grant, upper-casing the award and project, and names each field that is wrong', () => {
    expect(parseGrant({ award: 'rg94772', project: 'phag0042', task: ' 1.1 ' })).toEqual({
      ok: true,
      value: { award: 'RG94772', project: 'PHAG0042', task: '1.1' },
    });
    expect(parseGrant({ award: 'G100234', project: 'GEAG0017', task: '2' }).ok).toBe(true);
    const bad = parseGrant({ award: 'R12345', project: 'P', task: '1..2' });
    expect(!bad.ok && bad.problems.map((p) => p.field)).toEqual(['award', 'project', 'task']);
  });

  it('upper-cases a to z only: a letter that upper-cases to one of them is no letter of a code', () => {
    expect(parseGlCode('phaa.gaaa')).toMatchObject({ ok: true });
    for (const code of ['phaa.\u0131aaa', 'PHAA.\u017fAAA', 'PH\u212aA.GAAA'])
      expect(parseGlCode(code).ok, code).toBe(false);
    expect(parseGrant({ award: 'rg94772', project: 'pha\u0131', task: '1' }).ok).toBe(false);
  });

  it('knows real calendar dates, leap days included', () => {
    expect(isIsoDate('2028-02-29')).toBe(true);
    // the first centuries too (a placeholder such as 0001-01-01 in an extract)
    expect(isIsoDate('0050-01-01')).toBe(true);
    expect(isIsoDate('0004-02-29')).toBe(true);
    expect(isIsoDate('0050-02-29')).toBe(false);
    expect(isIsoDate('2026-02-29')).toBe(false);
    expect(isIsoDate('2026-13-01')).toBe(false);
    expect(isIsoDate('26-01-01')).toBe(false);
    expect(parseAsOf(undefined, '2026-11-27')).toEqual({ ok: true, value: '2026-11-27' });
    expect(parseAsOf('2026-04-31', '2026-11-27').ok).toBe(false);
  });
});
