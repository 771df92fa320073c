import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NEEDS_ACTION_STATUSES } from '../../src/modules/orders/order-queue.ts';
import { startTestAppWithCufs } from '../support/cufs.ts';
import { generateOrders, generatePeople } from '../support/order-fixtures.ts';
import { buy, RDS_CONFIGURATION, SAMPLE_PDF } from '../support/purchase.ts';
import { insertOrder, insertStorage } from '../support/storage-fixtures.ts';
import { Browser, type TestApp } from '../support/test-app.ts';

/**
 * The service teams' order queue (/admin/orders/) and the back-office home (/admin/): filters,
 * search and pages checked against the database itself, and who sees which service's orders.
 * Three orders are bought through the pages; 190 more are added by the set-based fixture
 * the benchmark uses (test/support/order-fixtures.ts).
 */

const RESEARCH = ['RCS', 'RDS', 'RFS'];

describe('the order queue and the back-office home', () => {
  let t: TestApp;
  const browsers = new Map<string, Browser>();
  /** Bought through the pages: RDS by finance code, RFS by purchase order, IFS by voucher. */
  const bought = { rds: '', rfs: '', ifs: '' };

  async function as(crsid: string): Promise<Browser> {
    const known = browsers.get(crsid);
    if (known) return known;
    const browser = new Browser(t.app);
    await browser.signInAs(crsid);
    browsers.set(crsid, browser);
    return browser;
  }

  /** The references the queue should list, straight from the tables, in queue order. */
  async function expected(options: {
    products: string[];
    statuses: readonly string[];
    department?: string;
    submittedBefore?: Date;
    newestFirst?: boolean;
  }): Promise<string[]> {
    let query = t.database.db
      .selectFrom('orders')
      .select('reference')
      .where('product_code', 'in', options.products)
      .where('status', 'in', [...options.statuses] as never[]);
    if (options.department) query = query.where('institution_id', '=', options.department);
    if (options.submittedBefore) query = query.where('submitted_at', '<', options.submittedBefore);
    const direction = options.newestFirst ? 'desc' : 'asc';
    const rows = await query.orderBy('submitted_at', direction).orderBy('id', direction).execute();
    return rows.map((row) => row.reference);
  }

  /** The order references in the queue table of a page, in order. */
  function listed(body: string): string[] {
    return [...body.matchAll(/<th scope="row"><a href="\/admin\/orders\/(ORD-\d+)\/(?:\?[^"]*)?">/g)].map(
      (match) => match[1] as string,
    );
  }

  function showing(body: string): string | undefined {
    return body.match(/<p role="status">([^<]*)<\/p>/)?.[1];
  }

  function nextLink(body: string): string | undefined {
    return body.match(/<a href="([^"]+)" rel="next">/)?.[1]?.replaceAll('&amp;', '&');
  }

  beforeAll(async () => {
    t = await startTestAppWithCufs();
    bought.rds = await buy(await as('ar101'), 'RDS', RDS_CONFIGURATION, {
      method: 'finance-code',
      financeCode: 'PHAA.GAAA',
    });
    bought.rfs = await buy(
      await as('bm202'),
      'RFS',
      {
        sizeTb: '3',
        termYears: '1',
        institutionId: 'CHEM',
        licenceName: 'Spectra share',
        ownerCrsid: 'da303',
        managerCrsids: '',
        projectName: 'spectra',
      },
      { method: 'purchase-order', poNumber: 'P4411223', file: { bytes: SAMPLE_PDF, name: 'po.pdf' } },
    );
    bought.ifs = await buy(
      await as('da303'),
      'IFS',
      {
        sizeTb: '2',
        termYears: '1',
        institutionId: 'CHEM',
        licenceName: 'Chemistry office share',
        ownerCrsid: 'da303',
        managerCrsids: '',
        projectName: 'chem-office',
      },
      { method: 'voucher', voucherCode: 'IFS-CHEM-2026' },
    );
    const personIds = await generatePeople(t.database.db, 30);
    const generated = { now: t.clock.now(), personIds, institutionIds: ['PHYS', 'CHEM', 'KINGS'], spreadDays: 120 };
    // A spread of statuses like a few months of history, then a backlog waiting for approval.
    await generateOrders(t.database.db, { ...generated, count: 150 });
    await generateOrders(t.database.db, { ...generated, count: 40, status: 'awaiting-approval', firstRow: 151 });
  });
  afterAll(() => t?.close());

  it("lists the first service's orders that need action, oldest first, 25 a page, with a count", async () => {
    const rosa = await as('rs501');
    const page = await rosa.get('/admin/orders/');
    expect(page.statusCode).toBe(200);
    const all = await expected({ products: RESEARCH, statuses: NEEDS_ACTION_STATUSES });
    expect(all.length).toBeGreaterThan(25);
    expect(all).toContain(bought.rds);
    expect(listed(page.body)).toEqual(all.slice(0, 25));
    expect(showing(page.body)).toBe(`Showing 1–25 of ${all.length} orders`);
    expect(page.body).not.toContain(bought.ifs);
    // The filters are a GET form that works without JavaScript.
    expect(page.body).toContain('<form method="get" action="/admin/orders/"');
    expect(page.body).toMatch(/<select id="status" name="status"/);
    expect(page.body).toMatch(/<input type="text" id="q" name="q"/);

    // Next and previous pages keep the filters.
    const next = nextLink(page.body);
    expect(next).toBe('/admin/orders/?service=research&page=2');
    const second = await rosa.get(next as string);
    expect(listed(second.body)).toEqual(all.slice(25, 50));
    expect(showing(second.body)).toBe(`Showing 26–${Math.min(50, all.length)} of ${all.length} orders`);
    expect(second.body).toContain('href="/admin/orders/?service=research" rel="prev"');

    // A page past the last one ("Page 5 of 1" before) goes to the last page, with the same filters.
    const lastPage = Math.ceil(all.length / 25);
    const past = await rosa.get(`/admin/orders/?service=research&page=${lastPage + 3}`);
    expect(past.statusCode).toBe(303);
    expect(past.headers.location).toBe(`/admin/orders/?service=research&page=${lastPage}`);
    const waiting = await expected({ products: RESEARCH, statuses: ['awaiting-approval'] });
    const few = await rosa.get('/admin/orders/?service=research&status=awaiting-approval&page=40');
    expect(few.headers.location).toBe(
      `/admin/orders/?service=research&status=awaiting-approval${waiting.length > 25 ? `&page=${Math.ceil(waiting.length / 25)}` : ''}`,
    );
  });

  it('filters by one status or several, keeping them across pages', async () => {
    const rosa = await as('rs501');
    const waiting = await rosa.get('/admin/orders/?service=research&status=awaiting-approval');
    const approvals = await expected({ products: RESEARCH, statuses: ['awaiting-approval'] });
    expect(listed(waiting.body)).toEqual(approvals.slice(0, 25));
    expect(showing(waiting.body)).toBe(`Showing 1–${Math.min(25, approvals.length)} of ${approvals.length} orders`);
    expect(waiting.body).toMatch(/<option value="awaiting-approval" selected/);

    const finished = await expected({ products: RESEARCH, statuses: ['completed', 'cancelled'] });
    expect(finished.length).toBeGreaterThan(25);
    const several = await rosa.get('/admin/orders/?service=research&status=completed&status=cancelled');
    expect(listed(several.body)).toEqual(finished.slice(0, 25));
    expect(showing(several.body)).toBe(`Showing 1–25 of ${finished.length} orders`);
    const next = nextLink(several.body);
    expect(next).toBe('/admin/orders/?service=research&status=completed&status=cancelled&page=2');
    expect(listed((await rosa.get(next as string)).body)).toEqual(finished.slice(25, 50));

    const any = await rosa.get('/admin/orders/?service=research&status=all&sort=newest');
    const everything = await expected({
      products: RESEARCH,
      statuses: ['submitted', ...NEEDS_ACTION_STATUSES, 'provisioning', 'completed', 'rejected', 'cancelled'],
      newestFirst: true,
    });
    expect(listed(any.body)).toEqual(everything.slice(0, 25));
    expect(listed(any.body)[0]).toBe(bought.rfs);
  });

  it('filters by product, department and age', async () => {
    const rosa = await as('rs501');
    const rfs = await rosa.get('/admin/orders/?service=research&product=RFS&status=all');
    const rfsOrders = await expected({
      products: ['RFS'],
      statuses: ['submitted', ...NEEDS_ACTION_STATUSES, 'provisioning', 'completed', 'rejected', 'cancelled'],
    });
    expect(listed(rfs.body)).toEqual(rfsOrders.slice(0, 25));
    expect(rfsOrders).toContain(bought.rfs);
    expect(rfs.body).toMatch(/<option value="RFS" selected/);
    // Another service's product is not a filter here: the research queue ignores it.
    const ifsHere = await rosa.get('/admin/orders/?service=research&product=IFS');
    expect(listed(ifsHere.body)).toEqual(
      (await expected({ products: RESEARCH, statuses: NEEDS_ACTION_STATUSES })).slice(0, 25),
    );

    const chem = await rosa.get('/admin/orders/?service=research&department=CHEM');
    const chemOrders = await expected({ products: RESEARCH, statuses: NEEDS_ACTION_STATUSES, department: 'CHEM' });
    expect(chemOrders.length).toBeGreaterThan(0);
    expect(listed(chem.body)).toEqual(chemOrders.slice(0, 25));

    const cutoff = new Date(t.clock.now().getTime() - 30 * 86_400_000);
    const old = await rosa.get('/admin/orders/?service=research&status=all&olderThan=30');
    const oldOrders = await expected({
      products: RESEARCH,
      statuses: ['submitted', ...NEEDS_ACTION_STATUSES, 'provisioning', 'completed', 'rejected', 'cancelled'],
      submittedBefore: cutoff,
    });
    expect(oldOrders.length).toBeGreaterThan(0);
    expect(listed(old.body)).toEqual(oldOrders.slice(0, 25));
    expect(showing(old.body)).toContain(`of ${oldOrders.length} order`);
    expect(listed(old.body)).not.toContain(bought.rds);
    expect(old.body).toContain('value="30"');

    const bad = await rosa.get('/admin/orders/?service=research&olderThan=a+week');
    expect(bad.statusCode).toBe(422);
    expect(bad.body).toMatch(/<title>Error: Orders/);
    expect(bad.body).toContain(
      '<a href="#olderThan">Enter the number of days as a whole number from 0 to 3650, like 7</a>',
    );
    expect(bad.body).toContain('id="olderThan-error"');
    expect(bad.body).toContain('value="a week"');
  });

  it('finds orders by reference, by the buyer or Data Owner (CRSid or name) and by PO number', async () => {
    const rosa = await as('rs501');
    const search = async (q: string, extra = '') =>
      listed((await rosa.get(`/admin/orders/?service=research&status=all&q=${encodeURIComponent(q)}${extra}`)).body);
    const digits = bought.rds.replace('ORD-', '');
    expect(await search(bought.rds)).toEqual([bought.rds]);
    expect(await search(bought.rds.toLowerCase())).toEqual([bought.rds]);
    expect(await search(String(Number(digits)))).toEqual([bought.rds]);
    // By the buyer's CRSid and by a word of the buyer's name (Alice Researcher).
    expect(await search('ar101')).toEqual([bought.rds]);
    expect(await search('researcher')).toEqual([bought.rds]);
    // By the Data Owner (Dana Administrator owns the RFS order that Ben bought), and by the buyer.
    expect(await search('da303')).toEqual([bought.rfs]);
    expect(await search('Dana')).toEqual([bought.rfs]);
    expect(await search('bm202')).toEqual([bought.rfs]);
    // By PO number, in any case.
    expect(await search('p4411223')).toEqual([bought.rfs]);
    // A search keeps the other filters: the RFS order is not waiting more than 30 days.
    expect(await search('p4411223', '&olderThan=30')).toEqual([]);
    // LIKE's wildcards are taken literally.
    expect(await search('%')).toEqual([]);
    expect(await search('_')).toEqual([]);
    // A generated buyer, through the people table: every order they bought or own, oldest first.
    const person = await t.database.db
      .selectFrom('people')
      .select(['id', 'crsid', 'display_name'])
      .where('crsid', '=', 'gen00007')
      .executeTakeFirstOrThrow();
    const theirs = await sql<{ reference: string }>`
      SELECT o.reference FROM orders o JOIN licences l ON l.id = o.licence_id
       WHERE (o.buyer_person_id = ${person.id} OR l.owner_person_id = ${person.id}) AND o.product_code IN ('RCS', 'RDS', 'RFS')
       ORDER BY o.submitted_at, o.id LIMIT 25`.execute(t.database.db);
    expect(theirs.rows.length).toBeGreaterThan(0);
    expect(await search('GEN00007')).toEqual(theirs.rows.map((row) => row.reference));
    // Nothing of the other service, whatever the search.
    expect(await search(bought.ifs)).toEqual([]);

    const noMatch = await rosa.get('/admin/orders/?service=research&q=nobody-at-all');
    expect(showing(noMatch.body)).toBe('No orders match these filters.');
    const tooLong = await rosa.get(`/admin/orders/?q=${'x'.repeat(101)}`);
    expect(tooLong.statusCode).toBe(422);
    expect(tooLong.body).toContain('id="q-error"');
  });

  it("shows each team only its own service's orders; Finance and superusers both", async () => {
    const ifan = await as('if502');
    const own = await ifan.get('/admin/orders/?sort=newest');
    expect(own.statusCode).toBe(200);
    expect(listed(own.body)).toContain(bought.ifs);
    expect(listed(own.body)).not.toContain(bought.rds);
    // Asking for the other service gives one's own.
    const other = await ifan.get('/admin/orders/?service=research&status=all');
    const ifsOnly = await expected({
      products: ['IFS'],
      statuses: ['submitted', ...NEEDS_ACTION_STATUSES, 'provisioning', 'completed', 'rejected', 'cancelled'],
    });
    expect(listed(other.body)).toEqual(ifsOnly.slice(0, 25));
    expect(other.body).not.toContain('aria-label="Services"');

    const farah = await as('fn601');
    const finance = await farah.get('/admin/orders/?service=institutional&sort=newest');
    expect(listed(finance.body)).toContain(bought.ifs);
    expect(finance.body).toContain('aria-label="Services"');
    // The other service's tab keeps the filters that apply to both.
    expect(finance.body).toContain('href="/admin/orders/?service=research&amp;sort=newest"');
    const sam = await as('su701');
    expect(listed((await sam.get('/admin/orders/?sort=newest')).body)).toContain(bought.rds);

    const rosa = await as('rs501');
    expect((await rosa.get(`/admin/orders/${bought.ifs}/`)).statusCode).toBe(403);
    expect((await rosa.get(`/admin/orders/${bought.rds}/`)).statusCode).toBe(200);
    expect((await ifan.get(`/admin/orders/${bought.rds}/`)).statusCode).toBe(403);
    expect((await ifan.get(`/admin/orders/${bought.ifs}/`)).statusCode).toBe(200);
    expect((await farah.get(`/admin/orders/${bought.rds}/`)).statusCode).toBe(200);
    expect((await farah.get(`/admin/orders/${bought.ifs}/`)).statusCode).toBe(200);
    expect((await rosa.get('/admin/orders/ORD-999999/')).statusCode).toBe(404);
  });

  it('refuses customers every back-office page and action, even for their own orders', async () => {
    const alice = await as('ar101');
    const csrf = await alice.csrfFrom('/storage/buy/RDS/');
    for (const url of ['/admin/', '/admin/orders/', `/admin/orders/${bought.rds}/`, '/admin/orders/ORD-999999/']) {
      const page = await alice.get(url);
      expect(page.statusCode, url).toBe(403);
      expect(page.body, url).toContain('The back office is for the service teams and Finance.');
    }
    for (const action of ['approve', 'reject', 'recheck']) {
      const response = await alice.post(`/admin/orders/${bought.rds}/${action}`, { _csrf: csrf, reason: 'mine' });
      expect(response.statusCode, action).toBe(403);
    }
    expect(
      (await t.database.db.selectFrom('orders').select('status').where('reference', '=', bought.rds).executeTakeFirst())
        ?.status,
    ).toBe('awaiting-approval');
    const anonymous = new Browser(t.app);
    const signIn = await anonymous.get('/admin/orders/');
    expect(signIn.statusCode).toBe(302);
    expect(signIn.headers.location).toContain('/sign-in');
  });

  it("the home page counts what waits for each of the person's services, linking into the queue", async () => {
    const counts = await sql<{ service: string; status: string; n: number; oldest: Date }>`
      SELECT p.service, o.status, count(*)::int AS n, min(o.submitted_at) AS oldest
        FROM orders o JOIN products p ON p.code = o.product_code
       WHERE o.status IN ('awaiting-payment-check', 'awaiting-approval', 'approved', 'provisioning-failed')
       GROUP BY 1, 2`.execute(t.database.db);
    const count = (service: string, status: string) =>
      counts.rows.find((row) => row.service === service && row.status === status)?.n ?? 0;

    const rosa = await as('rs501');
    const home = await rosa.get('/admin/');
    expect(home.statusCode).toBe(200);
    expect(home.body).toContain('Research storage');
    expect(home.body).not.toContain('Institutional file storage');
    for (const status of NEEDS_ACTION_STATUSES) {
      const n = count('research', status);
      if (n === 0) continue;
      expect(home.body, status).toContain(`<a href="/admin/orders/?service=research&amp;status=${status}">${n}<`);
    }
    const total = NEEDS_ACTION_STATUSES.reduce((sum, status) => sum + count('research', status), 0);
    expect(home.body).toContain(`<a href="/admin/orders/?service=research">${total} orders need action</a>`);
    const oldest = Math.min(
      ...counts.rows.filter((row) => row.service === 'research').map((row) => new Date(row.oldest).getTime()),
    );
    const days = Math.floor((t.clock.now().getTime() - oldest) / 86_400_000);
    expect(home.body).toContain(`the oldest has waited ${days} days`);
    // Each status says what it asks of the team once: "Approved, to provision" needs no "(to provision)".
    expect(home.body).toContain('Awaiting approval<span class="hint"> (to approve or reject)</span>');
    expect(home.body).toMatch(/Approved, to provision\s*<\/th>/);
    // The link lands on exactly those orders.
    const linked = await rosa.get('/admin/orders/?service=research&status=awaiting-approval');
    expect(showing(linked.body)).toContain(`of ${count('research', 'awaiting-approval')} order`);

    const farah = await as('fn601');
    const both = await farah.get('/admin/');
    expect(both.body).toContain('Research storage');
    expect(both.body).toContain('Institutional file storage');
    expect(both.body).toContain(
      `<a href="/admin/orders/?service=institutional&amp;status=awaiting-approval">${count('institutional', 'awaiting-approval')}<`,
    );
  });
  it('says what a change order is for: the TB an increase adds, the size a cancellation ends, no term for either', async () => {
    const db = t.database.db;
    const storage = await insertStorage(db, {
      name: 'Changing licence',
      owner: 'ar101',
      sizeTb: 5,
      status: 'active',
      startDate: '2026-03-01',
      endDate: '2027-02-28',
      order: null,
    });
    const increase = await insertOrder(db, storage.licenceId, { kind: 'increase', status: 'completed', sizeTb: 2 });
    const cancellation = await insertOrder(db, storage.licenceId, {
      kind: 'cancellation',
      status: 'awaiting-approval',
    });
    const rosa = await as('rs501');
    const rowOf = async (reference: string) => {
      const page = await rosa.get(`/admin/orders/?status=all&q=${reference}`);
      return page.body.split('<tr>').find((row) => row.includes(`/admin/orders/${reference}/`)) ?? '';
    };
    expect(await rowOf(increase.reference)).toContain('<td>RDS, 2 TB added</td>');
    expect(await rowOf(cancellation.reference)).toContain('<td>RDS, 5 TB</td>');
    expect(await rowOf(bought.rds)).toMatch(/<td>RDS, \d+ TB, \d+ years?<\/td>/);
    const staffPage = (await rosa.get(`/admin/orders/${cancellation.reference}/`)).body;
    expect(staffPage).toContain('Size cancelled</dt><dd>5 TB</dd>');
    expect(staffPage).not.toContain('5 TB for 1 year');
  });

  it('says how long an order has waited only while it waits: a finished order says when it finished', async () => {
    const db = t.database.db;
    const storage = await insertStorage(db, {
      name: 'Finished long ago',
      owner: 'ar101',
      sizeTb: 5,
      status: 'active',
      startDate: '2025-09-01',
      endDate: '2027-08-31',
      order: null,
    });
    const now = t.clock.now().getTime();
    const daysAgo = (days: number) => new Date(now - days * 86_400_000);
    const day = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeZone: 'Europe/London' });
    const rosa = await as('rs501');
    const rowOf = async (reference: string) => {
      const page = await rosa.get(`/admin/orders/?status=all&sort=newest&q=${reference}`);
      return page.body.split('<tr>').find((row) => row.includes(`/admin/orders/${reference}/`)) ?? '';
    };
    for (const status of ['completed', 'rejected', 'cancelled'] as const) {
      const order = await insertOrder(db, storage.licenceId, { kind: 'renewal', status });
      // Submitted 400 days ago and finished (its last change of status) 365 days ago.
      await sql`UPDATE orders SET submitted_at = ${daysAgo(400)}, updated_at = ${daysAgo(365)} WHERE id = ${order.id}`.execute(
        db,
      );
      const row = await rowOf(order.reference);
      expect(row, status).toContain(day.format(daysAgo(400)));
      expect(row, status).not.toContain('waiting');
      expect(row, status).toContain(`<span class="hint">${status} on ${day.format(daysAgo(365))}</span>`);
    }
    const waiting = await insertOrder(db, storage.licenceId, { kind: 'renewal', status: 'awaiting-approval' });
    await sql`UPDATE orders SET submitted_at = ${daysAgo(3)} WHERE id = ${waiting.id}`.execute(db);
    expect(await rowOf(waiting.reference)).toContain('<span class="hint">waiting 3 days</span>');
  });

  it("carries the queue's filters to an order, back to the queue, and through a decision", async () => {
    const reference = await buy(
      await as('bm202'),
      'RFS',
      { ...RDS_CONFIGURATION, ownerCrsid: 'da303', licenceName: 'Filtered share', projectName: 'filtered' },
      { method: 'purchase-order', poNumber: 'P7654321', file: { bytes: SAMPLE_PDF, name: 'po.pdf' } },
    );
    const rosa = await as('rs501');
    const filters = 'service=research&amp;status=awaiting-approval&amp;q=P7654321';
    const queue = await rosa.get('/admin/orders/?status=awaiting-approval&q=P7654321');
    expect(listed(queue.body)).toEqual([reference]);
    expect(queue.body).toContain(`<a href="/admin/orders/${reference}/?${filters}">${reference}</a>`);

    const page = await rosa.get(`/admin/orders/${reference}/?${filters.replaceAll('&amp;', '&')}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain(`<a href="/admin/orders/?${filters}">Orders</a>`);
    expect(page.body).toContain(`action="/admin/orders/${reference}/approve?${filters}"`);
    expect(page.body).toContain(`action="/admin/orders/${reference}/reject?${filters}"`);

    // A rejection without a reason shows the order again, still leading back to the same queue.
    const csrf = await rosa.csrfFrom('/storage/buy/RDS/');
    const noReason = await rosa.post(`/admin/orders/${reference}/reject?${filters.replaceAll('&amp;', '&')}`, {
      _csrf: csrf,
      reason: ' ',
    });
    expect(noReason.statusCode).toBe(422);
    expect(noReason.body).toContain(`<a href="/admin/orders/?${filters}">Orders</a>`);

    const approved = await rosa.post(`/admin/orders/${reference}/approve?${filters.replaceAll('&amp;', '&')}`, {
      _csrf: csrf,
    });
    expect(approved.statusCode).toBe(303);
    expect(approved.headers.location).toBe(`/admin/orders/${reference}/?${filters.replaceAll('&amp;', '&')}`);
    expect((await rosa.get(approved.headers.location as string)).body).toContain(
      `<a href="/admin/orders/?${filters}">Orders</a>`,
    );
    // Approving again at once is the button pressed twice: back to the order in the same queue, as the first.
    const twice = await rosa.post(`/admin/orders/${reference}/approve?${filters.replaceAll('&amp;', '&')}`, {
      _csrf: csrf,
    });
    expect(twice.statusCode).toBe(303);
    expect(twice.headers.location).toBe(approved.headers.location);
    // Approving again from a tab left open since yesterday: the refusal leads back to the order in the same queue.
    await t.database.db
      .updateTable('orders')
      .set({ decided_at: sql`decided_at - interval '1 day'` })
      .where('reference', '=', reference)
      .execute();
    const again = await rosa.post(`/admin/orders/${reference}/approve?${filters.replaceAll('&amp;', '&')}`, {
      _csrf: csrf,
    });
    expect(again.statusCode).toBe(409);
    expect(again.body).toContain(`<a href="/admin/orders/${reference}/?${filters}">Go back to order ${reference}</a>`);

    // Only the queue's own parameters are carried, escaped; anything else is dropped.
    const odd = await rosa.get(
      `/admin/orders/${reference}/?q=%22%3E%3Cscript%3Ealert(1)%3C%2Fscript%3E&next=https%3A%2F%2Fevil.example&returnTo=%2F%2Fevil.example&page=2`,
    );
    expect(odd.statusCode).toBe(200);
    expect(odd.body).toContain(
      '<a href="/admin/orders/?service=research&amp;q=%22%3E%3Cscript%3Ealert%281%29%3C%2Fscript%3E&amp;page=2">Orders</a>',
    );
    expect(odd.body).not.toContain('evil.example');
    expect(odd.body).not.toContain('<script>alert');
    // With no filters, the breadcrumb goes to the order's service's queue, as before.
    expect((await rosa.get(`/admin/orders/${reference}/`)).body).toContain(
      '<a href="/admin/orders/?service=research">Orders</a>',
    );
  });
});
