import type { Clock } from '../../platform/clock.ts';
import type { Executor } from '../../platform/db/database.ts';
import type { JobQueue } from '../../platform/jobs/jobs.ts';
import { type RenderedEmail, renderEmail } from '../../platform/mail/email-template.tsx';
import { quoted } from '../../platform/mail/quoted.ts';
import type { FieldErrors } from '../../platform/web/components.tsx';
import { AppError } from '../../platform/web/errors.ts';
import { personActor, recordAudit } from '../audit/audit.repository.ts';
import { orderBilledAlready } from '../billing/billing.service.ts';
import { assertLicenceUnlocked } from '../licences/licence-lock.ts';
import { currentManagerEmails } from '../licences/licences.repository.ts';
import type { LicenceStatus } from '../licences/licences.tables.ts';
import { checkFinanceCode, describeRefusal, type FinanceCodeChecker } from '../payments/finance-code-check.ts';
import { parseFinanceCodeText } from '../payments/payment-details.ts';
import type { PersonWithRoles } from '../people/people.repository.ts';
import type { ServiceCode } from '../people/people.tables.ts';
import { canManageService } from '../people/staff-access.ts';
import { formatDay } from '../quotes/quote-rules.ts';
import {
  type ClosedBillingCode,
  closedBillingCode,
  FINANCE_CODE_REPLACED,
  financeEmails,
  replaceBillingCode,
} from './finance-recheck.repository.ts';
import { financeCodeReplacedEmail } from './lifecycle.emails.tsx';
import type { SiteLinks } from './lifecycle.service.ts';
import { queueEmails } from './lifecycle-mail.ts';

/**
 * Giving another finance code for an active licence whose code the nightly re-check found closed
 * (finance-recheck.service.ts). Its Data Owner and Data Managers (who may pay for its renewals,
 * DESIGN.md §3) give it on the licence page, the licence's service team in the back office. The
 * code is checked with CUFS as at purchase; an open one becomes the code Finance bills the licence
 * to and the re-check reads (kept on the payment whose code closed), the flag clears, the history
 * records the old and new codes and who, and the Data Owner, the service team and Finance are told. The licence's latest completed order takes the new
 * code on its payment only while it is not billed yet (no billing file has held it: the new code
 * is the one to bill it to); once billed, its charge is frozen (DESIGN.md §2) and keeps the code
 * it was billed with, and Finance is told so, as a correction is a new line.
 */
export interface FinanceCodeReplacementContext {
  db: Executor;
  clock: Clock;
  jobs: JobQueue;
  cufs: FinanceCodeChecker;
  site: SiteLinks;
}

export type ReplacementOutcome = { ok: true; message: string } | { ok: false; errors: FieldErrors };

interface LicenceFacts {
  id: number;
  name: string;
  status: LicenceStatus;
  lockedAt: Date | null;
  lockReason: string | null;
  service: ServiceCode;
  teamEmail: string;
  owner: { id: number; displayName: string; email: string; current: boolean };
  /** Whether the person asking is one of its Data Managers, and still at the University. */
  isManager: boolean;
}

async function licenceFacts(
  db: Executor,
  person: PersonWithRoles,
  licenceId: number,
  forUpdate = false,
): Promise<LicenceFacts | undefined> {
  let query = db
    .selectFrom('licences')
    .innerJoin('products', 'products.code', 'licences.product_code')
    .innerJoin('services', 'services.code', 'products.service')
    .innerJoin('people as owner', 'owner.id', 'licences.owner_person_id')
    .select((eb) => [
      'licences.id',
      'licences.name',
      'licences.status',
      'licences.locked_at',
      'licences.lock_reason',
      'products.service',
      'services.team_email',
      'owner.id as owner_id',
      'owner.display_name as owner_name',
      'owner.email as owner_email',
      'owner.status as owner_status',
      eb
        .exists(
          eb
            .selectFrom('licence_managers')
            .select('licence_managers.person_id')
            .whereRef('licence_managers.licence_id', '=', 'licences.id')
            .where('licence_managers.person_id', '=', person.id),
        )
        .as('is_manager'),
    ])
    .where('licences.id', '=', licenceId);
  if (forUpdate) query = query.forUpdate('licences');
  const row = await query.executeTakeFirst();
  if (!row) return undefined;
  return {
    id: row.id,
    name: row.name,
    status: row.status,
    lockedAt: row.locked_at,
    lockReason: row.lock_reason,
    service: row.service,
    teamEmail: row.team_email,
    owner: {
      id: row.owner_id,
      displayName: row.owner_name,
      email: row.owner_email,
      current: row.owner_status === 'current',
    },
    isManager: Boolean(row.is_manager),
  };
}

/** Who may give another code: its Data Owner and Data Managers ('customer'), or its service's team ('staff'). */
function replacerOf(person: PersonWithRoles, licence: LicenceFacts): 'customer' | 'staff' | undefined {
  if (licence.owner.id === person.id || licence.isManager) return 'customer';
  return canManageService(person, licence.service) ? 'staff' : undefined;
}

/** Whether the licence page shows this person the form: flagged for a closed code, unlocked, and theirs to pay for. */
export async function mayReplaceClosedCode(db: Executor, person: PersonWithRoles, licenceId: number): Promise<boolean> {
  const licence = await licenceFacts(db, person, licenceId);
  if (!licence || licence.lockedAt || licence.status !== 'active' || !replacerOf(person, licence)) return false;
  return (await closedBillingCode(db, licenceId)) !== undefined;
}

const NOT_FLAGGED =
  'This licence’s finance code is not flagged as closed (any more), so there is nothing to replace. Reload the licence page to see it as it is now.';

export const CUFS_DOWN_MESSAGE =
  'The University Financial System cannot be reached just now, so this finance code could not be checked. Nothing has changed: try again in a few minutes';

/**
 * Replaces the closed billing code of licence `licenceId` with the code typed in `raw.financeCode`.
 * The caller has answered 404 to people who may not see the licence; this refuses (403) anyone
 * who may see but not pay for it, a locked licence (409) and one not flagged for a closed code
 * (409). A code that is malformed, refused by CUFS, the closed one again, or that CUFS cannot
 * check right now comes back as a message for the field, and nothing changes.
 */
export async function replaceClosedFinanceCode(
  context: FinanceCodeReplacementContext,
  person: PersonWithRoles,
  licenceId: number,
  raw: Record<string, unknown>,
): Promise<ReplacementOutcome> {
  const before = await licenceFacts(context.db, person, licenceId);
  if (!before) throw new AppError('not-found', 'We could not find that licence.');
  const who = replacerOf(person, before);
  if (!who) {
    throw new AppError(
      'forbidden',
      'Only the licence’s Data Owner, its Data Managers or the storage team can give another finance code.',
    );
  }
  assertLicenceUnlocked(before, who);
  const closed = before.status === 'active' ? await closedBillingCode(context.db, licenceId) : undefined;
  if (!closed) throw new AppError('conflict', NOT_FLAGGED);

  const parsed = parseFinanceCodeText(typeof raw.financeCode === 'string' ? raw.financeCode : '');
  if (!parsed.ok) return { ok: false, errors: parsed.errors };
  if (parsed.value.method !== 'finance-code') throw new Error('unreachable');
  const code = parsed.value.text;
  if (code === closed.financeCode) {
    return { ok: false, errors: { financeCode: `${code} is the finance code that has closed: give another one` } };
  }
  const asOf = context.clock.today().toString();
  const check = await checkFinanceCode(context.cufs, parsed.value.code, asOf);
  if (check.outcome === 'unavailable') return { ok: false, errors: { financeCode: CUFS_DOWN_MESSAGE } };
  const refusal = describeRefusal(check);
  if (refusal || check.outcome !== 'valid') return { ok: false, errors: { financeCode: refusal ?? CUFS_DOWN_MESSAGE } };
  const checkMessage = check.names.join(' · ');

  await context.db.transaction().execute(async (tx) => {
    // The licence row locked, its state read again: a lock, an ending or another replacement a
    // moment ago wins, and this one changes nothing.
    const licence = await licenceFacts(tx, person, licenceId, true);
    if (!licence) throw new AppError('not-found', 'We could not find that licence.');
    assertLicenceUnlocked(licence, who);
    const now = licence.status === 'active' ? await closedBillingCode(tx, licenceId) : undefined;
    if (now?.financeCode !== closed.financeCode || now.orderId !== closed.orderId) {
      throw new AppError('conflict', NOT_FLAGGED);
    }
    const billed = await orderBilledAlready(tx, now.orderId);
    const replaced = await replaceBillingCode(tx, licenceId, now, {
      code,
      checkMessage,
      checkedAt: context.clock.now(),
      asOf,
      billed,
    });
    if (!replaced) throw new AppError('conflict', NOT_FLAGGED);
    await recordAudit(tx, {
      actor: personActor(person),
      entityType: 'payment',
      entityId: now.orderReference,
      licenceId,
      action: FINANCE_CODE_REPLACED,
      before: { financeCode: now.financeCode, flag: now.detail },
      after: { financeCode: code, checked: checkMessage, asOf },
    });
    const site = context.site;
    // A Data Owner who has left is not told: the licence's current Data Managers are instead.
    const managers = licence.owner.current ? [] : await currentManagerEmails(tx, licenceId);
    const messages = [
      ...ownerEmail(site, licence, person, now, code, checkMessage, asOf, managers),
      ...teamEmail(site, licence, [licence.teamEmail, ...(await financeEmails(tx))], person, now, code, asOf, billed),
    ];
    await queueEmails(tx, messages, context.jobs);
  });
  return {
    ok: true,
    message: `Finance code ${code} now pays for this licence instead of ${closed.financeCode}. The storage team and Finance have been told.`,
  };
}

/** The replaced code in a sentence: "Ann Smith (as123) replaced the closed finance code X with Y". */
function replacedSentence(person: PersonWithRoles, closed: ClosedBillingCode, code: string): string {
  return `${person.displayName} (${person.crsid}) replaced the closed finance code ${closed.financeCode} with ${code}`;
}

/**
 * To the Data Owner, and to a Data Manager who made the change; when the Data Owner has left the
 * University, to `managers` (the licence's current Data Managers) instead, so a customer is told.
 */
function ownerEmail(
  site: SiteLinks,
  licence: LicenceFacts,
  person: PersonWithRoles,
  closed: ClosedBillingCode,
  code: string,
  checkMessage: string,
  asOf: string,
  managers: readonly string[],
): RenderedEmail[] {
  const to = licence.owner.current ? [licence.owner.email] : [...managers];
  if (licence.isManager && person.id !== licence.owner.id && !to.includes(person.email)) to.push(person.email);
  if (to.length === 0) return [];
  return [
    renderEmail(
      financeCodeReplacedEmail,
      {
        serviceName: site.serviceName,
        contactEmail: site.contactEmail,
        headline: `Finance code ${code} now pays for your storage`,
        greeting: licence.owner.current ? `Hello ${licence.owner.displayName},` : 'Hello,',
        paragraphs: [
          `${replacedSentence(person, closed, code)} (${checkMessage}; checked with the University Financial System on ${formatDay(asOf)}).`,
          'It now pays for this storage licence:',
        ],
        licences: [{ line: quoted(licence.name), url: `${site.publicUrl}/storage/licence/${licence.id}/` }],
        closing: [
          'The licence is no longer flagged, and Finance and the storage team have been told. Nothing else needs doing.',
          ...(licence.owner.current
            ? []
            : [
                `You are told as a Data Manager: its Data Owner, ${licence.owner.displayName}, has left the University.`,
              ]),
        ],
      },
      { to },
    ),
  ];
}

/**
 * What the team and Finance are told becomes of the licence's latest completed order: billed to the
 * new code, or, `billed` already (or billed to another code before the one that closed), keeping
 * the code it was billed with.
 */
function billedOrderSentence(closed: ClosedBillingCode, code: string, billed: boolean): string {
  if (!billed && closed.paymentCode === closed.financeCode) {
    return `the flag is cleared, and order ${closed.orderReference} is now billed to ${code}:`;
  }
  return `the flag is cleared. Order ${closed.orderReference} was billed to ${closed.paymentCode} in a billing export already and keeps that code: a billed charge does not change, and a correction is a new line. ${code} pays for the licence from now on:`;
}

/** To the licence's service team and Finance, with the back office's link. */
function teamEmail(
  site: SiteLinks,
  licence: LicenceFacts,
  to: readonly string[],
  person: PersonWithRoles,
  closed: ClosedBillingCode,
  code: string,
  asOf: string,
  billed: boolean,
): RenderedEmail[] {
  return [
    renderEmail(
      financeCodeReplacedEmail,
      {
        serviceName: site.serviceName,
        contactEmail: site.contactEmail,
        headline: `Finance code replaced for ${quoted(licence.name)}: ${closed.financeCode} is now ${code}`,
        greeting: 'Hello,',
        paragraphs: [
          `${replacedSentence(person, closed, code)}, open in the University Financial System on ${formatDay(asOf)}.`,
          `The licence was flagged because ${closed.financeCode} had closed; ${billedOrderSentence(closed, code, billed)}`,
        ],
        licences: [
          {
            line: `${quoted(licence.name)}, owned by ${licence.owner.displayName} (${licence.owner.email})`,
            url: `${site.publicUrl}/admin/licences/${licence.id}/`,
          },
        ],
        closing: ['The change is in the licence’s history.'],
      },
      { to: [...new Set(to)] },
    ),
  ];
}
