import type { FastifyInstance } from 'fastify';
import { AppError } from './errors.ts';

/**
 * PostgreSQL text cannot hold U+0000: a value with one fails any query it reaches ("invalid byte
 * sequence for encoding UTF8: 0x00"), which answered 500 wherever an address, a search or a form
 * field went to the database. Nobody types one, so a request carrying one is refused at the edge,
 * before a handler reads or writes anything: the address (path and query, %00) as it arrives, the
 * parsed body (forms and JSON, at any depth) before validation. Multipart parts are read by their
 * handlers, which check each field's format.
 */
export function refuseNulCharacters(app: FastifyInstance): void {
  app.addHook('onRequest', async (request) => {
    if (request.url.includes('%00') || request.url.includes('\u0000')) throw refusal();
  });
  app.addHook('preValidation', async (request) => {
    const at = nulAt(request.body);
    if (at === undefined) return;
    // An API operation's body problems are its 422, a message per field, as its document says.
    if (request.routeOptions.config?.apiBodyType) {
      throw new AppError('unprocessable', 'The request body is not valid: see the message for each field.', {
        [at.join('.') || 'body']: 'This holds a character (NUL) that is not allowed',
      });
    }
    throw refusal();
  });
}

function refusal(): AppError {
  return new AppError(
    'bad-request',
    'The request could not be understood: it holds a character (NUL) that is not allowed.',
  );
}

/** Where the first NUL is, as the path to its value (or key), or undefined when there is none. */
function nulAt(value: unknown, path: string[] = []): string[] | undefined {
  if (typeof value === 'string') return value.includes('\u0000') ? path : undefined;
  if (path.length > 20 || value === null || typeof value !== 'object') return undefined;
  if (Buffer.isBuffer(value)) return undefined;
  for (const [key, item] of Object.entries(value)) {
    if (key.includes('\u0000')) return [...path, key];
    const found = nulAt(item, [...path, key]);
    if (found) return found;
  }
  return undefined;
}
