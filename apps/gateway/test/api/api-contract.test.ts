import { randomUUID } from 'node:crypto';
import { dereference } from '@readme/openapi-parser';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccessToken } from '../../src/platform/identity/access-tokens.ts';
import { startTestAppWithCufs } from '../support/cufs.ts';
import { SAMPLE_PDF } from '../support/purchase.ts';
import { insertStorage } from '../support/storage-fixtures.ts';
import type { TestApp } from '../support/test-app.ts';

type Operation = { responses: Record<string, { content?: Record<string, { schema: object }> }> };
type Document = { paths: Record<string, Record<string, Operation>> };

/**
 * Real answers of the API, each checked against /api/openapi.json: its status is one the document
 * lists for the operation, and its body fits that status's schema (the Error schema for failures).
 */
describe('the JSON API answers as its OpenAPI document says', () => {
  let t: TestApp;
  let document: Document;
  const tokens: Record<string, string> = {};
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats.default(ajv);

  beforeAll(async () => {
    t = await startTestAppWithCufs();
    for (const crsid of ['ar101', 'bm202', 'da303', 'rs501']) {
      const person = await t.database.db
        .selectFrom('people')
        .select(['id', 'crsid'])
        .where('crsid', '=', crsid)
        .executeTakeFirstOrThrow();
      tokens[crsid] = (
        await createAccessToken(t.database.db, t.clock, person, { name: 'contract', lifetime: 30 })
      ).token;
    }
    document = (await dereference(
      structuredClone((await t.app.inject('/api/openapi.json')).json()),
    )) as unknown as Document;
  });
  afterAll(() => t?.close());

  /** What is wrong with an answer, by the document: undefined when nothing is. */
  function disagreement(method: string, url: string, response: LightMyRequestResponse): string | undefined {
    const path = url.split('?')[0] as string;
    const template = Object.keys(document.paths).find((candidate) =>
      new RegExp(`^${candidate.replace(/\{[^}]+\}/g, '[^/]+')}$`).test(path),
    );
    const operation = template ? document.paths[template]?.[method.toLowerCase()] : undefined;
    if (!operation) return `${method} ${path} is not in the document`;
    const documented = operation.responses[String(response.statusCode)];
    if (!documented) return `${response.statusCode} is not a documented answer of ${method} ${template}`;
    const schema = documented.content?.['application/json']?.schema;
    if (!schema) return `${response.statusCode} of ${method} ${template} has no JSON schema`;
    if (!response.headers['content-type']?.toString().startsWith('application/json')) {
      return `${response.statusCode} is ${response.headers['content-type']}, not JSON`;
    }
    return ajv.validate(schema, response.json()) ? undefined : ajv.errorsText(ajv.errors);
  }

  async function call(
    crsid: string,
    method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
    url: string,
    payload?: object | string | Buffer,
    headers: Record<string, string> = {},
  ) {
    const response = await t.app.inject({
      method,
      url,
      headers: { authorization: `Bearer ${tokens[crsid]}`, ...headers },
      ...(payload === undefined ? {} : { payload }),
    });
    expect(disagreement(method, url, response), `${method} ${url} → ${response.statusCode} ${response.body}`).toBe(
      undefined,
    );
    return response;
  }

  const configuration = {
    product: 'RDS',
    sizeTb: 5,
    termYears: 3,
    institutionId: 'PHYS',
    licenceName: 'Contract licence',
    ownerCrsid: 'ar101',
    managerCrsids: ['bm202'],
    projectName: 'contract',
  };

  it('for buying storage, its quotes and orders, and their refusals', async () => {
    await call('ar101', 'GET', '/api/me');
    await call('ar101', 'GET', '/api/products');
    await call('ar101', 'GET', '/api/products/rds');
    await call('ar101', 'GET', '/api/products/NOPE');
    await call('ar101', 'POST', '/api/prices', configuration);
    await call('ar101', 'POST', '/api/prices', { ...configuration, sizeTb: 2 ** 40, termYears: '3' });
    await call('ar101', 'POST', '/api/prices', { ...configuration, product: 'NOPE' });
    const quote = await call('ar101', 'POST', '/api/quotes', configuration);
    await call('ar101', 'GET', '/api/quotes');
    await call('ar101', 'GET', `/api/quotes/${quote.json().reference}`);
    await call('bm202', 'GET', `/api/quotes/${quote.json().reference}`);
    const upload = await call('ar101', 'POST', '/api/documents?fileName=po.pdf', SAMPLE_PDF, {
      'content-type': 'application/pdf',
    });
    await call('ar101', 'POST', '/api/documents', Buffer.from('not a PDF'), { 'content-type': 'application/pdf' });
    const order = await call('ar101', 'POST', '/api/orders', {
      ...configuration,
      payment: { method: 'purchase-order', poNumber: 'P1234567', documentId: upload.json().id },
      acceptTerms: true,
      termsVersion: '2026-08',
      quoteReference: quote.json().reference,
      submissionKey: randomUUID(),
    });
    expect(order.statusCode).toBe(201);
    const reference = order.json().reference;
    await call('ar101', 'POST', '/api/orders', { ...configuration, payment: { method: 'cash' } });
    await call('ar101', 'GET', '/api/orders');
    await call('ar101', 'GET', `/api/orders/${reference}`);
    await call('da303', 'GET', `/api/orders/${reference}`);
    await call('ar101', 'GET', '/api/orders/nonsense');
    await call('bm202', 'POST', `/api/orders/${reference}/cancel`);
    await call('ar101', 'POST', `/api/orders/${reference}/cancel`);
    await call('ar101', 'POST', `/api/orders/${reference}/cancel`);
  });

  it('for licences, their changes, people and storage projects', async () => {
    const { licenceId: id, projectIds } = await insertStorage(t.database.db, {
      name: 'Contract active',
      owner: 'ar101',
      managers: ['bm202'],
      status: 'active',
      // Ending within 60 days, so that it can be renewed (renewal-window.ts).
      startDate: '2026-01-16',
      endDate: '2027-01-15',
      sizeTb: 10,
      projects: [{ name: 'first', quotaTb: 5, status: 'active' }],
      order: { status: 'completed' },
    });
    const project = projectIds[0] as number;
    await call('ar101', 'GET', '/api/licences');
    await call('ar101', 'GET', `/api/licences/${id}`);
    await call('da303', 'GET', `/api/licences/${id}`);
    await call('ar101', 'GET', '/api/licences/abc');
    await call('ar101', 'GET', `/api/projects/${project}`);
    await call('ar101', 'POST', `/api/licences/${id}/changes/price`, { kind: 'increase', addTb: 2 });
    await call('ar101', 'POST', `/api/licences/${id}/changes/price`, { kind: 'renewal', termYears: 2 });
    await call('ar101', 'POST', `/api/licences/${id}/changes/price`, { kind: 'recovery', termYears: 1 });
    await call('ar101', 'POST', `/api/licences/${id}/changes/price`, { kind: 'increase', addTb: 10 ** 12 });
    await call('rs501', 'POST', `/api/licences/${id}/changes/price`, { kind: 'cancellation' });
    const quoted = await call('ar101', 'POST', `/api/licences/${id}/changes/quote`, { kind: 'renewal', termYears: 1 });
    expect(quoted.statusCode).toBe(201);
    await call('da303', 'POST', `/api/licences/${id}/changes/quote`, { kind: 'renewal', termYears: 1 });
    await call('rs501', 'POST', `/api/licences/${id}/changes/quote`, { kind: 'renewal', termYears: 1 });
    await call('ar101', 'POST', `/api/licences/${id}/changes/quote`, { kind: 'renewal', termYears: 9 });
    await call('ar101', 'POST', `/api/licences/${id}/changes/quote`, { kind: 'cancellation' });
    await call('bm202', 'GET', `/api/quotes/${quoted.json().reference}`);
    await call('ar101', 'POST', `/api/licences/${id}/changes`, {
      kind: 'renewal',
      termYears: 1,
      payment: { method: 'finance-code', financeCode: 'PHAA.GAAA' },
      acceptTerms: true,
      termsVersion: '2026-08',
      quoteReference: quoted.json().reference,
      submissionKey: randomUUID(),
    });
    await call('ar101', 'POST', `/api/licences/${id}/managers`, { crsid: 'da303' });
    await call('ar101', 'POST', `/api/licences/${id}/managers`, { crsid: 'zz999' });
    await call('ar101', 'DELETE', `/api/licences/${id}/managers/da303`);
    await call('ar101', 'DELETE', `/api/licences/${id}/managers/ar101`);
    await call('ar101', 'POST', `/api/licences/${id}/projects`, { name: 'second', quotaTb: 2 });
    await call('ar101', 'POST', `/api/licences/${id}/projects`, { name: 'third', quotaTb: 2 ** 31 });
    await call('ar101', 'PATCH', `/api/projects/${project}`, { quotaTb: 4 });
    await call('ar101', 'POST', `/api/projects/${project}/members`, { crsid: 'da303', role: 'project-data-user' });
    await call('ar101', 'DELETE', `/api/projects/${project}/members/da303/project-data-user`);
    await call('ar101', 'POST', `/api/licences/${id}/owner`, { crsid: 'bm202' });
    await call('rs501', 'POST', '/api/usage-readings', {
      readings: [{ path: '/rds/nowhere', readOn: '2026-11-27', usedBytes: 5 }],
    });
    await call('ar101', 'POST', '/api/usage-readings', { readings: [] });
  });

  it('refuses a body it cannot read with a 422 for the body saying what to send, on any write', async () => {
    const json = { 'content-type': 'application/json' };
    // These were a 400 or 415 the document did not list, coded bad-request, saying only
    // 'The request could not be understood.'
    const cases = [
      ['/api/prices', '{"product": "RDS",', json, 'The body is not valid JSON.'],
      ['/api/orders', '', json, 'The body is empty but its Content-Type is application/json'],
      // A write that takes no body, from a client that always says JSON.
      ['/api/orders/ORD-000001/cancel', '', json, 'The body is empty but its Content-Type is application/json'],
      ['/api/documents', SAMPLE_PDF, { 'content-type': 'application/octet-stream' }, 'Content-Type: application/pdf'],
      ['/api/documents', '%PDF', json, 'Send the body with Content-Type: application/pdf.'],
      [
        '/api/quotes',
        '<quote/>',
        { 'content-type': 'application/xml' },
        'Send the body with Content-Type: application/json.',
      ],
    ] as const;
    for (const [url, payload, headers, message] of cases) {
      const response = await call('ar101', 'POST', url, payload, headers);
      expect(response.statusCode, url).toBe(422);
      expect(response.json().error.code).toBe('unprocessable');
      expect(response.json().error.fields.body).toContain(message);
    }
  });

  it('refuses a place for someone the directory says has left, saying so, even if they never signed in', async () => {
    // lj909 is in the seeded directory as left and not among the gateway's people: this was
    // 'There is nobody with the CRSid lj909 in the University directory', which is untrue.
    expect(await t.database.db.selectFrom('people').select('id').where('crsid', '=', 'lj909').execute()).toEqual([]);
    const { licenceId } = await insertStorage(t.database.db, { name: 'Leaver test', owner: 'ar101', status: 'active' });
    const manager = await call('ar101', 'POST', `/api/licences/${licenceId}/managers`, { crsid: 'LJ909' });
    expect(manager.statusCode).toBe(422);
    expect(manager.json().error.fields).toEqual({
      crsid: 'Lee Leaver (lj909) has left the University, so cannot be given a place',
    });
    const price = await call('ar101', 'POST', '/api/prices', { ...configuration, ownerCrsid: 'lj909' });
    expect(price.json().error.fields).toEqual({ ownerCrsid: 'Lee Leaver (lj909) has left the University' });
  });

  it('refuses a NUL character in a body as a 422 for its field', async () => {
    // It was a 400 bad-request, a status the document does not list for a body.
    const nul = String.fromCharCode(0);
    const prices = await call('ar101', 'POST', '/api/prices', { ...configuration, licenceName: `a${nul}b` });
    expect(prices.statusCode).toBe(422);
    expect(prices.json().error.fields).toEqual({ licenceName: 'This holds a character (NUL) that is not allowed' });
    // Half a surrogate pair has no UTF-8 form: writing it failed the quote (a 500, its number used up).
    const quotes = await call('ar101', 'POST', '/api/quotes', { ...configuration, licenceName: 'a\ud800b' });
    expect(quotes.statusCode).toBe(422);
    expect(quotes.json().error.fields).toEqual({
      licenceName: 'This holds a character (half of a surrogate pair) that is not allowed',
    });
    const readings = await call('rs501', 'POST', '/api/usage-readings', {
      readings: [
        { path: '/rds/ok', readOn: '2026-11-27', usedBytes: 1 },
        { path: `/rds/${nul}`, readOn: '2026-11-27', usedBytes: 1 },
      ],
    });
    expect(readings.statusCode).toBe(422);
    expect(Object.keys(readings.json().error.fields)).toEqual(['readings.1.path']);
  });

  it('takes 5,000 usage readings with long paths in one call, as documented, and says how large a body may be', async () => {
    // 5,000 readings of 300-character paths are about 1.9 MB: refused 413 by the app's 1 MiB.
    const readings = Array.from({ length: 5000 }, (_, i) => ({
      path: `/rds/project/${'deep/'.repeat(57)}${String(i).padStart(5, '0')}`,
      readOn: '2026-11-27',
      usedBytes: 6_100_000_000_000,
    }));
    const response = await call('rs501', 'POST', '/api/usage-readings', { readings });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ read: 5000, added: 0 });
    const tooLarge = await call('rs501', 'POST', '/api/usage-readings', {
      readings: [{ path: `/${'x'.repeat(11_000_000)}`, readOn: '2026-11-27', usedBytes: 1 }],
    });
    expect(tooLarge.statusCode).toBe(413);
    expect(tooLarge.json().error.message).toBe('The body is too large: this operation takes at most 10,240,000 bytes.');
  });

  it('answers a write to an address that is no operation with a 404, not a CSRF refusal', async () => {
    // A mistyped path (manager for managers) with a token was a 403 'The CSRF token is missing or not valid'.
    for (const [method, url] of [
      ['DELETE', '/api/licences/1/manager/bm202'],
      ['PUT', '/api/orders'],
      ['POST', '/api/licence/1/changes'],
    ] as const) {
      const response = await t.app.inject({
        method,
        url,
        headers: { authorization: `Bearer ${tokens.ar101}` },
        payload: {},
      });
      expect(response.statusCode, url).toBe(404);
      expect(response.json().error.code).toBe('not-found');
    }
  });

  it('answers a 404 with the API’s error, not the title of the site’s “Page not found” page', async () => {
    // An address that is no operation, and an operation's own 404 (an order nobody can see).
    const missing = await t.app.inject({
      method: 'GET',
      url: '/api/no-such-thing?x=1',
      headers: { authorization: `Bearer ${tokens.ar101}` },
    });
    expect(missing.statusCode).toBe(404);
    expect(missing.headers['content-type']).toContain('application/json');
    expect(missing.json().error).toMatchObject({
      status: 404,
      code: 'not-found',
      title: 'Not found',
      message: 'There is no operation GET /api/no-such-thing. The operations are listed at /api/openapi.json.',
    });
    const order = await call('ar101', 'GET', '/api/orders/ORD-999999');
    expect(order.statusCode).toBe(404);
    expect(order.json().error).toMatchObject({ code: 'not-found', title: 'Not found' });
    expect(JSON.stringify(order.json())).not.toContain('Page not found');
    // The site's pages keep their page.
    const page = await t.app.inject('/no/such/page');
    expect(page.body).toContain('Page not found');
  });

  it('pages the lists of orders, licences and quotes: limit and offset, with the same total on every page', async () => {
    for (const name of ['Paged one', 'Paged two', 'Paged three']) {
      await insertStorage(t.database.db, { name, owner: 'da303', institutionId: 'CHEM' });
    }
    const references: string[] = [];
    for (const offset of [0, 2]) {
      const page = await call('da303', 'GET', `/api/orders?limit=2&offset=${offset}`);
      expect(page.json()).toMatchObject({ total: 3, limit: 2, offset });
      references.push(...page.json().orders.map((o: { reference: string }) => o.reference));
    }
    expect(new Set(references).size).toBe(3);
    expect((await call('da303', 'GET', '/api/orders')).json()).toMatchObject({ total: 3, limit: 100, offset: 0 });
    // A page past the end is empty, and still says how many there are.
    expect((await call('da303', 'GET', '/api/orders?offset=10')).json()).toMatchObject({ total: 3, orders: [] });

    const names: string[] = [];
    for (const offset of [0, 1, 2]) {
      const page = await call('da303', 'GET', `/api/licences?limit=1&offset=${offset}`);
      expect(page.json()).toMatchObject({ total: 3, limit: 1, offset });
      names.push(page.json().licences[0].name);
    }
    expect(names.sort()).toEqual(['Paged one', 'Paged three', 'Paged two']);
    expect((await call('da303', 'GET', '/api/licences?offset=5')).json()).toMatchObject({ total: 3, licences: [] });

    for (const name of ['Quoted one', 'Quoted two', 'Quoted three']) {
      await call('da303', 'POST', '/api/quotes', {
        ...configuration,
        institutionId: 'CHEM',
        ownerCrsid: 'da303',
        managerCrsids: [],
        licenceName: name,
      });
    }
    const quoted: string[] = [];
    for (const offset of [0, 2]) {
      const page = await call('da303', 'GET', `/api/quotes?limit=2&offset=${offset}`);
      expect(page.json()).toMatchObject({ total: 3, limit: 2, offset });
      quoted.push(...page.json().quotes.map((q: { licenceName: string }) => q.licenceName));
    }
    // Newest first, like the orders.
    expect(quoted).toEqual(['Quoted three', 'Quoted two', 'Quoted one']);

    // Not a number at all was 'Invalid input: expected number, received NaN'.
    expect((await call('da303', 'GET', '/api/orders?limit=all')).json().error.fields).toEqual({
      limit: 'The limit is a whole number',
    });
    for (const id of ['abc', '1.5', '0', '99999999999999999999']) {
      const response = await call('da303', 'GET', `/api/licences/${id}`);
      expect(response.json().error.fields, id).toEqual({ id: 'An id is a whole number, such as 42' });
    }

    const tooMany = await call('da303', 'GET', '/api/licences?limit=101');
    expect(tooMany.statusCode).toBe(400);
    expect(tooMany.json().error.fields).toEqual({ limit: 'The limit is at most 100' });
    expect((await call('da303', 'GET', '/api/orders?offset=-1')).json().error.fields).toEqual({
      offset: 'The offset is at least 0',
    });
  });
});
