import { describe, expect, it } from 'vitest';
import {
  answersFingerprint,
  changedSinceShown,
  parseConfiguration,
  payingDepartmentRefusal,
} from './purchase-configuration.ts';

const RCS = { code: 'RCS', minimumTb: 1, termsYears: [1, 3, 5, 10] };
const valid = {
  sizeTb: '5',
  termYears: '3',
  institutionId: 'PHYS',
  licenceName: 'Quantum archive',
  ownerCrsid: 'AR101',
  managerCrsids: 'bm202, bm202 da303',
  projectName: 'quantum-raw',
};

function errorsFor(overrides: Record<string, unknown>) {
  const result = parseConfiguration(RCS, { ...valid, ...overrides });
  if (result.ok) throw new Error('expected a refusal');
  return result.errors;
}

describe('parseConfiguration', () => {
  it('accepts a valid configuration, lower-casing CRSids and dropping repeated managers', () => {
    expect(parseConfiguration(RCS, valid)).toEqual({
      ok: true,
      value: { ...valid, sizeTb: 5, termYears: 3, ownerCrsid: 'ar101', managerCrsids: ['bm202', 'da303'] },
    });
  });

  it('accepts the JSON API shape: numbers as numbers and managers as a list', () => {
    const result = parseConfiguration(RCS, { ...valid, sizeTb: 2, termYears: 10, managerCrsids: ['bm202'] });
    expect(result).toMatchObject({ ok: true, value: { sizeTb: 2, termYears: 10, managerCrsids: ['bm202'] } });
  });

  it.each([
    ['0', 'The size must be at least 1 TB'],
    ['-3', 'The size must be at least 1 TB'],
    ['2.5', 'Enter the size as a whole number of TB, for example 5'],
    ['five', 'Enter the size as a whole number of TB, for example 5'],
    ['', 'Enter the size in TB'],
    ['10001', 'The size must be at most 10,000 TB; contact us for more'],
  ])('refuses the size %j with %j', (sizeTb, message) => {
    expect(errorsFor({ sizeTb }).sizeTb).toBe(message);
  });

  it('refuses a size below the product minimum', () => {
    const result = parseConfiguration({ ...RCS, minimumTb: 10 }, { ...valid, sizeTb: '9' });
    expect(result).toEqual({ ok: false, errors: { sizeTb: 'The size must be at least 10 TB' } });
  });

  it('refuses a term the product does not offer, naming the ones it does', () => {
    expect(errorsFor({ termYears: '2' }).termYears).toBe(
      'Choose one of the terms offered: 1 year, 3 years, 5 years, 10 years',
    );
    expect(errorsFor({ termYears: undefined }).termYears).toBe('Choose how long the licence lasts');
  });

  it('needs a department, an owner, a licence name and a usable project name', () => {
    const errors = errorsFor({ institutionId: '', ownerCrsid: ' ', licenceName: '', projectName: 'my project!' });
    expect(errors).toEqual({
      institutionId: 'Choose the department that pays for the storage',
      ownerCrsid: 'Enter the CRSid of the Data Owner',
      licenceName: 'Enter a name for the licence',
      projectName:
        'Use up to 40 letters, numbers, hyphens and underscores for the project name, starting with a letter or number',
    });
  });

  it('refuses a licence name of more than one line (it becomes part of email subjects)', () => {
    for (const licenceName of [
      'Quantum\narchive',
      'Quantum\r\nBcc: someone@example.com',
      'Quantum\tarchive',
      'Quantum\u2028archive',
      '\u202Egnp.exe',
      'Quantum \u2067archive\u2069',
    ]) {
      expect(errorsFor({ licenceName }).licenceName).toBe(
        'The licence name must be one line of plain text, without tabs, line breaks or invisible direction marks',
      );
    }
  });

  it('refuses a licence name of invisible characters only', () => {
    expect(errorsFor({ licenceName: '\u200b\u200b' }).licenceName).toBe('Enter a name for the licence');
    expect(parseConfiguration(RCS, { ...valid, licenceName: 'Zoë\u200barchive' }).ok).toBe(true);
  });

  it('reads a size written as the site writes sizes, "1,000"', () => {
    const parsed = parseConfiguration(RCS, { ...valid, sizeTb: '1,000' });
    expect(parsed.ok && parsed.value.sizeTb).toBe(1000);
  });

  it('refuses Data Managers that are not CRSids', () => {
    expect(errorsFor({ managerCrsids: 'bm202, Ben Manager!' }).managerCrsids).toContain('separated by commas');
  });
});

describe('changedSinceShown', () => {
  const answers = answersFingerprint({ configuration: { sizeTb: '5', ownerCrsid: 'ar101' }, payment: undefined });
  const now = { totalPence: 19_998, termsVersion: '2026-08', answers };

  it('lets an order through as the check page showed it, or when the form does not say what it showed', () => {
    expect(changedSinceShown({ totalPence: '19998', termsVersion: '2026-08' }, now)).toBeNull();
    expect(changedSinceShown({}, now)).toBeNull();
  });

  it('stops a total or terms that changed after the page was shown, naming the new ones', () => {
    expect(changedSinceShown({ totalPence: '27800', termsVersion: '2026-08' }, now)).toBe(
      'The price has changed since you checked your order: the total is now £199.98. Check the new price and accept the terms again to submit',
    );
    expect(changedSinceShown({ totalPence: '19998', termsVersion: '2025-08' }, now)).toBe(
      'The terms and conditions have changed since you checked your order: read version 2026-08 and accept them to submit',
    );
  });

  it('stops answers changed in another tab after the page was shown', () => {
    const other = answersFingerprint({ configuration: { sizeTb: '5', ownerCrsid: 'cb404' }, payment: undefined });
    expect(changedSinceShown({ totalPence: '19998', termsVersion: '2026-08', answers: other }, now)).toBe(
      'Your answers were changed in another tab or window after this page was shown: check them again and accept the terms to submit',
    );
    expect(changedSinceShown({ totalPence: '19998', termsVersion: '2026-08', answers }, now)).toBeNull();
  });
});

describe('answersFingerprint', () => {
  it('is the same for the same answers, whatever the order of their fields, and short', () => {
    const a = answersFingerprint({ configuration: { sizeTb: '5', termYears: '3' }, payment: { method: 'voucher' } });
    const b = answersFingerprint({ payment: { method: 'voucher' }, configuration: { termYears: '3', sizeTb: '5' } });
    expect(a).toBe(b);
    expect(a).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(answersFingerprint({ configuration: { sizeTb: '5', termYears: '1' } })).not.toBe(a);
  });
});

describe('parseConfiguration without a product (a body naming none on sale)', () => {
  it('checks what every product shares, so the other fields are told of too', () => {
    expect(parseConfiguration(null, { ...valid, termYears: '7' })).toMatchObject({ ok: true, value: { termYears: 7 } });
    const result = parseConfiguration(null, { ...valid, sizeTb: '0', termYears: 'long', licenceName: '' });
    expect(result).toEqual({
      ok: false,
      errors: {
        sizeTb: 'The size must be at least 1 TB',
        termYears: 'Choose the term as a whole number of years',
        licenceName: 'Enter a name for the licence',
      },
    });
  });
});

describe('payingDepartmentRefusal', () => {
  const physics = { id: 'PHYS', name: 'Department of Physics' };
  const chemistry = { id: 'CHEM', name: 'Yusuf Hamied Department of Chemistry' };

  it('lets the buyer’s own department or the Data Owner’s pay', () => {
    expect(payingDepartmentRefusal('PHYS', physics, chemistry)).toBeNull();
    expect(payingDepartmentRefusal('CHEM', physics, chemistry)).toBeNull();
    expect(payingDepartmentRefusal('PHYS', physics, null)).toBeNull();
  });

  it('lets a buyer with no department in the directory choose any', () => {
    expect(payingDepartmentRefusal('KINGS', null, chemistry)).toBeNull();
    expect(payingDepartmentRefusal('KINGS', null, null)).toBeNull();
  });

  it('refuses any other, naming the ones allowed', () => {
    expect(payingDepartmentRefusal('GEN', physics, chemistry)).toBe(
      'Choose your department, Department of Physics (PHYS), or the Data Owner’s: Yusuf Hamied Department of Chemistry (CHEM)',
    );
    expect(payingDepartmentRefusal('CHEM', physics, physics)).toBe(
      'Choose your department, Department of Physics (PHYS), which is also the Data Owner’s',
    );
    expect(payingDepartmentRefusal('CHEM', physics, null)).toBe(
      'Choose your department, Department of Physics (PHYS): the Data Owner has no department in the University directory',
    );
  });
});
