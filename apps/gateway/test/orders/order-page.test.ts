import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestAppWithCufs } from '../support/cufs.ts';
import { buy, RDS_CONFIGURATION } from '../support/purchase.ts';
import { Browser, type TestApp } from '../support/test-app.ts';

describe('an order’s page', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestAppWithCufs();
  });
  afterAll(() => t?.close());

  // It said "Submitted 27/11/2026, 10:00:00" (toLocaleString) where every other page writes dates out in full.
  it('says when it was submitted as other pages write a moment: 27 November 2026 at 10:00', async () => {
    const alice = new Browser(t.app);
    await alice.signInAs('ar101');
    const reference = await buy(alice, 'RDS', RDS_CONFIGURATION, { method: 'finance-code', financeCode: 'PHAA.GAAA' });
    const page = await alice.get(`/orders/${reference}/`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<dt>Submitted</dt><dd>27 November 2026 at 10:00</dd>');
  });
});
