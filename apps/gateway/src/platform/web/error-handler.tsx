import type { IncomingMessage } from 'node:http';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { expiredFormAnswer } from '../identity/expired-form.ts';
import { APP_ERROR_STATUS, AppError, type AppErrorLink } from './errors.ts';
import { Page } from './layout.tsx';
import { pageContext } from './page-context.ts';
import { sendPage } from './render.ts';

const MACHINE_PREFIXES = ['/api/', '/cloud_tasks/', '/cron/', '/healthz', '/readyz', '/metrics'];

/**
 * Whether the answer is JSON: by the address the client asked for (request.originalUrl: an
 * unreadable address is answered at another, answerUnreadableAddress), or by its Accept header.
 */
function wantsJson(request: FastifyRequest): boolean {
  const url = request.originalUrl;
  return MACHINE_PREFIXES.some((prefix) => url.startsWith(prefix)) || request.headers.accept === 'application/json';
}

/**
 * One place turns failures into answers: a readable page for people, a JSON error for machines.
 * Unexpected errors are logged in full and shown only as a reference the person can quote.
 */
export function registerErrorHandling(app: FastifyInstance): void {
  app.setNotFoundHandler((request, reply) => {
    const slashed = pageAddressWithSlash(request);
    if (slashed) return reply.redirect(slashed, 301);
    return respond(request, reply, 404, titleFor(404, request), notFoundMessage(request));
  });

  app.setErrorHandler((caught: FastifyError | AppError, request, reply) => {
    const error =
      caught instanceof AppError
        ? caught
        : (unreadableApiBody(caught, request) ?? refusedForm(caught, request) ?? caught);
    if (error instanceof AppError) {
      if (error.code === 'unauthenticated' && !wantsJson(request) && request.method === 'GET') {
        return reply.redirect(`/sign-in?returnTo=${encodeURIComponent(request.url)}`);
      }
      const title = error instanceof RefusedForm ? error.title : titleFor(error.status, request);
      return respond(request, reply, error.status, title, error.publicMessage, error);
    }
    const status = error.statusCode ?? 500;
    if (status < 500) {
      // A page's form refused for its CSRF token is an AppError by now (refusedForm).
      const message = CSRF_ERRORS.has(error.code)
        ? 'The CSRF token is missing or not valid: send it in the x-csrf-token header, or use an access token.'
        : status === 429
          ? 'Too many attempts. Wait a minute and try again.'
          : status === 413
            ? request.routeOptions.config?.apiBodyType
              ? `The body is too large: this operation takes at most ${request.routeOptions.bodyLimit?.toLocaleString('en-GB')} bytes.`
              : 'That file or form is too large.'
            : 'The request could not be understood.';
      return respond(request, reply, status, titleFor(status, request), message);
    }
    request.log.error({ err: error }, 'request failed');
    return respond(
      request,
      reply,
      500,
      'Sorry, something went wrong',
      `Something went wrong on our side and nothing was changed. If it keeps happening, tell us the reference ${request.id}.`,
    );
  });
}

/**
 * Where a page's address without its final slash leads: the same address with it (and the same
 * query), when that is a page (/storage to /storage/, /orders/ORD-000004 to /orders/ORD-000004/).
 * Pages' addresses end in a slash, which their relative links need, so the router does not ignore
 * it. Only for GET and HEAD (a form sent on by a redirect would arrive without its fields), and
 * not for the API or the other machine addresses, whose paths have no final slash (docs/api.md).
 */
function pageAddressWithSlash(request: FastifyRequest): string | undefined {
  if ((request.method !== 'GET' && request.method !== 'HEAD') || wantsJson(request)) return undefined;
  return withFinalSlash(request.url, (path) => {
    const route = request.server.findRoute({ method: request.method, url: path });
    // A route of everything under a folder (/assets/*) makes no page of the folder's name.
    return route !== null && !('*' in route.params);
  });
}

/**
 * `url` (a path and its query, as it arrived) with a slash after its path, if `isPage` says the
 * path with the slash is a page; otherwise undefined. Only a path on this site: one slash, then
 * neither another nor a backslash ("//evil.example" and "/\evil.example" are another site's
 * addresses to a browser), and printable ASCII only, as a request's address is.
 */
export function withFinalSlash(url: string, isPage: (path: string) => boolean): string | undefined {
  if (!/^\/(?![/\\])[\x21-\x7e]*$/.test(url) || url.includes('\\')) return undefined;
  const queryAt = url.indexOf('?');
  const path = queryAt === -1 ? url : url.slice(0, queryAt);
  const query = queryAt === -1 ? '' : url.slice(queryAt);
  if (path.endsWith('/') || !isPage(`${path}/`)) return undefined;
  return `${path}/${query}`;
}

/** The address a request the router cannot read is routed again to (answerUnreadableAddress). */
const UNREADABLE_ADDRESS_PATH = '/-/unreadable-address';

/** Requests routed again to UNREADABLE_ADDRESS_PATH: the id they were given, and why the router refused them. */
const unreadableAddresses = new WeakMap<IncomingMessage, { id: string; code: string }>();

/**
 * Fastify's frameworkErrors: a request whose address the router cannot read (FST_ERR_BAD_URL: a %
 * that starts no escape of UTF-8, as in /%ff, /%zz or /%; FST_ERR_MAX_PARAM_LENGTH: a part of
 * the path longer than the router takes). Fastify calls this before any hook has run, with a
 * request of no route: answered here, the answer would have no security headers, no request id
 * and no session (Fastify's own answer was bare JSON). So the request is routed again, to an
 * address kept for it, where every hook runs as for any other request, and is answered there as
 * a bad request: the site's error page, or the API's error JSON under /api/ (by the address it
 * came with, which request.originalUrl keeps).
 */
export function answerUnreadableAddress(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  const raw: IncomingMessage & { originalUrl?: string } = request.raw;
  unreadableAddresses.set(raw, { id: request.id, code: error.code });
  raw.originalUrl = raw.url;
  raw.url = UNREADABLE_ADDRESS_PATH;
  request.server.routing(raw, reply.raw);
}

/** The id a request routed again by answerUnreadableAddress was given the first time, so it keeps it. */
export function unreadableAddressRequestId(raw: IncomingMessage): string | undefined {
  return unreadableAddresses.get(raw)?.id;
}

/**
 * The address answerUnreadableAddress routes requests to. Registered after every hook of the app
 * (helmet's headers, the session, the request id), so that all of them run for it.
 */
export async function unreadableAddressRoutes(app: FastifyInstance): Promise<void> {
  // Whatever was sent, it is not read: the address is the problem, not a body's type or size.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (_request, _payload, done) => done(null, undefined));
  // No CSRF token is asked of a form sent there: nothing is done, and the answer is the 400.
  app.all(UNREADABLE_ADDRESS_PATH, { config: { csrf: false } }, async (request, reply) => {
    const refused = unreadableAddresses.get(request.raw);
    // Asked for by its own name, it is no page.
    if (!refused) return reply.callNotFound();
    const tooLong = refused.code === 'FST_ERR_MAX_PARAM_LENGTH';
    throw new AppError(
      'bad-request',
      wantsJson(request)
        ? `The path could not be understood: ${tooLong ? 'a part of it is too long' : 'each % in it must start an escape of UTF-8, such as %20 or %C3%A9'}.`
        : 'This address could not be understood. Check it for a mistake, or start again from the home page.',
    );
  });
}

/**
 * A body an API operation could not read (Fastify refuses it before the operation sees it): the
 * API's 422 for the body, saying what to send, instead of a bare 400 or 415.
 */
function unreadableApiBody(error: FastifyError, request: FastifyRequest): AppError | undefined {
  const expected = request.routeOptions.config?.apiBodyType;
  if (!expected) return undefined;
  const json = error.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || error.code === 'FST_ERR_CTP_EMPTY_JSON_BODY';
  const message =
    error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' || (json && expected !== 'application/json')
      ? `Send the body with Content-Type: ${expected}.`
      : error.code === 'FST_ERR_CTP_INVALID_JSON_BODY'
        ? 'The body is not valid JSON.'
        : error.code === 'FST_ERR_CTP_EMPTY_JSON_BODY'
          ? 'The body is empty but its Content-Type is application/json: send a JSON body, or no Content-Type when there is nothing to send.'
          : undefined;
  return message ? new AppError('unprocessable', message, { body: message }) : undefined;
}

const CSRF_ERRORS = new Set(['FST_CSRF_INVALID_TOKEN', 'FST_CSRF_MISSING_SECRET']);

/**
 * A page's form refused for its CSRF token, titled for what happened ("You have been signed out"),
 * not as any other 403 ("You cannot do that"): nothing was refused to this person as such.
 */
class RefusedForm extends AppError {
  constructor(
    readonly title: string,
    message: string,
    links: AppErrorLink[],
  ) {
    super('forbidden', message, undefined, links);
  }
}

/**
 * A page's form whose CSRF token its session does not take: what happened (signed out, or signed
 * in again, in another tab) and where to go next, as expiredFormAnswer says.
 */
function refusedForm(error: FastifyError, request: FastifyRequest): AppError | undefined {
  if (!CSRF_ERRORS.has(error.code) || wantsJson(request)) return undefined;
  const { title, message, links } = expiredFormAnswer(request);
  return new RefusedForm(title, message, links);
}

/** The machine-readable code of a failure that was not an AppError (CSRF, rate limits, body parsing, 500s). */
function codeFor(status: number): string {
  const known = Object.entries(APP_ERROR_STATUS).find(([, value]) => value === status);
  return known ? known[0] : status >= 500 ? 'internal-error' : 'bad-request';
}

/** The heading of a failure: a page's, or for JSON one that names no page (an API call is not a page). */
function titleFor(status: number, request: FastifyRequest): string {
  if (status === 401) return 'Sign in required';
  if (status === 403) return 'You cannot do that';
  if (status === 404) return wantsJson(request) ? 'Not found' : 'Page not found';
  // A conflict is a race lost ("already approved by …") or a state that refuses the change (locked,
  // expired): the message says which; the title must fit both.
  if (status === 409) return 'That cannot be done now';
  if (status === 429) return 'Too many attempts';
  if (status >= 500) return 'Sorry, something went wrong';
  return 'There is a problem';
}

/** An address nothing answers: for the API, the operation that does not exist and where the real ones are listed. */
function notFoundMessage(request: FastifyRequest): string {
  const path = request.url.split('?')[0] ?? request.url;
  if (path.startsWith('/api/')) {
    return `There is no operation ${request.method} ${path}. The operations are listed at /api/openapi.json.`;
  }
  if (wantsJson(request)) return `Nothing answers ${request.method} ${path}.`;
  return 'We could not find that page. Check the address, or start again from the home page.';
}

function respond(
  request: FastifyRequest,
  reply: FastifyReply,
  status: number,
  title: string,
  message: string,
  appError?: AppError,
) {
  if (wantsJson(request)) {
    const code = appError?.code ?? codeFor(status);
    const fields = appError?.fields;
    return reply.status(status).send({ error: { status, code, title, message, requestId: request.id, fields } });
  }
  return sendPage(
    reply,
    <Page context={pageContext(request, reply)} title={title}>
      <h1>{title}</h1>
      <p>{message}</p>
      {appError?.links.length ? (
        <ul>
          {appError.links.map((link) => (
            <li key={link.href}>
              <a href={link.href}>{link.text}</a>
            </li>
          ))}
        </ul>
      ) : null}
      <p>
        <a href="/">Go to the home page</a>
      </p>
    </Page>,
    status,
  );
}
