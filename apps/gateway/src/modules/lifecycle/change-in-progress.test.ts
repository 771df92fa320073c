import { describe, expect, it } from 'vitest';
import { changeAfterStep, deletableRecoveryWords } from './change-in-progress.ts';

describe('a change order in progress when the nightly job moves its licence on', () => {
  const order = (kind: 'increase' | 'renewal' | 'recovery' | 'cancellation') => ({ reference: 'ORD-000013', kind });

  it('says a renewal restores a suspended licence, but not one in the cold store or due for deletion', () => {
    expect(changeAfterStep(order('renewal'), 'suspended')).toBe(
      'renewal ORD-000013 is waiting for approval, and makes it active again',
    );
    expect(changeAfterStep(order('renewal'), 'cold')).toBe(
      'renewal ORD-000013 was not approved in time and cannot renew it now: cancel that order, then order a recovery',
    );
    expect(changeAfterStep(order('renewal'), 'deletable')).toBe(
      'renewal ORD-000013 was not approved in time and cannot renew it now',
    );
  });

  it('says a recovery brings back a licence due for deletion', () => {
    expect(changeAfterStep(order('recovery'), 'deletable')).toBe(
      'recovery ORD-000013 is waiting for approval, and approving it brings the licence back',
    );
  });

  it('says more space or a cancellation can no longer be carried out once the licence has ended, and what comes first', () => {
    expect(changeAfterStep(order('increase'), 'suspended')).toBe(
      'order ORD-000013 (more space) can no longer be carried out now that it has ended: cancel that order, then renew',
    );
    expect(changeAfterStep(order('increase'), 'cold')).toBe(
      'order ORD-000013 (more space) can no longer be carried out now that it has ended: cancel that order, then order a recovery',
    );
    expect(changeAfterStep(order('increase'), 'deletable')).toBe(
      'order ORD-000013 (more space) can no longer be carried out now that it has ended',
    );
    expect(changeAfterStep(order('cancellation'), 'suspended')).toBe(
      'order ORD-000013 (cancellation) can no longer be carried out now that it has ended: cancel that order',
    );
  });

  it('explains a licence due for deletion by its recovery in progress, and nothing else', () => {
    const recovery = { reference: 'ORD-000007', kind: 'recovery', status: 'awaiting-approval' } as const;
    expect(deletableRecoveryWords('deletable', [recovery])).toBe(
      'Nothing is deleted while recovery ORD-000007 waits for approval: approving it brings the licence back.',
    );
    expect(deletableRecoveryWords('deletable', [{ ...recovery, status: 'provisioning' }])).toBe(
      'Nothing is deleted while recovery ORD-000007 is under way: it brings the licence back.',
    );
    expect(deletableRecoveryWords('deletable', [{ ...recovery, status: 'rejected' }])).toBeUndefined();
    expect(deletableRecoveryWords('deletable', [{ ...recovery, kind: 'renewal' }])).toBeUndefined();
    expect(deletableRecoveryWords('cold', [recovery])).toBeUndefined();
  });
});
