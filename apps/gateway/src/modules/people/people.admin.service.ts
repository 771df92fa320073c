import type { Executor } from '../../platform/db/database.ts';
import type { FieldErrors } from '../../platform/web/components.tsx';
import { AppError } from '../../platform/web/errors.ts';
import { reasonField } from '../admin/manage-forms.ts';
import { personActor, recordAudit } from '../audit/audit.repository.ts';
import {
  type AdminPerson,
  deleteStaffRole,
  findPersonByCrsid,
  insertStaffRole,
  lockSuperusers,
} from './people.admin.repository.ts';
import type { PersonWithRoles } from './people.repository.ts';
import type { ServiceCode, StaffRole } from './people.tables.ts';
import { personWords } from './person-words.ts';
import { isSuperuser } from './staff-access.ts';
import { parseRoleChoice, roleRemovalProblem, staffRoleWords } from './staff-role-rules.ts';

/**
 * Staff roles in the back office. Every member of staff may look people up; only superusers grant
 * and remove staff roles, each with a reason, each change audited in its own transaction.
 */

export const personNotFound = () =>
  new AppError('not-found', 'There is nobody with that CRSid in the directory. Check it, or search for the person.');

export async function personForStaff(db: Executor, crsid: string): Promise<AdminPerson> {
  const person = await findPersonByCrsid(db, crsid);
  if (!person) throw personNotFound();
  return person;
}

function requireSuperuser(actor: PersonWithRoles): void {
  if (!isSuperuser(actor)) throw new AppError('forbidden', 'Only superusers can grant and remove staff roles.');
}

/** Inside the transaction, on the locked superuser rows: the actor is (still) a superuser. */
async function confirmSuperuser(tx: Executor, actor: PersonWithRoles): Promise<void> {
  if (!(await lockSuperusers(tx)).includes(actor.id)) {
    throw new AppError('forbidden', 'You are no longer a superuser, so you cannot change staff roles.');
  }
}

/**
 * What a staff role's audit entry records about the role. The audit pages list only the fields an
 * entry changed, so the codes (the person's CRSid, the role and its service: `codes`) go on both
 * sides, unchanged, and the person and the role in words (`named`: "Ben Manager (bm202)",
 * "Research storage team", as the people pages name them then) go only on the after side, where
 * they read as what the entry is about. Entries recorded before kept the codes as `person` and
 * `role` on both sides.
 */
function roleEntry(
  person: { displayName: string; crsid: string },
  grant: { role: StaffRole; service: ServiceCode | null },
) {
  return {
    codes: { crsid: person.crsid, kind: grant.role, service: grant.service },
    named: { person: personWords(person), role: staffRoleWords(grant) },
  };
}

export type RoleOutcome = { ok: true; message: string } | { ok: false; errors: FieldErrors };

export async function grantStaffRole(
  db: Executor,
  actor: PersonWithRoles,
  crsid: string,
  raw: Record<string, unknown>,
): Promise<RoleOutcome> {
  requireSuperuser(actor);
  const person = await personForStaff(db, crsid);
  const errors: FieldErrors = {};
  const choice = parseRoleChoice(raw.role);
  if (!choice) errors.role = 'Choose the role to grant';
  const reason = reasonField('Enter why the role is granted').safeParse(raw.reason ?? '');
  if (!reason.success) errors.reason = reason.error.issues[0]?.message;
  if (person.status !== 'current')
    errors.role = `${person.displayName} has left the University, so cannot be given a role`;
  if (!choice || !reason.success || errors.role) return { ok: false, errors };

  return db.transaction().execute(async (tx): Promise<RoleOutcome> => {
    await confirmSuperuser(tx, actor);
    const id = await insertStaffRole(tx, { personId: person.id, role: choice.role, service: choice.service });
    if (id === undefined) {
      return { ok: false, errors: { role: `${person.displayName} already has the role ${choice.label}` } };
    }
    const { codes, named } = roleEntry(person, choice);
    await recordAudit(tx, {
      actor: personActor(actor),
      entityType: 'staff-role',
      entityId: id,
      action: 'granted',
      before: { ...codes, held: false },
      after: { ...codes, held: true, ...named, reason: reason.data },
    });
    return { ok: true, message: `${person.displayName} now has the role ${choice.label}.` };
  });
}

export async function removeStaffRole(
  db: Executor,
  actor: PersonWithRoles,
  crsid: string,
  roleId: number,
  raw: Record<string, unknown>,
): Promise<RoleOutcome> {
  requireSuperuser(actor);
  const person = await personForStaff(db, crsid);
  const grant = person.staffRoles.find((role) => role.id === roleId);
  if (!grant)
    throw new AppError('not-found', `${person.displayName} has no such role: it may have been removed already.`);
  const problem = roleRemovalProblem(actor, { personId: person.id, role: grant.role });
  if (problem) throw new AppError('conflict', problem);
  const field = `reason-${roleId}`;
  const reason = reasonField('Enter why the role is removed').safeParse(raw[field] ?? '');
  if (!reason.success) return { ok: false, errors: { [field]: reason.error.issues[0]?.message } };

  return db.transaction().execute(async (tx): Promise<RoleOutcome> => {
    await confirmSuperuser(tx, actor);
    const removed = await deleteStaffRole(tx, person.id, roleId);
    if (!removed) {
      throw new AppError('conflict', `${person.displayName} no longer has that role: someone removed it a moment ago.`);
    }
    const { codes, named } = roleEntry(person, removed);
    await recordAudit(tx, {
      actor: personActor(actor),
      entityType: 'staff-role',
      entityId: roleId,
      action: 'removed',
      before: { ...codes, held: true },
      after: { ...codes, held: false, ...named, reason: reason.data },
    });
    return { ok: true, message: `${person.displayName} no longer has the role ${staffRoleWords(removed)}.` };
  });
}
