import { randomUUID } from 'node:crypto';
import multipart from '@fastify/multipart';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { DocumentStore } from '../../platform/documents/document-store.ts';
import { requirePerson } from '../../platform/identity/current-person.ts';
import type { FieldErrors } from '../../platform/web/components.tsx';
import { AppError } from '../../platform/web/errors.ts';
import { formValues } from '../../platform/web/forms.ts';
import { pageContext } from '../../platform/web/page-context.ts';
import { sendPage } from '../../platform/web/render.ts';
import { findCurrentTerms } from '../catalogue/catalogue.repository.ts';
import { licenceNotFound, MY_STORAGE_LINK } from '../licences/licence-links.ts';
import { parseId } from '../licences/licences.routes.tsx';
import type { LifecycleSettings } from '../lifecycle/lifecycle-dates.ts';
import { paymentMethodsFor } from '../payments/payment-details.ts';
import { PO_DOCUMENT_MAX_BYTES, type UploadedDocument } from '../payments/po-document.ts';
import type { PersonWithRoles } from '../people/people.repository.ts';
import type { Quote } from '../quotes/quotes.repository.ts';
import { createChangeQuote, findQuoteFor } from '../quotes/quotes.service.ts';
import { quotePath } from '../quotes/quotes.views.tsx';
import {
  type LicenceChangePrice,
  type LicenceForChange,
  licenceForChange,
  priceLicenceChange,
  submitChangeOrder,
} from './change-orders.service.ts';
import { CHANGE_ACTION_WORDS, ChangeCheckPage, ChangeConfigurePage, changePath } from './change-orders.views.tsx';
import { CHANGE_KINDS, type ChangeKind } from './change-pricing.ts';
import { isQuotableChange, quotedChoice } from './change-quotes.ts';
import { takesPayment } from './order-payment.ts';
import { submittedOrderReference } from './orders.repository.ts';
import { type OrdersContext, SubmissionRefused, type VoucherScope } from './orders.service.ts';
import {
  keptPaymentProblems,
  paymentFormValues,
  paymentFromForm,
  readPaymentForm,
  submittedPayment,
  uploadShown,
} from './payment-step.ts';
import { PaymentPage } from './purchase.views.tsx';
import { answersFingerprint, changedSinceShown } from './purchase-configuration.ts';
import type { DraftPayment } from './purchase-draft.ts';

/** A change order in progress, kept in the session between its steps, like a purchase's draft. */
interface ChangeDraft {
  licenceId: number;
  kind: ChangeKind;
  /** The first step's answers: addTb, termYears or reason. */
  values: Record<string, string>;
  payment?: DraftPayment;
  submissionKey: string;
  /** The buyer's quote for this change (Q-…), when they came from it: the change is ordered at its price. */
  quoteReference?: string;
}

/** The fingerprint of the answers a change's check page shows: its choice, payment and quote. */
function changeAnswers(draft: ChangeDraft): string {
  return answersFingerprint({ values: draft.values, payment: draft.payment, quoteReference: draft.quoteReference });
}

declare module 'fastify' {
  interface Session {
    /** Changes in progress by licence and kind (draftKey), so that one in another tab leaves this one as it was. */
    changes?: Record<string, ChangeDraft>;
  }
}

/** How many changes in progress a session keeps: the most recently saved. */
const DRAFTS_KEPT = 5;

const draftKey = (licenceId: number, kind: ChangeKind) => `${licenceId}/${kind}`;

type ChangeRequest = FastifyRequest<{
  Params: { id: string; kind: string };
  Querystring: { quote?: string };
}>;

const CHOICE_FIELDS = ['addTb', 'termYears', 'reason'] as const;
const REASON_MAX = 1000;

/**
 * Changing a licence, one thing per page, as buying it: what to change (with the price) →
 * payment (the purchase's own step; none for a change that costs nothing, a cancellation:
 * order-payment.ts takesPayment) → check your answers and accept the terms → submit → the
 * order's page. Only the licence's Data Owner and Data Managers get past the first line of each
 * step (change-orders.service.ts licenceForChange: 404, 403 or 409 otherwise).
 */
export async function changeOrderRoutes(
  app: FastifyInstance,
  /**
   * lifecycle: when a licence moves on, which ends a quote for its change (quotes.service.ts
   * createChangeQuote), and when a renewal opens (renewal-window.ts).
   */
  options: { orders: OrdersContext; documents: DocumentStore; lifecycle: LifecycleSettings },
): Promise<void> {
  const { orders, documents, lifecycle } = options;
  const { db, clock } = orders;
  const today = () => clock.today().toString();
  await app.register(multipart, { limits: { fileSize: PO_DOCUMENT_MAX_BYTES, files: 1, fields: 20, parts: 21 } });

  function kindOf(request: ChangeRequest): ChangeKind {
    const kind = CHANGE_KINDS.find((candidate) => candidate === request.params.kind);
    if (!kind) {
      // The licence's page answers for itself: "not found" for a licence the person may not see.
      const id = parseId(request.params.id);
      const back =
        id === undefined ? MY_STORAGE_LINK : { href: `/storage/licence/${id}/`, text: 'Go back to the licence' };
      throw new AppError('not-found', 'There is no such change of a licence. Go back to the licence.', undefined, [
        back,
      ]);
    }
    return kind;
  }

  async function load(request: ChangeRequest) {
    const person = requirePerson(request);
    const kind = kindOf(request);
    const id = parseId(request.params.id);
    if (id === undefined) throw licenceNotFound();
    const draft = draftFor(request, { id }, kind);
    const quote = draft.quoteReference ? await draftQuote(person, draft.quoteReference) : undefined;
    const licence = await licenceForChange(db, person, id, kind, today(), lifecycle, { quote });
    return { person, kind, licence, draft, quote };
  }

  /** The draft's quote; one this person may no longer see is left out (its page shows no quote then). */
  async function draftQuote(person: PersonWithRoles, reference: string): Promise<Quote | undefined> {
    try {
      return await findQuoteFor(db, person, reference);
    } catch (error) {
      if (error instanceof AppError && error.code === 'not-found') return undefined;
      throw error;
    }
  }

  /** The draft for this licence and change, or a fresh one. */
  function draftFor(request: FastifyRequest, licence: { id: number }, kind: ChangeKind): ChangeDraft {
    const draft = request.session.changes?.[draftKey(licence.id, kind)];
    return draft ?? { licenceId: licence.id, kind, values: {}, submissionKey: randomUUID() };
  }

  function saveDraft(request: FastifyRequest, draft: ChangeDraft): void {
    replaceDraft(request, draftKey(draft.licenceId, draft.kind), { ...draft });
  }

  /** Puts the draft under `key` (none: drops it), keeping the session's other changes in progress up to DRAFTS_KEPT in all. */
  function replaceDraft(request: FastifyRequest, key: string, draft?: ChangeDraft): void {
    const others = Object.entries(request.session.changes ?? {}).filter(([other]) => other !== key);
    request.session.changes = Object.fromEntries(draft ? [...others.slice(-(DRAFTS_KEPT - 1)), [key, draft]] : others);
  }

  function choiceValues(body: Record<string, string>): Record<string, string> {
    return Object.fromEntries(CHOICE_FIELDS.map((field) => [field, body[field] ?? '']));
  }

  async function priced(
    licence: LicenceForChange,
    kind: ChangeKind,
    values: Record<string, string>,
    quote?: Quote,
  ): Promise<LicenceChangePrice> {
    const result = await priceLicenceChange(db, licence, kind, values, today(), quote);
    if (result.ok && (values.reason ?? '').length > REASON_MAX) {
      return { ok: false, errors: { reason: `Keep the reason to ${REASON_MAX} characters or fewer` } };
    }
    return result;
  }

  /** The first step with the answers given, their price when they are right, and each problem next to its field. */
  function sendConfigure(
    request: ChangeRequest,
    reply: FastifyReply,
    state: { licence: LicenceForChange; kind: ChangeKind; quote?: Quote },
    values: Record<string, string>,
    price: LicenceChangePrice | undefined,
    showErrors: boolean,
  ) {
    const errors = showErrors && price && !price.ok ? price.errors : {};
    return sendPage(
      reply,
      <ChangeConfigurePage
        context={pageContext(request, reply)}
        licence={state.licence}
        kind={state.kind}
        values={values}
        errors={errors}
        price={price?.ok ? price.value : undefined}
        coldStorePencePerTbYear={price?.ok ? price.coldStorePencePerTbYear : undefined}
        quote={state.quote}
      />,
      Object.keys(errors).length > 0 ? 422 : 200,
    );
  }

  /**
   * ?quote=Q-… (the quote page's "order with this quote"): order this change at the quote's price,
   * with its term or TB to add filled in; a quote for another licence or change goes to its own.
   * ?quote= (empty): order without the quote, at today's price (or ask for a new quote).
   */
  async function takeQuote(request: ChangeRequest, reply: FastifyReply): Promise<boolean> {
    const reference = request.query.quote;
    if (reference === undefined) return false;
    const person = requirePerson(request);
    const kind = kindOf(request);
    const id = parseId(request.params.id) ?? 0;
    const draft = draftFor(request, { id }, kind);
    if (reference.trim() === '') {
      saveDraft(request, { ...draft, quoteReference: undefined });
      reply.redirect(changePath(id, kind), 303);
      return true;
    }
    const quote = await findQuoteFor(db, person, reference);
    const change = quote.change;
    if (!change) {
      reply.redirect(`/storage/buy/${quote.productCode}/?quote=${quote.reference}`, 303);
      return true;
    }
    if (change.licenceId !== id || change.kind !== kind) {
      reply.redirect(`${changePath(change.licenceId, change.kind)}?quote=${quote.reference}`, 303);
      return true;
    }
    const values = { ...draft.values, ...quotedChoice(quote) };
    // Checked before it is kept: a quote that can no longer be used is refused here (409, saying why,
    // with the way to today's price) and never becomes part of the change in progress, so the
    // licence's plain link goes on to start a plain change.
    const licence = await licenceForChange(db, person, id, kind, today(), lifecycle, { quote });
    await priced(licence, kind, values, quote);
    saveDraft(request, { ...draft, quoteReference: quote.reference, values });
    reply.redirect(changePath(id, kind), 303);
    return true;
  }

  app.get('/storage/licence/:id/change/:kind/', async (request: ChangeRequest, reply) => {
    if (await takeQuote(request, reply)) return reply;
    const state = await load(request);
    const { values } = state.draft;
    // Priced before anything is chosen too: a change that needs no choice (a cancellation) shows
    // from the start that it costs nothing; the problems of one that does are not shown yet.
    const price = await priced(state.licence, state.kind, values, state.quote);
    return sendConfigure(request, reply, state, values, price, false);
  });

  app.post('/storage/licence/:id/change/:kind/', async (request: ChangeRequest, reply) => {
    const state = await load(request);
    const body = formValues(request.body);
    const values = choiceValues(body);
    if (body.intent === 'quote' && isQuotableChange(state.kind)) {
      // A quote is at today's price, whatever quote the buyer came from.
      const todays = await priced(state.licence, state.kind, values);
      if (!todays.ok) return sendConfigure(request, reply, { ...state, quote: undefined }, values, todays, true);
      saveDraft(request, { ...state.draft, values });
      const quote = await createChangeQuote(db, state.person, state.licence, state.kind, todays, today(), lifecycle);
      return reply.redirect(quotePath(quote.reference), 303);
    }
    const price = await priced(state.licence, state.kind, values, state.quote);
    if (price.ok && body.intent !== 'price') {
      saveDraft(request, { ...state.draft, values });
      const next = takesPayment(price.value) ? 'payment' : 'check';
      return reply.redirect(changePath(state.licence.id, state.kind, next), 303);
    }
    return sendConfigure(request, reply, state, values, price, true);
  });

  /**
   * Steps after the first need a priced draft; without one the buyer starts again. `payment` is
   * the draft's payment when the change takes one, and none for a change that costs nothing.
   */
  async function requireConfigured(request: ChangeRequest, reply: FastifyReply) {
    const state = await load(request);
    const price = await priced(state.licence, state.kind, state.draft.values, state.quote);
    if (!price.ok) {
      reply.redirect(changePath(state.licence.id, state.kind), 303);
      return undefined;
    }
    const paying = takesPayment(price.value);
    return { ...state, price, paying, payment: paying ? state.draft.payment : undefined };
  }

  /** The payment step of a change that takes no payment: there is nothing to ask, so on to the check. */
  function skipPayment(reply: FastifyReply, state: Configured) {
    return reply.redirect(changePath(state.licence.id, state.kind, 'check'), 303);
  }

  type Configured = NonNullable<Awaited<ReturnType<typeof requireConfigured>>>;

  function sendPaymentPage(
    request: ChangeRequest,
    reply: FastifyReply,
    state: Configured,
    values: Record<string, string>,
    errors: FieldErrors,
    /** A PO document kept from a refused answer (paymentFromForm). */
    kept?: { upload?: UploadedDocument },
  ) {
    const { licence, kind, draft, price } = state;
    return sendPage(
      reply,
      <PaymentPage
        context={pageContext(request, reply)}
        product={licence.product}
        values={values}
        errors={errors}
        uploaded={uploadShown(kept, draft.payment)}
        totalPence={price.value.totalPence}
        step={{
          path: changePath(licence.id, kind, 'payment'),
          caption: `${CHANGE_ACTION_WORDS[kind]}: ${licence.name}`,
          crumbs: [
            { label: 'Home', href: '/' },
            { label: 'My storage', href: '/storage/' },
            { label: licence.name, href: `/storage/licence/${licence.id}/` },
          ],
          methods: paymentMethodsFor(licence.product.service),
        }}
      />,
      Object.keys(errors).length > 0 ? 422 : 200,
    );
  }

  app.get('/storage/licence/:id/change/:kind/payment', async (request: ChangeRequest, reply) => {
    const state = await requireConfigured(request, reply);
    if (!state) return reply;
    if (!state.paying) return skipPayment(reply, state);
    return sendPaymentPage(
      request,
      reply,
      state,
      state.draft.payment ? paymentFormValues(state.draft.payment) : {},
      {},
    );
  });

  app.post('/storage/licence/:id/change/:kind/payment', async (request: ChangeRequest, reply) => {
    const state = await requireConfigured(request, reply);
    if (!state) return reply;
    if (!state.paying) return skipPayment(reply, state);
    const { person, licence, kind, draft } = state;
    const form = await readPaymentForm(request);
    const result = await paymentFromForm(
      { orders, documents },
      person,
      voucherScope(state),
      paymentMethodsFor(licence.product.service),
      draft.payment,
      form,
    );
    if ('errors' in result) return sendPaymentPage(request, reply, state, form.fields, result.errors, result);
    saveDraft(request, { ...draft, payment: result.payment });
    return reply.redirect(changePath(licence.id, kind, 'check'), 303);
  });

  /** What a voucher must cover to pay for this change: the TB added, or the licence's size. */
  function voucherScope({ licence, kind, price }: Configured): VoucherScope {
    return {
      productCode: licence.product.code,
      sizeTb: price.value.sizeTb,
      institutionId: licence.institutionId,
      licenceSize: kind !== 'increase',
    };
  }

  async function showCheck(request: ChangeRequest, reply: FastifyReply, state: Configured, errors: FieldErrors) {
    const { licence, kind, draft, price } = state;
    if (state.paying && !state.payment) return reply.redirect(changePath(licence.id, kind, 'payment'), 303);
    saveDraft(request, draft);
    const kept = await keptPaymentProblems(db, state.payment, voucherScope(state), today());
    return sendPage(
      reply,
      <ChangeCheckPage
        context={pageContext(request, reply)}
        licence={licence}
        kind={kind}
        price={price.value}
        coldStorePencePerTbYear={price.coldStorePencePerTbYear}
        quote={price.quote}
        reason={draft.values.reason}
        payment={state.payment}
        terms={await findCurrentTerms(db, licence.product.service, today())}
        submissionKey={draft.submissionKey}
        shownAnswers={changeAnswers(draft)}
        errors={{ ...kept, ...errors }}
      />,
      Object.keys(errors).length > 0 ? 422 : 200,
    );
  }

  app.get('/storage/licence/:id/change/:kind/check', async (request: ChangeRequest, reply) => {
    const state = await requireConfigured(request, reply);
    if (!state) return reply;
    return showCheck(request, reply, state, {});
  });

  app.post('/storage/licence/:id/change/:kind/check', async (request: ChangeRequest, reply) => {
    const person = requirePerson(request);
    const body = formValues(request.body);
    // A second press of "Submit order" after the first one went through: show the order it made.
    const made = await submittedOrderReference(db, person, body.submissionKey);
    if (made) return reply.redirect(`/orders/${made}/`, 303);
    const state = await requireConfigured(request, reply);
    if (!state) return reply;
    if (state.paying && !state.payment) {
      return reply.redirect(changePath(state.licence.id, state.kind, 'payment'), 303);
    }
    if (body.acceptTerms !== 'yes') {
      return showCheck(request, reply, state, { acceptTerms: 'Accept the terms and conditions to submit the order' });
    }
    const terms = await findCurrentTerms(db, state.licence.product.service, today());
    const changed = changedSinceShown(
      { totalPence: body.shownTotalPence, termsVersion: body.shownTermsVersion, answers: body.shownAnswers },
      { totalPence: state.price.value.totalPence, termsVersion: terms.version, answers: changeAnswers(state.draft) },
    );
    if (changed) return showCheck(request, reply, state, { acceptTerms: changed });
    try {
      const { reference } = await submitChangeOrder(
        orders,
        person,
        {
          licenceId: state.licence.id,
          kind: state.kind,
          choice: state.draft.values,
          payment: state.payment && submittedPayment(state.payment),
          termsVersionId: terms.id,
          submissionKey: state.draft.submissionKey,
          quoteReference: state.quote?.reference,
        },
        lifecycle,
      );
      replaceDraft(request, draftKey(state.licence.id, state.kind));
      request.session.flash = `Order ${reference} submitted. We have emailed a confirmation.`;
      return reply.redirect(`/orders/${reference}/`, 303);
    } catch (error) {
      if (error instanceof SubmissionRefused) return showCheck(request, reply, state, error.errors);
      throw error;
    }
  });
}
