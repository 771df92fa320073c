import { beforeAll, describe, expect, it } from 'vitest';
import type { LicenceStatus } from '../../src/modules/licences/licences.tables.ts';
import type { OrderKind } from '../../src/modules/orders/order-status.ts';
import { enqueueProvisioningIfAutomatic } from '../../src/modules/provisioning/provisioning.service.ts';
import { drainJobs } from '../support/jobs.ts';
import { insertOrder, insertStorage } from '../support/storage-fixtures.ts';
import type { TestApp } from '../support/test-app.ts';
import {
  appForTests,
  callsIn,
  changedAt,
  page,
  signedIn,
  startCommandApp,
  startProvisioningApp,
} from './provisioning-support.ts';

/**
 * Completing the orders that change a licence (issue 6): by hand ("Mark as done") with the manual
 * provisioner, or by the automated one; each applies the change to the licence in one transaction
 * with the order done, audit rows and one email that says what changed; a licence that no longer
 * allows the change is refused with a message for staff, and nothing is changed.
 */
interface ChangeFixture {
  licenceId: number;
  orderId: number;
  reference: string;
}

let counter = 0;

/** A 5 TB RDS licence of Alice (ar101) with Ben (bm202) as Data Manager, ending 28 February 2027, and an approved change order bought by Dana (da303). */
async function changeOrder(
  t: TestApp,
  kind: Exclude<OrderKind, 'new'>,
  licence: { status: LicenceStatus; endDate?: string },
  order: { sizeTb?: number; startsOn?: string; endsOn?: string } = {},
): Promise<ChangeFixture> {
  const storage = await insertStorage(t.database.db, {
    name: `Change ${kind} ${++counter}`,
    owner: 'ar101',
    managers: ['bm202'],
    sizeTb: 5,
    status: licence.status,
    startDate: '2026-03-01',
    endDate: licence.endDate ?? '2027-02-28',
    projects: [{ name: `change-${counter}`, status: 'active' }],
    order: { status: 'completed' },
  });
  const inserted = await insertOrder(t.database.db, storage.licenceId, {
    kind,
    status: 'approved',
    buyer: 'da303',
    ...order,
  });
  return { licenceId: storage.licenceId, orderId: inserted.id, reference: inserted.reference };
}

const RENEWAL = { startsOn: '2027-03-01', endsOn: '2028-02-29' };

async function stateOf(t: TestApp, fixture: ChangeFixture) {
  const db = t.database.db;
  const licence = await db
    .selectFrom('licences')
    .select(['status', 'size_tb', 'end_date'])
    .where('id', '=', fixture.licenceId)
    .executeTakeFirstOrThrow();
  const order = await db
    .selectFrom('orders')
    .select('status')
    .where('id', '=', fixture.orderId)
    .executeTakeFirstOrThrow();
  const audit = await db
    .selectFrom('audit_events')
    .select(['entity_type', 'action', 'before', 'after'])
    .where('licence_id', '=', fixture.licenceId)
    .orderBy('id')
    .execute();
  return { licence, order: order.status, audit };
}

async function mailAbout(t: TestApp, reference: string) {
  return t.database.db
    .selectFrom('mail_outbox')
    .select(['to_addresses', 'subject', 'text_body'])
    .where('text_body', 'like', `%${reference}%`)
    .orderBy('id')
    .execute();
}

const PEOPLE = ['ar101@cam.ac.uk', 'bm202@cam.ac.uk', 'da303@cam.ac.uk'];

describe('completing change orders by hand (the manual provisioner)', () => {
  const app = appForTests(() => startProvisioningApp());
  let t: TestApp;
  beforeAll(() => {
    t = app().t;
  });

  async function markDone(fixture: ChangeFixture, crsid = 'rs501') {
    const rosa = await signedIn(t, crsid);
    const csrf = await rosa.csrfFrom(page(fixture));
    return rosa.post(page(fixture), { _csrf: csrf });
  }

  it('tells nobody who has left the University that a change is done: a Data Manager who left is not emailed', async () => {
    const fixture = await changeOrder(t, 'increase', { status: 'active' }, { sizeTb: 1 });
    const db = t.database.db;
    await db.updateTable('people').set({ status: 'left' }).where('crsid', '=', 'bm202').execute();
    try {
      expect((await markDone(fixture)).statusCode).toBe(303);
      const mail = await mailAbout(t, fixture.reference);
      expect(mail.map((row) => [...row.to_addresses].sort())).toEqual([['ar101@cam.ac.uk', 'da303@cam.ac.uk']]);
    } finally {
      await db.updateTable('people').set({ status: 'current' }).where('crsid', '=', 'bm202').execute();
    }
  });

  it('an increase: the page says what to do, "Mark as done" adds the TB, audits and emails once', async () => {
    const fixture = await changeOrder(
      t,
      'increase',
      { status: 'active' },
      { sizeTb: 3, startsOn: '2026-11-27', endsOn: '2027-02-28' },
    );
    const rosa = await signedIn(t, 'rs501');
    const form = await rosa.get(page(fixture));
    expect(form.statusCode).toBe(200);
    // Its project keeps its quota: the Data Owner gives the space to a project (project-ready.test.ts).
    expect(form.body).toContain(
      'The licence grows by 3 TB to 8 TB. Leave the quotas of its storage projects as they are',
    );
    expect(form.body).toContain('Mark as done');
    expect(form.body).not.toContain('name="project-');

    const done = await markDone(fixture);
    expect(done.statusCode, done.body.slice(0, 300)).toBe(303);
    const state = await stateOf(t, fixture);
    expect(state.order).toBe('completed');
    expect(state.licence).toEqual({ status: 'active', size_tb: 8, end_date: '2027-02-28' });
    const now = t.clock.now();
    expect(await changedAt(t, fixture)).toEqual({ order: now, licence: now, runs: [{ started: now, finished: now }] });
    expect(state.audit.map((row) => [row.entity_type, row.action])).toEqual([
      ['order', 'completed'],
      ['licence', 'size increased'],
    ]);
    expect(state.audit[1]?.before).toEqual({ status: 'active', sizeTb: 5, endDate: '2027-02-28' });
    expect(state.audit[1]?.after).toMatchObject({ status: 'active', sizeTb: 8, order: fixture.reference });
    const mail = await mailAbout(t, fixture.reference);
    expect(mail).toHaveLength(1);
    expect([...(mail[0]?.to_addresses ?? [])].sort()).toEqual(PEOPLE);
    expect(mail[0]?.text_body).toContain(`is now 8 TB: 3 TB added by order ${fixture.reference}`);
    expect(mail[0]?.text_body).toContain('still ends on 28 February 2027');

    // Again: the order is done, so nothing is added twice.
    expect((await markDone(fixture)).statusCode).toBe(409);
    expect((await stateOf(t, fixture)).licence.size_tb).toBe(8);
    expect(await mailAbout(t, fixture.reference)).toHaveLength(1);
  });

  it('a renewal after expiry (back-dated) restores a suspended licence to active, to 29 February 2028', async () => {
    const fixture = await changeOrder(t, 'renewal', { status: 'suspended' }, RENEWAL);
    const form = await (await signedIn(t, 'rs501')).get(page(fixture));
    expect(form.body).toContain('its storage is read-only: make it read-write again');
    expect((await markDone(fixture)).statusCode).toBe(303);
    const state = await stateOf(t, fixture);
    expect(state.licence).toEqual({ status: 'active', size_tb: 5, end_date: '2028-02-29' });
    expect(state.audit[1]).toMatchObject({
      action: 'renewed',
      before: { status: 'suspended', endDate: '2027-02-28' },
      after: { status: 'active', endDate: '2028-02-29', storage: 'restored' },
    });
    const mail = await mailAbout(t, fixture.reference);
    expect(mail).toHaveLength(1);
    expect(mail[0]?.subject).toContain('renewed');
    expect(mail[0]?.text_body).toContain('it now ends on 29 February 2028');
    expect(mail[0]?.text_body).toContain('restored');
  });

  it('a renewal of an active licence only moves its end date', async () => {
    const fixture = await changeOrder(t, 'renewal', { status: 'active' }, RENEWAL);
    expect((await markDone(fixture)).statusCode).toBe(303);
    expect((await stateOf(t, fixture)).licence).toEqual({ status: 'active', size_tb: 5, end_date: '2028-02-29' });
    expect((await mailAbout(t, fixture.reference))[0]?.text_body).not.toContain('restored');
  });

  it('a recovery brings a cold licence back to active with its new end date', async () => {
    const fixture = await changeOrder(t, 'recovery', { status: 'cold' }, RENEWAL);
    const form = await (await signedIn(t, 'rs501')).get(page(fixture));
    expect(form.body).toContain('back from the cold store');
    expect((await markDone(fixture)).statusCode).toBe(303);
    expect((await stateOf(t, fixture)).licence).toEqual({ status: 'active', size_tb: 5, end_date: '2028-02-29' });
    const mail = await mailAbout(t, fixture.reference);
    expect(mail).toHaveLength(1);
    expect(mail[0]?.text_body).toContain('restored from the cold store');
  });

  it('a recovery ordered in the cold store still completes once the licence is due for deletion', async () => {
    // ordered (and approved) while cold; the nightly job then marked it deletable. Its data is still
    // in the cold store until the team confirms a deletion, which waits for this order: it completes.
    const fixture = await changeOrder(t, 'recovery', { status: 'deletable' }, RENEWAL);
    const form = await (await signedIn(t, 'rs501')).get(page(fixture));
    expect(form.body).toContain('back from the cold store');
    expect(form.body).not.toContain('Cannot be completed');
    expect((await markDone(fixture)).statusCode).toBe(303);
    const state = await stateOf(t, fixture);
    expect(state.licence).toEqual({ status: 'active', size_tb: 5, end_date: '2028-02-29' });
    expect(state.order).toBe('completed');
    expect((await mailAbout(t, fixture.reference))[0]?.text_body).toContain('restored from the cold store');
  });

  it('a cancellation cancels the licence', async () => {
    const fixture = await changeOrder(t, 'cancellation', { status: 'active' });
    // The order's page and the licence's orders said what a new order's do: approved, "the storage
    // team will set up the storage next"; done, "The storage is set up and ready to use".
    const alice = await signedIn(t, 'ar101');
    const approved = await alice.get(`/orders/${fixture.reference}/`);
    expect(approved.body).toContain('the storage team will remove everyone’s access to the storage next');
    expect(approved.body).not.toContain('set up the storage');
    expect((await markDone(fixture)).statusCode).toBe(303);
    const state = await stateOf(t, fixture);
    expect(state.licence.status).toBe('cancelled');
    expect(state.audit[1]).toMatchObject({ action: 'cancelled', after: { status: 'cancelled' } });
    expect((await mailAbout(t, fixture.reference))[0]?.text_body).toContain('is cancelled');
    const done = await alice.get(`/orders/${fixture.reference}/`);
    expect(done.body).toContain('The licence is cancelled: its storage can no longer be used.');
    expect(done.body).not.toContain('ready to use');
    const licencePage = await alice.get(`/storage/licence/${fixture.licenceId}/`);
    const row = licencePage.body.match(new RegExp(`${fixture.reference}[\\s\\S]*?</tr>`))?.[0] ?? '';
    expect(row).toContain('The licence is cancelled');
  });

  /** A licence waiting to be set up by its new order (in `newStatus`), and an approved cancellation of it. */
  async function cancellationOfWaiting(newStatus: 'awaiting-approval' | 'provisioning') {
    const storage = await insertStorage(t.database.db, {
      name: `Cancel waiting ${++counter}`,
      owner: 'ar101',
      status: 'pending',
      startDate: null,
      endDate: null,
      projects: [{ name: `waiting-${counter}`, status: 'pending' }],
      order: { status: newStatus },
    });
    const cancellation = await insertOrder(t.database.db, storage.licenceId, {
      kind: 'cancellation',
      status: 'approved',
    });
    const fixture = { licenceId: storage.licenceId, orderId: cancellation.id, reference: cancellation.reference };
    const newOrder = storage.order?.reference ?? '';
    const newStatusNow = async () =>
      (
        await t.database.db
          .selectFrom('orders')
          .select('status')
          .where('reference', '=', newOrder)
          .executeTakeFirstOrThrow()
      ).status;
    return { fixture, newOrder, newStatusNow };
  }

  it('a cancellation of a licence waiting to be set up cancels the order that was to set it up, audited and said', async () => {
    const { fixture, newOrder, newStatusNow } = await cancellationOfWaiting('awaiting-approval');
    expect((await markDone(fixture)).statusCode).toBe(303);
    const state = await stateOf(t, fixture);
    expect(state.licence.status).toBe('cancelled');
    expect(await newStatusNow()).toBe('cancelled');
    expect(state.audit).toContainEqual({
      entity_type: 'order',
      action: 'cancelled',
      before: { status: 'awaiting-approval' },
      after: { status: 'cancelled', reason: `The licence was cancelled by order ${fixture.reference}` },
    });
    const mail = await mailAbout(t, fixture.reference);
    expect(mail).toHaveLength(1);
    expect(mail[0]?.text_body).toContain(`Order ${newOrder}, which was to set it up, is cancelled too`);
    // nobody can approve it now
    const rosa = await signedIn(t, 'rs501');
    expect((await rosa.get(`/admin/orders/${newOrder}/`)).body).not.toContain('/approve"');
  });

  it('refuses a cancellation of a licence whose storage is being set up, changing nothing', async () => {
    const { fixture, newOrder, newStatusNow } = await cancellationOfWaiting('provisioning');
    const before = await stateOf(t, fixture);
    const refused = await markDone(fixture);
    expect(refused.statusCode).toBe(409);
    expect(refused.body).toContain(`order ${newOrder} is setting up its storage`);
    expect(await stateOf(t, fixture)).toEqual(before);
    expect(await newStatusNow()).toBe('provisioning');
  });

  it('refuses a renewal of a licence that has gone cold meanwhile, telling staff why, changing nothing', async () => {
    const fixture = await changeOrder(t, 'renewal', { status: 'cold' }, RENEWAL);
    const form = await (await signedIn(t, 'rs501')).get(page(fixture));
    expect(form.body).toContain('Cannot be completed');
    expect(form.body).toContain('the customer can order a recovery instead');
    expect(form.body).not.toContain('Mark as done');
    const before = await stateOf(t, fixture);
    const refused = await markDone(fixture);
    expect(refused.statusCode).toBe(409);
    expect(refused.body).toContain('a renewal applies to a licence that is active or expired – read-only');
    expect(await stateOf(t, fixture)).toEqual(before);
    expect(await mailAbout(t, fixture.reference)).toHaveLength(0);
  });

  it('refuses a change to a locked licence', async () => {
    const fixture = await changeOrder(t, 'increase', { status: 'active' }, { sizeTb: 1 });
    await t.database.db
      .updateTable('licences')
      .set({ locked_at: new Date(), lock_reason: 'audit' })
      .where('id', '=', fixture.licenceId)
      .execute();
    const refused = await markDone(fixture);
    expect(refused.statusCode).toBe(409);
    expect(refused.body).toContain('This licence is locked (audit)');
    expect((await stateOf(t, fixture)).order).toBe('approved');
  });

  it('lets only the service team mark it as done', async () => {
    const fixture = await changeOrder(t, 'increase', { status: 'active' }, { sizeTb: 1 });
    expect((await markDone(fixture, 'fn601')).statusCode).toBe(403);
    expect((await markDone(fixture, 'if502')).statusCode).toBe(403);
    expect((await stateOf(t, fixture)).order).toBe('approved');
  });
});

describe('completing change orders with an automated provisioner', () => {
  const app = appForTests(() => startCommandApp('succeed'));
  let t: TestApp;
  beforeAll(() => {
    t = app().t;
  });

  async function approve(fixture: ChangeFixture) {
    await t.database.db
      .transaction()
      .execute((tx) => enqueueProvisioningIfAutomatic(tx, t.jobs.queue, { id: fixture.orderId }));
    await drainJobs(t.jobs);
  }

  it('sends a renewal of a suspended licence with the restore, and applies it; a second drain sends nothing', async () => {
    const fixture = await changeOrder(t, 'renewal', { status: 'suspended' }, RENEWAL);
    await approve(fixture);
    const calls = (await callsIn(app().logFile)).filter(
      (call) => (call.message.request as { order?: { id: number } }).order?.id === fixture.orderId,
    );
    expect(calls.map((call) => call.action)).toEqual(['provision']);
    expect(calls[0]?.message.request).toMatchObject({
      order: { reference: fixture.reference, kind: 'renewal' },
      licence: { id: fixture.licenceId, sizeTb: 5, owner: 'ar101', managers: ['bm202'] },
      projects: [],
      change: { newEndDate: '2028-02-29', restore: 'read-write' },
    });
    const state = await stateOf(t, fixture);
    expect(state.order).toBe('completed');
    expect(state.licence).toEqual({ status: 'active', size_tb: 5, end_date: '2028-02-29' });
    expect(state.audit.map((row) => row.action)).toEqual(['provisioning started', 'completed', 'renewed']);
    expect(await mailAbout(t, fixture.reference)).toHaveLength(1);

    const callsBefore = (await callsIn(app().logFile)).length;
    await approve(fixture);
    expect((await callsIn(app().logFile)).length).toBe(callsBefore);
    expect(await stateOf(t, fixture)).toEqual(state);
    expect(await mailAbout(t, fixture.reference)).toHaveLength(1);
  });

  it('sends an increase as the TB added and the size after it', async () => {
    const fixture = await changeOrder(t, 'increase', { status: 'active' }, { sizeTb: 2 });
    await approve(fixture);
    const call = (await callsIn(app().logFile)).find(
      (each) => (each.message.request as { order?: { id: number } }).order?.id === fixture.orderId,
    );
    expect(call?.message.request).toMatchObject({ change: { addedTb: 2, newSizeTb: 7 }, licence: { sizeTb: 5 } });
    expect((await stateOf(t, fixture)).licence.size_tb).toBe(7);
  });

  it('does not call the provisioner for a renewal of a licence gone cold: the order fails with the reason for staff', async () => {
    const fixture = await changeOrder(t, 'renewal', { status: 'cold' }, RENEWAL);
    const callsBefore = (await callsIn(app().logFile)).length;
    await approve(fixture);
    expect((await callsIn(app().logFile)).length).toBe(callsBefore);
    const state = await stateOf(t, fixture);
    expect(state.order).toBe('provisioning-failed');
    expect(state.licence).toEqual({ status: 'cold', size_tb: 5, end_date: '2027-02-28' });
    const run = await t.database.db
      .selectFrom('provisioning_runs')
      .select(['outcome', 'error'])
      .where('order_id', '=', fixture.orderId)
      .executeTakeFirstOrThrow();
    expect(run.outcome).toBe('failed');
    expect(run.error).toContain('is in the cold store now. Nothing was changed.');
    // The team hears of it; the customers do not.
    const mail = await mailAbout(t, fixture.reference);
    expect(mail.map((each) => each.to_addresses)).toEqual([['research-storage@example.ac.uk']]);
  });
  it('lets the team, and only the team, cancel an order whose change no longer applies, so the customer can order again', async () => {
    const fixture = await changeOrder(t, 'renewal', { status: 'cold' }, RENEWAL);
    await approve(fixture);
    expect((await stateOf(t, fixture)).order).toBe('provisioning-failed');
    const orderPage = `/orders/${fixture.reference}/`;

    // The buyer is not offered it, and is refused: what to do is the team's call once set-up has failed.
    const dana = await signedIn(t, 'da303');
    expect((await dana.get(orderPage)).body).not.toContain('Cancel this order');
    const refused = await dana.post(`${orderPage}cancel`, { _csrf: await dana.csrfFrom(orderPage) });
    expect(refused.statusCode).toBe(409);
    expect((await stateOf(t, fixture)).order).toBe('provisioning-failed');
    // Finance reads, and cancels nothing.
    const farah = await signedIn(t, 'fn601');
    expect((await farah.post(`${orderPage}cancel`, { _csrf: await farah.csrfFrom(orderPage) })).statusCode).toBe(403);

    const rosa = await signedIn(t, 'rs501');
    // The provisioning section, where the team reads why it failed, leads there too.
    expect((await rosa.get(page(fixture))).body).toContain(`href="${orderPage}cancel"`);
    expect((await (await signedIn(t, 'fn601')).get(page(fixture))).body).not.toContain(`href="${orderPage}cancel"`);
    expect((await rosa.get(orderPage)).body).toContain('Cancel this order');
    expect((await rosa.get(`${orderPage}cancel`)).statusCode).toBe(200);
    // The team says why, as for any customer's order it cancels.
    const rosaCsrf = await rosa.csrfFrom(orderPage);
    expect((await rosa.post(`${orderPage}cancel`, { _csrf: rosaCsrf })).statusCode).toBe(422);
    const cancelled = await rosa.post(`${orderPage}cancel`, {
      _csrf: rosaCsrf,
      reason: 'The licence went to the cold store: order a recovery instead',
    });
    expect(cancelled.statusCode, cancelled.body.slice(0, 300)).toBe(303);
    const state = await stateOf(t, fixture);
    expect(state.order).toBe('cancelled');
    expect(state.licence).toEqual({ status: 'cold', size_tb: 5, end_date: '2027-02-28' });
    // Nothing changes the licence any more: its Data Owner may order the recovery the failure advised.
    const alice = await signedIn(t, 'ar101');
    const recovery = await alice.get(`/storage/licence/${fixture.licenceId}/change/recovery/`);
    expect(recovery.statusCode).toBe(200);
    expect(recovery.body).not.toContain('is already changing this licence');
  });
});
