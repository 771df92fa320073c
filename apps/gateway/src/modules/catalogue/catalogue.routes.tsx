import type { FastifyInstance } from 'fastify';
import type { Clock } from '../../platform/clock.ts';
import type { Executor } from '../../platform/db/database.ts';
import { AppError } from '../../platform/web/errors.ts';
import { pageContext } from '../../platform/web/page-context.ts';
import { sendPage } from '../../platform/web/render.ts';
import { listProducts } from './catalogue.repository.ts';
import { CataloguePage, ProductPage } from './catalogue.views.tsx';

export async function catalogueRoutes(app: FastifyInstance, options: { db: Executor; clock: Clock }): Promise<void> {
  app.get('/catalogue/', async (request, reply) => {
    const products = await listProducts(options.db, options.clock.today().toString());
    return sendPage(reply, <CataloguePage context={pageContext(request, reply)} products={products} />);
  });

  app.get<{ Params: { code: string } }>('/catalogue/:code/', async (request, reply) => {
    const code = request.params.code.toUpperCase();
    const [product] = await listProducts(options.db, options.clock.today().toString(), code);
    if (!product) throw new AppError('not-found', `There is no product called ${request.params.code}.`);
    return sendPage(reply, <ProductPage context={pageContext(request, reply)} product={product} />);
  });
}
