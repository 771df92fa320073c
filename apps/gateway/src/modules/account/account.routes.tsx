import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import * as z from 'zod';
import type { Clock } from '../../platform/clock.ts';
import type { Executor } from '../../platform/db/database.ts';
import type { TokenLifetime } from '../../platform/identity/access-token-rules.ts';
import { listAccessTokens, revokeAccessToken } from '../../platform/identity/access-tokens.ts';
import { requirePerson } from '../../platform/identity/current-person.ts';
import type { FieldErrors } from '../../platform/web/components.tsx';
import { AppError } from '../../platform/web/errors.ts';
import { fieldErrorsOf, formValues } from '../../platform/web/forms.ts';
import { pageContext } from '../../platform/web/page-context.ts';
import { sendPage } from '../../platform/web/render.ts';
import { personActor, recordAudit } from '../audit/audit.repository.ts';
import { remindersOptedOut, setRemindersOptedOut } from '../lifecycle/lifecycle.repository.ts';
import { findInstitution, type PersonWithRoles } from '../people/people.repository.ts';
import { type AccountDetails, AccountPage, RevokeTokenPage, TokenCreatedPage } from './account.views.tsx';
import { createTokenOnce } from './account-tokens.ts';

export interface AccountRoutesOptions {
  db: Executor;
  clock: Clock;
  publicUrl: string;
  /** REMINDER_DAYS, which the reminder setting names. */
  reminderDays: readonly number[];
}

const createTokenForm = z.object({
  name: z
    .string({ error: 'Enter a name for the token' })
    .trim()
    .min(1, 'Enter a name for the token, such as what will use it')
    .max(80, 'The name must be 80 characters or fewer'),
  lifetime: z
    .enum(['30', '90', '365'], { error: 'Choose when the token expires: after 30 days, 90 days or 1 year' })
    .transform((value) => Number(value) as TokenLifetime),
});

const remindersForm = z.object({
  reminders: z.enum(['send', 'stop'], { error: 'Choose whether to get reminders before your licences end' }),
});

const tokenIdParams = z.object({ id: z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER) });

/** /account/: who the signed-in person is, and their personal access tokens for the JSON API. */
export async function accountRoutes(app: FastifyInstance, options: AccountRoutesOptions): Promise<void> {
  const { db, clock } = options;

  async function renderAccount(
    request: FastifyRequest,
    reply: FastifyReply,
    person: PersonWithRoles,
    form: { errors: FieldErrors; values: Record<string, string> } = { errors: {}, values: {} },
    status = 200,
  ) {
    const [institution, tokens, optedOut] = await Promise.all([
      person.institutionId ? findInstitution(db, person.institutionId) : undefined,
      listAccessTokens(db, clock, person.id),
      remindersOptedOut(db, person.id),
    ]);
    const account: AccountDetails = {
      displayName: person.displayName,
      crsid: person.crsid,
      email: person.email,
      institutionName: institution?.name ?? person.institutionId,
      staffRoles: person.staffRoles.map((grant) => (grant.service ? `${grant.role} (${grant.service})` : grant.role)),
    };
    return sendPage(
      reply,
      <AccountPage
        context={pageContext(request, reply)}
        account={account}
        tokens={tokens}
        remindersOn={!optedOut}
        reminderDays={options.reminderDays}
        errors={form.errors}
        values={form.values}
      />,
      status,
    );
  }

  app.get('/account/', async (request, reply) => renderAccount(request, reply, requirePerson(request)));

  app.post('/account/tokens', async (request, reply) => {
    const person = requirePerson(request);
    const parsed = createTokenForm.safeParse(request.body);
    if (!parsed.success) {
      const form = { errors: fieldErrorsOf(parsed.error), values: formValues(request.body) };
      return renderAccount(request, reply, person, form, 422);
    }
    let made: Awaited<ReturnType<typeof createTokenOnce>>;
    try {
      made = await createTokenOnce(db, clock, person, parsed.data);
    } catch (error) {
      if (!(error instanceof AppError) || error.code !== 'unprocessable') throw error;
      const form = { errors: { name: error.publicMessage }, values: formValues(request.body) };
      return renderAccount(request, reply, person, form, 422);
    }
    if ('again' in made) {
      // The form sent twice: the first request made the token and was shown it (the browser shows
      // the second answer), and a token is never shown again. One token, and what to do if lost.
      const { name, hint } = made.again;
      request.session.flash = `You created the token “${name}” (ending …${hint}) a moment ago, so no second one was made. A token is shown only once, on the page that answers the form: if you did not copy it, revoke it and create another.`;
      return reply.redirect('/account/', 303);
    }
    const { created } = made;
    // The token is in this answer and nowhere else: never cached, never put in the session.
    reply.header('cache-control', 'no-store');
    return sendPage(
      reply,
      <TokenCreatedPage
        context={pageContext(request, reply)}
        token={created.token}
        summary={created.summary}
        publicUrl={options.publicUrl}
      />,
      200,
    );
  });

  app.post('/account/reminders', async (request, reply) => {
    const person = requirePerson(request);
    const parsed = remindersForm.safeParse(request.body);
    if (!parsed.success) {
      const form = { errors: fieldErrorsOf(parsed.error), values: formValues(request.body) };
      return renderAccount(request, reply, person, form, 422);
    }
    const optOut = parsed.data.reminders === 'stop';
    await db.transaction().execute(async (tx) => {
      if (!(await setRemindersOptedOut(tx, person.id, optOut))) return;
      await recordAudit(tx, {
        actor: personActor(person),
        entityType: 'reminder-setting',
        entityId: person.id,
        action: optOut ? 'reminders stopped' : 'reminders started',
        before: { reminders: optOut ? 'send' : 'stop' },
        after: { reminders: parsed.data.reminders },
      });
    });
    request.session.flash = optOut
      ? 'You will not get reminders before your licences end.'
      : 'You will get reminders before your licences end.';
    return reply.redirect('/account/', 303);
  });

  /**
   * Revoking cannot be undone (a script using the token stops at once): the list's "Revoke" asks
   * here first, saying so, and this page's button sends the POST below. A token that is no longer
   * active has nothing to revoke: back to the list, which shows its status.
   */
  app.get('/account/tokens/:id/revoke', async (request, reply) => {
    const person = requirePerson(request);
    const params = tokenIdParams.safeParse(request.params);
    const token = params.success
      ? (await listAccessTokens(db, clock, person.id)).find((each) => each.id === params.data.id)
      : undefined;
    if (!token) throw new AppError('not-found', 'There is no such token among yours.');
    if (token.status !== 'active') return reply.redirect('/account/', 303);
    return sendPage(reply, <RevokeTokenPage context={pageContext(request, reply)} token={token} />);
  });

  app.post('/account/tokens/:id/revoke', async (request, reply) => {
    const person = requirePerson(request);
    const params = tokenIdParams.safeParse(request.params);
    if (!params.success) throw new AppError('not-found', 'There is no such token among yours.');
    const revoked = await revokeAccessToken(db, clock, person, params.data.id);
    request.session.flash = `The token "${revoked.name}" is revoked: it no longer works.`;
    return reply.redirect('/account/', 303);
  });
}
