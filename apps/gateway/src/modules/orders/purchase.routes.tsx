import { randomUUID } from 'node:crypto';
import multipart from '@fastify/multipart';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Executor } from '../../platform/db/database.ts';
import type { Directory } from '../../platform/directory/index.ts';
import type { DocumentStore } from '../../platform/documents/document-store.ts';
import { requirePerson } from '../../platform/identity/current-person.ts';
import type { FieldErrors } from '../../platform/web/components.tsx';
import { AppError } from '../../platform/web/errors.ts';
import { formValues } from '../../platform/web/forms.ts';
import { pageContext } from '../../platform/web/page-context.ts';
import { sendPage } from '../../platform/web/render.ts';
import { type CatalogueProduct, findCurrentTerms } from '../catalogue/catalogue.repository.ts';
import { formatPence } from '../catalogue/money.ts';
import { sizeText } from '../catalogue/sizes.ts';
import { paymentMethodsFor } from '../payments/payment-details.ts';
import { PO_DOCUMENT_MAX_BYTES } from '../payments/po-document.ts';
import { listInstitutions, type PersonWithRoles } from '../people/people.repository.ts';
import { canOrderWithQuote, formatDay, notYourQuote, quoteExpiry, quoteUsed } from '../quotes/quote-rules.ts';
import { findQuoteFor } from '../quotes/quotes.service.ts';
import { changePath } from './change-orders.views.tsx';
import { submittedOrderReference } from './orders.repository.ts';
import { type OrdersContext, SubmissionRefused, submitNewOrder, type VoucherScope } from './orders.service.ts';
import {
  keptPaymentProblems,
  paymentFormValues,
  paymentFromForm,
  readPaymentForm,
  submittedPayment,
  uploadShown,
} from './payment-step.ts';
import { buyPath, CheckAnswersPage, ConfigurePage, PaymentPage } from './purchase.views.tsx';
import { type PricedConfiguration, priceConfiguration, productOnSale } from './purchase-configuration.service.ts';
import { answersFingerprint, changedSinceShown } from './purchase-configuration.ts';
import {
  configurationValues,
  draftFromQuote,
  keepPurchaseDraft,
  type PurchaseDraft,
  purchaseDraftOf,
  startedAfresh,
  withQuotePrice,
} from './purchase-draft.ts';

interface PurchaseRoutesOptions {
  orders: OrdersContext;
  documents: DocumentStore;
  /** Where a Data Owner or Data Manager who has not signed in yet is found. */
  directory: Directory;
}

type ProductRequest = FastifyRequest<{ Params: { product: string }; Querystring: Record<string, string | undefined> }>;

/**
 * Buying new storage, one thing per page: configure (with the price as you go) → payment →
 * check your answers and accept the terms → submit. The purchase in progress lives in the
 * server-side session; nothing is stored as an order until the last step.
 */
export async function purchaseRoutes(app: FastifyInstance, options: PurchaseRoutesOptions): Promise<void> {
  const { orders, documents } = options;
  const { db, clock } = orders;
  const people = { db, directory: options.directory };
  const today = () => clock.today().toString();
  await app.register(multipart, { limits: { fileSize: PO_DOCUMENT_MAX_BYTES, files: 1, fields: 20, parts: 21 } });

  async function productOf(request: ProductRequest): Promise<CatalogueProduct> {
    return productOnSale(db, request.params.product, today());
  }

  /** The draft for this product, or a fresh one (buying something else starts again). */
  function draftFor(request: FastifyRequest, product: CatalogueProduct): PurchaseDraft {
    return purchaseDraftOf(request.session, product.code) ?? { product: product.code, submissionKey: randomUUID() };
  }

  function saveDraft(request: FastifyRequest, draft: PurchaseDraft): void {
    keepPurchaseDraft(request.session, draft.product, draft);
  }

  /**
   * The draft's configuration checked and priced again today, with a matching quote's price.
   * `priceOnly` prices what the price depends on (size, term, department) even if the rest is unfinished.
   */
  async function pricedDraft(
    person: PersonWithRoles,
    product: CatalogueProduct,
    draft: PurchaseDraft,
    options: { priceOnly?: boolean } = {},
  ) {
    if (!draft.configuration) return undefined;
    const configuration = options.priceOnly
      ? { ...draft.configuration, ...pricePlaceholders(person) }
      : draft.configuration;
    const checkedFor = options.priceOnly ? PRICE_ONLY : { buyer: person };
    const priced = await priceConfiguration(people, product, configuration, today(), checkedFor);
    if (!priced.ok) return undefined;
    return withDraftQuote(person, draft, priced.value);
  }

  /** A configuration at the price of the quote the draft started from, when the quote applies to it (withQuotePrice). */
  async function withDraftQuote(person: PersonWithRoles, draft: PurchaseDraft, configuration: PricedConfiguration) {
    const quote = draft.quoteReference ? await findQuoteFor(db, person, draft.quoteReference) : undefined;
    return withQuotePrice(configuration, quote, today());
  }

  /**
   * The first step. Where buying starts from the product's page (catalogue.views.tsx purchasePath:
   * /storage/IFS/, or ?start), a quote an earlier "Buy this storage" followed is left behind
   * (startedAfresh); the steps' own links back here keep it.
   */
  async function showConfigure(
    request: ProductRequest,
    reply: FastifyReply,
    start = request.query.start !== undefined,
  ) {
    const person = requirePerson(request);
    const product = await productOf(request);
    let draft = draftFor(request, product);
    let quoteNote: string | undefined;
    const quoteReference = request.query.quote;
    if (!quoteReference && start && draft.quoteReference) {
      draft = startedAfresh(draft);
      saveDraft(request, draft);
    }
    if (quoteReference) {
      const quote = await findQuoteFor(db, person, quoteReference);
      // A change quote is ordered from its licence's change pages, at its price there.
      if (quote.change) {
        const path = changePath(quote.change.licenceId, quote.change.kind);
        return reply.redirect(`${path}?quote=${encodeURIComponent(quote.reference)}`, 303);
      }
      if (!canOrderWithQuote(person, quote)) throw new AppError('forbidden', `${notYourQuote(quote)}.`);
      // A quote is bought as the product it quotes (an edited or shared link may name another).
      if (quote.productCode !== product.code) {
        return reply.redirect(`${buyPath({ code: quote.productCode })}?quote=${quote.reference}`, 303);
      }
      // Exactly what the quote was asked for: nothing of an earlier attempt in this session; at its
      // price unless an order was placed with it (a quote pays for one order).
      const used = quoteUsed(quote);
      draft = draftFromQuote(draft, quote, { atQuotePrice: used === null });
      const expired = used ?? quoteExpiry(quote, today());
      quoteNote = expired
        ? `${expired}, so today’s price applies.`
        : `Buying with quote ${quote.reference}: its price holds until ${formatDay(quote.validUntil)} if you keep the size, term and department.`;
      saveDraft(request, draft);
    }
    const values = draft.configuration ?? { institutionId: person.institutionId ?? '', ownerCrsid: person.crsid };
    const priced = await pricedDraft(person, product, draft, { priceOnly: true });
    return sendConfigurePage(request, reply, db, {
      product,
      values,
      errors: {},
      priced: priced?.configuration,
      quoteNote,
    });
  }

  // The institutional purchase starts at /storage/IFS/, as in the original service.
  app.get('/storage/IFS/', (request, reply) =>
    showConfigure(Object.assign(request, { params: { product: 'IFS' } }) as ProductRequest, reply, true),
  );
  app.get('/storage/buy/:product/', (request: ProductRequest, reply) => showConfigure(request, reply));

  app.post('/storage/buy/:product/', async (request: ProductRequest, reply) => {
    const person = requirePerson(request);
    const product = await productOf(request);
    const body = formValues(request.body);
    const values = configurationValues(body);
    const priced = await priceConfiguration(people, product, values, today(), { buyer: person });
    const draft = draftFor(request, product);
    if (!priced.ok) {
      // The price needs only the size, the term and the department: show it whenever those are right,
      // and let "Update price" (price.js's job without JavaScript) ask about nothing else.
      const placeheld = { ...values, ...pricePlaceholders(person) };
      const price = await priceConfiguration(people, product, placeheld, today(), PRICE_ONLY);
      const errors = body.intent !== 'price' ? priced.errors : price.ok ? {} : price.errors;
      const status = Object.keys(errors).length > 0 ? 422 : 200;
      // No price beside a department refused to this buyer: it is not a price they can buy at.
      const shown = price.ok && !errors.institutionId;
      const quoted = shown ? (await withDraftQuote(person, draft, price.value)).configuration : undefined;
      return sendConfigurePage(request, reply, db, { product, values, errors, priced: quoted }, status);
    }
    saveDraft(request, { ...draft, configuration: values });
    if (body.intent !== 'price') return reply.redirect(buyPath(product, 'payment'), 303);
    const quoted = await pricedDraft(person, product, { ...draft, configuration: values });
    return sendConfigurePage(request, reply, db, {
      product,
      values,
      errors: {},
      priced: quoted?.configuration ?? priced.value,
    });
  });

  // The price as you type (price.js): size, term and department are all it needs.
  app.get('/storage/buy/:product/price', async (request: ProductRequest, reply) => {
    const person = requirePerson(request);
    const product = await productOf(request);
    const { sizeTb, termYears, institutionId } = request.query;
    const placeholders = pricePlaceholders(person);
    const priced = await priceConfiguration(
      people,
      product,
      { sizeTb, termYears, institutionId, ...placeholders },
      today(),
      PRICE_ONLY,
    );
    if (!priced.ok) return reply.status(422).send({ errors: priced.errors });
    // At the price the page shows: the quote's, when the buyer started from one that still applies.
    const { configuration } = await withDraftQuote(person, draftFor(request, product), priced.value);
    const { price, sizeTb: size, termYears: term } = configuration;
    return {
      netPence: price.netPence,
      vatPence: price.vatPence,
      totalPence: price.totalPence,
      lines: [
        [
          'Calculation',
          `${sizeText(size)} × ${formatPence(price.pencePerTbYear)} per TB per year × ${term === 1 ? '1 year' : `${term} years`}`,
        ],
        ['Price before VAT', formatPence(price.netPence)],
        ['VAT', price.vatPence > 0 ? formatPence(price.vatPence) : 'None (internal customer)'],
        ['Total', formatPence(price.totalPence)],
      ],
    };
  });

  /** Steps after the first need a configured draft; without one the buyer starts again. */
  async function requireConfigured(request: ProductRequest, reply: FastifyReply) {
    const person = requirePerson(request);
    const product = await productOf(request);
    const draft = draftFor(request, product);
    const priced = await pricedDraft(person, product, draft);
    if (!priced) {
      reply.redirect(buyPath(product), 303);
      return undefined;
    }
    return { person, product, draft, priced };
  }

  app.get('/storage/buy/:product/payment', async (request: ProductRequest, reply) => {
    const state = await requireConfigured(request, reply);
    if (!state) return reply;
    const { product, draft, priced } = state;
    return sendPage(
      reply,
      <PaymentPage
        context={pageContext(request, reply)}
        product={product}
        values={draft.payment ? paymentFormValues(draft.payment) : {}}
        errors={{}}
        uploaded={uploadShown(undefined, draft.payment)}
        totalPence={priced.configuration.price.totalPence}
      />,
    );
  });

  app.post('/storage/buy/:product/payment', async (request: ProductRequest, reply) => {
    const state = await requireConfigured(request, reply);
    if (!state) return reply;
    const { person, product, draft, priced } = state;
    const form = await readPaymentForm(request);
    const result = await paymentFromForm(
      { orders, documents },
      person,
      voucherScope(priced.configuration),
      paymentMethodsFor(product.service),
      draft.payment,
      form,
    );
    if ('errors' in result) {
      return sendPage(
        reply,
        <PaymentPage
          context={pageContext(request, reply)}
          product={product}
          values={form.fields}
          errors={result.errors}
          uploaded={uploadShown(result, draft.payment)}
          totalPence={priced.configuration.price.totalPence}
        />,
        422,
      );
    }
    saveDraft(request, { ...draft, payment: result.payment });
    return reply.redirect(buyPath(product, 'check'), 303);
  });

  app.get('/storage/buy/:product/check', async (request: ProductRequest, reply) => {
    const state = await requireConfigured(request, reply);
    if (!state) return reply;
    return showCheck(request, reply, state, {});
  });

  async function showCheck(
    request: ProductRequest,
    reply: FastifyReply,
    state: NonNullable<Awaited<ReturnType<typeof requireConfigured>>>,
    errors: FieldErrors,
  ) {
    const { product, draft, priced } = state;
    if (!draft.payment) return reply.redirect(buyPath(product, 'payment'), 303);
    saveDraft(request, draft);
    const kept = await keptPaymentProblems(db, draft.payment, voucherScope(priced.configuration), today());
    return sendPage(
      reply,
      <CheckAnswersPage
        context={pageContext(request, reply)}
        product={product}
        priced={priced.configuration}
        payment={draft.payment}
        terms={await findCurrentTerms(db, product.service, today())}
        submissionKey={draft.submissionKey}
        errors={{ ...kept, ...errors }}
        quoteReference={priced.quoteId ? draft.quoteReference : undefined}
        todayIsLower={priced.todayIsLower}
        shownAnswers={purchaseAnswers(draft)}
        quoteProblem={priced.quoteProblem ?? undefined}
      />,
      Object.keys(errors).length > 0 ? 422 : 200,
    );
  }

  app.post('/storage/buy/:product/check', async (request: ProductRequest, reply) => {
    const body = formValues(request.body);
    const person = requirePerson(request);
    const product = await productOf(request);
    // A second press of "Submit order" after the first one went through: show the order it made.
    const draft = purchaseDraftOf(request.session, product.code);
    if (!draft || draft.submissionKey !== body.submissionKey) {
      const reference = await submittedOrderReference(db, person, body.submissionKey);
      if (reference) return reply.redirect(`/orders/${reference}/`, 303);
    }
    const state = await requireConfigured(request, reply);
    if (!state) return reply;
    if (!state.draft.payment) return reply.redirect(buyPath(product, 'payment'), 303);
    if (body.acceptTerms !== 'yes') {
      return showCheck(request, reply, state, { acceptTerms: 'Accept the terms and conditions to submit the order' });
    }
    const terms = await findCurrentTerms(db, product.service, today());
    const changed = changedSinceShown(
      { totalPence: body.shownTotalPence, termsVersion: body.shownTermsVersion, answers: body.shownAnswers },
      {
        totalPence: state.priced.configuration.price.totalPence,
        termsVersion: terms.version,
        answers: purchaseAnswers(state.draft),
      },
    );
    if (changed) return showCheck(request, reply, state, { acceptTerms: changed });
    try {
      const { reference } = await submitNewOrder(orders, person, {
        configuration: state.priced.configuration,
        payment: submittedPayment(state.draft.payment),
        termsVersionId: terms.id,
        submissionKey: state.draft.submissionKey,
        quoteId: state.priced.quoteId,
      });
      keepPurchaseDraft(request.session, product.code);
      request.session.flash = `Order ${reference} submitted. We have emailed a confirmation.`;
      return reply.redirect(`/orders/${reference}/`, 303);
    } catch (error) {
      if (error instanceof SubmissionRefused) return showCheck(request, reply, state, error.errors);
      throw error;
    }
  });
}

/** The fingerprint of the answers a purchase's check page shows: its configuration and payment, quote included. */
function purchaseAnswers(draft: PurchaseDraft): string {
  return answersFingerprint({
    configuration: draft.configuration,
    payment: draft.payment,
    quoteReference: draft.quoteReference,
  });
}

/** What a voucher must cover to pay for this configuration. */
function voucherScope(configuration: PricedConfiguration): VoucherScope {
  return {
    productCode: configuration.product.code,
    sizeTb: configuration.sizeTb,
    institutionId: configuration.institution.id,
  };
}

/** A price as the buyer types: any department's (the price list is public); quoting and ordering check whose. */
const PRICE_ONLY = { priceOnly: true } as const;

/** Valid stand-ins for the fields a price does not depend on, so that pricing checks only size, term and department. */
function pricePlaceholders(person: PersonWithRoles) {
  return { licenceName: 'x', ownerCrsid: person.crsid, managerCrsids: '', projectName: 'x' };
}

/** The configure page, with the department list it needs: for the purchase and for a failed quote request. */
export async function sendConfigurePage(
  request: FastifyRequest,
  reply: FastifyReply,
  db: Executor,
  props: Omit<Parameters<typeof ConfigurePage>[0], 'context' | 'institutions' | 'buyerDepartment'>,
  status = 200,
) {
  const { institutionId } = requirePerson(request);
  const institutions = await listInstitutions(db);
  const yours = institutions.find((institution) => institution.id === institutionId);
  // Every department stays on the list (the Data Owner, chosen in the same form, may be in any), the buyer's first.
  const listed = yours ? [yours, ...institutions.filter((institution) => institution !== yours)] : institutions;
  return sendPage(
    reply,
    <ConfigurePage
      context={pageContext(request, reply)}
      institutions={listed}
      buyerDepartment={institutionId === null ? null : (yours ?? { id: institutionId, name: institutionId })}
      {...props}
    />,
    status,
  );
}
