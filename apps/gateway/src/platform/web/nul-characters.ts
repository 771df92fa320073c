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
    if (holdsNul(request.body)) throw refusal();
  });
}

function refusal(): AppError {
  return new AppError(
    'bad-request',
    'The request could not be understood: it holds a character (NUL) that is not allowed.',
  );
}

function holdsNul(value: unknown, depth = 0): boolean {
  if (typeof value === 'string') return value.includes('\u0000');
  if (depth > 20 || value === null || typeof value !== 'object') return false;
  if (Buffer.isBuffer(value)) return false;
  const items = Array.isArray(value) ? value : [...Object.keys(value), ...Object.values(value)];
  return items.some((item) => holdsNul(item, depth + 1));
}
