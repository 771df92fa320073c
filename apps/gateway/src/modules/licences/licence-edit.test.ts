import { describe, expect, it } from 'vitest';
import {
  changeOrderConflict,
  type LicenceEditable,
  licenceEditFormValues,
  licenceEditValues,
  parseLicenceEdit,
} from './licence-edit.ts';

const active: LicenceEditable = { sizeTb: 5, startDate: '2026-08-01', endDate: '2029-07-31', ownerCrsid: 'ar101' };
const limits = { minimumTb: 1, projectQuotaTb: 4 };

function form(changes: Record<string, string>): Record<string, string> {
  return { ...licenceEditValues(active), reason: 'Grant extended', ...changes };
}

describe('parseLicenceEdit', () => {
  it('returns only what changed, with the reason', () => {
    expect(parseLicenceEdit(form({ sizeTb: ' 8 ', endDate: '2030-07-31' }), active, limits)).toEqual({
      ok: true,
      value: { changes: { sizeTb: 8, endDate: '2030-07-31' }, reason: 'Grant extended' },
    });
    expect(parseLicenceEdit(form({ ownerCrsid: 'BM202' }), active, limits)).toEqual({
      ok: true,
      value: { changes: { ownerCrsid: 'bm202' }, reason: 'Grant extended' },
    });
  });

  it('changes only what its person changed on a form opened before another change', () => {
    // Opened while ar101 was the Data Owner and the size 5 TB; a colleague has since handed it to bm202.
    const now: LicenceEditable = { ...active, ownerCrsid: 'bm202' };
    const stale = { ...form({ endDate: '2030-07-31' }), shownSizeTb: '5', shownOwnerCrsid: 'ar101' };
    expect(parseLicenceEdit(stale, now, limits)).toEqual({
      ok: true,
      value: { changes: { endDate: '2030-07-31' }, reason: 'Grant extended' },
    });
    // A value its person changed that was changed meanwhile too is refused, naming what it is now.
    const resized: LicenceEditable = { ...active, sizeTb: 6 };
    expect(parseLicenceEdit({ ...form({ sizeTb: '8' }), shownSizeTb: '5' }, resized, limits)).toEqual({
      ok: false,
      errors: {
        sizeTb: "This licence's size was changed to 6 TB since this page was opened: check it, then save again",
      },
    });
    // …unless both made it the same.
    expect(parseLicenceEdit({ ...form({ sizeTb: '6' }), shownSizeTb: '5' }, resized, limits)).toMatchObject({
      ok: false,
      errors: { sizeTb: 'Nothing has changed: change the size, a date or the Data Owner' },
    });
  });

  it('shows a refused form again with what was typed, and the rest as the licence is now', () => {
    const now: LicenceEditable = { ...active, sizeTb: 6, ownerCrsid: 'bm202' };
    const posted = { ...form({ endDate: '2030-07-31', reason: 'x' }), shownSizeTb: '5', shownOwnerCrsid: 'ar101' };
    expect(licenceEditFormValues(now, posted)).toEqual({
      ...licenceEditValues(now),
      endDate: '2030-07-31',
      reason: 'x',
    });
    expect(licenceEditFormValues(now)).toEqual(licenceEditValues(now));
  });

  it('needs a reason', () => {
    expect(parseLicenceEdit(form({ sizeTb: '8', reason: ' ' }), active, limits)).toEqual({
      ok: false,
      errors: { reason: 'Enter the reason for this change' },
    });
  });

  it('refuses an edit that changes nothing', () => {
    expect(parseLicenceEdit(form({}), active, limits)).toEqual({
      ok: false,
      errors: { sizeTb: 'Nothing has changed: change the size, a date or the Data Owner' },
    });
  });

  it.each([
    ['', 'Enter the size in TB'],
    ['2.5', 'Enter the size as a whole number of TB, for example 5'],
    ['-3', 'Enter the size as a whole number of TB, for example 5'],
    ['3', 'The size must be at least 4 TB: the quotas of its storage projects add up to that'],
    ['10001', 'The size must be at most 10,000 TB'],
  ])('refuses the size %j: %s', (sizeTb, message) => {
    expect(parseLicenceEdit(form({ sizeTb }), active, limits)).toEqual({ ok: false, errors: { sizeTb: message } });
  });

  it('refuses a size under the product minimum', () => {
    expect(parseLicenceEdit(form({ sizeTb: '2' }), active, { minimumTb: 3, projectQuotaTb: 0 })).toEqual({
      ok: false,
      errors: { sizeTb: 'The size must be at least 3 TB, the product’s minimum' },
    });
  });

  it.each([
    [
      { startDate: '2026-02-30' },
      { startDate: 'Enter the start date as a real day: as year-month-day, for example 2027-08-01' },
    ],
    [
      { endDate: '31/07/2030' },
      { endDate: 'Enter the end date as a real day: as year-month-day, for example 2027-08-01' },
    ],
    [{ endDate: '2026-08-01' }, { endDate: 'The end date must be after the start date' }],
    [{ endDate: '2026-07-31' }, { endDate: 'The end date must be after the start date' }],
    [{ startDate: '' }, { startDate: 'Enter the start date' }],
    [
      { startDate: '', endDate: '' },
      { startDate: 'Enter the start date', endDate: 'Enter the end date' },
    ],
  ])('refuses the dates %j', (changes, errors) => {
    expect(parseLicenceEdit(form(changes), active, limits)).toEqual({ ok: false, errors });
  });

  it('lets a licence that is not set up keep no dates, or be given both', () => {
    const pending = { ...active, startDate: null, endDate: null };
    const values = { ...licenceEditValues(pending), reason: 'Bigger', sizeTb: '6' };
    expect(parseLicenceEdit(values, pending, limits)).toEqual({
      ok: true,
      value: { changes: { sizeTb: 6 }, reason: 'Bigger' },
    });
    expect(parseLicenceEdit({ ...values, startDate: '2026-12-01' }, pending, limits)).toEqual({
      ok: false,
      errors: { endDate: 'Enter the end date' },
    });
  });

  it.each([
    ['', 'Enter the CRSid of the Data Owner'],
    ['a', 'Enter the Data Owner’s CRSid, for example ab123'],
    ['ab 123', 'Enter the Data Owner’s CRSid, for example ab123'],
  ])('refuses the Data Owner %j: %s', (ownerCrsid, message) => {
    expect(parseLicenceEdit(form({ ownerCrsid }), active, limits)).toEqual({
      ok: false,
      errors: { ownerCrsid: message },
    });
  });
});

describe('an edit while a change order waits', () => {
  const renewal = { reference: 'ORD-000012', kind: 'renewal' as const };

  it('keeps the size and end date a renewal or recovery was priced on, and the end date of an increase', () => {
    expect(changeOrderConflict({ sizeTb: 6, endDate: '2028-01-31' }, renewal)).toEqual({
      sizeTb:
        "Order ORD-000012 (renewal) was priced on this licence's size and is not done yet: complete it, or cancel it, before changing the size",
      endDate:
        "Order ORD-000012 (renewal) was priced on this licence's end date and is not done yet: complete it, or cancel it, before changing the end date",
    });
    expect(changeOrderConflict({ sizeTb: 6 }, { ...renewal, kind: 'increase' })).toBeUndefined();
    expect(Object.keys(changeOrderConflict({ endDate: '2028-01-31' }, { ...renewal, kind: 'increase' }) ?? {})).toEqual(
      ['endDate'],
    );
    expect(Object.keys(changeOrderConflict({ sizeTb: 6 }, { ...renewal, kind: 'recovery' }) ?? {})).toEqual(['sizeTb']);
  });

  it('lets the Data Owner, the start date, and anything under a cancellation change', () => {
    expect(changeOrderConflict({ ownerCrsid: 'bm202', startDate: '2026-01-02' }, renewal)).toBeUndefined();
    expect(
      changeOrderConflict({ sizeTb: 6, endDate: '2028-01-31' }, { ...renewal, kind: 'cancellation' }),
    ).toBeUndefined();
  });
});

describe('the end date of a licence that has expired', () => {
  const expired = { ...active, startDate: '2025-08-01', endDate: '2026-07-31' };
  const expiredLimits = { ...limits, expiredAsOf: '2026-11-27' };
  const edit = (endDate: string) => ({ ...licenceEditValues(expired), reason: 'Correction', endDate });

  it('stays before today: a later one is a renewal', () => {
    for (const endDate of ['2026-11-27', '2027-07-31']) {
      expect(parseLicenceEdit(edit(endDate), expired, expiredLimits)).toEqual({
        ok: false,
        errors: {
          endDate:
            'This licence has expired, so its end date must stay before today (27 November 2026): to give it more time its Data Owner renews it (or recovers it from the cold store), which also brings its storage back into use',
        },
      });
    }
  });

  it('may move to another past day, and the rest may change as before', () => {
    expect(parseLicenceEdit(edit('2026-08-31'), expired, expiredLimits)).toEqual({
      ok: true,
      value: { changes: { endDate: '2026-08-31' }, reason: 'Correction' },
    });
    expect(parseLicenceEdit({ ...edit('2026-07-31'), sizeTb: '6' }, expired, expiredLimits)).toMatchObject({
      ok: true,
    });
  });
});
