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

/** The licence history's entries whose reasons are the service team's notes about a lock. */
const LOCK_ACTIONS: ReadonlySet<string> = new Set(['locked', 'unlocked']);
const LOCK_NOTES = ['reason', 'lockReason'];

function withoutNotes(values: Record<string, unknown> | null): Record<string, unknown> | null {
  if (!values) return values;
  return Object.fromEntries(Object.entries(values).filter(([key]) => !LOCK_NOTES.includes(key)));
}

/**
 * A licence's history as its customers read it: the locks and unlocks stay (that it was locked,
 * when and by whom), without the reasons the service team gave, which are for staff only.
 */
export function withoutLockReasons<
  T extends {
    entityType: string;
    action: string;
    before: Record<string, unknown> | null;
    after: Record<string, unknown> | null;
  },
>(history: readonly T[]): T[] {
  return history.map((event) =>
    event.entityType === 'licence' && LOCK_ACTIONS.has(event.action)
      ? { ...event, before: withoutNotes(event.before), after: withoutNotes(event.after) }
      : event,
  );
}
