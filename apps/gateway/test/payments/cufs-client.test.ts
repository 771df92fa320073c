import { mkdtemp } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type CufsTestApp, startCufsTestApp } from '../../../cufs/test/support/cufs-test-app.ts';
import {
  CufsClient,
  type CufsClientOptions,
  cufsClientFromConfig,
  googleIdTokenSource,
} from '../../src/modules/payments/cufs-client.ts';
import { parseGlCode, parseGrant } from '../../src/modules/payments/finance-code.ts';
import { startTestApp, testConfig } from '../support/test-app.ts';

/** A real HTTP server on a free port, answering with whatever the test says. */
async function startServer(
  handle: (request: IncomingMessage, response: ServerResponse) => void,
): Promise<{ url: string; hits: () => number; close(): Promise<void> }> {
  let hits = 0;
  const server: Server = createServer((request, response) => {
    hits++;
    handle(request, response);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    hits: () => hits,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * Google's metadata server as a Cloud Run instance sees it, for google-auth-library (pointed here by
 * GCE_METADATA_HOST, with no gcloud of the machine's in the way): every answer says
 * Metadata-Flavor: Google; the identity path answers `token(audience)` (undefined: 503).
 */
async function startMetadataServer(token: (audience: string) => string | undefined) {
  const server = await startServer((request, response) => {
    response.setHeader('metadata-flavor', 'Google');
    const url = new URL(request.url ?? '/', 'http://metadata');
    if (request.headers['metadata-flavor'] !== 'Google') {
      response.statusCode = 403;
      response.end();
      return;
    }
    if (url.pathname !== '/computeMetadata/v1/instance/service-accounts/default/identity') {
      response.end(url.pathname === '/computeMetadata/v1/instance' ? '{}' : '');
      return;
    }
    const answer = token(url.searchParams.get('audience') ?? '');
    response.statusCode = answer === undefined ? 503 : 200;
    response.end(answer ?? '');
  });
  const saved = {
    host: process.env.GCE_METADATA_HOST,
    sdk: process.env.CLOUDSDK_CONFIG,
    project: process.env.GOOGLE_CLOUD_PROJECT,
    adc: process.env.GOOGLE_APPLICATION_CREDENTIALS,
  };
  process.env.GCE_METADATA_HOST = new URL(server.url).host;
  // As on Cloud Run, no gcloud to ask for the project (a machine's gcloud takes seconds to answer).
  process.env.GOOGLE_CLOUD_PROJECT = 'test-project';
  process.env.CLOUDSDK_CONFIG = await mkdtemp(path.join(tmpdir(), 'no-gcloud-'));
  delete process.env.GOOGLE_APPLICATION_CREDENTIALS;
  return {
    ...server,
    close: async () => {
      for (const [name, value] of [
        ['GCE_METADATA_HOST', saved.host],
        ['CLOUDSDK_CONFIG', saved.sdk],
        ['GOOGLE_CLOUD_PROJECT', saved.project],
        ['GOOGLE_APPLICATION_CREDENTIALS', saved.adc],
      ] as const) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
      await server.close();
    },
  };
}

/** A port nothing listens on: a server started and stopped again. */
async function deadUrl(): Promise<string> {
  const server = await startServer(() => {});
  await server.close();
  return server.url;
}

const fast: Partial<CufsClientOptions> = { timeoutMs: 300, retries: 2, backoffMs: 20, budgetMs: 2_000 };

describe('the gateway CUFS client against the real CUFS service over HTTP', () => {
  let cufs: CufsTestApp;
  let cufsUrl: string;
  let requests = 0;
  const gateway = testConfig();

  beforeAll(async () => {
    // The service's embedded default (the dev token only), which the gateway's default CUFS_TOKEN must open.
    cufs = await startCufsTestApp({ env: { CUFS_API_TOKENS: '', CUFS_RATE_LIMIT_PER_MINUTE: '100000' } });
    cufs.app.server.on('request', () => requests++);
    cufsUrl = await cufs.app.listen({ host: '127.0.0.1', port: 0 });
  });
  afterAll(() => cufs.close());

  /** Sends a request on to the real CUFS service with its Authorization header, and its answer back. */
  function passToCufs(request: IncomingMessage, response: ServerResponse): void {
    void fetch(`${cufsUrl}${request.url}`, { headers: { authorization: request.headers.authorization ?? '' } }).then(
      async (upstream) => {
        response.statusCode = upstream.status;
        response.setHeader('content-type', 'application/json');
        response.end(await upstream.text());
      },
    );
  }

  const client = (options: Partial<CufsClientOptions> = {}) =>
    new CufsClient({ ...fast, baseUrl: cufsUrl, token: gateway.cufs.token, ...options });

  it('reaches the service with the gateway default settings and gets names and dates for a valid code', async () => {
    expect(gateway.cufs.url).toBe('http://localhost:3001');
    const check = await cufsClientFromConfig({ ...gateway.cufs, url: cufsUrl }).checkGlCode('phaa gaaa', '2026-11-27');
    expect(check).toEqual({
      outcome: 'valid',
      code: { kind: 'gl', costCentre: 'PHAA', sourceOfFunds: 'GAAA', transactionCode: null },
      names: ['Physics: general', 'Department of Physics', 'External trading'],
      validFrom: '2000-08-01',
      validTo: null,
    });
  });

  it('answers invalid with the reason for closed, disabled and expired codes', async () => {
    const c = client();
    expect(await c.checkGlCode('PHZX.GAAA')).toMatchObject({ outcome: 'invalid', reason: 'cost-centre-closed' });
    expect(await c.checkGlCode('PHAA.GAAZ')).toMatchObject({ outcome: 'invalid', reason: 'source-of-funds-disabled' });
    expect(await c.checkGrant({ award: 'G100234', project: 'GEAG0017', task: '1' }, '2026-11-27')).toMatchObject({
      outcome: 'invalid',
      reason: 'project-ended',
      message: 'Project GEAG0017 ended on 31 December 2024.',
    });
    expect(await c.checkGrant({ award: 'RG94772', project: 'PHAG0042', task: '1.1' }, '2026-11-27')).toMatchObject({
      outcome: 'valid',
      names: [
        'Quantum materials at scale',
        'UKRI EPSRC',
        'Quantum materials: data and computing',
        'Research computing and storage',
      ],
      validFrom: '2024-10-01',
      validTo: '2028-09-30',
    });
  });

  it('decides malformed without a network call', async () => {
    const before = requests;
    const check = await client().checkGlCode('PHAA.GA');
    expect(check).toMatchObject({ outcome: 'malformed', problems: [{ field: 'code' }] });
    expect(await client().checkGrant({ award: 'X1', project: 'PHAG0042', task: '1' })).toMatchObject({
      outcome: 'malformed',
      problems: [{ field: 'award' }],
    });
    expect(requests).toBe(before);
  });

  it('caches an answer for a short time: the second check of the same code makes no request', async () => {
    // Time enough that a slow answer on busy cores is not retried: this counts the requests sent.
    const c = client({ timeoutMs: 5_000, budgetMs: 10_000 });
    const before = requests;
    await c.checkGlCode('CHAA.GAAB', '2026-11-27');
    await c.checkGlCode('chaa-gaab', '2026-11-27');
    expect(requests).toBe(before + 1);
    await c.checkGlCode('CHAA.GAAB', '2026-11-28');
    expect(requests).toBe(before + 2);
  });

  it('agrees with the service on what is malformed, for any text (contract between the two copies of the rules)', async () => {
    const glText = fc.oneof(
      fc.string({ maxLength: 16 }),
      fc.stringMatching(/^[A-Za-z0-9]{2,5}[ .\-/]?[A-Za-z0-9]{3,5}([ .-][A-Za-z0-9]{3,5})?$/),
    );
    await fc.assert(
      fc.asyncProperty(glText, async (text) => {
        const service = await cufs.app.inject({
          url: `/v1/gl-codes/validate?${new URLSearchParams({ code: text, on: '2026-11-27' })}`,
          headers: { authorization: `Bearer ${gateway.cufs.token}` },
        });
        expect(service.statusCode === 400, JSON.stringify(text)).toBe(!parseGlCode(text).ok);
      }),
      { numRuns: 150 },
    );
    const grantPart = fc.oneof(fc.string({ maxLength: 10 }), fc.stringMatching(/^(RG|G|rg)?[0-9.]{1,9}[A-Z]?$/));
    await fc.assert(
      fc.asyncProperty(grantPart, grantPart, grantPart, async (award, project, task) => {
        const service = await cufs.app.inject({
          url: `/v1/grants/validate?${new URLSearchParams({ award, project, task })}`,
          headers: { authorization: `Bearer ${gateway.cufs.token}` },
        });
        expect(service.statusCode === 400).toBe(!parseGrant({ award, project, task }).ok);
      }),
      { numRuns: 150 },
    );
  });

  it('is unavailable, quickly, when the service is down', async () => {
    const started = Date.now();
    const check = await new CufsClient({ ...fast, baseUrl: await deadUrl() }).checkGlCode('PHAA.GAAA');
    expect(check).toEqual({ outcome: 'unavailable', cause: 'network' });
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it('gives up on a service that stalls, within its time budget', async () => {
    const stalling = await startServer(() => {}); // never answers
    try {
      const started = Date.now();
      const check = await new CufsClient({
        baseUrl: stalling.url,
        timeoutMs: 200,
        retries: 5,
        backoffMs: 10,
        budgetMs: 700,
      }).checkGlCode('PHAA.GAAA');
      const elapsed = Date.now() - started;
      expect(check).toEqual({ outcome: 'unavailable', cause: 'timeout' });
      expect(elapsed).toBeGreaterThanOrEqual(600);
      expect(elapsed).toBeLessThan(1_200);
      // 200 ms attempts until the 700 ms budget runs out: three whole ones, and a shorter fourth
      // when the jittered backoff leaves more than 50 ms of the budget after the third
      expect(stalling.hits()).toBeGreaterThanOrEqual(3);
      expect(stalling.hits()).toBeLessThanOrEqual(4);
    } finally {
      await stalling.close();
    }
  });

  it('takes an answer whose body stalls half-way as a timeout, and tries again', async () => {
    const halfway = await startServer((_request, response) => {
      response.setHeader('content-type', 'application/json');
      response.write('{"result":"va'); // and nothing more
    });
    try {
      const check = await new CufsClient({ ...fast, baseUrl: halfway.url }).checkGlCode('PHAA.GAAA');
      expect(check).toEqual({ outcome: 'unavailable', cause: 'timeout' });
      expect(halfway.hits()).toBe(3);
    } finally {
      await halfway.close();
    }
  });

  it('retries a 500 with backoff and then reports the server error; a refusal (401) is not retried', async () => {
    const failing = await startServer((_request, response) => {
      response.statusCode = 500;
      response.end('{"error":"boom"}');
    });
    try {
      expect(await new CufsClient({ ...fast, baseUrl: failing.url }).checkGlCode('PHAA.GAAA')).toEqual({
        outcome: 'unavailable',
        cause: 'server-error',
      });
      expect(failing.hits()).toBe(3);
    } finally {
      await failing.close();
    }
    const before = requests;
    const refused = await new CufsClient({ ...fast, baseUrl: cufsUrl, token: 'wrong-token' }).checkGlCode('PHAA.GAAA');
    expect(refused).toEqual({ outcome: 'unavailable', cause: 'refused' });
    expect(requests).toBe(before + 1);
  });

  it('treats an answer it cannot read as unavailable, not as a verdict', async () => {
    const odd = await startServer((_request, response) => {
      response.setHeader('content-type', 'application/json');
      response.end('{"result":"valid"}');
    });
    try {
      expect(await new CufsClient({ ...fast, baseUrl: odd.url }).checkGlCode('PHAA.GAAA')).toEqual({
        outcome: 'unavailable',
        cause: 'bad-answer',
      });
    } finally {
      await odd.close();
    }
  });

  it('on Cloud Run, gets past the IAM check with an ID token in X-Serverless-Authorization and still sends the CUFS token', async () => {
    // Terraform gives cufs no public invoker: Cloud Run itself refuses (401) a request without a
    // Google ID token for the service, before CUFS sees it, and the CUFS token is no such token.
    // This front does what Cloud Run does: it checks X-Serverless-Authorization when present and
    // passes Authorization on to the real service.
    const idToken = (exp: number) =>
      [
        'e30',
        Buffer.from(JSON.stringify({ aud: 'https://cufs-abc-nw.a.run.app', exp })).toString('base64url'),
        'sig',
      ].join('.');
    const audiences: string[] = [];
    const metadata = await startMetadataServer((audience) => {
      audiences.push(audience);
      return idToken(Math.floor(Date.now() / 1000) + 3600);
    });
    const seen: { serverless?: string; authorization?: string }[] = [];
    const cloudRun = await startServer((request, response) => {
      const serverless = request.headers['x-serverless-authorization']?.toString();
      seen.push({ serverless, authorization: request.headers.authorization });
      if (typeof serverless !== 'string' || !serverless.startsWith('Bearer e30.')) {
        response.statusCode = 401;
        response.end();
        return;
      }
      passToCufs(request, response);
    });
    try {
      // Without the audience (as Terraform deployed it before): every check refused at the door.
      const without = new CufsClient({ ...fast, baseUrl: cloudRun.url, token: gateway.cufs.token });
      expect(await without.checkGlCode('PHAA.GAAA')).toEqual({ outcome: 'unavailable', cause: 'refused' });

      const serverlessToken = googleIdTokenSource('https://cufs-abc-nw.a.run.app');
      const c = new CufsClient({ ...fast, baseUrl: cloudRun.url, token: gateway.cufs.token, serverlessToken });
      expect(await c.checkGlCode('PHAA.GAAA')).toMatchObject({ outcome: 'valid' });
      expect(await c.checkGlCode('PHAB.GAAA')).toMatchObject({ outcome: 'valid' });
      expect(seen.at(-1)).toEqual({
        serverless: expect.stringMatching(/^Bearer e30\./),
        authorization: `Bearer ${gateway.cufs.token}`,
      });
      // One token for both calls: it is kept until shortly before it expires.
      expect(audiences).toEqual(['https://cufs-abc-nw.a.run.app']);
    } finally {
      await cloudRun.close();
      await metadata.close();
    }
  });

  it('asks the metadata server again once a token is within five minutes of expiring', async () => {
    vi.useFakeTimers({ toFake: ['Date'], now: 1_000_000_000_000 });
    let served = 0;
    const metadata = await startMetadataServer(() => {
      served++;
      const exp = Math.floor(Date.now() / 1000) + 3600;
      return ['e30', Buffer.from(JSON.stringify({ exp })).toString('base64url'), `s${served}`].join('.');
    });
    try {
      const source = googleIdTokenSource('https://cufs.example');
      const first = await source();
      expect(await source()).toBe(first);
      vi.advanceTimersByTime(54 * 60_000);
      expect(await source()).toBe(first);
      vi.advanceTimersByTime(2 * 60_000);
      expect(await source()).not.toBe(first);
      expect(served).toBe(2);
    } finally {
      vi.useRealTimers();
      await metadata.close();
    }
  });

  it('fails, and asks again on the next call, while the metadata server refuses', async () => {
    let refuse = true;
    const metadata = await startMetadataServer(() => (refuse ? undefined : 'e30.e30.sig'));
    try {
      const source = googleIdTokenSource('https://cufs.example');
      await expect(source()).rejects.toThrow();
      refuse = false;
      expect(await source()).toBe('e30.e30.sig');
    } finally {
      await metadata.close();
    }
  });

  it('gives up within its time budget when the metadata server never answers for an ID token', async () => {
    const metadata = await startServer(() => {});
    const saved = process.env.GCE_METADATA_HOST;
    process.env.GCE_METADATA_HOST = new URL(metadata.url).host;
    try {
      const serverlessToken = googleIdTokenSource('https://cufs.example');
      const c = new CufsClient({ ...fast, baseUrl: cufsUrl, token: gateway.cufs.token, serverlessToken });
      const started = performance.now();
      expect(await c.checkGlCode('PHAA.GAAA')).toEqual({ outcome: 'unavailable', cause: 'timeout' });
      expect(performance.now() - started).toBeLessThan(fast.budgetMs ?? 0);
    } finally {
      if (saved === undefined) delete process.env.GCE_METADATA_HOST;
      else process.env.GCE_METADATA_HOST = saved;
      await metadata.close();
    }
  });

  it('opens the breaker after repeated failures, stops calling, then closes again once the service recovers', async () => {
    // A flaky front for the real service: fails while `broken`, else passes requests through.
    let broken = true;
    const front = await startServer((request, response) => {
      if (broken) {
        response.statusCode = 503;
        response.end();
        return;
      }
      passToCufs(request, response);
    });
    let skew = 0;
    const c = new CufsClient({
      ...fast,
      retries: 0,
      baseUrl: front.url,
      token: gateway.cufs.token,
      breaker: { failureThreshold: 2, resetAfterMs: 30_000 },
      now: () => Date.now() + skew,
    });
    try {
      expect(await c.checkGlCode('PHAA.GAAA')).toMatchObject({ cause: 'server-error' });
      expect(c.breakerState).toBe('closed');
      expect(await c.checkGlCode('PHAB.GAAA')).toMatchObject({ cause: 'server-error' });
      expect(c.breakerState).toBe('open');
      const hits = front.hits();
      expect(await c.checkGlCode('GEAA.GAAA')).toEqual({ outcome: 'unavailable', cause: 'circuit-open' });
      expect(front.hits()).toBe(hits);

      skew = 30_000; // the pause is over: one trial goes through
      expect(c.breakerState).toBe('half-open');
      expect(await c.checkGlCode('GEAA.GAAA')).toMatchObject({ cause: 'server-error' });
      expect(c.breakerState).toBe('open');

      broken = false;
      skew = 60_000;
      expect(await c.checkGlCode('GEAA.GAAA')).toMatchObject({ outcome: 'valid' });
      expect(c.breakerState).toBe('closed');
      expect(await c.checkGlCode('ENAA.GAAA')).toMatchObject({ outcome: 'valid' });
    } finally {
      await front.close();
    }
  });
});

describe('the request id on CUFS calls', () => {
  it("sends the page request's id as X-Request-Id, so CUFS's log lines match the gateway's", async () => {
    const seen: (string | undefined)[] = [];
    const cufs = await startServer((request, response) => {
      seen.push(request.headers['x-request-id'] as string | undefined);
      response.setHeader('content-type', 'application/json');
      response.end(JSON.stringify({ result: 'invalid', reason: 'closed', message: 'Closed.' }));
    });
    const client = cufsClientFromConfig({ url: cufs.url });
    const t = await startTestApp({
      extend: (app) =>
        app.get('/test/check-gl-code', async () => {
          await client.checkGlCode('PHAA.GAAA');
          return { ok: true };
        }),
    });
    try {
      const response = await t.app.inject({ method: 'GET', url: '/test/check-gl-code' });
      expect(response.statusCode).toBe(200);
      expect(seen).toHaveLength(1);
      expect(seen[0]).toBe(response.headers['x-request-id']);
    } finally {
      await t.close();
      await cufs.close();
    }
  });
});
