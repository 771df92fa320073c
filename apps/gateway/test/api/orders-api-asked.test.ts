import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accessTokens, rowCount } from '../support/api.ts';
import { changeableLicence } from '../support/change-orders.ts';
import { startTestAppWithCufs } from '../support/cufs.ts';
import { SAMPLE_PDF } from '../support/purchase.ts';
import type { TestApp } from '../support/test-app.ts';

/**
 * The API answers for everything an order was asked with: a submission key sent again is its order
 * only if nothing asked differs, a quote's price is given as ordering with it would charge it, an
 * order placed with a quote has the quote's names and people, and a refused finance code is
 * replaced through the API as on the order's page.
 */
describe('the API orders what it was asked, as it was asked', () => {
  let t: TestApp;
  let tokens: Record<string, string> = {};
  let licenceNumber = 0;

  beforeAll(async () => {
    t = await startTestAppWithCufs();
    tokens = await accessTokens(t, ['ar101', 'bm202', 'da303', 'rs501']);
  }, 180_000);
  afterAll(() => t?.close());

  function call(crsid: string, method: 'GET' | 'POST', url: string, payload?: object) {
    return t.app.inject({
      method,
      url,
      headers: { authorization: `Bearer ${tokens[crsid]}` },
      ...(payload === undefined ? {} : { payload }),
    });
  }

  const configuration = {
    product: 'RDS',
    sizeTb: 5,
    termYears: 3,
    institutionId: 'PHYS',
    licenceName: 'Asked licence',
    ownerCrsid: 'ar101',
    managerCrsids: ['bm202'],
    projectName: 'asked-project',
  };
  const finance = { method: 'finance-code', financeCode: 'PHAA.GAAA' };

  function orderBody(extra: object = {}) {
    return {
      ...configuration,
      payment: finance,
      acceptTerms: true,
      termsVersion: '2026-08',
      submissionKey: randomUUID(),
      ...extra,
    };
  }

  async function changeableLicenceOfAlice() {
    licenceNumber += 1;
    return changeableLicence(t.database.db, { licence: `Asked ${licenceNumber}`, project: `asked${licenceNumber}` });
  }

  function change(id: number, extra: object) {
    return call('ar101', 'POST', `/api/licences/${id}/changes`, {
      payment: finance,
      acceptTerms: true,
      termsVersion: '2026-08',
      submissionKey: randomUUID(),
      ...extra,
    });
  }

  it('answers a submission key sent again with its order only when nothing asked differs', async () => {
    const upload = await t.app.inject({
      method: 'POST',
      url: '/api/documents?fileName=po.pdf',
      headers: { authorization: `Bearer ${tokens.ar101}`, 'content-type': 'application/pdf' },
      payload: SAMPLE_PDF,
    });
    expect(upload.statusCode, upload.body).toBe(201);
    // Dana (Chemistry) the Data Owner, so that Alice may have either department pay.
    const body = orderBody({ ownerCrsid: 'da303' });
    const first = await call('ar101', 'POST', '/api/orders', body);
    expect(first.statusCode, first.body).toBe(201);
    const reference: string = first.json().reference;
    const orders = await rowCount(t.database.db, 'orders');

    // The same order, the finance code written as the page also takes it: the retry it is.
    const retried = await call('ar101', 'POST', '/api/orders', {
      ...body,
      payment: { method: 'finance-code', financeCode: 'phaa gaaa' },
    });
    expect(retried.statusCode, retried.body).toBe(201);
    expect(retried.json().reference).toBe(reference);

    for (const changed of [
      { institutionId: 'CHEM' },
      { ownerCrsid: 'ar101' },
      { managerCrsids: [] },
      { managerCrsids: ['bm202', 'cb404'] },
      { projectName: 'another-project' },
      { licenceName: 'Another licence' },
      { payment: { method: 'finance-code', financeCode: 'PHAA.GAAB' } },
      { payment: { method: 'purchase-order', poNumber: 'P7654321', documentId: upload.json().id } },
    ]) {
      const reused = await call('ar101', 'POST', '/api/orders', { ...body, ...changed });
      expect(reused.statusCode, JSON.stringify(changed)).toBe(422);
      expect(reused.json().error.fields, `${JSON.stringify(changed)}: ${reused.body}`).toEqual({
        submissionKey: `This submission key was used for ${reference}, a different order: send a new key (a fresh UUID) with each order`,
      });
    }
    expect(await rowCount(t.database.db, 'orders')).toBe(orders);
  });

  it('answers a change’s submission key sent again only for the same payment and reason', async () => {
    const id = await changeableLicenceOfAlice();
    const body = { kind: 'increase', addTb: 2, submissionKey: randomUUID() };
    const first = await change(id, body);
    expect(first.statusCode, first.body).toBe(201);
    expect((await change(id, body)).json().reference).toBe(first.json().reference);
    const otherCode = await change(id, { ...body, payment: { method: 'finance-code', financeCode: 'PHAA.GAAB' } });
    expect(otherCode.statusCode, otherCode.body).toBe(422);
    expect(otherCode.json().error.fields.submissionKey).toContain(`was used for ${first.json().reference}`);

    const other = await changeableLicenceOfAlice();
    const cancellation = { kind: 'cancellation', reason: 'No longer needed', payment: undefined };
    const key = randomUUID();
    const cancelled = await change(other, { ...cancellation, submissionKey: key });
    expect(cancelled.statusCode, cancelled.body).toBe(201);
    expect((await change(other, { ...cancellation, submissionKey: key })).statusCode).toBe(201);
    const otherReason = await change(other, { ...cancellation, reason: 'Moving elsewhere', submissionKey: key });
    expect(otherReason.statusCode, otherReason.body).toBe(422);
    expect(otherReason.json().error.fields.submissionKey).toContain(`was used for ${cancelled.json().reference}`);
  });

  it('prices new storage with a quoteReference as ordering with it would, refusing it as ordering does', async () => {
    const quote = await call('ar101', 'POST', '/api/quotes', configuration);
    expect(quote.statusCode, quote.body).toBe(201);
    const reference: string = quote.json().reference;
    await t.database.db
      .insertInto('prices')
      .values({ product_code: 'RDS', customer_class: 'internal', pence_per_tb_year: 6_000, valid_from: '2026-11-27' })
      .execute();
    expect((await call('ar101', 'POST', '/api/prices', configuration)).json().totalPence).toBe(90_000);
    const priced = await call('ar101', 'POST', '/api/prices', { ...configuration, quoteReference: reference });
    expect(priced.statusCode, priced.body).toBe(200);
    expect(priced.json()).toMatchObject({ pencePerTbYear: 5_400, totalPence: 81_000 });

    const later = '. Ask for a new quote, or leave quoteReference out to order at today’s price.';
    const otherSize = await call('ar101', 'POST', '/api/prices', {
      ...configuration,
      sizeTb: 6,
      quoteReference: reference,
    });
    expect(otherSize.statusCode).toBe(422);
    expect(otherSize.json().error.fields).toEqual({
      quoteReference: `Quote ${reference} is for another order: 5 TB (not 6 TB)${later}`,
    });
    const notHis = await call('bm202', 'POST', '/api/prices', {
      ...configuration,
      ownerCrsid: 'bm202',
      managerCrsids: [],
      quoteReference: reference,
    });
    expect(notHis.statusCode).toBe(422);
    expect(notHis.json().error.fields.quoteReference).toContain(`We could not find quote ${reference}`);

    // Ordered with it, the order's total is the one priced; then the quote is used.
    const ordered = await call(
      'ar101',
      'POST',
      '/api/orders',
      orderBody({ quoteReference: reference, expectedTotalPence: priced.json().totalPence }),
    );
    expect(ordered.statusCode, ordered.body).toBe(201);
    const used = await call('ar101', 'POST', '/api/prices', { ...configuration, quoteReference: reference });
    expect(used.statusCode, used.body).toBe(409);
    expect(used.json().error.fields.quoteReference).toBe(
      `Quote ${reference} was used for order ${ordered.json().reference}: a quote pays for one order. Get a new quote, or order at today’s price.`,
    );
  });

  it('orders with a quote only the names and people it was asked for, naming each that differs', async () => {
    const quoted = { ...configuration, licenceName: 'Quote cfg', managerCrsids: ['bm202'], projectName: 'qcfg' };
    const reference: string = (await call('ar101', 'POST', '/api/quotes', quoted)).json().reference;
    const before = await rowCount(t.database.db, 'orders');
    const differs = await call(
      'ar101',
      'POST',
      '/api/orders',
      orderBody({
        ...quoted,
        licenceName: 'Something else',
        ownerCrsid: 'bm202',
        managerCrsids: [],
        projectName: 'other',
        quoteReference: reference,
      }),
    );
    expect(differs.statusCode, differs.body).toBe(422);
    expect(differs.json().error.fields).toEqual({
      licenceName: `Quote ${reference} was for the licence name “Quote cfg”, not “Something else”`,
      ownerCrsid: `Quote ${reference} was for ar101 as Data Owner, not bm202`,
      managerCrsids: `Quote ${reference} was for bm202 as Data Manager, not none`,
      projectName: `Quote ${reference} was for the storage project “qcfg”, not “other”`,
    });
    expect(differs.json().error.message).toContain('send what the quote was for');
    // Priced with it, the same refusal.
    const pricedDiffers = await call('ar101', 'POST', '/api/prices', {
      ...quoted,
      projectName: 'other',
      quoteReference: reference,
    });
    expect(pricedDiffers.statusCode).toBe(422);
    expect(Object.keys(pricedDiffers.json().error.fields)).toEqual(['projectName']);
    expect(await rowCount(t.database.db, 'orders')).toBe(before);

    const same = await call('ar101', 'POST', '/api/orders', orderBody({ ...quoted, quoteReference: reference }));
    expect(same.statusCode, same.body).toBe(201);
    expect(same.json()).toMatchObject({
      quoteReference: reference,
      licence: { name: 'Quote cfg', ownerCrsid: 'ar101' },
    });
  });

  it('refuses a quote for another licence or change with a 422, before saying it was used', async () => {
    const first = await changeableLicenceOfAlice();
    const increase = await call('ar101', 'POST', `/api/licences/${first}/changes/quote`, {
      kind: 'increase',
      addTb: 2,
    });
    const increaseQuote: string = increase.json().reference;
    expect((await change(first, { kind: 'increase', addTb: 2, quoteReference: increaseQuote })).statusCode).toBe(201);
    const newStorage: string = (await call('ar101', 'POST', '/api/quotes', configuration)).json().reference;

    const second = await changeableLicenceOfAlice();
    const later = 'Ask for a quote for this change, or leave quoteReference out to order at today’s price.';
    const cases = [
      [
        increaseQuote,
        `Quote ${increaseQuote} is not for this change of this licence: it is for more space on licence ${first}. ${later}`,
      ],
      [newStorage, `Quote ${newStorage} is not for this change of this licence: it is for new storage. ${later}`],
    ];
    for (const [quoteReference, message] of cases) {
      for (const path of [`/api/licences/${second}/changes/price`, `/api/licences/${second}/changes`]) {
        const refused = path.endsWith('/price')
          ? await call('ar101', 'POST', path, { kind: 'increase', addTb: 2, quoteReference })
          : await change(second, { kind: 'increase', addTb: 2, quoteReference });
        expect(refused.statusCode, `${path} ${refused.body}`).toBe(422);
        expect(refused.json().error.fields).toEqual({ quoteReference: message });
      }
    }
  });

  it('says per kind what an order’s size and term are, and returns a cancellation’s reason', async () => {
    const id = await changeableLicenceOfAlice();
    const increase = await change(id, { kind: 'increase', addTb: 2 });
    expect(increase.statusCode, increase.body).toBe(201);
    expect(increase.json()).toMatchObject({ kind: 'increase', sizeTb: 2, termYears: null, reason: null });
    await t.database.db
      .updateTable('orders')
      .set({ status: 'completed' })
      .where('reference', '=', increase.json().reference)
      .execute();

    const cancelled = await change(id, { kind: 'cancellation', reason: ' No longer needed ', payment: undefined });
    expect(cancelled.statusCode, cancelled.body).toBe(201);
    expect(cancelled.json()).toMatchObject({
      kind: 'cancellation',
      sizeTb: 5,
      termYears: null,
      reason: 'No longer needed',
      price: { pencePerTbYear: 0, totalPence: 0 },
      payment: null,
    });
    const read = await call('ar101', 'GET', `/api/orders/${cancelled.json().reference}`);
    expect(read.json().reason).toBe('No longer needed');
    const bought = await call('ar101', 'POST', '/api/orders', orderBody());
    expect(bought.json()).toMatchObject({ kind: 'new', sizeTb: 5, termYears: 3, reason: null });
    const document = (await t.app.inject('/api/openapi.json')).json();
    const order = document.components.schemas.Order.properties;
    expect(order.termYears.description).toContain('null for an increase');
    expect(order.reason.description).toContain('cancellation');
  });

  it('checks a quote reference’s form as an order reference’s', async () => {
    for (const url of ['/api/quotes/', '/api/quotes/nonsense']) {
      const response = await call('ar101', 'GET', url);
      expect(response.statusCode, url).toBe(400);
      expect(response.json().error.fields).toEqual({ reference: 'A quote reference looks like Q-000042' });
    }
  });

  it('takes another finance code for an order whose code was refused, as its page does', async () => {
    const ordered = await call('ar101', 'POST', '/api/orders', orderBody({ managerCrsids: ['da303'] }));
    const reference: string = ordered.json().reference;
    const path = `/api/orders/${reference}/payment`;
    // Not refused (yet): nothing to change.
    const early = await call('ar101', 'POST', path, { financeCode: 'PHAA.GAAA' });
    expect(early.statusCode, early.body).toBe(409);
    expect(early.json().error.message).toBe('The payment of this order can no longer be changed here.');

    // CUFS refused its code in the background check.
    const { id } = await t.database.db
      .selectFrom('orders')
      .select('id')
      .where('reference', '=', reference)
      .executeTakeFirstOrThrow();
    await t.database.db.updateTable('orders').set({ status: 'awaiting-payment-check' }).where('id', '=', id).execute();
    await t.database.db
      .updateTable('payments')
      .set({ check_status: 'invalid', check_message: 'This finance code cannot be used: Cost centre PHAA is closed.' })
      .where('order_id', '=', id)
      .execute();

    expect((await call('bm202', 'POST', path, { financeCode: 'PHAA.GAAA' })).statusCode).toBe(404);
    const manager = await call('da303', 'POST', path, { financeCode: 'PHAA.GAAA' });
    expect(manager.statusCode, manager.body).toBe(403);
    const malformed = await call('ar101', 'POST', path, { financeCode: 'PH.GA' });
    expect(malformed.statusCode).toBe(422);
    expect(Object.keys(malformed.json().error.fields)).toEqual(['financeCode']);
    const closed = await call('ar101', 'POST', path, { financeCode: 'PHZX.GAAA' });
    expect(closed.statusCode).toBe(422);
    expect(closed.json().error.fields.financeCode).toContain('This finance code cannot be used');

    const fixed = await call('ar101', 'POST', path, { financeCode: 'phaa gaab' });
    expect(fixed.statusCode, fixed.body).toBe(200);
    expect(fixed.json()).toMatchObject({
      reference,
      status: 'awaiting-approval',
      payment: { method: 'finance-code', financeCode: 'PHAA.GAAB', check: 'valid' },
    });
    const again = await call('ar101', 'POST', path, { financeCode: 'PHAA.GAAA' });
    expect(again.statusCode).toBe(409);
  });
});
