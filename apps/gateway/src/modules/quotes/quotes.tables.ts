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
  /** A quote for a change of a licence (migration 0022): its licence, kind and period; null for new storage. */
  licence_id: ColumnType<number | null, number | null | undefined, never>;
  change_kind: ColumnType<QuotedChangeKind | null, QuotedChangeKind | null | undefined, never>;
  starts_on: ColumnType<string | null, string | null | undefined, never>;
  ends_on: ColumnType<string | null, string | null | undefined, never>;
  /** A recovery's cold-store fee, part of net_pence; 0 otherwise. */
  cold_store_pence: ColumnType<number, number | undefined, never>;
  /**
   * What a quote for new storage was asked for beside what it prices (migration 0023): the Data
   * Owner's and Data Managers' CRSids and the first storage project's name, all three or none.
   * Null for a change quote and for a quote issued before they were kept.
   */
  owner_crsid: ColumnType<string | null, string | null | undefined, never>;
  manager_crsids: ColumnType<string[] | null, string[] | null | undefined, never>;
  project_name: ColumnType<string | null, string | null | undefined, never>;
}

/** The changes of a licence a quote can be for (a cancellation costs nothing, so needs none). */
export type QuotedChangeKind = 'increase' | 'renewal' | 'recovery';

export interface QuotesTables {
  quotes: QuotesTable;
}
