import { formatDay } from '../quotes/quote-rules.ts';
import type { LicenceStatus, ProjectRole } from './licences.tables.ts';

/**
 * What a customer reads about a licence and its storage projects: plain words for each status,
 * a sentence saying what it means and what to do, and the names of the roles a person can hold.
 * Pure, like ORDER_STATUS_WORDS in ../orders/order-status.ts.
 */
export const LICENCE_STATUSES = [
  'pending',
  'active',
  'suspended',
  'cold',
  'deletable',
  'deleted',
  'cancelled',
] as const satisfies readonly LicenceStatus[];

export const LICENCE_STATUS_WORDS: Record<LicenceStatus, { label: string; explanation: string }> = {
  pending: {
    label: 'Waiting to be set up',
    explanation:
      'The storage team will set up the storage once the order is approved and the licence starts on that day, so you do not need to do anything.',
  },
  active: {
    label: 'Active',
    explanation: 'The storage is ready to use, and you can renew the licence before its end date to keep it.',
  },
  suspended: {
    label: 'Expired – read-only',
    explanation:
      'The licence has passed its end date, so you can read the data but not change it until you renew the licence.',
  },
  cold: {
    label: 'In the cold store',
    explanation:
      'The licence was not renewed, so the data has been moved to the tape archive; order a recovery (a fee applies) if you need it back.',
  },
  deletable: {
    label: 'Due for deletion',
    explanation:
      'The data will be deleted once the storage team confirms, so contact the storage team straight away if you still need it.',
  },
  deleted: {
    label: 'Deleted',
    explanation: 'The storage and its data have been deleted, so buy new storage if you need some again.',
  },
  cancelled: {
    label: 'Cancelled',
    explanation: 'This licence was cancelled and its storage is not available, so buy new storage if you need some.',
  },
};

/**
 * What a project member (who holds no role on the licence itself) reads instead, for the statuses
 * whose explanation tells the reader to renew or recover: only the Data Owner and Data Managers
 * can change the licence, so the member is told who can.
 */
const WORDS_FOR_PROJECT_MEMBERS: Partial<Record<LicenceStatus, string>> = {
  active:
    'The storage is ready to use, and its Data Owner or a Data Manager can renew the licence before its end date to keep it.',
  suspended:
    'The licence has passed its end date, so you can read the data but not change it until its Data Owner or a Data Manager renews the licence.',
  cold: 'The licence was not renewed, so the data has been moved to the tape archive; its Data Owner or a Data Manager can order a recovery (a fee applies) if it is needed back.',
};

/** The new order of a licence that was never set up because the storage team rejected it. */
export interface NotApprovedOrder {
  reference: string;
  reason: string | null;
}

/**
 * What a customer reads of a licence whose new order was rejected: the rejection cancelled it
 * while it waited, but it never ran, so it is not "Cancelled" (which reads as storage that ended).
 */
export function notApprovedWords(order: NotApprovedOrder): { label: string; explanation: string } {
  return {
    label: 'Not approved',
    explanation: `The storage team did not approve order ${order.reference}, so this licence was never set up and nothing is charged for it.${order.reason ? ` Reason: ${order.reason}` : ''}`,
  };
}

/**
 * A licence's status words for a person with these roles on it: a Data Owner or Data Manager (or
 * someone with no role, such as the storage team) reads LICENCE_STATUS_WORDS; a project member
 * is not told to renew or recover what only the licence's keepers can; and a licence never set up
 * because its new order was rejected (`notApproved`) reads as not approved (notApprovedWords).
 */
export function licenceStatusWordsFor(
  status: LicenceStatus,
  roles: readonly LicenceRole[],
  notApproved: NotApprovedOrder | null = null,
): { label: string; explanation: string } {
  if (notApproved) return notApprovedWords(notApproved);
  const words = LICENCE_STATUS_WORDS[status];
  const keeper = roles.length === 0 || roles.includes('data-owner') || roles.includes('data-manager');
  const forMember = WORDS_FOR_PROJECT_MEMBERS[status];
  return keeper || !forMember ? words : { label: words.label, explanation: forMember };
}

/** The days an expired licence takes its next steps (lifecycle-dates.ts coldFrom, deletableFrom). */
export interface ExpiryStepDays {
  coldFrom: string;
  deletableFrom: string;
}

/**
 * When an expired licence takes its next step, said after its status's explanation on its page: a
 * read-only licence's data moves to the cold store, one in the cold store can be deleted; nothing
 * for the other statuses.
 */
export function nextStepWords(status: LicenceStatus, days: ExpiryStepDays): string | undefined {
  if (status === 'suspended')
    return `Unless the licence is renewed, its data moves to the cold store on ${formatDay(days.coldFrom)}.`;
  if (status === 'cold')
    return `Unless the licence is recovered, its data can be deleted from ${formatDay(days.deletableFrom)}.`;
  return undefined;
}

/**
 * The order licences are listed in: ones in use or about to be first, then the ones that need
 * attention soonest, then the finished ones. Equal ranks are sorted by name.
 */
export const LICENCE_STATUS_RANK: Record<LicenceStatus, number> = {
  active: 0,
  pending: 0,
  suspended: 1,
  cold: 2,
  deletable: 3,
  cancelled: 4,
  deleted: 4,
};

export type StorageProjectStatus = 'pending' | 'active' | 'removed';

export const STORAGE_PROJECT_STATUS_WORDS: Record<StorageProjectStatus, { label: string; explanation: string }> = {
  pending: {
    label: 'Waiting to be set up',
    explanation: 'The storage team will create this storage project when the licence is set up.',
  },
  active: { label: 'Active', explanation: 'The storage project exists and its members can use it.' },
  removed: { label: 'Removed', explanation: 'This storage project has been removed and can no longer be used.' },
};

/** How a licence that is not in use stands, as the start of a sentence about one of its projects. */
const LICENCE_NOT_IN_USE: Record<Exclude<LicenceStatus, 'pending' | 'active'>, { is: string; until?: string }> = {
  suspended: { is: 'has expired', until: 'renewed' },
  cold: { is: 'is in the cold store', until: 'recovered' },
  deletable: { is: 'is due for deletion' },
  deleted: { is: 'is deleted' },
  cancelled: { is: 'is cancelled' },
};

/**
 * The label a storage project takes from its licence once the licence is not in use: one in use
 * is read-only, in the cold store or due for deletion as its licence is, not "Active"; and once the
 * licence has ended for good (cancelled, or deleted with its data) any project, even one never set
 * up, is so too. A project waiting to be set up of an expired licence keeps its label: it may be.
 */
function projectLabelFromLicence(project: 'pending' | 'active', licence: LicenceStatus): string | undefined {
  if (licence === 'cancelled' || licence === 'deleted') return LICENCE_STATUS_WORDS[licence].label;
  if (project === 'active' && (licence === 'suspended' || licence === 'cold' || licence === 'deletable'))
    return licence === 'suspended' ? 'Read-only' : LICENCE_STATUS_WORDS[licence].label;
  return undefined;
}

/**
 * A storage project's status words on its page, in the light of its licence's: a project waiting
 * to be set up, or in use, says what its licence's status means for it (a cancelled licence's
 * project will not be set up; an expired one's is read-only; one created in a licence in use does
 * not wait for the licence to be set up), instead of promising a set-up or use, and is labelled
 * as its licence stands (projectLabelFromLicence).
 */
export function projectStatusWords(
  project: StorageProjectStatus,
  licence: LicenceStatus,
): { label: string; explanation: string } {
  const words = STORAGE_PROJECT_STATUS_WORDS[project];
  if (project === 'pending' && licence === 'active') {
    // Created since the licence was set up: it waits for the team (or the provisioner), not for the licence.
    return {
      label: words.label,
      explanation:
        'The licence is in use: the storage team will create this storage project, and say here where to find it.',
    };
  }
  if (project === 'removed' || licence === 'pending' || licence === 'active') return words;
  const { is, until } = LICENCE_NOT_IN_USE[licence];
  const what =
    project === 'pending'
      ? until
        ? `will be set up only if the licence is ${until}`
        : 'will not be set up'
      : licence === 'suspended'
        ? 'can be read but not changed until the licence is renewed'
        : until
          ? `can be used again only if the licence is ${until}`
          : 'can no longer be used';
  const label = projectLabelFromLicence(project, licence) ?? words.label;
  return { label, explanation: `Its licence ${is}, so this storage project ${what}.` };
}

/** A person's place on a licence: the licence's own roles, then those on one of its storage projects. */
export type LicenceRole = 'data-owner' | 'data-manager' | ProjectRole;

export const LICENCE_ROLES = [
  'data-owner',
  'data-manager',
  'project-data-manager',
  'project-data-user',
] as const satisfies readonly LicenceRole[];

export const LICENCE_ROLE_WORDS: Record<LicenceRole, string> = {
  'data-owner': 'Data Owner',
  'data-manager': 'Data Manager',
  'project-data-manager': 'Project Data Manager',
  'project-data-user': 'Project Data User',
};

/** "Data Owner, Project Data User": a person's roles in the order they are listed above. */
export function describeRoles(roles: readonly LicenceRole[]): string {
  return LICENCE_ROLES.filter((role) => roles.includes(role))
    .map((role) => LICENCE_ROLE_WORDS[role])
    .join(', ');
}
