import type { FastifyInstance } from 'fastify';
import * as z from 'zod';
import type { Config } from '../config.ts';
import type { Executor } from '../db/database.ts';
import { requirePerson } from '../identity/current-person.ts';
import type { JobQueue, JobRegistry } from '../jobs/jobs.ts';
import { CsrfField, ErrorSummary, type FieldErrors, SummaryList } from '../web/components.tsx';
import { AppError } from '../web/errors.ts';
import { Page, type PageContext } from '../web/layout.tsx';
import { pageContext } from '../web/page-context.ts';
import { sendPage } from '../web/render.ts';
import { renderEmail } from './email-template.tsx';
import { queueEmail, sendEmailJob } from './mail.jobs.ts';
import type { MailStatus } from './mail.tables.ts';
import { findOutboxEmail, listOutboxEmails, type OutboxEmailSummary } from './mail-outbox.repository.ts';
import { testMessageEmail } from './test-message.email.tsx';

/**
 * The mail outbox viewer: every email the gateway has written, whatever the transport, so that
 * a developer or a demo can see what people would receive. It shows anyone's mail to anyone, so
 * it exists only alongside dev sign-in (app.ts registers it only then), where anyone can already
 * be anyone. A deployment with real sign-in never has it, even if it keeps the outbox folder.
 */
export interface MailOutboxRoutesOptions {
  db: Executor;
  mail: Config['mail'];
  /** For the "send a test email" form, which goes through the outbox like any other email. */
  jobs: JobQueue;
  /** The jobs this process knows: without a send-email handler its queue does not exist to enqueue into. */
  registry: JobRegistry;
}

export const OUTBOX_PAGE_SIZE = 25;

const listQuery = z.object({ page: z.coerce.number().int().min(1).max(10_000).default(1) });
const emailParams = z.object({ id: z.coerce.number().int().positive() });
const testEmailForm = z.object({
  note: z
    .string()
    .trim()
    .max(200, 'Keep the note to 200 characters or fewer')
    .transform((note) => (note === '' ? undefined : note)),
});

/**
 * The HTML part is the email author's markup: shown only inside a sandboxed frame, from a
 * response whose own policy forbids scripts, forms, plugins and any fetch beyond inline images.
 */
const EMAIL_HTML_POLICY =
  "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'self'; form-action 'none'; base-uri 'none'; sandbox";

const crumbs = [{ label: 'Home', href: '/' }];

export async function mailOutboxRoutes(app: FastifyInstance, options: MailOutboxRoutesOptions): Promise<void> {
  const canSend = options.registry.handlers.some((handler) => handler.type.name === sendEmailJob.name);

  app.get('/dev/mail/', async (request, reply) => {
    const query = listQuery.safeParse(request.query);
    if (!query.success) throw new AppError('bad-request', 'That page number is not valid.');
    const page = await outboxPage(options, query.data.page);
    return sendPage(
      reply,
      <OutboxListPage context={pageContext(request, reply)} mail={options.mail} canSend={canSend} {...page} />,
    );
  });

  app.post('/dev/mail/test', async (request, reply) => {
    const person = requirePerson(request);
    if (!canSend) throw new AppError('unavailable', 'Email cannot be sent: the send-email job is not registered.');
    const form = testEmailForm.safeParse(request.body ?? {});
    if (!form.success) {
      const errors: FieldErrors = { note: form.error.issues[0]?.message };
      const page = await outboxPage(options, 1);
      const note = (request.body as Record<string, unknown> | undefined)?.note;
      return sendPage(
        reply,
        <OutboxListPage
          context={pageContext(request, reply)}
          mail={options.mail}
          canSend={canSend}
          {...page}
          errors={errors}
          note={typeof note === 'string' ? note : ''}
        />,
        400,
      );
    }
    const message = renderEmail(
      testMessageEmail,
      { serviceName: request.server.site.serviceName, requestedBy: person.displayName, note: form.data.note },
      { to: person.email },
    );
    const outboxId = await options.db.transaction().execute((trx) => queueEmail(trx, message, options.jobs));
    request.session.flash = `A test email to ${person.email} is in the outbox. It is sent when the job queue next runs.`;
    return reply.redirect(`/dev/mail/${outboxId}`, 303);
  });

  app.get('/dev/mail/:id', async (request, reply) => {
    const email = await findEmail(options.db, request.params);
    const hasHtml = email.html !== null;
    return sendPage(
      reply,
      <Page
        context={pageContext(request, reply)}
        title={`Email ${email.id}`}
        crumbs={[...crumbs, { label: 'Mail outbox', href: '/dev/mail/' }]}
      >
        <h1>{email.subject}</h1>
        <SummaryList
          rows={[
            ['To', email.to.join(', ')],
            ['Cc', email.cc.length > 0 ? email.cc.join(', ') : 'nobody'],
            ['Subject', email.subject],
            ['Template', email.template],
            ['Status', <StatusTag status={email.status} />],
            ['Attempts', String(email.attempts)],
            ['Message-ID', email.messageId ?? 'not yet assigned (set at the first attempt)'],
            ['Written', <When date={email.createdAt} />],
            ['Sent', email.sentAt ? <When date={email.sentAt} /> : 'not yet'],
            ...(email.lastError ? [['Last error', email.lastError] as [string, string]] : []),
          ]}
        />
        <h2>Plain text</h2>
        <pre>{email.text}</pre>
        <h2>HTML</h2>
        {hasHtml ? (
          <>
            <iframe
              class="email-preview"
              title={`HTML part of “${email.subject}”`}
              src={`/dev/mail/${email.id}/html`}
              sandbox=""
              width="100%"
              height="480"
            />
            <details>
              <summary>HTML source</summary>
              <pre>{email.html}</pre>
            </details>
          </>
        ) : (
          <p>This email has no HTML part.</p>
        )}
      </Page>,
    );
  });

  app.get('/dev/mail/:id/html', async (request, reply) => {
    const email = await findEmail(options.db, request.params);
    if (email.html === null) throw new AppError('not-found', 'This email has no HTML part.');
    return reply
      .header('content-security-policy', EMAIL_HTML_POLICY)
      .header('x-frame-options', 'SAMEORIGIN')
      .type('text/html; charset=utf-8')
      .send(email.html);
  });
}

async function outboxPage(options: MailOutboxRoutesOptions, page: number) {
  const rows = await listOutboxEmails(options.db, {
    limit: OUTBOX_PAGE_SIZE + 1,
    offset: (page - 1) * OUTBOX_PAGE_SIZE,
  });
  return { page, emails: rows.slice(0, OUTBOX_PAGE_SIZE), hasNext: rows.length > OUTBOX_PAGE_SIZE };
}

function OutboxListPage(props: {
  context: PageContext;
  mail: Config['mail'];
  canSend: boolean;
  page: number;
  emails: OutboxEmailSummary[];
  hasNext: boolean;
  errors?: FieldErrors;
  note?: string;
}) {
  const { context, page, emails } = props;
  return (
    <Page context={context} title="Mail outbox" crumbs={crumbs}>
      {props.errors ? <ErrorSummary errors={props.errors} /> : null}
      <h1>Mail outbox</h1>
      <p class="notice notice--warning">
        This page exists only in the development set-up. It shows every email the gateway has written, newest first.
      </p>
      <p>
        {props.mail.driver === 'outbox'
          ? `Nothing leaves this machine: each email is also written as an .eml file to ${props.mail.dir}.`
          : 'Emails are sent by SMTP.'}
      </p>
      {emails.length === 0 ? (
        <p>{page === 1 ? 'No emails have been written yet.' : 'There are no emails on this page.'}</p>
      ) : (
        <OutboxTable emails={emails} page={page} />
      )}
      <Pagination page={page} hasNext={props.hasNext} />
      {props.canSend ? (
        <TestEmailForm context={context} errors={props.errors} note={props.note} />
      ) : (
        <p>
          Test emails cannot be sent from here: this process's job registry (src/jobs.ts) has no send-email handler.
        </p>
      )}
    </Page>
  );
}

/** Proves the whole path (outbox row, job, transport) from the browser. */
function TestEmailForm({ context, errors, note }: { context: PageContext; errors?: FieldErrors; note?: string }) {
  if (!context.person) {
    return (
      <p>
        <a href="/sign-in?returnTo=%2Fdev%2Fmail%2F">Sign in</a> to send yourself a test email.
      </p>
    );
  }
  const error = errors?.note;
  return (
    <form method="post" action="/dev/mail/test" novalidate>
      <h2>Send a test email</h2>
      <p>It goes to you, through the outbox and the job queue, like any other email.</p>
      <CsrfField token={context.csrfToken} />
      <div class={error ? 'form-group form-group--error' : 'form-group'}>
        <label for="note">Note to include (optional)</label>
        {error ? (
          <span class="field-error" id="note-error">
            <span class="visually-hidden">Error:</span> {error}
          </span>
        ) : null}
        <input
          type="text"
          id="note"
          name="note"
          maxLength={400}
          value={note ?? ''}
          aria-describedby={error ? 'note-error' : undefined}
          aria-invalid={error ? 'true' : undefined}
        />
      </div>
      <button type="submit">Send a test email</button>
    </form>
  );
}

async function findEmail(db: Executor, params: unknown) {
  const parsed = emailParams.safeParse(params);
  const email = parsed.success ? await findOutboxEmail(db, parsed.data.id) : undefined;
  if (!email) throw new AppError('not-found', 'There is no such email in the outbox.');
  return email;
}

function OutboxTable({ emails, page }: { emails: OutboxEmailSummary[]; page: number }) {
  return (
    <table>
      <caption>Emails, newest first{page > 1 ? ` (page ${page})` : ''}</caption>
      <thead>
        <tr>
          <th scope="col">Written</th>
          <th scope="col">To</th>
          <th scope="col">Subject</th>
          <th scope="col">Status</th>
        </tr>
      </thead>
      <tbody>
        {emails.map((email) => (
          <tr key={email.id}>
            <td>
              <When date={email.createdAt} />
            </td>
            <td>{email.to.join(', ')}</td>
            <td>
              <a href={`/dev/mail/${email.id}`}>{email.subject}</a>
            </td>
            <td>
              <StatusTag status={email.status} />
              {email.status !== 'sent' && email.attempts > 0 ? ` after ${plural(email.attempts, 'attempt')}` : null}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Pagination({ page, hasNext }: { page: number; hasNext: boolean }) {
  if (page === 1 && !hasNext) return null;
  return (
    <nav aria-label="Outbox pages">
      <ul>
        {page > 1 ? (
          <li>
            <a href={`/dev/mail/?page=${page - 1}`} rel="prev">
              Newer emails
            </a>
          </li>
        ) : null}
        {hasNext ? (
          <li>
            <a href={`/dev/mail/?page=${page + 1}`} rel="next">
              Older emails
            </a>
          </li>
        ) : null}
      </ul>
    </nav>
  );
}

const STATUS_TAG: Record<MailStatus, { label: string; className: string }> = {
  pending: { label: 'Pending', className: 'tag tag--grey' },
  sending: { label: 'Sending', className: 'tag' },
  sent: { label: 'Sent', className: 'tag tag--green' },
  failed: { label: 'Failed', className: 'tag tag--red' },
};

function StatusTag({ status }: { status: MailStatus }) {
  const tag = STATUS_TAG[status];
  return <strong class={tag.className}>{tag.label}</strong>;
}

const dateTimeFormat = new Intl.DateTimeFormat('en-GB', {
  dateStyle: 'medium',
  timeStyle: 'medium',
  timeZone: 'Europe/London',
});

function When({ date }: { date: Date }) {
  return <time dateTime={date.toISOString()}>{dateTimeFormat.format(date)}</time>;
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
