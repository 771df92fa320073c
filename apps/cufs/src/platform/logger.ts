import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import pino, { type LoggerOptions } from 'pino';

/** Secrets that must never reach a log line: bearer tokens and ID tokens travel in Authorization. */
const REDACT = ['req.headers.authorization', 'req.headers.cookie', '*.token', '*.password', '*.secret'];

export interface LoggingSettings {
  level: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  format: 'json' | 'gcp';
}

const GCP_SEVERITY: Record<string, string> = {
  trace: 'DEBUG',
  debug: 'DEBUG',
  info: 'INFO',
  warn: 'WARNING',
  error: 'ERROR',
  fatal: 'CRITICAL',
};

export function loggerOptions(logging: LoggingSettings, name = 'cufs'): LoggerOptions {
  const base: LoggerOptions = { level: logging.level, name, redact: REDACT };
  if (logging.format === 'json') return base;
  // Google Cloud Logging reads `severity` and `message` from each JSON line.
  return {
    ...base,
    messageKey: 'message',
    formatters: { level: (label) => ({ severity: GCP_SEVERITY[label] ?? 'DEFAULT' }) },
  };
}

export function createLogger(logging: LoggingSettings, name = 'cufs'): pino.Logger {
  return pino(loggerOptions(logging, name));
}

/** The caller's X-Request-Id if sane, else the Cloud Run trace id, else a new one. */
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
