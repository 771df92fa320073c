import type { FastifyInstance } from 'fastify';
import * as z from 'zod';
import type { Executor } from '../../platform/db/database.ts';
import type { Directory } from '../../platform/directory/index.ts';
import type { DocumentStore } from '../../platform/documents/document-store.ts';
import type { FieldErrors } from '../../platform/web/components.tsx';
import { AppError } from '../../platform/web/errors.ts';
import { unprocessable } from '../../platform/web/forms.ts';
import {
  apiRoute,
  documentedBounds,
  idAnswer,
  idParams,
  pageFields,
  pageQuery,
  wholeNumber,
} from '../../platform/web/openapi.ts';
import { findCurrentTerms } from '../catalogue/catalogue.repository.ts';
import { LONGEST_TERM_YEARS } from '../catalogue/catalogue-admin-rules.ts';
import { parsePaymentDetails, paymentMethodsFor } from '../payments/payment-details.ts';
import type { PaymentMethod } from '../payments/payments.tables.ts';
import { PO_DOCUMENT_MAX_BYTES, pdfProblem, storeUploadedPdf } from '../payments/po-document.ts';
import type { PersonWithRoles } from '../people/people.repository.ts';
import { canOrderWithQuote, notYourQuote, quoteNameDifferences } from '../quotes/quote-rules.ts';
import type { Quote } from '../quotes/quotes.repository.ts';
import { findQuoteFor } from '../quotes/quotes.service.ts';
import { changeTarget, licenceForChange, priceLicenceChange, submitChangeOrder } from './change-orders.service.ts';
import { CHANGE_KINDS, type ChangeKind } from './change-pricing.ts';
import { REJECT_REASON_MAX } from './order-decisions.ts';
import { ORDER_KINDS, ORDER_STATUSES, type OrderKind, orderStatusWords } from './order-status.ts';
import { DEFAULT_ORDER_LIMIT, listOrdersForPerson } from './orders.queries.ts';
import { findOrder, type OrderDetail } from './orders.repository.ts';
import {
  cancelOrder,
  changeFinanceCode,
  findOrderFor,
  type OrdersContext,
  replayedSubmission,
  SubmissionKeyOfAnother,
  SubmissionRefused,
  type SubmittedPayment,
  submitNewOrder,
  usedQuoteConflict,
} from './orders.service.ts';
import { type PricedConfiguration, priceConfiguration } from './purchase-configuration.service.ts';
import { MAXIMUM_TB } from './purchase-configuration.ts';
import { withQuotePrice } from './purchase-draft.ts';
import type { RenewalWindowSettings } from './renewal-window.ts';

const pence = z.int().nonnegative();

/** In an answer: a licence's size, or the TB an order adds, as the rules sell them (1 to MAXIMUM_TB). */
export const sizeTbAnswer = z.int().meta(documentedBounds(1, MAXIMUM_TB));
/** In an answer: a term in whole years; an increase's is its days' nearest, so it has no maximum. */
export const termYearsAnswer = z.int().meta(documentedBounds(1));

/** In an order's or a change price's answer: the term bought, or none for the kinds that buy no term. */
const boughtTermYears = termYearsAnswer
  .nullable()
  .describe(
    'new storage: the licence’s term; renewal and recovery: the term they add; null for an increase (it pays for its period, to the licence’s end date) and a cancellation (it buys nothing).',
  );

/**
 * The term an order or a change price buys, or null: more space pays for the days of its period
 * (its termYears, their nearest whole year, is only how the price was reckoned) and a cancellation
 * buys nothing (its 1 year is a placeholder), so neither has a term to show.
 */
function termBought(kind: OrderKind, termYears: number): number | null {
  return kind === 'increase' || kind === 'cancellation' ? null : termYears;
}

/**
 * Each whole number of a body in its page's words (purchase-configuration.ts, change-pricing.ts),
 * its bounds refused by the same services as the pages' (wholeNumber says how). A term's page
 * names the product's terms, which a body's schema does not know: the API's words say where they are.
 */
const SIZE_WORDS = {
  missing: 'Enter the size in TB',
  notWhole: 'Enter the size as a whole number of TB, for example 5',
};
const TERM_WORDS = {
  missing: 'Choose how long the licence lasts',
  notWhole: 'Choose one of the terms offered, as a whole number of years (the product’s termsYears)',
};
const ADD_TB_WORDS = { notWhole: 'Enter the TB to add as a whole number, for example 2' };
const CHANGE_TERM_WORDS = { notWhole: 'Choose a term as a whole number of years, from 1 to the product’s longest' };
/** No page asks for it (a page shows its total): a script sends it. */
const EXPECTED_TOTAL_WORDS = {
  notWhole: 'Give expectedTotalPence as a whole number of pence, such as 81000: the totalPence you agreed to',
  tooSmall: 'expectedTotalPence is at least 0: the totalPence you agreed to',
  tooLarge: `expectedTotalPence is at most ${Number.MAX_SAFE_INTEGER}: the totalPence you agreed to`,
};

/** At most this many Data Managers with new storage (purchase-configuration.ts says why, per field). */
const MAX_NEW_MANAGERS = 20;

/** The UUIDs zod's z.uuid() takes that are no fresh key: anyone might send them (RFC 9562's nil and max). */
const NOT_FRESH_KEYS = ['00000000-0000-0000-0000-000000000000', 'ffffffff-ffff-ffff-ffff-ffffffffffff'];

/** A submission key: a UUID, fresh for each order, so never the nil (all 0) or max (all f) UUID. */
const submissionKey = z
  .uuid()
  .refine(
    (key) => !NOT_FRESH_KEYS.includes(key.toLowerCase()),
    'Send a fresh random UUID as the submissionKey, not the nil (all 0) or max (all f) UUID',
  )
  .meta({ not: { enum: NOT_FRESH_KEYS } })
  .describe(
    'A fresh random UUID for each order: sent again, it answers with the order it made (never the nil or max UUID).',
  );

/** On every call that orders: the total (price.totalPence) the caller agreed to, from a price or a quote. */
const expectedTotalPence = wholeNumber({ minimum: 0 }, EXPECTED_TOTAL_WORDS)
  .optional()
  .describe(
    'The total in pence you agreed to (totalPence from pricing it, with the quoteReference you order with, if any). If the order’s total is any other, it is refused with a 409 giving both, and nothing is ordered.',
  );

/** What a new licence is to be, as the configure page asks for it. The business rules answer per field. */
export const configurationBody = z.strictObject({
  product: z.string().describe('The product code: RDS, RFS, RCS or IFS.').meta({ example: 'RDS' }),
  sizeTb: wholeNumber({ minimum: 1, maximum: MAXIMUM_TB }, SIZE_WORDS)
    .describe(`Whole TB, at least the product’s minimum and at most ${MAXIMUM_TB}.`)
    .meta({ example: 5 }),
  termYears: wholeNumber({ minimum: 1, maximum: LONGEST_TERM_YEARS }, TERM_WORDS)
    .describe('One of the product’s terms, in years.')
    .meta({ example: 3 }),
  institutionId: z
    .string()
    .describe(
      'The department that pays, e.g. PHYS (GET /api/institutions lists them): yours or the Data Owner’s, as the University directory has them (any, if it has you in none).',
    ),
  licenceName: z.string().max(100),
  ownerCrsid: z
    .string()
    .describe(
      'The Data Owner’s CRSid: a current member of the University (found in the University directory if they have not signed in yet).',
    ),
  managerCrsids: z
    .array(z.string())
    .default([])
    .describe('Data Managers’ CRSids, found as the Data Owner is: at most 20 (more can be added later).')
    .meta({ maxItems: MAX_NEW_MANAGERS }),
  projectName: z.string().describe('The first storage project: letters, digits, - and _.'),
});

const priceSchema = z
  .object({
    pencePerTbYear: pence,
    priceValidFrom: z.iso.date(),
    customerClass: z.enum(['internal', 'external']),
    netPence: pence,
    vatPence: pence,
    totalPence: pence,
  })
  .meta({ id: 'Price' });

const paymentBody = z.discriminatedUnion('method', [
  z.strictObject({
    method: z.literal('finance-code'),
    financeCode: z.string().describe('PHAA.GAAA, or RG94772 / PHAG0042 / 1.1'),
  }),
  z.strictObject({
    method: z.literal('purchase-order'),
    poNumber: z.string(),
    documentId: z.uuid().describe('The id POST /api/documents answered for the uploaded PO PDF.'),
  }),
  z.strictObject({ method: z.literal('voucher'), voucherCode: z.string() }),
]);

const orderSchema = z
  .object({
    reference: z.string().meta({ example: 'ORD-000042' }),
    kind: z.enum(ORDER_KINDS),
    status: z.enum(ORDER_STATUSES),
    statusLabel: z.string().describe('The status in plain words.'),
    statusExplanation: z.string(),
    statusReason: z.string().nullable(),
    submittedAt: z.iso.datetime(),
    product: z.string(),
    licence: z.object({ id: idAnswer, name: z.string(), ownerCrsid: z.string() }),
    institutionId: z.string(),
    sizeTb: sizeTbAnswer.describe(
      'new storage: the licence’s size; increase: the TB it adds; renewal and recovery: the licence’s size they renew; cancellation: the licence’s size when it was ordered.',
    ),
    termYears: boughtTermYears,
    reason: z
      .string()
      .nullable()
      .describe(
        'A cancellation: the reason its buyer gave when ordering it (reason in POST /api/licences/{id}/changes); null if none was given, and for other kinds. Why an order was rejected or cancelled is statusReason.',
      ),
    price: priceSchema,
    period: z
      .object({ startsOn: z.iso.date(), endsOn: z.iso.date() })
      .nullable()
      .describe('The period a change order pays for; none for new storage and cancellations.'),
    coldStorePence: pence.describe('Recovery: the part of netPence that is the cold-store fee.'),
    quoteReference: z.string().nullable(),
    termsVersion: z.string(),
    payment: z
      .object({
        method: z.enum(['finance-code', 'purchase-order', 'voucher']),
        financeCode: z.string().nullable(),
        poNumber: z.string().nullable(),
        voucherCode: z.string().nullable(),
        check: z.enum(['not-needed', 'pending', 'valid', 'invalid']),
        checkMessage: z.string().nullable(),
      })
      .nullable()
      .describe('None for an order that costs nothing (a cancellation), which takes no payment.'),
  })
  .meta({
    id: 'Order',
    description:
      'An order as its page shows it. sizeTb, termYears and reason say per kind what they are; a cancellation charges nothing, so its price figures (pencePerTbYear too) are 0.',
  });

function orderToApi(order: OrderDetail): z.input<typeof orderSchema> {
  const words = orderStatusWords({
    status: order.status,
    paymentCheckStatus: order.payment?.checkStatus ?? null,
    kind: order.kind,
    licenceStatus: order.licence.status,
  });
  return {
    reference: order.reference,
    kind: order.kind,
    status: order.status,
    statusLabel: words.label,
    statusExplanation: words.explanation,
    statusReason: order.statusReason,
    submittedAt: order.submittedAt.toISOString(),
    product: order.product.code,
    licence: { id: order.licence.id, name: order.licence.name, ownerCrsid: order.licence.owner.crsid },
    institutionId: order.institution.id,
    sizeTb: order.sizeTb,
    termYears: termBought(order.kind, order.termYears),
    reason: order.reason,
    price: {
      // A cancellation keeps the day's price per TB, which it does not charge.
      pencePerTbYear: order.kind === 'cancellation' ? 0 : order.pencePerTbYear,
      priceValidFrom: order.priceValidFrom,
      customerClass: order.customerClass,
      netPence: order.netPence,
      vatPence: order.vatPence,
      totalPence: order.totalPence,
    },
    period: order.startsOn && order.endsOn ? { startsOn: order.startsOn, endsOn: order.endsOn } : null,
    coldStorePence: order.coldStorePence,
    quoteReference: order.quoteReference,
    termsVersion: order.terms.version,
    payment: order.payment && {
      method: order.payment.method,
      financeCode: order.payment.financeCode,
      poNumber: order.payment.poNumber,
      voucherCode: order.payment.voucherCode,
      check: order.payment.checkStatus,
      checkMessage: order.payment.checkMessage,
    },
  };
}

/** The purchase as JSON: the same rules, prices and authorisation as the pages, through the same services. */
/** The caller's quote named in an order, or a 422 for quoteReference: one that is not found is not quietly left out. */
async function callersQuote(db: Executor, person: PersonWithRoles, reference: string | undefined) {
  if (reference === undefined) return undefined;
  let quote: Quote;
  try {
    quote = await findQuoteFor(db, person, reference);
  } catch (error) {
    if (error instanceof AppError && error.code === 'not-found') {
      throw new AppError('unprocessable', error.publicMessage, { quoteReference: error.publicMessage });
    }
    throw error;
  }
  // Read by the storage team too, but bought with only by whoever asked for it (a change quote is
  // refused by quoteProblem: it is no price for new storage).
  if (!quote.change && !canOrderWithQuote(person, quote)) {
    const message = notYourQuote(quote);
    throw new AppError('unprocessable', message, { quoteReference: message });
  }
  return quote;
}

export async function ordersApi(
  app: FastifyInstance,
  options: { orders: OrdersContext; directory: Directory },
): Promise<void> {
  const { orders } = options;
  const { db, clock } = orders;
  const people = { db, directory: options.directory };
  const today = () => clock.today().toString();

  async function priced(body: z.output<typeof configurationBody>, buyer: PersonWithRoles) {
    const result = await priceConfiguration(people, body.product, body, today(), { buyer });
    if (!result.ok) throw unprocessable(result.errors);
    return result.value;
  }

  /**
   * The configuration at the price of the caller's quote, as ordering with it charges it (the
   * quote's, or today's if lower), or the 422 that refuses it: not the caller's, expired, for
   * another product, size, term or department (quoteProblem), or for other names and people than
   * the order's (quoteNameDifferences, each by its field). Without a quote, today's price.
   */
  async function withCallersQuote(person: PersonWithRoles, configuration: PricedConfiguration, reference?: string) {
    const quote = await callersQuote(db, person, reference);
    const quoted = withQuotePrice(configuration, quote, today());
    if (quoted.quoteProblem) {
      const problem = `${quoted.quoteProblem}. Ask for a new quote, or leave quoteReference out to order at today’s price.`;
      throw new AppError('unprocessable', problem, { quoteReference: problem });
    }
    if (quote) {
      const differences = quoteNameDifferences(quote, {
        licenceName: configuration.licenceName,
        ownerCrsid: configuration.owner.crsid,
        managerCrsids: configuration.managers.map((manager) => manager.crsid),
        projectName: configuration.projectName,
      });
      const problems = Object.values(differences);
      if (problems.length > 0) {
        const message = `${problems.join('; ')}: send what the quote was for (GET /api/quotes/${quote.reference} has it), or leave quoteReference out to order at today’s price.`;
        throw new AppError('unprocessable', message, differences);
      }
    }
    return { ...quoted, quote };
  }

  /** What a quote reference means to pricing and ordering new storage (docs/api.md). */
  const quoteReference = z
    .string()
    .optional()
    .describe(
      'One of your quotes, to order at its price (or today’s, if lower): it must be valid today, for this product, size, term and department, and for the licence name, Data Owner, Data Managers and project it was asked for (each that differs is a 422 for its field), or the order is refused (422), never placed at another price.',
    );

  apiRoute(
    app,
    {
      method: 'POST',
      path: '/api/prices',
      operationId: 'priceStorage',
      summary: 'Price new storage without ordering it',
      description:
        'With a quoteReference, the price ordering with that quote would charge (the quote’s, or today’s if lower), refused as ordering with it would be: a 422 for a quote that is not yours, has expired or is for another order, and a 409 for one an order was placed with already.',
      tags: ['Orders'],
      body: configurationBody.extend({ quoteReference }),
      response: priceSchema,
      errors: ['conflict'],
    },
    async ({ body, person }) => {
      const configuration = await priced(body, person);
      const { configuration: c, quote } = await withCallersQuote(person, configuration, body.quoteReference);
      // Ordering with a quote used already is refused (a quote pays for one order), so pricing with it is too.
      const used = quote && usedQuoteConflict(quote);
      if (used) throw used;
      return { ...c.price, priceValidFrom: c.price.validFrom, customerClass: c.institution.customerClass };
    },
  );

  apiRoute(
    app,
    {
      method: 'GET',
      path: '/api/orders',
      operationId: 'listOrders',
      summary: 'The orders you bought, or of licences you own or manage, newest first',
      tags: ['Orders'],
      query: pageQuery(DEFAULT_ORDER_LIMIT),
      response: z.object({
        ...pageFields(DEFAULT_ORDER_LIMIT),
        orders: z.array(
          z.object({
            reference: z.string(),
            kind: z.enum(ORDER_KINDS),
            status: z.enum(ORDER_STATUSES),
            statusLabel: z.string(),
            product: z.string(),
            licenceId: idAnswer,
            licenceName: z.string(),
            totalPence: pence,
            submittedAt: z.iso.datetime(),
          }),
        ),
      }),
    },
    async ({ person, query, request }) => {
      const { orders: rows, total } = await listOrdersForPerson(db, person.id, {
        ...query,
        services: request.viewingAs?.services,
      });
      return {
        total,
        ...query,
        orders: rows.map((row) => ({
          reference: row.reference,
          kind: row.kind,
          status: row.status,
          statusLabel: orderStatusWords(row).label,
          product: row.productCode,
          licenceId: row.licenceId,
          licenceName: row.licenceName,
          totalPence: row.totalPence,
          submittedAt: row.submittedAt.toISOString(),
        })),
      };
    },
  );

  const referenceParams = z.object({
    reference: z.string().regex(/^ORD-\d{1,12}$/i, 'An order reference looks like ORD-000042'),
  });

  apiRoute(
    app,
    {
      method: 'GET',
      path: '/api/orders/{reference}',
      operationId: 'getOrder',
      summary: 'One order, if you bought it, own or manage its licence, or are its service’s staff',
      tags: ['Orders'],
      params: referenceParams,
      response: orderSchema,
      errors: ['not-found'],
    },
    async ({ params, person }) => orderToApi(await findOrderFor(db, person, params.reference)),
  );

  apiRoute(
    app,
    {
      method: 'POST',
      path: '/api/orders',
      operationId: 'submitOrder',
      summary: 'Order new storage and pay for it',
      description:
        'The same checks as the pages: the configuration, the payment (a finance code is checked with CUFS; if CUFS cannot answer, the order waits in awaiting-payment-check and is re-checked in the background), and the terms. Send a fresh submissionKey (a UUID) per order: sending the same key again answers with the order it made, so a retried request never orders twice; the same key with a different order (any of what it asks: product, size, term, department, licence name, Data Owner, Data Managers, project, payment or quote) is a 422 for submissionKey, and with an expectedTotalPence other than that order’s total a 409.',
      tags: ['Orders'],
      body: configurationBody.extend({
        payment: paymentBody,
        acceptTerms: z.literal(true, { error: 'Accept the terms and conditions to submit the order' }),
        termsVersion: z
          .string()
          .describe('The version of the terms accepted; must be the current one (the product’s terms.version).'),
        quoteReference,
        expectedTotalPence,
        submissionKey,
      }),
      response: orderSchema,
      status: 201,
      location: '/api/orders/{reference}',
      errors: ['not-found', 'conflict'],
    },
    async ({ body, person }) => {
      const configuration = await priced(body, person);
      const terms = await findCurrentTerms(db, configuration.product.service, today());
      if (body.termsVersion !== terms.version) {
        throw unprocessable({ termsVersion: `The current terms are version ${terms.version}; read and accept those` });
      }
      const quoted = await withCallersQuote(person, configuration, body.quoteReference);
      const payment = submittedPayment(body.payment, paymentMethodsFor(configuration.product.service));
      try {
        // A repeated key replays the first answer (201 and the same order), as idempotency keys do.
        const { reference } = await submitNewOrder(orders, person, {
          configuration: quoted.configuration,
          payment,
          termsVersionId: terms.id,
          submissionKey: body.submissionKey,
          quoteId: quoted.quoteId,
          expectedTotalPence: body.expectedTotalPence,
        });
        return orderToApi(await findOrderFor(db, person, reference));
      } catch (error) {
        if (error instanceof SubmissionRefused) throw paymentRefused(error.errors);
        if (error instanceof SubmissionKeyOfAnother) throw error.apiRefusal();
        throw error;
      }
    },
  );

  apiRoute(
    app,
    {
      method: 'POST',
      path: '/api/orders/{reference}/cancel',
      operationId: 'cancelOrder',
      summary: 'Cancel an order before its storage is set up',
      tags: ['Orders'],
      description:
        'Its buyer and its Data Owner cancel without a body. The service team cancelling a customer’s order say why in `reason`, as the cancel page asks them: the buyer and the Data Owner read it on the order and in the email (a 422 without it).',
      params: referenceParams,
      body: cancelBody,
      response: orderSchema,
      errors: ['not-found', 'forbidden', 'conflict', 'unprocessable'],
    },
    async ({ params, person, body }) => {
      const result = await cancelOrder(orders, person, params.reference, { reason: body?.reason });
      if ('errors' in result) throw unprocessable(result.errors);
      return orderToApi(await findOrderFor(db, person, params.reference));
    },
  );

  apiRoute(
    app,
    {
      method: 'POST',
      path: '/api/orders/{reference}/payment',
      operationId: 'changeOrderFinanceCode',
      summary: 'Give another finance code for an order whose finance code was refused',
      tags: ['Orders'],
      description:
        'When the finance system refused an order’s finance code after it was placed (statusLabel “Finance code refused”), its buyer or its Data Owner gives another, as on the order’s page; there is no need to order again. The code is checked with CUFS as when ordering (a 422 for financeCode if refused): accepted, the order waits for approval; if CUFS cannot answer, it stays in awaiting-payment-check and is checked again in the background. Anyone else who can see the order gets a 403; an order whose code is not refused (or no longer), a 409.',
      params: referenceParams,
      body: z.strictObject({
        financeCode: z.string().describe('The new finance code: PHAA.GAAA, or RG94772 / PHAG0042 / 1.1'),
      }),
      response: orderSchema,
      errors: ['not-found', 'forbidden', 'conflict'],
    },
    async ({ params, person, body }) => {
      const order = await findOrderFor(db, person, params.reference);
      const result = await changeFinanceCode(orders, person, order, body.financeCode);
      if ('errors' in result) throw unprocessable(result.errors);
      return orderToApi(await findOrderFor(db, person, params.reference));
    },
  );
}

const cancelBody = z
  .strictObject({
    reason: z
      .string()
      .optional()
      .describe(
        `Why the service team cancel a customer’s order (at most ${REJECT_REASON_MAX.toLocaleString('en-GB')} characters); the buyer and the Data Owner give none, and one they send is not kept.`,
      ),
  })
  .optional();

const addTb = wholeNumber({ minimum: 1, maximum: MAXIMUM_TB }, ADD_TB_WORDS)
  .optional()
  .describe(`increase: the whole TB to add (the licence at most ${MAXIMUM_TB} TB).`);
const termYears = wholeNumber({ minimum: 1, maximum: LONGEST_TERM_YEARS }, CHANGE_TERM_WORDS)
  .optional()
  .describe('renewal and recovery: the term, from 1 year to the product’s longest.');

const KIND_WORDS: Record<ChangeKind, string> = {
  increase: 'an increase',
  renewal: 'a renewal',
  recovery: 'a recovery',
  cancellation: 'a cancellation',
};

/** A field another kind of change takes: refused (422, naming it) rather than ignored. */
function notFor(field: string, kind: ChangeKind) {
  const message = `${field} does not apply to ${KIND_WORDS[kind]}`;
  return z.never({ error: message }).optional().describe(`Not for ${KIND_WORDS[kind]}: ${message}.`);
}

/**
 * A change's body, one shape per kind (a union on `kind`, of `kinds`): each takes its own choice
 * (addTb for an increase, termYears for a renewal or recovery, nothing for a cancellation) plus
 * `rest` (of that kind), and a field only another kind takes is a 422 saying it does not apply.
 */
export function changeBody<Shape extends z.ZodRawShape, Kind extends ChangeKind = ChangeKind>(
  rest: (kind: ChangeKind) => Shape,
  kinds: readonly Kind[],
) {
  const shapes = {
    increase: z.strictObject({
      kind: z.literal('increase'),
      addTb,
      termYears: notFor('termYears', 'increase'),
      ...rest('increase'),
    }),
    renewal: z.strictObject({
      kind: z.literal('renewal'),
      addTb: notFor('addTb', 'renewal'),
      termYears,
      ...rest('renewal'),
    }),
    recovery: z.strictObject({
      kind: z.literal('recovery'),
      addTb: notFor('addTb', 'recovery'),
      termYears,
      ...rest('recovery'),
    }),
    cancellation: z.strictObject({
      kind: z.literal('cancellation'),
      addTb: notFor('addTb', 'cancellation'),
      termYears: notFor('termYears', 'cancellation'),
      ...rest('cancellation'),
    }),
  };
  const [first, ...others] = kinds.map((kind): (typeof shapes)[Kind] => shapes[kind]);
  if (!first) throw new Error('a change body takes at least one kind');
  return z.discriminatedUnion('kind', [first, ...others], {
    error: `Choose the kind of change: ${kinds.join(', ')}`,
  });
}

/** One of the caller's quotes for this change of this licence, whose price the change then has. */
const changeQuoteReference = z
  .string()
  .optional()
  .describe(
    'One of your quotes for this change of this licence (POST /api/licences/{id}/changes/quote), to order at its price (or today’s, if lower; a quote pays for one order): by its validUntil and for the same term or TB to add (else a 422 for termYears or addTb), while the licence is as it was quoted (else a 409 saying what has changed: renewed since, made bigger, in the cold store). Never ordered at another price.',
  );

const changePriceSchema = z
  .object({
    kind: z.enum(CHANGE_KINDS),
    sizeTb: sizeTbAnswer.describe('increase: the TB added; otherwise the licence’s size.'),
    termYears: boughtTermYears,
    period: z.object({ startsOn: z.iso.date(), endsOn: z.iso.date() }).nullable(),
    days: z
      .int()
      .meta(documentedBounds(0))
      .describe('increase: the days paid for, the pricing day and the end date included.'),
    coldStoreDays: z
      .int()
      .meta(documentedBounds(0))
      .describe(
        'recovery: the days since the licence ended (from the day after the end date, read-only days included), to the pricing day included.',
      ),
    pencePerTbYear: pence,
    priceValidFrom: z.iso.date(),
    customerClass: z.enum(['internal', 'external']),
    coldStorePence: pence,
    netPence: pence,
    vatPence: pence,
    totalPence: pence,
  })
  .meta({ id: 'ChangePrice' });

const PAYMENT_FIELDS = new Set(['method', 'financeCode', 'poNumber', 'poDocument', 'documentId', 'voucherCode']);

/** A payment field as the API names it: the pages' file field poDocument is the API's documentId. */
const apiPaymentField = (field: string) => `payment.${field === 'poDocument' ? 'documentId' : field}`;

/** A refused payment of new storage: every problem is the payment's, under payment. as the API names it. */
function paymentRefused(errors: FieldErrors) {
  return unprocessable(
    Object.fromEntries(Object.entries(errors).map(([field, message]) => [apiPaymentField(field), message])),
  );
}

/** A refused change: payment problems under payment., the choice's (addTb, termYears) as they are. */
function changeRefused(errors: FieldErrors) {
  return unprocessable(
    Object.fromEntries(
      Object.entries(errors).map(([field, message]) => [
        PAYMENT_FIELDS.has(field) ? apiPaymentField(field) : field,
        message,
      ]),
    ),
  );
}

/** Changing a licence as JSON: the same rules, prices and people as its pages (change-orders.service.ts). */
export async function changeOrdersApi(
  app: FastifyInstance,
  /** lifecycle: when a renewal opens (renewal-window.ts). */
  options: { orders: OrdersContext; lifecycle: RenewalWindowSettings },
): Promise<void> {
  const { orders, lifecycle } = options;
  const { db, clock } = orders;
  const today = () => clock.today().toString();

  apiRoute(
    app,
    {
      method: 'POST',
      path: '/api/licences/{id}/changes/price',
      operationId: 'priceLicenceChange',
      summary: 'Price a change of a licence you own or manage, without ordering it',
      description:
        'increase: today’s price × TB added × days from today to the end date (both included) ÷ 365, to the nearest penny. renewal: today’s price × size × term, from the day after the end date. recovery: a renewal plus the cold-store fee from the day after the end date to today. cancellation: nothing. External customers pay VAT. With a quoteReference, the quote’s figures, as ordering with it would charge them.',
      tags: ['Licences'],
      params: idParams,
      body: changeBody(() => ({ quoteReference: changeQuoteReference }), CHANGE_KINDS),
      response: changePriceSchema,
      errors: ['not-found', 'forbidden', 'conflict'],
    },
    async ({ params, body, person }) => {
      const quote = await callersQuote(db, person, body.quoteReference);
      const licence = await licenceForChange(db, person, params.id, body.kind, today(), lifecycle, { quote });
      const priced = await priceLicenceChange(db, licence, body.kind, body, today(), quote);
      if (!priced.ok) throw unprocessable(priced.errors);
      const price = priced.value;
      return {
        kind: price.kind,
        sizeTb: price.sizeTb,
        termYears: termBought(price.kind, price.termYears),
        period: price.startsOn && price.endsOn ? { startsOn: price.startsOn, endsOn: price.endsOn } : null,
        days: price.days,
        coldStoreDays: price.coldStoreDays,
        // A cancellation is priced at nothing: the day's price per TB is not what it charges.
        pencePerTbYear: price.kind === 'cancellation' ? 0 : price.pencePerTbYear,
        priceValidFrom: priced.validFrom,
        customerClass: licence.customerClass,
        coldStorePence: price.coldStorePence,
        netPence: price.netPence,
        vatPence: price.vatPence,
        totalPence: price.totalPence,
      };
    },
  );

  apiRoute(
    app,
    {
      method: 'POST',
      path: '/api/licences/{id}/changes',
      operationId: 'submitLicenceChange',
      summary: 'Order a change of a licence you own or manage, and pay for it',
      description:
        'Only the Data Owner and Data Managers may; the licence must not be locked, its status must allow the change (increase: active and not past its end date; renewal: active or suspended; recovery: cold; cancellation: pending or active), and no other change may be in progress. A renewal of an active licence opens RENEWAL_OPENS_DAYS_BEFORE_END days before its end date (60 by default): before then it is a 409 saying when (“Renewal opens on 8 October 2027, 60 days before the licence ends.”), for its price and quote too. Paid and approved like new storage; a cancellation costs nothing and takes no payment: send it without one, and it goes straight to the service team for approval. Send a fresh submissionKey (a UUID) per order: the same key again answers with the order it made; the same key for another licence, another change, payment, quote or reason is a 422 for submissionKey, and with an expectedTotalPence other than that order’s total a 409.',
      tags: ['Licences'],
      params: idParams,
      body: changeBody(
        (kind) => ({
          reason:
            kind === 'cancellation'
              ? z.string().max(1000).optional().describe('Why, for the storage team.')
              : notFor('reason', kind),
          payment: paymentBody
            .optional()
            .describe('How the change is paid; required unless it costs nothing (a cancellation), which takes none.'),
          acceptTerms: z.literal(true, { error: 'Accept the terms and conditions to submit the order' }),
          termsVersion: z.string().describe('The version of the terms accepted; must be the current one.'),
          expectedTotalPence,
          quoteReference: changeQuoteReference,
          submissionKey,
        }),
        CHANGE_KINDS,
      ),
      response: orderSchema,
      status: 201,
      location: '/api/orders/{reference}',
      errors: ['not-found', 'forbidden', 'conflict'],
    },
    async ({ params, body, person }) => {
      // A repeated key replays the first answer, even though the licence now has a change in progress
      // (the same key for another change, or for someone else's order, is refused).
      const earlier = await findOrder(db, { submissionKey: body.submissionKey });
      if (earlier) {
        const target = changeTarget({
          licenceId: params.id,
          kind: body.kind,
          choice: body,
          quoteReference: body.quoteReference,
          // Compared as the order keeps it: read as ordering reads it, by the methods of its product's service.
          payment: body.payment && submittedPayment(body.payment, paymentMethodsFor(earlier.product.service)),
        });
        try {
          replayedSubmission(earlier, person, target, body.expectedTotalPence);
        } catch (error) {
          throw error instanceof SubmissionKeyOfAnother ? error.apiRefusal() : error;
        }
        return orderToApi(earlier);
      }
      const licence = await licenceForChange(db, person, params.id, body.kind, today(), lifecycle);
      const terms = await findCurrentTerms(db, licence.product.service, today());
      if (body.termsVersion !== terms.version) {
        throw unprocessable({ termsVersion: `The current terms are version ${terms.version}; read and accept those` });
      }
      const payment = body.payment && submittedPayment(body.payment, paymentMethodsFor(licence.product.service));
      await callersQuote(db, person, body.quoteReference);
      try {
        const { reference } = await submitChangeOrder(
          orders,
          person,
          {
            licenceId: licence.id,
            kind: body.kind,
            choice: body,
            payment,
            termsVersionId: terms.id,
            submissionKey: body.submissionKey,
            expectedTotalPence: body.expectedTotalPence,
            quoteReference: body.quoteReference,
          },
          lifecycle,
        );
        return orderToApi(await findOrderFor(db, person, reference));
      } catch (error) {
        if (error instanceof SubmissionRefused) throw changeRefused(error.errors);
        if (error instanceof SubmissionKeyOfAnother) throw error.apiRefusal();
        throw error;
      }
    },
  );
}

/** The API's payment, checked for shape with the same rules as the payment page. */
function submittedPayment(payment: z.output<typeof paymentBody>, methods: PaymentMethod[]): SubmittedPayment {
  const parsed = parsePaymentDetails(payment, methods);
  if (!parsed.ok) throw unprocessable(parsed.errors, 'payment.');
  const details = parsed.value;
  if (details.method === 'finance-code') return { method: details.method, financeCode: details.text };
  if (details.method === 'voucher') return details;
  if (payment.method !== 'purchase-order') throw new Error('unreachable');
  return { method: 'purchase-order', poNumber: details.poNumber, documentId: payment.documentId };
}

/** PO documents for the API: upload the PDF first, then name its id in the order's payment. */
export async function documentsApi(
  app: FastifyInstance,
  options: { orders: OrdersContext; documents: DocumentStore },
): Promise<void> {
  const { db, clock } = options.orders;
  apiRoute(
    app,
    {
      method: 'POST',
      path: '/api/documents',
      operationId: 'uploadPurchaseOrder',
      summary: 'Upload a purchase order (PDF) to pay an order with',
      description:
        'The body is the PDF itself. It is checked by its content, not its name, and may be at most 10 MB. The answer’s id goes in the order’s payment as documentId; until an order uses it only you can use it, and an upload no order uses is deleted after two days.',
      tags: ['Orders'],
      upload: {
        contentType: 'application/pdf',
        maxBytes: PO_DOCUMENT_MAX_BYTES,
        description: 'The purchase order, as a PDF.',
      },
      query: z.strictObject({
        fileName: z.string().max(200).optional().describe('The file’s name, to show on the order.'),
      }),
      response: z
        .object({
          id: z.uuid(),
          fileName: z.string(),
          sizeBytes: z.int().meta(documentedBounds(1, PO_DOCUMENT_MAX_BYTES)),
        })
        .meta({ id: 'UploadedDocument' }),
      status: 201,
    },
    async ({ upload, query, person }) => {
      const bytes = upload ?? Buffer.alloc(0);
      const problem = await pdfProblem(bytes);
      if (problem) throw unprocessable({ document: problem });
      return storeUploadedPdf(db, options.documents, person.id, {
        bytes,
        fileName: query.fileName ?? 'purchase-order.pdf',
        today: clock.today().toString(),
      });
    },
  );
}
