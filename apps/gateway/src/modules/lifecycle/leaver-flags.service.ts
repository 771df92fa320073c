import type { Executor } from '../../platform/db/database.ts';
import type { JobQueue } from '../../platform/jobs/jobs.ts';
import { type RenderedEmail, renderEmail } from '../../platform/mail/email-template.tsx';
import { quoted } from '../../platform/mail/quoted.ts';
import { UNTIL_CHANGEABLE } from '../licences/licence-members.ts';
import { formatDay } from '../quotes/quote-rules.ts';
import {
  clearLeaverFlags,
  currentKeepers,
  type LicenceKeeper,
  type RaisedLeaverFlag,
  raiseLeaverFlags,
} from './leaver-flags.repository.ts';
import { leaverAsk, memberLeftWarning, newOwnerFromTeam } from './licence-flags.ts';
import { memberLeftEmail } from './lifecycle.emails.tsx';
import type { SiteLinks } from './lifecycle.service.ts';
import { queueEmails } from './lifecycle-mail.ts';

export interface LeaverFlagsResult {
  raised: number;
  cleared: number;
  emails: number;
}

/**
 * After the directory sync, in the caller's transaction: flags each licence with a leaver in one
 * of its roles, clears the flags of leavers who returned or no longer hold a role, and emails
 * about the new flags only: each current Data Owner and Data Manager of the licences once (all
 * their licences in one email), and each service team once (all its licences). A second run
 * raises, clears and sends nothing.
 */
export async function reviewLeavers(
  tx: Executor,
  jobs: JobQueue,
  asOf: string,
  site: SiteLinks,
): Promise<LeaverFlagsResult> {
  const cleared = await clearLeaverFlags(tx, asOf);
  const raised = await raiseLeaverFlags(tx, asOf);
  if (raised.length === 0) return { raised: 0, cleared, emails: 0 };
  const keepers = await currentKeepers(tx, [...new Set(raised.map((flag) => flag.licenceId))]);
  const kept = new Set(keepers.map((keeper) => keeper.licenceId));
  const messages = [...keeperEmails(keepers, raised, asOf, site), ...teamEmails(raised, kept, asOf, site)];
  await queueEmails(tx, messages, jobs);
  return { raised: raised.length, cleared, emails: messages.length };
}

function groupBy<T, K>(items: readonly T[], key: (item: T) => K): Map<K, T[]> {
  const groups = new Map<K, T[]>();
  for (const item of items) {
    const list = groups.get(key(item));
    if (list) list.push(item);
    else groups.set(key(item), [item]);
  }
  return groups;
}

const flagLine = (flag: RaisedLeaverFlag) => `${quoted(flag.licenceName)}: ${flag.detail}`;

/** Whether the licence's keepers can hand over or remove the leaver now, or must renew or recover it first. */
const changeableNow = (flag: RaisedLeaverFlag) => UNTIL_CHANGEABLE[flag.status] === undefined;

/**
 * A keeper's line for a flag: on a licence that refuses people changes (expired, in the cold store,
 * due for deletion), what its page says (renew it first / order a recovery first, then hand over; or
 * write to the team if its data is still needed); a Data Owner who has left is the team's to
 * replace, whatever the state (said once in the closing).
 */
const keeperLine = (flag: RaisedLeaverFlag, contactEmail: string) =>
  changeableNow(flag) || flag.ownerLeft
    ? flagLine(flag)
    : `${quoted(flag.licenceName)}: ${memberLeftWarning(flag.detail, false, contactEmail, flag.status)}`;

const HAND_OVER =
  'hand their role over to someone who is still at the University (a new Data Owner, or another Data Manager), or remove them from the licence or storage project on its page, so that access to the data stays with the right people.';

/** Asks for the hand-over where a licence can be changed now; the others' lines say what comes first. */
function handOverAsk(flags: readonly RaisedLeaverFlag[]): string[] {
  const now = flags.filter(changeableNow);
  if (now.length === 0) return [];
  return [
    now.length === flags.length ? `Please ${HAND_OVER}` : `Where the licence can be changed now, please ${HAND_OVER}`,
  ];
}

function keeperEmails(
  keepers: readonly LicenceKeeper[],
  raised: readonly RaisedLeaverFlag[],
  asOf: string,
  site: SiteLinks,
): RenderedEmail[] {
  const flagsByLicence = groupBy(raised, (flag) => flag.licenceId);
  return [...groupBy(keepers, (keeper) => keeper.personId).values()].flatMap((rows) => {
    const [person] = rows;
    if (!person) return [];
    // a keeper is told of other leavers, never of themselves (they are current)
    const flags = rows.flatMap((row) => flagsByLicence.get(row.licenceId) ?? []);
    return [
      renderEmail(
        memberLeftEmail,
        {
          serviceName: site.serviceName,
          contactEmail: site.contactEmail,
          headline:
            flags.length === 1
              ? 'Someone on your storage licence has left the University'
              : 'People on your storage licences have left the University',
          greeting: `Hello ${person.displayName},`,
          paragraphs: [
            `The University directory says, as of ${formatDay(asOf)}, that ${flags.length === 1 ? 'this person has' : 'these people have'} left. You are told as the Data Owner or a Data Manager:`,
          ],
          licences: flags.map((flag) => ({
            line: keeperLine(flag, site.contactEmail),
            url: `${site.publicUrl}/storage/licence/${flag.licenceId}/`,
          })),
          closing: [
            ...handOverAsk(flags),
            ...(flags.some((flag) => flag.ownerLeft)
              ? [newOwnerFromTeam(site.contactEmail, ' of a licence whose Data Owner has left')]
              : []),
            'The service team has been told too.',
          ],
        },
        { to: person.email },
      ),
    ];
  });
}

/**
 * The service team's line for a flag: what the licence's keepers were asked, in the words they were
 * asked it (leaverAsk, with the licence's state where it refuses people changes); a Data Owner who
 * has left is the team's to replace. `kept`: the licences with a current Data Owner or Data Manager.
 */
function teamLine(flag: RaisedLeaverFlag, kept: ReadonlySet<number>): string {
  const asked = kept.has(flag.licenceId);
  if (flag.ownerLeft) {
    return `${flagLine(flag)} Only you can name a new Data Owner: ${asked ? 'its Data Managers were asked to write to you with who it should be' : 'it has no current Data Manager to ask who it should be'}.`;
  }
  if (!asked) return `${flagLine(flag)} It has no current Data Owner or Data Manager, so nobody was asked to act.`;
  const until = UNTIL_CHANGEABLE[flag.status];
  return `${flagLine(flag)} ${until ? `The licence ${until.state}, so its` : 'Its'} Data Owner and Data Managers were asked to ${leaverAsk(flag.status)}.`;
}

function teamEmails(
  raised: readonly RaisedLeaverFlag[],
  kept: ReadonlySet<number>,
  asOf: string,
  site: SiteLinks,
): RenderedEmail[] {
  return [...groupBy(raised, (flag) => flag.service).values()].flatMap((flags) => {
    const [first] = flags;
    if (!first) return [];
    return [
      renderEmail(
        memberLeftEmail,
        {
          serviceName: site.serviceName,
          contactEmail: site.contactEmail,
          headline: `${flags.length} new ${flags.length === 1 ? 'leaver' : 'leavers'} on storage licences`,
          greeting: `Hello ${first.teamName},`,
          paragraphs: [
            `The directory sync of ${formatDay(asOf)} found people who have left the University in a role on these licences of your service, each with what its current Data Owner and Data Managers have been asked:`,
          ],
          licences: flags.map((flag) => ({
            line: teamLine(flag, kept),
            url: `${site.publicUrl}/admin/licences/${flag.licenceId}/`,
          })),
          closing: ['A flag clears by itself once the person is removed from the licence or returns.'],
        },
        { to: first.teamEmail },
      ),
    ];
  });
}
