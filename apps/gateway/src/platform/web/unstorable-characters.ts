import type { FastifyInstance } from 'fastify';
import { AppError, BODY_NOT_VALID } from './errors.ts';

/**
 * PostgreSQL text cannot hold U+0000, nor a lone half of a UTF-16 surrogate pair (JSON's "\ud800"
 * with no partner: it has no UTF-8 form): a value with either fails any query it reaches ("invalid
 * byte sequence for encoding UTF8: 0x00", "invalid input syntax for type json"), which answered 500
 * wherever an address, a search or a form field went to the database, and a quote so refused had
 * already used up its number. Nobody types one, so a request carrying one is refused at the edge,
 * before a handler reads or writes anything: the address (path and query, %00) as it arrives, the
 * parsed body (forms and JSON, at any depth) before validation. Multipart parts are read by their
 * handlers, which check each field's format. (A surrogate written in an address, %ED%A0%80, is no
 * UTF-8 either: it is decoded as U+FFFD, which is stored as it is.)
 */
export function refuseUnstorableCharacters(app: FastifyInstance): void {
  app.addHook('onRequest', async (request) => {
    if (request.url.includes('%00') || request.url.includes('\u0000')) throw refusal(NUL);
  });
  app.addHook('preValidation', async (request) => {
    const found = unstorableAt(request.body);
    if (found === undefined) return;
    // An API operation's body problems are its 422, a message per field, as its document says.
    if (request.routeOptions.config?.apiBodyType) {
      throw new AppError('unprocessable', BODY_NOT_VALID, {
        [found.path.join('.') || 'body']: `This holds a character (${found.character}) that is not allowed`,
      });
    }
    throw refusal(found.character);
  });
}

const NUL = 'NUL';
const LONE_SURROGATE = 'half of a surrogate pair';

function refusal(character: string): AppError {
  return new AppError(
    'bad-request',
    `The request could not be understood: it holds a character (${character}) that is not allowed.`,
  );
}

/** The character a string cannot be stored with, or undefined when it can be. */
function unstorableIn(text: string): string | undefined {
  if (text.includes('\u0000')) return NUL;
  return text.isWellFormed() ? undefined : LONE_SURROGATE;
}

/** Where the first unstorable character is, as the path to its value (or key), and which it is. */
function unstorableAt(value: unknown, path: string[] = []): { path: string[]; character: string } | undefined {
  if (typeof value === 'string') {
    const character = unstorableIn(value);
    return character ? { path, character } : undefined;
  }
  if (path.length > 20 || value === null || typeof value !== 'object') return undefined;
  if (Buffer.isBuffer(value)) return undefined;
  for (const [key, item] of Object.entries(value)) {
    const character = unstorableIn(key);
    if (character) return { path: [...path, key], character };
    const found = unstorableAt(item, [...path, key]);
    if (found) return found;
  }
  return undefined;
}
