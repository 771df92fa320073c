import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { APP_ERROR_STATUS, AppError } from './errors.ts';
import { Page } from './layout.tsx';
import { pageContext } from './page-context.ts';
import { sendPage } from './render.ts';

const MACHINE_PREFIXES = ['/api/', '/cloud_tasks/', '/cron/', '/healthz', '/readyz', '/metrics'];

function wantsJson(request: FastifyRequest): boolean {
  return (
    MACHINE_PREFIXES.some((prefix) => request.url.startsWith(prefix)) || request.headers.accept === 'application/json'
  );
}

/**
 * One place turns failures into answers: a readable page for people, a JSON error for machines.
 * Unexpected errors are logged in full and shown only as a reference the person can quote.
 */
export function registerErrorHandling(app: FastifyInstance): void {
  app.setNotFoundHandler((request, reply) =>
    respond(request, reply, 404, titleFor(404, request), notFoundMessage(request)),
  );

  app.setErrorHandler((caught: FastifyError | AppError, request, reply) => {
    const error = caught instanceof AppError ? caught : (unreadableApiBody(caught, request) ?? caught);
    if (error instanceof AppError) {
      if (error.code === 'unauthenticated' && !wantsJson(request) && request.method === 'GET') {
        return reply.redirect(`/sign-in?returnTo=${encodeURIComponent(request.url)}`);
      }
      return respond(request, reply, error.status, titleFor(error.status, request), error.publicMessage, error);
    }
    const status = error.statusCode ?? 500;
    if (status < 500) {
      const message =
        error.code === 'FST_CSRF_INVALID_TOKEN' || error.code === 'FST_CSRF_MISSING_SECRET'
          ? wantsJson(request)
            ? 'The CSRF token is missing or not valid: send it in the x-csrf-token header, or use an access token.'
            : 'This form has expired. Go back, reload the page and try again.'
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
