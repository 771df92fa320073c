import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { inspect } from 'node:util';
import pino, { type LoggerOptions } from 'pino';
import { type Config, ConfigError } from '../config.ts';
import { cloudLoggingOptions } from './cloud-logging-format.ts';

/** Secrets that must never reach a log line, wherever they appear in a request or an error. */
const REDACT = [
  'req.headers.cookie',
  'req.headers.authorization',
  'res.headers["set-cookie"]',
  '*.password',
  '*.secret',
  '*.token',
];

/**
 * Query parameters whose values are secrets: a form's CSRF token (upload forms send it in the
 * address, as the body is read only after the check), the sign-in callback's code and state.
 */
const SECRET_QUERY_PARAMETERS = new Set(['_csrf', 'code', 'state', 'token', 'access_token']);

/** The address as logged: the value of each secret query parameter replaced. */
export function loggableUrl(url: string): string {
  const query = url.indexOf('?');
  if (query === -1) return url;
  const parts = url
    .slice(query + 1)
    .split('&')
    .map((part) => {
      const name = part.split('=', 1)[0] ?? '';
      let decoded = name;
      try {
        decoded = decodeURIComponent(name);
      } catch {}
      return SECRET_QUERY_PARAMETERS.has(decoded) ? `${name}=[Redacted]` : part;
    });
  return `${url.slice(0, query)}?${parts.join('&')}`;
}

/** A request as its log lines show it: Fastify's own fields, the address without secrets. */
interface LoggedRequest {
  method?: string;
  url?: string;
  host?: string;
  ip?: string;
  socket?: { remotePort?: number };
}

function requestSerializer(request: LoggedRequest): Record<string, unknown> {
  return {
    method: request.method,
    url: request.url === undefined ? undefined : loggableUrl(request.url),
    host: request.host,
    remoteAddress: request.ip,
    remotePort: request.socket?.remotePort,
  };
}

export function loggerOptions(config: Pick<Config, 'logging'>, name: string): LoggerOptions {
  const base: LoggerOptions = {
    level: config.logging.level,
    name,
    redact: REDACT,
    serializers: { req: requestSerializer },
  };
  return config.logging.format === 'gcp' ? { ...base, ...cloudLoggingOptions(name) } : base;
}

export function createLogger(config: Pick<Config, 'logging'>, name: string): pino.Logger {
  return pino(loggerOptions(config, name));
}

/**
 * A request id for every request: the caller's X-Request-Id if it is a sane token, else the
 * Cloud Run trace id, else a new one. Every log line of the request carries it.
 */
export function requestId(request: IncomingMessage): string {
  const given = request.headers['x-request-id'];
  if (typeof given === 'string' && /^[A-Za-z0-9._-]{8,128}$/.test(given)) return given;
  const trace = request.headers['x-cloud-trace-context'];
  if (typeof trace === 'string') {
    const traceId = trace.split('/')[0];
    if (traceId && /^[0-9a-f]{32}$/i.test(traceId)) return traceId;
  }
  return randomUUID();
}

/**
 * Why a process could not start (settings refused, the database unreachable or not migrated).
 * With LOG_FORMAT=gcp (Cloud Run) it is one structured ERROR entry, its stack in stack_trace:
 * printed bare, Cloud Logging would split the text and the stack into lines without a severity,
 * which no alert on errors sees. Elsewhere (a terminal) the text is printed as it reads. Read
 * straight from the environment: the configuration may be what failed.
 */
export function reportStartFailure(
  error: unknown,
  name: string,
  env: Record<string, string | undefined> = process.env,
  output: { sink?: pino.DestinationStream; printPlain?: (text: string) => void } = {},
): void {
  const refused = error instanceof ConfigError;
  if (env.LOG_FORMAT !== 'gcp') {
    const print = output.printPlain ?? ((text: string) => process.stderr.write(text));
    print(`${refused ? error.message : inspect(error)}\n`);
    return;
  }
  const options = loggerOptions({ logging: { level: 'info', format: 'gcp' } }, name);
  // Synchronous: the process exits straight after.
  const log = pino(options, output.sink ?? pino.destination({ fd: 2, sync: true }));
  if (refused) log.error({ problems: error.problems }, error.message);
  else
    log.error({ err: error }, `the ${name} could not start: ${error instanceof Error ? error.message : String(error)}`);
}
