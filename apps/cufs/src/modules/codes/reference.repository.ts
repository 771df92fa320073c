import type { Executor } from '../../platform/database.ts';
import type { AwardRow, CostCentreRow, ProjectRow, SourceOfFundsRow, TaskRow } from './judgements.ts';

/** Reads of the reference data; every function takes the executor it is given. */

/** Whether reference data has ever been imported (an import run is recorded in its transaction). */
export async function hasReferenceData(db: Executor): Promise<boolean> {
  return (await db.selectFrom('import_runs').select('id').limit(1).executeTakeFirst()) !== undefined;
}

export function findCostCentre(db: Executor, code: string): Promise<CostCentreRow | undefined> {
  return db
    .selectFrom('cost_centres')
    .select(['code', 'name', 'department_name', 'status', 'valid_from', 'valid_to'])
    .where('code', '=', code)
    .executeTakeFirst();
}

export function findSourceOfFunds(db: Executor, code: string): Promise<SourceOfFundsRow | undefined> {
  return db
    .selectFrom('sources_of_funds')
    .select(['code', 'name', 'status', 'valid_from', 'valid_to'])
    .where('code', '=', code)
    .executeTakeFirst();
}

export function findAward(db: Executor, awardNumber: string): Promise<AwardRow | undefined> {
  return db
    .selectFrom('awards')
    .select(['award_number', 'title', 'sponsor', 'status'])
    .where('award_number', '=', awardNumber)
    .executeTakeFirst();
}

export function findProject(db: Executor, projectNumber: string): Promise<ProjectRow | undefined> {
  return db
    .selectFrom('projects')
    .select(['project_number', 'award_number', 'title', 'status', 'start_date', 'end_date'])
    .where('project_number', '=', projectNumber)
    .executeTakeFirst();
}

export function findTask(db: Executor, projectNumber: string, taskNumber: string): Promise<TaskRow | undefined> {
  return db
    .selectFrom('tasks')
    .select(['project_number', 'task_number', 'name', 'status'])
    .where('project_number', '=', projectNumber)
    .where('task_number', '=', taskNumber)
    .executeTakeFirst();
}

export async function listTasks(db: Executor, projectNumber: string): Promise<TaskRow[]> {
  const tasks = await db
    .selectFrom('tasks')
    .select(['project_number', 'task_number', 'name', 'status'])
    .where('project_number', '=', projectNumber)
    .execute();
  // Task numbers are dotted numbers: 2 comes before 10, 1.2 before 1.10.
  return tasks.sort((a, b) => compareDotted(a.task_number, b.task_number));
}

function compareDotted(a: string, b: string): number {
  const left = a.split('.').map(Number);
  const right = b.split('.').map(Number);
  for (let i = 0; i < Math.max(left.length, right.length); i++) {
    const difference = (left[i] ?? -1) - (right[i] ?? -1);
    if (difference !== 0) return difference;
  }
  return 0;
}
