import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accessTokens, rowCount } from '../support/api.ts';
import { startTestAppWithCufs } from '../support/cufs.ts';
import { openApiReader, type Schema } from '../support/openapi-document.ts';
import { SAMPLE_PDF } from '../support/purchase.ts';
import { insertStorage } from '../support/storage-fixtures.ts';
import type { TestApp } from '../support/test-app.ts';

/**
 * What an API caller sends is read as the documents (docs/api.md, /api/openapi.json) say: only
 * JSON where the operation takes JSON, a submission key that is the caller's own, field names the
 * API's own, only the fields a change of that kind takes, plain digits for paging, and the bounds
 * of each number stated in the document.
 */
describe('the JSON API reads its input as documented', () => {
  let t: TestApp;
  let tokens: Record<string, string> = {};

  beforeAll(async () => {
    t = await startTestAppWithCufs();
    tokens = await accessTokens(t, ['ar101', 'bm202', 'da303', 'rs501']);
  });
  afterAll(() => t?.close());

  function call(
    crsid: string,
    method: 'GET' | 'POST',
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
    licenceName: 'Input rules licence',
    ownerCrsid: 'ar101',
    managerCrsids: [],
    projectName: 'input-rules',
  };
  const finance = { method: 'finance-code', financeCode: 'PHAA.GAAA' };
  const orderBody = (extra: object = {}) => ({
    ...configuration,
    payment: finance,
    acceptTerms: true,
    termsVersion: '2026-08',
    submissionKey: randomUUID(),
    ...extra,
  });

  async function managersOf(licenceId: number): Promise<number> {
    const rows = await t.database.db
      .selectFrom('licence_managers')
      .select('person_id')
      .where('licence_id', '=', licenceId)
      .execute();
    return rows.length;
  }

  const SEND_JSON = 'Send the body with Content-Type: application/json.';

  it('refuses a body that is not JSON, of any type, where the operation takes JSON: a 422 saying what to send', async () => {
    const { licenceId } = await insertStorage(t.database.db, {
      name: 'Form body',
      owner: 'ar101',
      status: 'active',
      startDate: '2026-08-01',
      endDate: '2027-07-31',
    });
    // A form body was read as if it were JSON, and the manager added (201).
    const form = await call('ar101', 'POST', `/api/licences/${licenceId}/managers`, 'crsid=bm202', {
      'content-type': 'application/x-www-form-urlencoded',
    });
    expect(form.statusCode, form.body).toBe(422);
    expect(form.json().error).toMatchObject({ code: 'unprocessable', message: SEND_JSON, fields: { body: SEND_JSON } });
    expect(await managersOf(licenceId)).toBe(0);
    // JSON sent as text/plain was 'expected object, received string'.
    const text = await call('ar101', 'POST', '/api/prices', JSON.stringify(configuration), {
      'content-type': 'text/plain',
    });
    expect(text.statusCode, text.body).toBe(422);
    expect(text.json().error.fields).toEqual({ body: SEND_JSON });
    // An operation that takes no body takes no other type either.
    const cancel = await call('ar101', 'POST', '/api/orders/ORD-000001/cancel', 'x', { 'content-type': 'text/plain' });
    expect(cancel.statusCode, cancel.body).toBe(422);
    expect(cancel.json().error.fields).toEqual({ body: SEND_JSON });
    // JSON with its charset is JSON; the PO upload takes its PDF.
    const charset = await call('ar101', 'POST', `/api/licences/${licenceId}/managers`, '{"crsid":"bm202"}', {
      'content-type': 'application/json; charset=utf-8',
    });
    expect(charset.statusCode, charset.body).toBe(201);
    const pdf = await call('ar101', 'POST', '/api/documents', SAMPLE_PDF, { 'content-type': 'application/pdf' });
    expect(pdf.statusCode, pdf.body).toBe(201);
    const formPdf = await call('ar101', 'POST', '/api/documents', 'a=b', {
      'content-type': 'application/x-www-form-urlencoded',
    });
    expect(formPdf.statusCode).toBe(422);
    expect(formPdf.json().error.fields).toEqual({ body: 'Send the body with Content-Type: application/pdf.' });
  });

  it('refuses a submission key of someone else’s order, or the nil UUID, as a 422 for submissionKey', async () => {
    const key = randomUUID();
    const alice = await call('ar101', 'POST', '/api/orders', orderBody({ submissionKey: key }));
    expect(alice.statusCode, alice.body).toBe(201);
    const before = await rowCount(t.database.db, 'orders');
    for (const body of [
      orderBody({ submissionKey: key, ownerCrsid: 'bm202', licenceName: 'Ben’s', sizeTb: 6 }),
      orderBody({ submissionKey: key }),
    ]) {
      const ben = await call('bm202', 'POST', '/api/orders', body);
      expect(ben.statusCode, ben.body).toBe(422);
      expect(ben.json().error.code).toBe('unprocessable');
      expect(Object.keys(ben.json().error.fields)).toEqual(['submissionKey']);
      expect(ben.json().error.fields.submissionKey).toContain('send a new key');
      // Nothing about Alice's order is told to Ben.
      expect(ben.body).not.toContain(alice.json().reference);
    }
    expect(await rowCount(t.database.db, 'orders')).toBe(before);

    const { licenceId } = await insertStorage(t.database.db, {
      name: 'Key of another',
      owner: 'ar101',
      managers: ['bm202'],
      status: 'active',
      // Ending within 60 days, so that it can be renewed (renewal-window.ts).
      startDate: '2026-01-16',
      endDate: '2027-01-15',
      order: { status: 'completed' },
    });
    const change = {
      kind: 'renewal',
      termYears: 1,
      payment: finance,
      acceptTerms: true,
      termsVersion: '2026-08',
      submissionKey: randomUUID(),
    };
    const renewed = await call('ar101', 'POST', `/api/licences/${licenceId}/changes`, change);
    expect(renewed.statusCode, renewed.body).toBe(201);
    const benChange = await call('bm202', 'POST', `/api/licences/${licenceId}/changes`, change);
    expect(benChange.statusCode, benChange.body).toBe(422);
    expect(Object.keys(benChange.json().error.fields)).toEqual(['submissionKey']);

    for (const notFresh of ['00000000-0000-0000-0000-000000000000', 'ffffffff-ffff-ffff-ffff-ffffffffffff']) {
      const refused = await call('ar101', 'POST', '/api/orders', orderBody({ submissionKey: notFresh }));
      expect(refused.statusCode, refused.body).toBe(422);
      expect(refused.json().error.fields).toEqual({
        submissionKey: 'Send a fresh random UUID as the submissionKey, not the nil (all 0) or max (all f) UUID',
      });
    }
    // The licence's first order and Alice's renewal, nothing of Ben's.
    expect(await rowCount(t.database.db, 'orders')).toBe(before + 2);
  });

  it('names a purchase order’s document as the API does: payment.documentId', async () => {
    const upload = await call('ar101', 'POST', '/api/documents?fileName=po.pdf', SAMPLE_PDF, {
      'content-type': 'application/pdf',
    });
    const payment = { method: 'purchase-order', poNumber: 'P7654321', documentId: upload.json().id };
    // Ben cannot pay with Alice's upload.
    const stolen = await call('bm202', 'POST', '/api/orders', orderBody({ ownerCrsid: 'bm202', payment }));
    expect(stolen.statusCode, stolen.body).toBe(422);
    expect(Object.keys(stolen.json().error.fields)).toEqual(['payment.documentId']);
    expect(stolen.json().error.fields['payment.documentId']).toContain('Upload the purchase order again');
    // Once used, it cannot pay for another order.
    expect((await call('ar101', 'POST', '/api/orders', orderBody({ payment }))).statusCode).toBe(201);
    const again = await call('ar101', 'POST', '/api/orders', orderBody({ payment }));
    expect(Object.keys(again.json().error.fields)).toEqual(['payment.documentId']);
    // A change's payment likewise.
    const { licenceId } = await insertStorage(t.database.db, {
      name: 'PO change',
      owner: 'ar101',
      status: 'active',
      startDate: '2026-08-01',
      endDate: '2027-07-31',
      order: { status: 'completed' },
    });
    const change = await call('ar101', 'POST', `/api/licences/${licenceId}/changes`, {
      kind: 'increase',
      addTb: 1,
      payment,
      acceptTerms: true,
      termsVersion: '2026-08',
      submissionKey: randomUUID(),
    });
    expect(change.statusCode, change.body).toBe(422);
    expect(Object.keys(change.json().error.fields)).toEqual(['payment.documentId']);
  });

  it('refuses a field that does not apply to the kind of change, naming it, and orders nothing', async () => {
    const { licenceId } = await insertStorage(t.database.db, {
      name: 'Change fields',
      owner: 'ar101',
      status: 'active',
      startDate: '2026-08-01',
      endDate: '2027-07-31',
      order: { status: 'completed' },
    });
    const before = await rowCount(t.database.db, 'orders');
    const order = { acceptTerms: true, termsVersion: '2026-08', submissionKey: randomUUID() };
    const cases = [
      [
        'changes',
        { kind: 'cancellation', addTb: 5, termYears: 3, ...order },
        { addTb: 'addTb does not apply to a cancellation', termYears: 'termYears does not apply to a cancellation' },
      ],
      [
        'changes',
        { kind: 'increase', addTb: 1, reason: 'why not', payment: finance, ...order },
        { reason: 'reason does not apply to an increase' },
      ],
      [
        'changes/price',
        { kind: 'increase', addTb: 2, termYears: 1 },
        { termYears: 'termYears does not apply to an increase' },
      ],
      ['changes/price', { kind: 'renewal', addTb: 2, termYears: 1 }, { addTb: 'addTb does not apply to a renewal' }],
      ['changes/price', { kind: 'recovery', addTb: 2, termYears: 1 }, { addTb: 'addTb does not apply to a recovery' }],
      // A quote for a change takes the same shapes (no quote for a cancellation, which costs nothing).
      ['changes/quote', { kind: 'renewal', addTb: 2, termYears: 1 }, { addTb: 'addTb does not apply to a renewal' }],
      [
        'changes/quote',
        { kind: 'increase', addTb: 2, termYears: 1 },
        { termYears: 'termYears does not apply to an increase' },
      ],
    ] as const;
    for (const [path, body, fields] of cases) {
      const response = await call('ar101', 'POST', `/api/licences/${licenceId}/${path}`, body);
      expect(response.statusCode, `${path} ${JSON.stringify(body)}: ${response.body}`).toBe(422);
      expect(response.json().error.fields).toEqual(fields);
    }
    expect(await rowCount(t.database.db, 'orders')).toBe(before);
    // Each kind still takes its own fields.
    const price = await call('ar101', 'POST', `/api/licences/${licenceId}/changes/price`, {
      kind: 'increase',
      addTb: 2,
    });
    expect(price.statusCode, price.body).toBe(200);
    const unknown = await call('ar101', 'POST', `/api/licences/${licenceId}/changes/price`, { kind: 'upgrade' });
    expect(unknown.statusCode).toBe(422);
    expect(Object.keys(unknown.json().error.fields)).toEqual(['kind']);
    const cancel = await call('ar101', 'POST', `/api/licences/${licenceId}/changes`, {
      kind: 'cancellation',
      reason: 'done',
      ...order,
    });
    expect(cancel.statusCode, cancel.body).toBe(201);
  });

  it('answers usage readings in the API’s field names, readOn and usedBytes', async () => {
    const response = await call('rs501', 'POST', '/api/usage-readings', {
      readings: [
        { path: '/rds/nowhere', readOn: '2026-13-01', usedBytes: 1 },
        { path: '/rds/nowhere', readOn: '2999-01-01', usedBytes: 1 },
        { path: '/rds/nowhere', readOn: '2026-11-01', usedBytes: '1.5' },
        { path: '/rds/nowhere', readOn: '2026-11-01', usedBytes: '99999999999999999999' },
      ],
    });
    expect(response.statusCode, response.body).toBe(200);
    const reasons = response.json().rejected.map((rejection: { reason: string }) => rejection.reason);
    expect(reasons).toEqual([
      'readOn "2026-13-01" is not a day of the calendar',
      'readOn 2999-01-01 is in the future',
      'usedBytes "1.5" is not a whole number of bytes',
      expect.stringMatching(/^usedBytes "99999999999999999999" is too large/),
    ]);
    // A reading without usedBytes was only 'Invalid input'.
    const missing = await call('rs501', 'POST', '/api/usage-readings', {
      readings: [{ path: '/rds/nowhere', readOn: '2026-11-01' }],
    });
    expect(missing.statusCode).toBe(422);
    expect(missing.json().error.fields).toEqual({
      'readings.0.usedBytes': 'Give usedBytes: the bytes used, as a whole number (a number, or digits in a string)',
    });
    const noDay = await call('rs501', 'POST', '/api/usage-readings', {
      readings: [{ path: '/rds/nowhere', usedBytes: 1 }],
    });
    expect(noDay.json().error.fields).toEqual({ 'readings.0.readOn': 'Give readOn: the day it was read, YYYY-MM-DD' });
  });

  it('lists licences in the order it documents: in use first, then by name, as My storage does', async () => {
    for (const [name, status] of [
      ['B cold', 'cold'],
      ['A cancelled', 'cancelled'],
      ['C active', 'active'],
      ['A active', 'active'],
    ] as const) {
      await insertStorage(t.database.db, { name, owner: 'da303', status, institutionId: 'CHEM' });
    }
    const listed = (await call('da303', 'GET', '/api/licences')).json();
    expect(listed.licences.map((licence: { name: string }) => licence.name)).toEqual([
      'A active',
      'C active',
      'B cold',
      'A cancelled',
    ]);
    const document = (await t.app.inject('/api/openapi.json')).json();
    const operation = document.paths['/api/licences'].get;
    expect(`${operation.summary} ${operation.description ?? ''}`).toContain('in use first, then by name');
    const docs = await readFile(new URL('../../../../docs/api.md', import.meta.url), 'utf8');
    expect(docs).not.toMatch(/`GET \/api\/licences` and `GET \/api\/quotes` \(newest first\)/);
    expect(docs).toContain('`GET /api/licences` in use first, then by name');
  });

  it('takes an id in the path as plain digits only', async () => {
    for (const id of ['0x10', '1e1', '%2B5', '1.0', '0', '99999999999999999999']) {
      const response = await call('da303', 'GET', `/api/licences/${id}`);
      expect(response.statusCode, `${id}: ${response.body}`).toBe(400);
      expect(response.json().error.fields).toEqual({ id: 'An id is a whole number, such as 42' });
    }
    expect((await call('da303', 'GET', '/api/licences/999999')).statusCode).toBe(404);
  });

  it('takes paging parameters as plain digits only, each once', async () => {
    const cases = [
      ['limit=0x10', { limit: 'The limit is a whole number' }],
      ['offset=1e1', { offset: 'The offset is a whole number' }],
      ['limit=%2B5', { limit: 'The limit is a whole number' }],
      ['limit=-3', { limit: 'The limit is at least 1' }],
      ['limit=%205', { limit: 'The limit is a whole number' }],
      ['limit=', { limit: 'The limit is a whole number' }],
      ['limit=2&limit=3', { limit: 'Give the limit once' }],
      ['offset=1&offset=1', { offset: 'Give the offset once' }],
    ] as const;
    for (const list of ['orders', 'licences', 'quotes']) {
      for (const [query, fields] of cases) {
        const response = await call('da303', 'GET', `/api/${list}?${query}`);
        expect(response.statusCode, `${list}?${query}: ${response.body}`).toBe(400);
        expect(response.json().error.fields).toEqual(fields);
      }
      const page = await call('da303', 'GET', `/api/${list}?limit=007&offset=0`);
      expect(page.statusCode, page.body).toBe(200);
      expect(page.json()).toMatchObject({ limit: 7, offset: 0 });
    }
  });

  it('states the bounds the server keeps in the request schemas of the document', async () => {
    const document = (await t.app.inject('/api/openapi.json')).json();
    const { bodyFields } = openApiReader(document);
    const bounds = (schema: Schema) => ({ minimum: schema.minimum, maximum: schema.maximum });

    for (const path of ['/api/prices', '/api/orders', '/api/quotes']) {
      const [size] = bodyFields(path, 'sizeTb');
      expect(bounds(size as Schema), path).toEqual({ minimum: 1, maximum: 10_000 });
      const [term] = bodyFields(path, 'termYears');
      expect((term as Schema).minimum, path).toBe(1);
      const [managers] = bodyFields(path, 'managerCrsids');
      expect((managers as Schema).maxItems, path).toBe(20);
    }
    const [key] = bodyFields('/api/orders', 'submissionKey');
    expect(key).toMatchObject({
      format: 'uuid',
      not: { enum: ['00000000-0000-0000-0000-000000000000', 'ffffffff-ffff-ffff-ffff-ffffffffffff'] },
    });
    const [expected] = bodyFields('/api/orders', 'expectedTotalPence');
    expect((expected as Schema).minimum).toBe(0);
    for (const path of ['/api/licences/{id}/changes', '/api/licences/{id}/changes/price']) {
      const addTb = bodyFields(path, 'addTb');
      expect(addTb.length, path).toBeGreaterThan(0);
      for (const schema of addTb) expect(bounds(schema), path).toEqual({ minimum: 1, maximum: 10_000 });
      const termYears = bodyFields(path, 'termYears');
      expect(termYears.length, path).toBeGreaterThan(0);
      for (const schema of termYears) expect(schema.minimum, path).toBe(1);
    }
    const [quota] = bodyFields('/api/licences/{id}/projects', 'quotaTb');
    expect(bounds(quota as Schema)).toEqual({ minimum: 1, maximum: 10_000 });
    // No number a request sends may be any integer at all, negative ones included.
    const requests = Object.values(document.paths as Record<string, Record<string, object>>).flatMap((methods) =>
      Object.values(methods).map((operation) => ({
        parameters: (operation as { parameters?: object }).parameters,
        body: (operation as { requestBody?: object }).requestBody,
      })),
    );
    expect(JSON.stringify(requests)).not.toContain('-9007199254740991');

    // The friendly messages are still the server's, for numbers outside the bounds.
    const small = await call('ar101', 'POST', '/api/prices', { ...configuration, sizeTb: 0 });
    expect(small.json().error.fields).toEqual({ sizeTb: 'The size must be at least 1 TB' });
    const many = await call('ar101', 'POST', '/api/prices', {
      ...configuration,
      managerCrsids: Array.from({ length: 21 }, (_, i) => `zz${100 + i}`),
    });
    expect(many.json().error.fields).toEqual({
      managerCrsids: 'Add at most 20 Data Managers here; more can be added later',
    });
  });
});
