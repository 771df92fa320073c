import { CsrfField, ErrorSummary, type FieldErrors } from '../../platform/web/components.tsx';
import { RadioGroup, TextField } from '../../platform/web/form-fields.tsx';
import { type Crumb, Page, type PageContext } from '../../platform/web/layout.tsx';
import { sizeText } from '../catalogue/sizes.ts';
import type { DirectoryPerson } from '../people/people.repository.ts';
import type { ChangeRights, PlaceToRemove } from './licence-members.service.ts';
import { PROJECT_ROLE_LABELS } from './licence-members.ts';
import type { LicenceDetail, PersonSummary, StorageProjectDetail } from './licences.repository.ts';
import type { ProjectRole } from './licences.tables.ts';

/**
 * The forms that change a licence's people and storage projects (licence-members.service.ts),
 * shown only to the people who may use them. Each is an ordinary POST form with its CSRF token:
 * they work without JavaScript; a refused one comes back with the message next to its field.
 */
export interface MembersForm {
  errors: FieldErrors;
  values: Record<string, string>;
}

export const licencePath = (id: number) => `/storage/licence/${id}/`;
export const projectPath = (id: number) => `/storage/project/${id}/`;

/**
 * "Remove …" beside someone with a place: a link to the page that says what removing them does
 * and asks (RemovePlacePage), since the removal emails them and cannot be undone from here.
 */
function RemoveLink({ href, label }: { href: string; label: string }) {
  return (
    <a href={href} class="button button--secondary button--small">
      {label}
    </a>
  );
}

/** On the licence page: its Data Managers with add and remove, and the way to hand it over. */
export function LicenceManagersSection({
  context,
  licence,
  rights,
  form,
}: {
  context: PageContext;
  licence: LicenceDetail;
  rights: ChangeRights;
  form?: MembersForm;
}) {
  if (rights.problem) return <p class="notice">{rights.problem}</p>;
  if (!rights.managers && !rights.handOver) return null;
  return (
    <section aria-labelledby="change-managers">
      <h2 id="change-managers">Data Managers</h2>
      {licence.managers.length === 0 ? (
        <p>This licence has no Data Managers.</p>
      ) : (
        <ul class="people-list">
          {licence.managers.map((manager: PersonSummary) => (
            <li key={manager.id}>
              {manager.displayName} ({manager.crsid}){' '}
              {rights.managers ? (
                <RemoveLink
                  href={`${licencePath(licence.id)}managers/remove?${new URLSearchParams({ crsid: manager.crsid })}`}
                  label={`Remove ${manager.displayName}`}
                />
              ) : null}
            </li>
          ))}
        </ul>
      )}
      {rights.managers ? (
        <form method="post" action={`${licencePath(licence.id)}managers`} novalidate>
          <CsrfField token={context.csrfToken} />
          <TextField
            name="managerCrsid"
            label="Add a Data Manager"
            hint="Their CRSid, like ab123. They can then change the licence's Data Managers and storage projects."
            value={form?.values.managerCrsid}
            error={form?.errors.managerCrsid}
            width="short"
            autocomplete="off"
          />
          <button type="submit">Add Data Manager</button>
        </form>
      ) : null}
      {rights.handOver ? (
        <p>
          <a href={`${licencePath(licence.id)}owner`}>Hand over ownership</a> of this licence to someone else.
        </p>
      ) : null}
    </section>
  );
}

/** Inside the licence page's "Storage projects": a new project's name and quota. */
export function CreateProjectForm({
  context,
  licence,
  rights,
  form,
}: {
  context: PageContext;
  licence: LicenceDetail;
  rights: ChangeRights;
  form?: MembersForm;
}) {
  if (!rights.projects) return null;
  const given = licence.projects.filter((p) => p.status !== 'removed').reduce((sum, p) => sum + p.quotaTb, 0);
  return (
    <form method="post" action={`${licencePath(licence.id)}projects`} novalidate>
      <h3>Create a project</h3>
      <p class="hint">
        {licence.sizeTb - given > 0
          ? `${sizeText(licence.sizeTb - given)} of the licence's ${sizeText(licence.sizeTb)} is not given to a project yet.`
          : `All ${sizeText(licence.sizeTb)} of the licence is given to its projects: make one smaller first.`}
      </p>
      <CsrfField token={context.csrfToken} />
      <TextField
        name="projectName"
        label="Project name"
        hint="Up to 40 letters, numbers, hyphens and underscores"
        value={form?.values.projectName}
        error={form?.errors.projectName}
        width="medium"
      />
      <TextField
        name="projectQuotaTb"
        label="Quota (TB)"
        value={form?.values.projectQuotaTb}
        error={form?.errors.projectQuotaTb}
        inputMode="numeric"
        width="short"
      />
      <button type="submit">Create project</button>
    </form>
  );
}

/** On the project page: its name, quota and members, and the way to remove it, for the people who may change them. */
export function ProjectChangesSection({
  context,
  project,
  rights,
  canResize,
  maxQuotaTb,
  form,
}: {
  context: PageContext;
  project: StorageProjectDetail;
  rights: ChangeRights;
  /** Rename, resize and remove: the licence's Data Owner and Data Managers (and its service's team). */
  canResize: boolean;
  /** The most its quota can be: what the licence's other projects leave of its size. */
  maxQuotaTb?: number;
  form?: MembersForm;
}) {
  if (project.status === 'removed') return null;
  if (rights.problem) return <p class="notice">{rights.problem}</p>;
  if (!rights.projectMembers && !canResize) return null;
  const base = projectPath(project.id);
  return (
    <section aria-labelledby="change-project">
      <h2 id="change-project">Change this project</h2>
      {canResize ? (
        <>
          <form method="post" action={`${base}name`} novalidate>
            <CsrfField token={context.csrfToken} />
            <TextField
              name="projectName"
              label="Project name"
              hint="Up to 40 letters, numbers, hyphens and underscores; its members are emailed the new name"
              value={form?.values.projectName ?? project.name}
              error={form?.errors.projectName}
              width="medium"
            />
            <button type="submit">Rename project</button>
          </form>
          <form method="post" action={`${base}quota`} novalidate>
            <CsrfField token={context.csrfToken} />
            <TextField
              name="quotaTb"
              label="Quota (TB)"
              hint={
                maxQuotaTb === undefined
                  ? "A whole number of TB, at least the data it holds; the projects' quotas together must fit in the licence"
                  : `A whole number of TB, at least the data it holds and at most ${sizeText(maxQuotaTb)}: what the licence's other projects leave of its size`
              }
              value={form?.values.quotaTb ?? String(project.quotaTb)}
              error={form?.errors.quotaTb}
              inputMode="numeric"
              width="short"
            />
            <button type="submit">Change quota</button>
          </form>
        </>
      ) : null}
      {rights.projectMembers ? (
        <>
          <h3>Members</h3>
          {project.members.length === 0 ? (
            <p>This project has no members yet.</p>
          ) : (
            <ul class="people-list">
              {project.members.map((member) => (
                <li key={`${member.id}-${member.role}`}>
                  {member.displayName} ({member.crsid}), {PROJECT_ROLE_LABELS[member.role]}{' '}
                  <RemoveLink
                    href={`${base}members/remove?${new URLSearchParams({ crsid: member.crsid, role: member.role })}`}
                    label={`Remove ${member.displayName} as ${PROJECT_ROLE_LABELS[member.role]}`}
                  />
                </li>
              ))}
            </ul>
          )}
          <form method="post" action={`${base}members`} novalidate>
            <CsrfField token={context.csrfToken} />
            <TextField
              name="memberCrsid"
              label="Add a member"
              hint="Their CRSid, like ab123"
              value={form?.values.memberCrsid}
              error={form?.errors.memberCrsid}
              width="short"
              autocomplete="off"
            />
            <RadioGroup
              name="memberRole"
              label="Role"
              value={form?.values.memberRole}
              error={form?.errors.memberRole}
              options={[
                {
                  value: 'project-data-manager',
                  label: 'Project Data Manager',
                  hint: 'Decides who may use this project',
                },
                { value: 'project-data-user', label: 'Project Data User', hint: 'Reads and writes its data' },
              ]}
            />
            <button type="submit">Add member</button>
          </form>
        </>
      ) : null}
      {canResize ? (
        <>
          <h3>Remove this project</h3>
          <p>
            If this project is no longer needed, or was made by mistake, remove it: its {sizeText(project.quotaTb)} go
            back to the licence for its other projects. <a href={`${base}remove`}>Remove this project</a>
          </p>
        </>
      ) : null}
    </section>
  );
}

const peopleWords = (count: number) => (count === 1 ? '1 person' : `${count} people`);

const namesOf = (people: readonly { displayName: string }[]) => {
  const names = people.map((person) => person.displayName);
  return names.length <= 1 ? (names[0] ?? '') : `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;
};

/**
 * Which of a removed project's people its email reaches: those `emailed`, not those who have left
 * the University, nor the person removing it.
 */
function whoIsEmailed(
  people: readonly { id: number; displayName: string }[],
  emailed: readonly number[],
  removerId: number,
): string {
  const told = people.filter((person) => emailed.includes(person.id));
  const leavers = people.filter((person) => !emailed.includes(person.id) && person.id !== removerId);
  const why = [
    leavers.length > 0 ? `${namesOf(leavers)} ${leavers.length === 1 ? 'has' : 'have'} left the University` : '',
    people.some((person) => person.id === removerId) ? 'you are removing it' : '',
  ]
    .filter(Boolean)
    .join(', and ');
  if (told.length === people.length) return people.length === 1 ? 'They are emailed.' : 'They are all emailed.';
  if (told.length === 0) return `Nobody is emailed: ${why}.`;
  return `${namesOf(told)} ${told.length === 1 ? 'is' : 'are'} emailed; not the others: ${why}.`;
}

/**
 * The confirmation step of removing a storage project: what happens (its people lose access to
 * its folder on the storage, its TB return to the licence's free space, it stays in the history).
 */
export function RemoveProjectPage({
  context,
  project,
  licenceFreeTbAfter,
  emailed,
  removerId,
}: {
  context: PageContext;
  project: StorageProjectDetail;
  /** The licence's TB not given to a project once this one is removed. */
  licenceFreeTbAfter: number;
  /** The ids of its members the removal emails (projectMembersToTell: not leavers, not the remover). */
  emailed: readonly number[];
  /** Who is removing it: a member, they are not emailed. */
  removerId: number;
}) {
  const crumbs: Crumb[] = [
    { label: 'Home', href: '/' },
    { label: 'My storage', href: '/storage/' },
    { label: project.licence.name, href: licencePath(project.licence.id) },
    { label: project.name, href: projectPath(project.id) },
  ];
  const people = project.members.filter(
    (member, index, all) => all.findIndex((other) => other.id === member.id) === index,
  );
  return (
    <Page
      context={context}
      title={`Remove the storage project ${project.name}`}
      documentTitle={`Remove the storage project ${project.name} of “${project.licence.name}”`}
      crumbs={crumbs}
    >
      <h1>Remove the storage project {project.name}?</h1>
      <form method="post" action={`${projectPath(project.id)}remove`}>
        <CsrfField token={context.csrfToken} />
        <input type="hidden" name="confirm" value="yes" />
        <ul>
          <li>
            {project.status === 'pending'
              ? 'It has not been set up on the storage yet, and it will not be'
              : `Nobody will have access to its folder on the storage${project.path ? ` (${project.path})` : ''} any more`}
            {people.length === 0
              ? '.'
              : `: its ${peopleWords(people.length)} (${people.map((member) => member.displayName).join(', ')}) ${people.length === 1 ? 'loses' : 'lose'} ${project.status === 'pending' ? 'their place in it' : 'theirs'}. ${whoIsEmailed(people, emailed, removerId)}`}
          </li>
          <li>
            Its {sizeText(project.quotaTb)} {project.quotaTb === 1 ? 'returns' : 'return'} to the licence:{' '}
            {sizeText(licenceFreeTbAfter)} will then be free for its other storage projects.
          </li>
          <li>
            It stays in the licence's history as removed, and cannot be used again; its name may be given to a new
            project.
          </li>
        </ul>
        <p>Copy anything you need from it first.</p>
        <div class="button-group">
          <button type="submit" class="button--warning">
            Remove {project.name}
          </button>
          <a href={projectPath(project.id)} class="button button--secondary">
            Cancel
          </a>
        </div>
      </form>
    </Page>
  );
}

/**
 * The question before someone's place is taken away (removeDataManager, removeProjectMember):
 * what they lose, whether they still see the licence, and whether they are emailed. Its button
 * sends the removal; "No" goes back to the page the removal was asked from.
 */
export function RemovePlacePage({
  context,
  licence,
  project,
  role,
  removal,
  self,
}: {
  context: PageContext;
  licence: { id: number; name: string };
  /** The project, and the role in it, for a project member; none for a Data Manager. */
  project?: { id: number; name: string; status: 'pending' | 'active' | 'removed' };
  role?: ProjectRole;
  removal: PlaceToRemove;
  /** The person is removing themselves. */
  self: boolean;
}) {
  const who = removal.person;
  const roleName = project && role ? PROJECT_ROLE_LABELS[role] : 'Data Manager';
  const back = project ? projectPath(project.id) : licencePath(licence.id);
  const action = project ? `${back}members/remove` : `${back}managers/remove`;
  const title = `Remove ${self ? 'yourself' : who.displayName} as a${/^[AEIOU]/.test(roleName) ? 'n' : ''} ${roleName}`;
  const crumbs: Crumb[] = [
    { label: 'Home', href: '/' },
    { label: 'My storage', href: '/storage/' },
    { label: licence.name, href: licencePath(licence.id) },
    ...(project ? [{ label: project.name, href: projectPath(project.id) }] : []),
  ];
  const subject = self ? 'You' : `${who.displayName} (${who.crsid})`;
  const they = self ? 'you' : 'they';
  const lost = project
    ? `${subject} will no longer be a ${roleName} of the storage project ${project.name}: ${
        project.status === 'pending'
          ? `it has not been set up on the storage yet, and ${they} will not have access to it through that role when it is.`
          : `${they} will no longer have access to its folder on the storage through that role.`
      }`
    : `${subject} will no longer be a Data Manager of this licence: ${they} will not be able to change its Data Managers or storage projects.`;
  const still = removal.keepsAPlace
    ? project
      ? `${self ? 'You keep your' : `${who.displayName} keeps their`} other places on the licence.`
      : `${self ? 'You keep your' : `${who.displayName} keeps their`} places in its storage projects.`
    : `${self ? 'You' : 'They'} will no longer see the licence, having no other place on it.`;
  const told = self
    ? ''
    : removal.emailed
      ? 'They will be emailed to say so.'
      : `They are not emailed: ${who.displayName} has left the University.`;
  const whoAdds = project
    ? 'the Data Owner, a Data Manager or a Project Data Manager'
    : 'the Data Owner or a Data Manager';
  const again = `This cannot be undone: to give ${self ? 'you' : 'them'} the place back, ${whoAdds} must add ${self ? 'you' : 'them'} again.`;
  return (
    <Page
      context={context}
      title={title}
      documentTitle={`${title} of “${project ? project.name : licence.name}”`}
      crumbs={crumbs}
    >
      <h1>{title}?</h1>
      <ul>
        <li>{lost}</li>
        <li>{still}</li>
        {told ? <li>{told}</li> : null}
      </ul>
      <p>{again}</p>
      <form method="post" action={action}>
        <CsrfField token={context.csrfToken} />
        <input type="hidden" name="crsid" value={who.crsid} />
        {role ? <input type="hidden" name="role" value={role} /> : null}
        <div class="button-group">
          <button type="submit" class="button button--warning">
            {self ? 'Yes, remove me' : `Yes, remove ${who.displayName}`}
          </button>
          <a href={back}>{self ? 'No, stay' : 'No, keep them'}</a>
        </div>
      </form>
    </Page>
  );
}

/** Hand over ownership: first the new owner's CRSid, then a confirmation naming them. */
export function HandOverPage({
  context,
  licence,
  form,
  confirming,
  ownerLeft = false,
}: {
  context: PageContext;
  licence: LicenceDetail;
  form?: MembersForm;
  confirming?: DirectoryPerson;
  /** The current Data Owner has left the University (so does not stay on, and is not emailed). */
  ownerLeft?: boolean;
}) {
  const failed = form && Object.values(form.errors).some(Boolean);
  const crumbs: Crumb[] = [
    { label: 'Home', href: '/' },
    { label: 'My storage', href: '/storage/' },
    { label: licence.name, href: licencePath(licence.id) },
  ];
  const action = `${licencePath(licence.id)}owner`;
  return (
    <Page
      context={context}
      // The confirmation is a step of its own, and its title says so (the heading stays the same).
      title={confirming ? 'Confirm the new Data Owner' : `${failed ? 'Error: ' : ''}Hand over ownership`}
      documentTitle={
        confirming
          ? `Confirm the new Data Owner of “${licence.name}”`
          : `${failed ? 'Error: ' : ''}Hand over ownership of “${licence.name}”`
      }
      crumbs={crumbs}
    >
      {form ? <ErrorSummary errors={form.errors} /> : null}
      <h1>Hand over ownership of {licence.name}</h1>
      {confirming ? (
        <form method="post" action={action}>
          <CsrfField token={context.csrfToken} />
          <input type="hidden" name="crsid" value={confirming.crsid} />
          <input type="hidden" name="confirm" value="yes" />
          <p>
            {confirming.displayName} ({confirming.crsid}) will become the Data Owner of this licence, responsible for it
            and for who may use it. They will be emailed.{' '}
            {licence.roles.includes('data-owner')
              ? 'You will stay on as a Data Manager until they remove you.'
              : ownerLeft
                ? `${licence.owner.displayName} (${licence.owner.crsid}) has left the University, so does not stay on as a Data Manager and is not emailed.`
                : `${licence.owner.displayName} (${licence.owner.crsid}) will stay on as a Data Manager until the new Data Owner removes them, and will be emailed.`}
          </p>
          <div class="button-group">
            <button type="submit" class="button--warning">
              Hand over to {confirming.displayName}
            </button>
            <a href={licencePath(licence.id)} class="button button--secondary">
              Cancel
            </a>
          </div>
        </form>
      ) : (
        <form method="post" action={action} novalidate>
          <CsrfField token={context.csrfToken} />
          <p>
            The Data Owner is responsible for the licence. The current owner is {licence.owner.displayName} (
            {licence.owner.crsid}).
          </p>
          <TextField
            name="crsid"
            label="The new Data Owner's CRSid"
            hint="Like ab123; they must be a current member of the University"
            value={form?.values.crsid}
            error={form?.errors.crsid}
            width="short"
            autocomplete="off"
          />
          <button type="submit">Continue</button>
        </form>
      )}
    </Page>
  );
}
