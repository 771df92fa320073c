import { wholeNumberFrom } from '../../platform/web/forms.ts';
import { sizeText } from '../catalogue/sizes.ts';
import { MAXIMUM_TB } from '../orders/purchase-configuration.ts';
import { formatDay } from '../quotes/quote-rules.ts';
import { BYTES_PER_TB, formatTb } from '../usage/usage-readings.ts';
import type { LicenceStatus, ProjectRole } from './licences.tables.ts';

/**
 * Who may change a licence's people and storage projects, and the rules of each change. Pure.
 *
 * - The Data Owner hands ownership over, to a current person in the directory who is not the
 *   owner already. The old owner stays on as a Data Manager (so they do not lose sight of data
 *   they may still be responsible for); the new owner can remove them. An old owner who has left
 *   the University (replaced by the service team) does not stay on. If the new owner was a
 *   Data Manager, they stop being one (the owner is never also a manager).
 * - The Data Owner and Data Managers add and remove Data Managers. Nobody removes the owner (the
 *   owner is not a manager: hand ownership over instead); a manager may remove themselves.
 * - The Data Owner and Data Managers create storage projects, rename, resize and remove them, and
 *   add and remove any project's Project Data Managers and Project Data Users. A removed project
 *   stays in the licence's history (status `removed`): its members lose their places, its quota
 *   returns to the licence's free TB, and its name may be given to a new project.
 * - A Project Data Manager adds and removes the members of their own project (both roles), and
 *   nothing else. A Project Data User changes nothing. A person holds one role in a project: to
 *   change it, remove them from the one they hold, then add them in the other.
 * - Staff who manage the licence's service (canManageService) may do all of it, handover too.
 *   Finance, who read every service, change nothing here.
 * - Anyone who cannot see the licence at all is answered "not found" (as for a licence that does
 *   not exist); a project member who can see it but may not make the change, "forbidden".
 */
export type MemberChange =
  | 'hand-over'
  | 'add-manager'
  | 'remove-manager'
  | 'create-project'
  | 'resize-project'
  | 'rename-project'
  | 'remove-project'
  | 'change-project-members';

export interface ChangerFacts {
  isOwner: boolean;
  isManager: boolean;
  /** Staff who manage the licence's service. */
  managesService: boolean;
  /** Staff who may read the licence (Finance, the team), whether or not they may change it. */
  readsService: boolean;
  /** The caller's roles on the project the change is about (for project changes), else on any of the licence's projects. */
  projectRoles: readonly ProjectRole[];
  /** Whether the caller holds any role on any of the licence's projects (so they can see the licence). */
  memberOfAnyProject: boolean;
}

export type ChangeDecision = 'allowed' | 'not-found' | 'forbidden';

export function decideChange(change: MemberChange, facts: ChangerFacts): ChangeDecision {
  const canSee = facts.isOwner || facts.isManager || facts.readsService || facts.memberOfAnyProject;
  if (!canSee) return 'not-found';
  if (facts.managesService || facts.isOwner) return 'allowed';
  switch (change) {
    case 'hand-over':
      return 'forbidden';
    case 'add-manager':
    case 'remove-manager':
    case 'create-project':
    case 'resize-project':
    case 'rename-project':
    case 'remove-project':
      return facts.isManager ? 'allowed' : 'forbidden';
    case 'change-project-members':
      return facts.isManager || facts.projectRoles.includes('project-data-manager') ? 'allowed' : 'forbidden';
  }
}

/**
 * What makes a licence's people changeable again, in the words of its status (LICENCE_STATUS_WORDS)
 * and of the change its page offers: renewing an expired one, a recovery of one in the cold store.
 * A licence due for deletion takes no new order (orders/change-pricing.ts: CHANGE_ALLOWED_FROM), so
 * its keepers cannot bring it back themselves: only a recovery ordered while it was in the cold store
 * still completes (provisioning/licence-changes.ts), and the team's deletion waits for it; otherwise
 * they write to the storage team if its data is still needed. `handOverIf` says when a hand-over can
 * follow where it is not simply after the first step. Worded for anyone (the keepers or the team).
 */
export interface UntilChangeable {
  /** How the licence stands: "The licence <state>". */
  state: string;
  /** What comes first, as an instruction. */
  firstStep: string;
  /** When its people can be changed, where that is not once the first step is taken. */
  handOverIf?: string;
}

export const UNTIL_CHANGEABLE: Partial<Record<LicenceStatus, UntilChangeable>> = {
  suspended: { state: 'has expired and is read-only', firstStep: 'Renew it first' },
  cold: { state: 'is in the cold store', firstStep: 'Order a recovery first' },
  deletable: {
    state: 'is due for deletion',
    firstStep:
      'Contact the storage team straight away if its data is still needed, as no recovery can be ordered for it any more',
    handOverIf: 'if a recovery ordered while it was in the cold store brings it back',
  },
};

/** Only licences in use change: an expired one must be renewed, one in the cold store recovered, first. */
export function licenceStatusProblem(status: LicenceStatus): string | undefined {
  if (status === 'active' || status === 'pending') return undefined;
  const until = UNTIL_CHANGEABLE[status];
  if (until)
    return `This licence ${until.state}, so its people and storage projects cannot be changed. ${until.firstStep}.`;
  return 'This licence has ended, so its people and storage projects cannot be changed.';
}

/** The same rule as the purchase form's first project (modules/orders/purchase-configuration.ts). */
export const PROJECT_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$/;
export const PROJECT_NAME_MESSAGE =
  'Use up to 40 letters, numbers, hyphens and underscores for the project name, starting with a letter or number';

/** A project's name: the format, then unique (ignoring case) among the licence's projects that are not removed. */
export function projectNameProblem(name: string, otherNames: readonly string[]): string | undefined {
  if (name === '') return 'Enter a name for the storage project';
  if (!PROJECT_NAME.test(name)) return PROJECT_NAME_MESSAGE;
  const lower = name.toLowerCase();
  if (otherNames.some((other) => other.toLowerCase() === lower)) return projectNameTaken();
  return undefined;
}

/**
 * The name of another of the licence's storage projects (ignoring case); `madeBy` ("by Rosa
 * Storage on …", pressed-twice.ts) when the page names who made that project.
 */
export function projectNameTaken(madeBy?: string): string {
  return `This licence already has a storage project with that name${madeBy ? `, made ${madeBy}` : ''}: choose another`;
}

/** Someone named as a new Data Manager who is one already; `addedBy` ("by you on …") when the page names who added them. */
export function alreadyManager(displayName: string, addedBy?: string): string {
  return `${displayName} is a Data Manager already${addedBy ? `, added ${addedBy}` : ''}`;
}

/** A whole number of TB from a form field or JSON, or a message. */
export function parseQuotaTb(value: unknown): { quotaTb: number } | { problem: string } {
  if (value === undefined || value === null || (typeof value === 'string' && value.trim() === ''))
    return { problem: 'Enter the quota in TB' };
  const quotaTb = wholeNumberFrom(value);
  if (quotaTb === undefined) return { problem: 'Enter the quota as a whole number of TB, like 2' };
  if (quotaTb < 1) return { problem: 'The quota must be at least 1 TB' };
  // More than any licence holds (a whole number all the same): the licence's room is the message.
  return { quotaTb: Math.min(quotaTb, MAXIMUM_TB + 1) };
}

/**
 * The projects' quotas together must fit in the licence: `otherQuotasTb` are the quotas of the
 * licence's other projects that are not removed; `quotaTb` the new or changed project's.
 */
export function quotaProblem(
  licenceSizeTb: number,
  otherQuotasTb: readonly number[],
  quotaTb: number,
): string | undefined {
  if (!Number.isInteger(quotaTb) || quotaTb < 1) return 'The quota must be a whole number of TB, at least 1';
  const others = otherQuotasTb.reduce((sum, quota) => sum + quota, 0);
  const free = licenceSizeTb - others;
  if (quotaTb > free) {
    return free <= 0
      ? `The licence's ${sizeText(licenceSizeTb)} are all given to its other storage projects: make one of them smaller, or increase the licence's size`
      : `The licence has ${sizeText(free)} not given to its other storage projects: choose at most ${sizeText(free)}`;
  }
  return undefined;
}

/**
 * A project made smaller than the data it holds (its latest usage reading) would be over its
 * quota on the storage at once, and refuse its people's writes: refused, saying how much it holds
 * and since when. Only a smaller quota is checked: a larger one (even one still below the usage of
 * a project over its quota) only helps. No reading, no check.
 */
export function belowUsageProblem(
  quotaTb: number,
  currentQuotaTb: number,
  latest: { usedBytes: number; readOn: string } | undefined,
  mostTb: number,
): string | undefined {
  if (!latest || quotaTb >= currentQuotaTb || quotaTb * BYTES_PER_TB >= latest.usedBytes) return undefined;
  const atLeast = Math.ceil(latest.usedBytes / BYTES_PER_TB);
  const held = `The project held ${formatTb(latest.usedBytes)} on ${formatDay(latest.readOn)} (the storage's latest reading), more than ${sizeText(quotaTb)}`;
  // A project already over the most it can be given: no quota holds its data, so none is offered.
  if (atLeast > mostTb) return `${held}: remove data from it first (it can be given at most ${sizeText(mostTb)})`;
  return `${held}: choose at least ${sizeText(atLeast)}, or remove data from it first`;
}

export const PROJECT_ROLE_LABELS: Record<ProjectRole, string> = {
  'project-data-manager': 'Project Data Manager',
  'project-data-user': 'Project Data User',
};

/**
 * Why a person who holds `held` in a project cannot be added to it as `wanted`: they are that already,
 * or they hold the other role, and a person holds one role in a project.
 */
export function projectRoleProblem(displayName: string, held: ProjectRole, wanted: ProjectRole): string {
  if (held === wanted) return `${displayName} is a ${PROJECT_ROLE_LABELS[wanted]} already`;
  return `${displayName} is a ${PROJECT_ROLE_LABELS[held]} of this project already, and a person holds one role in a project: to make them a ${PROJECT_ROLE_LABELS[wanted]}, remove them as a ${PROJECT_ROLE_LABELS[held]} first`;
}
