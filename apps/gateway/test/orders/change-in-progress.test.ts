import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestAppWithCufs } from '../support/cufs.ts';
import { insertOrder, insertStorage } from '../support/storage-fixtures.ts';
import { Browser, type TestApp } from '../support/test-app.ts';

/** One change of a licence at a time: the page that refuses another says where to go instead. */
describe('a change refused while another is in progress', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestAppWithCufs();
  });
  afterAll(() => t?.close());

  // The 409 page linked only to the home page, not to the order in progress nor to the licence.
  it('links the order in progress and the licence', async () => {
    const { licenceId } = await insertStorage(t.database.db, {
      name: 'Busy licence',
      owner: 'ar101',
      managers: ['bm202'],
      sizeTb: 5,
      status: 'active',
      startDate: '2026-08-01',
      endDate: '2027-07-31',
      order: { status: 'completed' },
    });
    const { reference } = await insertOrder(t.database.db, licenceId, { kind: 'increase', sizeTb: 2 });
    const ben = new Browser(t.app);
    await ben.signInAs('bm202');
    const refused = await ben.get(`/storage/licence/${licenceId}/change/renewal/`);
    expect(refused.statusCode).toBe(409);
    expect(refused.body).toContain(`Order ${reference} is already changing this licence`);
    expect(refused.body).toContain(`<a href="/orders/${reference}/">Go to order ${reference}</a>`);
    expect(refused.body).toContain(`<a href="/storage/licence/${licenceId}/">Go to the licence “Busy licence”</a>`);
  });
});
