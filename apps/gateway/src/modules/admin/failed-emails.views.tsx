import type { FailedOutboxEmail } from '../../platform/mail/mail-outbox.repository.ts';
import { CsrfField } from '../../platform/web/components.tsx';
import type { PageContext } from '../../platform/web/layout.tsx';
import { AdminPage } from './admin.views.tsx';

const failedEmailsHref = (page: number) => (page > 1 ? `/admin/emails/failed?page=${page}` : '/admin/emails/failed');

const when = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'Europe/London' });

export function FailedEmailsPage({
  context,
  emails,
  page,
  hasNext,
  tries,
}: {
  context: PageContext;
  emails: FailedOutboxEmail[];
  page: number;
  hasNext: boolean;
  /** The tries after which an email is listed here. */
  tries: number;
}) {
  return (
    <AdminPage context={context} title="Failed emails" section="/admin/emails/failed">
      <h1>Failed emails</h1>
      <p>
        These emails could not be sent in {tries} tries (the mail server refused them or could not be reached), so
        nobody has received them. Fix the cause first (see the last error), then send them again: each is sent once
        more, and comes back here if it fails again.
      </p>
      {emails.length === 0 ? (
        <p>{page === 1 ? 'No emails have failed.' : 'There are no failed emails on this page.'}</p>
      ) : (
        <table>
          <caption class="visually-hidden">Failed emails, newest first, page {page}</caption>
          <thead>
            <tr>
              <th scope="col">Subject</th>
              <th scope="col">To</th>
              <th scope="col">Written</th>
              <th scope="col">Tries</th>
              <th scope="col">Last error</th>
              <th scope="col">
                <span class="visually-hidden">Action</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {emails.map((email) => (
              <tr key={email.id}>
                <th scope="row">
                  {email.subject}
                  <br />
                  <span class="hint">Email {email.id}</span>
                </th>
                <td>
                  {email.to.join(', ')}
                  {email.cc.length > 0 ? (
                    <>
                      <br />
                      <span class="hint">Cc {email.cc.join(', ')}</span>
                    </>
                  ) : null}
                </td>
                <td>
                  <time dateTime={email.createdAt.toISOString()}>{when.format(email.createdAt)}</time>
                </td>
                <td>{email.attempts}</td>
                <td>{email.lastError ?? 'not recorded'}</td>
                <td>
                  <form method="post" action={`/admin/emails/failed/${email.id}/send-again`}>
                    <CsrfField token={context.csrfToken} />
                    <button type="submit" class="button--small">
                      Send again <span class="visually-hidden">{`email ${email.id}: ${email.subject}`}</span>
                    </button>
                  </form>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {page > 1 || hasNext ? (
        <nav class="pagination" aria-label="Pages of failed emails">
          <ul>
            {page > 1 ? (
              <li>
                <a href={failedEmailsHref(page - 1)} rel="prev">
                  Newer failures
                </a>
              </li>
            ) : null}
            {hasNext ? (
              <li>
                <a href={failedEmailsHref(page + 1)} rel="next">
                  Older failures
                </a>
              </li>
            ) : null}
          </ul>
        </nav>
      ) : null}
    </AdminPage>
  );
}
