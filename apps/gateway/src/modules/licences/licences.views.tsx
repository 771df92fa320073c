import type { ComponentChildren } from 'preact';
import { UNIVERSITY_TIME_ZONE } from '../../platform/clock.ts';
import { DataTable, ErrorSummary, SummaryList } from '../../platform/web/components.tsx';
import { type Crumb, Page, type PageContext } from '../../platform/web/layout.tsx';
import { Pagination } from '../admin/paging.tsx';
import type { AuditEvent } from '../audit/audit.repository.ts';
import {
  type AuditNames,
  actorWords,
  describeChanges,
  entityWords,
  humanise,
  inCustomerHistory,
} from '../audit/audit-words.ts';
import type { CatalogueProduct } from '../catalogue/catalogue.repository.ts';
import { purchasePath } from '../catalogue/catalogue.views.tsx';
import { formatPence } from '../catalogue/money.ts';
import { sizeText } from '../catalogue/sizes.ts';
import { deletableRecoveryWords } from '../lifecycle/change-in-progress.ts';
import { ReplaceFinanceCodeForm } from '../lifecycle/finance-code-replacement.views.tsx';
import type { OpenLicenceFlag } from '../lifecycle/finance-recheck.repository.ts';
import { flagWarning } from '../lifecycle/licence-flags.ts';
import type { ChangeOptions } from '../orders/change-orders.service.ts';
import { ChangeLicenceSection } from '../orders/change-orders.views.tsx';
import { ORDER_KIND_WORDS, type OrderStatus, orderStatusWords } from '../orders/order-status.ts';
import { DEFAULT_ORDER_LIMIT, type OrderListing, type OrderListingPage } from '../orders/orders.queries.ts';
import type { PersonWithRoles } from '../people/people.repository.ts';
import type { ServiceCode } from '../people/people.tables.ts';
import { SERVICE_NAMES } from '../people/staff-access.ts';
import { quoteSubject } from '../quotes/quote-pdf.ts';
import { formatDay, formatInstant } from '../quotes/quote-rules.ts';
import { type QuoteStanding, quoteStandingHint } from '../quotes/quote-standing.ts';
import type { Quote } from '../quotes/quotes.service.ts';
import { quotePath, quotePdfPath } from '../quotes/quotes.views.tsx';
import type { LicenceUsage } from '../usage/usage.service.ts';
import { increaseSizeHref, projectUsageText, UsageSection } from '../usage/usage.views.tsx';
import type { ProjectReading } from '../usage/usage-readings.ts';
import { expiryWords, holdsStorage, paysForLicence } from './licence-figures.ts';
import type { ChangeRights } from './licence-members.service.ts';
import {
  CreateProjectForm,
  LicenceManagersSection,
  licencePath,
  type MembersForm,
  ProjectChangesSection,
} from './licence-members.views.tsx';
import {
  describeRoles,
  type ExpiryStepDays,
  type LicenceRole,
  licenceStatusWordsFor,
  type NotApprovedOrder,
  nextStepWords,
  projectStatusWords,
  STORAGE_PROJECT_STATUS_WORDS,
  type StorageProjectStatus,
} from './licence-status.ts';
import {
  DEFAULT_LICENCE_LIMIT,
  type HeldLicence,
  type LicenceDetail,
  type LicenceListingPage,
  type PersonSummary,
  type StorageProjectDetail,
  type StorageProjectSummary,
} from './licences.repository.ts';
import type { LicenceStatus } from './licences.tables.ts';

const HOME: Crumb = { label: 'Home', href: '/' };
const MY_STORAGE: Crumb = { label: 'My storage', href: '/storage/' };

/** Who a member of staff is, as far as the licence pages' banner needs: their staff roles. */
export type StaffViewer = Pick<PersonWithRoles, 'staffRoles'>;

/**
 * In what capacity a member of staff sees a customer's licence or storage project, after "You are
 * seeing this licence": a superuser, the service's own team, or Finance (who read every licence and
 * are no service's staff). Without the viewer's roles (a page not given `viewer`), the page's frame
 * tells only Finance (staff who manage no storage) from the storage teams: a superuser then reads
 * as the service's staff.
 */
export function staffViewWords(service: ServiceCode, viewer: StaffViewer | undefined, context?: PageContext): string {
  const team = `as staff of ${SERVICE_NAMES[service].toLowerCase()}`;
  if (!viewer) return context?.person && !context.person.managesStorage ? 'as Finance' : team;
  const roles = viewer.staffRoles;
  if (roles.some((grant) => grant.role === 'superuser')) return 'as a superuser';
  return roles.some((grant) => grant.role === 'service-admin' && grant.service === service) ? team : 'as Finance';
}

const LICENCE_TONE: Record<LicenceStatus, string> = {
  pending: 'tag',
  active: 'tag tag--green',
  suspended: 'tag tag--red',
  cold: 'tag tag--red',
  deletable: 'tag tag--red',
  deleted: 'tag tag--grey',
  cancelled: 'tag tag--grey',
};

const ORDER_TONE: Record<OrderStatus, string> = {
  submitted: 'tag',
  'awaiting-payment-check': 'tag',
  'awaiting-approval': 'tag',
  approved: 'tag',
  provisioning: 'tag',
  completed: 'tag tag--green',
  rejected: 'tag tag--red',
  cancelled: 'tag tag--grey',
  'provisioning-failed': 'tag tag--red',
};

const PROJECT_TONE: Record<StorageProjectStatus, string> = {
  pending: 'tag',
  active: 'tag tag--green',
  removed: 'tag tag--grey',
};

const londonDate = new Intl.DateTimeFormat('en-GB', { dateStyle: 'long', timeZone: UNIVERSITY_TIME_ZONE });

function CalendarDate({ date }: { date: string }) {
  return <time dateTime={date}>{formatDay(date)}</time>;
}

function Instant({ at, withTime = false }: { at: Date; withTime?: boolean }) {
  return <time dateTime={at.toISOString()}>{withTime ? formatInstant(at) : londonDate.format(at)}</time>;
}

function LicenceStatusWords({
  status,
  roles,
  notApproved = null,
  explanation,
  nextStep,
}: {
  status: LicenceStatus;
  roles: readonly LicenceRole[];
  /** A licence never set up because its new order was rejected: "Not approved", with the order. */
  notApproved?: NotApprovedOrder | null;
  /** Said instead of the status's own explanation (a recovery in progress of a licence due for deletion). */
  explanation?: string;
  /** Said after the explanation: the day of an expired licence's next step (nextStepWords). */
  nextStep?: string;
}) {
  const words = licenceStatusWordsFor(status, roles, notApproved);
  return (
    <>
      <strong class={LICENCE_TONE[status]}>{words.label}</strong>
      <br />
      <span class="hint">
        {explanation ?? words.explanation}
        {nextStep ? ` ${nextStep}` : null}
      </span>
    </>
  );
}

function OrderStatusWords({ order, licenceStatus }: { order: OrderListing; licenceStatus?: LicenceStatus }) {
  const words = orderStatusWords({ ...order, licenceStatus });
  return (
    <>
      <strong class={ORDER_TONE[order.status]}>{words.label}</strong>
      <br />
      <span class="hint">{words.explanation}</span>
      {order.statusReason ? (
        <>
          <br />
          <span>Reason: {order.statusReason}</span>
        </>
      ) : null}
    </>
  );
}

function ProjectStatusWords({
  status,
  licenceStatus,
  explain = false,
}: {
  status: StorageProjectStatus;
  /** With the explanation: what the licence's status means for the project. */
  licenceStatus?: LicenceStatus;
  explain?: boolean;
}) {
  const words = licenceStatus ? projectStatusWords(status, licenceStatus) : STORAGE_PROJECT_STATUS_WORDS[status];
  // A project of a licence that holds no storage any more (cancelled, deleted) is shown as ended.
  const tone = licenceStatus && !holdsStorage(licenceStatus) ? 'tag tag--grey' : PROJECT_TONE[status];
  return (
    <>
      <strong class={tone}>{words.label}</strong>
      {explain ? (
        <>
          <br />
          <span class="hint">{words.explanation}</span>
        </>
      ) : null}
    </>
  );
}

function PersonName({ person }: { person: PersonSummary }) {
  return (
    <>
      {person.displayName} <span class="hint">({person.crsid})</span>
    </>
  );
}

function PeopleList({ people, none }: { people: PersonSummary[]; none: string }) {
  if (people.length === 0) return <>{none}</>;
  if (people.length === 1 && people[0]) return <PersonName person={people[0]} />;
  return (
    <ul>
      {people.map((person) => (
        <li key={person.id}>
          <PersonName person={person} />
        </li>
      ))}
    </ul>
  );
}

export interface MyStoragePages {
  licences: number;
  orders: number;
}

/** The pages of one of My storage's lists, when it is longer than a page; the other list stays on its page. */
function ListPages({
  list,
  total,
  pageSize,
  pages,
}: {
  list: keyof MyStoragePages;
  total: number;
  pageSize: number;
  pages: MyStoragePages;
}) {
  if (total <= pageSize) return null;
  return (
    <Pagination
      page={pages[list]}
      total={total}
      what={list}
      pageSize={pageSize}
      href={(to) => myStoragePath({ ...pages, [list]: to })}
    />
  );
}

/** My storage at these pages of its lists, the first pages left out of the address. */
function myStoragePath(pages: MyStoragePages): string {
  const query = new URLSearchParams(
    Object.entries(pages).flatMap(([list, page]) => (page > 1 ? [[list, String(page)]] : [])),
  ).toString();
  return query ? `/storage/?${query}` : '/storage/';
}

function OrdersTable({
  orders,
  caption,
  showLicence,
  licenceStatus,
}: {
  orders: OrderListing[];
  caption: string;
  showLicence: boolean;
  /** The one licence's status, when the orders are all its own (a cancellation of one never set up is worded so). */
  licenceStatus?: LicenceStatus;
}) {
  return (
    <DataTable id="orders-table" caption={caption} captionClass="visually-hidden">
      <thead>
        <tr>
          <th scope="col">Reference</th>
          <th scope="col">What</th>
          <th scope="col">Total</th>
          <th scope="col">Submitted</th>
          <th scope="col">Status</th>
        </tr>
      </thead>
      <tbody>
        {orders.map((order) => (
          <tr key={order.id}>
            <th scope="row">
              <a href={`/orders/${encodeURIComponent(order.reference)}/`}>{order.reference}</a>
            </th>
            <td>
              {ORDER_KIND_WORDS[order.kind]}: {order.productName}, {sizeText(order.sizeTb)}
              {showLicence ? (
                <>
                  <br />
                  <span class="hint">{order.licenceName}</span>
                </>
              ) : null}
            </td>
            <td>{formatPence(order.totalPence)}</td>
            <td>
              <Instant at={order.submittedAt} />
            </td>
            <td>
              <OrderStatusWords order={order} licenceStatus={licenceStatus} />
            </td>
          </tr>
        ))}
      </tbody>
    </DataTable>
  );
}

/** Where each product is bought: the research products' purchase steps, and the institutional one's own start. */
export function MyStoragePage({
  context,
  products,
  licences,
  allLicences,
  orders,
  pages,
  quotes,
}: {
  context: PageContext;
  products: CatalogueProduct[];
  /** The page of licences shown. */
  licences: LicenceListingPage;
  /** Every licence the person holds, for the totals line. */
  allLicences: HeldLicence[];
  orders: OrderListingPage;
  /** The page of each list shown (1 unless the person has more than a page). */
  pages: MyStoragePages;
  quotes: ShownQuote[];
}) {
  return (
    <Page context={context} title="My storage" crumbs={[HOME]}>
      <h1>My storage</h1>

      <section aria-labelledby="buy-storage">
        <h2 id="buy-storage">Buy storage</h2>
        <p>
          Choose the kind of storage you need. You will see the price before you order, and you can download a quote to
          raise a purchase order against. <a href="/catalogue/">Compare the storage we offer</a>.
        </p>
        <ul>
          {products.map((product) => (
            <li key={product.code}>
              <a href={purchasePath(product)}>
                Buy {product.name} ({product.code})
              </a>
              <br />
              <span class="hint">{product.summary}</span>
            </li>
          ))}
        </ul>
      </section>

      <section aria-labelledby="licences">
        <h2 id="licences">Licences</h2>
        {licences.licences.length === 0 ? (
          <p>
            You have no storage yet. Buy storage above, or ask the Data Owner of a licence to add you as a Data Manager
            or a member of one of its storage projects.
          </p>
        ) : (
          <>
            <DataTable id="licences-table" caption="Licences you own, manage or use" captionClass="visually-hidden">
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Product</th>
                  <th scope="col">Size</th>
                  <th scope="col">Department</th>
                  <th scope="col">Your role</th>
                  <th scope="col">Status</th>
                  <th scope="col">Ends</th>
                  <th scope="col">Time left</th>
                  <th scope="col">Storage projects</th>
                  <th scope="col">Annual cost at your current price</th>
                </tr>
              </thead>
              <tbody>
                {licences.licences.map((licence) => (
                  <tr key={licence.id}>
                    <th scope="row">
                      <a href={`/storage/licence/${licence.id}/`}>{licence.name}</a>
                    </th>
                    <td>{licence.productName}</td>
                    <td>{sizeText(licence.sizeTb)}</td>
                    <td>{licence.institutionName}</td>
                    <td>{describeRoles(licence.roles)}</td>
                    <td>
                      <LicenceStatusWords
                        status={licence.status}
                        roles={licence.roles}
                        notApproved={licence.notApproved}
                      />
                    </td>
                    {licence.notApproved ? (
                      // It never ran: its order was rejected before the storage was set up.
                      <>
                        <td>Never set up</td>
                        <td>None: its order was not approved</td>
                      </>
                    ) : licence.status === 'cancelled' ? (
                      // Its end date no longer applies: it ended when it was cancelled.
                      <>
                        <td>Cancelled</td>
                        <td>None: the licence was cancelled</td>
                      </>
                    ) : (
                      <>
                        <td>{licence.endDate ? <CalendarDate date={licence.endDate} /> : 'Not set up yet'}</td>
                        <td>{licence.daysToExpiry === null ? 'Not set up yet' : expiryWords(licence.daysToExpiry)}</td>
                      </>
                    )}
                    <td>{licence.projectCount}</td>
                    <td>
                      {licence.annualCostPence !== undefined
                        ? formatPence(licence.annualCostPence)
                        : paysForLicence(licence.roles)
                          ? 'None'
                          : 'Paid by its Data Owner'}
                    </td>
                  </tr>
                ))}
              </tbody>
            </DataTable>
            <LicenceTotals licences={allLicences} />
            <ListPages list="licences" total={licences.total} pageSize={DEFAULT_LICENCE_LIMIT} pages={pages} />
          </>
        )}
      </section>

      <section aria-labelledby="orders">
        <h2 id="orders">Orders</h2>
        {orders.orders.length === 0 ? (
          <p>You have no orders. When you buy storage, your order appears here so you can follow it.</p>
        ) : (
          <>
            <p>
              Open an order to see its details, or to cancel it before the storage team starts setting up the storage.
            </p>
            <OrdersTable orders={orders.orders} caption="Your orders, newest first" showLicence />
            <ListPages list="orders" total={orders.total} pageSize={DEFAULT_ORDER_LIMIT} pages={pages} />
          </>
        )}
      </section>

      <section aria-labelledby="quotes">
        <h2 id="quotes">Quotes</h2>
        {quotes.length === 0 ? (
          <p>
            You have no quotes. To raise a purchase order, choose the storage you need above and download a quote for
            it.
          </p>
        ) : (
          <QuotesTable quotes={quotes} />
        )}
      </section>
    </Page>
  );
}

/**
 * The summary line under the licences: how many, how many TB they hold and what they cost a year,
 * in all. A cancelled or deleted licence is counted but holds no storage and costs nothing, so its
 * size is left out of the TB as its cost is of the total, and the line says so. A licence never
 * set up because its order was not approved is not counted at all: it never was storage. The cost
 * is only of the licences the person pays for (paysForLicence), and the line after it says so.
 */
function LicenceTotals({ licences: held }: { licences: HeldLicence[] }) {
  const licences = held.filter((licence) => !licence.notApproved);
  const holding = licences.filter((licence) => holdsStorage(licence.status));
  const tb = holding.reduce((sum, licence) => sum + licence.sizeTb, 0);
  const pence = licences.reduce((sum, licence) => sum + (licence.annualCostPence ?? 0), 0);
  const ended = licences.length - holding.length;
  const endedWords =
    ended === 0
      ? ''
      : ended === 1
        ? '; the one cancelled or deleted holds none'
        : `; the ${ended} cancelled or deleted hold none`;
  return (
    <>
      <p id="licence-totals">
        In all: {licences.length === 1 ? '1 licence' : `${licences.length} licences`}, {sizeText(tb)}, annual cost at
        your current price {formatPence(pence)} (including VAT where you pay it){endedWords}.
      </p>
      {licences.some((licence) => !paysForLicence(licence.roles)) ? (
        <p class="hint">
          The annual cost counts only the licences you own or manage: one whose storage project you only use is paid for
          by its Data Owner.
        </p>
      ) : null}
    </>
  );
}

/**
 * A quote as its lists show it: whether it can still be ordered with and, if not, the reason that
 * matters most (quote-standing.ts; change-orders.service.ts quoteStandingOf, the rule an order with
 * it is refused by), worded as its page words it.
 */
export interface ShownQuote {
  quote: Quote;
  standing: QuoteStanding;
}

function QuotesTable({
  quotes,
  caption = 'Your quotes, newest first',
  showRequester = false,
}: {
  quotes: ShownQuote[];
  caption?: string;
  /** Who asked for each: on a licence's page, where its Data Owner's and Data Managers' quotes meet. */
  showRequester?: boolean;
}) {
  return (
    <DataTable id="quotes-table" caption={caption} captionClass="visually-hidden">
      <thead>
        <tr>
          <th scope="col">Reference</th>
          <th scope="col">What</th>
          {showRequester ? <th scope="col">Asked for by</th> : null}
          <th scope="col">Total</th>
          <th scope="col">Valid until</th>
          <th scope="col">Download</th>
        </tr>
      </thead>
      <tbody>
        {quotes.map(({ quote, standing }) => (
          <tr key={quote.id}>
            <th scope="row">
              <a href={quotePath(quote.reference)}>{quote.reference}</a>
            </th>
            <td>
              {quoteSubject(quote)}
              {quote.change ? null : (
                <>
                  <br />
                  <span class="hint">{quote.licenceName}</span>
                </>
              )}
            </td>
            {showRequester ? (
              <td>
                {quote.requester.displayName} ({quote.requester.crsid})
              </td>
            ) : null}
            <td>{formatPence(quote.totalPence)}</td>
            <td>
              <CalendarDate date={quote.validUntil} />
              <br />
              <span class="hint">{quoteStandingHint(quote, standing)}</span>
            </td>
            <td>
              <a href={quotePdfPath(quote.reference)} download={`${quote.reference}.pdf`}>
                PDF <span class="visually-hidden">of quote {quote.reference}</span>
              </a>
            </td>
          </tr>
        ))}
      </tbody>
    </DataTable>
  );
}

export function LicencePage({
  context,
  licence,
  history,
  historyNames,
  changes,
  changeOrders,
  changeQuotes,
  flags = [],
  replaceCode = false,
  usage,
  viewer,
  expiryDays,
}: {
  context: PageContext;
  licence: LicenceDetail;
  /** The person the page is for (request.person): for staff, the banner says in what capacity they see it. */
  viewer?: StaffViewer;
  /** Open flags (a closed finance code, a member who has left): shown to its Data Owner and Data Managers. */
  flags?: OpenLicenceFlag[];
  /** Whether the person may give another finance code for a closed one here (mayReplaceClosedCode). */
  replaceCode?: boolean;
  /** Empty for people who see only the basic details (LicenceAccess 'project-member'). */
  history: AuditEvent[];
  /** The names the history's people, departments and products read as (auditNames). */
  historyNames?: AuditNames;
  /** Usage over the last 12 months: the chart for those with full access, each project's beside its quota. */
  usage?: LicenceUsage;
  /** What the person may change (licence-members.views.tsx), and a form of theirs that failed. */
  changes?: { rights: ChangeRights; form?: MembersForm };
  /** The change orders the person may place (its Data Owner and Data Managers only). */
  changeOrders?: ChangeOptions;
  /** The latest quotes for changes of this licence, whoever of its people asked (full access only). */
  changeQuotes?: ShownQuote[];
  /** When it takes its next step if it has expired (nextStepWords): from its end date and the lifecycle settings. */
  expiryDays?: ExpiryStepDays;
}) {
  const full = licence.access === 'full';
  const rows: Array<[string, ComponentChildren]> = [
    ['Product', `${licence.productName} (${licence.productCode})`],
    ['Size', sizeText(licence.sizeTb)],
    ['Department', licence.institutionName],
    ['Data Owner', <PersonName key="owner" person={licence.owner} />],
    ['Data Managers', <PeopleList key="managers" people={licence.managers} none="None" />],
    ['Starts', licence.startDate ? <CalendarDate date={licence.startDate} /> : 'Starts when the storage is set up'],
    [
      'Ends',
      licence.notApproved ? (
        'Never: its order was not approved'
      ) : licence.status === 'cancelled' ? (
        'Ended: the licence was cancelled'
      ) : licence.endDate ? (
        <CalendarDate date={licence.endDate} />
      ) : (
        'Set when the storage is set up'
      ),
    ],
    [
      'Status',
      <LicenceStatusWords
        key="status"
        status={licence.status}
        roles={licence.roles}
        notApproved={licence.notApproved}
        explanation={deletableRecoveryWords(licence.status, licence.orders)}
        nextStep={expiryDays ? nextStepWords(licence.status, expiryDays) : undefined}
      />,
    ],
  ];
  if (licence.roles.length > 0) rows.push(['Your role', describeRoles(licence.roles)]);
  return (
    <Page
      context={context}
      title={`${changes?.form ? 'Error: ' : ''}${licence.name}`}
      documentTitle={`${changes?.form ? 'Error: ' : ''}${licence.name} – storage licence`}
      crumbs={[HOME, MY_STORAGE]}
    >
      {changes?.form ? <ErrorSummary errors={changes.form.errors} /> : null}
      <h1>
        {licence.name} <span class="caption">licence</span>
      </h1>
      {licence.viewedAsStaff ? (
        <p class="notice">You are seeing this licence {staffViewWords(licence.service, viewer, context)}.</p>
      ) : null}
      {full ? null : (
        <p class="notice">
          You can see this licence because you are a member of one of its storage projects. Its orders and history are
          shown only to its Data Owner and Data Managers.
        </p>
      )}
      {full
        ? flags.map((flag) =>
            flag.kind === 'finance-code-closed' && replaceCode ? (
              <ReplaceFinanceCodeForm
                key={`${flag.kind}:${flag.detail}`}
                csrfToken={context.csrfToken}
                action={`${licencePath(licence.id)}finance-code`}
                detail={flag.detail}
                error={changes?.form?.errors.financeCode}
                value={changes?.form?.values.financeCode}
              />
            ) : (
              <p key={`${flag.kind}:${flag.detail}`} class="notice notice--warning" role="status">
                {flagWarning(flag, context.contactEmail, licence.status)}
              </p>
            ),
          )
        : null}
      <SummaryList rows={rows} />
      {changeOrders ? <ChangeLicenceSection options={changeOrders} /> : null}
      {full && usage ? (
        <UsageSection usage={usage} sizeTb={licence.sizeTb} increaseHref={increaseSizeHref(changeOrders)} />
      ) : null}
      {changes ? (
        <LicenceManagersSection context={context} licence={licence} rights={changes.rights} form={changes.form} />
      ) : null}

      <section aria-labelledby="projects">
        <h2 id="projects">Storage projects</h2>
        <ProjectsTable
          projects={licence.projects.filter((project) => project.status !== 'removed')}
          licenceStatus={licence.status}
          usage={usage?.projects}
        />
        <RemovedProjects projects={licence.projects.filter((project) => project.status === 'removed')} />
        {changes ? (
          <CreateProjectForm context={context} licence={licence} rights={changes.rights} form={changes.form} />
        ) : null}
      </section>

      {full ? (
        <>
          {changeQuotes && changeQuotes.length > 0 ? (
            <section aria-labelledby="licence-quotes">
              <h2 id="licence-quotes">Quotes for changes</h2>
              <QuotesTable
                quotes={changeQuotes}
                caption="Quotes for changes of this licence, newest first"
                showRequester
              />
            </section>
          ) : null}
          <section aria-labelledby="licence-orders">
            <h2 id="licence-orders">Orders</h2>
            {licence.orders.length === 0 ? (
              <p>There are no orders for this licence.</p>
            ) : (
              <OrdersTable
                orders={licence.orders}
                caption="Orders for this licence, newest first"
                showLicence={false}
                licenceStatus={licence.status}
              />
            )}
          </section>
          <section aria-labelledby="history">
            <h2 id="history">History</h2>
            <HistoryTable
              history={history}
              names={historyNames}
              projectNames={new Map(licence.projects.map((project) => [String(project.id), project.name]))}
            />
          </section>
        </>
      ) : null}
    </Page>
  );
}

function ProjectsTable({
  projects,
  licenceStatus,
  usage,
}: {
  projects: StorageProjectSummary[];
  /** The licence's: a cancelled or deleted licence's projects are not shown as in use. */
  licenceStatus: LicenceStatus;
  /** Each project's latest usage reading, shown beside its quota. */
  usage?: Map<number, ProjectReading>;
}) {
  if (projects.length === 0) return <p>This licence has no storage projects yet.</p>;
  return (
    <DataTable id="projects-table" caption="Storage projects of this licence" captionClass="visually-hidden">
      <thead>
        <tr>
          <th scope="col">Name</th>
          <th scope="col">Quota</th>
          {usage ? <th scope="col">Used</th> : null}
          <th scope="col">Members</th>
          <th scope="col">Status</th>
        </tr>
      </thead>
      <tbody>
        {projects.map((project) => (
          <tr key={project.id}>
            <th scope="row">
              <a href={`/storage/project/${project.id}/`}>{project.name}</a>
            </th>
            <td>{sizeText(project.quotaTb)}</td>
            {usage ? <td>{projectUsageText(usage.get(project.id), project.quotaTb)}</td> : null}
            <td>{project.members.length === 1 ? '1 person' : `${project.members.length} people`}</td>
            <td>
              <ProjectStatusWords status={project.status} licenceStatus={licenceStatus} />
            </td>
          </tr>
        ))}
      </tbody>
    </DataTable>
  );
}

/** A licence's removed storage projects, kept for its history: not live, their TB free again. */
function RemovedProjects({ projects }: { projects: StorageProjectSummary[] }) {
  if (projects.length === 0) return null;
  return (
    <>
      <h3>Removed storage projects</h3>
      <p class="hint">Kept in the licence's history: nobody has access to them, and their TB are free again.</p>
      <ul>
        {projects.map((project) => (
          <li key={project.id}>
            <a href={`/storage/project/${project.id}/`}>{project.name}</a> (had {sizeText(project.quotaTb)})
          </li>
        ))}
      </ul>
    </>
  );
}

function HistoryTable({
  history,
  names,
  projectNames,
}: {
  history: AuditEvent[];
  /** People by name and CRSid, departments and products by name, in the customer's words. */
  names?: AuditNames;
  /** The licence's storage projects' names by id: each project's entries say which project. */
  projectNames: Map<string, string>;
}) {
  const shown = history.filter(inCustomerHistory);
  if (shown.length === 0) return <p>Nothing has been recorded for this licence yet.</p>;
  return (
    <DataTable
      id="history-table"
      caption="What has happened to this licence, oldest first"
      captionClass="visually-hidden"
    >
      <thead>
        <tr>
          <th scope="col">When</th>
          <th scope="col">Who</th>
          <th scope="col">What happened</th>
        </tr>
      </thead>
      <tbody>
        {shown.map((event, index) => {
          const changes = describeChanges(event.before, event.after, event.entityType, 'customer', names);
          return (
            <tr key={index}>
              <td>
                <Instant at={event.occurredAt} withTime />
              </td>
              <td>{actorWords(event.actorLabel, names?.people.get(event.actorLabel))}</td>
              <td>
                {entityWords(event.entityType)}
                {event.entityType === 'storage-project' && projectNames.has(event.entityId)
                  ? ` ${projectNames.get(event.entityId)}`
                  : ''}
                : {humanise(event.action).toLowerCase()}
                {changes.length > 0 ? (
                  <>
                    <br />
                    <span class="hint">{changes.join('; ')}</span>
                  </>
                ) : null}
              </td>
            </tr>
          );
        })}
      </tbody>
    </DataTable>
  );
}

export function ProjectPage({
  context,
  project,
  changes,
  viewer,
}: {
  context: PageContext;
  project: StorageProjectDetail;
  /** The person the page is for (request.person): for staff, the banner says in what capacity they see it. */
  viewer?: StaffViewer;
  /** What the person may change (licence-members.views.tsx), and a form of theirs that failed. */
  changes?: { rights: ChangeRights; form?: MembersForm; maxQuotaTb?: number };
}) {
  const managers = project.members.filter((member) => member.role === 'project-data-manager');
  const users = project.members.filter((member) => member.role === 'project-data-user');
  return (
    <Page
      context={context}
      title={`${changes?.form ? 'Error: ' : ''}${project.name}`}
      documentTitle={`${changes?.form ? 'Error: ' : ''}${project.name} – storage project of “${project.licence.name}”`}
      crumbs={[HOME, MY_STORAGE, { label: project.licence.name, href: `/storage/licence/${project.licence.id}/` }]}
    >
      {changes?.form ? <ErrorSummary errors={changes.form.errors} /> : null}
      <h1>
        {project.name} <span class="caption">storage project</span>
      </h1>
      {project.viewedAsStaff ? (
        <p class="notice">
          You are seeing this storage project {staffViewWords(project.licence.service, viewer, context)}.
        </p>
      ) : null}
      <SummaryList
        rows={[
          [
            'Licence',
            <>
              <a href={`/storage/licence/${project.licence.id}/`}>{project.licence.name}</a> (
              {project.licence.productName})
            </>,
          ],
          ['Quota', sizeText(project.quotaTb)],
          [
            'Status',
            <ProjectStatusWords key="status" status={project.status} licenceStatus={project.licence.status} explain />,
          ],
          [
            'Where to find it',
            project.status === 'removed' ? (
              project.path ? (
                <>
                  Nowhere: it was at <code key="path">{project.path}</code>
                </>
              ) : (
                'Nowhere: it was never set up'
              )
            ) : project.path ? (
              <code key="path">{project.path}</code>
            ) : project.status === 'pending' ? (
              project.licence.status === 'pending' ? (
                'Set up when the licence is provisioned'
              ) : project.licence.status === 'active' ? (
                'Shown here once the storage team has created it'
              ) : (
                'Not set up'
              )
            ) : (
              'The storage team tells the Data Owner when it is set up'
            ),
          ],
          ...(project.shareName
            ? ([['Share name', <code key="share">{project.shareName}</code>]] as Array<[string, ComponentChildren]>)
            : []),
        ]}
      />
      {project.status === 'removed' ? (
        <p class="notice">
          This storage project has been removed: nobody has access to it on the storage, and its quota is free again for
          the licence's other projects. It stays in the licence's history, where its members at the time are recorded.
        </p>
      ) : (
        <>
          <section aria-labelledby="project-data-managers">
            <h2 id="project-data-managers">Project Data Managers</h2>
            <p class="hint">They decide who may use this storage project.</p>
            <PeopleList people={managers} none="No Project Data Managers yet." />
          </section>
          <section aria-labelledby="project-data-users">
            <h2 id="project-data-users">Project Data Users</h2>
            <p class="hint">They can read and write the data in this storage project.</p>
            <PeopleList people={users} none="No Project Data Users yet." />
          </section>
        </>
      )}
      {changes ? (
        <ProjectChangesSection
          context={context}
          project={project}
          rights={changes.rights}
          canResize={changes.rights.projects}
          maxQuotaTb={changes.maxQuotaTb}
          form={changes.form}
        />
      ) : null}
    </Page>
  );
}
