import {
  GROUP_NAME,
  type GroupSyncRequest,
  type ProjectMade,
  type ProvisionedDetails,
  type ProvisionRequest,
} from '../../platform/provisioner/provisioner.ts';
import type { FieldErrors } from '../../platform/web/components.tsx';
import { sizeText } from '../catalogue/sizes.ts';

/**
 * Provisioning as pure rules: the "mark as provisioned" form (for each storage project of the
 * licence, where it lives, its share name, its directory groups and its quota), the check that
 * an automated provisioner's answer covers exactly the projects it was asked to make, and what
 * the service team can do in each state.
 */
export type ProjectFieldName = 'path' | 'shareName' | 'groups' | 'quotaTb';

/** The form field of one project's answer; also its id, so the error summary links to it. */
export function projectField(projectId: number, field: ProjectFieldName): string {
  return `project-${projectId}-${field}`;
}

export interface FormProject {
  id: number;
  name: string;
  /** The project's quota now: the default when the quota is left blank. */
  quotaTb: number;
}

export type ProvisioningFormResult = { ok: true; details: ProvisionedDetails } | { ok: false; errors: FieldErrors };

const MAX_PATH = 500;
const SHARE_NAME = /^[A-Za-z0-9][A-Za-z0-9._$-]{0,79}$/;
const MAX_GROUPS = 100;
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it refuses
const CONTROL = /[\u0000-\u001f\u007f]/;

/** Group names as typed: separated by commas (or new lines), blanks dropped, each once. */
export function splitGroupNames(text: string): string[] {
  return [
    ...new Set(
      text
        .split(/[,\n]/)
        .map((name) => name.trim())
        .filter(Boolean),
    ),
  ];
}

/**
 * `otherQuotaTb`: the TB the licence already gives to storage projects that are not on the form
 * (those made before, in a licence in use); the quotas on the form may only share out the rest.
 */
export function parseProvisioningForm(
  values: Readonly<Record<string, string | undefined>>,
  projects: readonly FormProject[],
  licenceSizeTb: number,
  otherQuotaTb = 0,
): ProvisioningFormResult {
  const errors: FieldErrors = {};
  const made: ProvisionedDetails['projects'] = [];
  for (const project of projects) {
    const field = (name: ProjectFieldName) => projectField(project.id, name);
    const value = (name: ProjectFieldName) => (values[field(name)] ?? '').trim();

    const path = value('path');
    if (!path) errors[field('path')] = `Enter the path of storage project ${project.name}`;
    else if (path.length > MAX_PATH || CONTROL.test(path))
      errors[field('path')] = `The path of ${project.name} must be one line of at most ${MAX_PATH} characters`;
    else if (!path.startsWith('/') && !path.startsWith('\\\\'))
      errors[field('path')] =
        `Enter the path of ${project.name} in full, starting with / (such as /rds/project/${project.name}) or \\\\ for a share`;

    const shareName = value('shareName');
    if (shareName && !SHARE_NAME.test(shareName))
      errors[field('shareName')] =
        `The share name of ${project.name} can have letters, digits, dots, hyphens, underscores and $, up to 80 characters`;

    const groups = splitGroupNames(values[field('groups')] ?? '');
    const badGroup = groups.find((name) => !GROUP_NAME.test(name));
    if (badGroup)
      errors[field('groups')] =
        `“${badGroup}” is not a group name: use letters, digits, dots, hyphens and underscores, separated by commas`;
    else if (groups.length > MAX_GROUPS)
      errors[field('groups')] = `Give at most ${MAX_GROUPS} group names for ${project.name}`;

    const quotaText = value('quotaTb');
    const quotaTb = quotaText === '' ? project.quotaTb : Number(quotaText);
    if (!/^\d*$/.test(quotaText) || !Number.isSafeInteger(quotaTb) || quotaTb < 1 || quotaTb > licenceSizeTb)
      errors[field('quotaTb')] =
        `Enter the quota of ${project.name} as a whole number of TB from 1 to ${licenceSizeTb} (the licence's size)`;

    made.push({ id: project.id, path, shareName: shareName || null, groups, quotaTb });
  }
  const total = made.reduce((sum, project) => sum + (project.quotaTb ?? 0), 0);
  const last = projects.at(-1);
  if (last && total + otherQuotaTb > licenceSizeTb && !Object.values(errors).some(Boolean)) {
    errors[projectField(last.id, 'quotaTb')] =
      otherQuotaTb > 0
        ? quotasWithOthersTooBig(total, otherQuotaTb, licenceSizeTb, projects.length === 1 ? last.name : undefined)
        : `The quotas add up to ${sizeText(total)}, more than the licence's ${sizeText(licenceSizeTb)}`;
  }
  if (Object.values(errors).some(Boolean)) return { ok: false, errors };
  return { ok: true, details: { quotaTb: total, projects: made } };
}

/**
 * The quotas on the form (`formTb`) and those of the licence's other projects add up to more than
 * the licence: the total is both together, and what the others leave is what the form may share
 * out ("…: 2 TB is left for storage project second", or "for these projects" when there are several).
 */
function quotasWithOthersTooBig(formTb: number, otherTb: number, licenceTb: number, onlyProject?: string): string {
  const left = licenceTb - otherTb;
  const forWhom = onlyProject === undefined ? 'these projects' : `storage project ${onlyProject}`;
  return (
    `The quotas add up to ${sizeText(formTb + otherTb)} with the ${sizeText(otherTb)} of the licence's other ` +
    `storage projects, more than the licence's ${sizeText(licenceTb)}: ` +
    (left > 0 ? `${sizeText(left)} is left for ${forWhom}` : `nothing is left for ${forWhom}`)
  );
}

/**
 * Whether an automated provisioner's answer names each project it was asked to make, once, and
 * nothing else; a sentence saying what is wrong, or null.
 */
export function detailsProblem(details: ProvisionedDetails, projectIds: readonly number[]): string | null {
  const asked = new Set(projectIds);
  const seen = new Set<number>();
  for (const project of details.projects) {
    if (!asked.has(project.id)) return `it reported storage project ${project.id}, which it was not asked to make`;
    if (seen.has(project.id)) return `it reported storage project ${project.id} twice`;
    seen.add(project.id);
  }
  const missing = projectIds.find((id) => !seen.has(id));
  return missing === undefined ? null : `it reported nothing for storage project ${missing}`;
}

export interface ProvisioningActions {
  /** A person records what they made ("Mark as provisioned"). */
  record: boolean;
  /** The automated provisioner is started on an approved order. */
  start: boolean;
  /** The automated provisioner runs again after a failure. */
  retry: boolean;
}

/**
 * What the service team can do about an order's provisioning, for new storage and for changes
 * (increase, renewal, recovery, cancellation) alike. With the manual provisioner a person records
 * an approved order (what they made, or for a change "Mark as done"); with an automated one the
 * team starts it (if approval did not) and retries a failure, and may instead record by hand what
 * they did themselves after a failure.
 */
export function provisioningActions(
  order: { status: string; kind: string },
  provisioner: { automatic: boolean },
): ProvisioningActions {
  const none = { record: false, start: false, retry: false };
  if (order.status === 'approved') return { ...none, record: !provisioner.automatic, start: provisioner.automatic };
  if (order.status === 'provisioning-failed') return { ...none, record: true, retry: provisioner.automatic };
  return none;
}

/**
 * Whether the licence's people or storage projects as they are now (`now`, a group sync of the
 * licence just activated) differ from what a new order's provisioning run sent the provisioner
 * (`sent`): a change made on the licence's pages while the provisioner was at work. Its own group
 * sync found the licence still pending and sent nothing, so the groups must be sent again.
 */
export function groupsChangedSinceSent(sent: ProvisionRequest, now: GroupSyncRequest): boolean {
  const people = (licence: { owner: string; managers: readonly string[] }) =>
    JSON.stringify([licence.owner, [...licence.managers].sort()]);
  const projects = (list: ReadonlyArray<ProvisionRequest['projects'][number]>) =>
    JSON.stringify(
      list
        .map((project) => [
          project.id,
          project.name,
          project.quotaTb,
          project.members.map((member) => `${member.crsid}:${member.role}`).sort(),
        ])
        .sort((a, b) => Number(a[0]) - Number(b[0])),
    );
  return people(sent.licence) !== people(now.licence) || projects(sent.projects) !== projects(now.projects);
}

/** How each provisioner sets storage up, in words: the order page's and the history's. */
export const PROVISIONER_NAMES: Record<'manual' | 'command' | 'webhook', string> = {
  manual: 'by hand',
  command: 'provisioning command',
  webhook: 'provisioning webhook',
};

/** "its 3 people … have been emailed", with how many have left and were not. */
export function emailedWords(told: number, left: number): string {
  const people = (n: number) => (n === 1 ? '1 person' : `${n} people`);
  if (told === 0)
    return `nobody has been emailed: ${left === 1 ? 'its only person has' : `all ${left} of its people have`} left the University`;
  const who = '(Data Owner, Data Managers, buyer)';
  if (left === 0)
    // One person with nobody gone is all of them: the Data Owner, who bought it and has no Data Managers.
    return told === 1
      ? 'its only person, the Data Owner, has been emailed'
      : `its ${told} people ${who} have been emailed`;
  return `${told} of its people ${who} ${told === 1 ? 'has' : 'have'} been emailed; ${people(left)} who ${left === 1 ? 'has' : 'have'} left the University ${left === 1 ? 'was' : 'were'} not`;
}

/**
 * A storage project as its ready email says where to find it: "Storage project chem-finance:
 * \\ifs.cam.ac.uk\chem-finance; shared as …; groups …; quota 1 TB." The same line for new storage
 * and for a project made later in a licence in use.
 */
export function madeProjectLine(name: string, made: ProjectMade): string {
  const parts = [`Storage project ${name}: ${made.path}`];
  if (made.shareName) parts.push(`shared as ${made.shareName}`);
  if (made.groups.length > 0) parts.push(`groups ${made.groups.join(', ')}`);
  if (made.quotaTb) parts.push(`quota ${sizeText(made.quotaTb)}`);
  return `${parts.join('; ')}.`;
}
