import { randomUUID } from 'node:crypto';
import { validate } from '@readme/openapi-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accessTokens, rowCount } from '../support/api.ts';
import { startTestAppWithCufs } from '../support/cufs.ts';
import { SAMPLE_PDF } from '../support/purchase.ts';
import type { TestApp } from '../support/test-app.ts';

describe('buying storage through the JSON API', () => {
  let t: TestApp;
  let tokens: Record<string, string> = {};

  beforeAll(async () => {
    t = await startTestAppWithCufs();
    tokens = await accessTokens(t, ['ar101', 'bm202', 'da303', 'rs501', 'if502', 'fn601']);
  });
  afterAll(() => t?.close());

  function call(
    crsid: string,
    method: 'GET' | 'POST',
    url: string,
    payload?: unknown,
    headers: Record<string, string> = {},
  ) {
    return t.app.inject({
      method,
      url,
      headers: { authorization: `Bearer ${tokens[crsid]}`, ...headers },
      ...(payload === undefined ? {} : Buffer.isBuffer(payload) ? { payload } : { payload: payload as object }),
    });
  }

  const configuration = {
    product: 'RDS',
    sizeTb: 5,
    termYears: 3,
    institutionId: 'PHYS',
    licenceName: 'API licence',
    ownerCrsid: 'ar101',
    managerCrsids: ['bm202'],
    projectName: 'api-project',
  };

  it('documents every purchase operation in a valid OpenAPI document', async () => {
    const document = (await t.app.inject('/api/openapi.json')).json();
    const result = await validate(structuredClone(document) as never);
    expect(result.valid ? [] : result.errors).toEqual([]);
    for (const path of [
      '/api/prices',
      '/api/quotes',
      '/api/quotes/{reference}',
      '/api/orders',
      '/api/orders/{reference}',
      '/api/orders/{reference}/cancel',
      '/api/documents',
      '/api/licences',
      '/api/licences/{id}',
      '/api/projects/{id}',
    ]) {
      expect(document.paths[path], path).toBeDefined();
    }
    expect(Object.keys(document.paths['/api/documents'].post.requestBody.content)).toEqual(['application/pdf']);
  });

  it('prices and quotes with the same rules and messages as the pages', async () => {
    const price = await call('ar101', 'POST', '/api/prices', configuration);
    expect(price.statusCode).toBe(200);
    expect(price.json()).toMatchObject({
      netPence: 81_000,
      vatPence: 0,
      totalPence: 81_000,
      customerClass: 'internal',
    });
    const bad = await call('ar101', 'POST', '/api/prices', { ...configuration, sizeTb: 0, termYears: 7 });
    expect(bad.statusCode).toBe(422);
    expect(bad.json().error.fields).toEqual({
      sizeTb: 'The size must be at least 1 TB',
      termYears: 'Choose one of the terms offered: 1 year, 2 years, 3 years, 4 years, 5 years',
    });
    const quote = await call('ar101', 'POST', '/api/quotes', configuration);
    expect(quote.statusCode).toBe(201);
    expect(quote.json()).toMatchObject({
      totalPence: 81_000,
      issuedOn: '2026-11-27',
      validUntil: '2026-12-27',
      valid: true,
    });
    const reference = quote.json().reference;
    expect((await call('ar101', 'GET', `/api/quotes/${reference}`)).statusCode).toBe(200);
    expect((await call('bm202', 'GET', `/api/quotes/${reference}`)).statusCode).toBe(404);
    expect((await call('rs501', 'GET', `/api/quotes/${reference}`)).statusCode).toBe(200);
  });

  it('submits an order once per submission key, and only the people on it can see or cancel it', async () => {
    const submissionKey = randomUUID();
    const body = {
      ...configuration,
      payment: { method: 'finance-code', financeCode: 'PHAA.GAAA' },
      acceptTerms: true,
      termsVersion: '2026-08',
      submissionKey,
    };
    const created = await call('ar101', 'POST', '/api/orders', body);
    expect(created.statusCode, created.body).toBe(201);
    const order = created.json();
    expect(order).toMatchObject({
      status: 'awaiting-approval',
      statusLabel: 'Waiting for approval',
      price: { totalPence: 81_000 },
      payment: { check: 'valid' },
    });
    const retried = await call('ar101', 'POST', '/api/orders', body);
    expect(retried.statusCode).toBe(201);
    expect(retried.json().reference).toBe(order.reference);
    // The key sent again for a different purchase is refused, not answered with the first order.
    for (const changed of [{ sizeTb: 6 }, { termYears: 1 }, { product: 'RFS' }]) {
      const reused = await call('ar101', 'POST', '/api/orders', { ...body, ...changed });
      expect(reused.statusCode, JSON.stringify(changed)).toBe(422);
      expect(reused.json().error.fields.submissionKey).toContain(`was used for ${order.reference}, a different order`);
    }

    const listed = await call('ar101', 'GET', '/api/orders');
    expect(listed.json().orders.map((o: { reference: string }) => o.reference)).toContain(order.reference);
    // bm202 is a Data Manager on it: sees it, cannot cancel. da303 has no part in it. if502 is the other service's staff.
    expect((await call('bm202', 'GET', `/api/orders/${order.reference}`)).statusCode).toBe(200);
    expect((await call('da303', 'GET', `/api/orders/${order.reference}`)).statusCode).toBe(404);
    expect((await call('if502', 'GET', `/api/orders/${order.reference}`)).statusCode).toBe(404);
    expect((await call('da303', 'POST', `/api/orders/${order.reference}/cancel`)).statusCode).toBe(404);
    expect((await call('bm202', 'POST', `/api/orders/${order.reference}/cancel`)).statusCode).toBe(403);
    // Finance reads every order but changes only charges: sees it, cannot cancel.
    expect((await call('fn601', 'GET', `/api/orders/${order.reference}`)).statusCode).toBe(200);
    expect((await call('fn601', 'POST', `/api/orders/${order.reference}/cancel`)).statusCode).toBe(403);
    expect((await call('da303', 'GET', `/api/licences/${order.licence.id}`)).statusCode).toBe(404);
    expect((await call('bm202', 'GET', `/api/licences/${order.licence.id}`)).json()).toMatchObject({
      name: 'API licence',
      status: 'pending',
    });

    const cancelled = await call('ar101', 'POST', `/api/orders/${order.reference}/cancel`);
    expect(cancelled.json()).toMatchObject({ status: 'cancelled' });
    const again = await call('ar101', 'POST', `/api/orders/${order.reference}/cancel`);
    expect(again.statusCode).toBe(409);
  });

  it('has the service team say why they cancel a customer’s order, as the cancel page does', async () => {
    const created = await call('ar101', 'POST', '/api/orders', {
      ...configuration,
      payment: { method: 'finance-code', financeCode: 'PHAA.GAAA' },
      acceptTerms: true,
      termsVersion: '2026-08',
      submissionKey: randomUUID(),
    });
    const path = `/api/orders/${created.json().reference}/cancel`;
    for (const body of [undefined, {}, { reason: '   ' }]) {
      const refused = await call('rs501', 'POST', path, body);
      expect(refused.statusCode, JSON.stringify(body)).toBe(422);
      expect(refused.json().error.fields).toEqual({
        reason: 'Enter the reason for cancelling the order: the buyer will read it',
      });
    }
    const tooLong = await call('rs501', 'POST', path, { reason: 'x'.repeat(1_001) });
    expect(tooLong.json().error.fields).toEqual({ reason: 'The reason must be 1,000 characters or fewer' });
    expect((await call('ar101', 'GET', `/api/orders/${created.json().reference}`)).json().status).toBe(
      'awaiting-approval',
    );

    const cancelled = await call('rs501', 'POST', path, { reason: ' Ordered  twice by mistake ' });
    expect(cancelled.statusCode, cancelled.body).toBe(200);
    expect(cancelled.json()).toMatchObject({ status: 'cancelled', statusReason: 'Ordered twice by mistake' });
  });

  it('refuses orders with per-field reasons and stores nothing', async () => {
    const count = () => rowCount(t.database.db, 'orders');
    const before = await count();
    const base = { ...configuration, acceptTerms: true, termsVersion: '2026-08' };
    const closed = await call('ar101', 'POST', '/api/orders', {
      ...base,
      submissionKey: randomUUID(),
      payment: { method: 'finance-code', financeCode: 'PHZX.GAAA' },
    });
    expect(closed.statusCode).toBe(422);
    expect(closed.json().error.fields['payment.financeCode']).toContain('This finance code cannot be used');
    const noTerms = await call('ar101', 'POST', '/api/orders', {
      ...base,
      acceptTerms: false,
      submissionKey: randomUUID(),
      payment: { method: 'finance-code', financeCode: 'PHAA.GAAA' },
    });
    expect(noTerms.json().error.fields.acceptTerms).toBe('Accept the terms and conditions to submit the order');
    const voucherForResearch = await call('ar101', 'POST', '/api/orders', {
      ...base,
      submissionKey: randomUUID(),
      payment: { method: 'voucher', voucherCode: 'IFS-WELCOME-01' },
    });
    expect(voucherForResearch.json().error.fields['payment.method']).toBe(
      'A voucher cannot pay for this order: pay with a University finance code or a purchase order',
    );
    const unknownDocument = await call('ar101', 'POST', '/api/orders', {
      ...base,
      submissionKey: randomUUID(),
      payment: { method: 'purchase-order', poNumber: 'P1234567', documentId: randomUUID() },
    });
    // The API's field (documentId), not the page's file input (poDocument).
    expect(unknownDocument.json().error.fields['payment.documentId']).toContain('Upload the purchase order again');
    // A licence name with a line break would make every email whose subject names it fail to render,
    // so a change of the licence could never be completed: refused at the order, like any bad field.
    const twoLines = await call('ar101', 'POST', '/api/orders', {
      ...base,
      licenceName: 'API licence\r\nBcc: someone@example.com',
      submissionKey: randomUUID(),
      payment: { method: 'finance-code', financeCode: 'PHAA.GAAA' },
    });
    expect(twoLines.statusCode).toBe(422);
    expect(twoLines.json().error.fields.licenceName).toBe(
      'The licence name must be one line of plain text, without tabs, line breaks or invisible direction marks',
    );
    expect(await count()).toBe(before);
  });

  it('takes a PO document by upload, checked by content, usable only by its uploader', async () => {
    const notPdf = await call('ar101', 'POST', '/api/documents', Buffer.from('just text'), {
      'content-type': 'application/pdf',
    });
    expect(notPdf.statusCode).toBe(422);
    expect(notPdf.json().error.fields.document).toBe('The purchase order must be a PDF');
    const uploaded = await call('ar101', 'POST', '/api/documents?fileName=po.pdf', SAMPLE_PDF, {
      'content-type': 'application/pdf',
    });
    expect(uploaded.statusCode).toBe(201);
    const { id } = uploaded.json();
    const payment = { method: 'purchase-order', poNumber: 'P2222222', documentId: id };
    const base = { ...configuration, acceptTerms: true, termsVersion: '2026-08', payment };
    // Someone else cannot pay with Alice's upload.
    const stolen = await call('da303', 'POST', '/api/orders', {
      ...base,
      ownerCrsid: 'da303',
      managerCrsids: [],
      submissionKey: randomUUID(),
    });
    expect(stolen.statusCode).toBe(422);
    const order = await call('ar101', 'POST', '/api/orders', { ...base, submissionKey: randomUUID() });
    expect(order.statusCode, order.body).toBe(201);
    expect(order.json().payment).toMatchObject({ method: 'purchase-order', poNumber: 'P2222222', check: 'not-needed' });
  });

  it('answers 401 without a token or with a bad one', async () => {
    expect((await t.app.inject('/api/orders')).statusCode).toBe(401);
    const bad = await t.app.inject({ url: '/api/orders', headers: { authorization: 'Bearer ssgw_nonsense' } });
    expect(bad.statusCode).toBe(401);
  });
});
