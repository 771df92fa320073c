/**
 * Whether a well-formed code may be charged on a day, decided from its reference rows alone.
 * Plain functions with no I/O: dates are 'YYYY-MM-DD' text, which compares in calendar order.
 */
import type { GlCode, GrantCode } from './formats.ts';

export interface CostCentreRow {
  code: string;
  name: string;
  department_name: string;
  status: 'open' | 'closed';
  valid_from: string;
  valid_to: string | null;
}

export interface SourceOfFundsRow {
  code: string;
  name: string;
  status: 'enabled' | 'disabled';
  valid_from: string;
  valid_to: string | null;
}

export interface AwardRow {
  award_number: string;
  title: string;
  sponsor: string;
  status: 'active' | 'closed';
}

export interface ProjectRow {
  project_number: string;
  award_number: string;
  title: string;
  status: 'active' | 'closed';
  start_date: string;
  end_date: string;
}

export interface TaskRow {
  project_number: string;
  task_number: string;
  name: string;
  status: 'open' | 'closed';
}

export const GL_INVALID_REASONS = [
  'cost-centre-unknown',
  'cost-centre-closed',
  'source-of-funds-unknown',
  'source-of-funds-disabled',
  'not-yet-valid',
  'no-longer-valid',
] as const;

export const GRANT_INVALID_REASONS = [
  'award-unknown',
  'award-closed',
  'project-unknown',
  'project-not-on-award',
  'project-closed',
  'project-not-started',
  'project-ended',
  'task-unknown',
  'task-closed',
] as const;

export type GlInvalidReason = (typeof GL_INVALID_REASONS)[number];
export type GrantInvalidReason = (typeof GRANT_INVALID_REASONS)[number];

export interface ValidityWindow {
  validFrom: string;
  /** The last day it may be charged; null when open-ended. */
  validTo: string | null;
}

export type GlJudgement =
  | ({ result: 'valid'; costCentre: CostCentreRow; sourceOfFunds: SourceOfFundsRow } & ValidityWindow)
  | { result: 'invalid'; reason: GlInvalidReason; message: string };

export type GrantJudgement =
  | { result: 'valid'; award: AwardRow; project: ProjectRow; task: TaskRow; validFrom: string; validTo: string }
  | { result: 'invalid'; reason: GrantInvalidReason; message: string };

export function judgeGlCode(
  code: GlCode,
  costCentre: CostCentreRow | undefined,
  sourceOfFunds: SourceOfFundsRow | undefined,
  on: string,
): GlJudgement {
  if (!costCentre)
    return { result: 'invalid', reason: 'cost-centre-unknown', message: `There is no cost centre ${code.costCentre}.` };
  if (costCentre.status === 'closed')
    return { result: 'invalid', reason: 'cost-centre-closed', message: `Cost centre ${costCentre.code} is closed.` };
  if (!sourceOfFunds)
    return {
      result: 'invalid',
      reason: 'source-of-funds-unknown',
      message: `There is no source of funds ${code.sourceOfFunds}.`,
    };
  if (sourceOfFunds.status === 'disabled')
    return {
      result: 'invalid',
      reason: 'source-of-funds-disabled',
      message: `Source of funds ${sourceOfFunds.code} is disabled.`,
    };
  const window = intersect(
    { validFrom: costCentre.valid_from, validTo: costCentre.valid_to },
    { validFrom: sourceOfFunds.valid_from, validTo: sourceOfFunds.valid_to },
  );
  // The cost centre ends before the source of funds starts, or the other way round: no day is in
  // both, so the code can never be charged and no date in the message would help.
  const never =
    window.validTo !== null && window.validTo < window.validFrom
      ? `Cost centre ${costCentre.code} can be charged ${span(costCentre.valid_from, costCentre.valid_to)} and source of funds ${sourceOfFunds.code} ${span(sourceOfFunds.valid_from, sourceOfFunds.valid_to)}: this GL code can never be charged.`
      : undefined;
  if (on < window.validFrom)
    return {
      result: 'invalid',
      reason: 'not-yet-valid',
      message: never ?? `This GL code cannot be charged before ${readableDay(window.validFrom)}.`,
    };
  if (window.validTo !== null && on > window.validTo)
    return {
      result: 'invalid',
      reason: 'no-longer-valid',
      message: never ?? `This GL code could be charged only until ${readableDay(window.validTo)}.`,
    };
  return { result: 'valid', costCentre, sourceOfFunds, ...window };
}

export type CostCentreJudgement =
  | { result: 'valid' }
  | { result: 'invalid'; reason: 'cost-centre-closed' | 'not-yet-valid' | 'no-longer-valid'; message: string };

/** A known cost centre on its own: open, and the day within its dates. */
export function judgeCostCentre(costCentre: CostCentreRow, on: string): CostCentreJudgement {
  if (costCentre.status === 'closed')
    return { result: 'invalid', reason: 'cost-centre-closed', message: `Cost centre ${costCentre.code} is closed.` };
  if (on < costCentre.valid_from)
    return {
      result: 'invalid',
      reason: 'not-yet-valid',
      message: `Cost centre ${costCentre.code} cannot be charged before ${readableDay(costCentre.valid_from)}.`,
    };
  if (costCentre.valid_to !== null && on > costCentre.valid_to)
    return {
      result: 'invalid',
      reason: 'no-longer-valid',
      message: `Cost centre ${costCentre.code} could be charged only until ${readableDay(costCentre.valid_to)}.`,
    };
  return { result: 'valid' };
}

export function judgeGrant(
  code: GrantCode,
  award: AwardRow | undefined,
  project: ProjectRow | undefined,
  task: TaskRow | undefined,
  on: string,
): GrantJudgement {
  if (!award) return { result: 'invalid', reason: 'award-unknown', message: `There is no award ${code.award}.` };
  if (award.status === 'closed')
    return { result: 'invalid', reason: 'award-closed', message: `Award ${award.award_number} is closed.` };
  if (!project)
    return { result: 'invalid', reason: 'project-unknown', message: `There is no project ${code.project}.` };
  if (project.award_number !== award.award_number)
    return {
      result: 'invalid',
      reason: 'project-not-on-award',
      message: `Project ${project.project_number} belongs to award ${project.award_number}, not ${award.award_number}.`,
    };
  if (project.status === 'closed')
    return { result: 'invalid', reason: 'project-closed', message: `Project ${project.project_number} is closed.` };
  if (on < project.start_date)
    return {
      result: 'invalid',
      reason: 'project-not-started',
      message: `Project ${project.project_number} starts on ${readableDay(project.start_date)}.`,
    };
  if (on > project.end_date)
    return {
      result: 'invalid',
      reason: 'project-ended',
      message: `Project ${project.project_number} ended on ${readableDay(project.end_date)}.`,
    };
  if (!task)
    return {
      result: 'invalid',
      reason: 'task-unknown',
      message: `Project ${project.project_number} has no task ${code.task}.`,
    };
  if (task.status === 'closed')
    return {
      result: 'invalid',
      reason: 'task-closed',
      message: `Task ${task.task_number} of project ${project.project_number} is closed to charges.`,
    };
  return { result: 'valid', award, project, task, validFrom: project.start_date, validTo: project.end_date };
}

function span(from: string, to: string | null): string {
  return to === null ? `from ${readableDay(from)}` : `from ${readableDay(from)} to ${readableDay(to)}`;
}

const dayFormat = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });

/**
 * A 'YYYY-MM-DD' day as the messages say it, 2024-12-31 → 31 December 2024: the gateway shows
 * them to the buyer as they are, beside dates it writes the same way.
 */
export function readableDay(day: string): string {
  return dayFormat.format(new Date(`${day}T00:00:00Z`));
}

function intersect(a: ValidityWindow, b: ValidityWindow): ValidityWindow {
  // ISO dates sort as text: the later start and the earlier end bound the window.
  const [, validFrom = a.validFrom] = [a.validFrom, b.validFrom].sort();
  const ends = [a.validTo, b.validTo].filter((end): end is string => end !== null).sort();
  return { validFrom, validTo: ends[0] ?? null };
}
