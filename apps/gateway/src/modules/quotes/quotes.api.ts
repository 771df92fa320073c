import type { FastifyInstance } from 'fastify';
import * as z from 'zod';
import type { Clock } from '../../platform/clock.ts';
import type { Executor } from '../../platform/db/database.ts';
import type { Directory } from '../../platform/directory/index.ts';
import { unprocessable } from '../../platform/web/forms.ts';
import { apiRoute, idAnswer, idParams, pageFields, pageQuery } from '../../platform/web/openapi.ts';
import type { LifecycleSettings } from '../lifecycle/lifecycle-dates.ts';
import { licenceForChange, priceLicenceChange, quoteRefusal } from '../orders/change-orders.service.ts';
import { changeBody, configurationBody, sizeTbAnswer, termYearsAnswer } from '../orders/orders.api.ts';
import { priceConfiguration } from '../orders/purchase-configuration.service.ts';
import type { Quote } from './quotes.repository.ts';
import { createChangeQuote, createQuote, findQuoteFor, listQuotePageForPerson } from './quotes.service.ts';
import { quotePdfPath } from './quotes.views.tsx';

const pence = z.int().nonnegative();

/** GET /api/quotes answers at most this many a call, as the lists of orders and licences do. */
const QUOTES_PER_PAGE = 100;

const quoteSchema = z
  .object({
    reference: z.string().meta({ example: 'Q-000042' }),
    product: z.string(),
    institutionId: z.string(),
    customerClass: z.enum(['internal', 'external']),
    licenceName: z.string(),
    sizeTb: sizeTbAnswer,
    termYears: termYearsAnswer,
    pencePerTbYear: pence,
    netPence: pence,
    vatPence: pence,
    totalPence: pence,
    issuedOn: z.iso.date(),
    validUntil: z.iso.date(),
    valid: z
      .boolean()
      .describe(
        'Whether it can be ordered with today: not expired, and for a change, the licence still allows the change and has not moved on since it was priced (renewed since, made bigger, now in the cold store). The same rule ordering with it applies.',
      ),
    notValidBecause: z
      .string()
      .nullable()
      .describe(
        'Why it can no longer be ordered with (valid is false), as the refusal of an order with it says: for example “Quote Q-000042 expired on 27 December 2026”; null while it can. Of several reasons, the one that matters most: the order that used it, then its licence gone or moved on, then its expiry. Order at today’s price, or ask for a new quote.',
      ),
    pdfUrl: z.string().describe('The PDF, for a signed-in browser or with the API’s bearer token.'),
    ownerCrsid: z
      .string()
      .nullable()
      .describe(
        'New storage: the Data Owner it was asked for; null for a change, or a quote issued before the people were kept.',
      ),
    managerCrsids: z
      .array(z.string())
      .nullable()
      .describe('New storage: the Data Managers it was asked for; null as for ownerCrsid.'),
    projectName: z
      .string()
      .nullable()
      .describe('New storage: the first storage project it was asked for; null as for ownerCrsid.'),
    change: z
      .object({
        licenceId: idAnswer,
        kind: z.enum(['increase', 'renewal', 'recovery']),
        startsOn: z.iso.date(),
        endsOn: z.iso.date(),
        coldStorePence: pence.describe('recovery: the cold-store fee, part of netPence; otherwise 0.'),
      })
      .nullable()
      .describe(
        'A quote for a change of a licence: which licence and change, and the period it pays for (sizeTb is then the licence’s size, or for an increase the TB added); null for new storage.',
      ),
  })
  .meta({ id: 'Quote' });

/** Quotes as JSON: the same prices, validity and access as the quote pages. */
export async function quotesApi(
  app: FastifyInstance,
  options: { db: Executor; clock: Clock; directory: Directory; lifecycle: LifecycleSettings },
): Promise<void> {
  const { db, clock, lifecycle } = options;
  const today = () => clock.today().toString();
  const toApi = async (quote: Quote): Promise<z.input<typeof quoteSchema>> => {
    const refusal = await quoteRefusal(db, quote, today());
    return {
      reference: quote.reference,
      product: quote.productCode,
      institutionId: quote.institution.id,
      customerClass: quote.customerClass,
      licenceName: quote.licenceName,
      sizeTb: quote.sizeTb,
      termYears: quote.termYears,
      pencePerTbYear: quote.pencePerTbYear,
      netPence: quote.netPence,
      vatPence: quote.vatPence,
      totalPence: quote.totalPence,
      issuedOn: quote.issuedOn,
      validUntil: quote.validUntil,
      valid: refusal === null,
      notValidBecause: refusal,
      pdfUrl: quotePdfPath(quote.reference),
      ownerCrsid: quote.setup?.ownerCrsid ?? null,
      managerCrsids: quote.setup?.managerCrsids ?? null,
      projectName: quote.setup?.projectName ?? null,
      change: quote.change,
    };
  };

  apiRoute(
    app,
    {
      method: 'POST',
      path: '/api/quotes',
      operationId: 'createQuote',
      summary: 'Get a numbered quote, valid for 30 days, to raise a purchase order against',
      tags: ['Quotes'],
      body: configurationBody,
      response: quoteSchema,
      status: 201,
      location: '/api/quotes/{reference}',
    },
    async ({ body, person }) => {
      const priced = await priceConfiguration(options, body.product, body, today(), { buyer: person });
      if (!priced.ok) throw unprocessable(priced.errors);
      return toApi(await createQuote(db, person, priced.value, today()));
    },
  );

  apiRoute(
    app,
    {
      method: 'POST',
      path: '/api/licences/{id}/changes/quote',
      operationId: 'createLicenceChangeQuote',
      summary:
        'Get a numbered quote, valid for 30 days or until the change can no longer be ordered, for a change of a licence you own or manage',
      description:
        'For a renewal, a recovery or an increase (a cancellation costs nothing), at the price POST /api/licences/{id}/changes/price gives today, with the same people and checks: a 404 for a licence you cannot see, a 403 if you see it but do not own or manage it, a 409 when it is locked, its status does not allow the change, another change is in progress or a renewal does not open yet (as for ordering it), a 422 for a bad addTb or termYears. Order the change with quoteReference by its validUntil to pay its price (or today’s, if lower; once): 30 days, or sooner when the licence would move on first (more space: its end date; a renewal: the day before it moves to the cold store; a recovery: the day before it becomes due for deletion).',
      tags: ['Quotes'],
      params: idParams,
      // One shape per kind, as ordering the change takes it: a field of another kind is refused.
      body: changeBody(() => ({}), ['increase', 'renewal', 'recovery']),
      response: quoteSchema,
      status: 201,
      location: '/api/quotes/{reference}',
      errors: ['not-found', 'forbidden', 'conflict'],
    },
    async ({ params, body, person }) => {
      const licence = await licenceForChange(db, person, params.id, body.kind, today(), lifecycle);
      const priced = await priceLicenceChange(db, licence, body.kind, body, today());
      if (!priced.ok) throw unprocessable(priced.errors);
      return toApi(await createChangeQuote(db, person, licence, body.kind, priced, today(), lifecycle));
    },
  );

  apiRoute(
    app,
    {
      method: 'GET',
      path: '/api/quotes',
      operationId: 'listQuotes',
      summary: 'Your quotes, newest first',
      tags: ['Quotes'],
      query: pageQuery(QUOTES_PER_PAGE),
      response: z.object({ ...pageFields(QUOTES_PER_PAGE), quotes: z.array(quoteSchema) }),
    },
    async ({ person, query, request }) => {
      // Viewing the site as the person: only the services the member of staff works on (view-as.ts).
      const page = await listQuotePageForPerson(db, person.id, { ...query, services: request.viewingAs?.services });
      return { total: page.total, ...query, quotes: await Promise.all(page.quotes.map(toApi)) };
    },
  );

  apiRoute(
    app,
    {
      method: 'GET',
      path: '/api/quotes/{reference}',
      operationId: 'getQuote',
      summary: 'One of your quotes',
      tags: ['Quotes'],
      params: z.object({
        reference: z.string().regex(/^Q-\d{1,12}$/i, 'A quote reference looks like Q-000042'),
      }),
      response: quoteSchema,
      errors: ['not-found'],
    },
    async ({ params, person }) => toApi(await findQuoteFor(db, person, params.reference)),
  );
}
