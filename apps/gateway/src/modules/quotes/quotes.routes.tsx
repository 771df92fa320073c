import type { FastifyInstance } from 'fastify';
import type { Clock } from '../../platform/clock.ts';
import type { Executor } from '../../platform/db/database.ts';
import type { Directory } from '../../platform/directory/index.ts';
import { requirePerson } from '../../platform/identity/current-person.ts';
import { formValues } from '../../platform/web/forms.ts';
import { pageContext } from '../../platform/web/page-context.ts';
import { sendPage } from '../../platform/web/render.ts';
import { quoteRefusal } from '../orders/change-orders.service.ts';
import { sendConfigurePage } from '../orders/purchase.routes.tsx';
import { priceConfiguration, productOnSale } from '../orders/purchase-configuration.service.ts';
import { configurationValues, draftFromQuote, keepPurchaseDraft, purchaseDraftOf } from '../orders/purchase-draft.ts';
import { quotePdfInput, renderQuotePdf } from './quote-pdf.ts';
import { quoteIsValid } from './quote-rules.ts';
import { createQuote, findQuoteFor, mayOrderWithQuote } from './quotes.service.ts';
import { QuotePage, quotePath } from './quotes.views.tsx';

export interface QuotesRoutesOptions {
  db: Executor;
  clock: Clock;
  /** Where a Data Owner or Data Manager who has not signed in yet is found. */
  directory: Directory;
}

/** Quotes: ask for one from a configuration, read it as a page, download it as a PDF. */
export async function quotesRoutes(app: FastifyInstance, options: QuotesRoutesOptions): Promise<void> {
  const { db, clock } = options;

  app.post<{ Params: { product: string } }>('/storage/buy/:product/quote', async (request, reply) => {
    const person = requirePerson(request);
    const today = clock.today().toString();
    const product = await productOnSale(db, request.params.product, today);
    const priced = await priceConfiguration(options, product, request.body ?? {}, today);
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
    const refusal = await quoteRefusal(db, quote, today);
    return sendPage(
      reply,
      <QuotePage
        context={pageContext(request, reply)}
        quote={quote}
        expired={!quoteIsValid(quote, today)}
        refusal={refusal}
        mayOrder={await mayOrderWithQuote(db, person, quote)}
      />,
    );
  });

  app.get<{ Params: { reference: string } }>('/storage/quotes/:reference/quote.pdf', async (request, reply) => {
    const quote = await findQuoteFor(db, requirePerson(request), request.params.reference);
    const pdf = await renderQuotePdf(quotePdfInput(quote, request.server.site));
    return reply
      .type('application/pdf')
      .header('content-disposition', `attachment; filename="${quote.reference}.pdf"`)
      .header('cache-control', 'private, no-store')
      .send(pdf);
  });
}
