import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Clock } from '../../platform/clock.ts';
import type { Executor } from '../../platform/db/database.ts';
import type { Directory } from '../../platform/directory/index.ts';
import { bearerToken } from '../../platform/identity/access-token-rules.ts';
import { authenticateAccessToken } from '../../platform/identity/access-tokens.ts';
import { requirePerson } from '../../platform/identity/current-person.ts';
import { formValues } from '../../platform/web/forms.ts';
import { pageContext } from '../../platform/web/page-context.ts';
import { sendPage } from '../../platform/web/render.ts';
import { quoteStandingOf } from '../orders/change-orders.service.ts';
import { sendConfigurePage } from '../orders/purchase.routes.tsx';
import { priceConfiguration, productOnSale } from '../orders/purchase-configuration.service.ts';
import { configurationValues, draftFromQuote, keepPurchaseDraft, purchaseDraftOf } from '../orders/purchase-draft.ts';
import type { RenewalWindowSettings } from '../orders/renewal-window.ts';
import { quotePdfInput, renderQuotePdf } from './quote-pdf.ts';
import { createQuote, findQuoteFor, mayOrderWithQuote } from './quotes.service.ts';
import { QuotePage, quotePath } from './quotes.views.tsx';

export interface QuotesRoutesOptions {
  db: Executor;
  clock: Clock;
  /** Where a Data Owner or Data Manager who has not signed in yet is found. */
  directory: Directory;
  /** When a renewal opens: a quote's page offers no renewal that would be refused (renewal-window.ts). */
  lifecycle: RenewalWindowSettings;
}

/** Quotes: ask for one from a configuration, read it as a page, download it as a PDF. */
export async function quotesRoutes(app: FastifyInstance, options: QuotesRoutesOptions): Promise<void> {
  const { db, clock } = options;

  app.post<{ Params: { product: string } }>('/storage/buy/:product/quote', async (request, reply) => {
    const person = requirePerson(request);
    const today = clock.today().toString();
    const product = await productOnSale(db, request.params.product, today);
    const priced = await priceConfiguration(options, product, request.body ?? {}, today, { buyer: person });
    if (!priced.ok) {
      const values = configurationValues(formValues(request.body));
      return sendConfigurePage(request, reply, db, { product, values, errors: priced.errors }, 422);
    }
    const quote = await createQuote(db, person, priced.value, today);
    // The answers are the purchase in progress too: back on the form, the buyer finds what they
    // quoted, not an earlier attempt's answers (at today's price until they buy with the quote).
    const draft = draftFromQuote(purchaseDraftOf(request.session, quote.productCode), quote, { atQuotePrice: false });
    keepPurchaseDraft(request.session, quote.productCode, draft);
    return reply.redirect(quotePath(quote.reference), 303);
  });

  app.get<{ Params: { reference: string } }>('/storage/quotes/:reference/', async (request, reply) => {
    const person = requirePerson(request);
    const quote = await findQuoteFor(db, person, request.params.reference);
    const today = clock.today().toString();
    // Whether it can still be ordered with: the rule that refuses an order with it, not only its date.
    const standing = await quoteStandingOf(db, quote, today, options.lifecycle);
    return sendPage(
      reply,
      <QuotePage
        context={pageContext(request, reply)}
        quote={quote}
        standing={standing}
        mayOrder={await mayOrderWithQuote(db, person, quote)}
      />,
    );
  });

  /**
   * A script fetches the PDF a purchase order is raised against (the API's pdfUrl) with the API's
   * bearer token, as a browser does with its session: the identity plugin reads tokens for /api/
   * only, so this one page reads it here as that plugin does: first (the token wins over any
   * cookie's session), then the API's rate limit counts the call, then a refused token is answered.
   */
  async function tokenPerson(request: FastifyRequest) {
    const token = bearerToken(request.headers.authorization);
    if (token === undefined) return;
    const person = await authenticateAccessToken(db, clock, token);
    request.authenticatedBy = 'access-token';
    if ('refused' in person) request.accessTokenRefusal = person.refused;
    else request.person = person;
  }

  app.get<{ Params: { reference: string } }>(
    '/storage/quotes/:reference/quote.pdf',
    {
      onRequest: tokenPerson,
      preHandler: async function tokenRateLimit(request, reply) {
        if (request.authenticatedBy === 'access-token') await app.openApi.rateLimiter.call(this, request, reply);
      },
    },
    async (request, reply) => {
      // A token that does not work is the API's 401, not the sign-in page a browser is sent to.
      if (request.authenticatedBy === 'access-token' && !request.person) {
        const message = request.accessTokenRefusal ?? 'The access token is not valid.';
        return reply.status(401).send({
          error: { status: 401, code: 'unauthenticated', title: 'Sign in required', message, requestId: request.id },
        });
      }
      return sendQuotePdf(request, reply);
    },
  );

  async function sendQuotePdf(request: FastifyRequest<{ Params: { reference: string } }>, reply: FastifyReply) {
    const quote = await findQuoteFor(db, requirePerson(request), request.params.reference);
    const pdf = await renderQuotePdf(quotePdfInput(quote, request.server.site));
    return reply
      .type('application/pdf')
      .header('content-disposition', `attachment; filename="${quote.reference}.pdf"`)
      .header('cache-control', 'private, no-store')
      .send(pdf);
  }
}
