import type { ColumnType } from 'kysely';

export interface UsageReadingsTable {
  project_id: number;
  licence_id: number;
  /** YYYY-MM-DD: the day the storage system measured it. */
  read_on: string;
  used_bytes: number;
  source: string;
  imported_at: ColumnType<Date, never, Date>;
}

export interface UsageWarningsTable {
  id: ColumnType<number, never, never>;
  licence_id: number;
  size_tb: number;
  used_bytes: number;
  /** YYYY-MM-DD */
  read_on: string;
  warned_on: string;
  rearmed_on: string | null;
  created_at: ColumnType<Date, never, never>;
}

export interface UsageTables {
  usage_readings: UsageReadingsTable;
  usage_warnings: UsageWarningsTable;
}
