import { AppError } from '../../platform/web/errors.ts';
import { LICENCE_STATUS_WORDS } from './licence-status.ts';
import type { LicenceStatus } from './licences.tables.ts';

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

/** The back office's actions on a licence's lock and end, each with its reason field. */
export type LicenceLockAction = 'lock' | 'unlock' | 'confirm-deletion';

// The refusal's page links back to the licence as it is now (licences.admin.routes.tsx).
const NOTHING_CHANGED = 'Nothing was changed.';

/**
 * Why a lock, an unlock or a deletion confirmation does not apply to the licence as it is now (a
 * page shown before a colleague locked, unlocked or deleted it), or undefined when it does. Asked
 * first, before the reason typed, whose field the licence's page no longer shows once it has moved
 * on: the answer is a message for the whole page saying what the licence now is.
 */
export function staleLockAction(
  action: LicenceLockAction,
  licence: LicenceLockState & { status: LicenceStatus },
): string | undefined {
  const reason = licence.lockReason ? ` (${licence.lockReason})` : '';
  if (action === 'lock') {
    return isLicenceLocked(licence) ? `This licence is already locked${reason}. ${NOTHING_CHANGED}` : undefined;
  }
  if (action === 'unlock') {
    return isLicenceLocked(licence) ? undefined : `This licence is no longer locked. ${NOTHING_CHANGED}`;
  }
  if (licence.status !== 'deletable') {
    const now = LICENCE_STATUS_WORDS[licence.status].label.toLowerCase();
    return `This licence is ${now}, not due for deletion, so its deletion cannot be confirmed. ${NOTHING_CHANGED}`;
  }
  return isLicenceLocked(licence)
    ? `This licence is locked${reason}: unlock it before confirming its deletion. ${NOTHING_CHANGED}`
    : undefined;
}

/**
 * A lock or an unlock refused because a colleague (or the person, earlier) made it already: who and
 * when ("by Rosa Storage on …"), and the reason of a lock in force, for staff.
 */
export function alreadyLockedOrUnlocked(
  action: 'lock' | 'unlock',
  byWhomAndWhen: string,
  lockReason: string | null,
): string {
  if (action === 'unlock') return `This licence was already unlocked ${byWhomAndWhen}. ${NOTHING_CHANGED}`;
  const reason = lockReason ? ` (${lockReason})` : '';
  return `This licence was already locked ${byWhomAndWhen}${reason}. ${NOTHING_CHANGED}`;
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
