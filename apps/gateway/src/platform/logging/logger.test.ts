import { Writable } from 'node:stream';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../config.ts';
import { loggableUrl, loggerOptions, reportStartFailure } from './logger.ts';

/** The JSON lines a logger with these settings writes. */
function linesOf(format: 'json' | 'gcp', write: (log: pino.Logger) => void): Record<string, unknown>[] {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      lines.push(JSON.parse(String(chunk)));
      done();
    },
  });
  write(pino(loggerOptions({ logging: { level: 'info', format } }, 'gateway'), sink));
  return lines;
}

describe('loggerOptions', () => {
  it('writes plain JSON lines with the level, name and redactions asked for', () => {
    const [line] = linesOf('json', (log) => log.info({ req: { headers: { cookie: 'sid=secret' } } }, 'hello'));
    expect(line).toMatchObject({
      level: 30,
      name: 'gateway',
      msg: 'hello',
    });
    // A request's headers are not logged at all; were they, the cookie would be redacted.
    expect(JSON.stringify(line)).not.toContain('sid=secret');
    const [redacted] = linesOf('json', (log) => log.info({ res: { headers: { 'set-cookie': 'sid=secret' } } }, 'bye'));
    expect(redacted).toMatchObject({ res: { headers: { 'set-cookie': '[Redacted]' } } });
    expect(line).not.toHaveProperty('severity');
  });

  it('logs a request’s address without the secrets a query may carry', () => {
    const [line] = linesOf('json', (log) =>
      log.info(
        {
          req: {
            method: 'POST',
            url: '/storage/buy/RFS/payment?_csrf=1Lvp9mur-abc&step=2',
            host: 'gateway.example',
            ip: '192.0.2.1',
          },
        },
        'incoming request',
      ),
    );
    expect(line?.req).toEqual({
      method: 'POST',
      url: '/storage/buy/RFS/payment?_csrf=[Redacted]&step=2',
      host: 'gateway.example',
      remoteAddress: '192.0.2.1',
    });
    expect(loggableUrl('/sign-in/callback?code=abc123&state=xyz&iss=https%3A%2F%2Fidp')).toBe(
      '/sign-in/callback?code=[Redacted]&state=[Redacted]&iss=https%3A%2F%2Fidp',
    );
    expect(loggableUrl('/a?%5Fcsrf=t&%zz=1&b')).toBe('/a?%5Fcsrf=[Redacted]&%zz=1&b');
    expect(loggableUrl('/storage/')).toBe('/storage/');
  });

  it('writes what Cloud Logging and Error Reporting read when asked for the gcp format', () => {
    const before = Math.floor(Date.now() / 1000);
    const lines = linesOf('gcp', (log) => {
      log.debug('not at this level');
      log.info({ licenceId: 7 }, 'first');
      log.warn('second');
      log.error({ err: new Error('it broke'), call: { token: 'abc' } }, 'failed');
    });
    expect(lines.map((line) => [line.severity, line.message])).toEqual([
      ['INFO', 'first'],
      ['WARNING', 'second'],
      ['ERROR', 'failed'],
    ]);
    const [first, , failed] = lines;
    expect(first).toMatchObject({ licenceId: 7, name: 'gateway', serviceContext: { service: 'gateway' } });
    const timestamp = first?.timestamp as { seconds: number; nanos: number };
    expect(timestamp.seconds).toBeGreaterThanOrEqual(before);
    expect(timestamp.nanos % 1_000_000).toBe(0);
    expect(failed?.stack_trace).toMatch(/^Error: it broke\n\s+at /);
    expect(failed).toMatchObject({ err: { message: 'it broke' }, call: { token: '[Redacted]' } });
    // Cloud Logging orders lines of the same instant by insertId: it must rise with each line.
    const ids = lines.map((line) => String(line['logging.googleapis.com/insertId']));
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(3);
  });
});

describe('reportStartFailure', () => {
  function report(error: unknown, env: Record<string, string | undefined>): { lines: string[]; plain: string } {
    const lines: string[] = [];
    let plain = '';
    const sink = new Writable({
      write(chunk, _encoding, done) {
        lines.push(String(chunk));
        done();
      },
    });
    reportStartFailure(error, 'gateway', env, { sink, printPlain: (text) => (plain += text) });
    return { lines, plain };
  }

  it('on Cloud Run writes one structured ERROR line, not lines Cloud Logging splits without a severity', () => {
    const refused = new ConfigError(['SESSION_SECRET: required in production', 'PUBLIC_URL: required in production']);
    const { lines, plain } = report(refused, { LOG_FORMAT: 'gcp' });
    expect(plain).toBe('');
    expect(lines).toHaveLength(1);
    const line = JSON.parse(lines[0] ?? '') as Record<string, unknown>;
    expect(line).toMatchObject({ severity: 'ERROR', problems: refused.problems });
    expect(line.message).toContain("The gateway's configuration is not valid");
    expect(line.message).toContain('SESSION_SECRET');

    const unreachable = Object.assign(new Error('connect ECONNREFUSED 10.0.0.5:5432'), { code: 'ECONNREFUSED' });
    const [failed] = report(unreachable, { LOG_FORMAT: 'gcp' }).lines.map((text) => JSON.parse(text));
    expect(failed).toMatchObject({
      severity: 'ERROR',
      message: 'the gateway could not start: connect ECONNREFUSED 10.0.0.5:5432',
    });
    expect(failed.stack_trace).toContain('ECONNREFUSED');
  });

  it('at a terminal prints the refusal as it reads', () => {
    const { lines, plain } = report(new ConfigError(['PORT: expected a number']), {});
    expect(lines).toEqual([]);
    expect(plain).toBe("The gateway's configuration is not valid:\n  - PORT: expected a number\n");
  });
});
