import type { GroupSyncRequest } from '../../platform/provisioner/provisioner.ts';
import { CsrfField, SummaryList } from '../../platform/web/components.tsx';
import type { PageContext } from '../../platform/web/layout.tsx';
import { AdminPage } from '../admin/admin.views.tsx';
import { Instant } from '../admin/manage-views.tsx';
import { listHref, Pagination } from '../admin/paging.tsx';
import { sizeText } from '../catalogue/sizes.ts';
import { PROJECT_ROLE_LABELS } from '../licences/licence-members.ts';
import type { AccessChangeWaiting, WaitingAccessChange } from './access-changes.repository.ts';

export const ACCESS_CHANGES_PATH = '/admin/access-changes/';

/** The staff page of a licence's access change: what its storage groups should now be, and "Mark as done". */
export const accessChangePath = (licenceId: number): string => `/admin/licences/${licenceId}/access-change`;

/**
 * Back office: the licences whose people or storage projects changed since their team last made
 * the storage's groups match (the manual provisioner), oldest first, across the services the
 * person sees; each links to the licence's page and to what its groups should now be.
 */
export function AccessChangesPage({
  context,
  changes,
  total,
  page,
  automatic,
}: {
  context: PageContext;
  changes: WaitingAccessChange[];
  total: number;
  page: number;
  /** Whether an automated provisioner is sent each change (then nothing new waits here). */
  automatic: boolean;
}) {
  return (
    <AdminPage context={context} title="Access changes to make" section={ACCESS_CHANGES_PATH}>
      <h1>Access changes to make</h1>
      <p>
        A licence waits here when its Data Owner, Data Managers, storage projects or project members change, until the
        storage's groups are changed to match and the change is marked as done on the licence.
      </p>
      {automatic ? (
        <p>
          Storage is set up by an automated provisioner here: it is sent each change, so no licence waits for the team.
        </p>
      ) : null}
      {total === 0 ? (
        <p>No licences are waiting for an access change.</p>
      ) : changes.length === 0 ? null : (
        <table>
          <caption>Licences waiting for an access change, oldest first</caption>
          <thead>
            <tr>
              <th scope="col">Licence</th>
              <th scope="col">Waiting since</th>
              <th scope="col">Last changed</th>
              <th scope="col">
                <span class="visually-hidden">Action</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {changes.map((change) => (
              <tr key={change.licenceId}>
                <th scope="row">
                  <a href={`/admin/licences/${change.licenceId}/`}>{change.licenceName}</a>
                </th>
                <td>
                  <Instant at={change.waitingSince} />
                </td>
                <td>
                  <Instant at={change.lastChangedAt} />
                </td>
                <td>
                  <a href={accessChangePath(change.licenceId)}>
                    What the groups should be<span class="visually-hidden"> for {change.licenceName}</span>
                  </a>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <Pagination
        page={page}
        total={total}
        what="licences"
        href={(to) => listHref(ACCESS_CHANGES_PATH, { page: to })}
      />
    </AdminPage>
  );
}

/**
 * A licence's access change: the state its storage's groups should now have (the same that an
 * automated provisioner is sent), and, for its service's team, "Mark as done".
 */
export function AccessChangePage({
  context,
  licence,
  state,
  waiting,
  canAct,
}: {
  context: PageContext;
  licence: { id: number; name: string };
  /** Undefined for a licence that is not active: nothing to match. */
  state: GroupSyncRequest | undefined;
  waiting: AccessChangeWaiting | undefined;
  canAct: boolean;
}) {
  const title = `Access to ${licence.name}`;
  return (
    <AdminPage
      context={context}
      title={title}
      section={ACCESS_CHANGES_PATH}
      crumbs={[
        { label: 'Licences', href: '/admin/licences/' },
        { label: licence.name, href: `/admin/licences/${licence.id}/` },
      ]}
    >
      <h1>
        <span class="caption">Licence {licence.id}</span> {title}
      </h1>
      {waiting ? (
        <div class="notice">
          <p>
            Waiting for an access change since <Instant at={waiting.waitingSince} /> (last changed{' '}
            <Instant at={waiting.lastChangedAt} />
            ). Make the storage's groups match what follows, then mark the change as done.
          </p>
        </div>
      ) : (
        <p>No access change is waiting for this licence: the storage's groups should already match what follows.</p>
      )}
      {state ? <GroupState state={state} /> : <p>This licence is not in use: it has no groups to match.</p>}
      {waiting && canAct ? (
        <form method="post" action={accessChangePath(licence.id)}>
          <CsrfField token={context.csrfToken} />
          <input type="hidden" name="version" value={String(waiting.version)} />
          <button type="submit" class="button">
            Mark as done
          </button>
        </form>
      ) : null}
    </AdminPage>
  );
}

const roleLabel = (role: keyof typeof PROJECT_ROLE_LABELS) => PROJECT_ROLE_LABELS[role];

function GroupState({ state }: { state: GroupSyncRequest }) {
  const { licence, projects, removedProjects } = state;
  return (
    <>
      <section aria-labelledby="licence-people">
        <h2 id="licence-people">The licence's people and size</h2>
        <SummaryList
          rows={[
            ['Data Owner', licence.owner],
            ['Data Managers', licence.managers.length === 0 ? 'None' : licence.managers.join(', ')],
            ['Size', sizeText(licence.sizeTb)],
          ]}
        />
      </section>
      <section aria-labelledby="live-projects">
        <h2 id="live-projects">Storage projects</h2>
        {projects.length === 0 ? (
          <p>The licence has no storage projects in use.</p>
        ) : (
          projects.map((project) => (
            <table key={project.id}>
              <caption>
                {project.name} ({sizeText(project.quotaTb)}
                {project.status === 'pending' ? ', not made yet' : ''})
              </caption>
              <thead>
                <tr>
                  <th scope="col">Member</th>
                  <th scope="col">Role</th>
                </tr>
              </thead>
              <tbody>
                {project.members.length === 0 ? (
                  <tr>
                    <td colSpan={2}>No members besides the Data Owner and Data Managers.</td>
                  </tr>
                ) : (
                  project.members.map((member) => (
                    <tr key={member.crsid}>
                      <th scope="row">{member.crsid}</th>
                      <td>{roleLabel(member.role)}</td>
                    </tr>
                  ))
                )}
              </tbody>
            </table>
          ))
        )}
      </section>
      <section aria-labelledby="removed-projects">
        <h2 id="removed-projects">Removed storage projects</h2>
        {removedProjects.length === 0 ? (
          <p>No storage project has been removed from this licence.</p>
        ) : (
          <>
            <p>Nobody may use these any more: take away every access to their folders.</p>
            <ul>
              {removedProjects.map((project) => (
                <li key={project.id}>
                  {project.name}: {project.path ?? 'never made'}
                </li>
              ))}
            </ul>
          </>
        )}
      </section>
    </>
  );
}
