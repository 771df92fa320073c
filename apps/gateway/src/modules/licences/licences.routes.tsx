import type { FastifyInstance } from 'fastify';
import type { Clock } from '../../platform/clock.ts';
import type { Executor } from '../../platform/db/database.ts';
import { requirePerson } from '../../platform/identity/current-person.ts';
import { AppError } from '../../platform/web/errors.ts';
import { pageContext } from '../../platform/web/page-context.ts';
import { sendPage } from '../../platform/web/render.ts';
import { listLicenceAudit } from '../audit/audit.repository.ts';
import { listProducts } from '../catalogue/catalogue.repository.ts';
import { listOrdersForPerson } from '../orders/orders.queries.ts';
import { listQuotesForPerson } from '../quotes/quotes.service.ts';
import type { MembersContext } from './licence-members.service.ts';
import { findLicenceForPerson, findProjectForPerson, listLicencesForPerson } from './licences.repository.ts';
import { LicencePage, MyStoragePage, ProjectPage } from './licences.views.tsx';

/**
 * The same answer for an id that is not a number, one that does not exist and one the person may
 * not see, so nobody can find out which licences exist by trying ids.
 */
const licenceNotFound = () =>
  new AppError('not-found', 'We could not find that licence. Check the address, or go back to My storage.');
const projectNotFound = () =>
  new AppError('not-found', 'We could not find that storage project. Check the address, or go back to My storage.');

/** A database id from the address: digits only, and small enough to be one. */
export function parseId(text: string): number | undefined {
  if (!/^[1-9][0-9]{0,14}$/.test(text)) return undefined;
  return Number(text);
}

/** MY STORAGE: a person's licences, orders and storage projects (DESIGN.md §9). */
export async function licencesRoutes(
  app: FastifyInstance,
  options: { db: Executor; clock: Clock; jobs: MembersContext['jobs']; site: MembersContext['site'] },
): Promise<void> {
  const { db, clock } = options;

  app.get('/storage/', async (request, reply) => {
    const person = requirePerson(request);
    const products = await listProducts(db, clock.today().toString());
    const licences = await listLicencesForPerson(db, person.id);
    const orders = await listOrdersForPerson(db, person.id);
    const quotes = await listQuotesForPerson(db, person.id);
    return sendPage(
      reply,
      <MyStoragePage
        context={pageContext(request, reply)}
        products={products}
        licences={licences}
        orders={orders}
        quotes={quotes}
        today={clock.today().toString()}
      />,
    );
  });

  app.get<{ Params: { id: string } }>('/storage/licence/:id/', async (request, reply) => {
    const person = requirePerson(request);
    const id = parseId(request.params.id);
    const licence = id === undefined ? undefined : await findLicenceForPerson(db, person, id);
    if (!licence) throw licenceNotFound();
    const history = licence.access === 'full' ? await listLicenceAudit(db, licence.id) : [];
    return sendPage(reply, <LicencePage context={pageContext(request, reply)} licence={licence} history={history} />);
  });

  app.get<{ Params: { id: string } }>('/storage/project/:id/', async (request, reply) => {
    const person = requirePerson(request);
    const id = parseId(request.params.id);
    const project = id === undefined ? undefined : await findProjectForPerson(db, person, id);
    if (!project) throw projectNotFound();
    return sendPage(reply, <ProjectPage context={pageContext(request, reply)} project={project} />);
  });
}
