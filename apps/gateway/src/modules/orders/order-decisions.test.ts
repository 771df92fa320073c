import { describe, expect, it } from 'vitest';
import {
  approvalConflict,
  approvalEmailParagraphs,
  canApproveNow,
  canRecheckNow,
  canRejectNow,
  type DecidableOrder,
  decidedAs,
  decisionConflictMessage,
  orderInWords,
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
