import { sql } from 'kysely';
import type { Executor } from '../../platform/db/database.ts';
import type { CustomerClass, ServiceCode } from '../people/people.tables.ts';
import { selectProducts, toProduct } from './catalogue.repository.ts';
import type { ProductEditable } from './catalogue-admin-rules.ts';

/** The catalogue as the service teams manage it: every product, active or not, and every price. */

export interface AdminProduct extends ProductEditable {
  code: string;
  service: ServiceCode;
  serviceName: string;
  filesPerTb: number | null;
}

export interface AdminPrice {
  id: number;
  productCode: string;
  customerClass: CustomerClass;
  pencePerTbYear: number;
  validFrom: string;
  createdAt: Date;
}

/** The products of these services, withdrawn ones included, in catalogue order. */
export async function listProductsOfServices(db: Executor, services: ServiceCode[]): Promise<AdminProduct[]> {
  if (services.length === 0) return [];
  const rows = await selectProducts(db)
    .where('products.service', 'in', services)
    .orderBy('products.sort_order')
    .orderBy('products.code')
    .execute();
  return rows.map(toProduct);
}

export async function findAdminProduct(db: Executor, code: string): Promise<AdminProduct | undefined> {
  const row = await selectProducts(db).where('products.code', '=', code).executeTakeFirst();
  return row ? toProduct(row) : undefined;
}

/** Every price of these products, newest first within each product and customer class, in one query. */
export async function listPricesOf(db: Executor, productCodes: string[]): Promise<AdminPrice[]> {
  if (productCodes.length === 0) return [];
  const rows = await db
    .selectFrom('prices')
    .select(PRICE_COLUMNS)
    .where('product_code', 'in', productCodes)
    .orderBy('product_code')
    .orderBy('customer_class')
    .orderBy('valid_from', 'desc')
    .execute();
  return rows.map(toAdminPrice);
}

/** A price's columns as AdminPrice reads them (its first day as the calendar date it is). */
const PRICE_COLUMNS = [
  'id',
  'product_code',
  'customer_class',
  'pence_per_tb_year',
  sql<string>`valid_from::text`.as('valid_from'),
  'created_at',
] as const;

function toAdminPrice(row: {
  id: number;
  product_code: string;
  customer_class: CustomerClass;
  pence_per_tb_year: number;
  valid_from: string;
  created_at: Date;
}): AdminPrice {
  return {
    id: row.id,
    productCode: row.product_code,
    customerClass: row.customer_class,
    pencePerTbYear: row.pence_per_tb_year,
    validFrom: row.valid_from,
    createdAt: row.created_at,
  };
}

/** The product row, locked for the rest of the transaction so two edits take turns. */
export async function lockProductForChange(tx: Executor, code: string): Promise<AdminProduct | undefined> {
  const row = await selectProducts(tx).where('products.code', '=', code).forUpdate('products').executeTakeFirst();
  return row ? toProduct(row) : undefined;
}

export async function updateProduct(tx: Executor, code: string, changes: Partial<ProductEditable>): Promise<void> {
  await tx
    .updateTable('products')
    .set({
      ...(changes.name !== undefined ? { name: changes.name } : {}),
      ...(changes.summary !== undefined ? { summary: changes.summary } : {}),
      ...(changes.description !== undefined ? { description: changes.description } : {}),
      ...(changes.minimumTb !== undefined ? { minimum_tb: changes.minimumTb } : {}),
      ...(changes.termsYears !== undefined ? { terms_years: changes.termsYears } : {}),
      ...(changes.active !== undefined ? { active: changes.active } : {}),
    })
    .where('code', '=', code)
    .execute();
}

/**
 * Adds a price; undefined when the product already has one for that customer class from that day
 * (the unique constraint says so without aborting the transaction).
 */
export async function insertPrice(
  tx: Executor,
  price: { productCode: string; customerClass: CustomerClass; pencePerTbYear: number; validFrom: string },
): Promise<number | undefined> {
  const row = await tx
    .insertInto('prices')
    .values({
      product_code: price.productCode,
      customer_class: price.customerClass,
      pence_per_tb_year: price.pencePerTbYear,
      valid_from: price.validFrom,
    })
    .onConflict((oc) => oc.columns(['product_code', 'customer_class', 'valid_from']).doNothing())
    .returning('id')
    .executeTakeFirst();
  return row?.id;
}

/**
 * Removes a price not yet in force (its first day after `today`), returning what it was; undefined
 * when the product has no such price (in force already, earlier, or gone). Nothing was ever priced
 * by it: quotes and orders take the price in force on their day, and keep its figures, not its row.
 */
export async function deleteFuturePrice(
  tx: Executor,
  productCode: string,
  priceId: number,
  today: string,
): Promise<AdminPrice | undefined> {
  const row = await tx
    .deleteFrom('prices')
    .where('id', '=', priceId)
    .where('product_code', '=', productCode)
    .where('valid_from', '>', today)
    .returning(PRICE_COLUMNS)
    .executeTakeFirst();
  return row && toAdminPrice(row);
}
