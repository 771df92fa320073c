import type { PageContext } from '../../platform/web/layout.tsx';
import { ageInDays, describeAge, NEEDS_ACTION_STATUSES, STAFF_STATUS_LABELS } from '../orders/order-queue.ts';
import type { ServiceWorkload } from '../orders/orders.admin.repository.ts';
import { AdminPage } from './admin.views.tsx';

/** What each needs-action status asks of the team, beside its count. */
const NEXT_STEP = {
  'awaiting-payment-check': 'finance code not yet checked, or refused',
  'awaiting-approval': 'to approve or reject',
  approved: 'to provision',
  'provisioning-failed': 'to fix and retry',
} as const;

const queueLink = (service: string, status?: string) =>
  `/admin/orders/?${new URLSearchParams(status ? { service, status } : { service }).toString()}`;

/** The back-office home: for each service the person works on, what waits for the team and since when. */
export function AdminHomePage({
  context,
  workloads,
  dueForDeletion,
  accessChanges,
  now,
}: {
  context: PageContext;
  workloads: ServiceWorkload[];
  /** Licences due for deletion, by service: each waits for the team to confirm it. */
  dueForDeletion: ReadonlyMap<string, number>;
  /** Licences waiting for an access change made by hand on the storage's groups, by service; undefined with an automated provisioner. */
  accessChanges?: ReadonlyMap<string, number>;
  now: Date;
}) {
  return (
    <AdminPage context={context} title="Back office" section="/admin/">
      <h1>Back office</h1>
      {workloads.map((workload) => {
        const total = workload.waiting.reduce((sum, row) => sum + row.count, 0);
        const oldest = workload.waiting.reduce<Date | undefined>(
          (soonest, row) => (!soonest || row.oldestSubmittedAt < soonest ? row.oldestSubmittedAt : soonest),
          undefined,
        );
        return (
          <section key={workload.service} aria-labelledby={`service-${workload.service}`}>
            <h2 id={`service-${workload.service}`}>{workload.serviceName}</h2>
            {total === 0 ? (
              <p>No orders are waiting for the team.</p>
            ) : (
              <p>
                <a href={queueLink(workload.service)}>
                  {total.toLocaleString('en-GB')} {total === 1 ? 'order needs' : 'orders need'} action
                </a>
                {oldest ? `; the oldest has waited ${describeAge(ageInDays(oldest, now))}.` : '.'}
              </p>
            )}
            <table>
              <caption class="visually-hidden">{workload.serviceName}: orders waiting, by status</caption>
              <thead>
                <tr>
                  <th scope="col">Status</th>
                  <th scope="col">Orders</th>
                  <th scope="col">Oldest waiting</th>
                </tr>
              </thead>
              <tbody>
                {NEEDS_ACTION_STATUSES.map((status) => {
                  const row = workload.waiting.find((waiting) => waiting.status === status);
                  return (
                    <tr key={status}>
                      <th scope="row">
                        {STAFF_STATUS_LABELS[status]} <span class="hint">({NEXT_STEP[status]})</span>
                      </th>
                      <td>
                        {row ? (
                          <a href={queueLink(workload.service, status)}>
                            {row.count.toLocaleString('en-GB')}
                            <span class="visually-hidden">
                              {' '}
                              {workload.serviceName} orders: {STAFF_STATUS_LABELS[status]}
                            </span>
                          </a>
                        ) : (
                          '0'
                        )}
                      </td>
                      <td>{row ? describeAge(ageInDays(row.oldestSubmittedAt, now)) : '—'}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
            <DueForDeletion count={dueForDeletion.get(workload.service) ?? 0} serviceName={workload.serviceName} />
            {accessChanges ? (
              <AccessChangesWaiting
                count={accessChanges.get(workload.service) ?? 0}
                serviceName={workload.serviceName}
              />
            ) : null}
          </section>
        );
      })}
    </AdminPage>
  );
}

/** The licences whose deletion the team has to confirm, linking to them in the licence list. */
function DueForDeletion({ count, serviceName }: { count: number; serviceName: string }) {
  if (count === 0) return <p>No licences are due for deletion.</p>;
  return (
    <p>
      <a href="/admin/licences/?status=deletable">
        {count.toLocaleString('en-GB')} {count === 1 ? 'licence is' : 'licences are'} due for deletion
        <span class="visually-hidden"> ({serviceName})</span>
      </a>
      : each is deleted only when the team confirms it on the licence's page.
    </p>
  );
}

/** The licences whose people or projects changed and wait for the team to change the storage's groups to match. */
function AccessChangesWaiting({ count, serviceName }: { count: number; serviceName: string }) {
  if (count === 0) return <p>No licences are waiting for an access change.</p>;
  return (
    <p>
      <a href="/admin/access-changes/">
        {count.toLocaleString('en-GB')} {count === 1 ? 'licence waits' : 'licences wait'} for an access change
        <span class="visually-hidden"> ({serviceName})</span>
      </a>
      : the storage's groups are to be changed to match its people and projects.
    </p>
  );
}
