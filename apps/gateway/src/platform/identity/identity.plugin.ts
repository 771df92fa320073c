import { randomBytes } from 'node:crypto';
import fastifyCookie, { Signer } from '@fastify/cookie';
import fastifyCsrf from '@fastify/csrf-protection';
import fastifySession from '@fastify/session';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { findPersonWithRoles } from '../../modules/people/people.repository.ts';
import type { Clock } from '../clock.ts';
import type { DataChanges } from '../db/data-changes.ts';
import type { Executor } from '../db/database.ts';
import { AppError } from '../web/errors.ts';
import { bearerToken } from './access-token-rules.ts';
import { authenticateAccessToken } from './access-tokens.ts';
import './current-person.ts';
import { csrfTokenFromRequest } from './expired-form.ts';
import { databaseSessionStore } from './session-store.ts';
import { applyViewAs } from './view-as.ts';

export interface IdentityPluginOptions {
  db: Executor;
  secret: string;
  idleMinutes: number;
  /** A session's absolute lifetime from its sign-in, however busy (SESSION_LIFETIME_HOURS). */
  lifetimeHours: number;
  /** Secure cookies with the __Host- prefix whenever the site is served over HTTPS. */
  secureCookies: boolean;
  /** Now: sessions' expiry and lifetime, views' end, and personal access tokens' expiry. */
  clock: Clock;
  /** Commits of other processes, so pages may read recent sessions from memory (recent-sessions.ts). */
  changes?: DataChanges;
}

export function sessionCookieName(secureCookies: boolean): string {
  return secureCookies ? '__Host-ssgw-session' : 'ssgw-session';
}

/** The browser's session change stamp: new whenever it sent a form or its session changed. */
export function changeStampCookieName(secureCookies: boolean): string {
  return `${sessionCookieName(secureCookies)}-change`;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Machine endpoints that authenticate by token set this to false. */
    csrf?: boolean;
  }
  interface FastifyRequest {
    /** How request.person was signed in: an /api/ request with a bearer token needs no CSRF token. */
    authenticatedBy?: 'session' | 'access-token';
    /**
     * Why the bearer token sent does not work: the request then has no person (not even a
     * session's), and the API operation answers 401 with it after its rate limit has counted it.
     */
    accessTokenRefusal?: string;
    /** The page data version read with the session (platform/web/page-cache.ts); undefined without one. */
    pageDataVersion?: string;
  }
}

const UNSAFE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * Sessions, CSRF and the signed-in person for every page request. Machine endpoints
 * (/api with a token, /cloud_tasks/, /cron/) authenticate their own way and skip CSRF.
 */
async function identityPlugin(app: FastifyInstance, options: IdentityPluginOptions): Promise<void> {
  const store = databaseSessionStore(
    options.db,
    { idleMinutes: options.idleMinutes, lifetimeMinutes: options.lifetimeHours * 60 },
    { changes: options.changes, now: () => options.clock.now().getTime() },
  );
  const cookieName = sessionCookieName(options.secureCookies);
  const stampName = changeStampCookieName(options.secureCookies);
  const signer = new Signer(options.secret, 'sha256');
  await app.register(fastifyCookie);
  // Before the session plugin reads the session: a page request may have it from memory.
  app.addHook('onRequest', (request, _reply, done) => {
    const signed = request.cookies[cookieName];
    if (signed && (request.method === 'GET' || request.method === 'HEAD')) {
      const unsigned = signer.unsign(signed);
      if (unsigned.valid && unsigned.value) store.expect(unsigned.value, request.cookies[stampName] ?? '');
    }
    done();
  });
  await app.register(fastifySession, {
    secret: options.secret,
    cookieName,
    saveUninitialized: false,
    rolling: true,
    store,
    // A browser-session cookie (no Expires): closing the browser on a shared computer forgets it.
    // How long the session itself lasts is the store's to say (idle timeout and lifetime).
    cookie: {
      path: '/',
      httpOnly: true,
      secure: options.secureCookies,
      sameSite: 'lax',
    },
  });
  // After the session plugin saved the session: a browser that sent a form, or whose session
  // changed, gets a new stamp, so its next page reads the session afresh in any web process.
  // What a signed-in person is shown is theirs alone: no browser or proxy keeps it, so Back after
  // signing out shows nothing of it (a response that says how it may be kept, an asset, is left so).
  app.addHook('onSend', (request, reply, payload, done) => {
    if (request.person && !reply.hasHeader('cache-control')) reply.header('cache-control', 'private, no-store');
    const id = request.session?.sessionId;
    const changed = id !== undefined && store.takeChanged(id);
    if (changed || (UNSAFE_METHODS.has(request.method) && request.cookies[cookieName])) {
      reply.setCookie(stampName, randomBytes(9).toString('base64url'), {
        path: '/',
        httpOnly: true,
        secure: options.secureCookies,
        sameSite: 'lax',
      });
    }
    done(null, payload);
  });
  await app.register(fastifyCsrf, { sessionPlugin: '@fastify/session', getToken: csrfTokenFromRequest });

  // An /api/ request with a bearer token is that token's person, whatever cookie it also carries.
  app.addHook('onRequest', async (request) => {
    // The matched route, not the raw URL, so no path trick carries a token onto a page.
    if (!request.routeOptions.url?.startsWith('/api/')) return;
    const token = bearerToken(request.headers.authorization);
    if (token === undefined) return;
    const person = await authenticateAccessToken(options.db, options.clock, token);
    // A token still stands for the request, refused or not: no cookie's session or CSRF applies.
    request.authenticatedBy = 'access-token';
    // Refused: answered by the operation, after the API's rate limit (per address) counts the call,
    // so bad tokens cannot be tried, each a database lookup, without limit.
    if ('refused' in person) request.accessTokenRefusal = person.refused;
    else request.person = person;
  });
  // Who is signed in, read before the CSRF check so that a form it refuses is answered as whoever
  // is signed in now (expired-form.ts); only reading: what the session's person changes waits for the check.
  app.addHook('preHandler', async (request) => {
    const loaded = request.session.sessionId ? store.takeLoaded(request.session.sessionId) : undefined;
    request.pageDataVersion = loaded?.pageDataVersion;
    const personId = request.session.personId;
    if (personId === undefined || request.authenticatedBy === 'access-token') return;
    // The session's own statement read the person; ask again only if another request took that.
    request.person =
      loaded && loaded.person?.id === personId ? loaded.person : await findPersonWithRoles(options.db, personId);
    if (request.person) request.authenticatedBy = 'session';
  });
  app.addHook('preHandler', (request, reply, done) => {
    if (!UNSAFE_METHODS.has(request.method) || request.routeOptions.config?.csrf === false) return done();
    // No route, nothing to protect: the answer is the 404 (a mistyped API path with a token was
    // told its CSRF token was missing).
    if (request.is404) return done();
    // No cookie was needed, so no other site can have made the browser send this request.
    if (request.authenticatedBy === 'access-token') return done();
    // An API call with no one signed in carries no credential to forge: it gets the API's 401.
    if (request.routeOptions.url?.startsWith('/api/') && request.session.personId === undefined) return done();
    app.csrfProtection(request, reply, done);
  });
  app.addHook('onRequest', async (request) => {
    if (UNSAFE_METHODS.has(request.method) && isCrossSite(request)) {
      throw new AppError('forbidden', 'This form was sent from another site, so it was refused.');
    }
  });
  app.addHook('preHandler', async (request) => {
    if (request.session.personId === undefined || request.authenticatedBy === 'access-token') return;
    // Someone who has left, or was removed, loses their session at once.
    if (!request.person) await request.session.destroy();
    // Staff viewing the site as a customer: the customer, read-only (view-as.ts).
    else await applyViewAs(request, options);
  });
}

function isCrossSite(request: FastifyRequest): boolean {
  const site = request.headers['sec-fetch-site'];
  return site === 'cross-site';
}

export default fp(identityPlugin, { name: 'identity' });
