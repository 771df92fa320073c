import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { changeableLicence } from '../support/change-orders.ts';
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
    const licenceId = await changeableLicence(
      t.database.db,
      { licence: 'Busy licence', project: 'busy' },
      { projects: [] },
    );
    const { reference } = await insertOrder(t.database.db, licenceId, { kind: 'increase', sizeTb: 2 });
    const ben = new Browser(t.app);
    await ben.signInAs('bm202');
    const refused = await ben.get(`/storage/licence/${licenceId}/change/renewal/`);
    expect(refused.statusCode).toBe(409);
    expect(refused.body).toContain(`Order ${reference} is already changing this licence`);
    expect(refused.body).toContain(`<a href="/orders/${reference}/">Go to order ${reference}</a>`);
    expect(refused.body).toContain(`<a href="/storage/licence/${licenceId}/">Go to the licence “Busy licence”</a>`);
  });

  // A recovery ordered in the cold store still brings the licence back once it is due for
  // deletion, but its page said "A licence that is “due for deletion” cannot be changed here".
  it('says the recovery in progress on a licence that has since become due for deletion', async () => {
    const { licenceId } = await insertStorage(t.database.db, {
      name: 'Recovering licence',
      owner: 'ar101',
      sizeTb: 5,
      status: 'deletable',
      startDate: '2025-10-16',
      endDate: '2026-04-15',
      order: { status: 'completed' },
    });
    const { reference } = await insertOrder(t.database.db, licenceId, { kind: 'recovery' });
    const alice = new Browser(t.app);
    await alice.signInAs('ar101');
    const page = await alice.get(`/storage/licence/${licenceId}/`);
    expect(page.statusCode).toBe(200);
    const section = page.body.match(/<section aria-labelledby="change-licence">[\s\S]*?<\/section>/)?.[0] ?? '';
    expect(section).toContain(`Order ${reference} is already changing this licence`);
    expect(section).not.toContain('cannot be changed here');
  });
});
