import type { FieldErrors } from '../../platform/web/components.tsx';
import { CsrfField, ErrorSummary, SummaryList } from '../../platform/web/components.tsx';
import { TextAreaField } from '../../platform/web/form-fields.tsx';
import { Page, type PageContext } from '../../platform/web/layout.tsx';
import { formatPence } from '../catalogue/money.ts';
import { sizeText } from '../catalogue/sizes.ts';
import { FinanceCodeForm } from '../payments/finance-code-form.tsx';
import { PAYMENT_CHECK_WORDS, PAYMENT_METHOD_NAMES } from '../payments/payment-details.ts';
import { peopleWords, personWords } from '../people/person-words.ts';
import { formatDay, formatInstant } from '../quotes/quote-rules.ts';
import { describeChange } from './change-orders.service.ts';
import { ChangePriceLines } from './change-orders.views.tsx';
import { daysInclusive, listPenceBeforeVoucher } from './change-pricing.ts';
import { changeNoLongerPossibleWords, REJECT_REASON_MAX } from './order-decisions.ts';
import { NO_PAYMENT_WORDS } from './order-payment.ts';
import { orderQuoteWords } from './order-price-words.ts';
import { giveSpaceWords, ORDER_KIND_WORDS, orderStatusWords } from './order-status.ts';
import type { OrderDetail } from './orders.repository.ts';
import { hasErrors, PriceLines, years } from './purchase.views.tsx';

export const orderPath = (reference: string, rest = ''): string => `/orders/${reference}/${rest}`;

const crumbs = [
  { label: 'Home', href: '/' },
  { label: 'My storage', href: '/storage/' },
];

export function OrderPage(props: {
  context: PageContext;
  order: OrderDetail;
  canCancel: boolean;
  canChangePayment: boolean;
  /** Whether the viewer may open the licence's page (findLicenceForPerson), so its name links to it. */
  linksLicence: boolean;
  paymentErrors?: FieldErrors;
  paymentValue?: string;
}) {
  const { context, order } = props;
  const p = order.payment;
  const statusWords = orderStatusWords({
    status: order.status,
    paymentCheckStatus: p?.checkStatus ?? null,
    kind: order.kind,
    licenceStatus: order.licence.status,
  });
  // A change waiting that its licence has moved on from is not "usually approved within two working days".
  const noLongerPossible = changeNoLongerPossibleWords(order, props.canCancel);
  const words = noLongerPossible ? { ...statusWords, explanation: noLongerPossible } : statusWords;
  const list = listPenceBeforeVoucher(order);
  return (
    <Page
      context={context}
      title={`${hasErrors(props.paymentErrors ?? {}) ? 'Error: ' : ''}Order ${order.reference}`}
      crumbs={crumbs}
    >
      <ErrorSummary errors={props.paymentErrors ?? {}} />
      <h1>
        <span class="caption">
          {order.product.name}: {ORDER_KIND_WORDS[order.kind]}
        </span>{' '}
        Order {order.reference}
      </h1>
      <div class="notice" role="status">
        <p>
          <strong class="tag">{words.label}</strong> {words.explanation}
        </p>
        {order.statusReason && (order.status === 'rejected' || order.status === 'cancelled') ? (
          <p>Reason: {order.statusReason}</p>
        ) : null}
        {order.kind === 'increase' && order.status === 'completed' && props.linksLicence ? (
          // The space is the licence's: its projects keep their quotas until someone gives it to one.
          <p>
            <a href={`/storage/licence/${order.licence.id}/#projects`}>{giveSpaceWords(order.sizeTb)}</a>
          </p>
        ) : null}
      </div>
      {props.canChangePayment ? <ChangeFinanceCode {...props} /> : null}
      <h2>What was ordered</h2>
      <SummaryList rows={orderedRows(order, props.linksLicence)} />
      <h2>Price</h2>
      {order.quoteReference ? <p>{orderQuoteWords(order)}</p> : null}
      {p?.method === 'voucher' ? (
        <p>
          List price {formatPence(list.pence)}
          {list.plusColdStoreFee ? ' plus the cold-store fee' : ''}, paid in full by voucher:{' '}
          <strong>nothing to pay</strong>.
        </p>
      ) : order.kind !== 'new' ? (
        <ChangePriceLines
          licenceStatus={order.licence.status}
          price={{
            ...order,
            kind: order.kind,
            days:
              order.kind === 'increase' && order.startsOn && order.endsOn
                ? daysInclusive(order.startsOn, order.endsOn)
                : undefined,
          }}
        />
      ) : (
        <PriceLines
          sizeTb={order.sizeTb}
          termYears={order.termYears}
          price={{
            pencePerTbYear: order.pencePerTbYear,
            netPence: order.netPence,
            vatPence: order.vatPence,
            totalPence: order.totalPence,
          }}
        />
      )}
      <h2>Payment</h2>
      <SummaryList
        rows={[
          p ? ['Method', PAYMENT_METHOD_NAMES[p.method]] : ['Payment', NO_PAYMENT_WORDS],
          ...(p?.financeCode
            ? ([
                ['Finance code', p.financeCode],
                ['Check', `${PAYMENT_CHECK_WORDS[p.checkStatus]}${p.checkMessage ? `: ${p.checkMessage}` : ''}`],
              ] as Array<[string, string]>)
            : []),
          ...(p?.poNumber
            ? ([
                ['PO number', p.poNumber],
                [
                  'PO document',
                  <a href={orderPath(order.reference, 'purchase-order')} key="po">
                    {p.poDocumentName ?? 'Download'} (PDF)
                  </a>,
                ],
              ] as Array<[string, preact.ComponentChildren]>)
            : []),
          ...(p?.voucherCode ? ([['Voucher', p.voucherCode]] as Array<[string, string]>) : []),
          ['Terms accepted', `${order.terms.title}, version ${order.terms.version}`],
        ]}
      />
      {props.canCancel ? (
        <p>
          <a class="button button--warning" href={orderPath(order.reference, 'cancel')}>
            Cancel this order
          </a>
        </p>
      ) : null}
    </Page>
  );
}

/** What an order is: new storage with its first project, or a change of a licence with the period it pays for. */
function orderedRows(order: OrderDetail, linksLicence: boolean): Array<[string, preact.ComponentChildren]> {
  const rows: Array<[string, preact.ComponentChildren]> = [
    ['What', ORDER_KIND_WORDS[order.kind]],
    [
      'Licence',
      linksLicence ? <a href={`/storage/licence/${order.licence.id}/`}>{order.licence.name}</a> : order.licence.name,
    ],
    ['Product', `${order.product.name} (${order.product.code})`],
    [order.kind === 'increase' ? 'TB added' : 'Size', sizeText(order.sizeTb)],
  ];
  if (order.kind === 'new' || order.kind === 'renewal' || order.kind === 'recovery') {
    rows.push(['Term', years(order.termYears)]);
  }
  if (order.startsOn && order.endsOn) {
    rows.push(['Period paid for', `${formatDay(order.startsOn)} to ${formatDay(order.endsOn)}`]);
  }
  rows.push(['Department', order.institution.name], ['Data Owner', personWords(order.licence.owner)]);
  if (order.kind === 'new') {
    rows.push(
      ['Data Managers', peopleWords(order.licence.managers) || 'None'],
      ['First storage project', order.licence.projectName ?? '—'],
    );
  }
  rows.push(['Ordered by', personWords(order.buyer)], ['Submitted', formatInstant(order.submittedAt)]);
  return rows;
}

function ChangeFinanceCode(props: {
  context: PageContext;
  order: OrderDetail;
  paymentErrors?: FieldErrors;
  paymentValue?: string;
}) {
  const { order } = props;
  return (
    <section class="notice notice--warning" aria-labelledby="change-code">
      <h2 id="change-code">Give another finance code</h2>
      <p>
        We could not accept {order.payment?.financeCode}: {order.payment?.checkMessage}
      </p>
      <FinanceCodeForm
        csrfToken={props.context.csrfToken}
        action={orderPath(order.reference, 'payment')}
        label="Finance code"
        error={props.paymentErrors?.financeCode}
        value={props.paymentValue}
      />
    </section>
  );
}

const capitalise = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

export function CancelOrderPage({
  context,
  order,
  tellsTeam = false,
  asksReason = false,
  errors = {},
  reason,
}: {
  context: PageContext;
  order: OrderDetail;
  /** The service team has approved the order and will be emailed that it is cancelled (cancelTellsTeam). */
  tellsTeam?: boolean;
  /** Staff cancelling a customer's order say why (cancelNeedsReason), as a rejection does. */
  asksReason?: boolean;
  errors?: FieldErrors;
  /** The reason as typed, put back with its error. */
  reason?: string;
}) {
  return (
    <Page
      context={context}
      title={`${hasErrors(errors) ? 'Error: ' : ''}Cancel order ${order.reference}`}
      crumbs={[...crumbs, { label: `Order ${order.reference}`, href: orderPath(order.reference) }]}
    >
      <ErrorSummary errors={errors} />
      <h1>Cancel order {order.reference}?</h1>
      <p>
        {order.kind === 'new'
          ? `${sizeText(order.sizeTb)} of ${order.product.name}, “${order.licence.name}”`
          : capitalise(describeChange(order))}
        . Nothing will be charged, and{' '}
        {order.kind === 'new' ? 'the licence will not be set up' : 'the licence stays as it is'}.
        {order.payment?.voucherCode ? ` Voucher ${order.payment.voucherCode} can be used again.` : ''}
      </p>
      {tellsTeam ? (
        <p>
          {order.product.serviceName} has approved this order and may already be{' '}
          {order.kind === 'new' ? 'setting it up' : 'making the change'}: we will email the storage team that it is
          cancelled.
        </p>
      ) : null}
      <form method="post" action={orderPath(order.reference, 'cancel')} novalidate>
        <CsrfField token={context.csrfToken} />
        {asksReason ? (
          <TextAreaField
            name="reason"
            label="Reason for cancelling"
            hint={`The buyer and the Data Owner read this on the order and in an email. At most ${REJECT_REASON_MAX.toLocaleString('en-GB')} characters.`}
            error={errors.reason}
            value={reason}
          />
        ) : null}
        <div class="button-group">
          <button type="submit" class="button button--warning">
            Yes, cancel the order
          </button>
          <a href={orderPath(order.reference)}>No, keep it</a>
        </div>
      </form>
    </Page>
  );
}
