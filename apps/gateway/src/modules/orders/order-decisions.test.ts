import { describe, expect, it } from 'vitest';
import {
  approvalConflict,
  canApproveNow,
  canRecheckNow,
  canRejectNow,
  type DecidableOrder,
  decisionConflictMessage,
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
    ).toBe('Order ORD-000042 was already approved by Rosa Smith at 27 November 2026 at 10:04.');
    expect(
      decisionConflictMessage('ORD-000042', 'approve', { status: 'completed', decidedBy: 'Rosa Smith', decidedAt: at }),
    ).toMatch(/already approved by Rosa Smith/);
    expect(
      decisionConflictMessage('ORD-000042', 'reject', { status: 'rejected', decidedBy: 'Ivan Fox', decidedAt: at }),
    ).toMatch(/already rejected by Ivan Fox/);
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
