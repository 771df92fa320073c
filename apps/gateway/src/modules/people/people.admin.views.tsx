import { CsrfField, ErrorSummary, type FieldErrors, SummaryList } from '../../platform/web/components.tsx';
import { RadioGroup, TextField } from '../../platform/web/form-fields.tsx';
import type { PageContext } from '../../platform/web/layout.tsx';
import { AdminPage } from '../admin/admin.views.tsx';
import { Instant, titleFor } from '../admin/manage-views.tsx';
import { listHref, Pagination } from '../admin/paging.tsx';
import { describeRoles, LICENCE_STATUS_WORDS } from '../licences/licence-status.ts';
import type { HeldLicence } from '../licences/licences.admin.repository.ts';
import type { AdminPerson, AdminPersonListing } from './people.admin.repository.ts';
import { STAFF_ROLE_CHOICES, staffRoleWords } from './staff-role-rules.ts';

export const PEOPLE_SECTION = '/admin/people/';
export const adminPersonPath = (crsid: string, rest = ''): string => `/admin/people/${crsid}/${rest}`;

export function AdminPeoplePage({
  context,
  text,
  people,
  total,
  page,
}: {
  context: PageContext;
  text: string;
  people: AdminPersonListing[];
  total: number;
  page: number;
}) {
  return (
    <AdminPage context={context} title="People and roles" section={PEOPLE_SECTION}>
      <h1>People and roles</h1>
      <form method="get" action={PEOPLE_SECTION} class="filters" aria-label="Search people">
        <TextField name="q" label="Search" hint="The start of a CRSid, or part of a name" value={text} width="medium" />
        <button type="submit">Search</button>
      </form>
      {total === 0 ? (
        <p>{text ? 'Nobody matches this search.' : 'There is nobody in the directory yet.'}</p>
      ) : people.length === 0 ? null : (
        <table>
          <caption class="visually-hidden">People, by name</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">CRSid</th>
              <th scope="col">Department or institution</th>
              <th scope="col">Staff roles</th>
            </tr>
          </thead>
          <tbody>
            {people.map((person) => (
              <tr key={person.id}>
                <th scope="row">
                  <a href={adminPersonPath(person.crsid)}>{person.displayName}</a>
                  {person.status === 'left' ? (
                    <>
                      {' '}
                      <span class="tag tag--grey">Left</span>
                    </>
                  ) : null}
                </th>
                <td>{person.crsid}</td>
                <td>{person.institutionName ?? 'None recorded'}</td>
                <td>{person.staffRoles.length === 0 ? 'None' : person.staffRoles.map(staffRoleWords).join(', ')}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <Pagination
        page={page}
        total={total}
        what="people"
        href={(to) => listHref(PEOPLE_SECTION, { q: text, page: to })}
      />
    </AdminPage>
  );
}

export function AdminPersonPage({
  context,
  person,
  viewerId,
  canChangeRoles,
  licences,
  licenceTotal,
  page,
  errors = {},
  values = {},
}: {
  context: PageContext;
  person: AdminPerson;
  viewerId: number;
  canChangeRoles: boolean;
  licences: HeldLicence[];
  licenceTotal: number;
  page: number;
  errors?: FieldErrors;
  values?: Record<string, string>;
}) {
  return (
    <AdminPage
      context={context}
      title={titleFor(person.displayName, errors)}
      section={PEOPLE_SECTION}
      crumbs={[{ label: 'People and roles', href: PEOPLE_SECTION }]}
    >
      <ErrorSummary errors={errors} />
      <h1>
        {person.displayName} <span class="caption">{person.crsid}</span>
      </h1>
      <SummaryList
        rows={[
          ['CRSid', person.crsid],
          ['Email', person.email],
          ['Department or institution', person.institutionName ?? 'None recorded'],
          ['In the directory', person.status === 'current' ? 'Current' : 'Has left the University'],
        ]}
      />

      <section aria-labelledby="staff-roles">
        <h2 id="staff-roles">Staff roles</h2>
        {canChangeRoles ? null : <p>Only superusers can grant and remove staff roles.</p>}
        {person.staffRoles.length === 0 ? (
          <p>{person.displayName} has no staff roles: a customer only.</p>
        ) : (
          <table>
            <caption class="visually-hidden">Staff roles of {person.displayName}</caption>
            <thead>
              <tr>
                <th scope="col">Role</th>
                <th scope="col">Granted</th>
                {canChangeRoles ? <th scope="col">Remove</th> : null}
              </tr>
            </thead>
            <tbody>
              {person.staffRoles.map((grant) => {
                const own = grant.role === 'superuser' && person.id === viewerId;
                const field = `reason-${grant.id}`;
                return (
                  <tr key={grant.id}>
                    <th scope="row">{staffRoleWords(grant)}</th>
                    <td>
                      <Instant at={grant.grantedAt} />
                    </td>
                    {canChangeRoles ? (
                      <td>
                        {own ? (
                          'You cannot remove your own superuser role: another superuser can.'
                        ) : (
                          <form
                            method="post"
                            action={adminPersonPath(person.crsid, `roles/${grant.id}/remove`)}
                            novalidate
                          >
                            <CsrfField token={context.csrfToken} />
                            <TextField
                              name={field}
                              label={`Reason for removing ${staffRoleWords(grant)}`}
                              value={values[field]}
                              error={errors[field]}
                            />
                            <button type="submit" class="button--warning button--small">
                              Remove <span class="visually-hidden">{staffRoleWords(grant)}</span>
                            </button>
                          </form>
                        )}
                      </td>
                    ) : null}
                  </tr>
                );
              })}
            </tbody>
          </table>
        )}
        {canChangeRoles && person.status === 'current' ? (
          <>
            <h3 id="grant-role">Grant a role</h3>
            <form method="post" action={adminPersonPath(person.crsid, 'roles')} aria-labelledby="grant-role" novalidate>
              <CsrfField token={context.csrfToken} />
              <RadioGroup
                name="role"
                label="Role"
                value={values.role}
                error={errors.role}
                options={STAFF_ROLE_CHOICES.map((choice) => ({
                  value: choice.value,
                  label: choice.label,
                  hint: choice.hint,
                }))}
              />
              <TextField name="reason" label="Reason" value={values.reason} error={errors.reason} />
              <button type="submit">Grant role</button>
            </form>
          </>
        ) : null}
      </section>

      <section aria-labelledby="licences">
        <h2 id="licences">Licences</h2>
        {licenceTotal === 0 ? (
          <p>{person.displayName} holds no place on a licence of your services.</p>
        ) : (
          <>
            {licences.length === 0 ? null : (
              <table>
                <caption class="visually-hidden">Licences {person.displayName} holds a place on</caption>
                <thead>
                  <tr>
                    <th scope="col">Licence</th>
                    <th scope="col">Product</th>
                    <th scope="col">Their role</th>
                    <th scope="col">Status</th>
                  </tr>
                </thead>
                <tbody>
                  {licences.map((licence) => (
                    <tr key={licence.id}>
                      <th scope="row">
                        <a href={`/admin/licences/${licence.id}/`}>{licence.name}</a>
                      </th>
                      <td>{licence.productCode}</td>
                      <td>{describeRoles(licence.roles)}</td>
                      <td>{LICENCE_STATUS_WORDS[licence.status].label}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
            <Pagination
              page={page}
              total={licenceTotal}
              what="licences"
              href={(to) => listHref(adminPersonPath(person.crsid), { page: to })}
            />
          </>
        )}
      </section>
    </AdminPage>
  );
}
