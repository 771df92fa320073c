import { sql } from 'kysely';
import type { Executor } from '../../platform/db/database.ts';
import type { CustomerClass, ServiceCode } from '../people/people.tables.ts';

export interface CatalogueProduct {
  code: string;
  service: ServiceCode;
  serviceName: string;
  name: string;
  summary: string;
  description: string;
  minimumTb: number;
  filesPerTb: number | null;
  termsYears: number[];
  /** Pence per TB per year in force on the day asked about, by customer class. */
  prices: Partial<Record<CustomerClass, number>>;
}

/**
 * Active products with the price of each customer class in force on `asOf`: the latest price
 * whose valid_from is on or before that day, found in one query.
 */
export async function listProducts(db: Executor, asOf: string, code?: string): Promise<CatalogueProduct[]> {
  let query = db
    .selectFrom('products')
    .innerJoin('services', 'services.code', 'products.service')
    .select([
      'products.code',
      'products.service',
      'services.name as service_name',
      'products.name',
      'products.summary',
      'products.description',
      'products.minimum_tb',
      'products.files_per_tb',
      'products.terms_years',
      sql<Record<CustomerClass, number> | null>`(
        SELECT jsonb_object_agg(current.customer_class, current.pence_per_tb_year)
        FROM (
          SELECT DISTINCT ON (p.customer_class) p.customer_class, p.pence_per_tb_year
          FROM prices p
          WHERE p.product_code = products.code AND p.valid_from <= ${asOf}::date
          ORDER BY p.customer_class, p.valid_from DESC
        ) AS current
      )`.as('prices'),
    ])
    .where('products.active', '=', true)
    .orderBy('products.sort_order');
  if (code) query = query.where('products.code', '=', code);
  const rows = await query.execute();
  return rows.map((row) => ({
    code: row.code,
    service: row.service,
    serviceName: row.service_name,
    name: row.name,
    summary: row.summary,
    description: row.description,
    minimumTb: row.minimum_tb,
    filesPerTb: row.files_per_tb,
    termsYears: row.terms_years,
    prices: row.prices ?? {},
  }));
}
