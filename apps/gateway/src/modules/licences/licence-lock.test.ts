import { describe, expect, it } from 'vitest';
import { AppError } from '../../platform/web/errors.ts';
import {
  assertLicenceUnlocked,
  isLicenceLocked,
  licenceLockProblem,
  staleLockAction,
  withoutLockReasons,
} from './licence-lock.ts';

const unlocked = { lockedAt: null, lockReason: null };
const locked = { lockedAt: new Date('2026-11-27T10:00:00Z'), lockReason: 'Ownership dispute' };

describe('licence locks', () => {
  it('lets an unlocked licence change', () => {
    expect(isLicenceLocked(unlocked)).toBe(false);
    expect(licenceLockProblem(unlocked)).toBeUndefined();
    expect(() => assertLicenceUnlocked(unlocked)).not.toThrow();
  });

  it('refuses a change to a locked licence with a 409, telling customers whom to ask and staff why', () => {
    expect(isLicenceLocked(locked)).toBe(true);
    const customer = (() => {
      try {
        assertLicenceUnlocked(locked);
      } catch (error) {
        return error;
      }
    })();
    expect(customer).toBeInstanceOf(AppError);
    expect((customer as AppError).status).toBe(409);
    expect((customer as AppError).publicMessage).toContain('locked by the storage team');
    expect((customer as AppError).publicMessage).not.toContain('Ownership dispute');
    expect(licenceLockProblem(locked, 'staff')).toBe(
      'This licence is locked (Ownership dispute). Unlock it before changing it.',
    );
  });
});

describe('the history customers read', () => {
  it('keeps that the licence was locked and unlocked, without the team’s reasons; other entries as they are', () => {
    const at = new Date('2026-11-27T10:00:00Z');
    const entry = (action: string, before: Record<string, unknown> | null, after: Record<string, unknown> | null) => ({
      occurredAt: at,
      actorLabel: 'if502',
      entityType: 'licence',
      entityId: '7',
      action,
      before,
      after,
    });
    const edited = entry('edited', { sizeTb: 2 }, { sizeTb: 3, reason: 'More room' });
    expect(
      withoutLockReasons([
        entry('locked', { locked: false }, { locked: true, reason: 'Ownership dispute' }),
        entry('unlocked', { locked: true, lockReason: 'Ownership dispute' }, { locked: false, reason: 'Settled' }),
        edited,
      ]),
    ).toEqual([
      entry('locked', { locked: false }, { locked: true }),
      entry('unlocked', { locked: true }, { locked: false }),
      edited,
    ]);
  });
});

describe('staleLockAction', () => {
  const active = { status: 'active' as const, ...unlocked };
  const lockedActive = { status: 'active' as const, ...locked };

  it('lets a lock, unlock or deletion confirmation through while the licence is as the page showed it', () => {
    expect(staleLockAction('lock', active)).toBeUndefined();
    expect(staleLockAction('unlock', lockedActive)).toBeUndefined();
    expect(staleLockAction('confirm-deletion', { ...active, status: 'deletable' })).toBeUndefined();
  });

  it('says what the licence is now when a colleague has moved it on', () => {
    expect(staleLockAction('lock', lockedActive)).toBe(
      'This licence is already locked (Ownership dispute). Nothing was changed.',
    );
    expect(staleLockAction('unlock', active)).toMatch(/^This licence is no longer locked\./);
    expect(staleLockAction('confirm-deletion', { ...active, status: 'deleted' })).toMatch(
      /^This licence is deleted, not due for deletion/,
    );
    expect(staleLockAction('confirm-deletion', { ...lockedActive, status: 'deletable' })).toMatch(
      /^This licence is locked \(Ownership dispute\): unlock it before confirming its deletion\./,
    );
  });
});
