import { sql } from 'kysely';
import type { Executor } from '../../platform/db/database.ts';
import { preparedQuery } from '../../platform/db/prepared.ts';
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
  const rows = code ? await selectProductWithPrices(db, { asOf, code }) : await selectProductsWithPrices(db, { asOf });
  return rows.map((row) => ({ ...toProduct(row), prices: row.prices ?? {} }));
}

// Prepared: every My storage page lists the products.
const selectProductsWithPrices = preparedQuery((db, p: { asOf: string }) => productsWithPrices(db, p.asOf));
const selectProductWithPrices = preparedQuery((db, p: { asOf: string; code: string }) =>
  productsWithPrices(db, p.asOf).where('products.code', '=', p.code),
);

function productsWithPrices(db: Executor, asOf: string) {
  return selectProducts(db)
    .select(
      sql<Record<CustomerClass, number> | null>`(
        SELECT jsonb_object_agg(current.customer_class, current.pence_per_tb_year)
        FROM (
          SELECT DISTINCT ON (p.customer_class) p.customer_class, p.pence_per_tb_year
          FROM prices p
          WHERE p.product_code = products.code AND p.valid_from <= ${asOf}::date
          ORDER BY p.customer_class, p.valid_from DESC
        ) AS current
      )`.as('prices'),
    )
    .where('products.active', '=', true)
    .orderBy('products.sort_order');
}

/** A product's own columns with its service's name: the catalogue's and the back office's one query shape. */
export function selectProducts(db: Executor) {
  return db
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
      'products.active',
    ]);
}

type ProductRow = Awaited<ReturnType<ReturnType<typeof selectProducts>['execute']>>[number];

export function toProduct(row: ProductRow): Omit<CatalogueProduct, 'prices'> & { active: boolean } {
  return {
    code: row.code,
    service: row.service,
    serviceName: row.service_name,
    name: row.name,
    summary: row.summary,
    description: row.description,
    minimumTb: row.minimum_tb,
    filesPerTb: row.files_per_tb,
    termsYears: row.terms_years,
    active: row.active,
  };
}

export interface PriceInForce {
  pencePerTbYear: number;
  /** The day this price began to apply, recorded on quotes and orders. */
  validFrom: string;
}

/** The price of a product for a customer class on a day: the latest one valid on or before it. */
export async function findPriceInForce(
  db: Executor,
  productCode: string,
  customerClass: CustomerClass,
  asOf: string,
): Promise<PriceInForce | undefined> {
  const row = await db
    .selectFrom('prices')
    .select(['pence_per_tb_year', sql<string>`valid_from::text`.as('valid_from')])
    .where('product_code', '=', productCode)
    .where('customer_class', '=', customerClass)
    .where('valid_from', '<=', asOf)
    .orderBy('valid_from', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row ? { pencePerTbYear: row.pence_per_tb_year, validFrom: row.valid_from } : undefined;
}

export interface TermsVersion {
  id: number;
  service: ServiceCode;
  version: string;
  title: string;
  paragraphs: string[];
  publishedOn: string;
}

/** The terms a service's buyers accept today: the latest version published on or before `asOf`. */
export async function findCurrentTerms(db: Executor, service: ServiceCode, asOf: string): Promise<TermsVersion> {
  const row = await db
    .selectFrom('terms_versions')
    .selectAll()
    .where('service', '=', service)
    .where('published_on', '<=', asOf)
    .orderBy('published_on', 'desc')
    .limit(1)
    .executeTakeFirstOrThrow(() => new Error(`no terms published for ${service} by ${asOf}`));
  return {
    id: row.id,
    service: row.service,
    version: row.version,
    title: row.title,
    paragraphs: row.body.split(/\n\s*\n/),
    publishedOn: row.published_on,
  };
}
