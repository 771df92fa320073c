import type { FastifyRequest } from 'fastify';
import { personActor, recordAudit } from '../../modules/audit/audit.repository.ts';
import { licenceNotFound, notSeenInApi, projectNotFound } from '../../modules/licences/licence-links.ts';
import { findLicenceForPerson, findProjectForPerson } from '../../modules/licences/licences.repository.ts';
import { findOrderFor } from '../../modules/orders/orders.service.ts';
import { findPersonWithRoles, type PersonWithRoles } from '../../modules/people/people.repository.ts';
import { findQuoteFor } from '../../modules/quotes/quotes.service.ts';
import type { Clock } from '../clock.ts';
import type { Executor } from '../db/database.ts';
import { AppError } from '../web/errors.ts';
import { isStaff, type ViewAsSession } from './current-person.ts';
import { timeOfDay, viewEnd, viewHasEnded, viewServices } from './view-as-rules.ts';

/**
 * Viewing the site as a customer sees it. A member of staff starts it in the back office
 * (/admin/view-as); their session then carries `viewAs`, and on every request the identity
 * plugin calls applyViewAs: request.person becomes the customer, with the customer's own rights
 * and no staff role, so every page, and the JSON API under this session, shows exactly what the
 * customer sees. Nothing can be changed meanwhile: every unsafe request except stopping (and
 * signing out) is refused here, before any route runs. Bearer tokens are never affected.
 *
 * A view shows only what both may see (view-as-rules.ts): a record the address names (a licence,
 * storage project, order with its documents, or quote) of a service the member of staff does not
 * work on is the same 404 here as for anyone who may not see it, and lists take the view's
 * services (request.viewingAs.services). A view ends on its own at its endsAt (VIEW_AS_MINUTES
 * after it started): the member of staff is told so, and the trail records it as any other end.
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
export async function applyViewAs(request: FastifyRequest, context: { db: Executor; clock: Clock }): Promise<void> {
  const { db } = context;
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
  const endsAt = viewEnd(view);
  if (!endsAt || viewHasEnded(endsAt, context.clock.now())) {
    // This request is answered as the member of staff: a page shows them this.
    request.session.flash = viewEndedMessage(view.crsid, endsAt);
    return end('its time ran out');
  }
  const customer = await findPersonWithRoles(db, view.personId);
  if (!customer) return end(`${view.crsid} has left`);

  const services = viewServices(staff);
  request.viewingAs = { staff, reason: view.reason, endsAt, services };
  request.person = asCustomer(customer);

  if (!UNSAFE_METHODS.has(request.method)) {
    if (services) await refuseRecordOutsideView(request, db, staff);
    return;
  }
  const route = request.routeOptions.url ?? '';
  if (!ALLOWED_WHILE_VIEWING.has(route)) throw new AppError('forbidden', READ_ONLY_WHILE_VIEWING);
  if (route === '/sign-out') {
    // Signing out ends the view with the session; say so in the trail.
    request.session.viewAs = undefined;
    await auditViewAsEnd(db, view, 'stopped', 'signed out');
  }
}

function viewEndedMessage(crsid: string, endsAt: Date | undefined): string {
  const at = endsAt ? ` at ${timeOfDay(endsAt)}` : '';
  return `Your view of the site as ${crsid} ended${at}, when its time ran out: you see the site as yourself again. To carry on, view the site as them again.`;
}

// The addresses that name one record (pages and the JSON API), by the route's own parameter.
const LICENCE_ROUTE = /^\/(storage\/licence|api\/licences)\/:id(\/|$)/;
const PROJECT_ROUTE = /^\/(storage\/project|api\/projects)\/:id(\/|$)/;
const ORDER_ROUTE = /^\/(api\/)?orders\/:reference(\/|$)/;
const QUOTE_ROUTE = /^\/(storage\/quotes|api\/quotes)\/:reference(\/|$)/;

/**
 * The record a read names, if the member of staff may not read it as themselves: a 404, as the
 * route gives anyone who may not see it (the order's and quote's own; the licence's and storage
 * project's words as their page and operation say them). Whoever may read the record as themselves
 * sees it as the customer does, or not at all, as the route decides.
 */
async function refuseRecordOutsideView(request: FastifyRequest, db: Executor, staff: PersonWithRoles): Promise<void> {
  const route = request.routeOptions.url ?? '';
  const params = (request.params ?? {}) as Record<string, string | undefined>;
  const api = route.startsWith('/api/');
  if (ORDER_ROUTE.test(route) && params.reference) await findOrderFor(db, staff, params.reference);
  if (QUOTE_ROUTE.test(route) && params.reference) await findQuoteFor(db, staff, params.reference);
  const id = recordId(params.id);
  if (id === undefined) return;
  if (LICENCE_ROUTE.test(route) && !(await findLicenceForPerson(db, staff, id))) {
    throw api ? notSeenInApi(`licence ${id}`) : licenceNotFound();
  }
  if (PROJECT_ROUTE.test(route) && !(await findProjectForPerson(db, staff, id))) {
    throw api ? notSeenInApi(`storage project ${id}`) : projectNotFound();
  }
}

/** A record id from the address; anything else is left to the route, which refuses it itself. */
function recordId(text: string | undefined): number | undefined {
  return text !== undefined && /^[1-9][0-9]{0,14}$/.test(text) ? Number(text) : undefined;
}

/** The customer as they are when they sign in themselves, minus any staff power. */
function asCustomer(person: PersonWithRoles): PersonWithRoles {
  return { ...person, staffRoles: [] };
}
