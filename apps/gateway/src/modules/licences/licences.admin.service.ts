import type { Clock } from '../../platform/clock.ts';
import type { Executor } from '../../platform/db/database.ts';
import type { Directory } from '../../platform/directory/index.ts';
import type { JobQueue } from '../../platform/jobs/jobs.ts';
import { queueEmail } from '../../platform/mail/mail.jobs.ts';
import { quoted } from '../../platform/mail/quoted.ts';
import type { Provisioner } from '../../platform/provisioner/provisioner.ts';
import type { FieldErrors } from '../../platform/web/components.tsx';
import { AppError } from '../../platform/web/errors.ts';
import { reasonField } from '../admin/manage-forms.ts';
import { type AuditEvent, listLicenceAudit, personActor, recordAudit } from '../audit/audit.repository.ts';
import { licenceDeletedNotice, type SiteLinks } from '../lifecycle/lifecycle.service.ts';
import { changeInProgress } from '../orders/change-orders.service.ts';
import { ORDER_KIND_WORDS } from '../orders/order-status.ts';
import type { FinanceCodeChecker } from '../payments/finance-code-check.ts';
import { findPeopleByCrsids, type PersonWithRoles } from '../people/people.repository.ts';
import {
  addPeopleFromDirectory,
  type DirectoryLookup,
  directoryUnreachableMessage,
  leftUniversityMessage,
} from '../people/people-from-directory.ts';
import { canManageService, isServiceStaff } from '../people/staff-access.ts';
import { changeOrderConflict, EXPIRED_STATUSES, type LicenceEditable, parseLicenceEdit } from './licence-edit.ts';
import { holdsStorage } from './licence-figures.ts';
import {
  alreadyLockedOrUnlocked,
  assertLicenceUnlocked,
  type LicenceLockAction,
  staleLockAction,
} from './licence-lock.ts';
import {
  afterPeopleChange,
  emailManagersOfNewOwner,
  emailNewRole,
  emailReplacedOwner,
  syncLicenceGroups,
} from './licence-members.service.ts';
import {
  type AdminLicenceDetail,
  clearLicenceLock,
  findDeletionNoticeFacts,
  findLicenceForStaff,
  findLicenceService,
  type LicenceUpdate,
  type LockedLicenceRow,
  lockLicenceForChange,
  markLicenceDeleted,
  removeLicenceManager,
  setLicenceLock,
  updateLicence,
} from './licences.admin.repository.ts';
import { latestChanges } from './licences.repository.ts';
import { byWhomAndWhen, pressedTwice } from './pressed-twice.ts';

/**
 * Licences in the back office: read by their service's staff (and Finance and superusers),
 * changed only by their service's team and superusers, each change with a reason, in one
 * transaction with its audit row, and never while the licence is locked.
 */
export interface LicencesAdminContext {
  db: Executor;
  clock: Clock;
  /** Where a deletion's notice to the Data Owner is queued, and the links it carries. */
  jobs: JobQueue;
  site: SiteLinks;
  /** Where another finance code for a closed one is checked (replaceClosedFinanceCode). */
  cufs: FinanceCodeChecker;
  /** With the manual provisioner, a change of the Data Owner or the size leaves the licence waiting for an access change. */
  provisioner: Pick<Provisioner, 'automatic'>;
  /** Where a new Data Owner who has not signed in yet is found, as the hand-over finds them (editLicence). */
  directory: Directory;
}

export const licenceNotFound = () =>
  new AppError('not-found', 'There is no licence with that number. Check it, or search the licences.');

/** The licence's service, or a 404 for an id that is no licence. */
export async function licenceServiceOf(db: Executor, id: number | undefined) {
  const service = id === undefined ? undefined : await findLicenceService(db, id);
  if (!service) throw licenceNotFound();
  return service;
}

export interface LicenceForStaff {
  licence: AdminLicenceDetail;
  history: AuditEvent[];
  /** Whether the person may edit and lock it (its service's team, superusers). */
  canManage: boolean;
}

export async function licenceForStaff(db: Executor, person: PersonWithRoles, id: number): Promise<LicenceForStaff> {
  const licence = await findLicenceForStaff(db, id);
  if (!licence) throw licenceNotFound();
  if (!isServiceStaff(person, licence.service)) {
    throw new AppError('forbidden', `This is the ${licence.service} storage team's work.`);
  }
  const history = await listLicenceAudit(db, id);
  return { licence, history, canManage: canManageService(person, licence.service) };
}

export type ChangeOutcome = { ok: true; message: string } | { ok: false; errors: FieldErrors };

function requireManager(person: PersonWithRoles, service: Parameters<typeof canManageService>[1]): void {
  if (!canManageService(person, service)) {
    throw new AppError('forbidden', `Only the ${service} storage team can do this.`);
  }
}

/**
 * Changes a licence's size, dates or Data Owner. The row is locked for the transaction, so the
 * checks (the lock, the projects' quotas) hold when it is written; the audit row keeps what it
 * was, what it became and why.
 */
export async function editLicence(
  context: LicencesAdminContext,
  person: PersonWithRoles,
  id: number,
  raw: Record<string, unknown>,
): Promise<ChangeOutcome> {
  const service = await licenceServiceOf(context.db, id);
  requireManager(person, service);
  const lookup = await lookUpOwner(context, id, raw.ownerCrsid);
  return context.db.transaction().execute(async (tx): Promise<ChangeOutcome> => {
    const row = await lockLicenceForChange(tx, id);
    if (!row) throw licenceNotFound();
    assertLicenceUnlocked(row, 'staff');
    const current: LicenceEditable = {
      sizeTb: row.sizeTb,
      startDate: row.startDate,
      endDate: row.endDate,
      ownerCrsid: row.ownerCrsid,
    };
    const parsed = parseLicenceEdit(raw, current, {
      minimumTb: row.minimumTb,
      projectQuotaTb: row.projectQuotaTb,
      expiredAsOf: EXPIRED_STATUSES.includes(row.status) ? context.clock.today().toString() : undefined,
    });
    if (!parsed.ok) return parsed;
    const { changes, reason } = parsed.value;
    // A renewal, recovery or increase waiting to be done keeps the size and end date it was priced on.
    const waiting = await changeInProgress(tx, id);
    const conflict = waiting ? changeOrderConflict(changes, waiting) : undefined;
    if (conflict) return { ok: false, errors: conflict };

    const update: LicenceUpdate = {};
    if (changes.sizeTb !== undefined) update.sizeTb = changes.sizeTb;
    if (changes.startDate !== undefined) update.startDate = changes.startDate;
    if (changes.endDate !== undefined) update.endDate = changes.endDate;
    const owners =
      changes.ownerCrsid === undefined ? [] : await findPeopleByCrsids(tx, [changes.ownerCrsid, row.ownerCrsid]);
    const newOwner = owners.find((each) => each.crsid === changes.ownerCrsid);
    const oldOwner = owners.find((each) => each.id === row.ownerPersonId);
    if (changes.ownerCrsid !== undefined) {
      if (newOwner?.status !== 'current') {
        return { ok: false, errors: { ownerCrsid: notAnOwner(changes.ownerCrsid, newOwner, lookup) } };
      }
      update.ownerPersonId = newOwner.id;
    }

    await updateLicence(tx, id, update, context.clock.now());
    if (newOwner) {
      // The new Data Owner holds that role only (not also a Data Manager's), as after a hand-over;
      // the storage groups follow, a leaver replaced loses their flag now, and the new owner is told,
      // and so is the old one (unless they have left the University): not a Data Manager either, they
      // lose the access the role gave them.
      await removeLicenceManager(tx, id, newOwner.id);
      await afterPeopleChange(context, tx, id, personActor(person));
      // A licence that has ended (cancelled or deleted) is a record now: nothing to tell its owners.
      if (holdsStorage(row.status)) {
        await emailNewRole(
          context,
          tx,
          newOwner,
          `You are now the Data Owner of ${quoted(row.name)}`,
          `The storage team has made you the Data Owner of the storage licence ${quoted(row.name)}: you are now responsible for it and for who may use it.`,
          `/storage/licence/${id}/`,
        );
        if (oldOwner?.status === 'current') await emailReplacedOwner(context, tx, oldOwner, newOwner, row, false);
        if (oldOwner)
          await emailManagersOfNewOwner(context, tx, { id, name: row.name }, 'The storage team', newOwner, oldOwner);
      }
    } else if (changes.sizeTb !== undefined) {
      // The size is in what the storage's groups are synced with (sizeTb): a new size alone syncs them
      // too (with a new Data Owner, afterPeopleChange's sync carries it).
      await syncLicenceGroups(context, tx, id);
    }
    const before: Record<string, unknown> = {};
    const after: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(changes)) {
      const name = key === 'ownerCrsid' ? 'dataOwner' : key;
      before[name] = current[key as keyof LicenceEditable];
      after[name] = value;
    }
    await recordAudit(tx, {
      actor: personActor(person),
      entityType: 'licence',
      entityId: id,
      action: 'edited',
      before,
      after: { ...after, reason },
      licenceId: id,
    });
    return { ok: true, message: 'The licence is changed, and the change is recorded in its history.' };
  });
}

/**
 * The Data Owner typed, looked up as the hand-over looks them up (licence-members.service.ts
 * proposedOwner): first in the University directory, which adds someone who has not signed in yet
 * to the gateway's people, then among the people (the edit's own transaction). Outside that
 * transaction, since the directory may take seconds to answer; and only once the licence may be
 * edited now (not locked), so that a refused edit adds nobody, as the hand-over's refuseBeforeLookUp.
 * CRSids the gateway knows already, and text that is no CRSid, are not looked up.
 */
async function lookUpOwner(
  context: Pick<LicencesAdminContext, 'db' | 'directory'>,
  id: number,
  typed: unknown,
): Promise<DirectoryLookup | undefined> {
  if (typeof typed !== 'string' || typed.trim() === '') return undefined;
  await context.db.transaction().execute(async (tx) => {
    const row = await lockLicenceForChange(tx, id);
    if (!row) throw licenceNotFound();
    assertLicenceUnlocked(row, 'staff');
  });
  return addPeopleFromDirectory(context.db, context.directory, [typed]);
}

/** Why `crsid` cannot be made the Data Owner: the directory could not be asked, they have left, or nobody has it. */
function notAnOwner(
  crsid: string,
  known: { displayName: string; status: string } | undefined,
  lookup: DirectoryLookup | undefined,
): string {
  if (lookup?.unreachable.has(crsid)) return directoryUnreachableMessage(crsid);
  const leaverName = known && known.status !== 'current' ? known.displayName : lookup?.left.get(crsid);
  if (leaverName !== undefined) return `${leftUniversityMessage(leaverName, crsid)}, so cannot be the Data Owner`;
  return `There is no current member of the University with the CRSid ${crsid}`;
}

function parseReason(
  raw: Record<string, unknown>,
  field: string,
  missing: string,
): { reason: string } | { errors: FieldErrors } {
  const parsed = reasonField(missing).safeParse(raw[field] ?? '');
  if (!parsed.success) return { errors: { [field]: parsed.error.issues[0]?.message ?? missing } };
  return { reason: parsed.data };
}

/**
 * The licence read FOR UPDATE for a deletion confirmation (a lock or an unlock: licenceToLockOrUnlock),
 * or the 409 that says what it is now when the page the action came from is stale (staleLockAction):
 * its state is checked before the reason typed, whose field the page no longer shows.
 */
async function licenceReadyFor(tx: Executor, id: number, action: LicenceLockAction): Promise<LockedLicenceRow> {
  const row = await lockLicenceForChange(tx, id);
  if (!row) throw licenceNotFound();
  const stale = staleLockAction(action, row);
  if (stale) throw new AppError('conflict', stale);
  return row;
}

const LOCKED = 'The licence is locked: nobody can change it until it is unlocked.';
const UNLOCKED = 'The licence is unlocked: it can be changed again.';

/**
 * The licence read FOR UPDATE for a lock or an unlock, as licenceReadyFor reads it, or the answer
 * when it is locked or unlocked already: the same request (same reason) by the same person a moment ago is
 * the button pressed twice, answered as the first was (pressed-twice.ts); anything else is the 409
 * naming who locked or unlocked it, and when (staleLockAction's words when its history does not say).
 */
async function licenceToLockOrUnlock(
  tx: Executor,
  person: PersonWithRoles,
  id: number,
  action: 'lock' | 'unlock',
  raw: Record<string, unknown>,
): Promise<{ row: LockedLicenceRow } | { done: ChangeOutcome }> {
  const row = await lockLicenceForChange(tx, id);
  if (!row) throw licenceNotFound();
  const stale = staleLockAction(action, row);
  if (!stale) return { row };
  const [latest] = await latestChanges(tx, { type: 'licence', id }, ['locked', 'unlocked'], 1);
  if (latest?.action !== (action === 'lock' ? 'locked' : 'unlocked')) throw new AppError('conflict', stale);
  const reason = parseReason(raw, action === 'lock' ? 'lockReason' : 'unlockReason', '');
  if ('reason' in reason && reason.reason === latest.after?.reason && pressedTwice(latest, person)) {
    return { done: { ok: true, message: action === 'lock' ? LOCKED : UNLOCKED } };
  }
  throw new AppError('conflict', alreadyLockedOrUnlocked(action, byWhomAndWhen(latest, person), row.lockReason));
}

/** Locks a licence against changes (staff edits and its customers' own) until it is unlocked. */
export async function lockLicence(
  context: LicencesAdminContext,
  person: PersonWithRoles,
  id: number,
  raw: Record<string, unknown>,
): Promise<ChangeOutcome> {
  const service = await licenceServiceOf(context.db, id);
  requireManager(person, service);
  return context.db.transaction().execute(async (tx): Promise<ChangeOutcome> => {
    const ready = await licenceToLockOrUnlock(tx, person, id, 'lock', raw);
    if ('done' in ready) return ready.done;
    const reason = parseReason(raw, 'lockReason', 'Enter why the licence is locked');
    if ('errors' in reason) return { ok: false, errors: reason.errors };
    const at = context.clock.now();
    if (!(await setLicenceLock(tx, id, { personId: person.id, reason: reason.reason, at }))) {
      throw new AppError('conflict', 'This licence is already locked: someone may have locked it a moment ago.');
    }
    await recordAudit(tx, {
      actor: personActor(person),
      entityType: 'licence',
      entityId: id,
      action: 'locked',
      before: { locked: false },
      after: { locked: true, reason: reason.reason },
      licenceId: id,
    });
    return { ok: true, message: LOCKED };
  });
}

/**
 * The service team confirms that a deletable licence's data is deleted (nothing is deleted by
 * the nightly job): the licence becomes deleted, with the reason in its history.
 */
export async function confirmLicenceDeletion(
  context: LicencesAdminContext,
  person: PersonWithRoles,
  id: number,
  raw: Record<string, unknown>,
): Promise<ChangeOutcome> {
  const service = await licenceServiceOf(context.db, id);
  requireManager(person, service);
  return context.db.transaction().execute(async (tx): Promise<ChangeOutcome> => {
    await licenceReadyFor(tx, id, 'confirm-deletion');
    const reason = parseReason(raw, 'deletionReason', 'Enter why the data can be deleted');
    if ('errors' in reason) return { ok: false, errors: reason.errors };
    // A recovery (or other change) ordered before the licence became deletable is the customer
    // asking for the data back: it is decided before the data is deleted, not lost under it.
    const waiting = await changeInProgress(tx, id);
    if (waiting) {
      return {
        ok: false,
        errors: {
          deletionReason: `Order ${waiting.reference} (${ORDER_KIND_WORDS[waiting.kind].toLowerCase()}) is waiting for this licence: decide it, or cancel it, before confirming the deletion`,
        },
      };
    }
    if (!(await markLicenceDeleted(tx, id, context.clock.now()))) {
      throw new AppError(
        'conflict',
        'This licence is not due for deletion, or it is locked: someone may have changed it a moment ago.',
      );
    }
    await recordAudit(tx, {
      actor: personActor(person),
      entityType: 'licence',
      entityId: id,
      action: 'deletion confirmed',
      before: { status: 'deletable' },
      after: { status: 'deleted', reason: reason.reason },
      licenceId: id,
    });
    const { licence, to } = await findDeletionNoticeFacts(tx, id);
    if (licence.endDate && ('owner' in to || to.managerEmails.length > 0)) {
      await queueEmail(
        tx,
        licenceDeletedNotice(context.site, to, { ...licence, endDate: licence.endDate }),
        context.jobs,
      );
    }
    return { ok: true, message: 'The deletion is recorded: the licence is deleted.' };
  });
}

export async function unlockLicence(
  context: LicencesAdminContext,
  person: PersonWithRoles,
  id: number,
  raw: Record<string, unknown>,
): Promise<ChangeOutcome> {
  const service = await licenceServiceOf(context.db, id);
  requireManager(person, service);
  return context.db.transaction().execute(async (tx): Promise<ChangeOutcome> => {
    const ready = await licenceToLockOrUnlock(tx, person, id, 'unlock', raw);
    if ('done' in ready) return ready.done;
    const { row } = ready;
    const reason = parseReason(raw, 'unlockReason', 'Enter why the licence is unlocked');
    if ('errors' in reason) return { ok: false, errors: reason.errors };
    if (!(await clearLicenceLock(tx, id, context.clock.now()))) {
      throw new AppError('conflict', 'This licence is not locked: someone may have unlocked it a moment ago.');
    }
    await recordAudit(tx, {
      actor: personActor(person),
      entityType: 'licence',
      entityId: id,
      action: 'unlocked',
      before: { locked: true, lockReason: row.lockReason },
      after: { locked: false, reason: reason.reason },
      licenceId: id,
    });
    return { ok: true, message: UNLOCKED };
  });
}
