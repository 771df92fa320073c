import type { PageContext } from '../../platform/web/layout.tsx';
import type { LicenceFlagKind } from '../lifecycle/lifecycle.tables.ts';
import { ageInDays, describeAge, NEEDS_ACTION_STATUSES, STAFF_STATUS_LABELS } from '../orders/order-queue.ts';
import type { ServiceWorkload } from '../orders/orders.admin.repository.ts';
import { AdminPage } from './admin.views.tsx';

/**
 * What each needs-action status asks of the team, beside its count, where its label does not say
 * it already ("Approved, to provision").
 */
const NEXT_STEP: Partial<Record<(typeof NEEDS_ACTION_STATUSES)[number], string>> = {
  'awaiting-payment-check': 'finance code not yet checked, or refused',
  'awaiting-approval': 'to approve or reject',
  'provisioning-failed': 'to fix and retry',
};

const queueLink = (service: string, status?: string) =>
  `/admin/orders/?${new URLSearchParams(status ? { service, status } : { service }).toString()}`;

/** The back-office home: for each service the person works on, what waits for the team and since when. */
export function AdminHomePage({
  context,
  workloads,
  dueForDeletion,
  flagged = new Map(),
  accessChanges,
  now,
}: {
  context: PageContext;
  workloads: ServiceWorkload[];
  /** Licences due for deletion, by service: each waits for the team to confirm it. */
  dueForDeletion: ReadonlyMap<string, number>;
  /** Licences with an open flag, by service and kind: each waits for someone to act on it. */
  flagged?: ReadonlyMap<string, ReadonlyMap<LicenceFlagKind, number>>;
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
                        {STAFF_STATUS_LABELS[status]}
                        {NEXT_STEP[status] ? <span class="hint"> ({NEXT_STEP[status]})</span> : null}
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
            <FlaggedLicences counts={flagged.get(workload.service)} serviceName={workload.serviceName} />
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

/** What each kind of flag asks, beside the count of licences with one open. */
const FLAGGED_WORDS: Record<LicenceFlagKind, { one: string; many: string; next: string }> = {
  'finance-code-closed': {
    one: 'licence is paid by a finance code that has closed',
    many: 'licences are paid by a finance code that has closed',
    next: "another code is given on each licence's page, by its Data Owner, a Data Manager or the team",
  },
  'member-left': {
    one: 'licence has someone in a role who has left the University',
    many: 'licences have someone in a role who has left the University',
    next: 'its keepers are asked to hand over or remove them; only the team can replace a Data Owner',
  },
};

/** The licences with an open flag, of each kind, linking to them in the licence list; nothing when none. */
function FlaggedLicences({
  counts,
  serviceName,
}: {
  counts: ReadonlyMap<LicenceFlagKind, number> | undefined;
  serviceName: string;
}) {
  const kinds = (Object.keys(FLAGGED_WORDS) as LicenceFlagKind[]).filter((kind) => (counts?.get(kind) ?? 0) > 0);
  return (
    <>
      {kinds.map((kind) => {
        const count = counts?.get(kind) ?? 0;
        const words = FLAGGED_WORDS[kind];
        return (
          <p key={kind}>
            <a href={`/admin/licences/?${new URLSearchParams({ flag: kind }).toString()}`}>
              {count.toLocaleString('en-GB')} {count === 1 ? words.one : words.many}
              <span class="visually-hidden"> ({serviceName})</span>
            </a>
            : {words.next}.
          </p>
        );
      })}
    </>
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
