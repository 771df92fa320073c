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

/** What the licence pages say while someone in one of the licence's roles has left the University. */
export function memberLeftWarning(detail: string, ownerLeft: boolean, contactEmail: string): string {
  return ownerLeft
    ? `${detail} ${newOwnerFromTeam(contactEmail)}`
    : `${detail} Hand their role over to someone still at the University, or remove them from the licence or storage project.`;
}

/** The warning the Data Owner and Data Managers see on the licence page for an open flag. */
export function flagWarning(flag: OpenLicenceFlag, contactEmail: string): string {
  return flag.kind === 'member-left'
    ? memberLeftWarning(flag.detail, flag.ownerLeft, contactEmail)
    : closedCodeWarning(flag.detail, contactEmail);
}

/** The back office's tag for an open flag. */
export const FLAG_LABELS: Record<LicenceFlagKind, string> = {
  'finance-code-closed': 'Finance code closed',
  'member-left': 'Member has left',
};
