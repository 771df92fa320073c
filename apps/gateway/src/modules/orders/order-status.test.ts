import { describe, expect, it } from 'vitest';
import {
  canTransition,
  FINANCE_CODE_REFUSED_WORDS,
  isCancellable,
  isFinishedStatus,
  ORDER_KINDS,
  ORDER_STATUS_WORDS,
  ORDER_STATUSES,
  orderStatusWords,
} from './order-status.ts';

describe('what a customer reads for an order', () => {
  it('new storage: its status’s words', () => {
    for (const status of ['approved', 'provisioning', 'completed', 'provisioning-failed'] as const) {
      expect(orderStatusWords({ status, paymentCheckStatus: null, kind: 'new' })).toEqual(ORDER_STATUS_WORDS[status]);
    }
  });

  // A cancellation done read "The storage is set up and ready to use".
  it('a change of a licence, once approved, says what the change does, never that storage is set up', () => {
    for (const kind of ORDER_KINDS.filter((kind) => kind !== 'new')) {
      for (const status of ['approved', 'provisioning', 'completed', 'provisioning-failed'] as const) {
        const words = orderStatusWords({ status, paymentCheckStatus: 'valid', kind });
        expect(words.label).not.toMatch(/set(ting)? up/i);
        expect(words.explanation).not.toMatch(/set(ting)? up/);
      }
    }
    // While it is made, its label says what is being done ("Being set up" is said of new storage).
    const labels = (status: 'provisioning' | 'provisioning-failed') =>
      ORDER_KINDS.filter((kind) => kind !== 'new').map(
        (kind) => orderStatusWords({ status, paymentCheckStatus: 'valid', kind }).label,
      );
    expect(labels('provisioning')).toEqual([
      'Adding the space',
      'Renewing',
      'Recovering the data',
      'Cancelling the licence',
    ]);
    expect(labels('provisioning-failed')).toEqual([
      'Adding the space (delayed)',
      'Renewing (delayed)',
      'Recovering the data (delayed)',
      'Cancelling the licence (delayed)',
    ]);
    expect(orderStatusWords({ status: 'approved', paymentCheckStatus: 'valid', kind: 'increase' }).label).toBe(
      'Approved',
    );
    expect(orderStatusWords({ status: 'completed', paymentCheckStatus: null, kind: 'cancellation' }).explanation).toBe(
      'The licence is cancelled: its storage can no longer be used.',
    );
    expect(orderStatusWords({ status: 'approved', paymentCheckStatus: 'valid', kind: 'renewal' }).explanation).toBe(
      'The order is approved; the storage team will renew the licence next.',
    );
  });

  it('before approval a change reads as any order; a refused finance code asks for another', () => {
    expect(orderStatusWords({ status: 'awaiting-approval', paymentCheckStatus: 'valid', kind: 'increase' })).toEqual(
      ORDER_STATUS_WORDS['awaiting-approval'],
    );
    expect(
      orderStatusWords({ status: 'awaiting-payment-check', paymentCheckStatus: 'invalid', kind: 'renewal' }),
    ).toEqual(FINANCE_CODE_REFUSED_WORDS);
  });
});

describe('finished orders and cancelling', () => {
  it('an order is finished once nothing can move it on: completed, rejected or cancelled', () => {
    expect(ORDER_STATUSES.filter(isFinishedStatus)).toEqual(['completed', 'rejected', 'cancelled']);
  });

  it('its customers may cancel an order until its storage is being set up, not while it is', () => {
    expect(ORDER_STATUSES.filter(isCancellable)).toEqual([
      'submitted',
      'awaiting-payment-check',
      'awaiting-approval',
      'approved',
    ]);
    expect(canTransition('provisioning', 'cancel')).toBe(false);
    expect(canTransition('provisioning', 'cancel-failed')).toBe(false);
  });
});
