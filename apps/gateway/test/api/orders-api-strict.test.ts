import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatPence } from '../../src/modules/catalogue/money.ts';
import { accessTokens, rowCount } from '../support/api.ts';
import { startTestAppWithCufs } from '../support/cufs.ts';
import { configure, pay, RDS_CONFIGURATION } from '../support/purchase.ts';
import { insertStorage } from '../support/storage-fixtures.ts';
import { Browser, type TestApp } from '../support/test-app.ts';

/**
 * The API spends people's money, so it does only what it was asked: a field it does not take is
 * refused rather than dropped, a quote that does not apply is refused rather than priced at today's
 * price, and an expected total that is not the order's is refused rather than charged.
 */
describe('the API orders only what it was asked, at the price the caller agreed to', () => {
  let t: TestApp;
  let tokens: Record<string, string> = {};

  beforeAll(async () => {
    t = await startTestAppWithCufs();
    tokens = await accessTokens(t, ['ar101', 'bm202', 'rs501']);
  });
  afterAll(() => t?.close());

  function call(crsid: string, method: 'GET' | 'POST' | 'DELETE', url: string, payload?: object) {
    return t.app.inject({
      method,
      url,
      headers: { authorization: `Bearer ${tokens[crsid]}` },
      ...(payload === undefined ? {} : { payload }),
    });
  }

  /** How many orders, licences and payments there are: what a refused call must leave alone. */
  async function written() {
    const db = t.database.db;
    return {
      orders: await rowCount(db, 'orders'),
      licences: await rowCount(db, 'licences'),
      payments: await rowCount(db, 'payments'),
    };
  }

  const configuration = {
    product: 'RDS',
    sizeTb: 5,
    termYears: 3,
    institutionId: 'PHYS',
    licenceName: 'Strict licence',
    ownerCrsid: 'ar101',
    managerCrsids: ['bm202'],
    projectName: 'strict-project',
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

  const noSuchField = (field: string) => `This operation has no field ${field}: check its spelling`;

  it('refuses a body field or query parameter it does not take with a 400 naming each, and orders nothing', async () => {
    const { licenceId } = await insertStorage(t.database.db, { name: 'Strict fields', owner: 'ar101' });
    const before = await written();
    const { managerCrsids: _managers, ...withoutManagers } = orderBody();
    // Both were dropped: the order was at today's price, with no Data Managers.
    const misspelt = await call('ar101', 'POST', '/api/orders', {
      ...withoutManagers,
      quoteRef: 'Q-000001',
      managerCrsid: ['bm202'],
    });
    expect(misspelt.statusCode, misspelt.body).toBe(400);
    expect(misspelt.json().error).toMatchObject({
      status: 400,
      code: 'bad-request',
      message:
        'The request body has fields this operation does not take: quoteRef, managerCrsid. Nothing was done: check the spelling against /api/openapi.json.',
      fields: { quoteRef: noSuchField('quoteRef'), managerCrsid: noSuchField('managerCrsid') },
    });

    // At any depth: the payment's fields are the chosen method's.
    const nested = await call(
      'ar101',
      'POST',
      '/api/orders',
      orderBody({ payment: { ...finance, poNumber: 'P1234567' } }),
    );
    expect(nested.statusCode).toBe(400);
    expect(nested.json().error.fields).toEqual({ 'payment.poNumber': noSuchField('payment.poNumber') });

    // Pricing and quoting read the same way, and a misspelt required field is named, not only missed.
    const price = await call('ar101', 'POST', '/api/prices', { ...configuration, termYear: 3 });
    expect(price.statusCode).toBe(400);
    expect(price.json().error.fields).toEqual({ termYear: noSuchField('termYear') });
    const change = await call('ar101', 'POST', `/api/licences/${licenceId}/changes/price`, {
      kind: 'increase',
      addTB: 2,
    });
    expect(change.statusCode).toBe(400);
    expect(change.json().error.fields).toEqual({ addTB: noSuchField('addTB') });

    // An operation that takes no body takes no fields either; an empty one is still fine.
    const cancel = await call('ar101', 'POST', '/api/orders/ORD-000001/cancel', { reason: 'Too dear', why: 'x' });
    expect(cancel.statusCode).toBe(400);
    expect(cancel.json().error.fields).toEqual({ why: noSuchField('why') });
    const removal = await call('ar101', 'DELETE', `/api/licences/${licenceId}/managers/bm202`, { reason: 'Left' });
    expect(removal.statusCode).toBe(400);
    expect(removal.json().error.fields).toEqual({ reason: noSuchField('reason') });
    expect((await call('ar101', 'POST', '/api/orders/ORD-999999/cancel', {})).statusCode).toBe(404);

    const query = await call('ar101', 'GET', '/api/orders?limit=1&ofset=1');
    expect(query.statusCode).toBe(400);
    expect(query.json().error).toMatchObject({
      message:
        'The request query has a query parameter this operation does not take: ofset. Nothing was done: check the spelling against /api/openapi.json.',
      fields: { ofset: 'This operation has no query parameter ofset: check its spelling' },
    });
    expect(await written()).toEqual(before);
  });

  it('refuses a query parameter on an operation that takes none, as a body field: nothing is ordered', async () => {
    const before = await written();
    // The total in the query instead of the body: the order must not be placed at whatever price.
    const total = await call('ar101', 'POST', '/api/orders?expectedTotalPence=1', orderBody());
    expect(total.statusCode, total.body).toBe(400);
    expect(total.json().error.fields).toEqual({
      expectedTotalPence: 'This operation has no query parameter expectedTotalPence: check its spelling',
    });
    const cancel = await call('ar101', 'POST', '/api/orders/ORD-999999/cancel?reason=Too%20dear');
    expect(cancel.statusCode).toBe(400);
    expect(Object.keys(cancel.json().error.fields)).toEqual(['reason']);
    expect(await written()).toEqual(before);
    // A call with no query at all is as before.
    expect((await call('ar101', 'GET', '/api/me')).statusCode).toBe(200);
  });

  it('says so in the OpenAPI document: request objects take no other properties, and a 400 may answer', async () => {
    const document = (await call('ar101', 'GET', '/api/openapi.json')).json();
    const submitOrder = document.paths['/api/orders'].post;
    const body = submitOrder.requestBody.content['application/json'].schema;
    expect(body.additionalProperties).toBe(false);
    expect(body.properties.expectedTotalPence).toMatchObject({ type: 'integer', minimum: 0 });
    const payments = body.properties.payment.oneOf ?? body.properties.payment.anyOf;
    expect(payments.map((option: { additionalProperties?: boolean }) => option.additionalProperties)).toEqual([
      false,
      false,
      false,
    ]);
    expect(submitOrder.responses['400']).toEqual({ $ref: '#/components/responses/BadRequest' });
    expect(document.paths['/api/orders/{reference}/cancel'].post.responses['400']).toBeDefined();
    // An operation that takes no query and no body may be answered 400 too (a query parameter).
    expect(document.paths['/api/me'].get.responses['400']).toEqual({ $ref: '#/components/responses/BadRequest' });
    // One shape per kind of change, each with expectedTotalPence.
    const changes = document.paths['/api/licences/{id}/changes'].post.requestBody.content['application/json'].schema;
    for (const option of changes.oneOf as Array<{ properties: Record<string, unknown> }>) {
      expect(option.properties.expectedTotalPence).toBeDefined();
    }
    expect(document.info.description).toContain('is a 400 naming each');
  });

  it('orders new storage with none but its own quote for new storage: not a change quote, not another’s', async () => {
    const later = '. Ask for a new quote, or leave quoteReference out to order at today’s price.';
    // A quote for 2 TB more on a licence, priced by the day to its end (less than new storage):
    // refused for new storage of the same size, never charged at the change's price.
    const { licenceId } = await insertStorage(t.database.db, {
      name: 'Strict change licence',
      owner: 'ar101',
      sizeTb: 5,
      status: 'active',
      startDate: '2026-08-01',
      endDate: '2027-07-31',
    });
    const increase = await call('ar101', 'POST', `/api/licences/${licenceId}/changes/quote`, {
      kind: 'increase',
      addTb: 2,
    });
    expect(increase.statusCode, increase.body).toBe(201);
    const changeQuote: string = increase.json().reference;
    const before = await written();
    const asNew = await call(
      'ar101',
      'POST',
      '/api/orders',
      orderBody({ quoteReference: changeQuote, sizeTb: 2, termYears: 1 }),
    );
    expect(asNew.statusCode, asNew.body).toBe(422);
    expect(asNew.json().error.fields).toEqual({
      quoteReference: `Quote ${changeQuote} is for a change of licence ${licenceId}, not for new storage${later}`,
    });
    // The storage team reads Alice's quote for new storage, but does not buy with it.
    const own = (await call('ar101', 'POST', '/api/quotes', configuration)).json().reference as string;
    expect((await call('rs501', 'GET', `/api/quotes/${own}`)).statusCode).toBe(200);
    const byStaff = await call('rs501', 'POST', '/api/orders', orderBody({ quoteReference: own }));
    expect(byStaff.statusCode, byStaff.body).toBe(422);
    expect(byStaff.json().error.fields).toEqual({
      quoteReference: `Quote ${own} was asked for by Alice Researcher: only they can buy with it`,
    });
    expect(await written()).toEqual(before);
  });

  it('refuses a quoteReference that is not the caller’s, has expired or is for another order, with a 422 saying which', async () => {
    const quote = await call('ar101', 'POST', '/api/quotes', configuration);
    expect(quote.statusCode).toBe(201);
    const reference: string = quote.json().reference;
    const before = await written();
    const refusal = async (crsid: string, body: object) => {
      const response = await call(crsid, 'POST', '/api/orders', body);
      expect(response.statusCode, response.body).toBe(422);
      expect(response.json().error.code).toBe('unprocessable');
      expect(Object.keys(response.json().error.fields)).toEqual(['quoteReference']);
      expect(response.json().error.message).toBe(response.json().error.fields.quoteReference);
      return response.json().error.fields.quoteReference as string;
    };

    expect(await refusal('ar101', orderBody({ quoteReference: 'Q-999999' }))).toBe(
      'We could not find quote Q-999999. A quote can be seen only by the person who asked for it (for a change of a licence, also by its Data Owner and Data Managers) and the storage team.',
    );
    // Ben may not buy at Alice's quoted price; he is told no more than that it is not found.
    expect(
      await refusal('bm202', orderBody({ quoteReference: reference, ownerCrsid: 'bm202', managerCrsids: [] })),
    ).toBe(
      `We could not find quote ${reference}. A quote can be seen only by the person who asked for it (for a change of a licence, also by its Data Owner and Data Managers) and the storage team.`,
    );
    const later = '. Ask for a new quote, or leave quoteReference out to order at today’s price.';
    expect(await refusal('ar101', orderBody({ quoteReference: reference, sizeTb: 6 }))).toBe(
      `Quote ${reference} is for another order: 5 TB (not 6 TB)${later}`,
    );
    expect(await refusal('ar101', orderBody({ quoteReference: reference, product: 'RFS', termYears: 1 }))).toBe(
      `Quote ${reference} is for another order: RDS (not RFS), 3 years (not 1 year)${later}`,
    );

    const stale = (await call('ar101', 'POST', '/api/quotes', configuration)).json().reference as string;
    await t.database.db
      .updateTable('quotes')
      .set({ issued_on: '2026-10-27', valid_until: '2026-11-26' })
      .where('reference', '=', stale)
      .execute();
    expect(await refusal('ar101', orderBody({ quoteReference: stale }))).toBe(
      `Quote ${stale} expired on 26 November 2026${later}`,
    );
    expect(await written()).toEqual(before);

    // A quote that applies still holds its price after the catalogue's rises.
    await t.database.db
      .insertInto('prices')
      .values({ product_code: 'RDS', customer_class: 'internal', pence_per_tb_year: 6_000, valid_from: '2026-11-27' })
      .execute();
    expect((await call('ar101', 'POST', '/api/prices', configuration)).json().totalPence).toBe(90_000);
    const quoted = await call('ar101', 'POST', '/api/orders', orderBody({ quoteReference: reference }));
    expect(quoted.statusCode, quoted.body).toBe(201);
    expect(quoted.json()).toMatchObject({ quoteReference: reference, price: { totalPence: 81_000 } });
  });

  it('says on the check-your-answers page why a quote the buyer started from does not apply', async () => {
    const alice = new Browser(t.app);
    await alice.signInAs('ar101');
    const reference = (await call('ar101', 'POST', '/api/quotes', configuration)).json().reference as string;
    expect((await alice.get(`/storage/buy/RDS/?quote=${reference}`)).statusCode).toBe(200);
    expect((await configure(alice, 'RDS', { ...RDS_CONFIGURATION, sizeTb: '6' })).statusCode).toBe(303);
    expect((await pay(alice, 'RDS', finance as { method: 'finance-code'; financeCode: string })).statusCode).toBe(303);
    const check = await alice.get('/storage/buy/RDS/check');
    expect(check.body).toContain(`Quote ${reference} is for another order: 5 TB (not 6 TB), so today’s price applies.`);
    expect(check.body).not.toContain('At the price of quote');
  });

  it('orders new storage only at the expected total: any other is a 409 giving both, and nothing is written', async () => {
    const total: number = (await call('ar101', 'POST', '/api/prices', configuration)).json().totalPence;
    const before = await written();
    const expected = total - 1;
    const wrong = await call('ar101', 'POST', '/api/orders', orderBody({ expectedTotalPence: expected }));
    expect(wrong.statusCode, wrong.body).toBe(409);
    expect(wrong.json().error).toMatchObject({
      code: 'conflict',
      message: `The total is ${formatPence(total)} (${total} pence), not the ${formatPence(expected)} (${expected} pence) you expected, so nothing was ordered. Price it again, and send the new total if you accept it.`,
      fields: { expectedTotalPence: `The total is ${total} pence, not ${expected}` },
    });
    expect(await written()).toEqual(before);
    const right = await call('ar101', 'POST', '/api/orders', orderBody({ expectedTotalPence: total }));
    expect(right.statusCode, right.body).toBe(201);
    expect(right.json().price.totalPence).toBe(total);
    const negative = await call('ar101', 'POST', '/api/orders', orderBody({ expectedTotalPence: -1 }));
    expect(negative.statusCode).toBe(422);
    expect(Object.keys(negative.json().error.fields)).toEqual(['expectedTotalPence']);
  });

  it('answers a submission key sent again with its order only at that order’s total and quote', async () => {
    const quote = (await call('ar101', 'POST', '/api/quotes', configuration)).json().reference as string;
    const total: number = (await call('ar101', 'POST', '/api/prices', configuration)).json().totalPence;
    const body = orderBody({ expectedTotalPence: total });
    const first = await call('ar101', 'POST', '/api/orders', body);
    expect(first.statusCode, first.body).toBe(201);
    const reference: string = first.json().reference;
    const before = await written();

    // The retry expects another total: it was answered 201 with the order at the first total.
    const expected = total + 500;
    const wrong = await call('ar101', 'POST', '/api/orders', { ...body, expectedTotalPence: expected });
    expect(wrong.statusCode, wrong.body).toBe(409);
    expect(wrong.json().error).toMatchObject({
      code: 'conflict',
      message: `The total is ${formatPence(total)} (${total} pence), not the ${formatPence(expected)} (${expected} pence) you expected: this submission key ordered ${reference} at that total already, so nothing more was ordered. Cancel ${reference} if it is not the order you want, or send a new key (a fresh UUID) for a new order.`,
      fields: { expectedTotalPence: `The total is ${total} pence, not ${expected}` },
    });
    // The same key for the same order at a quote's price is another order, not a retry.
    const quoted = await call('ar101', 'POST', '/api/orders', { ...body, quoteReference: quote });
    expect(quoted.statusCode, quoted.body).toBe(422);
    expect(quoted.json().error.fields.submissionKey).toBe(
      `This submission key was used for ${reference}, a different order: send a new key (a fresh UUID) with each order`,
    );
    expect(await written()).toEqual(before);

    // A retry at the order's total, or expecting none, is answered with the order.
    for (const retry of [body, { ...body, expectedTotalPence: undefined }]) {
      const again = await call('ar101', 'POST', '/api/orders', retry);
      expect(again.statusCode, again.body).toBe(201);
      expect(again.json().reference).toBe(reference);
    }

    // A change sent again expecting another total: the same 409, and the change stands as ordered.
    const { licenceId } = await insertStorage(t.database.db, {
      name: `Strict retry ${randomUUID()}`,
      owner: 'ar101',
      sizeTb: 5,
      status: 'active',
      startDate: '2025-10-16',
      endDate: '2027-07-31',
      order: { status: 'completed' },
    });
    const choice = { kind: 'increase', addTb: 2 };
    const price: number = (await call('ar101', 'POST', `/api/licences/${licenceId}/changes/price`, choice)).json()
      .totalPence;
    const change = {
      ...choice,
      payment: finance,
      acceptTerms: true,
      termsVersion: '2026-08',
      submissionKey: randomUUID(),
      expectedTotalPence: price,
    };
    const changed = await call('ar101', 'POST', `/api/licences/${licenceId}/changes`, change);
    expect(changed.statusCode, changed.body).toBe(201);
    const retried = await call('ar101', 'POST', `/api/licences/${licenceId}/changes`, {
      ...change,
      expectedTotalPence: price - 1,
    });
    expect(retried.statusCode, retried.body).toBe(409);
    expect(retried.json().error.fields).toEqual({
      expectedTotalPence: `The total is ${price} pence, not ${price - 1}`,
    });
    expect(retried.json().error.message).toContain(
      `this submission key ordered ${changed.json().reference} at that total already`,
    );
  });

  it('changes a licence only at the expected total: more space, a renewal and a recovery', async () => {
    const licence = async (status: 'active' | 'cold', endDate: string) =>
      (
        await insertStorage(t.database.db, {
          name: `Strict change ${randomUUID()}`,
          owner: 'ar101',
          sizeTb: 5,
          status,
          startDate: '2025-10-16',
          endDate,
          order: { status: 'completed' },
        })
      ).licenceId;
    for (const [choice, id] of [
      [{ kind: 'increase', addTb: 2 }, await licence('active', '2027-07-31')],
      // Ending within 60 days, so that it can be renewed (renewal-window.ts).
      [{ kind: 'renewal', termYears: 1 }, await licence('active', '2027-01-15')],
      [{ kind: 'recovery', termYears: 1 }, await licence('cold', '2026-10-15')],
    ] as const) {
      const priced = await call('ar101', 'POST', `/api/licences/${id}/changes/price`, choice);
      expect(priced.statusCode, priced.body).toBe(200);
      const total: number = priced.json().totalPence;
      expect(total).toBeGreaterThan(0);
      const body = (expectedTotalPence: number) => ({
        ...choice,
        payment: finance,
        acceptTerms: true,
        termsVersion: '2026-08',
        submissionKey: randomUUID(),
        expectedTotalPence,
      });
      const before = await written();
      const wrong = await call('ar101', 'POST', `/api/licences/${id}/changes`, body(total + 100));
      expect(wrong.statusCode, `${choice.kind}: ${wrong.body}`).toBe(409);
      expect(wrong.json().error.fields).toEqual({
        expectedTotalPence: `The total is ${total} pence, not ${total + 100}`,
      });
      expect(await written(), choice.kind).toEqual(before);
      const right = await call('ar101', 'POST', `/api/licences/${id}/changes`, body(total));
      expect(right.statusCode, `${choice.kind}: ${right.body}`).toBe(201);
      expect(right.json()).toMatchObject({ kind: choice.kind, price: { totalPence: total } });
    }
  });
});
