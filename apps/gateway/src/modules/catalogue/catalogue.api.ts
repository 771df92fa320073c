import type { FastifyInstance } from 'fastify';
import * as z from 'zod';
import type { Clock } from '../../platform/clock.ts';
import type { Executor } from '../../platform/db/database.ts';
import { AppError } from '../../platform/web/errors.ts';
import { apiRoute } from '../../platform/web/openapi.ts';
import { type CatalogueProduct, listProducts } from './catalogue.repository.ts';

const pence = z.int().nonnegative();

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
    prices: z
      .object({ internal: pence.optional(), external: pence.optional() })
      .describe(
        'Pence per TB per year in force today, by customer class. External customers (Colleges included) also pay VAT.',
      ),
  })
  .meta({ id: 'Product' });

function toApi(product: CatalogueProduct): z.input<typeof productSchema> {
  return { ...product, prices: { internal: product.prices.internal, external: product.prices.external } };
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
      return { pricesOn: today, products: products.map(toApi) };
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
      const [product] = await listProducts(options.db, options.clock.today().toString(), params.code.toUpperCase());
      if (!product) throw new AppError('not-found', `There is no product called ${params.code}.`);
      return toApi(product);
    },
  );
}
