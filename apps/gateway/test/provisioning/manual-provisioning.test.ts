import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { drainJobs } from '../support/jobs.ts';
import type { TestApp } from '../support/test-app.ts';
import { approvedOrder, changedAt, page, signedIn, snapshot, startProvisioningApp } from './provisioning-support.ts';

/** The form's answers for the order's one storage project. */
function answers(projectId: number, values: Partial<Record<'path' | 'shareName' | 'groups' | 'quotaTb', string>>) {
  return Object.fromEntries(Object.entries(values).map(([field, value]) => [`project-${projectId}-${field}`, value]));
}

describe('provisioning by hand (the default)', () => {
  let app: Awaited<ReturnType<typeof startProvisioningApp>>;
  let t: TestApp;
  beforeAll(async () => {
    app = await startProvisioningApp();
    t = app.t;
  });
  afterAll(() => app?.close());

  /** The period an order pays for, as it records it. */
  const period = (order: { orderId: number }) =>
    t.database.db
      .selectFrom('orders')
      .select(['starts_on', 'ends_on'])
      .where('id', '=', order.orderId)
      .executeTakeFirst();

  it('records what the team made: the order is done, the licence active for its term, its people emailed', async () => {
    const order = await approvedOrder(t);
    // With the manual provisioner the approval's job leaves the order waiting for a person.
    await drainJobs(t.jobs);
    expect((await snapshot(t, order)).order[0]?.status).toBe('approved');

    const rosa = await signedIn(t, 'rs501');
    const form = await rosa.get(page(order));
    expect(form.statusCode).toBe(200);
    expect(form.body).toContain('Mark as provisioned');
    expect(form.body).toContain(`name="project-${order.projectId}-path"`);
    // The quota starts as the licence's size.
    expect(form.body).toMatch(new RegExp(`name="project-${order.projectId}-quotaTb" value="5"`));
    expect(form.body).not.toContain('Start provisioning');
    // The staff order page shows the same section, form included.
    const staffPage = await rosa.get(`/admin/orders/${order.reference}/`);
    expect(staffPage.body).toContain('<h2 id="provisioning-title">Provisioning</h2>');
    expect(staffPage.body).toMatch(/First storage project<\/dt>\s*<dd[^>]*>imaging-2026</);
    expect(staffPage.body).toContain(`action="/admin/orders/${order.reference}/provisioning"`);

    const csrf = await rosa.csrfFrom(page(order));
    const done = await rosa.post(page(order), {
      _csrf: csrf,
      ...answers(order.projectId, {
        path: '/rds/project/imaging-2026',
        shareName: 'imaging-2026',
        groups: 'rds-imaging-managers, rds-imaging-users',
        quotaTb: '',
      }),
    });
    expect(done.statusCode, done.body.slice(0, 500)).toBe(303);
    expect(done.headers.location).toBe(`/admin/orders/${order.reference}/`);

    const db = t.database.db;
    const state = await snapshot(t, order);
    expect(state.order).toEqual([{ status: 'completed', status_reason: null }]);
    expect(state.licence).toEqual([{ status: 'active', start_date: '2026-11-27', end_date: '2029-11-26' }]);
    // The order keeps the period it paid for, whatever later becomes of the licence's dates.
    expect(await period(order)).toEqual({ starts_on: '2026-11-27', ends_on: '2029-11-26' });
    expect(state.projects).toEqual([
      {
        status: 'active',
        path: '/rds/project/imaging-2026',
        share_name: 'imaging-2026',
        group_names: ['rds-imaging-managers', 'rds-imaging-users'],
        quota_tb: 5,
      },
    ]);
    const rosaId = (await db.selectFrom('people').select('id').where('crsid', '=', 'rs501').executeTakeFirstOrThrow())
      .id;
    expect(state.runs).toMatchObject([
      {
        provisioner: 'manual',
        outcome: 'succeeded',
        started_by_person_id: rosaId,
        error: null,
        details: {
          quotaTb: 5,
          projects: [
            {
              id: order.projectId,
              path: '/rds/project/imaging-2026',
              shareName: 'imaging-2026',
              groups: ['rds-imaging-managers', 'rds-imaging-users'],
              quotaTb: 5,
            },
          ],
        },
      },
    ]);
    const now = t.clock.now();
    expect(await changedAt(t, order)).toEqual({ order: now, licence: now, runs: [{ started: now, finished: now }] });

    const audit = await db
      .selectFrom('audit_events')
      .select(['actor_label', 'entity_type', 'entity_id', 'action', 'before', 'after'])
      .where('licence_id', '=', order.licenceId)
      .where('actor_label', '=', 'rs501')
      .orderBy('id')
      .execute();
    expect(audit).toEqual([
      {
        actor_label: 'rs501',
        entity_type: 'order',
        entity_id: order.reference,
        action: 'provisioned',
        before: { status: 'approved' },
        after: { status: 'completed', run: state.runs[0]?.id, provisioner: 'manual' },
      },
      {
        actor_label: 'rs501',
        entity_type: 'licence',
        entity_id: String(order.licenceId),
        action: 'activated',
        before: { status: 'pending', startDate: null, endDate: null },
        after: { status: 'active', startDate: '2026-11-27', endDate: '2029-11-26' },
      },
      {
        actor_label: 'rs501',
        entity_type: 'storage-project',
        entity_id: String(order.projectId),
        action: 'provisioned',
        before: { status: 'pending', path: null, shareName: null, groups: [], quotaTb: 5 },
        after: {
          status: 'active',
          path: '/rds/project/imaging-2026',
          shareName: 'imaging-2026',
          groups: ['rds-imaging-managers', 'rds-imaging-users'],
          quotaTb: 5,
        },
      },
    ]);

    // One message to the Data Owner, the Data Manager and the buyer, each once.
    const ready = await db
      .selectFrom('mail_outbox')
      .select(['to_addresses', 'subject', 'text_body'])
      .where('subject', 'like', 'Your storage is ready%')
      .execute();
    expect(ready).toHaveLength(1);
    expect([...(ready[0]?.to_addresses ?? [])].sort()).toEqual([
      'ar101@cam.ac.uk',
      'bm202@cam.ac.uk',
      'da303@cam.ac.uk',
    ]);
    expect(ready[0]?.subject).toBe('Your storage is ready: Quantum imaging data');
    expect(ready[0]?.text_body).toContain('The licence runs from 27 November 2026 to 26 November 2029.');
    expect(ready[0]?.text_body).toContain(
      'Storage project imaging-2026: /rds/project/imaging-2026; shared as imaging-2026; groups rds-imaging-managers, rds-imaging-users; quota 5 TB.',
    );

    const after = await rosa.get(`/admin/orders/${order.reference}/`);
    expect(after.body).toContain(
      'is provisioned: the licence is active and its 3 people (Data Owner, Data Managers, buyer) have been emailed.',
    );
    expect(after.body).toContain('<code>/rds/project/imaging-2026</code>');
    expect(after.body).not.toContain('Mark as provisioned');
    // The buyer reads "Done" on their own order page.
    const dana = await signedIn(t, 'da303');
    expect((await dana.get(`/orders/${order.reference}/`)).body).toContain('<strong class="tag">Done</strong>');

    // Recording it again changes nothing and says why.
    const before = await snapshot(t, order);
    const again = await rosa.post(page(order), {
      _csrf: await rosa.csrfFrom(page(order)),
      ...answers(order.projectId, { path: '/rds/elsewhere' }),
    });
    expect(again.statusCode).toBe(409);
    expect(again.body).toContain('is done: there is nothing to record now');
    expect(await snapshot(t, order)).toEqual(before);
  });

  it('shows each problem next to its field with a 422, and changes nothing', async () => {
    const order = await approvedOrder(t);
    const rosa = await signedIn(t, 'rs501');
    const before = await snapshot(t, order);
    const failed = await rosa.post(page(order), {
      _csrf: await rosa.csrfFrom(page(order)),
      ...answers(order.projectId, { path: '', shareName: 'bad share', groups: 'ok-group, bad group', quotaTb: '9' }),
    });
    expect(failed.statusCode).toBe(422);
    expect(failed.body).toMatch(/<title>Error: Provisioning order ORD-\d+/);
    const field = (name: string) => `project-${order.projectId}-${name}`;
    expect(failed.body).toContain(`<a href="#${field('path')}">Enter the path of storage project imaging-2026</a>`);
    expect(failed.body).toContain(`id="${field('path')}-error"`);
    expect(failed.body).toContain(`<a href="#${field('shareName')}">The share name of imaging-2026`);
    expect(failed.body).toContain(`<a href="#${field('groups')}">“bad group” is not a group name`);
    expect(failed.body).toContain(`<a href="#${field('quotaTb')}">Enter the quota of imaging-2026`);
    // The answers are put back.
    expect(failed.body).toContain('value="ok-group, bad group"');
    expect(failed.body).toMatch(new RegExp(`name="${field('quotaTb')}" value="9"`));
    expect(await snapshot(t, order)).toEqual(before);
  });

  it('lets Finance read but not act, and refuses the other service, customers and anyone signed out', async () => {
    const order = await approvedOrder(t);
    const before = await snapshot(t, order);
    const form = answers(order.projectId, { path: '/rds/project/x' });

    const farah = await signedIn(t, 'fn601');
    const read = await farah.get(page(order));
    expect(read.statusCode).toBe(200);
    expect(read.body).not.toContain('Mark as provisioned');
    expect(read.body).toContain('Only the Research storage team can provision this order.');
    const farahPost = await farah.post(page(order), { _csrf: await farah.csrfFrom('/'), ...form });
    expect(farahPost.statusCode).toBe(403);
    for (const action of ['/start', '/retry']) {
      expect((await farah.post(page(order, action), { _csrf: await farah.csrfFrom('/') })).statusCode).toBe(403);
    }

    // The institutional team, and customers (the buyer and the Data Owner among them).
    for (const crsid of ['if502', 'da303', 'ar101', 'cb404']) {
      const browser = await signedIn(t, crsid);
      expect((await browser.get(page(order))).statusCode, crsid).toBe(403);
      const csrf = await browser.csrfFrom('/');
      expect((await browser.post(page(order), { _csrf: csrf, ...form })).statusCode, crsid).toBe(403);
      expect((await browser.post(page(order, '/start'), { _csrf: csrf })).statusCode, crsid).toBe(403);
      expect((await browser.post(page(order, '/retry'), { _csrf: csrf })).statusCode, crsid).toBe(403);
    }

    const anonymous = await t.app.inject(page(order));
    expect(anonymous.statusCode).toBe(302);
    expect(anonymous.headers.location).toContain('/sign-in');
    expect(await snapshot(t, order)).toEqual(before);

    // A superuser may act; an order that does not exist is a 404.
    const sam = await signedIn(t, 'su701');
    expect((await sam.get(page(order))).body).toContain('Mark as provisioned');
    expect((await sam.get('/admin/orders/ORD-999999/provisioning')).statusCode).toBe(404);
  });

  it('has nothing to record before approval, and no start or retry with the manual provisioner', async () => {
    const order = await approvedOrder(t, { approve: false });
    const rosa = await signedIn(t, 'rs501');
    const view = await rosa.get(page(order));
    expect(view.body).toContain('Provisioning starts once the order is approved.');
    expect(view.body).not.toContain('Mark as provisioned');
    const before = await snapshot(t, order);
    const csrf = await rosa.csrfFrom(page(order));
    const early = await rosa.post(page(order), { _csrf: csrf, ...answers(order.projectId, { path: '/rds/x' }) });
    expect(early.statusCode).toBe(409);
    expect(early.body).toContain('is waiting for approval: there is nothing to record now');
    const start = await rosa.post(page(order, '/start'), { _csrf: csrf });
    expect(start.statusCode).toBe(409);
    expect(await snapshot(t, order)).toEqual(before);
  });
  it('keeps the dates the team gave the licence while it waited, instead of starting it today', async () => {
    const order = await approvedOrder(t);
    await drainJobs(t.jobs);
    const rosa = await signedIn(t, 'rs501');
    const csrf = await rosa.csrfFrom(page(order));
    // The customer asked for the licence to start in the new year: the team sets its dates.
    const edited = await rosa.post(`/admin/licences/${order.licenceId}/edit`, {
      _csrf: csrf,
      sizeTb: '5',
      startDate: '2027-01-01',
      endDate: '2029-12-31',
      ownerCrsid: 'ar101',
      reason: 'Starts with the new grant on 1 January',
    });
    expect(edited.statusCode, edited.body.slice(0, 300)).toBe(303);

    const done = await rosa.post(page(order), {
      _csrf: csrf,
      ...answers(order.projectId, { path: '/rds/project/imaging-2027' }),
    });
    expect(done.statusCode, done.body.slice(0, 300)).toBe(303);
    expect((await snapshot(t, order)).licence).toEqual([
      { status: 'active', start_date: '2027-01-01', end_date: '2029-12-31' },
    ]);
    expect(await period(order)).toEqual({ starts_on: '2027-01-01', ends_on: '2029-12-31' });
    const activated = await t.database.db
      .selectFrom('audit_events')
      .select(['before', 'after'])
      .where('licence_id', '=', order.licenceId)
      .where('action', '=', 'activated')
      .execute();
    expect(activated).toEqual([
      {
        before: { status: 'pending', startDate: '2027-01-01', endDate: '2029-12-31' },
        after: { status: 'active', startDate: '2027-01-01', endDate: '2029-12-31' },
      },
    ]);
    const ready = await t.database.db
      .selectFrom('mail_outbox')
      .select('text_body')
      .where('subject', 'like', 'Your storage is ready%')
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow();
    expect(ready.text_body).toContain('The licence runs from 1 January 2027 to 31 December 2029.');
  });
  it('does not set up a licence the team has locked until it is unlocked', async () => {
    const order = await approvedOrder(t);
    await drainJobs(t.jobs);
    const rosa = await signedIn(t, 'rs501');
    const csrf = await rosa.csrfFrom(page(order));
    const licencePage = `/admin/licences/${order.licenceId}/`;
    expect(
      (await rosa.post(`${licencePage}lock`, { _csrf: csrf, lockReason: 'Owner disputes the order' })).statusCode,
    ).toBe(303);
    const before = await snapshot(t, order);
    const refused = await rosa.post(page(order), {
      _csrf: csrf,
      ...answers(order.projectId, { path: '/rds/project/disputed' }),
    });
    expect(refused.statusCode).toBe(409);
    expect(refused.body).toContain(
      `Order ${order.reference} cannot be completed: This licence is locked (Owner disputes the order). Unlock it before changing it.`,
    );
    expect(await snapshot(t, order)).toEqual(before);

    expect((await rosa.post(`${licencePage}unlock`, { _csrf: csrf, unlockReason: 'Settled' })).statusCode).toBe(303);
    const done = await rosa.post(page(order), {
      _csrf: csrf,
      ...answers(order.projectId, { path: '/rds/project/settled' }),
    });
    expect(done.statusCode, done.body.slice(0, 300)).toBe(303);
    expect((await snapshot(t, order)).licence[0]?.status).toBe('active');
  });
});
