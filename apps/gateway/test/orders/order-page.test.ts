import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestAppWithCufs } from '../support/cufs.ts';
import { buy, RDS_CONFIGURATION } from '../support/purchase.ts';
import { insertOrder, insertStorage } from '../support/storage-fixtures.ts';
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

describe('a change order its licence has moved on from', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestAppWithCufs();
  });
  afterAll(() => t?.close());

  // Staff read "can no longer be approved … Reject it", while the customer's page still said the
  // renewal would be approved "usually within two working days".
  it('tells its people it can no longer be carried out, and to cancel it and order a recovery, while it waits', async () => {
    const db = t.database.db;
    const storage = await insertStorage(db, {
      name: 'Gone cold meanwhile',
      owner: 'ar101',
      managers: ['bm202'],
      sizeTb: 5,
      status: 'cold',
      startDate: '2025-03-01',
      endDate: '2026-02-28',
      order: { status: 'completed' },
    });
    const renewal = await insertOrder(db, storage.licenceId, {
      kind: 'renewal',
      status: 'awaiting-approval',
      startsOn: '2026-03-01',
      endsOn: '2027-02-28',
    });
    const alice = new Browser(t.app);
    await alice.signInAs('ar101');
    const notice = (body: string) =>
      body.match(/<div class="notice" role="status">(.*?)<\/div>/s)?.[1]?.replaceAll(/<[^>]+>/g, '') ?? '';
    const page = notice((await alice.get(`/orders/${renewal.reference}/`)).body);
    expect(page).not.toContain('usually within two working days');
    expect(page).toContain(
      'This renewal can no longer be carried out: a renewal applies to a licence that is active or expired – read-only, and this one is in the cold store now. Cancel this order (nothing will be charged for it), then order a recovery.',
    );
    // A Data Manager, who may not cancel it, is told who can.
    const ben = new Browser(t.app);
    await ben.signInAs('bm202');
    expect(notice((await ben.get(`/orders/${renewal.reference}/`)).body)).toContain(
      'The buyer or the Data Owner can cancel it (nothing will be charged for it), then order a recovery.',
    );
    // A renewal of a licence still read-only waits for approval as before.
    await db.updateTable('licences').set({ status: 'suspended' }).where('id', '=', storage.licenceId).execute();
    const waiting = notice((await alice.get(`/orders/${renewal.reference}/`)).body);
    expect(waiting).toContain('usually within two working days');
    expect(waiting).not.toContain('can no longer be carried out');
  });
});
