import type { ColumnType, Generated } from 'kysely';
import type { CustomerClass, ServiceCode } from '../people/people.tables.ts';

export interface ServicesTable {
  code: ServiceCode;
  name: string;
  team_name: string;
  team_email: string;
}

export interface ProductsTable {
  code: string;
  service: ServiceCode;
  name: string;
  summary: string;
  description: string;
  minimum_tb: number;
  /** The file-count allowance per TB, for products that have one. */
  files_per_tb: number | null;
  /** The licence terms on offer, in whole years. */
  terms_years: number[];
  sort_order: number;
  active: Generated<boolean>;
}

export interface PricesTable {
  id: Generated<number>;
  product_code: string;
  customer_class: CustomerClass;
  pence_per_tb_year: number;
  /** The first calendar day on which this price applies (YYYY-MM-DD). */
  valid_from: string;
  created_at: ColumnType<Date, never, never>;
}

export interface TermsVersionsTable {
  id: Generated<number>;
  service: ServiceCode;
  /** e.g. 2026-08: what an order records as accepted. */
  version: string;
  title: string;
  /** Paragraphs separated by blank lines. */
  body: string;
  published_on: string;
}

export interface CatalogueTables {
  terms_versions: TermsVersionsTable;
  services: ServicesTable;
  products: ProductsTable;
  prices: PricesTable;
}
