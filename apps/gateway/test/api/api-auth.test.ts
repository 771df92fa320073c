import { Writable } from 'node:stream';
import { validate } from '@readme/openapi-parser';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as z from 'zod';
import { loggerOptions } from '../../src/platform/logging/logger.ts';
import { AppError } from '../../src/platform/web/errors.ts';
import { apiRoute } from '../../src/platform/web/openapi.ts';
import { Browser, startTestApp, type TestApp } from '../support/test-app.ts';

const TOKEN = /ssgw_[A-Za-z0-9_-]{43}/;

/** A harmless write operation, declared the way a module declares one. */
function addTestOperations(app: FastifyInstance): void {
  apiRoute(
    app,
    {
      method: 'POST',
      path: '/api/test/reservations/{shelf}',
      operationId: 'testReserve',
      summary: 'Test only: reserve some TB on a shelf',
      tags: ['Test'],
      params: z.object({ shelf: z.string().regex(/^[a-z]+$/, 'A shelf is lower-case letters') }),
      query: z.strictObject({ dryRun: z.enum(['yes', 'no']).default('no').describe('Check without reserving') }),
      body: z.strictObject({
        sizeTb: z.int('Enter the size in whole TB').min(1, 'The size must be at least 1 TB'),
        managers: z.array(z.strictObject({ crsid: z.string().regex(/^[a-z]+\d+$/, 'Enter a CRSid') })).default([]),
      }),
      response: z.object({ shelf: z.string(), sizeTb: z.int(), dryRun: z.boolean(), by: z.string() }),
      status: 201,
      errors: ['conflict'],
    },
    async ({ params, query, body, person }) => {
      if (params.shelf === 'full') throw new AppError('conflict', 'That shelf is full.');
      // The extra field is not in the response schema, so it must never reach the caller.
      return {
        shelf: params.shelf,
        sizeTb: body.sizeTb,
        dryRun: query.dryRun === 'yes',
        by: person.crsid,
        internalNote: 'not for callers',
      };
    },
  );
  // Request objects of every kind: a field is refused wherever a z.strictObject has no place for it.
  const labelled = z.strictObject({ path: z.string() });
  apiRoute(
    app,
    {
      method: 'POST',
      path: '/api/test/labels',
      operationId: 'testLabel',
      summary: 'Test only: label some paths',
      tags: ['Test'],
      body: z.strictObject({
        readings: z.array(labelled).optional(),
        labels: z.record(z.string(), z.strictObject({ text: z.string() })).optional(),
        target: z.union([labelled, z.strictObject({ projectId: z.int() })]).optional(),
        payment: z
          .discriminatedUnion('method', [
            z.strictObject({ method: z.literal('finance-code'), financeCode: z.string() }),
            z.strictObject({ method: z.literal('voucher'), voucherCode: z.string() }),
          ])
          .optional(),
        anything: z.looseObject({ note: z.string().optional() }).optional(),
      }),
      response: z.object({ labelled: z.boolean() }),
    },
    async () => ({ labelled: true }),
  );
}

async function signedIn(app: FastifyInstance, crsid: string): Promise<Browser> {
  const browser = new Browser(app);
  await browser.signInAs(crsid);
  return browser;
}

async function createToken(browser: Browser, name: string): Promise<string> {
  const csrf = await browser.csrfFrom('/account/');
  const page = await browser.post('/account/tokens', { name, lifetime: '30', _csrf: csrf });
  const token = page.body.match(TOKEN)?.[0];
  if (!token) throw new Error(`no token created: ${page.statusCode}`);
  return token;
}

describe('the JSON API’s authentication', () => {
  let t: TestApp;
  let alice: Browser;
  let aliceToken: string;
  beforeAll(async () => {
    t = await startTestApp({ extend: addTestOperations });
    alice = await signedIn(t.app, 'ar101');
    aliceToken = await createToken(alice, 'api tests');
  });
  afterAll(() => t.close());

  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

  it('answers an unauthenticated call with a 401 JSON error, never the sign-in page', async () => {
    for (const accept of ['application/json', 'text/html', '*/*']) {
      const response = await t.app.inject({ url: '/api/me', headers: { accept } });
      expect(response.statusCode, accept).toBe(401);
      expect(response.headers.location).toBeUndefined();
      expect(response.headers['content-type']).toContain('application/json');
      expect(response.json().error).toMatchObject({ status: 401, code: 'unauthenticated' });
      expect(response.json().error.message).toContain('Authorization: Bearer');
    }
    const post = await t.app.inject({ method: 'POST', url: '/api/test/reservations/a', payload: { sizeTb: 1 } });
    expect(post.statusCode).toBe(401);
    expect(post.json().error.code).toBe('unauthenticated');
  });

  it('knows the signed-in person by session or by token', async () => {
    const bySession = await alice.inject({ url: '/api/me' });
    expect(bySession.statusCode).toBe(200);
    expect(bySession.json()).toMatchObject({ crsid: 'ar101', authenticatedBy: 'session' });

    const byToken = await t.app.inject({ url: '/api/me', headers: bearer(aliceToken) });
    expect(byToken.json()).toMatchObject({ crsid: 'ar101', authenticatedBy: 'access-token' });

    const staff = await signedIn(t.app, 'rs501');
    const staffMe = await staff.inject({ url: '/api/me' });
    expect(staffMe.json().staffRoles).toEqual([{ role: 'service-admin', service: 'research' }]);
    expect(staffMe.json().institution).toEqual({ id: 'UIS', name: 'University Information Services' });
  });

  it('acts for the token’s person even when another person’s session cookie comes with it', async () => {
    const ben = await signedIn(t.app, 'bm202');
    const response = await ben.inject({ url: '/api/me', headers: bearer(aliceToken) });
    expect(response.json()).toMatchObject({ crsid: 'ar101', authenticatedBy: 'access-token' });
  });

  it('accepts a token only under /api/, never for pages', async () => {
    const page = await t.app.inject({ url: '/account/', headers: bearer(aliceToken) });
    expect(page.statusCode).toBe(302);
    expect(page.headers.location).toContain('/sign-in');
  });

  it('refuses a session’s write without the x-csrf-token header, and accepts it with one', async () => {
    const refused = await alice.inject({ method: 'POST', url: '/api/test/reservations/a', payload: { sizeTb: 2 } });
    expect(refused.statusCode).toBe(403);
    expect(refused.json().error.code).toBe('forbidden');
    expect(refused.json().error.message).toContain('x-csrf-token');

    const wrong = await alice.inject({
      method: 'POST',
      url: '/api/test/reservations/a',
      payload: { sizeTb: 2 },
      headers: { 'x-csrf-token': 'made-up' },
    });
    expect(wrong.statusCode).toBe(403);

    const csrf = await alice.inject({ url: '/api/csrf-token' });
    expect(csrf.statusCode).toBe(200);
    const accepted = await alice.inject({
      method: 'POST',
      url: '/api/test/reservations/a',
      payload: { sizeTb: 2 },
      headers: { 'x-csrf-token': csrf.json().csrfToken },
    });
    expect(accepted.statusCode).toBe(201);
    expect(accepted.json()).toEqual({ shelf: 'a', sizeTb: 2, dryRun: false, by: 'ar101' });
  });

  it('needs no CSRF token with a bearer token, and answers only the documented fields', async () => {
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/test/reservations/b?dryRun=yes',
      payload: { sizeTb: 3 },
      headers: bearer(aliceToken),
    });
    expect(response.statusCode).toBe(201);
    expect(response.json()).toEqual({ shelf: 'b', sizeTb: 3, dryRun: true, by: 'ar101' });
    expect(response.body).not.toContain('not for callers');

    const csrf = await t.app.inject({ url: '/api/csrf-token', headers: bearer(aliceToken) });
    expect(csrf.statusCode).toBe(400);
  });

  it('refuses a write with a bad token before anything else', async () => {
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/test/reservations/b',
      payload: { sizeTb: 3 },
      headers: bearer(`ssgw_${'x'.repeat(43)}`),
    });
    expect(response.statusCode).toBe(401);
    expect(response.json().error.message).toBe('The access token is not valid; create a new one at /account/.');
  });

  it('explains bad input field by field: 422 for the body, 400 for the path or query', async () => {
    const badBody = await t.app.inject({
      method: 'POST',
      url: '/api/test/reservations/c',
      payload: { sizeTb: 0, managers: [{ crsid: 'ok1' }, { crsid: 'Not A CRSid' }] },
      headers: bearer(aliceToken),
    });
    expect(badBody.statusCode).toBe(422);
    expect(badBody.json().error).toMatchObject({
      status: 422,
      code: 'unprocessable',
      fields: { sizeTb: 'The size must be at least 1 TB', 'managers.1.crsid': 'Enter a CRSid' },
    });

    const noBody = await t.app.inject({ method: 'POST', url: '/api/test/reservations/c', headers: bearer(aliceToken) });
    expect(noBody.statusCode).toBe(422);
    expect(noBody.json().error.fields).toHaveProperty('body');

    const badPath = await t.app.inject({
      method: 'POST',
      url: '/api/test/reservations/C4?dryRun=maybe',
      payload: { sizeTb: 1 },
      headers: bearer(aliceToken),
    });
    expect(badPath.statusCode).toBe(400);
    expect(badPath.json().error.code).toBe('bad-request');
    expect(badPath.json().error.fields).toEqual({ shelf: 'A shelf is lower-case letters' });

    const badQuery = await t.app.inject({
      method: 'POST',
      url: '/api/test/reservations/c?dryRun=maybe',
      payload: { sizeTb: 1 },
      headers: bearer(aliceToken),
    });
    expect(badQuery.statusCode).toBe(400);
    expect(Object.keys(badQuery.json().error.fields)).toEqual(['dryRun']);

    const conflict = await t.app.inject({
      method: 'POST',
      url: '/api/test/reservations/full',
      payload: { sizeTb: 1 },
      headers: bearer(aliceToken),
    });
    expect(conflict.statusCode).toBe(409);
    expect(conflict.json().error).toMatchObject({ code: 'conflict', message: 'That shelf is full.' });
  });

  it('refuses a field no object of the body declares, at any depth, as a 400 naming each by its dotted path', async () => {
    const label = (payload: object) =>
      t.app.inject({ method: 'POST', url: '/api/test/labels', payload, headers: bearer(aliceToken) });
    const noSuchField = (field: string) => `This operation has no field ${field}: check its spelling`;
    const unknown = await label({
      readings: [{ path: '/a' }, { path: '/b', pth: '/c' }],
      labels: { one: { text: 'a', colour: 'red' } },
      payment: { method: 'finance-code', financeCode: 'PHAA.GAAA', finance: 'x' },
      target: { projectId: 3, licenceId: 1 },
      anything: { note: 'a', colour: 'any key is welcome here' },
      quoteRef: 'Q-000001',
    });
    expect(unknown.statusCode, unknown.body).toBe(400);
    expect(unknown.json().error).toMatchObject({ status: 400, code: 'bad-request' });
    const fields = ['readings.1.pth', 'labels.one.colour', 'target.licenceId', 'payment.finance', 'quoteRef'];
    expect(unknown.json().error.fields).toEqual(Object.fromEntries(fields.map((field) => [field, noSuchField(field)])));
    expect(unknown.json().error.message).toMatch(/^The request body has fields this operation does not take: /);

    // A misspelt required field is named, not only missed; in a union the value fits no option of,
    // a field is unknown only if no option takes it (path belongs to one, projectId to the other).
    const misspelt = await label({
      payment: { method: 'finance-code', financecode: 'PHAA.GAAA' },
      target: { path: 1, projectId: 'x', colour: 'red' },
    });
    expect(misspelt.statusCode, misspelt.body).toBe(400);
    expect(Object.keys(misspelt.json().error.fields).sort()).toEqual(['payment.financecode', 'target.colour']);

    const fine = await label({ target: { path: '/a' }, anything: { colour: 'red' }, labels: {} });
    expect(fine.statusCode, fine.body).toBe(200);
    // A field of the wrong type, with none unknown, is the body's 422 as before.
    expect((await label({ target: { projectId: 'x' } })).statusCode).toBe(422);
  });

  it('serves the catalogue with prices in pence per TB per year', async () => {
    const list = await t.app.inject({ url: '/api/products', headers: bearer(aliceToken) });
    expect(list.statusCode).toBe(200);
    expect(list.json().pricesOn).toBe('2026-11-27');
    const products = list.json().products as Array<{ code: string; prices: Record<string, number> }>;
    expect(products.map((product) => product.code)).toEqual(['RDS', 'RFS', 'RCS', 'IFS']);
    expect(products.find((product) => product.code === 'RDS')?.prices).toEqual({ internal: 5400, external: 6480 });

    const one = await t.app.inject({ url: '/api/products/rcs', headers: bearer(aliceToken) });
    expect(one.statusCode).toBe(200);
    expect(one.json()).toMatchObject({ code: 'RCS', filesPerTb: 10000, prices: { internal: 1200, external: 1440 } });

    const missing = await t.app.inject({ url: '/api/products/NOPE', headers: bearer(aliceToken) });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error).toMatchObject({ code: 'not-found', message: 'There is no product called NOPE.' });

    const nonsense = await t.app.inject({ url: '/api/products/12', headers: bearer(aliceToken) });
    expect(nonsense.statusCode).toBe(400);
    expect(nonsense.json().error.fields.code).toBe('A product code is 2 to 10 letters, such as RDS');
  });

  it('documents an operation a module adds, with its parameters, body and errors, and stays valid', async () => {
    const document = (await t.app.inject('/api/openapi.json')).json();
    const operation = document.paths['/api/test/reservations/{shelf}'].post;
    expect(operation.operationId).toBe('testReserve');
    expect(operation.parameters).toEqual([
      { name: 'shelf', in: 'path', required: true, schema: { type: 'string', pattern: '^[a-z]+$' } },
      {
        name: 'dryRun',
        in: 'query',
        required: false,
        description: 'Check without reserving',
        schema: { type: 'string', enum: ['yes', 'no'], default: 'no' },
      },
    ]);
    expect(operation.requestBody.content['application/json'].schema.required).toEqual(['sizeTb']);
    expect(Object.keys(operation.responses)).toEqual(['201', '400', '401', '403', '409', '413', '422', '429', '500']);
    const result = await validate(structuredClone(document));
    expect(result.valid ? [] : result.errors).toEqual([]);
  });
});

describe('the JSON API’s rate limit', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ env: { API_RATE_LIMIT_PER_MINUTE: '3' } });
  });
  afterAll(() => t.close());

  it('counts each person’s calls across the API, apart from everyone else’s', async () => {
    const alice = await createToken(await signedIn(t.app, 'ar101'), 'limited');
    const ben = await createToken(await signedIn(t.app, 'bm202'), 'limited too');
    const call = (token: string, url: string) => t.app.inject({ url, headers: { authorization: `Bearer ${token}` } });
    expect((await call(alice, '/api/me')).statusCode).toBe(200);
    expect((await call(alice, '/api/products')).statusCode).toBe(200);
    expect((await call(alice, '/api/products/RDS')).statusCode).toBe(200);
    const limited = await call(alice, '/api/me');
    expect(limited.statusCode).toBe(429);
    expect(limited.headers['content-type']).toContain('application/json');
    expect(limited.json().error.code).toBe('rate-limited');
    expect((await call(ben, '/api/me')).statusCode).toBe(200);
  });

  it('counts calls with a token that does not work, per address: they were never limited', async () => {
    const bad = `ssgw_${'B'.repeat(43)}`;
    const call = () =>
      t.app.inject({ url: '/api/orders', headers: { authorization: `Bearer ${bad}` }, remoteAddress: '192.0.2.7' });
    for (let i = 0; i < 3; i += 1) {
      const refused = await call();
      expect(refused.statusCode).toBe(401);
      expect(refused.json().error.message).toBe('The access token is not valid; create a new one at /account/.');
    }
    const limited = await call();
    expect(limited.statusCode).toBe(429);
    expect(limited.json().error.code).toBe('rate-limited');
  });
});

describe('the JSON API’s logs', () => {
  it('never contain a token, whether it was made, used, refused or revoked', async () => {
    const lines: string[] = [];
    const stream = new Writable({
      write(chunk, _encoding, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const t = await startTestApp({
      logger: { ...loggerOptions({ logging: { level: 'trace', format: 'json' } }, 'gateway'), stream },
      extend: (app) => {
        apiRoute(
          app,
          {
            method: 'GET',
            path: '/api/test/broken',
            operationId: 'testBroken',
            summary: 'Test only: fails',
            tags: ['Test'],
            response: z.object({}),
          },
          async () => {
            throw new Error('something broke');
          },
        );
      },
    });
    try {
      const browser = await signedIn(t.app, 'ar101');
      const token = await createToken(browser, 'logged');
      const headers = { authorization: `Bearer ${token}` };
      expect((await t.app.inject({ url: '/api/me', headers })).statusCode).toBe(200);
      expect((await t.app.inject({ url: '/api/test/broken', headers })).statusCode).toBe(500);
      const id = (
        await t.database.db
          .selectFrom('personal_access_tokens')
          .select('id')
          .where('name', '=', 'logged')
          .executeTakeFirstOrThrow()
      ).id;
      await browser.post(`/account/tokens/${id}/revoke`, { _csrf: await browser.csrfFrom('/account/') });
      expect((await t.app.inject({ url: '/api/me', headers })).statusCode).toBe(401);

      const log = lines.join('');
      expect(log).toContain('something broke');
      expect(log).toContain('/api/me');
      expect(log).not.toContain(token);
      expect(log).not.toContain(token.slice(5));
    } finally {
      await t.close();
    }
  });
});
