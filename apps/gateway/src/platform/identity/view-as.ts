import type { FastifyRequest } from 'fastify';
import { personActor, recordAudit } from '../../modules/audit/audit.repository.ts';
import { findPersonWithRoles, type PersonWithRoles } from '../../modules/people/people.repository.ts';
import type { Executor } from '../db/database.ts';
import { AppError } from '../web/errors.ts';
import { isStaff, type ViewAsSession } from './current-person.ts';

/**
 * Viewing the site as a customer sees it. A member of staff starts it in the back office
 * (/admin/view-as); their session then carries `viewAs`, and on every request the identity
 * plugin calls applyViewAs: request.person becomes the customer, with the customer's own rights
 * and no staff role, so every page, and the JSON API under this session, shows exactly what the
 * customer sees. Nothing can be changed meanwhile: every unsafe request except stopping (and
 * signing out) is refused here, before any route runs. Bearer tokens are never affected.
 */

export const VIEW_AS_STOP_PATH = '/admin/view-as/stop';
export const READ_ONLY_WHILE_VIEWING =
  'The site is read-only while viewing as a customer: nothing can be changed. Stop viewing to make changes.';

const UNSAFE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
/** The only changes allowed while viewing: ending the view, one way or the other. */
const ALLOWED_WHILE_VIEWING = new Set([VIEW_AS_STOP_PATH, '/sign-out']);

/** Records the end of a view in the audit trail (the actor is the member of staff). */
export async function auditViewAsEnd(
  db: Executor,
  view: ViewAsSession,
  action: 'stopped' | 'ended',
  why: string,
): Promise<void> {
  await recordAudit(db, {
    actor: personActor({ id: view.staffPersonId, crsid: view.staffCrsid }),
    entityType: 'view-as',
    entityId: view.personId,
    action,
    after: { customer: view.crsid, reason: view.reason, startedAt: view.startedAt, ended: why },
  });
}

/** Called by the identity plugin once request.person (the signed-in member of staff) is known. */
export async function applyViewAs(request: FastifyRequest, db: Executor): Promise<void> {
  const view = request.session.viewAs;
  const staff = request.person;
  if (!view || !staff) return;
  const end = async (why: string) => {
    request.session.viewAs = undefined;
    await auditViewAsEnd(db, view, 'ended', why);
  };
  // A session that changed hands, or staff who lost their role, see the site as themselves again.
  if (view.staffPersonId !== staff.id) return end('the session is no longer theirs');
  if (!isStaff(staff)) return end('their staff role was removed');
  const customer = await findPersonWithRoles(db, view.personId);
  if (!customer) return end(`${view.crsid} has left`);

  request.viewingAs = { staff, reason: view.reason };
  request.person = asCustomer(customer);

  if (!UNSAFE_METHODS.has(request.method)) return;
  const route = request.routeOptions.url ?? '';
  if (!ALLOWED_WHILE_VIEWING.has(route)) throw new AppError('forbidden', READ_ONLY_WHILE_VIEWING);
  if (route === '/sign-out') {
    // Signing out ends the view with the session; say so in the trail.
    request.session.viewAs = undefined;
    await auditViewAsEnd(db, view, 'stopped', 'signed out');
  }
}

/** The customer as they are when they sign in themselves, minus any staff power. */
function asCustomer(person: PersonWithRoles): PersonWithRoles {
  return { ...person, staffRoles: [] };
}
