import type { ColumnType, Generated } from 'kysely';
import type { CustomerClass } from '../people/people.tables.ts';

export interface QuotesTable {
  id: Generated<number>;
  /** Q-000123, from a sequence. */
  reference: Generated<string>;
  person_id: number;
  product_code: string;
  institution_id: string;
  customer_class: CustomerClass;
  licence_name: string;
  size_tb: number;
  term_years: number;
  pence_per_tb_year: number;
  price_valid_from: string;
  net_pence: number;
  vat_pence: number;
  total_pence: number;
  issued_on: string;
  valid_until: string;
  created_at: ColumnType<Date, never, never>;
}

export interface QuotesTables {
  quotes: QuotesTable;
}
