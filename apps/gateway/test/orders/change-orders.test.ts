import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { apiAs, changeableLicence, changeStepPath, movableClock } from '../support/change-orders.ts';
import { startTestAppWithCufs } from '../support/cufs.ts';
import { type Payment, payAt, SAMPLE_PDF, submitAt } from '../support/purchase.ts';
import { insertOrder, insertStorage, type StorageFixtureOptions } from '../support/storage-fixtures.ts';
import { Browser, type TestApp } from '../support/test-app.ts';

/**
 * Changing a licence (issue 6, point 2): more space, a renewal, a recovery from the cold store and
 * a cancellation, each an order placed by the licence's Data Owner or a Data Manager, through the
 * pages and through the API, on a clock the tests move (back-dated renewals, 29 February).
 */
describe('change orders', () => {
  let t: TestApp;
  const { clock, at, advanceDays, reset } = movableClock();
  let licenceNumber = 0;

  // A generous limit: opening a fresh database and CUFS is slow on a busy machine.
  beforeAll(async () => {
    // These tests renew licences months before their end date (31 July 2027 from 27 November 2026):
    // renewal opens a year ahead here; when it opens by default is renewal-window.test.ts's.
    t = await startTestAppWithCufs({ clock, env: { RENEWAL_OPENS_DAYS_BEFORE_END: '366' } });
  }, 180_000);
  afterAll(() => t?.close());
  beforeEach(reset);

  /** An RDS licence of Alice's (Ben a Data Manager), 5 TB, bought on 1 August 2026 for a year, its order done. */
  async function licence(options: Partial<StorageFixtureOptions> = {}) {
    licenceNumber += 1;
    return changeableLicence(
      t.database.db,
      { licence: `Change test ${licenceNumber}`, project: `p${licenceNumber}` },
      options,
    );
  }

  const path = changeStepPath;

  async function signedIn(crsid: string) {
    const browser = new Browser(t.app);
    await browser.signInAs(crsid);
    return browser;
  }

  /** Fills in the first step; returns its answer (303 to the payment step when it is right). */
  async function choose(
    browser: Browser,
    id: number,
    kind: string,
    values: Record<string, string>,
    intent = 'continue',
  ) {
    const csrf = await browser.csrfFrom(path(id, kind));
    return browser.post(path(id, kind), { ...values, _csrf: csrf, intent });
  }

  /** The whole change through the pages; returns the order's reference. */
  async function change(browser: Browser, id: number, kind: string, values: Record<string, string>, payment: Payment) {
    const chosen = await choose(browser, id, kind, values);
    expect(chosen.statusCode, chosen.body.match(/<a href="#[^"]+">([^<]+)/)?.[1]).toBe(303);
    expect(chosen.headers.location).toBe(path(id, kind, 'payment'));
    const paid = await payAt(browser, path(id, kind, 'payment'), payment);
    expect(paid.statusCode, paid.body.match(/<a href="#[^"]+">([^<]+)/)?.[1]).toBe(303);
    const { response } = await submitAt(browser, path(id, kind, 'check'));
    expect(response.statusCode, response.body.match(/<a href="#[^"]+">([^<]+)/)?.[1]).toBe(303);
    const reference = String(response.headers.location).match(/\/orders\/(ORD-\d+)\//)?.[1];
    if (!reference) throw new Error(`no order in ${response.headers.location}`);
    return reference;
  }

  const FINANCE_CODE: Payment = { method: 'finance-code', financeCode: 'PHAA.GAAA' };

  function orderRow(reference: string) {
    return t.database.db
      .selectFrom('orders')
      .leftJoin('payments', 'payments.order_id', 'orders.id')
      .select([
        'orders.kind',
        'orders.status',
        'orders.licence_id',
        'orders.size_tb',
        'orders.term_years',
        'orders.starts_on',
        'orders.ends_on',
        'orders.pence_per_tb_year',
        'orders.net_pence',
        'orders.vat_pence',
        'orders.total_pence',
        'orders.cold_store_pence',
        'orders.customer_class',
        'payments.method',
        'payments.check_status',
      ])
      .where('orders.reference', '=', reference)
      .executeTakeFirstOrThrow();
  }

  function mailFor(reference: string) {
    return t.database.db
      .selectFrom('mail_outbox')
      .select(['to_addresses', 'subject', 'text_body'])
      .where('subject', 'like', `%${reference}%`)
      .execute();
  }

  const api = (crsid: string, url: string, payload: object) => apiAs(t, crsid, 'POST', url, payload);

  async function termsVersion(service: 'research' | 'institutional' = 'research'): Promise<string> {
    const row = await t.database.db
      .selectFrom('terms_versions')
      .select('version')
      .where('service', '=', service)
      .orderBy('published_on', 'desc')
      .limit(1)
      .executeTakeFirstOrThrow();
    return row.version;
  }

  describe('through the pages', () => {
    it('does not submit an increase at a price the check page did not show: the next day asks to check again', async () => {
      const id = await licence();
      const alice = await signedIn('ar101');
      expect((await choose(alice, id, 'increase', { addTb: '2' })).statusCode).toBe(303);
      expect((await payAt(alice, path(id, 'increase', 'payment'), FINANCE_CODE)).statusCode).toBe(303);
      const check = await alice.get(path(id, 'increase', 'check'));
      expect(check.statusCode).toBe(200);
      // The form the buyer submits: every hidden field of the check page, and the terms accepted.
      const form: Record<string, string> = Object.fromEntries(
        [...check.body.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"/g)].map((m) => [m[1], m[2]]),
      ) as Record<string, string>;
      form.acceptTerms = 'yes';

      // Submitted after midnight: one day fewer to pay for.
      advanceDays(1);
      const refused = await alice.post(path(id, 'increase', 'check'), form);
      expect(refused.statusCode).toBe(422);
      expect(refused.body).toContain('The price has changed since you checked your order: the total is now £');
      expect(
        await t.database.db
          .selectFrom('orders')
          .select('id')
          .where('licence_id', '=', id)
          .where('kind', '=', 'increase')
          .execute(),
      ).toEqual([]);

      const { response } = await submitAt(alice, path(id, 'increase', 'check'));
      expect(response.statusCode).toBe(303);
    });

    it('does not submit a change whose answers another tab changed after the check page was shown', async () => {
      const id = await licence();
      const alice = await signedIn('ar101');
      expect((await choose(alice, id, 'increase', { addTb: '2' })).statusCode).toBe(303);
      expect((await payAt(alice, path(id, 'increase', 'payment'), FINANCE_CODE)).statusCode).toBe(303);
      const check = await alice.get(path(id, 'increase', 'check'));
      const form: Record<string, string> = Object.fromEntries(
        [...check.body.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"/g)].map((m) => [m[1], m[2]]),
      ) as Record<string, string>;
      form.acceptTerms = 'yes';
      // Another tab of the same browser pays for the same increase by purchase order instead.
      const po: Payment = {
        method: 'purchase-order',
        poNumber: 'P1112223',
        file: { bytes: SAMPLE_PDF, name: 'po.pdf' },
      };
      expect((await payAt(alice, path(id, 'increase', 'payment'), po)).statusCode).toBe(303);
      const refused = await alice.post(path(id, 'increase', 'check'), form);
      expect(refused.statusCode).toBe(422);
      expect(refused.body).toContain('Your answers were changed in another tab or window after this page was shown');
      expect(refused.body).toContain('P1112223');
      const orders = () =>
        t.database.db
          .selectFrom('orders')
          .select('id')
          .where('licence_id', '=', id)
          .where('kind', '=', 'increase')
          .execute();
      expect(await orders()).toEqual([]);
      const { response } = await submitAt(alice, path(id, 'increase', 'check'));
      expect(response.statusCode).toBe(303);
      expect(await orders()).toHaveLength(1);
    });

    it('a Data Manager adds space, priced by the day to the end date, and the licence shows it in progress', async () => {
      const id = await licence();
      const ben = await signedIn('bm202');
      const page = await ben.get(`/storage/licence/${id}/`);
      expect(page.body).toContain('Change this licence');
      for (const kind of ['increase', 'renewal', 'cancellation'])
        expect(page.body).toContain(`href="${path(id, kind)}"`);
      expect(page.body).not.toContain(`href="${path(id, 'recovery')}"`);

      const empty = await choose(ben, id, 'increase', { addTb: '' });
      expect(empty.statusCode).toBe(422);
      expect(empty.body).toContain('<title>Error: Increase the size');
      expect(empty.body).toContain('<a href="#addTb">Enter how many TB to add</a>');
      expect(empty.body).toContain('id="addTb-error"');
      for (const [addTb, message] of [
        ['1.5', 'Enter the TB to add as a whole number, for example 2'],
        ['0', 'Add at least 1 TB'],
        ['9996', 'add at most 9,995 TB'],
      ]) {
        const bad = await choose(ben, id, 'increase', { addTb: addTb ?? '' });
        expect(bad.statusCode).toBe(422);
        expect(bad.body).toContain(message);
      }

      // 27 November 2026 to 31 July 2027 is 247 days: 2 TB × £54 × 247 / 365 = £73.08
      const priced = await choose(ben, id, 'increase', { addTb: '2' }, 'price');
      expect(priced.statusCode).toBe(200);
      expect(priced.body).toContain('2 TB × £54.00 per TB per year × 247 days from 27 November 2026 to 31 July 2027');
      expect(priced.body).toContain('£73.08');

      const reference = await change(ben, id, 'increase', { addTb: '2' }, FINANCE_CODE);
      expect(await orderRow(reference)).toMatchObject({
        kind: 'increase',
        status: 'awaiting-approval',
        licence_id: id,
        size_tb: 2,
        starts_on: '2026-11-27',
        ends_on: '2027-07-31',
        pence_per_tb_year: 5400,
        net_pence: 7308,
        vat_pence: 0,
        total_pence: 7308,
        cold_store_pence: 0,
        method: 'finance-code',
        check_status: 'valid',
      });
      const mail = await mailFor(reference);
      expect(mail).toHaveLength(1);
      expect(mail[0]?.to_addresses.sort()).toEqual(['ar101@cam.ac.uk', 'bm202@cam.ac.uk']);
      expect(mail[0]?.text_body).toContain('2 TB more for “Change test');
      expect(mail[0]?.text_body).toContain('(5 TB → 7 TB), 27 November 2026 to 31 July 2027');
      const audit = await t.database.db
        .selectFrom('audit_events')
        .select(['action', 'actor_label', 'after'])
        .where('entity_id', '=', reference)
        .execute();
      expect(audit).toHaveLength(1);
      expect(audit[0]).toMatchObject({ action: 'submitted', actor_label: 'bm202' });
      expect(audit[0]?.after).toMatchObject({
        kind: 'increase',
        addTb: 2,
        totalPence: 7308,
        licenceSizeTb: 5,
        licenceEndDate: '2027-07-31',
        licenceStatus: 'active',
      });
      // The licence's history reads as what was ordered, not as its size going from 5 TB to 2 TB.
      const history = (await ben.get(`/storage/licence/${id}/`)).body;
      expect(history).toContain('size added: 2 TB;');
      expect(history).toContain('licence size: 5 TB;');
      expect(history).not.toMatch(/size: 5 TB → 2 TB|→ none/);

      const order = await ben.get(`/orders/${reference}/`);
      // Cancelling it asks about the change ordered, not about "2 TB of Research Data Store".
      const cancelling = await ben.get(`/orders/${reference}/cancel`);
      expect(cancelling.body).toContain(
        `2 TB more for “Change test ${licenceNumber}”, 27 November 2026 to 31 July 2027.`,
      );
      expect(cancelling.body).not.toContain('2 TB of Research Data Store');
      expect(order.body).toContain('More space');
      expect(order.body).toContain('27 November 2026 to 31 July 2027');
      // Submitting the same page again shows the same order, and makes no other.
      const replay = await ben.post(path(id, 'increase', 'check'), {
        _csrf: await ben.csrfFrom(`/orders/${reference}/`),
        submissionKey: (
          await t.database.db
            .selectFrom('orders')
            .select('submission_key')
            .where('reference', '=', reference)
            .executeTakeFirstOrThrow()
        ).submission_key,
        acceptTerms: 'yes',
      });
      expect(replay.statusCode).toBe(303);
      expect(replay.headers.location).toBe(`/orders/${reference}/`);
      const count = await t.database.db
        .selectFrom('orders')
        .select((eb) => eb.fn.countAll().as('n'))
        .where('licence_id', '=', id)
        .executeTakeFirstOrThrow();
      expect(Number(count.n)).toBe(2);

      // One change at a time: the licence page says which order is in progress, and the steps refuse.
      const after = await ben.get(`/storage/licence/${id}/`);
      expect(after.body).toContain(`Order ${reference} is already changing this licence`);
      expect(after.body).not.toContain(`href="${path(id, 'renewal')}"`);
      const busy = await ben.get(path(id, 'renewal'));
      expect(busy.statusCode).toBe(409);
      expect(busy.body).toContain(`Order ${reference} is already changing this licence`);

      // The staff see the kind in the queue and on the order.
      const staff = await signedIn('rs501');
      expect((await staff.get('/admin/orders/?service=research')).body).toContain('More space');
      const staffPage = (await staff.get(`/admin/orders/${reference}/`)).body;
      expect(staffPage).toContain('27 November 2026 to 31 July 2027');
      expect(staffPage).toContain('TB added');
      expect(staffPage).not.toContain('First storage project');
    });

    it('refuses people who are not the Data Owner or a Data Manager, locked licences and the wrong status', async () => {
      const id = await licence();
      // Someone with no place on the licence: the same 404 as for no licence at all.
      const dana = await signedIn('da303');
      expect((await dana.get(path(id, 'increase'))).statusCode).toBe(404);
      // A project member and staff see the licence but may not order its changes.
      for (const crsid of ['cb404', 'rs501']) {
        const browser = await signedIn(crsid);
        expect((await browser.get(`/storage/licence/${id}/`)).body).not.toContain('Change this licence');
        expect((await browser.get(path(id, 'increase'))).statusCode).toBe(403);
      }
      const alice = await signedIn('ar101');
      expect((await alice.get(path(id, 'recovery'))).statusCode).toBe(409);
      expect((await alice.get(path(id, 'nonsense'))).statusCode).toBe(404);
      expect((await alice.get('/storage/licence/0/change/increase/')).statusCode).toBe(404);

      const deletable = await licence({ status: 'deletable' });
      expect((await alice.get(`/storage/licence/${deletable}/`)).body).toContain(
        'A licence that is “due for deletion” cannot be changed here.',
      );
      const suspended = await licence({ status: 'suspended' });
      const refused = await alice.get(path(suspended, 'increase'));
      expect(refused.statusCode).toBe(409);
      expect(refused.body).toContain('Only an active licence can be made bigger: this one is expired (read-only).');

      // Locked between the first step and the submission: the submission is refused and nothing is written.
      expect((await choose(alice, id, 'renewal', { termYears: '1' })).statusCode).toBe(303);
      expect((await payAt(alice, path(id, 'renewal', 'payment'), FINANCE_CODE)).statusCode).toBe(303);
      const check = await alice.get(path(id, 'renewal', 'check'));
      const form = {
        _csrf: check.body.match(/name="_csrf" value="([^"]+)"/)?.[1] ?? '',
        submissionKey: check.body.match(/name="submissionKey" value="([^"]+)"/)?.[1] ?? '',
        acceptTerms: 'yes',
      };
      await t.database.db
        .updateTable('licences')
        .set({ locked_at: new Date(), lock_reason: 'audit' })
        .where('id', '=', id)
        .execute();
      const response = await alice.post(path(id, 'renewal', 'check'), form);
      expect(response.statusCode).toBe(409);
      expect(response.body).toContain('This licence is locked by the storage team');
      expect((await alice.get(`/storage/licence/${id}/`)).body).toContain('This licence is locked by the storage team');
      const orders = await t.database.db.selectFrom('orders').select('kind').where('licence_id', '=', id).execute();
      expect(orders.map((o) => o.kind)).toEqual(['new']);
    });

    it('does not offer more space on an active licence past its end date (not suspended yet): it is renewed first', async () => {
      // The nightly job suspends it tonight; until then it is still active, but its term is over.
      at('2027-08-01');
      const id = await licence();
      const alice = await signedIn('ar101');
      const page = await alice.get(`/storage/licence/${id}/`);
      expect(page.body).toContain('Change this licence');
      expect(page.body).toContain(`href="${path(id, 'renewal')}"`);
      expect(page.body).not.toContain(`href="${path(id, 'increase')}"`);
      const refused = await alice.get(path(id, 'increase'));
      expect(refused.statusCode).toBe(409);
      expect(refused.body).toContain('This licence ended on 31 July 2027: renew it before making it bigger.');
      const priced = await api('ar101', `/api/licences/${id}/changes/price`, { kind: 'increase', addTb: 1 });
      expect(priced.statusCode).toBe(409);
      // On its last day one day of more space is still sold.
      at('2027-07-31');
      expect((await alice.get(`/storage/licence/${id}/`)).body).toContain(`href="${path(id, 'increase')}"`);
    });

    it('keeps a change in progress while another is made in another tab, and orders each as chosen', async () => {
      const renewing = await licence();
      const growing = await licence();
      const alice = await signedIn('ar101');
      // The first tab: a two-year renewal, up to its payment step.
      expect((await choose(alice, renewing, 'renewal', { termYears: '2' })).headers.location).toBe(
        path(renewing, 'renewal', 'payment'),
      );
      // The second tab: more space on another licence, ordered to the end.
      const grown = await change(alice, growing, 'increase', { addTb: '3' }, FINANCE_CODE);
      expect(await orderRow(grown)).toMatchObject({ kind: 'increase', licence_id: growing, size_tb: 3 });
      // Back in the first tab, the renewal is where it was left: its payment step, for two years.
      const payment = await alice.get(path(renewing, 'renewal', 'payment'));
      expect(payment.statusCode).toBe(200);
      expect((await payAt(alice, path(renewing, 'renewal', 'payment'), FINANCE_CODE)).statusCode).toBe(303);
      const { response } = await submitAt(alice, path(renewing, 'renewal', 'check'));
      const renewed = String(response.headers.location).match(/\/orders\/(ORD-\d+)\//)?.[1] ?? '';
      expect(await orderRow(renewed)).toMatchObject({ kind: 'renewal', licence_id: renewing, term_years: 2 });
    });

    it('renews a licence that expired on 29 February, back-dated to 1 March, paid by purchase order', async () => {
      at('2028-03-10');
      const id = await licence({ status: 'suspended', startDate: '2027-03-01', endDate: '2028-02-29' });
      const alice = await signedIn('ar101');
      const page = await alice.get(`/storage/licence/${id}/`);
      expect(page.body).toContain(`href="${path(id, 'renewal')}"`);
      expect(page.body).not.toContain(`href="${path(id, 'increase')}"`);
      const priced = await choose(alice, id, 'renewal', { termYears: '2' }, 'price');
      expect(priced.body).toContain('5 TB × £54.00 per TB per year × 2 years, from 1 March 2028 to 28 February 2030');
      const tooLong = await choose(alice, id, 'renewal', { termYears: '6' });
      expect(tooLong.statusCode).toBe(422);
      expect(tooLong.body).toContain('Choose a term from 1 to 5 years');

      const reference = await change(
        alice,
        id,
        'renewal',
        { termYears: '1' },
        { method: 'purchase-order', poNumber: 'P7654321', file: { bytes: SAMPLE_PDF, name: 'po.pdf' } },
      );
      expect(await orderRow(reference)).toMatchObject({
        kind: 'renewal',
        size_tb: 5,
        term_years: 1,
        starts_on: '2028-03-01',
        ends_on: '2029-02-28',
        net_pence: 27_000,
        total_pence: 27_000,
        method: 'purchase-order',
        check_status: 'not-needed',
      });
      expect(await mailFor(reference)).toHaveLength(1);
    });

    it('recovers a licence from the cold store: a renewal plus the cold-store fee from the day after the end date', async () => {
      const id = await licence({ status: 'cold', startDate: '2025-10-16', endDate: '2026-10-15' });
      const alice = await signedIn('ar101');
      expect((await alice.get(`/storage/licence/${id}/`)).body).toContain(`href="${path(id, 'recovery')}"`);
      // 16 October to 27 November 2026 is 43 days: 5 TB × £12 × 43 / 365 = £7.07 (706.8p)
      const priced = await choose(alice, id, 'recovery', { termYears: '1' }, 'price');
      expect(priced.body).toContain(
        '£7.07: 5 TB × £12.00 per TB per year × 43 days since the licence ended (16 October 2026 to 27 November 2026, both included) ÷ 365',
      );
      const reference = await change(alice, id, 'recovery', { termYears: '1' }, FINANCE_CODE);
      expect(await orderRow(reference)).toMatchObject({
        kind: 'recovery',
        starts_on: '2026-10-16',
        ends_on: '2027-10-15',
        cold_store_pence: 707,
        net_pence: 27_707,
        total_pence: 27_707,
      });
      const order = await alice.get(`/orders/${reference}/`);
      expect(order.body).toContain('Recovery from the cold store');
      expect(order.body).toContain('£7.07');
      // The licence's history says what was ordered in the words of its pages, not as codes
      // ("kind: recovery; ends on: 2027-10-15; payment: finance-code; … licence status: cold").
      const history = (await alice.get(`/storage/licence/${id}/`)).body;
      for (const words of [
        'kind: Recovery from the cold store',
        'starts on: 16 October 2026',
        'ends on: 15 October 2027',
        'payment method: University finance code',
        'total: £277.07',
        'finance code check: ',
        'licence status: In the cold store',
        'licence end date: 15 October 2026',
      ]) {
        expect(history).toContain(words);
      }
    });

    it('a licence whose new order is cancelled or rejected takes its waiting cancellation with it', async () => {
      const waiting = async () => {
        const { licenceId, order } = await insertStorage(t.database.db, {
          name: `Waiting ${++licenceNumber}`,
          owner: 'ar101',
          sizeTb: 5,
          status: 'pending',
          startDate: null,
          endDate: null,
          order: { status: 'awaiting-approval' },
        });
        const cancellation = await insertOrder(t.database.db, licenceId, { kind: 'cancellation' });
        return { licenceId, setUp: order?.reference ?? '', cancellation: cancellation.reference };
      };
      const status = async (reference: string) =>
        (
          await t.database.db
            .selectFrom('orders')
            .select('status')
            .where('reference', '=', reference)
            .executeTakeFirstOrThrow()
        ).status;

      // Alice cancels the order that was to set it up
      const first = await waiting();
      const alice = await signedIn('ar101');
      const csrf = await alice.csrfFrom(`/orders/${first.setUp}/cancel`);
      expect((await alice.post(`/orders/${first.setUp}/cancel`, { _csrf: csrf })).statusCode).toBe(303);
      expect(await status(first.cancellation)).toBe('cancelled');
      const audit = await t.database.db
        .selectFrom('audit_events')
        .select(['entity_id', 'action', 'after'])
        .where('entity_id', '=', first.cancellation)
        .execute();
      expect(audit).toEqual([
        {
          entity_id: first.cancellation,
          action: 'cancelled',
          after: { status: 'cancelled', reason: `The licence was cancelled with order ${first.setUp}` },
        },
      ]);

      // the team rejects it
      const second = await waiting();
      const rosa = await signedIn('rs501');
      const rosaCsrf = await rosa.csrfFrom(`/admin/orders/${second.setUp}/`);
      const rejected = await rosa.post(`/admin/orders/${second.setUp}/reject`, {
        _csrf: rosaCsrf,
        reason: 'No such research group',
      });
      expect(rejected.statusCode).toBe(303);
      expect(await status(second.setUp)).toBe('rejected');
      expect(await status(second.cancellation)).toBe('cancelled');
    });

    it('cancels a licence not set up yet saying nothing is charged and its order goes with it, not that no refund is made', async () => {
      const id = await licence({
        status: 'pending',
        startDate: null,
        endDate: null,
        order: { status: 'awaiting-approval' },
      });
      const alice = await signedIn('ar101');
      // Offered on the licence's page without "Nothing is refunded".
      const licencePage = await alice.get(`/storage/licence/${id}/`);
      expect(licencePage.body).toContain('End the licence before its storage is set up. Nothing is charged.');
      expect(licencePage.body).not.toContain('Nothing is refunded');
      const confirm = await alice.get(path(id, 'cancellation'));
      expect(confirm.body).toContain(
        'Nothing is charged: its storage has not been set up yet, and its order for new storage is cancelled with it.',
      );
      expect(confirm.body).toContain('the licence ends and its storage is not set up');
      expect(confirm.body).not.toContain('No refund is made');
      expect(confirm.body).not.toContain('its data is removed');
      await choose(alice, id, 'cancellation', {});
      const check = await alice.get(path(id, 'cancellation', 'check'));
      expect(check.body).toContain('the licence ends and its storage is not set up');
      // Its price said "Nothing is refunded for the rest of the term", of a term that never started.
      expect(check.body).not.toContain('refunded');
      expect(check.body).not.toContain('rest of the term');
      const { response } = await submitAt(alice, path(id, 'cancellation', 'check'));
      const reference = String(response.headers.location).match(/\/orders\/(ORD-\d+)\//)?.[1] as string;
      const mail = await mailFor(reference);
      expect(mail[0]?.text_body).toContain('Nothing is charged: its storage has not been set up yet');
      expect(mail[0]?.text_body).not.toContain('refund');
      expect((await alice.get(`/orders/${reference}/`)).body).not.toContain('refunded');

      // Its approval, by the staff's page and in the email, is worded for a licence never set up:
      // not "will now remove everyone’s access to its storage".
      const rosa = await signedIn('rs501');
      const staffPage = await rosa.get(`/admin/orders/${reference}/`);
      expect(staffPage.body).toContain(
        'Approving tells the buyer and the Data Owner that the licence will end and its storage will not be set up.',
      );
      expect(staffPage.body).not.toContain('access to the licence’s storage will be removed');
      const rosaCsrf = await rosa.csrfFrom(`/admin/orders/${reference}/`);
      expect((await rosa.post(`/admin/orders/${reference}/approve`, { _csrf: rosaCsrf })).statusCode).toBe(303);
      const approval = (await mailFor(reference)).find((email) => email.subject === `Order ${reference} approved`);
      expect(approval?.text_body).toContain(
        'The storage team will now end the licence: its storage will not be set up, and its order for new storage is cancelled with it.',
      );
      expect(approval?.text_body).not.toContain('access');
      const approved = await alice.get(`/orders/${reference}/`);
      expect(approved.body).toContain(
        'The order is approved; the storage team will end the licence next, and its storage will not be set up.',
      );
      expect(approved.body).not.toContain('access to the storage');
      // The licence's own list of orders says the same.
      const listed = await alice.get(`/storage/licence/${id}/`);
      expect(listed.body).toContain('the storage team will end the licence next, and its storage will not be set up.');
      expect(listed.body).not.toContain('remove everyone’s access');
    });

    it('cancels a licence at no charge, saying no refund is made and what happens to the data, asking for no payment', async () => {
      const id = await licence({ status: 'active' });
      const alice = await signedIn('ar101');
      const confirm = await alice.get(path(id, 'cancellation'));
      expect(confirm.body).toContain('No refund is made for the rest of the term, and the cancellation costs nothing.');
      expect(confirm.body).toContain('its data is removed');
      expect(confirm.body).not.toContain('Continue to payment');
      // It costs nothing, so there is no payment step: from the choice straight to the check.
      const chosen = await choose(alice, id, 'cancellation', { reason: 'Grant ended early' });
      expect(chosen.statusCode).toBe(303);
      expect(chosen.headers.location).toBe(path(id, 'cancellation', 'check'));
      const payment = await alice.get(path(id, 'cancellation', 'payment'));
      expect(payment.statusCode).toBe(303);
      expect(payment.headers.location).toBe(path(id, 'cancellation', 'check'));
      const check = await alice.get(path(id, 'cancellation', 'check'));
      expect(check.body).toContain('Nothing to pay: no payment details are needed.');
      expect(check.body).not.toContain(`href="${path(id, 'cancellation', 'payment')}"`);
      const { response } = await submitAt(alice, path(id, 'cancellation', 'check'));
      expect(response.statusCode, response.body.match(/<a href="#[^"]+">([^<]+)/)?.[1]).toBe(303);
      const reference = String(response.headers.location).match(/\/orders\/(ORD-\d+)\//)?.[1] as string;
      // No payment recorded, no payment check: it waits for the service team's approval.
      expect(await orderRow(reference)).toMatchObject({
        kind: 'cancellation',
        status: 'awaiting-approval',
        starts_on: null,
        ends_on: null,
        net_pence: 0,
        total_pence: 0,
        size_tb: 5,
        method: null,
      });
      const orderPage = await alice.get(`/orders/${reference}/`);
      expect(orderPage.body).toContain('Nothing to pay: no payment details are needed.');
      const staff = await signedIn('rs501');
      expect((await staff.get(`/admin/orders/${reference}/`)).body).toContain('Nothing to pay');
      expect((await staff.get('/admin/orders/?service=research')).body).toContain(reference);
      const mail = await mailFor(reference);
      expect(mail).toHaveLength(1);
      expect(mail[0]?.to_addresses).toEqual(['ar101@cam.ac.uk']);
      expect(mail[0]?.text_body).toContain('Reason given: Grant ended early');
      expect(mail[0]?.text_body).toContain('No refund is made for the rest of the term');
    });

    it('adds space to an institutional licence paid by voucher, which is then used', async () => {
      const { licenceId: id } = await insertStorage(t.database.db, {
        name: 'Chemistry shared drive',
        productCode: 'IFS',
        institutionId: 'CHEM',
        owner: 'da303',
        sizeTb: 1,
        status: 'active',
        startDate: '2026-08-01',
        endDate: '2027-07-31',
        order: { status: 'completed' },
      });
      const dana = await signedIn('da303');
      const tooBig = await choose(dana, id, 'increase', { addTb: '3' });
      expect(tooBig.statusCode).toBe(303);
      const refused = await payAt(dana, path(id, 'increase', 'payment'), {
        method: 'voucher',
        voucherCode: 'IFS-CHEM-2026',
      });
      expect(refused.statusCode).toBe(422);
      expect(refused.body).toContain('This voucher pays for up to 2 TB');
      // Paid by voucher for 2 TB, then 3 TB chosen after all: the check page says so before submitting.
      expect((await choose(dana, id, 'increase', { addTb: '2' })).statusCode).toBe(303);
      const paid = await payAt(dana, path(id, 'increase', 'payment'), {
        method: 'voucher',
        voucherCode: 'IFS-CHEM-2026',
      });
      expect(paid.statusCode).toBe(303);
      expect((await choose(dana, id, 'increase', { addTb: '3' })).statusCode).toBe(303);
      const check = await dana.get(path(id, 'increase', 'check'));
      expect(check.statusCode).toBe(200);
      expect(check.body).toContain('<a href="#voucherCode">This voucher pays for up to 2 TB');
      expect(check.body).not.toContain('Your voucher pays this in full');
      const reference = await change(
        dana,
        id,
        'increase',
        { addTb: '2' },
        { method: 'voucher', voucherCode: 'IFS-CHEM-2026' },
      );
      expect(await orderRow(reference)).toMatchObject({
        kind: 'increase',
        size_tb: 2,
        total_pence: 0,
        method: 'voucher',
      });
      const voucher = await t.database.db
        .selectFrom('vouchers')
        .select('redeemed_at')
        .where('code', '=', 'IFS-CHEM-2026')
        .executeTakeFirstOrThrow();
      expect(voucher.redeemed_at).not.toBeNull();
      // Its use is audited against the voucher, naming the change order.
      const { id: voucherId } = await t.database.db
        .selectFrom('vouchers')
        .select('id')
        .where('code', '=', 'IFS-CHEM-2026')
        .executeTakeFirstOrThrow();
      const used = await t.database.db
        .selectFrom('audit_events')
        .select(['actor_label', 'licence_id', 'after'])
        .where('entity_type', '=', 'voucher')
        .where('entity_id', '=', String(voucherId))
        .where('action', '=', 'used')
        .execute();
      expect(used).toEqual([
        { actor_label: 'da303', licence_id: id, after: { code: 'IFS-CHEM-2026', redeemedBy: reference } },
      ]);
      // The order page's list price is the one the check page showed (2 TB × £150.00 × 247 days ÷
      // 365), not a whole year's £300.00.
      const orderPage = await dana.get(`/orders/${reference}/`);
      expect(orderPage.body).toContain('List price £203.01, paid in full by voucher');
      const mail = await mailFor(reference);
      expect(mail).toHaveLength(1);
      expect(mail[0]?.to_addresses).toEqual(['da303@cam.ac.uk']);
    });

    // A voucher too small for a renewal said "reduce the size or pay another way", but a renewal
    // (or a recovery) is for the licence's whole size, which the buyer cannot reduce.
    it('refuses a voucher smaller than a licence being renewed without asking to reduce its size', async () => {
      const { licenceId: id } = await insertStorage(t.database.db, {
        name: 'Chemistry records',
        productCode: 'IFS',
        institutionId: 'CHEM',
        owner: 'ar101',
        sizeTb: 3,
        status: 'active',
        startDate: '2026-08-01',
        endDate: '2027-07-31',
        order: { status: 'completed' },
      });
      const alice = await signedIn('ar101');
      expect((await choose(alice, id, 'renewal', { termYears: '1' })).statusCode).toBe(303);
      const refused = await payAt(alice, path(id, 'renewal', 'payment'), {
        method: 'voucher',
        voucherCode: 'IFS-WELCOME-01',
      });
      expect(refused.statusCode).toBe(422);
      const words = 'This voucher pays for up to 1 TB and this licence is 3 TB: pay another way';
      expect(refused.body).toContain(words);
      expect(refused.body).not.toContain('reduce the size');
      const response = await api('ar101', `/api/licences/${id}/changes`, {
        kind: 'renewal',
        termYears: 1,
        payment: { method: 'voucher', voucherCode: 'IFS-WELCOME-01' },
        acceptTerms: true,
        termsVersion: await termsVersion('institutional'),
        submissionKey: randomUUID(),
      });
      expect(response.statusCode).toBe(422);
      expect(JSON.stringify(response.json().error.fields)).toContain(words);
    });
  });

  describe('through the API', () => {
    it('prices and orders a renewal for an external customer, with VAT, once per submission key', async () => {
      const id = await licence({ owner: 'cb404', managers: [], institutionId: 'KINGS', projects: [] });
      const price = await api('cb404', `/api/licences/${id}/changes/price`, { kind: 'renewal', termYears: 2 });
      expect(price.statusCode).toBe(200);
      expect(price.json()).toMatchObject({
        kind: 'renewal',
        period: { startsOn: '2027-08-01', endsOn: '2029-07-31' },
        pencePerTbYear: 6480,
        customerClass: 'external',
        netPence: 64_800,
        vatPence: 12_960,
        totalPence: 77_760,
      });
      const body = {
        kind: 'renewal',
        termYears: 2,
        payment: { method: 'finance-code', financeCode: 'PHAA.GAAA' },
        acceptTerms: true,
        termsVersion: await termsVersion(),
        submissionKey: randomUUID(),
      };
      const first = await api('cb404', `/api/licences/${id}/changes`, body);
      expect(first.statusCode, first.body).toBe(201);
      expect(first.json()).toMatchObject({
        kind: 'renewal',
        status: 'awaiting-approval',
        period: { startsOn: '2027-08-01', endsOn: '2029-07-31' },
        price: { netPence: 64_800, vatPence: 12_960, totalPence: 77_760 },
      });
      const again = await api('cb404', `/api/licences/${id}/changes`, body);
      expect(again.statusCode).toBe(201);
      expect(again.json().reference).toBe(first.json().reference);
      const another = await api('cb404', `/api/licences/${id}/changes`, { ...body, submissionKey: randomUUID() });
      expect(another.statusCode).toBe(409);
      expect(another.json().error.message).toContain(`Order ${first.json().reference} is already changing`);
      expect(await mailFor(first.json().reference)).toHaveLength(1);
    });

    it('prices more space bought on 29 February like any other day, and answers refusals with the right status', async () => {
      at('2028-02-29');
      const id = await licence({ startDate: '2027-04-01', endDate: '2028-03-31' });
      // 29 February to 31 March 2028 is 32 days: 1 TB × £54 × 32 / 365 = £4.73
      const price = await api('ar101', `/api/licences/${id}/changes/price`, { kind: 'increase', addTb: 1 });
      expect(price.json()).toMatchObject({
        period: { startsOn: '2028-02-29', endsOn: '2028-03-31' },
        days: 32,
        netPence: 473,
      });
      const bad = await api('ar101', `/api/licences/${id}/changes/price`, { kind: 'increase', addTb: 0 });
      expect(bad.statusCode).toBe(422);
      expect(bad.json().error.fields).toEqual({ addTb: 'Add at least 1 TB' });
      expect((await api('rs501', `/api/licences/${id}/changes/price`, { kind: 'increase', addTb: 1 })).statusCode).toBe(
        403,
      );
      expect(
        (await api('bm202', `/api/licences/${id}/changes/price`, { kind: 'recovery', termYears: 1 })).statusCode,
      ).toBe(409);
      const other = await licence({ owner: 'cb404', managers: [], projects: [] });
      expect(
        (await api('ar101', `/api/licences/${other}/changes/price`, { kind: 'increase', addTb: 1 })).statusCode,
      ).toBe(404);

      const ordered = await api('bm202', `/api/licences/${id}/changes`, {
        kind: 'increase',
        addTb: 1,
        payment: { method: 'finance-code', financeCode: 'PHAA.GAAA' },
        acceptTerms: true,
        termsVersion: await termsVersion(),
        submissionKey: randomUUID(),
      });
      expect(ordered.statusCode, ordered.body).toBe(201);
      expect(ordered.json()).toMatchObject({ kind: 'increase', sizeTb: 1, price: { netPence: 473 } });
      const mail = await mailFor(ordered.json().reference);
      expect(mail).toHaveLength(1);
      expect(mail[0]?.to_addresses.sort()).toEqual(['ar101@cam.ac.uk', 'bm202@cam.ac.uk']);
    });

    it('orders a recovery and a cancellation, each priced as on the pages', async () => {
      const cold = await licence({ status: 'cold', startDate: '2025-10-16', endDate: '2026-10-15' });
      const order = (id: number, body: object) =>
        termsVersion().then((version) =>
          api('ar101', `/api/licences/${id}/changes`, {
            payment: { method: 'finance-code', financeCode: 'PHAA.GAAA' },
            acceptTerms: true,
            termsVersion: version,
            submissionKey: randomUUID(),
            ...body,
          }),
        );
      const recovery = await order(cold, { kind: 'recovery', termYears: 1 });
      expect(recovery.statusCode, recovery.body).toBe(201);
      expect(recovery.json()).toMatchObject({
        kind: 'recovery',
        period: { startsOn: '2026-10-16', endsOn: '2027-10-15' },
        coldStorePence: 707,
        price: { netPence: 27_707, totalPence: 27_707 },
      });
      const active = await licence();
      // A cancellation costs nothing and takes no payment: sent without one, it waits for approval.
      const cancellation = await order(active, {
        kind: 'cancellation',
        reason: 'Moving to another service',
        payment: undefined,
      });
      expect(cancellation.statusCode, cancellation.body).toBe(201);
      expect(cancellation.json()).toMatchObject({
        kind: 'cancellation',
        status: 'awaiting-approval',
        period: null,
        price: { totalPence: 0 },
        payment: null,
      });
      const unpaid = await order(await licence(), { kind: 'renewal', termYears: 1, payment: undefined });
      expect(unpaid.statusCode).toBe(422);
      expect(unpaid.json().error.fields).toEqual({ payment: 'Say how you will pay' });
      for (const reference of [recovery.json().reference, cancellation.json().reference]) {
        const mail = await mailFor(reference);
        expect(mail).toHaveLength(1);
        expect(mail[0]?.to_addresses).toEqual(['ar101@cam.ac.uk']);
      }
      const badTerm = await order(await licence(), { kind: 'renewal', termYears: 9 });
      expect(badTerm.statusCode).toBe(422);
      expect(badTerm.json().error.fields).toEqual({ termYears: 'Choose a term from 1 to 5 years' });
    });

    it('refuses a submission key sent again for another licence or another change, instead of answering with the first order', async () => {
      const first = await licence();
      const second = await licence();
      const body = {
        kind: 'increase',
        addTb: 1,
        payment: { method: 'finance-code', financeCode: 'PHAA.GAAA' },
        acceptTerms: true,
        termsVersion: await termsVersion(),
        submissionKey: randomUUID(),
      };
      const ordered = await api('ar101', `/api/licences/${first}/changes`, body);
      expect(ordered.statusCode, ordered.body).toBe(201);
      const reference = ordered.json().reference;
      // A script that reuses its key for the next licence, or for a different change of this one, was
      // answered 201 with the first order, as if it had ordered what it asked for.
      for (const [id, sent] of [
        [second, body],
        [first, { ...body, addTb: 2 }],
        [
          first,
          {
            kind: 'cancellation',
            acceptTerms: true,
            termsVersion: body.termsVersion,
            submissionKey: body.submissionKey,
          },
        ],
      ] as const) {
        const reused = await api('ar101', `/api/licences/${id}/changes`, sent);
        expect(reused.statusCode, reused.body).toBe(422);
        expect(reused.json().error.fields.submissionKey).toBe(
          `This submission key was used for ${reference}, a different order: send a new key (a fresh UUID) with each order`,
        );
      }
      // Someone else's key is theirs: a 422 for it too, which does not name their order.
      const others = await api('bm202', `/api/licences/${first}/changes`, body);
      expect(others.statusCode).toBe(422);
      expect(others.json().error.fields).toEqual({
        submissionKey: 'This submission key was used for another order: send a new key (a fresh UUID) with each order',
      });
      // The same request again is still the retry it was.
      const again = await api('ar101', `/api/licences/${first}/changes`, body);
      expect(again.statusCode).toBe(201);
      expect(again.json().reference).toBe(reference);
      const orders = await t.database.db
        .selectFrom('orders')
        .select('reference')
        .where('licence_id', 'in', [first, second])
        .where('kind', '=', 'increase')
        .execute();
      expect(orders.map((o) => o.reference)).toEqual([reference]);
    });

    it('refuses payment details for a cancellation, which costs nothing', async () => {
      const { licenceId: id } = await insertStorage(t.database.db, {
        name: 'Chemistry archive',
        productCode: 'IFS',
        institutionId: 'CHEM',
        owner: 'ar101',
        status: 'active',
        startDate: '2026-08-01',
        endDate: '2027-07-31',
        order: { status: 'completed' },
      });
      const response = await api('ar101', `/api/licences/${id}/changes`, {
        kind: 'cancellation',
        payment: { method: 'voucher', voucherCode: 'IFS-WELCOME-01' },
        acceptTerms: true,
        termsVersion: await termsVersion('institutional'),
        submissionKey: randomUUID(),
      });
      expect(response.statusCode).toBe(422);
      expect(response.json().error.fields).toEqual({
        payment: 'This change costs nothing, so it takes no payment: send it without payment details',
      });
      const orders = await t.database.db.selectFrom('orders').select('id').where('licence_id', '=', id).execute();
      expect(orders).toHaveLength(1);
    });
  });
});
