import type { OpenLicenceFlag } from './finance-recheck.repository.ts';
import type { LicenceFlagKind } from './lifecycle.tables.ts';

/** What the licence pages say while a licence's finance code is flagged as closed. */
export function closedCodeWarning(detail: string, contactEmail: string): string {
  return `${detail} Contact ${contactEmail} to give another finance code for this storage.`;
}

/** What the licence pages say while someone in one of the licence's roles has left the University. */
export function memberLeftWarning(detail: string): string {
  return `${detail} Hand their role over to someone still at the University, or remove them from the licence or storage project.`;
}

/** The warning the Data Owner and Data Managers see on the licence page for an open flag. */
export function flagWarning(flag: OpenLicenceFlag, contactEmail: string): string {
  return flag.kind === 'member-left' ? memberLeftWarning(flag.detail) : closedCodeWarning(flag.detail, contactEmail);
}

/** The back office's tag for an open flag. */
export const FLAG_LABELS: Record<LicenceFlagKind, string> = {
  'finance-code-closed': 'Finance code closed',
  'member-left': 'Member has left',
};
