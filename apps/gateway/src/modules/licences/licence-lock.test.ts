import { describe, expect, it } from 'vitest';
import { AppError } from '../../platform/web/errors.ts';
import { assertLicenceUnlocked, isLicenceLocked, licenceLockProblem } from './licence-lock.ts';

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
