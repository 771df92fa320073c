import { AppError } from '../../platform/web/errors.ts';

/**
 * A licence the service team has locked (a dispute, an audit, a migration) must not change until
 * they unlock it: not by staff edits, and not by its customers (adding people or projects,
 * renewing, growing, handing over ownership). Every code path that changes a licence calls
 * assertLicenceUnlocked first, inside the transaction that makes the change, on the row it read
 * there (SELECT … FOR UPDATE), so a lock taken a moment earlier is respected. Pure.
 */
export interface LicenceLockState {
  lockedAt: Date | null;
  lockReason: string | null;
}

export function isLicenceLocked(licence: LicenceLockState): boolean {
  return licence.lockedAt !== null;
}

/**
 * Why this licence cannot change now, or undefined when it can. Customers are told it is locked
 * and whom to ask; the reason is the service team's note and is shown to staff only.
 */
export function licenceLockProblem(
  licence: LicenceLockState,
  audience: 'customer' | 'staff' = 'customer',
): string | undefined {
  if (!isLicenceLocked(licence)) return undefined;
  if (audience === 'staff') {
    const reason = licence.lockReason ? ` (${licence.lockReason})` : '';
    return `This licence is locked${reason}. Unlock it before changing it.`;
  }
  return 'This licence is locked by the storage team, so it cannot be changed at the moment. Contact the storage team if you need to change it.';
}

/** Throws a 409 conflict with licenceLockProblem's message when the licence is locked. */
export function assertLicenceUnlocked(licence: LicenceLockState, audience: 'customer' | 'staff' = 'customer'): void {
  const problem = licenceLockProblem(licence, audience);
  if (problem) throw new AppError('conflict', problem);
}
