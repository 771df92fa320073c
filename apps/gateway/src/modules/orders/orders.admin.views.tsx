import type { ComponentChildren } from 'preact';
import { CsrfField, ErrorSummary, type FieldErrors, SummaryList } from '../../platform/web/components.tsx';
import { SelectField, TextAreaField, TextField } from '../../platform/web/form-fields.tsx';
import type { PageContext } from '../../platform/web/layout.tsx';
import { AdminPage } from '../admin/admin.views.tsx';
import { describeChanges } from '../audit/audit-words.ts';
import { formatPence } from '../catalogue/money.ts';
import { sizeText } from '../catalogue/sizes.ts';
import { LICENCE_STATUS_WORDS } from '../licences/licence-status.ts';
import { PAYMENT_METHOD_NAMES } from '../payments/payment-details.ts';
import { formatDay, formatInstant } from '../quotes/quote-rules.ts';
import { approvalNote, lockedLicenceNotice, REJECT_REASON_MAX } from './order-decisions.ts';
import { NO_PAYMENT_WORDS } from './order-payment.ts';
import {
  ageInDays,
  describeAge,
  QUEUE_MAX_PAGE,
  QUEUE_PAGE_SIZE,
  type QueueFilter,
  queryString,
  queueBackHref,
  queueHref,
  queueQuery,
  STAFF_STATUS_LABELS,
  showingRange,
} from './order-queue.ts';
import {
  isFinishedStatus,
  ORDER_KIND_WORDS,
  ORDER_STATUSES,
  type OrderKind,
  type OrderStatus,
} from './order-status.ts';
import type { OrderHistoryEntry, OrderStaffDetails, QueueChoices, QueuePage } from './orders.admin.repository.ts';
import type { OrderDetail } from './orders.repository.ts';
import { years } from './purchase.views.tsx';
import { departmentWords, payingDepartmentRefusal } from './purchase-configuration.ts';

export const SECTION = '/admin/orders/';
export const staffOrderPath = (reference: string, rest = ''): string => `/admin/orders/${reference}/${rest}`;

const when = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'Europe/London' });
const day = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeZone: 'Europe/London' });

function hasErrors(errors: FieldErrors): boolean {
  return Object.values(errors).some(Boolean);
}

const TAG_CLASS: Partial<Record<OrderStatus, string>> = {
  approved: 'tag tag--green',
  completed: 'tag tag--green',
  rejected: 'tag tag--red',
  'provisioning-failed': 'tag tag--red',
  cancelled: 'tag tag--grey',
};

/**
 * What an order is for, in the queue's storage column: the size and term it buys, but only the TB
 * an increase adds (its term is the rest of the licence's) and only the size a cancellation ends.
 */
export function storageWords(order: { kind: OrderKind; sizeTb: number; termYears: number }): string {
  if (order.kind === 'increase') return `${sizeText(order.sizeTb)} added`;
  if (order.kind === 'cancellation') return sizeText(order.sizeTb);
  return `${sizeText(order.sizeTb)}, ${years(order.termYears)}`;
}

export function StatusTag({ status }: { status: OrderStatus }) {
  return <strong class={TAG_CLASS[status] ?? 'tag'}>{STAFF_STATUS_LABELS[status]}</strong>;
}

// ---------------------------------------------------------------------------------------------
// The queue

export interface OrderQueuePageProps {
  context: PageContext;
  filter: QueueFilter;
  choices: QueueChoices;
  result: QueuePage;
  errors: FieldErrors;
  /** The raw values of the fields with errors, put back as typed. */
  values: Record<string, string>;
  now: Date;
}

export function OrderQueuePage(props: OrderQueuePageProps) {
  const { context, filter, choices, result, errors, now } = props;
  const serviceName = choices.services.find((service) => service.code === filter.service)?.name ?? filter.service;
  const range = showingRange(filter.page, result.total);
  const lastPage = Math.max(1, Math.ceil(result.total / QUEUE_PAGE_SIZE));
  const title = `Orders: ${serviceName}`;
  return (
    <AdminPage
      context={context}
      title={hasErrors(errors) ? `Error: ${title}` : title}
      section={SECTION}
      crumbs={[{ label: 'Orders' }]}
    >
      <ErrorSummary errors={errors} />
      <h1>Orders</h1>
      {choices.services.length > 1 ? (
        <nav class="admin-nav" aria-label="Services">
          <ul>
            {choices.services.map((service) => (
              <li key={service.code}>
                <a
                  href={queueHref({ ...filter, service: service.code, product: null, page: 1 })}
                  aria-current={service.code === filter.service ? 'page' : undefined}
                >
                  {service.name}
                </a>
              </li>
            ))}
          </ul>
        </nav>
      ) : null}
      <h2>{serviceName}</h2>
      <QueueFilters {...props} />
      <p role="status">
        {result.total === 0
          ? 'No orders match these filters.'
          : result.rows.length === 0
            ? `There are ${result.totalIsCapped ? 'more than ' : ''}${result.total.toLocaleString('en-GB')} matching orders, but none on page ${filter.page}.`
            : `Showing ${range.from.toLocaleString('en-GB')}–${(range.from + result.rows.length - 1).toLocaleString('en-GB')} of ${result.totalIsCapped ? 'more than ' : ''}${result.total.toLocaleString('en-GB')} ${result.total === 1 ? 'order' : 'orders'}`}
      </p>
      {result.rows.length > 0 ? (
        <table>
          <caption class="visually-hidden">
            {`${serviceName} orders, ${filter.sort === 'newest' ? 'newest' : 'oldest'} first`}
          </caption>
          <thead>
            <tr>
              <th scope="col">Order</th>
              <th scope="col">Submitted</th>
              <th scope="col">Status</th>
              <th scope="col">Storage</th>
              <th scope="col">Department and licence</th>
              <th scope="col">Buyer and Data Owner</th>
              <th scope="col">Payment</th>
            </tr>
          </thead>
          <tbody>
            {result.rows.map((row) => (
              <tr key={row.id}>
                <th scope="row">
                  {/* The order page leads back to this queue, with these filters (queueParamsFrom). */}
                  <a href={`${staffOrderPath(row.reference)}${queryString(queueQuery(filter))}`}>{row.reference}</a>
                  <br />
                  <span class="hint">{ORDER_KIND_WORDS[row.kind]}</span>
                </th>
                <td>
                  <time dateTime={row.submittedAt.toISOString()}>{day.format(row.submittedAt)}</time>
                  <br />
                  <span class="hint">
                    {isFinishedStatus(row.status)
                      ? `${STAFF_STATUS_LABELS[row.status].toLowerCase()} on ${day.format(row.statusChangedAt)}`
                      : `waiting ${describeAge(ageInDays(row.submittedAt, now))}`}
                  </span>
                </td>
                <td>
                  <StatusTag status={row.status} />
                </td>
                <td>
                  {row.productCode}, {storageWords(row)}
                </td>
                <td>
                  {row.departmentName}
                  <br />
                  <span class="hint">{row.licenceName}</span>
                </td>
                <td>
                  {row.buyer.displayName} ({row.buyer.crsid})
                  {row.owner.crsid !== row.buyer.crsid ? (
                    <>
                      <br />
                      <span class="hint">
                        Owner: {row.owner.displayName} ({row.owner.crsid})
                      </span>
                    </>
                  ) : null}
                </td>
                <td>
                  {row.payment ? PAYMENT_METHOD_NAMES[row.payment.method] : 'No payment'}
                  {row.payment?.poNumber ? <span class="hint"> {row.payment.poNumber}</span> : null}
                  {row.payment?.checkStatus === 'pending' || row.payment?.checkStatus === 'invalid' ? (
                    <>
                      <br />
                      <span class="hint">
                        {row.payment?.checkStatus === 'pending' ? 'Not yet checked' : 'Refused by CUFS'}
                      </span>
                    </>
                  ) : null}
                  <br />
                  {formatPence(row.totalPence)}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {filter.page > 1 || result.hasNext ? (
        <nav class="pagination" aria-label="Pages of orders">
          <p>
            Page {filter.page.toLocaleString('en-GB')}
            {result.totalIsCapped ? '' : ` of ${lastPage.toLocaleString('en-GB')}`}
          </p>
          <ul>
            {filter.page > 1 ? (
              <li>
                <a
                  href={queueHref(filter, {
                    page: result.totalIsCapped ? filter.page - 1 : Math.min(filter.page - 1, lastPage),
                  })}
                  rel="prev"
                >
                  Previous page
                </a>
              </li>
            ) : null}
            {result.hasNext && filter.page < QUEUE_MAX_PAGE ? (
              <li>
                <a href={queueHref(filter, { page: filter.page + 1 })} rel="next">
                  Next page
                </a>
              </li>
            ) : null}
          </ul>
        </nav>
      ) : null}
    </AdminPage>
  );
}

const STATUS_OPTIONS = [
  { value: 'all', label: 'Any status' },
  ...ORDER_STATUSES.map((status) => ({ value: status, label: STAFF_STATUS_LABELS[status] })),
];

/** The filters as a GET form: it works without JavaScript, and its address can be bookmarked or shared. */
function QueueFilters({ filter, choices, errors, values }: OrderQueuePageProps) {
  const statusValue =
    filter.statusChoice.length === 1 && filter.statusChoice[0] !== 'needs-action' ? filter.statusChoice[0] : '';
  const products = choices.products.filter((product) => product.service === filter.service);
  return (
    <form method="get" action={SECTION} class="queue-filters" novalidate>
      <input type="hidden" name="service" value={filter.service} />
      {filter.statusChoice.length > 1 ? (
        <p>
          Showing orders that are:{' '}
          {filter.statusChoice.map((status) => STAFF_STATUS_LABELS[status as OrderStatus] ?? status).join(', ')}. Choose
          one status below to change this.
        </p>
      ) : null}
      <SelectField
        name="status"
        label="Status"
        placeholder="Needs action (awaiting a check, approval or provisioning)"
        options={STATUS_OPTIONS}
        value={statusValue}
      />
      <SelectField
        name="product"
        label="Product"
        placeholder="All products"
        options={products.map((product) => ({ value: product.code, label: `${product.name} (${product.code})` }))}
        value={filter.product ?? ''}
      />
      <SelectField
        name="department"
        label="Department"
        placeholder="All departments"
        options={choices.departments.map((department) => ({ value: department.id, label: department.name }))}
        value={filter.department ?? ''}
      />
      <TextField
        name="olderThan"
        label="Waiting more than (days)"
        hint="Orders submitted longer ago than this. Leave empty for any age."
        inputMode="numeric"
        width="short"
        error={errors.olderThan}
        value={errors.olderThan ? values.olderThan : filter.olderThanDays === null ? '' : String(filter.olderThanDays)}
      />
      <TextField
        name="q"
        label="Search"
        hint="An order reference (ORD-000123), a CRSid or name of the buyer or Data Owner, or a PO number."
        width="medium"
        error={errors.q}
        value={errors.q ? values.q : (filter.search?.text ?? '')}
      />
      <SelectField
        name="sort"
        label="Sort"
        placeholder="Oldest first"
        options={[{ value: 'newest', label: 'Newest first' }]}
        value={filter.sort === 'newest' ? 'newest' : ''}
      />
      <div class="button-group">
        <button type="submit" class="button">
          Apply filters
        </button>
        <a href={`${SECTION}?service=${filter.service}`}>Clear filters</a>
      </div>
    </form>
  );
}

// ---------------------------------------------------------------------------------------------
// The staff order page

export interface StaffOrderActions {
  /** The Approve button is shown. */
  approve: boolean;
  /** Why this person may not approve an order that waits for approval (their own), shown instead of the button. */
  approveRefusal?: string;
  reject: boolean;
  recheck: boolean;
}

export interface StaffOrderPageProps {
  context: PageContext;
  order: OrderDetail;
  details: OrderStaffDetails;
  history: OrderHistoryEntry[];
  actions: StaffOrderActions;
  rejectErrors?: FieldErrors;
  rejectValue?: string;
  /** The filters of the queue the order was opened from (queueParamsFrom), kept by its links and forms. */
  queue?: Array<[string, string]>;
  /**
   * SLOT for the provisioning module: its "Provisioning" section (what was created, runs, retry),
   * rendered after the decision and before the history. Left empty by the orders module.
   */
  provisioning?: ComponentChildren;
}

const CHECK_WORDS = {
  'not-needed': 'No check needed',
  pending: 'Not yet checked: CUFS could not be reached',
  valid: 'Checked: open',
  invalid: 'Refused by CUFS',
} as const;

export function StaffOrderPage(props: StaffOrderPageProps) {
  const { context, order, details, history } = props;
  const errors = props.rejectErrors ?? {};
  const p = order.payment;
  const title = `Order ${order.reference}`;
  return (
    <AdminPage
      context={context}
      title={hasErrors(errors) ? `Error: ${title}` : title}
      section={SECTION}
      crumbs={[
        { label: 'Orders', href: queueBackHref(props.queue ?? [], order.product.service) },
        { label: order.reference },
      ]}
    >
      <ErrorSummary errors={errors} />
      <h1>
        <span class="caption">
          {order.product.serviceName}: {order.product.name}
        </span>{' '}
        Order {order.reference}
      </h1>
      <div class="notice" role="status">
        <p>
          <StatusTag status={order.status} /> {ORDER_KIND_WORDS[order.kind]}, submitted {when.format(order.submittedAt)}
          .
        </p>
        {order.statusReason ? <p>Reason: {order.statusReason}</p> : null}
        {details.decidedBy && details.decidedAt ? (
          <p>
            {order.status === 'rejected' ? 'Rejected' : 'Approved'} by {details.decidedBy.displayName} (
            {details.decidedBy.crsid}) on {formatInstant(details.decidedAt)}.
          </p>
        ) : null}
      </div>
      <LockedLicenceNotice order={order} details={details} />
      <Decisions {...props} errors={errors} />

      <h2>Buyer</h2>
      <SummaryList
        rows={[
          ['Name', `${order.buyer.displayName} (${order.buyer.crsid})`],
          ['Email', <a href={`mailto:${order.buyer.email}`}>{order.buyer.email}</a>],
        ]}
      />

      <h2>Licence</h2>
      <SummaryList
        rows={[
          ['Name', order.licence.name],
          ['Department', `${order.institution.name} (${order.institution.id}), ${order.customerClass} customer`],
          // Who is buying for which department: new storage is paid for by the buyer's or the Data Owner's.
          ['Buyer’s department', departmentOrNone(details.buyerDepartment)],
          ['Data Owner’s department', departmentOrNone(details.ownerDepartment)],
          ...(order.kind === 'new' && !payingDepartmentIsTheirs(order.institution.id, details)
            ? ([
                [
                  'Note',
                  <strong key="not-theirs">
                    The licence’s department is neither the buyer’s nor the Data Owner’s: check who pays before
                    approving.
                  </strong>,
                ],
              ] as Array<[string, ComponentChildren]>)
            : []),
          ['Data Owner', `${order.licence.owner.displayName} (${order.licence.owner.crsid})`],
          ['Data Managers', details.managers.length > 0 ? details.managers.join(', ') : 'None'],
          // A change order's licence has its projects already; only a new one brings its first.
          ...(order.kind === 'new'
            ? ([['First storage project', order.licence.projectName ?? '—']] as Array<[string, ComponentChildren]>)
            : []),
          order.kind === 'increase'
            ? ['TB added', sizeText(order.sizeTb)]
            : order.kind === 'cancellation'
              ? ['Size cancelled', sizeText(order.sizeTb)]
              : ['Size and term', `${sizeText(order.sizeTb)} for ${years(order.termYears)}`],
          ['Licence status', LICENCE_STATUS_WORDS[details.licenceStatus].label],
        ]}
      />

      <h2>Price</h2>
      <SummaryList
        rows={[
          ['Per TB per year', `${formatPence(order.pencePerTbYear)} (price from ${formatDay(order.priceValidFrom)})`],
          ...(order.startsOn && order.endsOn
            ? ([['Period paid for', `${formatDay(order.startsOn)} to ${formatDay(order.endsOn)}`]] as Array<
                [string, ComponentChildren]
              >)
            : []),
          ...(order.kind === 'recovery'
            ? ([['Of which cold-store fee', formatPence(order.coldStorePence)]] as Array<[string, ComponentChildren]>)
            : []),
          ['Net', formatPence(order.netPence)],
          ['VAT', formatPence(order.vatPence)],
          ['Total', <strong key="total">{formatPence(order.totalPence)}</strong>],
          ['Quote', order.quoteReference ?? 'None'],
        ]}
      />

      <h2>Payment</h2>
      <SummaryList
        rows={[
          p ? ['Method', PAYMENT_METHOD_NAMES[p.method]] : ['Payment', NO_PAYMENT_WORDS],
          ...(p?.financeCode
            ? ([
                ['Finance code', p.financeCode],
                [
                  'CUFS check',
                  `${CHECK_WORDS[p.checkStatus]}${p.checkMessage ? `: ${p.checkMessage}` : ''}${
                    details.checkedAt ? ` (${when.format(details.checkedAt)})` : ''
                  }${p.checkAttempts > 0 ? `; background tries: ${p.checkAttempts}` : ''}`,
                ],
              ] as Array<[string, ComponentChildren]>)
            : []),
          ...(p?.poNumber
            ? ([
                ['PO number', p.poNumber],
                [
                  'PO document',
                  <a href={`/orders/${order.reference}/purchase-order`} key="po">
                    {p.poDocumentName ?? 'Download'} (PDF)
                  </a>,
                ],
              ] as Array<[string, ComponentChildren]>)
            : []),
          ...(p?.voucherCode ? ([['Voucher', p.voucherCode]] as Array<[string, ComponentChildren]>) : []),
          [
            'Terms accepted',
            `${order.terms.title}, version ${order.terms.version}, ${when.format(order.terms.acceptedAt)}`,
          ],
        ]}
      />

      {/* SLOT: the provisioning module's section goes here (props.provisioning). */}
      {props.provisioning ?? null}

      <h2>History</h2>
      <OrderHistory history={history} />
      <p>
        <a href={`/orders/${order.reference}/`}>See the order as its buyer sees it</a>
      </p>
    </AdminPage>
  );
}

/** At the top of an order whose licence is locked: why, and that provisioning waits for the unlock. */
/** A person's department as the staff order page names it. */
function departmentOrNone(department: OrderStaffDetails['buyerDepartment']): string {
  return department ? departmentWords(department) : 'None in the University directory';
}

/**
 * Whether buying would allow this department today (payingDepartmentRefusal): orders placed before
 * the rule, or since someone moved department, may name another, which the approver should question.
 */
function payingDepartmentIsTheirs(institutionId: string, details: OrderStaffDetails): boolean {
  return payingDepartmentRefusal(institutionId, details.buyerDepartment, details.ownerDepartment) === null;
}

function LockedLicenceNotice({ order, details }: { order: OrderDetail; details: OrderStaffDetails }) {
  const notice = lockedLicenceNotice(order, details.licenceLock);
  if (!notice) return null;
  return (
    <div class="notice notice--warning" role="note">
      <p>
        <strong>{notice.locked}</strong>
        {notice.waits ? ` ${notice.waits}` : ''}
      </p>
      <p>
        <a href={`/admin/licences/${order.licence.id}/`}>See the licence “{order.licence.name}”</a>, where it is
        unlocked.
      </p>
    </div>
  );
}

function Decisions({
  context,
  order,
  actions,
  errors,
  rejectValue,
  queue,
}: StaffOrderPageProps & { errors: FieldErrors }) {
  if (!actions.approve && !actions.reject && !actions.recheck && !actions.approveRefusal) return null;
  // Each decision comes back to this page, still leading back to the queue it was opened from.
  const action = (name: string) => `${staffOrderPath(order.reference, name)}${queryString(queue ?? [])}`;
  return (
    <section aria-labelledby="decide">
      <h2 id="decide">Decide</h2>
      {actions.recheck ? (
        <form method="post" action={action('recheck')} class="inline-form">
          <CsrfField token={context.csrfToken} />
          <p>
            {order.payment?.checkStatus === 'pending'
              ? 'CUFS could not check this finance code yet (a background check keeps trying).'
              : 'CUFS refused this finance code. If it has been reopened, check it again.'}
          </p>
          <button type="submit" class="button button--secondary">
            Re-check the finance code now
          </button>
        </form>
      ) : null}
      {actions.approveRefusal ? <p class="notice notice--warning">{actions.approveRefusal}</p> : null}
      {actions.approve ? (
        <form method="post" action={action('approve')} class="inline-form">
          <CsrfField token={context.csrfToken} />
          <p>{approvalNote(order.kind, order.licence.status)}</p>
          <button type="submit" class="button">
            Approve order {order.reference}
          </button>
        </form>
      ) : null}
      {actions.reject ? (
        <form method="post" action={action('reject')} novalidate>
          <CsrfField token={context.csrfToken} />
          <TextAreaField
            name="reason"
            label="Reason for rejecting"
            hint={`The buyer and the Data Owner read this on the order and in an email. At most ${REJECT_REASON_MAX.toLocaleString('en-GB')} characters.`}
            error={errors.reason}
            value={rejectValue}
          />
          <button type="submit" class="button button--warning">
            Reject order {order.reference}
          </button>
        </form>
      ) : null}
    </section>
  );
}

function OrderHistory({ history }: { history: OrderHistoryEntry[] }) {
  if (history.length === 0) return <p>Nothing has been recorded for this order.</p>;
  return (
    <table>
      <caption class="visually-hidden">History of the order and its payment, oldest first</caption>
      <thead>
        <tr>
          <th scope="col">When</th>
          <th scope="col">Who</th>
          <th scope="col">What</th>
          <th scope="col">Change</th>
        </tr>
      </thead>
      <tbody>
        {history.map((entry) => (
          <tr key={entry.id}>
            <td>
              <time dateTime={entry.occurredAt.toISOString()}>{when.format(entry.occurredAt)}</time>
            </td>
            <td>{entry.actorName ? `${entry.actorName} (${entry.actorLabel})` : entry.actorLabel}</td>
            <td>
              {entry.entityType === 'payment' ? 'Payment: ' : ''}
              {entry.action}
            </td>
            <td>{describeChanges(entry.before, entry.after, entry.entityType, 'staff').join('; ')}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
