import type { FastifyInstance } from 'fastify';
import * as z from 'zod';
import { findPersonWithRoles, listPeopleForSignIn } from '../../modules/people/people.repository.ts';
import type { Executor } from '../db/database.ts';
import { CsrfField } from '../web/components.tsx';
import { AppError } from '../web/errors.ts';
import { Page } from '../web/layout.tsx';
import { pageContext } from '../web/page-context.ts';
import { sendPage } from '../web/render.ts';
import { safeReturnPath } from './current-person.ts';

export interface SignInRoutesOptions {
  db: Executor;
  devSignIn: boolean;
  oidcEnabled: boolean;
  rateLimitPerMinute: number;
}

const devSignInForm = z.object({ personId: z.coerce.number().int().positive(), returnTo: z.string().optional() });

export async function signInRoutes(app: FastifyInstance, options: SignInRoutesOptions): Promise<void> {
  // What signs in is limited (the dev sign-in form here, the identity provider's start and
  // callback in oidc.routes.tsx), so sign-ins cannot be tried without end from one address. Showing
  // this page signs no one in, and every signed-out page redirects to it, so it is not limited.
  const signInRateLimit = { rateLimit: { max: options.rateLimitPerMinute, timeWindow: '1 minute' } };

  app.get('/sign-in', async (request, reply) => {
    const returnTo = safeReturnPath((request.query as Record<string, unknown>).returnTo);
    if (request.person) return reply.redirect(returnTo);
    return sendPage(
      reply,
      <Page context={pageContext(request, reply)} title="Sign in">
        <h1>Sign in</h1>
        <p>Sign in to buy storage, see your licences and orders, and manage who can use your storage.</p>
        {options.oidcEnabled ? (
          <p>
            <a class="button" href={`/auth/oidc/start?returnTo=${encodeURIComponent(returnTo)}`}>
              Sign in with your University account
            </a>
          </p>
        ) : null}
        {options.devSignIn ? (
          <p>
            <a class="button button--secondary" href={`/dev/sign-in?returnTo=${encodeURIComponent(returnTo)}`}>
              Sign in as a demo person (development only)
            </a>
          </p>
        ) : null}
      </Page>,
    );
  });

  // With a provider configured, oidc.routes.tsx signs out there too.
  if (!options.oidcEnabled) {
    app.post('/sign-out', async (request, reply) => {
      await request.session.destroy();
      return reply.redirect('/', 303);
    });
  }

  if (!options.devSignIn) return;

  app.get('/dev/sign-in', async (request, reply) => {
    const people = await listPeopleForSignIn(options.db, 50);
    const context = pageContext(request, reply);
    const returnTo = safeReturnPath((request.query as Record<string, unknown>).returnTo);
    return sendPage(
      reply,
      <Page context={context} title="Dev sign-in" crumbs={[{ label: 'Sign in', href: '/sign-in' }]}>
        <h1>Sign in as a demo person</h1>
        <p class="notice notice--warning">
          This page exists only in the embedded development set-up. A real deployment signs people in through the
          University's identity provider.
        </p>
        <table>
          <caption class="visually-hidden">Demo people</caption>
          <thead>
            <tr>
              <th scope="col">Person</th>
              <th scope="col">Institution</th>
              <th scope="col">Staff roles</th>
              <th scope="col">
                <span class="visually-hidden">Action</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {people.map((person) => (
              <tr key={person.id}>
                <td>
                  {person.displayName} ({person.crsid})
                </td>
                <td>{person.institutionName ?? '—'}</td>
                <td>{person.staffRoles ?? 'none'}</td>
                <td>
                  <form method="post" action="/dev/sign-in">
                    <CsrfField token={context.csrfToken} />
                    <input type="hidden" name="personId" value={String(person.id)} />
                    <input type="hidden" name="returnTo" value={returnTo} />
                    <button type="submit" class="button button--small">
                      Sign in <span class="visually-hidden">as {person.displayName}</span>
                    </button>
                  </form>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </Page>,
    );
  });

  app.post('/dev/sign-in', { config: signInRateLimit }, async (request, reply) => {
    const form = devSignInForm.safeParse(request.body);
    if (!form.success) throw new AppError('bad-request', 'Choose a person to sign in as.');
    // No such person: the session saved with one failed its foreign key after the redirect, a 500.
    if (!(await findPersonWithRoles(options.db, form.data.personId)))
      throw new AppError('bad-request', 'There is no such person to sign in as: choose one from the list.');
    // A new session id on sign-in, so a session fixed before sign-in is worthless.
    await request.session.regenerate();
    request.session.personId = form.data.personId;
    return reply.redirect(safeReturnPath(form.data.returnTo), 303);
  });
}
