import type { ColumnType, Generated } from 'kysely';

export interface TaskOutboxTable {
  id: Generated<number>;
  task_id: Generated<string>;
  job: string;
  payload: ColumnType<unknown, string, string>;
  run_after: Date | null;
  singleton_key: string | null;
  created_at: Generated<Date>;
  claimed_at: Date | null;
  dispatched_at: Date | null;
  attempts: Generated<number>;
  last_error: string | null;
}

export interface JobsTables {
  task_outbox: TaskOutboxTable;
}
