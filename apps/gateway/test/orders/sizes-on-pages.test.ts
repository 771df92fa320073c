import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestAppWithCufs } from '../support/cufs.ts';
import { buy, RDS_CONFIGURATION } from '../support/purchase.ts';
import { Browser, type TestApp } from '../support/test-app.ts';

/** A size reads one way on every page: "10,000 TB", as the limits say it ("at most 10,000 TB"). */
describe('sizes on the buying pages', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestAppWithCufs();
  });
  afterAll(() => t?.close());

  // The price line read "10000 TB × £54.00 …" and the order page "Size 10000 TB".
  it('writes a large size with its thousands separator in the price, as you type, and on the order', async () => {
    const alice = new Browser(t.app);
    await alice.signInAs('ar101');
    const large = { ...RDS_CONFIGURATION, sizeTb: '10000' };
    const csrf = await alice.csrfFrom('/storage/buy/RDS/');
    const priced = await alice.post('/storage/buy/RDS/', { ...large, _csrf: csrf, intent: 'price' });
    expect(priced.statusCode).toBe(200);
    expect(priced.body).toContain('10,000 TB × £54.00 per TB per year × 3 years');
    const typed = await alice.get('/storage/buy/RDS/price?sizeTb=10000&termYears=3&institutionId=PHYS');
    expect(typed.json().lines[0]).toEqual(['Calculation', '10,000 TB × £54.00 per TB per year × 3 years']);
    const reference = await buy(alice, 'RDS', large, { method: 'finance-code', financeCode: 'PHAA.GAAA' });
    const order = await alice.get(`/orders/${reference}/`);
    expect(order.body).toContain('<dt>Size</dt><dd>10,000 TB</dd>');
    expect(order.body).not.toContain('10000 TB');
  });
});
