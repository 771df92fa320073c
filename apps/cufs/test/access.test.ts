import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '../src/platform/database.ts';
import { loggerOptions } from '../src/platform/logger.ts';
import { type CufsTestApp, startCufsTestApp, TEST_TOKEN } from './support/cufs-test-app.ts';
import { openCufsTestDatabase } from './support/cufs-test-database.ts';

const AUDIENCE = 'https://cufs-abc123-nw.a.run.app';
const GATEWAY_ACCOUNT = 'gateway@ssgw-prod.iam.gserviceaccount.com';

type Key = Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];

/** A stand-in for Google's certificate endpoint: a real HTTP server publishing our test key. */
async function startJwksServer(jwk: JWK): Promise<{ url: string; server: Server; hits: () => number }> {
  let hits = 0;
  const server = createServer((_request, response) => {
    hits++;
    response.setHeader('content-type', 'application/json');
    response.end(JSON.stringify({ keys: [jwk] }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/certs`, server, hits: () => hits };
}

describe('who may call the CUFS API', () => {
  let database: DatabaseHandle;
  let jwks: Awaited<ReturnType<typeof startJwksServer>>;
  let signingKey: Key;
  let otherKey: Key;
  let t: CufsTestApp;

  beforeAll(async () => {
    database = await openCufsTestDatabase();
    const pair = await generateKeyPair('RS256');
    signingKey = pair.privateKey;
    otherKey = (await generateKeyPair('RS256')).privateKey;
    jwks = await startJwksServer({ ...(await exportJWK(pair.publicKey)), kid: 'test-key', alg: 'RS256', use: 'sig' });
    t = await startCufsTestApp({
      database,
      env: {
        CUFS_ID_TOKEN_AUDIENCE: AUDIENCE,
        CUFS_ID_TOKEN_JWKS_URL: jwks.url,
        CUFS_ALLOWED_SERVICE_ACCOUNTS: GATEWAY_ACCOUNT.toUpperCase(),
      },
    });
  });
  afterAll(async () => {
    await t.close();
    await database.close();
    jwks.server.close();
  });

  /** An ID token shaped like the ones Google's metadata server issues to a Cloud Run service. */
  function idToken(
    claims: Record<string, unknown> = {},
    options: { key?: Key; audience?: string; issuer?: string; expiresIn?: string } = {},
  ): Promise<string> {
    return new SignJWT({ email: GATEWAY_ACCOUNT, email_verified: true, ...claims })
      .setProtectedHeader({ alg: 'RS256', kid: 'test-key' })
      .setIssuer(options.issuer ?? 'https://accounts.google.com')
      .setAudience(options.audience ?? AUDIENCE)
      .setSubject('104857600000000000000')
      .setIssuedAt()
      .setExpirationTime(options.expiresIn ?? '1h')
      .sign(options.key ?? signingKey);
  }

  const call = (token: string) =>
    t.app.inject({ url: '/v1/cost-centres/PHAA', headers: { authorization: `Bearer ${token}` } });

  it('accepts a Google-signed ID token from an allowed service account, and a static token', async () => {
    expect((await call(await idToken())).statusCode).toBe(200);
    expect((await call(TEST_TOKEN)).statusCode).toBe(200);
    expect(jwks.hits()).toBeGreaterThan(0);
  });

  it.each([
    ['another audience', () => idToken({}, { audience: 'https://someone-else.example' })],
    ['another issuer', () => idToken({}, { issuer: 'https://evil.example' })],
    ['an expired token', () => idToken({}, { expiresIn: '-5 minutes' })],
    ['a key not in the JWKS', () => idToken({}, { key: otherKey })],
    ['a service account not on the list', () => idToken({ email: 'intruder@other.iam.gserviceaccount.com' })],
    ['an unverified email', () => idToken({ email_verified: false })],
    ['no email at all', () => idToken({ email: undefined })],
  ])('refuses an ID token with %s', async (_case, token) => {
    const response = await call(await token());
    expect(response.statusCode).toBe(401);
  });

  // The router decodes the path, so a percent-encoded 'v1' reaches the same handlers: it must meet
  // the same check (it used to answer 200 to anyone, without a token).
  it.each(['/%761/cost-centres/PHAA', '/v%31/gl-codes/validate?code=PHAA.GAAA', '/%76%31/projects/PHAG0042/tasks'])(
    'refuses %s without a token, and answers it with one',
    async (url) => {
      const stranger = await t.app.inject({ url });
      expect(stranger.statusCode).toBe(401);
      expect(stranger.json().error.message).toMatch(/bearer token/);
      expect((await t.app.inject({ url, headers: { authorization: `Bearer ${TEST_TOKEN}` } })).statusCode).toBe(200);
    },
  );

  it('refuses the dev token when it was not configured, and a malformed Authorization header', async () => {
    expect((await call('cufs-dev-token-not-for-production')).statusCode).toBe(401);
    const basic = await t.app.inject({ url: '/v1/cost-centres/PHAA', headers: { authorization: 'Basic abc' } });
    expect(basic.statusCode).toBe(401);
  });
});

// These used to be 401 'A valid bearer token is required' (timeout, non-200) or 500 (network): the
// gateway took the 401 for wrong credentials, logged so, and did not retry.
describe('when the ID-token signing keys cannot be fetched', () => {
  let database: DatabaseHandle;
  let failing: Server;
  let signingKey: Key;
  beforeAll(async () => {
    database = await openCufsTestDatabase();
    signingKey = (await generateKeyPair('RS256')).privateKey;
    failing = createServer((_request, response) => {
      response.statusCode = 502;
      response.end('upstream trouble');
    });
    await new Promise<void>((resolve) => failing.listen(0, '127.0.0.1', resolve));
  });
  afterAll(async () => {
    failing.close();
    await database.close();
  });

  async function closedPortUrl(): Promise<string> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    await new Promise((resolve) => server.close(resolve));
    return `http://127.0.0.1:${port}/certs`;
  }

  it.each([
    ['answer 502', async () => `http://127.0.0.1:${(failing.address() as AddressInfo).port}/certs`],
    ['are unreachable', closedPortUrl],
  ])('answers 503 (try again), not 401, when they %s; a static token still works', async (_case, jwksUrl) => {
    const t = await startCufsTestApp({
      database,
      env: {
        CUFS_ID_TOKEN_AUDIENCE: AUDIENCE,
        CUFS_ID_TOKEN_JWKS_URL: await jwksUrl(),
        CUFS_ALLOWED_SERVICE_ACCOUNTS: GATEWAY_ACCOUNT,
      },
    });
    try {
      const token = await new SignJWT({ email: GATEWAY_ACCOUNT, email_verified: true })
        .setProtectedHeader({ alg: 'RS256', kid: 'test-key' })
        .setIssuer('https://accounts.google.com')
        .setAudience(AUDIENCE)
        .setIssuedAt()
        .setExpirationTime('1h')
        .sign(signingKey);
      const response = await t.app.inject({
        url: '/v1/cost-centres/PHAA',
        headers: { authorization: `Bearer ${token}` },
      });
      expect(response.statusCode).toBe(503);
      expect(response.json().error.message).toBe('The caller cannot be authenticated just now: try again shortly');
      const garbage = await t.app.inject({ url: '/v1/cost-centres/PHAA', headers: { authorization: 'Bearer a.b.c' } });
      expect(garbage.statusCode).toBe(401);
      expect((await t.app.inject({ url: '/v1/cost-centres/PHAA', headers: t.auth })).statusCode).toBe(200);
    } finally {
      await t.close();
    }
  });
});

describe('rate limits and logs', () => {
  let database: DatabaseHandle;
  beforeAll(async () => {
    database = await openCufsTestDatabase();
  });
  afterAll(() => database.close());

  it('limits requests per minute, refused callers included, but never the health checks', async () => {
    const t = await startCufsTestApp({ database, env: { CUFS_RATE_LIMIT_PER_MINUTE: '3' } });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 4; i++) statuses.push((await t.app.inject('/v1/cost-centres/PHAA')).statusCode);
      expect(statuses).toEqual([401, 401, 401, 429]);
      const limited = await t.app.inject({ url: '/v1/cost-centres/PHAA', headers: t.auth });
      expect(limited.statusCode).toBe(429);
      expect(limited.headers['retry-after']).toBeDefined();
      expect(limited.json().error.message).toMatch(/Too many requests/);
      for (let i = 0; i < 5; i++) expect((await t.app.inject('/healthz')).statusCode).toBe(200);
    } finally {
      await t.close();
    }
  });

  it('counts callers by the address the nearest proxy saw, and answers an unknown path 404 whatever the token', async () => {
    const t = await startCufsTestApp({ database, env: { CUFS_RATE_LIMIT_PER_MINUTE: '3', TRUST_PROXY: '1' } });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 4; i++) {
        const forged = { 'x-forwarded-for': `10.0.0.${i}, 203.0.113.7` };
        statuses.push((await t.app.inject({ url: '/v1/cost-centres/PHAA', headers: forged })).statusCode);
      }
      expect(statuses).toEqual([401, 401, 401, 429]);
      // No route: a 404 for any token or none, so a token cannot be tested there.
      for (const headers of [{}, { authorization: 'Bearer guess' }, t.auth]) {
        expect((await t.app.inject({ url: '/v1/no-such-thing', headers })).statusCode).toBe(404);
      }
    } finally {
      await t.close();
    }
  });

  it('writes JSON log lines with the request id and the caller, and never the token', async () => {
    const lines: string[] = [];
    const stream = new Writable({
      write(chunk, _encoding, done) {
        lines.push(...String(chunk).split('\n').filter(Boolean));
        done();
      },
    });
    const t = await startCufsTestApp({
      database,
      logger: { ...loggerOptions({ level: 'info', format: 'gcp' }), stream },
    });
    try {
      await t.app.inject({ url: '/v1/cost-centres/PHAA', headers: { ...t.auth, 'x-request-id': 'trace-abcdef12' } });
      await t.app.inject({
        url: '/v1/cost-centres/PHAA',
        headers: { authorization: 'Bearer not-a-real-token-at-all' },
      });
    } finally {
      await t.close();
    }
    const entries = lines.map((line) => JSON.parse(line));
    const completed = entries.find((entry) => entry.reqId === 'trace-abcdef12' && entry.res?.statusCode === 200);
    expect(completed).toMatchObject({ severity: 'INFO', caller: 'token-1' });
    expect(entries.some((entry) => entry.message === 'caller refused')).toBe(true);
    const all = lines.join('\n');
    expect(all).not.toContain(TEST_TOKEN);
    expect(all).not.toContain('not-a-real-token-at-all');
  });
});
