import type { Clock } from '../../platform/clock.ts';
import type { Executor } from '../../platform/db/database.ts';
import type { FieldErrors } from '../../platform/web/components.tsx';
import { AppError } from '../../platform/web/errors.ts';
import { type AuditEvent, personActor, recordAudit } from '../audit/audit.repository.ts';
import { listRecordAudit } from '../audit/audit-search.repository.ts';
import { COLD_STORE_PRODUCT } from '../orders/change-pricing.ts';
import type { PersonWithRoles } from '../people/people.repository.ts';
import type { ServiceCode } from '../people/people.tables.ts';
import { canManageService, isServiceStaff } from '../people/staff-access.ts';
import { formatDay } from '../quotes/quote-rules.ts';
import {
  type AdminPrice,
  type AdminProduct,
  deleteFuturePrice,
  findAdminProduct,
  insertPrice,
  listPricesOf,
  listProductsOfServices,
  lockProductForChange,
  updateProduct,
} from './catalogue.admin.repository.ts';
import { type PriceState, parseNewPrice, parseProductEdit, priceStates } from './catalogue-admin-rules.ts';

/**
 * Products and prices in the back office. Staff of a service (and Finance and superusers) read
 * its products; its team and superusers change them. Prices are only ever added, from today or a
 * later day: quotes and orders already carry the price they were made with.
 */
export interface CatalogueAdminContext {
  db: Executor;
  clock: Clock;
}

export type PriceWithState = AdminPrice & { state: PriceState };

export interface ProductWithPrices extends AdminProduct {
  prices: PriceWithState[];
  canManage: boolean;
}

export interface ProductForStaff extends ProductWithPrices {
  /** Changes to the product's details, newest first (added prices are in the audit search). */
  history: AuditEvent[];
}

export const productNotFound = (code: string) =>
  new AppError('not-found', `There is no product called ${code}. Choose one from the catalogue.`);

/** The product's service, or a 404 for a code that is no product. */
export async function productServiceOf(db: Executor, code: string): Promise<ServiceCode> {
  const product = await findAdminProduct(db, code);
  if (!product) throw productNotFound(code);
  return product.service;
}

export async function listCatalogueForStaff(
  context: CatalogueAdminContext,
  person: PersonWithRoles & { services: ServiceCode[] },
): Promise<ProductWithPrices[]> {
  const products = await listProductsOfServices(context.db, person.services);
  const prices = await listPricesOf(
    context.db,
    products.map((product) => product.code),
  );
  const today = context.clock.today().toString();
  return products.map((product) => ({
    ...product,
    prices: priceStates(
      prices.filter((price) => price.productCode === product.code),
      today,
    ),
    canManage: canManageService(person, product.service),
  }));
}

/**
 * The cold-store price (change-pricing.ts COLD_STORE_PRODUCT: the Research Cold Store's) that every
 * service's recoveries charge, for the staff of a service that charges it but does not set it: to
 * read, never to change. Undefined for those who have it among their own products.
 */
export async function coldStorePriceForStaff(
  context: CatalogueAdminContext,
  person: PersonWithRoles & { services: ServiceCode[] },
): Promise<ProductWithPrices | undefined> {
  const product = await findAdminProduct(context.db, COLD_STORE_PRODUCT);
  if (!product || person.services.length === 0 || person.services.includes(product.service)) return undefined;
  const prices = await listPricesOf(context.db, [product.code]);
  return { ...product, prices: priceStates(prices, context.clock.today().toString()), canManage: false };
}

export async function productForStaff(
  context: CatalogueAdminContext,
  person: PersonWithRoles,
  code: string,
): Promise<ProductForStaff> {
  const product = await findAdminProduct(context.db, code);
  if (!product) throw productNotFound(code);
  if (!isServiceStaff(person, product.service)) {
    throw new AppError('forbidden', `This is the ${product.service} storage team's work.`);
  }
  const prices = await listPricesOf(context.db, [code]);
  return {
    ...product,
    prices: priceStates(prices, context.clock.today().toString()),
    canManage: canManageService(person, product.service),
    history: await listRecordAudit(context.db, ['product'], code),
  };
}

export type ChangeOutcome = { ok: true; message: string } | { ok: false; errors: FieldErrors };

function requireManager(person: PersonWithRoles, service: ServiceCode): void {
  if (!canManageService(person, service))
    throw new AppError('forbidden', `Only the ${service} storage team can do this.`);
}

export async function editProduct(
  context: CatalogueAdminContext,
  person: PersonWithRoles,
  code: string,
  raw: Record<string, unknown>,
): Promise<ChangeOutcome> {
  requireManager(person, await productServiceOf(context.db, code));
  return context.db.transaction().execute(async (tx): Promise<ChangeOutcome> => {
    const product = await lockProductForChange(tx, code);
    if (!product) throw productNotFound(code);
    const parsed = parseProductEdit(raw, product);
    if (!parsed.ok) return parsed;
    const { changes } = parsed.value;
    await updateProduct(tx, code, changes);
    const before = Object.fromEntries(Object.keys(changes).map((key) => [key, product[key as keyof typeof changes]]));
    await recordAudit(tx, {
      actor: personActor(person),
      entityType: 'product',
      entityId: code,
      action: 'edited',
      before,
      after: changes,
    });
    return { ok: true, message: `${product.name} is changed.` };
  });
}

export async function addPrice(
  context: CatalogueAdminContext,
  person: PersonWithRoles,
  code: string,
  raw: Record<string, unknown>,
): Promise<ChangeOutcome> {
  requireManager(person, await productServiceOf(context.db, code));
  const today = context.clock.today().toString();
  const parsed = parseNewPrice(raw, today);
  if (!parsed.ok) return parsed;
  const price = parsed.value;
  return context.db.transaction().execute(async (tx): Promise<ChangeOutcome> => {
    const id = await insertPrice(tx, { productCode: code, ...price });
    if (id === undefined) {
      return {
        ok: false,
        errors: {
          validFrom: `${code} already has an ${price.customerClass} price from ${formatDay(price.validFrom)}: a price is never changed once set, so choose another day`,
        },
      };
    }
    await recordAudit(tx, {
      actor: personActor(person),
      entityType: 'price',
      entityId: id,
      action: 'added',
      after: {
        product: code,
        customerClass: price.customerClass,
        pencePerTbYear: price.pencePerTbYear,
        validFrom: price.validFrom,
      },
    });
    const when = price.validFrom === today ? 'from today' : `from ${formatDay(price.validFrom)}`;
    return { ok: true, message: `The new ${price.customerClass} price for ${code} applies ${when}.` };
  });
}

/**
 * Withdraws a price not yet in force (a mistyped future price would otherwise be charged from its
 * first day: a price in force is never changed, FROZEN_PRICES). Audited; refused (409) for a price
 * in force or earlier, or one gone meanwhile.
 */
export async function withdrawFuturePrice(
  context: CatalogueAdminContext,
  person: PersonWithRoles,
  code: string,
  priceId: number,
): Promise<string> {
  requireManager(person, await productServiceOf(context.db, code));
  const today = context.clock.today().toString();
  return context.db.transaction().execute(async (tx) => {
    const price = await deleteFuturePrice(tx, code, priceId, today);
    if (!price) {
      throw new AppError(
        'conflict',
        `That price of ${code} cannot be withdrawn: only a price whose first day is still to come can be, and a price is never changed once in force. Add a new price from a later day instead.`,
      );
    }
    await recordAudit(tx, {
      actor: personActor(person),
      entityType: 'price',
      entityId: price.id,
      action: 'withdrawn',
      before: {
        product: code,
        customerClass: price.customerClass,
        pencePerTbYear: price.pencePerTbYear,
        validFrom: price.validFrom,
      },
    });
    return `The ${price.customerClass} price for ${code} from ${formatDay(price.validFrom)} is withdrawn.`;
  });
}
