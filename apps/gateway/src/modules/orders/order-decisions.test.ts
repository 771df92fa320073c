import { describe, expect, it } from 'vitest';
import {
  approvalConflict,
  approvalEmailParagraphs,
  approvalNote,
  canApproveNow,
  cancelNeedsReason,
  canRecheckNow,
  canRejectNow,
  changeNoLongerPossibleWords,
  type DecidableOrder,
  decidedAs,
  decisionConflictMessage,
  lockedLicenceNotice,
  orderInWords,
  parseCancelReason,
  parseRejectReason,
  REJECT_REASON_MAX,
} from './order-decisions.ts';
import { ORDER_STATUSES } from './order-status.ts';

const order: DecidableOrder = {
  reference: 'ORD-000042',
  status: 'awaiting-approval',
  buyer: { id: 1 },
  licence: { owner: { id: 2 }, managerIds: [3] },
  payment: { method: 'finance-code', checkStatus: 'valid' },
};

describe('approvalConflict', () => {
  it('lets someone with no part in the order approve it', () => {
    expect(approvalConflict(9, order)).toBeUndefined();
  });

  it('refuses the buyer, the Data Owner and a Data Manager, saying why', () => {
    expect(approvalConflict(1, order)).toMatch(/You placed order ORD-000042 yourself/);
    expect(approvalConflict(2, order)).toMatch(/Data Owner/);
    expect(approvalConflict(3, order)).toMatch(/Data Manager/);
  });
});

describe('which decisions a state allows', () => {
  it('approves only orders waiting for approval', () => {
    expect(ORDER_STATUSES.filter((status) => canApproveNow({ ...order, status }))).toEqual(['awaiting-approval']);
  });

  it('rejects orders waiting for a payment check or approval', () => {
    expect(ORDER_STATUSES.filter((status) => canRejectNow({ ...order, status }))).toEqual([
      'awaiting-payment-check',
      'awaiting-approval',
    ]);
  });

  it('re-checks a finance code not yet checked or refused, while the order waits for its check', () => {
    const waiting = { ...order, status: 'awaiting-payment-check' as const };
    expect(canRecheckNow({ ...waiting, payment: { method: 'finance-code', checkStatus: 'pending' } })).toBe(true);
    expect(canRecheckNow({ ...waiting, payment: { method: 'finance-code', checkStatus: 'invalid' } })).toBe(true);
    expect(canRecheckNow({ ...waiting, payment: { method: 'finance-code', checkStatus: 'valid' } })).toBe(false);
    expect(canRecheckNow({ ...waiting, payment: { method: 'purchase-order', checkStatus: 'not-needed' } })).toBe(false);
    expect(canRecheckNow({ ...order, payment: { method: 'finance-code', checkStatus: 'pending' } })).toBe(false);
  });
});

describe('parseRejectReason', () => {
  it('needs a reason, trimmed, of at most the maximum length', () => {
    expect(parseRejectReason('  The PO is for another department.  ')).toEqual({
      ok: true,
      reason: 'The PO is for another department.',
    });
    expect(parseRejectReason('')).toMatchObject({ ok: false, error: expect.stringMatching(/Enter the reason/) });
    expect(parseRejectReason(' \n\t ')).toMatchObject({ ok: false });
    expect(parseRejectReason(undefined)).toMatchObject({ ok: false });
    expect(parseRejectReason('x'.repeat(REJECT_REASON_MAX))).toMatchObject({ ok: true });
    expect(parseRejectReason('x'.repeat(REJECT_REASON_MAX + 1))).toMatchObject({
      ok: false,
      error: 'The reason must be 1,000 characters or fewer',
    });
  });
});

describe('decisionConflictMessage', () => {
  const at = new Date('2026-11-27T10:04:00Z');

  it('names who was quicker and when', () => {
    expect(
      decisionConflictMessage('ORD-000042', 'approve', { status: 'approved', decidedBy: 'Rosa Smith', decidedAt: at }),
    ).toBe('Order ORD-000042 was already approved by Rosa Smith on 27 November 2026 at 10:04.');
    expect(
      decisionConflictMessage('ORD-000042', 'approve', { status: 'completed', decidedBy: 'Rosa Smith', decidedAt: at }),
    ).toMatch(/already approved by Rosa Smith/);
    expect(
      decisionConflictMessage('ORD-000042', 'reject', { status: 'rejected', decidedBy: 'Ivan Fox', decidedAt: at }),
    ).toMatch(/already rejected by Ivan Fox/);
  });

  it('tells the person who decided it that they did', () => {
    expect(
      decisionConflictMessage('ORD-000042', 'reject', { status: 'approved', decidedBy: 'you', decidedAt: at }),
    ).toBe('Order ORD-000042 was already approved by you on 27 November 2026 at 10:04.');
  });

  it('knows which statuses each decision leaves an order in', () => {
    expect(ORDER_STATUSES.filter((status) => decidedAs(status, 'approve'))).toEqual(
      expect.arrayContaining(['approved', 'provisioning', 'provisioning-failed', 'completed']),
    );
    expect(ORDER_STATUSES.filter((status) => decidedAs(status, 'approve'))).toHaveLength(4);
    expect(ORDER_STATUSES.filter((status) => decidedAs(status, 'reject'))).toEqual(['rejected']);
  });

  it('says what state the order is in when nobody decided it', () => {
    expect(
      decisionConflictMessage('ORD-000042', 'approve', { status: 'cancelled', decidedBy: null, decidedAt: null }),
    ).toBe('Order ORD-000042 is not waiting for approval: its status is “Cancelled”.');
    expect(
      decisionConflictMessage('ORD-000042', 'reject', { status: 'cancelled', decidedBy: null, decidedAt: null }),
    ).toBe('Order ORD-000042 can no longer be rejected: its status is “Cancelled”.');
  });
});

describe('the emails about a decision', () => {
  const decided = {
    reference: 'ORD-000042',
    sizeTb: 5,
    product: { name: 'Research Data Store', serviceName: 'Research Computing Services' },
    licence: { name: 'Imaging' },
  };

  it('says what each kind of order is for', () => {
    expect(orderInWords({ ...decided, kind: 'new' })).toBe('5 TB of Research Data Store, “Imaging”');
    expect(orderInWords({ ...decided, kind: 'increase', sizeTb: 2 })).toBe(
      '2 TB more of Research Data Store for “Imaging”',
    );
    expect(orderInWords({ ...decided, kind: 'renewal' })).toBe('the renewal of “Imaging” (Research Data Store)');
    expect(orderInWords({ ...decided, kind: 'recovery' })).toBe(
      'the recovery of “Imaging” (Research Data Store) from the cold store',
    );
    expect(orderInWords({ ...decided, kind: 'cancellation' })).toBe(
      'the cancellation of “Imaging” (Research Data Store)',
    );
  });

  it('promises storage set up only for new storage, and removed access for a cancellation', () => {
    expect(approvalEmailParagraphs({ ...decided, kind: 'new' })[1]).toMatch(/set the storage up/);
    expect(approvalEmailParagraphs({ ...decided, kind: 'cancellation' })[1]).toMatch(/remove everyone’s access/);
    for (const kind of ['increase', 'renewal', 'recovery'] as const) {
      expect(approvalEmailParagraphs({ ...decided, kind })[1]).toBe(
        'The storage team will now make the change. We will email you again when it is done.',
      );
    }
  });
});

describe('a cancellation of a licence never set up', () => {
  const cancellation = {
    reference: 'ORD-000042',
    kind: 'cancellation' as const,
    sizeTb: 5,
    product: { name: 'Research Data Store', serviceName: 'Research Computing Services' },
  };

  it('is approved in its own words: the licence ends and its storage is not set up, nobody’s access removed', () => {
    const pending = approvalEmailParagraphs({ ...cancellation, licence: { name: 'Imaging', status: 'pending' } });
    expect(pending[1]).toMatch(/^The storage team will now end the licence: its storage will not be set up/);
    expect(pending.join(' ')).not.toContain('access');
    expect(approvalEmailParagraphs({ ...cancellation, licence: { name: 'Imaging', status: 'active' } })[1]).toMatch(
      /remove everyone’s access/,
    );
    expect(approvalNote('cancellation', 'pending')).toBe(
      'Approving tells the buyer and the Data Owner that the licence will end and its storage will not be set up.',
    );
    expect(approvalNote('cancellation', 'active')).toMatch(/access to the licence’s storage will be removed/);
  });
});

describe('cancelling a customer’s order', () => {
  const customerOrder = { buyer: { id: 1 }, licence: { owner: { id: 2 } } };

  it('needs a reason from staff who are neither its buyer nor its Data Owner, as rejecting does', () => {
    expect(cancelNeedsReason({ id: 1 }, customerOrder)).toBe(false);
    expect(cancelNeedsReason({ id: 2 }, customerOrder)).toBe(false);
    expect(cancelNeedsReason({ id: 9 }, customerOrder)).toBe(true);
    expect(parseCancelReason('  Asked  by the department ')).toEqual({ ok: true, reason: 'Asked by the department' });
    expect(parseCancelReason(' ')).toEqual({
      ok: false,
      error: 'Enter the reason for cancelling the order: the buyer will read it',
    });
    expect(parseCancelReason('x'.repeat(REJECT_REASON_MAX + 1))).toMatchObject({ ok: false });
  });
});

describe('a change order its licence has moved on from', () => {
  const renewal = {
    kind: 'renewal' as const,
    status: 'awaiting-approval' as const,
    licence: { status: 'cold' as const },
  };

  it('tells its people, while it can still be cancelled, to cancel it and order what the licence needs now', () => {
    expect(changeNoLongerPossibleWords(renewal, true)).toBe(
      'This renewal can no longer be carried out: a renewal applies to a licence that is active or expired – read-only, and this one is in the cold store now. Cancel this order (nothing will be charged for it), then order a recovery.',
    );
    expect(changeNoLongerPossibleWords(renewal, false)).toMatch(
      /The buyer or the Data Owner can cancel it \(nothing will be charged for it\), then order a recovery\.$/,
    );
    expect(
      changeNoLongerPossibleWords({ kind: 'increase', status: 'approved', licence: { status: 'suspended' } }, true),
    ).toMatch(/^This order for more space can no longer be carried out: .* then renew the licence\.$/);
    expect(changeNoLongerPossibleWords({ ...renewal, licence: { status: 'suspended' } }, true)).toBeUndefined();
    // Being done, or done: not a thing to cancel.
    expect(changeNoLongerPossibleWords({ ...renewal, status: 'provisioning' }, true)).toBeUndefined();
    expect(changeNoLongerPossibleWords({ ...renewal, kind: 'new' }, true)).toBeUndefined();
  });
});

describe('lockedLicenceNotice', () => {
  const lock = { lockedAt: new Date('2026-11-20T10:00:00Z'), lockReason: 'Billing dispute' };

  it('says the licence is locked and why, and that provisioning waits for the unlock while the order has it ahead', () => {
    expect(lockedLicenceNotice({ reference: 'ORD-000042', status: 'awaiting-approval' }, lock)).toEqual({
      locked: 'The licence is locked (Billing dispute).',
      waits:
        'Provisioning waits for the unlock: order ORD-000042 cannot be marked as provisioned until the licence is unlocked. It can still be approved.',
    });
    expect(lockedLicenceNotice({ reference: 'ORD-000042', status: 'approved' }, lock)?.waits).not.toContain('approved');
    expect(lockedLicenceNotice({ reference: 'ORD-000042', status: 'completed' }, lock)).toEqual({
      locked: 'The licence is locked (Billing dispute).',
    });
    expect(
      lockedLicenceNotice({ reference: 'ORD-000042', status: 'approved' }, { lockedAt: null, lockReason: null }),
    ).toBeUndefined();
  });
});
