import type { ColumnType, Generated, JSONColumnType } from 'kysely';
import type { ProvisionedDetails } from '../../platform/provisioner/provisioner.ts';
import type { CustomerClass } from '../people/people.tables.ts';
import type { OrderKind, OrderStatus } from './order-status.ts';

export interface OrdersTable {
  id: Generated<number>;
  /** ORD-000123, from a sequence. */
  reference: Generated<string>;
  kind: OrderKind;
  status: OrderStatus;
  status_reason: string | null;
  licence_id: number;
  buyer_person_id: number;
  product_code: string;
  institution_id: string;
  customer_class: CustomerClass;
  size_tb: number;
  term_years: number;
  pence_per_tb_year: number;
  price_valid_from: string;
  net_pence: number;
  vat_pence: number;
  total_pence: number;
  /**
   * The period the order pays for: increase, the pricing day to the licence's end date; renewal
   * and recovery, the day after the old end date to the new end date; new, none until its set-up
   * gives the licence its first term (provisioning.repository.ts recordOrderPeriod, the one update);
   * cancellation, none.
   */
  starts_on: ColumnType<string | null, string | null | undefined, string>;
  ends_on: ColumnType<string | null, string | null | undefined, string>;
  /** Recovery only: the part of net_pence that is the cold-store fee. */
  cold_store_pence: ColumnType<number, number | undefined, never>;
  quote_id: number | null;
  terms_version_id: number;
  terms_accepted_at: Date;
  submission_key: string;
  decided_by_person_id: ColumnType<number | null, never, number | null>;
  decided_at: ColumnType<Date | null, never, Date | null>;
  /** From the injected clock, so the queue's "waiting more than N days" is tested as of a day. */
  submitted_at: ColumnType<Date, Date | undefined, never>;
  updated_at: ColumnType<Date, never, Date>;
}

export type ProvisionerKind = 'manual' | 'command' | 'webhook';

/** What a provisioning run created (or, when it failed, had created before undoing it). */
export type { ProvisionedDetails };

export interface ProvisioningRunsTable {
  id: Generated<number>;
  order_id: number;
  provisioner: ProvisionerKind;
  started_by_person_id: number | null;
  started_at: ColumnType<Date, Date, never>;
  finished_at: Date | null;
  outcome: Generated<'running' | 'succeeded' | 'failed'>;
  error: string | null;
  details: JSONColumnType<ProvisionedDetails | null, string | null, string | null>;
  undone: JSONColumnType<ProvisionedDetails | null, string | null, string | null>;
}

export interface OrdersTables {
  orders: OrdersTable;
  provisioning_runs: ProvisioningRunsTable;
}
