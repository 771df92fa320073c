import type { ColumnType, Generated } from 'kysely';

/** Dates are 'YYYY-MM-DD' text both ways: no time zone can shift a calendar date. */
type CalendarDate = string;
type UpdatedAt = ColumnType<Date, Date | string | undefined, Date | string>;

export interface CostCentresTable {
  code: string;
  name: string;
  department_name: string;
  status: 'open' | 'closed';
  valid_from: CalendarDate;
  valid_to: CalendarDate | null;
  updated_at: UpdatedAt;
}

export interface SourcesOfFundsTable {
  code: string;
  name: string;
  status: 'enabled' | 'disabled';
  valid_from: CalendarDate;
  valid_to: CalendarDate | null;
  updated_at: UpdatedAt;
}

export interface AwardsTable {
  award_number: string;
  title: string;
  sponsor: string;
  status: 'active' | 'closed';
  updated_at: UpdatedAt;
}

export interface ProjectsTable {
  project_number: string;
  award_number: string;
  title: string;
  status: 'active' | 'closed';
  start_date: CalendarDate;
  end_date: CalendarDate;
  updated_at: UpdatedAt;
}

export interface TasksTable {
  project_number: string;
  task_number: string;
  name: string;
  status: 'open' | 'closed';
  updated_at: UpdatedAt;
}

export interface ImportRunsTable {
  id: Generated<number>;
  source: string;
  finished_at: ColumnType<Date, Date | string | undefined, never>;
  /** Rows inserted, updated and unchanged per data set. */
  counts: ColumnType<ImportCounts, string, never>;
}

export type ImportCounts = Record<string, { inserted: number; updated: number; unchanged: number }>;

/** The CUFS service's own schema: reference data from CUFS and a record of each import. */
export interface Database {
  cost_centres: CostCentresTable;
  sources_of_funds: SourcesOfFundsTable;
  awards: AwardsTable;
  projects: ProjectsTable;
  tasks: TasksTable;
  import_runs: ImportRunsTable;
}
