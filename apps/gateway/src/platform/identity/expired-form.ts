import type { FastifyRequest } from 'fastify';
import type { AppErrorLink } from '../web/errors.ts';
import { safeReturnPath } from './current-person.ts';

/** The CSRF token a request carries: a form's _csrf field, the x-csrf-token header, or (uploads only) the query. */
export function csrfTokenFromRequest(request: FastifyRequest): string | undefined {
  const body = request.body as Record<string, unknown> | undefined;
  const fromBody = body && typeof body._csrf === 'string' ? body._csrf : undefined;
  const header = request.headers['x-csrf-token'];
  // Streamed uploads are read after the check, so their forms carry the token in the query; no
  // other request may, so a token is not put in addresses (and so in logs and history) elsewhere.
  const query = isMultipart(request) ? (request.query as Record<string, unknown> | undefined)?._csrf : undefined;
  return (
    fromBody ?? (typeof header === 'string' ? header : undefined) ?? (typeof query === 'string' ? query : undefined)
  );
}

function isMultipart(request: FastifyRequest): boolean {
  return request.headers['content-type']?.toLowerCase().startsWith('multipart/form-data') ?? false;
}

const EXPIRED_FORM = 'This form has expired. Go back, reload the page and try again.';

/** What a refused form's page says: its title (what happened), its message and where to go next. */
export interface ExpiredFormAnswer {
  title: string;
  message: string;
  links: AppErrorLink[];
}

/** Forms that sign in: sent signed out, as they are meant to be. */
const SIGN_IN_FORMS = new Set(['/dev/sign-in']);

/**
 * What a person is told when a form of theirs carries a CSRF token their session does not take,
 * and where they may go next. The identity plugin reads the session's person before the CSRF
 * check, so `request.person` is whoever is signed in in this browser now:
 * - nobody (they signed out in another tab, or the session ended): they are signed out, with a link
 *   to sign in and come back to the form's page;
 * - someone (they signed in again, perhaps as someone else, in another tab): who is signed in now,
 *   with a link back to the form, which now opens as that person;
 * - a form sent with no token at all, or a sign-in form: the form has expired.
 */
export function expiredFormAnswer(request: FastifyRequest): ExpiredFormAnswer {
  if (!csrfTokenFromRequest(request) || SIGN_IN_FORMS.has(request.routeOptions.url ?? '')) {
    return { title: 'This form has expired', message: EXPIRED_FORM, links: [] };
  }
  const form = formPage(request);
  const person = request.person;
  if (!person) {
    return {
      title: 'You have been signed out',
      message: 'You have been signed out: sign in again, then go back to the form.',
      links: [
        form
          ? { href: `/sign-in?returnTo=${encodeURIComponent(form)}`, text: 'Sign in and go back to the form' }
          : { href: '/sign-in', text: 'Sign in' },
      ],
    };
  }
  return {
    title: 'This form was not sent',
    message: `You are now signed in as ${person.displayName} (${person.crsid}) in this browser: this form was opened before that sign-in, so it was not sent. Go back, reload the page and try again.`,
    links: form ? [{ href: form, text: 'Go back to the form' }] : [],
  };
}

/**
 * The page the form was sent from, when that is safely known: the Referer's path and query, if it
 * is on this site (the host this request came to), a local path (safeReturnPath) and a page that
 * can be opened (a GET route: a form's error page, shown at the address it was sent to, may be none).
 */
export function formPage(request: FastifyRequest): string | undefined {
  const referer = request.headers.referer;
  if (typeof referer !== 'string') return undefined;
  // By host alone: behind a proxy that ends TLS the request may read as http while the page was https.
  const from = URL.parse(referer);
  const here = URL.parse(`${request.protocol}://${request.host}`);
  if (!from || !here || from.host !== here.host) return undefined;
  const path = `${from.pathname}${from.search}`;
  if (safeReturnPath(path) !== path) return undefined;
  const route = request.server.findRoute({ method: 'GET', url: from.pathname });
  return route !== null && !('*' in route.params) ? path : undefined;
}
