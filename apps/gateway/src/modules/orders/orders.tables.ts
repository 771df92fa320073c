import type { ColumnType, Generated } from 'kysely';
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
  quote_id: number | null;
  terms_version_id: number;
  terms_accepted_at: Date;
  submission_key: string;
  submitted_at: ColumnType<Date, never, never>;
  updated_at: ColumnType<Date, never, Date>;
}

export interface OrdersTables {
  orders: OrdersTable;
}
