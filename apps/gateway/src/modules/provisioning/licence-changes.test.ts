import { describe, expect, it } from 'vitest';
import {
  type ChangeOrder,
  changeEmailWords,
  changeInstructions,
  decideChange,
  type LicenceNow,
} from './licence-changes.ts';

const licence = (status: LicenceNow['status'], more: Partial<LicenceNow> = {}): LicenceNow => ({
  status,
  sizeTb: 5,
  endDate: '2027-02-28',
  lockedAt: null,
  lockReason: null,
  ...more,
});
const order = (kind: ChangeOrder['kind'], more: Partial<ChangeOrder> = {}): ChangeOrder => ({
  reference: 'ORD-000042',
  kind,
  sizeTb: 5,
  endsOn: kind === 'renewal' || kind === 'recovery' ? '2028-02-29' : null,
  ...more,
});

describe('what completing a change order does to its licence', () => {
  it('adds the TB of an increase, keeping the status and end date', () => {
    expect(decideChange(order('increase', { sizeTb: 3 }), licence('active'))).toEqual({
      ok: true,
      after: { status: 'active', sizeTb: 8, endDate: '2027-02-28' },
      change: { addedTb: 3, newSizeTb: 8 },
      restored: false,
    });
  });

  it('moves the end date of a renewal, restoring a suspended licence (back-dated across 29 February)', () => {
    expect(decideChange(order('renewal'), licence('active'))).toMatchObject({
      after: { status: 'active', endDate: '2028-02-29' },
      change: { newEndDate: '2028-02-29' },
      restored: false,
    });
    expect(decideChange(order('renewal'), licence('suspended'))).toMatchObject({
      after: { status: 'active', endDate: '2028-02-29' },
      change: { newEndDate: '2028-02-29', restore: 'read-write' },
      restored: true,
    });
  });

  it('brings a cold licence back with a recovery, and cancels a pending or active one', () => {
    expect(decideChange(order('recovery'), licence('cold'))).toMatchObject({
      after: { status: 'active', endDate: '2028-02-29' },
      change: { restore: 'from-cold-store' },
    });
    // ordered in the cold store, completed after the nightly job marked it due for deletion (its data is still on tape)
    expect(decideChange(order('recovery'), licence('deletable'))).toMatchObject({
      after: { status: 'active', endDate: '2028-02-29' },
      change: { restore: 'from-cold-store' },
      restored: true,
    });
    for (const status of ['pending', 'active'] as const) {
      expect(decideChange(order('cancellation'), licence(status))).toMatchObject({
        after: { status: 'cancelled' },
        change: { removeAccess: true },
      });
    }
  });

  it.each([
    ['increase', ['pending', 'suspended', 'cold', 'deletable', 'deleted', 'cancelled']],
    ['renewal', ['pending', 'cold', 'deletable', 'deleted', 'cancelled']],
    ['recovery', ['pending', 'active', 'suspended', 'deleted', 'cancelled']],
    ['cancellation', ['suspended', 'cold', 'deletable', 'deleted', 'cancelled']],
  ] as const)('refuses %s of a licence that is %j, saying why', (kind, statuses) => {
    for (const status of statuses) {
      const outcome = decideChange(order(kind), licence(status));
      expect(outcome.ok).toBe(false);
      if (!outcome.ok)
        expect(outcome.problem).toMatch(/^Order ORD-000042 cannot be completed: .* Nothing was changed\./);
    }
  });

  it('points a renewal of a cold licence to a recovery, and refuses any change to a locked licence', () => {
    expect(decideChange(order('renewal'), licence('cold'))).toEqual({
      ok: false,
      problem:
        'Order ORD-000042 cannot be completed: a renewal applies to a licence that is active or expired – read-only, and this one is in the cold store now. Nothing was changed. Cancel this order; the customer can order a recovery instead.',
    });
    expect(decideChange(order('increase'), licence('active', { lockedAt: new Date(), lockReason: 'audit' }))).toEqual({
      ok: false,
      problem: 'Order ORD-000042 cannot be completed: This licence is locked (audit). Unlock it before changing it.',
    });
  });

  it('refuses a renewal or recovery without a new end date', () => {
    expect(decideChange(order('renewal', { endsOn: null }), licence('active')).ok).toBe(false);
  });

  it('says what to do on the storage, and what changed in the email', () => {
    const increase = decideChange(order('increase', { sizeTb: 3 }), licence('active'));
    if (!increase.ok) throw new Error(increase.problem);
    // The licence grows, not its projects: they keep their quotas until the Data Owner gives the space.
    const projects = [{ name: 'imaging-2026', quotaTb: 5 }];
    expect(changeInstructions(order('increase', { sizeTb: 3 }), increase, projects)).toBe(
      'The licence grows by 3 TB to 8 TB. Leave the quotas of its storage projects as they are (imaging-2026 5 TB): the Data Owner gives the new space to a project on its page, and that quota change then comes to you as an access change.',
    );
    expect(changeEmailWords(order('increase', { sizeTb: 3 }), 'Imaging', increase, projects)).toEqual({
      headline: 'Your storage is bigger: Imaging',
      paragraphs: [
        'The licence “Imaging” is now 8 TB: 3 TB added by order ORD-000042.',
        "The 3 TB is the licence's to give to its storage projects: their quotas stay as they were (imaging-2026 5 TB) until the Data Owner or a Data Manager gives one more on the licence's page.",
        'The licence still ends on 28 February 2027.',
      ],
      give: "Give the 3 TB to a storage project on the licence's page",
    });
    const renewal = decideChange(order('renewal'), licence('suspended'));
    if (!renewal.ok) throw new Error(renewal.problem);
    expect(changeEmailWords(order('renewal'), 'Imaging', renewal)).toEqual({
      headline: 'Your storage licence is renewed: Imaging',
      paragraphs: [
        '“Imaging” is renewed by order ORD-000042: it now ends on 29 February 2028.',
        'It had expired and was read-only; it is active and can be changed again (restored).',
        'We will remind the Data Owner and Data Managers before it ends.',
      ],
    });
  });
});
