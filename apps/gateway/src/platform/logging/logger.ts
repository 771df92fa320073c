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

export function loggerOptions(config: Pick<Config, 'logging'>, name: string): LoggerOptions {
  const base: LoggerOptions = { level: config.logging.level, name, redact: REDACT };
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
