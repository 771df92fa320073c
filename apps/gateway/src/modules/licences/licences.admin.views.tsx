import type { ComponentChildren } from 'preact';
import { CsrfField, DataTable, ErrorSummary, type FieldErrors, SummaryList } from '../../platform/web/components.tsx';
import { SelectField, TextField } from '../../platform/web/form-fields.tsx';
import type { PageContext } from '../../platform/web/layout.tsx';
import { AdminPage } from '../admin/admin.views.tsx';
import { DATE_HINT } from '../admin/manage-forms.ts';
import { Day, Instant, titleFor } from '../admin/manage-views.tsx';
import { listHref, Pagination } from '../admin/paging.tsx';
import type { AuditEvent } from '../audit/audit.repository.ts';
import { AuditTrail } from '../audit/audit.views.tsx';
import { formatPence } from '../catalogue/money.ts';
import { sizeText } from '../catalogue/sizes.ts';
import { ReplaceFinanceCodeForm } from '../lifecycle/finance-code-replacement.views.tsx';
import type { OpenLicenceFlag } from '../lifecycle/finance-recheck.repository.ts';
import { FLAG_LABELS } from '../lifecycle/licence-flags.ts';
import type { LicenceFlagKind } from '../lifecycle/lifecycle.tables.ts';
import { ORDER_STATUS_WORDS } from '../orders/order-status.ts';
import type { AccessChangeWaiting } from '../provisioning/access-changes.repository.ts';
import type { LicenceUsage } from '../usage/usage.service.ts';
import { UsageSection } from '../usage/usage.views.tsx';
import {
  EDITABLE_KEYS,
  type LicenceEditable,
  licenceEditFormValues,
  licenceEditValues,
  shownField,
} from './licence-edit.ts';
import { LICENCE_STATUS_WORDS, LICENCE_STATUSES } from './licence-status.ts';
import { type AdminLicenceDetail, type AdminLicenceListed, ANY_FLAG } from './licences.admin.repository.ts';
import type { PersonSummary } from './licences.repository.ts';

export const LICENCES_SECTION = '/admin/licences/';
export const adminLicencePath = (id: number, rest = ''): string => `/admin/licences/${id}/${rest}`;
export const adminOrderPath = (reference: string): string => `/admin/orders/${reference}/`;

export interface LicenceFilters {
  text: string;
  productCode: string;
  status: string;
  institutionId: string;
  flag: string;
}

function filterQuery(filters: LicenceFilters, page: number) {
  return {
    q: filters.text,
    product: filters.productCode,
    status: filters.status,
    institution: filters.institutionId,
    flag: filters.flag,
    page,
  };
}

export function AdminLicencesPage({
  context,
  filters,
  products,
  institutions,
  licences,
  total,
  page,
}: {
  context: PageContext;
  filters: LicenceFilters;
  products: Array<{ code: string; name: string }>;
  institutions: Array<{ id: string; name: string }>;
  licences: AdminLicenceListed[];
  total: number;
  page: number;
}) {
  const filtered = Object.values(filters).some(Boolean);
  return (
    <AdminPage context={context} title="Licences" section={LICENCES_SECTION}>
      <h1>Licences</h1>
      <form method="get" action={LICENCES_SECTION} class="filters" aria-label="Search licences">
        <TextField
          name="q"
          label="Search"
          hint="A licence number, part of its name, the Data Owner's CRSid or name, or a department"
          value={filters.text}
          width="medium"
        />
        <SelectField
          name="product"
          label="Product"
          placeholder="Any product"
          value={filters.productCode}
          options={products.map((product) => ({ value: product.code, label: `${product.name} (${product.code})` }))}
        />
        <SelectField
          name="status"
          label="Status"
          placeholder="Any status"
          value={filters.status}
          options={LICENCE_STATUSES.map((status) => ({ value: status, label: LICENCE_STATUS_WORDS[status].label }))}
        />
        <SelectField
          name="institution"
          label="Department"
          placeholder="Any department"
          value={filters.institutionId}
          options={institutions.map((institution) => ({ value: institution.id, label: institution.name }))}
        />
        <SelectField
          name="flag"
          label="Flagged"
          placeholder="Flagged or not"
          value={filters.flag}
          options={[
            { value: ANY_FLAG, label: 'Any flag' },
            ...(Object.keys(FLAG_LABELS) as LicenceFlagKind[]).map((kind) => ({
              value: kind,
              label: FLAG_LABELS[kind],
            })),
          ]}
        />
        <div class="button-group">
          <button type="submit">Search</button>
          {filtered ? (
            <a href={LICENCES_SECTION} class="button button--secondary">
              Clear
            </a>
          ) : null}
        </div>
      </form>

      {total === 0 ? (
        <p>{filtered ? 'No licences match this search.' : 'There are no licences yet.'}</p>
      ) : licences.length === 0 ? null : (
        <DataTable id="licences-table" caption="Licences, by name" captionClass="visually-hidden">
          <thead>
            <tr>
              <th scope="col">Licence</th>
              <th scope="col">Product</th>
              <th scope="col">Department</th>
              <th scope="col">Data Owner</th>
              <th scope="col">Size</th>
              <th scope="col">Ends</th>
              <th scope="col">Status</th>
            </tr>
          </thead>
          <tbody>
            {licences.map((licence) => (
              <tr key={licence.id}>
                <th scope="row">
                  <a href={adminLicencePath(licence.id)}>{licence.name}</a>
                  <br />
                  <span class="hint">No. {licence.id}</span>
                </th>
                <td>{licence.productCode}</td>
                <td>{licence.institutionName}</td>
                <td>
                  {licence.owner.displayName} <span class="hint">({licence.owner.crsid})</span>
                </td>
                <td>{sizeText(licence.sizeTb)}</td>
                <td>{licence.endDate ? <Day date={licence.endDate} /> : 'Not set up'}</td>
                <td>
                  {LICENCE_STATUS_WORDS[licence.status].label}
                  {licence.locked ? (
                    <>
                      {' '}
                      <strong class="tag tag--red">Locked</strong>
                    </>
                  ) : null}
                  {licence.flags.map((kind) => (
                    <span key={kind}>
                      {' '}
                      <strong class="tag tag--red">{FLAG_LABELS[kind]}</strong>
                    </span>
                  ))}
                </td>
              </tr>
            ))}
          </tbody>
        </DataTable>
      )}
      <Pagination
        page={page}
        total={total}
        what="licences"
        href={(to) => listHref(LICENCES_SECTION, filterQuery(filters, to))}
      />
    </AdminPage>
  );
}

function Person({ person }: { person: PersonSummary }) {
  return (
    <>
      <a href={`/admin/people/${person.crsid}/`}>{person.displayName}</a> <span class="hint">({person.crsid})</span>
    </>
  );
}

export type LicenceForm = 'edit' | 'lock' | 'unlock' | 'confirm-deletion' | 'finance-code';

export function AdminLicencePage({
  context,
  licence,
  history,
  canManage,
  form,
  flags = [],
  replaceCode = false,
  usage,
  accessChange,
}: {
  context: PageContext;
  licence: AdminLicenceDetail;
  /** With the manual provisioner: the change of its people or projects that waits to be made on the storage's groups. */
  accessChange?: AccessChangeWaiting;
  /** Whether the person may give another finance code for a closed one (mayReplaceClosedCode). */
  replaceCode?: boolean;
  /** Its usage over the last 12 months, as its customers see it. */
  usage?: LicenceUsage;
  history: AuditEvent[];
  canManage: boolean;
  /** Open flags: a closed finance code, a member who has left (finance-recheck.repository.ts). */
  flags?: OpenLicenceFlag[];
  /** A form that failed: which one, its messages and what was typed. */
  form?: { name: LicenceForm; errors: FieldErrors; values: Record<string, string> };
}) {
  const errors = form?.errors ?? {};
  const rows: Array<[string, ComponentChildren]> = [
    ['Number', String(licence.id)],
    ['Product', `${licence.productName} (${licence.productCode})`],
    ['Department', `${licence.institutionName} (${licence.institutionId})`],
    ['Size', sizeText(licence.sizeTb)],
    ['Starts', licence.startDate ? <Day date={licence.startDate} /> : 'When the storage is set up'],
    ['Ends', licence.endDate ? <Day date={licence.endDate} /> : 'Set when the storage is set up'],
    ['Status', LICENCE_STATUS_WORDS[licence.status].label],
    [
      'Data Owner',
      <>
        <Person person={licence.owner} /> {licence.owner.email}
        {licence.owner.status === 'left' ? <strong class="tag tag--red">Has left</strong> : null}
      </>,
    ],
    [
      'Data Managers',
      licence.managers.length === 0 ? (
        'None'
      ) : (
        <ul>
          {licence.managers.map((manager) => (
            <li key={manager.id}>
              <Person person={manager} />
            </li>
          ))}
        </ul>
      ),
    ],
    ['Created', <Instant key="created" at={licence.createdAt} />],
    ...flags.map((flag): [string, ComponentChildren] => [
      'Flag',
      <>
        <strong class="tag tag--red">{FLAG_LABELS[flag.kind]}</strong> since <Day date={flag.raisedOn} />: {flag.detail}
      </>,
    ]),
    [
      'Lock',
      licence.lock ? (
        <>
          <strong class="tag tag--red">Locked</strong> since <Instant at={licence.lock.lockedAt} />
          {licence.lock.lockedBy ? ` by ${licence.lock.lockedBy}` : ''}: {licence.lock.reason}
        </>
      ) : (
        'Not locked'
      ),
    ],
  ];
  const values = form?.name === 'edit' ? form.values : undefined;
  return (
    <AdminPage
      context={context}
      title={titleFor(licence.name, errors)}
      section={LICENCES_SECTION}
      crumbs={[{ label: 'Licences', href: LICENCES_SECTION }]}
    >
      <ErrorSummary errors={errors} />
      <h1>
        {licence.name} <span class="caption">licence {licence.id}</span>
      </h1>
      {licence.lock ? (
        <div class="notice notice--warning">
          <p>
            This licence is locked: neither the service team nor its Data Owner and Data Managers can change it until it
            is unlocked. Reason: {licence.lock.reason}
          </p>
        </div>
      ) : null}
      <SummaryList rows={rows} />
      {replaceCode
        ? flags
            .filter((flag) => flag.kind === 'finance-code-closed')
            .map((flag) => (
              <ReplaceFinanceCodeForm
                key={flag.detail}
                csrfToken={context.csrfToken}
                action={adminLicencePath(licence.id, 'finance-code')}
                detail={flag.detail}
                error={form?.name === 'finance-code' ? errors.financeCode : undefined}
                value={form?.name === 'finance-code' ? form.values.financeCode : undefined}
              />
            ))
        : null}
      <p>
        <a href={`/storage/licence/${licence.id}/`}>See the licence as its customers do</a>
      </p>
      {usage ? <UsageSection usage={usage} sizeTb={licence.sizeTb} /> : null}

      <section aria-labelledby="projects">
        <h2 id="projects">Storage projects</h2>
        <ProjectsTable licence={licence} />
        <ProjectsToMake licence={licence} />
        <AccessChangeToMake licence={licence} waiting={accessChange} />
      </section>

      <section aria-labelledby="orders">
        <h2 id="orders">Orders</h2>
        {licence.orders.length === 0 ? (
          <p>There are no orders for this licence.</p>
        ) : (
          <DataTable id="orders-table" caption="Orders for this licence, newest first" captionClass="visually-hidden">
            <thead>
              <tr>
                <th scope="col">Order</th>
                <th scope="col">Submitted</th>
                <th scope="col">Size</th>
                <th scope="col">Total</th>
                <th scope="col">Status</th>
              </tr>
            </thead>
            <tbody>
              {licence.orders.map((order) => (
                <tr key={order.id}>
                  <th scope="row">
                    <a href={adminOrderPath(order.reference)}>{order.reference}</a>
                    <br />
                    <span class="hint">{order.kind}</span>
                  </th>
                  <td>
                    <Instant at={order.submittedAt} />
                  </td>
                  <td>{sizeText(order.sizeTb)}</td>
                  <td>{formatPence(order.totalPence)}</td>
                  <td>
                    {ORDER_STATUS_WORDS[order.status].label}
                    {order.statusReason ? <span class="hint"> ({order.statusReason})</span> : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </DataTable>
        )}
      </section>

      {canManage ? <ManageForms context={context} licence={licence} form={form} values={values} /> : null}

      <section aria-labelledby="history">
        <h2 id="history">History</h2>
        <AuditTrail events={history} caption="What has happened to this licence, oldest first" />
      </section>
    </AdminPage>
  );
}

/** Projects created in a licence already in use wait to be made on the storage (by hand with the manual provisioner). */
function ProjectsToMake({ licence }: { licence: AdminLicenceDetail }) {
  const waiting = licence.projects.filter((project) => project.status === 'pending').length;
  if (licence.status !== 'active' || waiting === 0) return null;
  return (
    <div class="notice">
      <p>
        {waiting === 1 ? 'One storage project was' : `${waiting} storage projects were`} created after the licence was
        set up and {waiting === 1 ? 'is' : 'are'} waiting to be made on the storage.{' '}
        <a href={`/admin/licences/${licence.id}/projects-made`}>Record what was made</a>
      </p>
    </div>
  );
}

/** A change of the licence's people or projects waits to be made on the storage's groups (the manual provisioner). */
function AccessChangeToMake({ licence, waiting }: { licence: AdminLicenceDetail; waiting?: AccessChangeWaiting }) {
  if (licence.status !== 'active' || !waiting) return null;
  return (
    <div class="notice">
      <p>
        The licence's people or storage projects changed: its storage's groups wait for an access change (since{' '}
        <Instant at={waiting.waitingSince} />
        ). <a href={`/admin/licences/${licence.id}/access-change`}>See what the groups should be</a>
      </p>
    </div>
  );
}

function ProjectsTable({ licence }: { licence: AdminLicenceDetail }) {
  if (licence.projects.length === 0) return <p>This licence has no storage projects.</p>;
  const used = licence.projects
    .filter((project) => project.status !== 'removed')
    .reduce((sum, project) => sum + project.quotaTb, 0);
  return (
    <>
      <p>
        Quotas add up to {sizeText(used)} of the licence's {sizeText(licence.sizeTb)}.
      </p>
      <DataTable id="projects-table" caption="Storage projects of this licence" captionClass="visually-hidden">
        <thead>
          <tr>
            <th scope="col">Project</th>
            <th scope="col">Quota</th>
            <th scope="col">Where</th>
            <th scope="col">Members</th>
            <th scope="col">Status</th>
          </tr>
        </thead>
        <tbody>
          {licence.projects.map((project) => (
            <tr key={project.id}>
              <th scope="row">
                <a href={`/storage/project/${project.id}/`}>{project.name}</a>
              </th>
              <td>{sizeText(project.quotaTb)}</td>
              <td>
                {project.path || project.shareName || project.groupNames.length > 0 ? (
                  <ul>
                    {project.path ? (
                      <li>
                        Path <code>{project.path}</code>
                      </li>
                    ) : null}
                    {project.shareName ? (
                      <li>
                        Share <code>{project.shareName}</code>
                      </li>
                    ) : null}
                    {project.groupNames.length > 0 ? (
                      <li>
                        Groups{' '}
                        {project.groupNames.map((group, index) => (
                          <>
                            {index > 0 ? ', ' : ''}
                            <code key={group}>{group}</code>
                          </>
                        ))}
                      </li>
                    ) : null}
                  </ul>
                ) : (
                  'Not provisioned yet'
                )}
              </td>
              <td>
                {project.members.length === 0 ? (
                  'None'
                ) : (
                  <ul>
                    {project.members.map((member) => (
                      <li key={`${member.id}-${member.role}`}>
                        <Person person={member} />{' '}
                        {member.role === 'project-data-manager' ? 'Project Data Manager' : 'Project Data User'}
                      </li>
                    ))}
                  </ul>
                )}
              </td>
              <td>{project.status}</td>
            </tr>
          ))}
        </tbody>
      </DataTable>
    </>
  );
}

function ManageForms({
  context,
  licence,
  form,
  values,
}: {
  context: PageContext;
  licence: AdminLicenceDetail;
  form?: { name: LicenceForm; errors: FieldErrors; values: Record<string, string> };
  values?: Record<string, string>;
}) {
  const errors = form?.errors ?? {};
  const now: LicenceEditable = {
    sizeTb: licence.sizeTb,
    startDate: licence.startDate,
    endDate: licence.endDate,
    ownerCrsid: licence.owner.crsid,
  };
  const shown = licenceEditFormValues(now, values);
  const asNow = licenceEditValues(now);
  return (
    <>
      <section aria-labelledby="edit-licence">
        <h2 id="edit-licence">Change the licence</h2>
        {licence.lock ? (
          <p>Unlock the licence before changing its size, dates or Data Owner.</p>
        ) : (
          <form method="post" action={adminLicencePath(licence.id, 'edit')} novalidate>
            <CsrfField token={context.csrfToken} />
            {EDITABLE_KEYS.map((key) => (
              <input key={key} type="hidden" name={shownField(key)} value={asNow[key]} />
            ))}
            <TextField
              name="sizeTb"
              label="Size in TB"
              hint={`A whole number, at least the product's minimum of ${sizeText(licence.minimumTb)} and the storage projects' quotas added up`}
              value={shown.sizeTb}
              error={errors.sizeTb}
              inputMode="numeric"
              width="short"
            />
            <TextField
              name="startDate"
              label="Start date"
              hint={DATE_HINT}
              value={shown.startDate}
              error={errors.startDate}
              width="medium"
            />
            <TextField
              name="endDate"
              label="End date"
              hint={`${DATE_HINT}; after the start date`}
              value={shown.endDate}
              error={errors.endDate}
              width="medium"
            />
            <TextField
              name="ownerCrsid"
              label="Data Owner's CRSid"
              hint="A current member of the University"
              value={shown.ownerCrsid}
              error={errors.ownerCrsid}
              width="short"
            />
            <TextField
              name="reason"
              label="Reason for the change"
              hint="Kept in the licence's history, which its Data Owner and Data Managers can read"
              value={values?.reason}
              error={errors.reason}
            />
            <button type="submit">Save changes</button>
          </form>
        )}
      </section>

      {licence.status === 'deletable' && !licence.lock ? (
        <section aria-labelledby="confirm-deletion">
          <h2 id="confirm-deletion">Confirm the deletion</h2>
          <form method="post" action={adminLicencePath(licence.id, 'confirm-deletion')} novalidate>
            <CsrfField token={context.csrfToken} />
            <p>
              The licence ended without a renewal and its data may now be deleted. Nothing is deleted automatically:
              once the data is deleted from the storage, record it here. The licence then shows as deleted.
            </p>
            <TextField
              name="deletionReason"
              label="Reason for the deletion"
              hint="For example, who deleted the data and when; kept in the licence's history"
              value={form?.name === 'confirm-deletion' ? form.values.deletionReason : undefined}
              error={errors.deletionReason}
            />
            <button type="submit" class="button--warning">
              Confirm deletion
            </button>
          </form>
        </section>
      ) : null}

      <section aria-labelledby="lock-licence">
        <h2 id="lock-licence">{licence.lock ? 'Unlock the licence' : 'Lock the licence'}</h2>
        {licence.lock ? (
          <form method="post" action={adminLicencePath(licence.id, 'unlock')} novalidate>
            <CsrfField token={context.csrfToken} />
            <TextField
              name="unlockReason"
              label="Reason for unlocking"
              value={form?.name === 'unlock' ? form.values.unlockReason : undefined}
              error={errors.unlockReason}
            />
            <button type="submit">Unlock</button>
          </form>
        ) : (
          <form method="post" action={adminLicencePath(licence.id, 'lock')} novalidate>
            <CsrfField token={context.csrfToken} />
            <p>
              A locked licence cannot be changed: not from here, and not by its Data Owner or Data Managers (no new
              people or projects, no renewal or more space) until it is unlocked.
            </p>
            <TextField
              name="lockReason"
              label="Reason for locking"
              value={form?.name === 'lock' ? form.values.lockReason : undefined}
              error={errors.lockReason}
            />
            <button type="submit" class="button--warning">
              Lock
            </button>
          </form>
        )}
      </section>
    </>
  );
}
