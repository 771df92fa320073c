import { UNTIL_CHANGEABLE } from '../licences/licence-members.ts';
import type { LicenceStatus } from '../licences/licences.tables.ts';
import type { OpenLicenceFlag } from './finance-recheck.repository.ts';
import type { LicenceFlagKind } from './lifecycle.tables.ts';

/** What the licence pages say while a licence's finance code is flagged as closed. */
export function closedCodeWarning(detail: string, contactEmail: string): string {
  return `${detail} Contact ${contactEmail} to give another finance code for this storage.`;
}

/**
 * Who replaces a Data Owner who has left: not a Data Manager (only the owner, who has gone, or the
 * service team hands a licence over), so the keepers are sent to the team. Said the same way on
 * the licence page and in the leaver email.
 */
export function newOwnerFromTeam(contactEmail: string, ofWhich = ''): string {
  return `Only the storage team can name a new Data Owner${ofWhich}: write to ${contactEmail} with who it should be.`;
}

const HAND_OVER =
  'hand their role over to someone still at the University, or remove them from the licence or storage project';

const lowerFirst = (text: string) => `${text.charAt(0).toLowerCase()}${text.slice(1)}`;

/**
 * What the keepers of a licence are asked to do about someone in one of its roles (not its Data
 * Owner) who has left, as an instruction in lower case: hand over or remove them, or, where the
 * licence refuses people changes (licenceStatusProblem), what comes first, from UNTIL_CHANGEABLE.
 * The licence page and the keepers' email say it; the service team's email says they were asked it.
 */
export function leaverAsk(status: LicenceStatus): string {
  const until = UNTIL_CHANGEABLE[status];
  if (!until) return HAND_OVER;
  return `${lowerFirst(until.firstStep)}${until.handOverIf ? `; ${until.handOverIf}, ` : ', then '}${HAND_OVER}`;
}

/**
 * What the licence pages say while someone in one of the licence's roles has left the University.
 * An expired licence, one in the cold store or one due for deletion refuses people changes: its
 * keepers are told, in its status's words, what comes first, not to do what it refuses.
 */
export function memberLeftWarning(
  detail: string,
  ownerLeft: boolean,
  contactEmail: string,
  status: LicenceStatus = 'active',
): string {
  if (ownerLeft) return `${detail} ${newOwnerFromTeam(contactEmail)}`;
  const until = UNTIL_CHANGEABLE[status];
  const ask = leaverAsk(status);
  return until
    ? `${detail} The licence ${until.state}, so its people cannot be changed: ${ask}.`
    : `${detail} ${ask.charAt(0).toUpperCase()}${ask.slice(1)}.`;
}

/** The warning the Data Owner and Data Managers see on the licence page for an open flag. */
export function flagWarning(flag: OpenLicenceFlag, contactEmail: string, status?: LicenceStatus): string {
  return flag.kind === 'member-left'
    ? memberLeftWarning(flag.detail, flag.ownerLeft, contactEmail, status)
    : closedCodeWarning(flag.detail, contactEmail);
}

/** The back office's tag for an open flag. */
export const FLAG_LABELS: Record<LicenceFlagKind, string> = {
  'finance-code-closed': 'Finance code closed',
  'member-left': 'Member has left',
};
