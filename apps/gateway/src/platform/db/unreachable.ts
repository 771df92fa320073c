/**
 * Whether a database error means the database cannot be reached just now (down, failing over,
 * refusing connections, or the connection to it lost or timed out), rather than that a statement
 * was wrong. Such a failure is passing: a person is asked to try again shortly (503), not told
 * that something broke. The error may be wrapped: its causes are looked at too.
 */
export function isDatabaseUnreachable(error: unknown): boolean {
  for (let current = error, depth = 0; current && depth < 5; current = causeOf(current), depth++) {
    if (typeof current !== 'object') return false;
    const { code, message } = current as { code?: unknown; message?: unknown };
    if (typeof code === 'string' && (NETWORK_CODES.has(code) || SERVER_UNAVAILABLE.test(code))) return true;
    if (typeof message === 'string' && UNREACHABLE_MESSAGES.some((pattern) => pattern.test(message))) return true;
  }
  return false;
}

function causeOf(error: unknown): unknown {
  return typeof error === 'object' && error !== null && 'cause' in error ? error.cause : undefined;
}

/** Node's errors for a connection that could not be made or was lost. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
]);

/**
 * PostgreSQL's SQLSTATEs for the same: class 08 (connection exception), 57P01–57P03 (shutting
 * down, crashed, cannot connect now: a failover or restart) and 53300 (too many connections).
 */
const SERVER_UNAVAILABLE = /^(08...|57P0[123]|53300)$/;

/** node-postgres and PGlite say so in words only. */
const UNREACHABLE_MESSAGES = [
  /^timeout exceeded when trying to connect$/i,
  /^Connection terminated/i,
  /^Query read timeout$/i,
  /^Cannot use a pool after calling end on the pool$/i,
  /^PGlite is closed$/i,
];
