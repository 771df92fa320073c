import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { apiAs, changeableLicence, changeStepPath, movableClock } from '../support/change-orders.ts';
import { startTestAppWithCufs } from '../support/cufs.ts';
import { Browser, type TestApp } from '../support/test-app.ts';

/**
 * A renewal can be ordered (and quoted) only from RENEWAL_OPENS_DAYS_BEFORE_END days before the
 * licence's end date (60 by default, the first reminder's), or once it has ended: a tester renewed
 * a licence ending on 7 December 2027 twice on 15 December 2026, to 2029, at the 2026 price.
 */
describe('when a renewal can be ordered', () => {
  let t: TestApp;
  const { clock, at, reset } = movableClock();
  let licenceNumber = 0;
  const OPENS = 'Renewal opens on 8 October 2027, 60 days before the licence ends.';

  beforeAll(async () => {
    t = await startTestAppWithCufs({ clock });
  }, 180_000);
  afterAll(() => t?.close());
  beforeEach(reset);

  /** Alice's 5 TB licence (Ben a Data Manager) ending on 7 December 2027, as the tester's did. */
  async function chemistryDrive() {
    licenceNumber += 1;
    return changeableLicence(
      t.database.db,
      { licence: `Chemistry shared drive ${licenceNumber}`, project: `chem${licenceNumber}` },
      { startDate: '2026-12-08', endDate: '2027-12-07' },
    );
  }

  async function termsVersion(): Promise<string> {
    const row = await t.database.db
      .selectFrom('terms_versions')
      .select('version')
      .where('service', '=', 'research')
      .orderBy('published_on', 'desc')
      .limit(1)
      .executeTakeFirstOrThrow();
    return row.version;
  }

  const renewal = async (crsid: string, id: number) =>
    apiAs(t, crsid, 'POST', `/api/licences/${id}/changes`, {
      kind: 'renewal',
      termYears: 1,
      payment: { method: 'finance-code', financeCode: 'PHAA.GAAA' },
      acceptTerms: true,
      termsVersion: await termsVersion(),
      submissionKey: randomUUID(),
    });

  it('is not offered a year ahead: the licence page says when it opens, the change page answers 409', async () => {
    at('2026-12-15');
    const id = await chemistryDrive();
    const alice = new Browser(t.app);
    await alice.signInAs('ar101');
    const page = await alice.get(`/storage/licence/${id}/`);
    expect(page.statusCode).toBe(200);
    expect(page.body).not.toContain(`href="${changeStepPath(id, 'renewal')}"`);
    expect(page.body).toContain(OPENS);
    // The rest is still offered.
    expect(page.body).toContain(`href="${changeStepPath(id, 'increase')}"`);
    expect(page.body).toContain(`href="${changeStepPath(id, 'cancellation')}"`);

    const step = await alice.get(changeStepPath(id, 'renewal'));
    expect(step.statusCode).toBe(409);
    expect(step.body).toContain(OPENS);
    // The help says so too.
    const help = await alice.get('/help/payment-methods/');
    expect(help.body.replace(/\s+/g, ' ')).toContain('from the day its page says renewal opens');
  });

  it('is refused by the API a year ahead, for a price, a quote and an order alike', async () => {
    at('2026-12-15');
    const id = await chemistryDrive();
    const price = await apiAs(t, 'bm202', 'POST', `/api/licences/${id}/changes/price`, {
      kind: 'renewal',
      termYears: 1,
    });
    expect(price.statusCode).toBe(409);
    expect(price.json().error.message).toBe(OPENS);
    const quote = await apiAs(t, 'bm202', 'POST', `/api/licences/${id}/changes/quote`, {
      kind: 'renewal',
      termYears: 1,
    });
    expect(quote.statusCode).toBe(409);
    expect(quote.json().error.message).toBe(OPENS);
    const order = await renewal('bm202', id);
    expect(order.statusCode).toBe(409);
    expect(order.json().error.message).toBe(OPENS);
    expect(
      await t.database.db
        .selectFrom('orders')
        .select('id')
        .where('licence_id', '=', id)
        .where('kind', '=', 'renewal')
        .execute(),
    ).toEqual([]);
  });

  it('opens 60 days before the end date; one renewal at a time, and once it is done the window closes again', async () => {
    at('2027-10-07');
    const id = await chemistryDrive();
    expect((await renewal('ar101', id)).statusCode).toBe(409);

    at('2027-10-08');
    const alice = new Browser(t.app);
    await alice.signInAs('ar101');
    expect((await alice.get(`/storage/licence/${id}/`)).body).toContain(`href="${changeStepPath(id, 'renewal')}"`);
    const first = await renewal('ar101', id);
    expect(first.statusCode, first.body).toBe(201);
    expect(first.json()).toMatchObject({ period: { startsOn: '2027-12-08', endsOn: '2028-12-07' } });
    // A second while the first waits: the change in progress refuses it.
    const second = await renewal('bm202', id);
    expect(second.statusCode).toBe(409);
    expect(second.json().error.message).toContain(`Order ${first.json().reference} is already changing this licence`);

    // The first is completed: the licence ends a year later, and renewal opens 60 days before that.
    await t.database.db
      .updateTable('orders')
      .set({ status: 'completed' })
      .where('reference', '=', first.json().reference)
      .execute();
    await t.database.db.updateTable('licences').set({ end_date: '2028-12-07' }).where('id', '=', id).execute();
    const third = await renewal('bm202', id);
    expect(third.statusCode).toBe(409);
    expect(third.json().error.message).toBe('Renewal opens on 8 October 2028, 60 days before the licence ends.');
  });

  it('is open once the licence has ended and is read-only, however late', async () => {
    at('2027-12-20');
    const id = await chemistryDrive();
    await t.database.db.updateTable('licences').set({ status: 'suspended' }).where('id', '=', id).execute();
    const price = await apiAs(t, 'ar101', 'POST', `/api/licences/${id}/changes/price`, {
      kind: 'renewal',
      termYears: 1,
    });
    expect(price.statusCode, price.body).toBe(200);
    expect(price.json()).toMatchObject({ period: { startsOn: '2027-12-08', endsOn: '2028-12-07' } });
  });
});
