import type { ColumnType, Generated, JSONColumnType } from 'kysely';

export type AuditEntity =
  | 'order'
  | 'licence'
  | 'payment'
  | 'storage-project'
  | 'voucher'
  | 'staff-role'
  | 'quote'
  | 'personal-access-token'
  | 'product'
  | 'price'
  /** A person's choice of licence reminders (sent or not); entity_id is the person's id. */
  | 'reminder-setting'
  /** A person's directory details or status (current, left); entity_id is the person's id. */
  | 'person'
  /** An import of storage usage readings; entity_id is where they came from (its source). */
  | 'usage-import'
  /** A member of staff viewing the site as a customer sees it; entity_id is the customer's person id. */
  | 'view-as'
  /** Staff downloading the billing export (modules/billing); entity_id is the file's name. */
  | 'billing-export'
  /** A failed background job run again from the back office; entity_id is its queue and id. */
  | 'failed-job';

export interface AuditEventsTable {
  id: Generated<number>;
  occurred_at: ColumnType<Date, never, never>;
  actor_person_id: number | null;
  actor_label: string;
  entity_type: AuditEntity;
  entity_id: string;
  action: string;
  before: JSONColumnType<Record<string, unknown> | null, string | null, never>;
  after: JSONColumnType<Record<string, unknown> | null, string | null, never>;
  licence_id: number | null;
}

export interface AuditTables {
  audit_events: AuditEventsTable;
}
