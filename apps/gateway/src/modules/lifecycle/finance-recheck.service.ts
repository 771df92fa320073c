import type { Executor } from '../../platform/db/database.ts';
import type { JobQueue } from '../../platform/jobs/jobs.ts';
import { type RenderedEmail, renderEmail } from '../../platform/mail/email-template.tsx';
import { quoted } from '../../platform/mail/quoted.ts';
import type { FinanceCodeCheck } from '../payments/cufs-client.ts';
import { checkFinanceCode, type FinanceCodeChecker } from '../payments/finance-code-check.ts';
import { parseFinanceCodeText } from '../payments/payment-details.ts';
import { formatDay } from '../quotes/quote-rules.ts';
import {
  clearClosedCodeFlags,
  type FlaggedLicence,
  financeEmails,
  flagClosedCode,
} from './finance-recheck.repository.ts';
import { currentKeepers, type LicenceKeeper } from './leaver-flags.repository.ts';
import { financeCodeClosedEmail } from './lifecycle.emails.tsx';
import type { SiteLinks } from './lifecycle.service.ts';
import { queueEmails } from './lifecycle-mail.ts';

export type FinanceRecheckOutcome =
  | { outcome: 'flagged'; licences: number; emails: number }
  | { outcome: 'cleared'; licences: number }
  | { outcome: 'malformed' };

/** Thrown when CUFS cannot answer, so the queue tries the code again later. */
export class CufsUnavailableError extends Error {}

/**
 * Re-checks one finance code with CUFS as of `asOf`, for every active licence it pays for. A closed
 * code flags those licences that are not flagged already and tells each Data Owner (where the Data
 * Owner has left the University, the licence's current Data Managers, who may give another code on
 * its page) and Finance, once; a code valid again clears their flags. All in one transaction, so a second run as of the
 * same day (or a retry) changes nothing and sends nothing.
 */
export async function recheckFinanceCode(
  db: Executor,
  jobs: JobQueue,
  cufs: FinanceCodeChecker,
  financeCode: string,
  asOf: string,
  site: SiteLinks,
): Promise<FinanceRecheckOutcome> {
  const parsed = parseFinanceCodeText(financeCode);
  if (!parsed.ok || parsed.value.method !== 'finance-code') return { outcome: 'malformed' };
  const check = await checkFinanceCode(cufs, parsed.value.code, asOf);
  if (check.outcome === 'unavailable') throw new CufsUnavailableError(`CUFS unavailable (${check.cause})`);
  if (check.outcome === 'malformed') return { outcome: 'malformed' };
  return db.transaction().execute(async (tx) => {
    if (check.outcome === 'valid') {
      return { outcome: 'cleared', licences: await clearClosedCodeFlags(tx, financeCode, asOf) };
    }
    const detail = closedDetail(financeCode, check);
    const flagged = await flagClosedCode(tx, financeCode, detail, asOf);
    if (flagged.length === 0) return { outcome: 'flagged', licences: 0, emails: 0 };
    // a licence whose Data Owner has left: its current Data Managers are told instead
    const managers = await currentKeepers(
      tx,
      flagged.filter((licence) => !licence.ownerCurrent).map((licence) => licence.licenceId),
    );
    const messages = [
      ...keeperEmails(flagged, managers, financeCode, detail, asOf, site),
      ...financeEmail(await financeEmails(tx), flagged, managers, financeCode, detail, asOf, site),
    ];
    await queueEmails(tx, messages, jobs);
    return { outcome: 'flagged', licences: flagged.length, emails: messages.length };
  });
}

function closedDetail(financeCode: string, check: Extract<FinanceCodeCheck, { outcome: 'invalid' }>): string {
  return `The finance code ${financeCode} has closed: ${check.message}`;
}

/** One person told about flagged licences: those they own, and those they manage whose Data Owner has left. */
interface KeeperTold {
  name: string;
  email: string;
  licences: Array<{ licenceId: number; licenceName: string; asManager: boolean }>;
}

/**
 * One email per person: each current Data Owner about the licences they own, and each current
 * Data Manager of a licence whose Data Owner has left about that licence (nobody else would be).
 */
function keeperEmails(
  flagged: readonly FlaggedLicence[],
  managers: readonly LicenceKeeper[],
  financeCode: string,
  detail: string,
  asOf: string,
  site: SiteLinks,
): RenderedEmail[] {
  const told = new Map<number, KeeperTold>();
  const tell = (personId: number, name: string, email: string, licence: KeeperTold['licences'][number]) => {
    const person = told.get(personId);
    if (person) person.licences.push(licence);
    else told.set(personId, { name, email, licences: [licence] });
  };
  for (const licence of flagged.filter((each) => each.ownerCurrent)) {
    tell(licence.ownerId, licence.ownerName, licence.ownerEmail, { ...licence, asManager: false });
  }
  const names = new Map(flagged.map((licence) => [licence.licenceId, licence.licenceName]));
  for (const manager of managers) {
    const licenceName = names.get(manager.licenceId) ?? '';
    tell(manager.personId, manager.displayName, manager.email, { ...manager, licenceName, asManager: true });
  }
  return [...told.values()].map(({ name, email, licences }) => {
    const managed = licences.some((licence) => licence.asManager);
    const these = licences.length === 1 ? 'this storage licence' : `these ${licences.length} storage licences`;
    return renderEmail(
      financeCodeClosedEmail,
      {
        serviceName: site.serviceName,
        contactEmail: site.contactEmail,
        headline: `The finance code ${financeCode} paying for your storage has closed`,
        greeting: `Hello ${name},`,
        paragraphs: [
          `${detail} (checked with the University Financial System on ${formatDay(asOf)}).`,
          managed ? `It pays for ${these} you look after:` : `It pays for ${these} you own:`,
        ],
        licences: licences.map((licence) => ({
          line: `${quoted(licence.licenceName)}${licence.asManager ? ' (you are told as a Data Manager: its Data Owner has left the University)' : ''}`,
          url: `${site.publicUrl}/storage/licence/${licence.licenceId}/`,
        })),
        closing: [
          `The storage stays in use. Give another finance code on the licence's page (the link above), or contact ${site.contactEmail}; Finance have been told.`,
        ],
      },
      { to: email },
    );
  });
}

function financeEmail(
  to: readonly string[],
  flagged: readonly FlaggedLicence[],
  managers: readonly LicenceKeeper[],
  financeCode: string,
  detail: string,
  asOf: string,
  site: SiteLinks,
): RenderedEmail[] {
  if (to.length === 0) return [];
  return [
    renderEmail(
      financeCodeClosedEmail,
      {
        serviceName: site.serviceName,
        contactEmail: site.contactEmail,
        headline: `Finance code ${financeCode} has closed: ${flagged.length} storage ${flagged.length === 1 ? 'licence' : 'licences'}`,
        greeting: 'Hello Finance,',
        paragraphs: [
          `${detail} (checked with the University Financial System on ${formatDay(asOf)}).`,
          flagged.every((licence) => licence.ownerCurrent)
            ? 'It pays for these active storage licences, now flagged; each Data Owner has been told:'
            : 'It pays for these active storage licences, now flagged; each Data Owner has been told, or, where the Data Owner has left the University, its Data Managers:',
        ],
        licences: flagged.map((licence) => ({
          line: `${quoted(licence.licenceName)}, owned by ${licence.ownerName} (${licence.ownerEmail})${licence.ownerCurrent ? '' : `, who has left the University${toldInstead(managers, licence.licenceId)}`}`,
          url: `${site.publicUrl}/admin/licences/${licence.licenceId}/`,
        })),
        closing: [
          'The flag clears once the Data Owner, a Data Manager or the storage team gives another finance code on the licence page, the code is valid again, or the licence is renewed with another code, a purchase order or a voucher.',
        ],
      },
      { to: [...to] },
    ),
  ];
}

/** Who was told about a licence whose Data Owner has left: its current Data Managers, or nobody. */
function toldInstead(managers: readonly LicenceKeeper[], licenceId: number): string {
  const told = managers.filter((manager) => manager.licenceId === licenceId).map((manager) => manager.displayName);
  return told.length === 0 ? '; no Data Manager to tell' : `; told instead: ${told.join(', ')}`;
}
