import { UNIVERSITY_TIME_ZONE } from '../../platform/clock.ts';
import type { ProvisionedDetails } from '../../platform/provisioner/provisioner.ts';
import { CsrfField, ErrorSummary, type FieldErrors, SummaryList } from '../../platform/web/components.tsx';
import { TextField } from '../../platform/web/form-fields.tsx';
import type { PageContext } from '../../platform/web/layout.tsx';
import { AdminPage } from '../admin/admin.views.tsx';
import { listHref, Pagination } from '../admin/paging.tsx';
import { sizeText } from '../catalogue/sizes.ts';
import { ORDER_STATUS_WORDS } from '../orders/order-status.ts';
import type { OrderDetail } from '../orders/orders.repository.ts';
import { years } from '../orders/purchase.views.tsx';
import type { ServiceCode } from '../people/people.tables.ts';
import type { LicenceProjectsToMake } from './project-provisioning.service.ts';
import type { ProvisioningProject, ProvisioningRun, WaitingProject } from './provisioning.repository.ts';
import { type ProvisioningView, provisioningPath } from './provisioning.service.ts';
import { PROVISIONER_NAMES, projectField, provisioningActions } from './provisioning-rules.ts';

const when = new Intl.DateTimeFormat('en-GB', {
  day: 'numeric',
  month: 'short',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  timeZone: UNIVERSITY_TIME_ZONE,
});

function Instant({ at }: { at: Date }) {
  return <time dateTime={at.toISOString()}>{when.format(at)}</time>;
}

export interface ProvisioningSectionProps {
  context: PageContext;
  order: OrderDetail;
  /** From loadProvisioning(db, order, provisioner). */
  provisioning: ProvisioningView;
  /** Whether this person may change the order (canManageService): Finance reads only. */
  canAct: boolean;
  /** A failed "Mark as provisioned": messages and the answers to put back, keyed by field. */
  errors?: FieldErrors;
  values?: Record<string, string>;
}

/**
 * The provisioning part of the staff order page: where the order stands, what was made, every
 * run with its error (staff only), and the service team's actions: record what was made, start,
 * or retry. Its forms post to /admin/orders/<reference>/provisioning….
 */
export function ProvisioningSection(props: ProvisioningSectionProps) {
  const { order, provisioning, canAct } = props;
  const actions = provisioningActions(order, provisioning);
  const latest = provisioning.runs[0];
  return (
    <section class="provisioning" aria-labelledby="provisioning-title">
      <h2 id="provisioning-title">Provisioning</h2>
      <ProvisioningState order={order} provisioning={provisioning} latest={latest} />
      {order.status === 'completed' ? <MadeTable projects={provisioning.projects} /> : null}
      {canAct && actions.retry ? (
        <form method="post" action={provisioningPath(order.reference, '/retry')}>
          <CsrfField token={props.context.csrfToken} />
          <button type="submit" class="button">
            Retry provisioning
          </button>
        </form>
      ) : null}
      {canAct && actions.start ? (
        <form method="post" action={provisioningPath(order.reference, '/start')}>
          <CsrfField token={props.context.csrfToken} />
          <button type="submit" class="button">
            Start provisioning
          </button>
        </form>
      ) : null}
      {canAct && actions.record ? order.kind === 'new' ? <RecordForm {...props} /> : <DoneForm {...props} /> : null}
      {canAct && order.status === 'provisioning-failed' ? (
        <p>
          If it cannot be done (the change no longer applies to the licence), give up on it:{' '}
          <a href={`/orders/${order.reference}/cancel`}>cancel order {order.reference}</a>.
        </p>
      ) : null}
      {!canAct && (actions.record || actions.start || actions.retry) ? (
        <p>Only the {order.product.serviceName} team can provision this order.</p>
      ) : null}
      {provisioning.runs.length > 0 ? <RunsTable runs={provisioning.runs} /> : null}
    </section>
  );
}

function ProvisioningState({
  order,
  provisioning,
  latest,
}: {
  order: OrderDetail;
  provisioning: ProvisioningView;
  latest: ProvisioningRun | undefined;
}) {
  switch (order.status) {
    case 'submitted':
    case 'awaiting-payment-check':
    case 'awaiting-approval':
      return <p>Provisioning starts once the order is approved.</p>;
    case 'rejected':
    case 'cancelled':
      return <p>This order is {ORDER_STATUS_WORDS[order.status].label.toLowerCase()}: nothing is provisioned.</p>;
    case 'approved':
      if (order.kind !== 'new') return <ChangeToDo order={order} provisioning={provisioning} />;
      return provisioning.automatic ? (
        <p>Approved. The {PROVISIONER_NAMES[provisioning.provisionerKind]} sets the storage up once started.</p>
      ) : (
        <p>
          Approved and waiting to be set up. Make the storage, then record here what you made: the licence becomes
          active today and the people on it are emailed.
        </p>
      );
    case 'provisioning':
      return (
        <p>
          <strong class="tag">Being set up</strong> by the {PROVISIONER_NAMES[latest?.provisioner ?? 'manual']}
          {latest ? (
            <>
              {' '}
              (run {latest.id}, started <Instant at={latest.startedAt} />)
            </>
          ) : null}
          . This page shows the outcome when it finishes.
        </p>
      );
    case 'provisioning-failed':
      return (
        <div class="notice notice--warning">
          <p>
            <strong class="tag tag--red">Provisioning failed</strong> The customer sees “
            {ORDER_STATUS_WORDS['provisioning-failed'].label}”, never the error.
          </p>
          {latest?.error ? (
            <p>
              Error (run {latest.id}): {latest.error}
            </p>
          ) : null}
          {latest?.details ? (
            <p>
              {latest.undone
                ? `What it had made was undone: ${describe(latest.undone)}.`
                : `What it had made was not undone: ${describe(latest.details)}.`}
            </p>
          ) : null}
        </div>
      );
    case 'completed':
      return (
        <p>
          <strong class="tag tag--green">{order.kind === 'new' ? 'Provisioned' : 'Done'}</strong>
          {latest?.finishedAt ? (
            <>
              {' '}
              <Instant at={latest.finishedAt} />, {PROVISIONER_NAMES[latest.provisioner]}
              {latest.startedBy ? ` (${latest.startedBy.displayName})` : ''}.
            </>
          ) : null}
        </p>
      );
  }
}

const CHANGE_NAMES: Record<string, string> = {
  increase: 'an increase in size',
  renewal: 'a renewal',
  recovery: 'a recovery from the cold store',
  cancellation: 'a cancellation',
};

/** An approved change order: what the storage needs, or why the licence no longer allows the change. */
function ChangeToDo({ order, provisioning }: { order: OrderDetail; provisioning: ProvisioningView }) {
  const change = provisioning.change;
  if (change && 'problem' in change) {
    return (
      <div class="notice notice--warning">
        <p>
          <strong class="tag tag--red">Cannot be completed</strong> {change.problem}
        </p>
      </div>
    );
  }
  return (
    <p>
      Approved: {CHANGE_NAMES[order.kind] ?? order.kind}.{' '}
      {provisioning.automatic
        ? `The ${PROVISIONER_NAMES[provisioning.provisionerKind]} is sent the change once started.`
        : change?.instructions}
    </p>
  );
}

/** "Mark as done" for a change order: nothing to type, the change is applied to the licence. */
function DoneForm({ context, order, provisioning }: ProvisioningSectionProps) {
  const change = provisioning.change;
  if (change && 'problem' in change) return null;
  return (
    <form method="post" action={provisioningPath(order.reference)}>
      <CsrfField token={context.csrfToken} />
      {order.status === 'provisioning-failed' && change ? <p>{change.instructions}</p> : null}
      <p>
        Once the storage is changed, the order becomes done, the licence is changed, and the Data Owner, the Data
        Managers and the buyer are emailed what changed.
      </p>
      <button type="submit" class="button">
        Mark as done
      </button>
    </form>
  );
}

function describe(details: ProvisionedDetails): string {
  return (
    details.projects
      .map((project) =>
        [project.path, project.shareName ? `share ${project.shareName}` : '', ...project.groups]
          .filter(Boolean)
          .join(', '),
      )
      .join('; ') || 'nothing'
  );
}

function MadeTable({ projects }: { projects: ProvisioningProject[] }) {
  return (
    <table>
      <caption>What was made</caption>
      <thead>
        <tr>
          <th scope="col">Storage project</th>
          <th scope="col">Path</th>
          <th scope="col">Share</th>
          <th scope="col">Groups</th>
          <th scope="col">Quota</th>
        </tr>
      </thead>
      <tbody>
        {projects.map((project) => (
          <tr key={project.id}>
            <th scope="row">{project.name}</th>
            <td>
              <code>{project.path ?? '—'}</code>
            </td>
            <td>{project.shareName ?? '—'}</td>
            <td>{project.groups.length > 0 ? project.groups.join(', ') : '—'}</td>
            <td>{sizeText(project.quotaTb)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function RecordForm({ context, order, provisioning, errors = {}, values = {} }: ProvisioningSectionProps) {
  const pending = provisioning.projects.filter((project) => project.status === 'pending');
  return (
    <form method="post" action={provisioningPath(order.reference)} novalidate>
      <CsrfField token={context.csrfToken} />
      <h3>{order.status === 'provisioning-failed' ? 'Or record what you made by hand' : 'Record what you made'}</h3>
      <ProjectFieldsets projects={pending} licenceSizeTb={order.sizeTb} errors={errors} values={values} />
      <p>
        The order becomes done, the licence active from today for {years(order.termYears)}, and the Data Owner, the Data
        Managers and the buyer are emailed the paths.
      </p>
      <button type="submit" class="button">
        Mark as provisioned
      </button>
    </form>
  );
}

/** For each storage project to be made, where it lives, its share, its groups and its quota. */
export function ProjectFieldsets({
  projects,
  licenceSizeTb,
  errors,
  values,
}: {
  projects: ProvisioningProject[];
  licenceSizeTb: number;
  errors: FieldErrors;
  values: Record<string, string>;
}) {
  return (
    <>
      {projects.map((project) => {
        const field = (name: 'path' | 'shareName' | 'groups' | 'quotaTb') => projectField(project.id, name);
        return (
          <fieldset key={project.id}>
            <legend>Storage project {project.name}</legend>
            <TextField
              name={field('path')}
              label="Path"
              hint="Where the storage is, in full, such as /rds/project/name or \\server\share."
              error={errors[field('path')]}
              value={values[field('path')]}
            />
            <TextField
              name={field('shareName')}
              label="Share name (optional)"
              error={errors[field('shareName')]}
              value={values[field('shareName')]}
              width="medium"
            />
            <TextField
              name={field('groups')}
              label="Group names"
              hint="The directory groups made for it, separated by commas."
              error={errors[field('groups')]}
              value={values[field('groups')]}
            />
            <TextField
              name={field('quotaTb')}
              label="Quota in TB"
              hint={`The licence is ${sizeText(licenceSizeTb)}.`}
              error={errors[field('quotaTb')]}
              value={values[field('quotaTb')] ?? String(project.quotaTb)}
              inputMode="numeric"
              width="short"
            />
          </fieldset>
        );
      })}
    </>
  );
}

function RunsTable({ runs }: { runs: ProvisioningRun[] }) {
  return (
    <table>
      <caption>Provisioning runs, newest first</caption>
      <thead>
        <tr>
          <th scope="col">Run</th>
          <th scope="col">How</th>
          <th scope="col">Started</th>
          <th scope="col">Finished</th>
          <th scope="col">Outcome</th>
          <th scope="col">Error</th>
        </tr>
      </thead>
      <tbody>
        {runs.map((run) => (
          <tr key={run.id}>
            <th scope="row">{run.id}</th>
            <td>
              {PROVISIONER_NAMES[run.provisioner]}
              {run.startedBy ? ` (${run.startedBy.crsid})` : ''}
            </td>
            <td>
              <Instant at={run.startedAt} />
            </td>
            <td>{run.finishedAt ? <Instant at={run.finishedAt} /> : '—'}</td>
            <td>{RUN_OUTCOMES[run.outcome]}</td>
            <td>{run.error ?? '—'}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

const RUN_OUTCOMES = { running: 'Running', succeeded: 'Succeeded', failed: 'Failed' } as const;

/** The provisioning section on a page of its own, for when the staff order page does not show it. */
export function ProvisioningPage(props: ProvisioningSectionProps) {
  const { context, order, errors } = props;
  const failed = Boolean(errors && Object.values(errors).some(Boolean));
  const title = `Provisioning order ${order.reference}`;
  return (
    <AdminPage
      context={context}
      title={failed ? `Error: ${title}` : title}
      section="/admin/orders/"
      crumbs={[
        { label: 'Orders', href: '/admin/orders/' },
        { label: `Order ${order.reference}`, href: `/admin/orders/${order.reference}/` },
      ]}
    >
      <ErrorSummary errors={errors ?? {}} />
      <h1>
        <span class="caption">{order.product.name}</span> Provisioning order {order.reference}
      </h1>
      <SummaryList
        rows={[
          ['Status', ORDER_STATUS_WORDS[order.status].label],
          ['Licence', order.licence.name],
          ['Size and term', `${sizeText(order.sizeTb)} for ${years(order.termYears)}`],
          ['Department', order.institution.name],
          ['Data Owner', `${order.licence.owner.displayName} (${order.licence.owner.crsid})`],
          ['Ordered by', `${order.buyer.displayName} (${order.buyer.crsid})`],
          ['Submitted', <Instant at={order.submittedAt} key="submitted" />],
        ]}
      />
      <ProvisioningSection {...props} />
    </AdminPage>
  );
}

/** The staff page's path for recording what was made of an active licence's new storage projects. */
export const projectsMadePath = (licenceId: number): string => `/admin/licences/${licenceId}/projects-made`;

/**
 * Storage projects created in a licence already in use, waiting to be made on the storage: with
 * the manual provisioner, a person of the service team makes them and records here what they made.
 */
export function ProjectsMadePage({
  context,
  toMake,
  canAct,
  errors = {},
  values = {},
}: {
  context: PageContext;
  toMake: LicenceProjectsToMake;
  canAct: boolean;
  errors?: FieldErrors;
  values?: Record<string, string>;
}) {
  const { licence, projects } = toMake;
  const failed = Object.values(errors).some(Boolean);
  const title = `New storage projects of ${licence.name}`;
  return (
    <AdminPage
      context={context}
      title={failed ? `Error: ${title}` : title}
      section="/admin/licences/"
      crumbs={[
        { label: 'Licences', href: '/admin/licences/' },
        { label: licence.name, href: `/admin/licences/${licence.id}/` },
      ]}
    >
      <ErrorSummary errors={errors} />
      <h1>
        <span class="caption">Licence {licence.id}</span> {title}
      </h1>
      {projects.length === 0 ? (
        <p>No storage project of this licence is waiting to be made.</p>
      ) : canAct ? (
        <form method="post" action={projectsMadePath(licence.id)} novalidate>
          <CsrfField token={context.csrfToken} />
          <p>
            These storage projects were created after the licence was set up. Make them on the storage, then record here
            what you made: each becomes active with its path.
          </p>
          <ProjectFieldsets projects={projects} licenceSizeTb={licence.sizeTb} errors={errors} values={values} />
          <button type="submit" class="button">
            Mark as made
          </button>
        </form>
      ) : (
        <p>
          {projects.length === 1 ? 'One storage project is' : `${projects.length} storage projects are`} waiting to be
          made by the storage team.
        </p>
      )}
    </AdminPage>
  );
}

export const PROJECTS_WAITING_PATH = '/admin/projects-waiting/';

/**
 * Back office: the storage projects created in licences already in use and not made yet, oldest
 * first, across the licences of the services the person sees; each links to its licence's page
 * and, for its service's team, to where what was made is recorded.
 */
export function ProjectsWaitingPage({
  context,
  projects,
  total,
  page,
  canAct,
}: {
  context: PageContext;
  projects: WaitingProject[];
  total: number;
  page: number;
  /** Whether the person may record what was made of a project of this service. */
  canAct: (service: ServiceCode) => boolean;
}) {
  return (
    <AdminPage context={context} title="Storage projects to make" section={PROJECTS_WAITING_PATH}>
      <h1>Storage projects to make</h1>
      <p>
        Projects created in a licence already in use wait here until the storage is made and what was made is recorded
        on the licence.
      </p>
      {total === 0 ? (
        <p>No storage projects are waiting to be made.</p>
      ) : projects.length === 0 ? null : (
        <table>
          <caption>Storage projects waiting to be made, oldest first</caption>
          <thead>
            <tr>
              <th scope="col">Project</th>
              <th scope="col">Licence</th>
              <th scope="col">Quota</th>
              <th scope="col">Created</th>
              <th scope="col">
                <span class="visually-hidden">Action</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {projects.map((project) => (
              <tr key={project.id}>
                <th scope="row">{project.name}</th>
                <td>
                  <a href={`/admin/licences/${project.licenceId}/`}>{project.licenceName}</a>
                </td>
                <td>{sizeText(project.quotaTb)}</td>
                <td>
                  <Instant at={project.createdAt} />
                </td>
                <td>
                  {canAct(project.service) ? (
                    <a href={projectsMadePath(project.licenceId)}>
                      Record what was made<span class="visually-hidden"> of {project.name}</span>
                    </a>
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <Pagination
        page={page}
        total={total}
        what="projects"
        href={(to) => listHref(PROJECTS_WAITING_PATH, { page: to })}
      />
    </AdminPage>
  );
}
