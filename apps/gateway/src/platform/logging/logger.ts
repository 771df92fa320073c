import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import pino, { type LoggerOptions } from 'pino';
import type { Config } from '../config.ts';
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
