import type { ColumnType } from 'kysely';
import type { OrderKind } from '../orders/order-status.ts';

export interface LicenceRemindersTable {
  licence_id: number;
  /** YYYY-MM-DD: the end date the reminder was about. */
  end_date: string;
  days: number;
  /** YYYY-MM-DD: the day the nightly job ran for. */
  sent_on: string;
  created_at: ColumnType<Date, never, never>;
}

export interface ReminderOptOutsTable {
  person_id: number;
  opted_out_at: ColumnType<Date, never, never>;
}

/** An email of the nightly job, as data: the send-lifecycle-notices job renders it into the outbox. */
export interface LifecycleNoticesTable {
  id: ColumnType<number, never, never>;
  template: string;
  /** YYYY-MM-DD: the day the nightly job ran for. */
  as_of: string;
  to_address: string;
  data: ColumnType<LifecycleNoticeData, string, string>;
  created_at: ColumnType<Date, never, never>;
  queued_at: Date | null;
}

export interface LifecycleNoticeData {
  displayName: string;
  /** By end date, then id. */
  licences: LifecycleNoticeLicence[];
}

export interface LifecycleNoticeLicence {
  licenceId: number;
  licenceName: string;
  endDate: string;
  /** In an expiry notice: the licence's change order in progress, if any, and its kind. */
  changeOrder?: string;
  changeKind?: Exclude<OrderKind, 'new'>;
  /** In an expiry notice: told as a Data Manager, the licence's Data Owner having left the University. */
  asManager?: boolean;
  /** A notice written by an earlier build: the licence's renewal in progress (changeOrder of kind renewal). */
  renewalOrder?: string;
}

export interface LifecycleRunsTable {
  /** YYYY-MM-DD */
  as_of: string;
  finished_at: ColumnType<Date, never, never>;
}

export interface DigestRunsTable {
  service: string;
  /** YYYY-MM-DD: the Monday of the week. */
  week_start: string;
  orders: number;
  sent_at: ColumnType<Date, never, never>;
}

export type LicenceFlagKind = 'finance-code-closed' | 'member-left';

export interface LicenceFlagsTable {
  id: ColumnType<number, never, never>;
  licence_id: number;
  kind: LicenceFlagKind;
  /** The person a 'member-left' flag is about; null for the other kinds. */
  person_id: number | null;
  detail: string;
  /** YYYY-MM-DD */
  raised_on: string;
  cleared_on: string | null;
  created_at: ColumnType<Date, never, never>;
}

export interface LifecycleTables {
  digest_runs: DigestRunsTable;
  licence_flags: LicenceFlagsTable;
  licence_reminders: LicenceRemindersTable;
  lifecycle_notices: LifecycleNoticesTable;
  reminder_opt_outs: ReminderOptOutsTable;
  lifecycle_runs: LifecycleRunsTable;
}
