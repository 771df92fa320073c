import * as z from 'zod';
import type { Clock } from '../../platform/clock.ts';
import type { Executor } from '../../platform/db/database.ts';
import type { ViewAsSession } from '../../platform/identity/current-person.ts';
import { auditViewAsEnd } from '../../platform/identity/view-as.ts';
import { viewEndsAt } from '../../platform/identity/view-as-rules.ts';
import type { FieldErrors } from '../../platform/web/components.tsx';
import { fieldErrorsOf } from '../../platform/web/forms.ts';
import { personActor, recordAudit } from '../audit/audit.repository.ts';
import { findPeopleByCrsids, type PersonWithRoles } from '../people/people.repository.ts';
import { formatInstant } from '../quotes/quote-rules.ts';

export const viewAsForm = z.object({
  crsid: z
    .string({ error: 'Enter the CRSid of the person whose view you need' })
    .trim()
    .min(1, 'Enter the CRSid of the person whose view you need')
    .max(20, 'A CRSid is 20 characters or fewer')
    .regex(/^[A-Za-z][A-Za-z0-9]*$/, 'A CRSid is letters then digits, such as ar101')
    .transform((value) => value.toLowerCase()),
  reason: z
    .string({ error: 'Say why you need to see the site as this person' })
    .trim()
    .min(1, 'Say why you need to see the site as this person, such as a ticket number')
    .max(500, 'The reason must be 500 characters or fewer'),
});

export type StartViewAsOutcome = { ok: true; view: ViewAsSession } | { ok: false; errors: FieldErrors };

/**
 * Starts viewing the site as a customer: checks the person is current and not the member of
 * staff themselves, and records who, whom and why in the audit trail. The caller puts the view
 * in the session. Any member of staff may (Finance included): the view is read-only and audited,
 * shows only the records of the services they work on (view-as-rules.ts), and ends on its own
 * `viewAsMinutes` after it starts.
 */
export async function startViewAs(
  context: { db: Executor; clock: Clock; viewAsMinutes: number },
  staff: PersonWithRoles,
  raw: unknown,
): Promise<StartViewAsOutcome> {
  const form = viewAsForm.safeParse(raw);
  if (!form.success) return { ok: false, errors: fieldErrorsOf(form.error) };
  const { crsid, reason } = form.data;
  const [person] = await findPeopleByCrsids(context.db, [crsid]);
  if (!person) return { ok: false, errors: { crsid: `There is nobody with the CRSid ${crsid}` } };
  if (person.id === staff.id) return { ok: false, errors: { crsid: 'You cannot view the site as yourself' } };
  if (person.status !== 'current') {
    return {
      ok: false,
      errors: { crsid: `${person.displayName} (${crsid}) has left: the site cannot be viewed as them` },
    };
  }
  const now = context.clock.now();
  const view: ViewAsSession = {
    staffPersonId: staff.id,
    staffCrsid: staff.crsid,
    personId: person.id,
    crsid: person.crsid,
    reason,
    // In words, as the site writes moments ("8 December 2026 at 01:45", London time): the trail's
    // entry for the view's end (auditViewAsEnd) records it as it is, and the audit pages show it so.
    startedAt: formatInstant(now),
    endsAt: viewEndsAt(now, context.viewAsMinutes).toISOString(),
  };
  await recordAudit(context.db, {
    actor: personActor(staff),
    entityType: 'view-as',
    entityId: person.id,
    action: 'started',
    after: { customer: person.crsid, reason },
  });
  return { ok: true, view };
}

/** Stops viewing, in the trail with the reason the view was started for. */
export async function stopViewAs(db: Executor, view: ViewAsSession): Promise<void> {
  await auditViewAsEnd(db, view, 'stopped', 'stopped by staff');
}
