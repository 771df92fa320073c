import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/test-app.ts';

let t: TestApp | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

async function appWithLogs(lines: string[], extend?: (app: FastifyInstance) => void): Promise<FastifyInstance> {
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(...String(chunk).trim().split('\n'));
      done();
    },
  });
  t = await startTestApp({ logger: { level: 'info', stream }, extend });
  return t.app;
}

describe('operations', () => {
  it('writes JSON log lines that all carry the request id the response reports', async () => {
    const lines: string[] = [];
    const app = await appWithLogs(lines);
    const response = await app.inject({ url: '/catalogue/', headers: { 'x-request-id': 'req-from-load-balancer-1' } });
    expect(response.headers['x-request-id']).toBe('req-from-load-balancer-1');
    const requestLines = lines.map((line) => JSON.parse(line)).filter((entry) => entry.reqId);
    expect(requestLines.length).toBeGreaterThanOrEqual(2);
    expect(new Set(requestLines.map((entry) => entry.reqId))).toEqual(new Set(['req-from-load-balancer-1']));
  });

  it('never writes a session cookie or a bearer token into the logs', async () => {
    const lines: string[] = [];
    const app = await appWithLogs(lines);
    await app.inject({
      url: '/',
      headers: { cookie: 'ssgw-session=secret-cookie', authorization: 'Bearer secret-token' },
    });
    const all = lines.join('\n');
    expect(all).not.toContain('secret-cookie');
    expect(all).not.toContain('secret-token');
  });

  it('lets a request in flight finish on shutdown and refuses new ones', async () => {
    let release: () => void = () => {};
    let markStarted: () => void = () => {};
    const started = new Promise<void>((resolve) => {
      markStarted = resolve;
    });
    const app = await appWithLogs([], (server) => {
      server.get('/test/slow', async () => {
        markStarted();
        await new Promise<void>((resolve) => {
          release = resolve;
        });
        return { finished: true };
      });
    });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const address = app.server.address();
    if (!address || typeof address === 'string') throw new Error('no port');
    const base = `http://127.0.0.1:${address.port}`;

    const inFlight = fetch(`${base}/test/slow`);
    await started;
    const closing = app.close();
    const refused = await fetch(`${base}/healthz`).then(
      (response) => response.status,
      () => 'connection refused',
    );
    release();
    const finished = await inFlight;
    await closing;
    expect(finished.status).toBe(200);
    expect(await finished.json()).toEqual({ finished: true });
    expect([503, 'connection refused']).toContain(refused);
  });
});
