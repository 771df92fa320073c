import { randomUUID } from 'node:crypto';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accessTokens } from '../support/api.ts';
import { startTestAppWithCufs } from '../support/cufs.ts';
import { SAMPLE_PDF } from '../support/purchase.ts';
import { insertStorage } from '../support/storage-fixtures.ts';
import type { TestApp } from '../support/test-app.ts';

/** zod's own words, which a caller must never read: "Invalid input: expected string, received undefined", "Too big: …". */
const ZODS_WORDS =
  /Invalid (input|discriminator|option|string|UUID)|Too (big|small)|expected \w+, received|Unrecognized/;

type Operation = { responses: Record<string, { headers?: Record<string, unknown>; $ref?: string }> };

/**
 * What the API answers besides its bodies' fields: refusals of input in its own plain words for
 * every operation, the headers HTTP asks of a 401 and a 201, and a document that says which
 * headers come with an answer and which statuses any operation may answer.
 */
describe('the JSON API answers plainly', () => {
  let t: TestApp;
  let tokens: Record<string, string> = {};

  beforeAll(async () => {
    t = await startTestAppWithCufs();
    tokens = await accessTokens(t, ['ar101', 'rs501']);
  });
  afterAll(() => t?.close());

  function call(
    crsid: string,
    method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
    url: string,
    payload?: object | string | Buffer,
    headers: Record<string, string> = {},
  ) {
    return t.app.inject({
      method,
      url,
      headers: { authorization: `Bearer ${tokens[crsid]}`, ...headers },
      ...(payload === undefined ? {} : { payload }),
    });
  }

  const configuration = {
    product: 'RDS',
    sizeTb: 5,
    termYears: 3,
    institutionId: 'PHYS',
    licenceName: 'Plain answers',
    ownerCrsid: 'ar101',
    managerCrsids: [],
    projectName: 'plain-answers',
  };
  const ordering = () => ({
    ...configuration,
    payment: { method: 'finance-code', financeCode: 'PHAA.GAAA' },
    acceptTerms: true,
    termsVersion: '2026-08',
    submissionKey: randomUUID(),
  });

  function refusedFields(response: LightMyRequestResponse, status = 422): Record<string, string> {
    expect(response.statusCode, response.body).toBe(status);
    const fields = response.json().error.fields as Record<string, string>;
    for (const [field, message] of Object.entries(fields)) expect(message, field).not.toMatch(ZODS_WORDS);
    return fields;
  }

  it('refuses input in its own words, naming each field and saying what to send, never zod’s', async () => {
    // Each was "Invalid input: expected string, received undefined" (payment: "… expected object …").
    const empty = refusedFields(await call('ar101', 'POST', '/api/orders', {}));
    expect(empty).toMatchObject({
      product: 'Give product: it is required',
      licenceName: 'Give licenceName: it is required',
      termsVersion: 'Give termsVersion: it is required',
      payment: 'Give payment: it is required',
      submissionKey: 'Give submissionKey: it is required',
      // A schema's own words still win.
      sizeTb: 'Enter the size in TB',
      acceptTerms: 'Accept the terms and conditions to submit the order',
    });
    const typed = refusedFields(await call('ar101', 'POST', '/api/prices', { ...configuration, licenceName: 7 }));
    expect(typed).toEqual({ licenceName: 'licenceName must be a string, not a number' });

    // "Too big: expected string to have <=100 characters"
    const long = refusedFields(
      await call('ar101', 'POST', '/api/prices', { ...configuration, licenceName: 'x'.repeat(101) }),
    );
    expect(long).toEqual({ licenceName: 'licenceName must be 100 characters or fewer' });

    // "Too small: expected array to have >=1 items"
    const none = refusedFields(await call('rs501', 'POST', '/api/usage-readings', { readings: [] }));
    expect(none).toEqual({ readings: 'readings must hold at least one item' });

    // "Invalid discriminator value…"
    const cash = refusedFields(
      await call('ar101', 'POST', '/api/orders', { ...ordering(), payment: { method: 'cash' } }),
    );
    expect(cash).toEqual({ 'payment.method': 'payment.method must be one of finance-code, purchase-order, voucher' });
    const noMethod = refusedFields(await call('ar101', 'POST', '/api/orders', { ...ordering(), payment: {} }));
    expect(noMethod).toEqual({ 'payment.method': 'Give payment.method: one of finance-code, purchase-order, voucher' });
    const badId = refusedFields(
      await call('ar101', 'POST', '/api/orders', {
        ...ordering(),
        payment: { method: 'purchase-order', poNumber: 'P1234567', documentId: 'not-an-id' },
      }),
    );
    expect(badId).toEqual({
      'payment.documentId': 'payment.documentId must be a UUID, such as 0b6cb6d6-3c29-4bd4-9d6b-2e0a3c1f5e7a',
    });

    // A long file name in the query: a 400 for it, in the same words.
    const fileName = refusedFields(
      await call('ar101', 'POST', `/api/documents?fileName=${'a'.repeat(201)}.pdf`, SAMPLE_PDF, {
        'content-type': 'application/pdf',
      }),
      400,
    );
    expect(fileName).toEqual({ fileName: 'fileName must be 200 characters or fewer' });
  });

  it('asks for a JSON object as the body when it is sent null, a list or a string, or nothing', async () => {
    const { licenceId } = await insertStorage(t.database.db, {
      name: 'Plain bodies',
      owner: 'ar101',
      status: 'active',
      startDate: '2026-08-01',
      endDate: '2027-07-31',
      order: { status: 'completed' },
    });
    const cases = [
      ['/api/orders', 'null'],
      ['/api/prices', '[]'],
      ['/api/quotes', '"RDS"'],
      // Its body is a union of the kinds of change, whose words are for a kind that is not sent.
      [`/api/licences/${licenceId}/changes`, 'null'],
      [`/api/licences/${licenceId}/changes/price`, '[1]'],
      // A body it may go without is still an object when sent.
      ['/api/orders/ORD-000001/cancel', '[]'],
    ] as const;
    for (const [url, payload] of cases) {
      const response = await call('ar101', 'POST', url, payload, { 'content-type': 'application/json' });
      expect(refusedFields(response), `${url} ${payload}`).toEqual({ body: 'Send a JSON object as the body' });
    }
    const nothing = await call('ar101', 'POST', '/api/prices');
    expect(refusedFields(nothing)).toEqual({ body: 'Send a JSON object as the body' });
  });

  it('says the same thing at the top of every 422 for the body', async () => {
    const BODY = 'The request body is not valid: see the message for each field.';
    // Refused by the schema.
    const schema = await call('ar101', 'POST', '/api/prices', { ...configuration, licenceName: 'x'.repeat(101) });
    expect(schema.json().error.message).toBe(BODY);
    // Refused by the service's rules (forms.ts's unprocessable), as the pages refuse it.
    const rules = await call('ar101', 'POST', '/api/prices', { ...configuration, sizeTb: 0 });
    expect(rules.statusCode, rules.body).toBe(422);
    expect(rules.json().error.message).toBe(BODY);
  });

  it('challenges a caller it cannot identify with WWW-Authenticate: Bearer, as RFC 6750 asks', async () => {
    const none = await t.app.inject({ url: '/api/orders' });
    expect(none.statusCode).toBe(401);
    expect(none.headers['www-authenticate']).toMatch(/^Bearer realm="[^"]+"$/);
    const bad = await t.app.inject({ url: '/api/me', headers: { authorization: `Bearer ssgw_${'x'.repeat(43)}` } });
    expect(bad.statusCode).toBe(401);
    expect(bad.headers['www-authenticate']).toMatch(/^Bearer realm="[^"]+", error="invalid_token"$/);
    // Only the API's 401s: a page asks a person to sign in.
    expect(
      (await t.app.inject({ url: '/api/me', headers: { authorization: `Bearer ${tokens.ar101}` } })).headers,
    ).not.toHaveProperty('www-authenticate');
  });

  it('says where to read what it created: a Location header on each 201 that has an address', async () => {
    const located = async (response: LightMyRequestResponse, prefix: string, key: 'reference' | 'id') => {
      expect(response.statusCode, response.body).toBe(201);
      const location = response.headers.location as string;
      expect(location).toBe(`${prefix}${response.json()[key]}`);
      const read = await call('ar101', 'GET', location);
      expect(read.statusCode, location).toBe(200);
      expect(read.json()[key]).toEqual(response.json()[key]);
    };
    await located(await call('ar101', 'POST', '/api/orders', ordering()), '/api/orders/', 'reference');
    await located(await call('ar101', 'POST', '/api/quotes', configuration), '/api/quotes/', 'reference');
    const { licenceId } = await insertStorage(t.database.db, {
      name: 'Plain locations',
      owner: 'ar101',
      status: 'active',
      startDate: '2026-08-01',
      endDate: '2027-07-31',
      sizeTb: 10,
      order: { status: 'completed' },
    });
    await located(
      await call('ar101', 'POST', `/api/licences/${licenceId}/projects`, { name: 'located', quotaTb: 1 }),
      '/api/projects/',
      'id',
    );
    await located(
      await call('ar101', 'POST', `/api/licences/${licenceId}/changes/quote`, { kind: 'increase', addTb: 1 }),
      '/api/quotes/',
      'reference',
    );
    await located(
      await call('ar101', 'POST', `/api/licences/${licenceId}/changes`, {
        kind: 'cancellation',
        reason: 'Finished with it',
        acceptTerms: true,
        termsVersion: '2026-08',
        submissionKey: randomUUID(),
      }),
      '/api/orders/',
      'reference',
    );
  });

  it('documents the headers of a 201 and a 429, and a 413 wherever a body may be sent', async () => {
    const document = (await t.app.inject('/api/openapi.json')).json();
    const paths = document.paths as Record<string, Record<string, Operation>>;
    const created = {
      '/api/orders': '/api/orders/{reference}',
      '/api/quotes': '/api/quotes/{reference}',
      '/api/licences/{id}/projects': '/api/projects/{id}',
      '/api/licences/{id}/changes/quote': '/api/quotes/{reference}',
      '/api/licences/{id}/changes': '/api/orders/{reference}',
    };
    for (const [path, address] of Object.entries(created)) {
      const headers = paths[path]?.post?.responses['201']?.headers;
      expect(headers, path).toMatchObject({ Location: { required: true, schema: { type: 'string' } } });
      expect(JSON.stringify(headers), path).toContain(address);
    }
    const limited = document.components.responses.RateLimited;
    expect(Object.keys(limited.headers).sort()).toEqual([
      'Retry-After',
      'X-RateLimit-Limit',
      'X-RateLimit-Remaining',
      'X-RateLimit-Reset',
    ]);
    // Any write may be sent a body larger than it takes, whether it takes one or not.
    for (const [path, methods] of Object.entries(paths)) {
      for (const [method, operation] of Object.entries(methods)) {
        expect(Object.hasOwn(operation.responses, '413'), `${method} ${path}`).toBe(method !== 'get');
      }
    }
    const large = await call('ar101', 'DELETE', '/api/projects/1', { padding: 'x'.repeat(1_100_000) });
    expect(large.statusCode).toBe(413);
    expect(large.json().error.code).toBe('payload-too-large');
  });
});
