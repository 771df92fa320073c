import type { FastifyInstance } from 'fastify';
import * as z from 'zod';
import type { Clock } from '../../platform/clock.ts';
import type { Executor } from '../../platform/db/database.ts';
import { AppError } from '../../platform/web/errors.ts';
import { apiRoute } from '../../platform/web/openapi.ts';
import { listInstitutions } from '../people/people.repository.ts';
import type { ServiceCode } from '../people/people.tables.ts';
import { type CatalogueProduct, findCurrentTerms, listProducts, type TermsVersion } from './catalogue.repository.ts';

const pence = z.int().nonnegative();
const SERVICES = ['research', 'institutional'] as const satisfies readonly ServiceCode[];

/** Where a service's current terms are read in full: GET /api/terms/{service}. */
const termsPath = (service: ServiceCode) => `/api/terms/${service}`;

const termsSummary = z
  .object({
    version: z.string().meta({ example: '2026-08' }).describe('What an order’s termsVersion must be today.'),
    title: z.string(),
    publishedOn: z.iso.date().describe('The day this version began to apply.'),
    url: z.string().meta({ example: '/api/terms/research' }).describe('Where to read them in full (getTerms).'),
  })
  .describe(
    'The terms and conditions a buyer of the product accepts today (each service has its own): an order (submitOrder, orderChange) sends acceptTerms: true and this version as termsVersion, and is refused (422) for any other.',
  );

export const productSchema = z
  .object({
    code: z.string().meta({ example: 'RDS' }),
    service: z.enum(['research', 'institutional']),
    serviceName: z.string(),
    name: z.string(),
    summary: z.string(),
    description: z.string(),
    minimumTb: z.int().positive().describe('The smallest size sold, in whole TB.'),
    filesPerTb: z.int().positive().nullable().describe('File allowance per TB, where the product has one.'),
    termsYears: z.array(z.int().positive()).describe('The terms a licence may be bought for, in years.'),
    terms: termsSummary,
    prices: z
      .object({ internal: pence.optional(), external: pence.optional() })
      .describe(
        'Pence per TB per year in force today, by customer class. External customers (Colleges included) also pay VAT.',
      ),
  })
  .meta({ id: 'Product' });

function toApi(product: CatalogueProduct, terms: TermsVersion): z.input<typeof productSchema> {
  return {
    ...product,
    terms: {
      version: terms.version,
      title: terms.title,
      publishedOn: terms.publishedOn,
      url: termsPath(terms.service),
    },
    prices: { internal: product.prices.internal, external: product.prices.external },
  };
}

/** Each product with its service's current terms: one read per service (there are two), not per product. */
async function withTerms(db: Executor, products: CatalogueProduct[], today: string) {
  const services = [...new Set(products.map((product) => product.service))];
  const terms = new Map(
    await Promise.all(services.map(async (service) => [service, await findCurrentTerms(db, service, today)] as const)),
  );
  return products.map((product) => toApi(product, terms.get(product.service) as TermsVersion));
}

/** The catalogue as JSON: the same products and prices as /catalogue/. */
export async function catalogueApi(app: FastifyInstance, options: { db: Executor; clock: Clock }): Promise<void> {
  apiRoute(
    app,
    {
      method: 'GET',
      path: '/api/products',
      operationId: 'listProducts',
      summary: 'The storage products on sale, with today’s prices',
      tags: ['Catalogue'],
      response: z.object({
        pricesOn: z.iso.date().describe('The day the prices apply on: today.'),
        products: z.array(productSchema),
      }),
    },
    async () => {
      const today = options.clock.today().toString();
      const products = await listProducts(options.db, today);
      return { pricesOn: today, products: await withTerms(options.db, products, today) };
    },
  );

  apiRoute(
    app,
    {
      method: 'GET',
      path: '/api/products/{code}',
      operationId: 'getProduct',
      summary: 'One storage product, with today’s prices',
      tags: ['Catalogue'],
      params: z.object({
        code: z
          .string()
          .regex(/^[A-Za-z]{2,10}$/, 'A product code is 2 to 10 letters, such as RDS')
          .describe('The product code, such as RDS (any case).'),
      }),
      response: productSchema,
      errors: ['not-found'],
    },
    async ({ params }) => {
      const today = options.clock.today().toString();
      const [product] = await listProducts(options.db, today, params.code.toUpperCase());
      if (!product) throw new AppError('not-found', `There is no product called ${params.code}.`);
      return toApi(product, await findCurrentTerms(options.db, product.service, today));
    },
  );

  apiRoute(
    app,
    {
      method: 'GET',
      path: '/api/terms/{service}',
      operationId: 'getTerms',
      summary: 'The terms and conditions a service’s buyers accept today, in full',
      description:
        'What the purchase page shows before an order is placed. A product’s terms.url leads here; an order sends the version as termsVersion.',
      tags: ['Catalogue'],
      params: z.object({
        service: z
          .enum(SERVICES, { error: 'The service is research or institutional (a product’s service)' })
          .describe('A product’s service.'),
      }),
      response: z
        .object({
          service: z.enum(SERVICES),
          version: z.string().meta({ example: '2026-08' }),
          title: z.string(),
          publishedOn: z.iso.date(),
          paragraphs: z.array(z.string()).describe('The text, a paragraph each.'),
        })
        .meta({ id: 'Terms' }),
    },
    async ({ params }) => {
      const terms = await findCurrentTerms(options.db, params.service, options.clock.today().toString());
      return {
        service: terms.service,
        version: terms.version,
        title: terms.title,
        publishedOn: terms.publishedOn,
        paragraphs: terms.paragraphs,
      };
    },
  );

  apiRoute(
    app,
    {
      method: 'GET',
      path: '/api/institutions',
      operationId: 'listInstitutions',
      summary: 'The departments, Colleges and other bodies a licence may belong to, by name',
      description:
        'The purchase page’s list of departments: an order’s, a quote’s or a price’s institutionId is one of these ids (as written here, capitals and all). Its customer class sets the price: external customers (Colleges included) pay the external price and VAT.',
      tags: ['Catalogue'],
      response: z.object({
        institutions: z.array(
          z
            .object({
              id: z.string().meta({ example: 'PHYS' }),
              name: z.string(),
              kind: z.enum(['department', 'college', 'external']),
              customerClass: z.enum(['internal', 'external']),
            })
            .meta({ id: 'Institution' }),
        ),
      }),
    },
    async () => ({ institutions: await listInstitutions(options.db) }),
  );
}
