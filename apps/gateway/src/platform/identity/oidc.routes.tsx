import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import * as z from 'zod';
import { findOrCreatePersonByCrsid, findPersonWithRoles } from '../../modules/people/people.repository.ts';
import type { Executor } from '../db/database.ts';
import { Page } from '../web/layout.tsx';
import { pageContext } from '../web/page-context.ts';
import { sendPage } from '../web/render.ts';
import { safeReturnPath } from './current-person.ts';
import { type OidcClient, type OidcFailure, OidcSignInError } from './oidc.ts';

declare module 'fastify' {
  interface Session {
    /** Set only for a sign-in through the provider, so sign-out knows to go there too. */
    oidcIdToken?: string;
  }
}

export interface OidcRoutesOptions {
  db: Executor;
  oidc: OidcClient;
  rateLimitPerMinute: number;
}

const startQuery = z.object({ returnTo: z.string().optional() });
const callbackQuery = z.object({ state: z.string() });

type Problem = OidcFailure | 'expired' | 'state-mismatch' | 'not-current';

const PROBLEMS: Record<Problem, { status: number; title: string; message: string }> = {
  unavailable: {
    status: 503,
    title: 'The University sign-in service is not available',
    message:
      "We could not reach the University's sign-in service, so you have not been signed in. Try again in a few minutes.",
  },
  expired: {
    status: 400,
    title: 'Sign-in could not be completed',
    message: 'This sign-in has expired or has already been used, so you have not been signed in. Start again.',
  },
  'state-mismatch': {
    status: 400,
    title: 'Sign-in could not be completed',
    message:
      "The answer from the University's sign-in service did not match the sign-in you started here, so you have not been signed in. Start again.",
  },
  'invalid-response': {
    status: 400,
    title: 'Sign-in could not be completed',
    message:
      "We could not confirm the answer from the University's sign-in service, so you have not been signed in. Start again.",
  },
  'refused-by-provider': {
    status: 403,
    title: 'You have not been signed in',
    message: "The University's sign-in service did not sign you in. If you cancelled, you can start again.",
  },
  'missing-claims': {
    status: 403,
    title: 'We could not tell who you are',
    message:
      "The University's sign-in service did not tell us your CRSid, so you have not been signed in. If this keeps happening, contact us.",
  },
  'not-current': {
    status: 403,
    title: 'Your account cannot be used here',
    message:
      'Our records show that you are no longer a current member of the University. If that is wrong, contact us.',
  },
};

/**
 * Sign-in through the University's OpenID Connect provider: authorization code flow with PKCE,
 * state and nonce, and sign-out at the provider too when it offers that.
 */
export async function oidcRoutes(app: FastifyInstance, options: OidcRoutesOptions): Promise<void> {
  const { db, oidc } = options;
  const signInRateLimit = { rateLimit: { max: options.rateLimitPerMinute, timeWindow: '1 minute' } };

  app.get('/auth/oidc/start', { config: signInRateLimit }, async (request, reply) => {
    const query = startQuery.safeParse(request.query);
    const returnTo = safeReturnPath(query.success ? query.data.returnTo : undefined);
    if (request.person) return reply.redirect(returnTo);
    try {
      const { authorizationUrl, pending } = await oidc.beginSignIn();
      request.session.oidc = pending;
      request.session.returnTo = returnTo;
      return reply.redirect(authorizationUrl.href);
    } catch (error) {
      if (!(error instanceof OidcSignInError)) throw error;
      request.log.warn({ err: error }, 'OpenID Connect sign-in could not start');
      return sendProblem(request, reply, error.failure, returnTo);
    }
  });

  app.get('/auth/oidc/callback', { config: signInRateLimit }, async (request, reply) => {
    const pending = request.session.oidc;
    const returnTo = safeReturnPath(request.session.returnTo);
    // One answer per sign-in: whatever happens next, this attempt cannot be replayed.
    request.session.oidc = undefined;
    request.session.returnTo = undefined;
    if (!pending) {
      // Back to a callback after signing in: nothing to do but carry on.
      if (request.person) return reply.redirect(returnTo, 303);
      request.log.info('OpenID Connect callback without a sign-in in progress');
      return sendProblem(request, reply, 'expired', returnTo);
    }
    const query = callbackQuery.safeParse(request.query);
    if (!query.success || query.data.state !== pending.state) {
      request.log.warn('OpenID Connect callback refused: state does not match the sign-in in progress');
      return sendProblem(request, reply, 'state-mismatch', returnTo);
    }

    let completed: Awaited<ReturnType<OidcClient['completeSignIn']>>;
    try {
      completed = await oidc.completeSignIn(rawQueryString(request.url), pending);
    } catch (error) {
      if (!(error instanceof OidcSignInError)) throw error;
      const level = error.failure === 'refused-by-provider' ? 'info' : 'warn';
      request.log[level]({ err: error, failure: error.failure }, 'OpenID Connect sign-in failed');
      return sendProblem(request, reply, error.failure, returnTo);
    }

    const personId = await findOrCreatePersonByCrsid(db, completed.identity);
    if (!(await findPersonWithRoles(db, personId))) {
      request.log.warn({ personId }, 'OpenID Connect sign-in refused: the person is not current');
      return sendProblem(request, reply, 'not-current', returnTo);
    }
    // A new session id on sign-in, so a session fixed before sign-in is worthless.
    await request.session.regenerate();
    request.session.personId = personId;
    request.session.oidcIdToken = completed.idToken;
    request.log.info({ personId, crsid: completed.identity.crsid }, 'signed in with OpenID Connect');
    return reply.redirect(returnTo, 303);
  });

  app.post('/sign-out', async (request, reply) => {
    const idToken = request.session.oidcIdToken;
    await request.session.destroy();
    if (!idToken) return reply.redirect('/', 303);
    try {
      const providerSignOut = await oidc.signOutUrl(idToken);
      return reply.redirect(providerSignOut?.href ?? '/', 303);
    } catch (error) {
      // Signed out here already; the provider's own session simply outlives this one.
      request.log.warn({ err: error }, 'could not reach the provider to sign out there too');
      return reply.redirect('/', 303);
    }
  });
}

function rawQueryString(url: string): string {
  const start = url.indexOf('?');
  return start === -1 ? '' : url.slice(start + 1);
}

function sendProblem(request: FastifyRequest, reply: FastifyReply, problem: Problem, returnTo: string) {
  const { status, title, message } = PROBLEMS[problem];
  const context = pageContext(request, reply);
  if (status === 503) reply.header('retry-after', '60');
  return sendPage(
    reply,
    <Page context={context} title={title} crumbs={[{ label: 'Sign in', href: '/sign-in' }]}>
      <h1>{title}</h1>
      <p>{message}</p>
      <p>
        <a class="button" href={`/sign-in?returnTo=${encodeURIComponent(returnTo)}`}>
          Start signing in again
        </a>
      </p>
      <p>
        If you need help, email <a href={`mailto:${context.contactEmail}`}>{context.contactEmail}</a>.
      </p>
    </Page>,
    status,
  );
}
