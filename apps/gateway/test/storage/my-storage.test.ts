import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { personActor, recordAudit, systemActor } from '../../src/modules/audit/audit.repository.ts';
import { LICENCE_STATUS_WORDS } from '../../src/modules/licences/licence-status.ts';
import { staffViewWords } from '../../src/modules/licences/licences.views.tsx';
import { ORDER_STATUS_WORDS } from '../../src/modules/orders/order-status.ts';
import type { ServiceCode, StaffRole } from '../../src/modules/people/people.tables.ts';
import { generateOrders, generatePeople } from '../support/order-fixtures.ts';
import { insertStorage, personIdOf, type StorageFixture } from '../support/storage-fixtures.ts';
import { Browser, startTestApp, type TestApp } from '../support/test-app.ts';

/** The table row of a page that mentions `text`, or undefined. */
function rowWith(body: string, text: string): string | undefined {
  return body.split('<tr>').find((chunk) => chunk.includes(text));
}

/** The last three cells of the licence row that mentions `text`: time left, storage projects, annual cost. */
function figuresOf(body: string, text: string): string | undefined {
  return rowWith(body, text)?.split('</td>').slice(-4, -1).join('</td>');
}

/** A page's main content without the per-request CSRF token, to compare two answers. */
function comparable(body: string): string {
  return body.replace(/name="_csrf" value="[^"]*"/g, 'name="_csrf" value=""');
}

describe('My storage: licences, orders and storage projects', () => {
  let t: TestApp;
  let physics: StorageFixture;
  let archive: StorageFixture;
  let share: StorageFixture;
  let hostile: StorageFixture;
  const browsers = new Map<string, Browser>();

  async function as(crsid: string): Promise<Browser> {
    let browser = browsers.get(crsid);
    if (!browser) {
      browser = new Browser(t.app);
      await browser.signInAs(crsid);
      browsers.set(crsid, browser);
    }
    return browser;
  }

  beforeAll(async () => {
    t = await startTestApp();
    const db = t.database.db;
    physics = await insertStorage(db, {
      name: 'Physics cluster data',
      owner: 'ar101',
      managers: ['bm202'],
      status: 'active',
      sizeTb: 5,
      startDate: '2026-12-01',
      endDate: '2027-12-01',
      projects: [
        {
          name: 'Lattice simulations',
          quotaTb: 3,
          status: 'active',
          members: [
            { crsid: 'bm202', role: 'project-data-manager' },
            { crsid: 'da303', role: 'project-data-user' },
          ],
        },
        { name: 'Telescope images', quotaTb: 2, status: 'pending', members: [] },
      ],
      order: { status: 'awaiting-approval' },
    });
    archive = await insertStorage(db, {
      name: 'Alpha tape archive',
      productCode: 'RCS',
      owner: 'ar101',
      status: 'cold',
      startDate: '2024-01-01',
      endDate: '2025-01-01',
      order: { status: 'rejected', statusReason: 'The finance code belongs to another department.', buyer: 'bm202' },
    });
    share = await insertStorage(db, {
      name: 'Chemistry admin share',
      productCode: 'IFS',
      institutionId: 'CHEM',
      owner: 'da303',
      sizeTb: 2,
      order: null,
    });
    hostile = await insertStorage(db, {
      name: '<script>alert("owned")</script> data',
      owner: 'ar101',
      status: 'pending',
      order: null,
    });
  });
  afterAll(() => t.close());

  it('sends people who are not signed in to sign in, and back to My storage afterwards', async () => {
    const anonymous = new Browser(t.app);
    const page = await anonymous.get('/storage/');
    expect(page.statusCode).toBe(302);
    expect(page.headers.location).toBe('/sign-in?returnTo=%2Fstorage%2F');
    const licence = await anonymous.get(`/storage/licence/${physics.licenceId}/`);
    expect(licence.statusCode).toBe(302);
    expect(licence.headers.location).toContain('/sign-in?returnTo=');
  });

  it('shows the Data Owner, a Data Manager and a project member the licence with their role and its status in words', async () => {
    const active = LICENCE_STATUS_WORDS.active;
    // a project member cannot renew the licence: they are told who can
    const forMember =
      'The storage is ready to use, and its Data Owner or a Data Manager can renew the licence before its end date to keep it.';
    for (const [crsid, role, explanation] of [
      ['ar101', 'Data Owner', active.explanation],
      ['bm202', 'Data Manager, Project Data Manager', active.explanation],
      ['da303', 'Project Data User', forMember],
    ] as const) {
      const page = await (await as(crsid)).get('/storage/');
      expect(page.statusCode, crsid).toBe(200);
      const row = rowWith(page.body, 'Physics cluster data');
      expect(row, crsid).toBeDefined();
      expect(row, crsid).toContain(`href="/storage/licence/${physics.licenceId}/"`);
      expect(row, crsid).toContain(`<td>${role}</td>`);
      expect(row, crsid).toContain(active.label);
      expect(row, crsid).toContain(explanation);
      if (explanation === forMember) expect(row, crsid).not.toContain('you can renew');
      expect(row, crsid).toContain('Research Data Store');
      expect(row, crsid).toContain('Department of Physics');
      expect(row, crsid).toContain('1 December 2027');
    }
  });

  it('lists the licences in use first, then the others, each group by name', async () => {
    const page = await (await as('ar101')).get('/storage/');
    const positions = ['&lt;script>', 'Physics cluster data', 'Alpha tape archive'].map((name) =>
      page.body.indexOf(name),
    );
    expect(positions.every((position) => position > 0)).toBe(true);
    expect(positions).toEqual([...positions].sort((a, b) => a - b));
    expect(rowWith(page.body, 'Alpha tape archive')).toContain(LICENCE_STATUS_WORDS.cold.label);
    expect(rowWith(page.body, '&lt;script>')).toContain('Not set up yet');
  });

  it('shows each licence’s time left, storage projects and annual cost at the current price, and the totals', async () => {
    const owner = await (await as('ar101')).get('/storage/');
    expect(figuresOf(owner.body, 'Physics cluster data')).toBe('<td>369 days left</td><td>2</td><td>£270.00');
    expect(figuresOf(owner.body, 'Alpha tape archive')).toBe('<td>Expired 695 days ago</td><td>0</td><td>£60.00');
    expect(figuresOf(owner.body, '&lt;script>')).toBe('<td>Not set up yet</td><td>0</td><td>£270.00');
    expect(owner.body).toContain('<th scope="col">Annual cost at your current price</th>');
    expect(owner.body).toContain(
      'In all: 3 licences, 15 TB, annual cost at your current price £600.00 (including VAT where you pay it).',
    );
    // Only what they own or manage costs them: the licence they use a project of is its Data Owner's to pay.
    const member = await (await as('da303')).get('/storage/');
    expect(member.body).toContain('In all: 2 licences, 7 TB, annual cost at your current price £300.00');
    expect(figuresOf(member.body, 'Physics cluster data')).toBe(
      '<td>369 days left</td><td>2</td><td>Paid by its Data Owner',
    );

    // A College pays the external price with VAT; a cancelled licence costs nothing.
    await insertStorage(t.database.db, {
      name: 'College archive',
      institutionId: 'KINGS',
      owner: 'bm202',
      sizeTb: 3,
      status: 'suspended',
      startDate: '2025-11-28',
      endDate: '2026-11-27',
      order: null,
    });
    await insertStorage(t.database.db, { name: 'Old share', owner: 'bm202', status: 'cancelled', order: null });
    const manager = await (await as('bm202')).get('/storage/');
    expect(figuresOf(manager.body, 'College archive')).toBe('<td>Ends today</td><td>0</td><td>£233.28');
    // It has ended: it was cancelled, rather than not set up yet.
    expect(figuresOf(manager.body, 'Old share')).toBe('<td>None: the licence was cancelled</td><td>0</td><td>None');
    // …and holds no storage: its 5 TB are not in the total, and the line says why.
    expect(manager.body).toContain(
      'In all: 3 licences, 8 TB, annual cost at your current price £503.28 (including VAT where you pay it); the one cancelled or deleted holds none.',
    );
  });

  it('pages licences and orders longer than a page (100), keeping the other list’s page, and totals every licence', async () => {
    const db = t.database.db;
    const [id] = await generatePeople(db, 1, 'many');
    if (id === undefined) throw new Error('no person');
    await generateOrders(db, { count: 105, now: t.clock.now(), personIds: [id], institutionIds: ['PHYS'] });
    const many = await as('many00001');
    const licenceLinks = (body: string) =>
      (body.split('id="orders"')[0]?.match(/href="\/storage\/licence\/\d+\/"/g) ?? []).length;
    const first = await many.get('/storage/');
    expect(first.statusCode).toBe(200);
    expect(licenceLinks(first.body)).toBe(100);
    expect(first.body).toContain('Page 1 of 2 (105 licences)');
    expect(first.body).toContain('Page 1 of 2 (105 orders)');
    expect(first.body).toContain('<a href="/storage/?licences=2" rel="next">');
    expect(first.body).toContain('<a href="/storage/?orders=2" rel="next">');
    // The 5 whose new orders were rejected were never set up: listed as not approved, not counted.
    expect(first.body).toContain('In all: 100 licences,');
    const second = await many.get('/storage/?licences=2&orders=2');
    expect(licenceLinks(second.body)).toBe(5);
    expect(second.body).toContain('Page 2 of 2 (105 licences)');
    expect(second.body).toContain('<a href="/storage/?orders=2" rel="prev">');
    expect(second.body).toContain('<a href="/storage/?licences=2" rel="prev">');
    expect(second.body).toContain('In all: 100 licences,');
    // Someone with a page's worth or fewer sees no pages.
    expect((await (await as('ar101')).get('/storage/')).body).not.toContain('Pages of licences');
  });

  it('shows someone with no place on any licence what to do next, and links to buy each product', async () => {
    const page = await (await as('cb404')).get('/storage/');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<h1>My storage</h1>');
    expect(page.body).toContain('You have no storage yet. Buy storage');
    expect(page.body).toContain('You have no orders.');
    expect(page.body).toContain('You have no quotes.');
    expect(page.body).not.toContain('Physics cluster data');
    // Each starts afresh (?start): a quote followed earlier is left behind.
    for (const href of [
      '/storage/buy/RDS/?start',
      '/storage/buy/RFS/?start',
      '/storage/buy/RCS/?start',
      '/storage/IFS/',
    ]) {
      expect(page.body).toContain(`href="${href}"`);
    }
    expect(page.body).not.toContain('/storage/buy/IFS/');
  });

  it('lists the orders of licences a person owns or manages, newest first, with status words and a link to each', async () => {
    const owner = await (await as('ar101')).get('/storage/');
    const waiting = ORDER_STATUS_WORDS['awaiting-approval'];
    const row = rowWith(owner.body, physics.order?.reference as string);
    expect(row).toContain(`href="/orders/${physics.order?.reference}/"`);
    expect(row).toContain(waiting.label);
    expect(row).toContain(waiting.explanation);
    expect(row).toContain('New storage: Research Data Store, 5 TB');
    expect(row).toContain('Physics cluster data');
    expect(row).toContain('£270.00');
    const submitted = await t.database.db
      .selectFrom('orders')
      .select('submitted_at')
      .where('id', '=', physics.order?.id as number)
      .executeTakeFirstOrThrow();
    const day = new Intl.DateTimeFormat('en-GB', { dateStyle: 'long', timeZone: 'Europe/London' });
    expect(row).toContain(`>${day.format(submitted.submitted_at)}</time>`);
    const rejected = rowWith(owner.body, archive.order?.reference as string);
    expect(rejected).toContain(ORDER_STATUS_WORDS.rejected.label);
    expect(rejected).toContain('Reason: The finance code belongs to another department.');
    expect(owner.body.indexOf(archive.order?.reference as string)).toBeLessThan(
      owner.body.indexOf(physics.order?.reference as string),
    );

    // The Data Manager sees the Data Owner's order; the project member sees no orders at all.
    const manager = await (await as('bm202')).get('/storage/');
    expect(manager.body).toContain(physics.order?.reference);
    const member = await (await as('da303')).get('/storage/');
    expect(member.body).not.toContain(physics.order?.reference);
    expect(member.body).toContain('You have no orders.');
  });

  it("gives the licence a page with its people, dates, status, projects, orders and the owner's view of them", async () => {
    const page = await (await as('ar101')).get(`/storage/licence/${physics.licenceId}/`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Physics cluster data');
    expect(page.body).toContain('Research Data Store (RDS)');
    expect(page.body).toContain('Alice Researcher');
    expect(page.body).toContain('Ben Manager');
    expect(page.body).toContain('1 December 2026');
    expect(page.body).toContain(LICENCE_STATUS_WORDS.active.explanation);
    expect(page.body).toContain(`href="/storage/project/${physics.projectIds[0]}/"`);
    expect(page.body).toContain(`href="/storage/project/${physics.projectIds[1]}/"`);
    expect(page.body).toContain(`href="/orders/${physics.order?.reference}/"`);
    expect(page.body).toContain('<h2 id="history">History</h2>');

    const pending = await (await as('ar101')).get(`/storage/licence/${hostile.licenceId}/`);
    expect(pending.body).toContain('Starts when the storage is set up');
    expect(pending.body).toContain(LICENCE_STATUS_WORDS.pending.label);
  });

  it('shows a project member the basic details and their own project only, without orders or history', async () => {
    const page = await (await as('da303')).get(`/storage/licence/${physics.licenceId}/`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Physics cluster data');
    expect(page.body).toContain('Alice Researcher');
    expect(page.body).toContain('Lattice simulations');
    expect(page.body).not.toContain('Telescope images');
    expect(page.body).not.toContain(physics.order?.reference);
    expect(page.body).not.toContain('id="history"');
    expect(page.body).toContain('its Data Owner or a Data Manager can renew the licence');
    expect(page.body).not.toContain('you can renew');

    expect((await (await as('da303')).get(`/storage/project/${physics.projectIds[0]}/`)).statusCode).toBe(200);
    expect((await (await as('da303')).get(`/storage/project/${physics.projectIds[1]}/`)).statusCode).toBe(404);
  });

  it('shows a storage project with its quota, status and members, to the owner and to its members', async () => {
    for (const crsid of ['ar101', 'bm202', 'da303']) {
      const page = await (await as(crsid)).get(`/storage/project/${physics.projectIds[0]}/`);
      expect(page.statusCode, crsid).toBe(200);
      const managers = page.body.split('id="project-data-managers"')[1]?.split('id="project-data-users"')[0];
      const users = page.body.split('id="project-data-users"')[1];
      expect(managers, crsid).toContain('Ben Manager');
      expect(managers, crsid).not.toContain('Dana Administrator');
      expect(users, crsid).toContain('Dana Administrator');
      expect(page.body, crsid).toContain('3 TB');
      expect(page.body, crsid).toContain(`href="/storage/licence/${physics.licenceId}/"`);
    }
    const pending = await (await as('ar101')).get(`/storage/project/${physics.projectIds[1]}/`);
    // A project waiting in a licence already in use does not wait for the licence to be set up.
    expect(pending.body).toContain('Shown here once the storage team has created it');
    expect(pending.body).not.toContain('when the licence is set up');
    expect(pending.body).toContain('No Project Data Users yet.');
  });

  it("answers someone else's licence or project with the same 404 as one that does not exist", async () => {
    const stranger = await as('cb404');
    const notFound = await stranger.get('/storage/licence/999999/');
    expect(notFound.statusCode).toBe(404);
    expect(notFound.body).toContain('We could not find that licence.');
    for (const path of [`/storage/licence/${physics.licenceId}/`, '/storage/licence/abc/', '/storage/licence/0/']) {
      const page = await stranger.get(path);
      expect(page.statusCode, path).toBe(404);
      expect(comparable(page.body), path).toBe(comparable(notFound.body));
    }
    const missingProject = await stranger.get('/storage/project/999999/');
    expect(missingProject.statusCode).toBe(404);
    for (const path of [`/storage/project/${physics.projectIds[0]}/`, '/storage/project/1e3/']) {
      const page = await stranger.get(path);
      expect(page.statusCode, path).toBe(404);
      expect(comparable(page.body), path).toBe(comparable(missingProject.body));
    }
    const huge = await stranger.get('/storage/licence/99999999999999999999999/');
    expect(huge.statusCode).toBe(404);
  });

  it('lets staff of the licence’s service, Finance and superusers open it, and no other staff', async () => {
    for (const crsid of ['rs501', 'fn601', 'su701']) {
      const licence = await (await as(crsid)).get(`/storage/licence/${physics.licenceId}/`);
      expect(licence.statusCode, crsid).toBe(200);
      expect(licence.body, crsid).toContain(physics.order?.reference);
      const project = await (await as(crsid)).get(`/storage/project/${physics.projectIds[0]}/`);
      expect(project.statusCode, crsid).toBe(200);
    }
    const institutional = await as('if502');
    expect((await institutional.get(`/storage/licence/${physics.licenceId}/`)).statusCode).toBe(404);
    expect((await institutional.get(`/storage/project/${physics.projectIds[0]}/`)).statusCode).toBe(404);
    expect((await institutional.get(`/storage/licence/${share.licenceId}/`)).statusCode).toBe(200);
    expect((await (await as('rs501')).get(`/storage/licence/${share.licenceId}/`)).statusCode).toBe(404);
    // Staff see a licence by their role, not as one of their own.
    expect((await institutional.get('/storage/')).body).not.toContain('Chemistry admin share');
  });

  it('tells staff in what capacity they see a customer’s licence: its service’s team, Finance or a superuser', async () => {
    const banner = (body: string) => body.match(/You are seeing this (?:licence|storage project) as [^.<]*/)?.[0];
    for (const [crsid, words] of [
      ['rs501', 'as staff of research storage'],
      ['fn601', 'as Finance'],
      ['su701', 'as a superuser'],
    ] as const) {
      const licence = await (await as(crsid)).get(`/storage/licence/${physics.licenceId}/`);
      expect(banner(licence.body), crsid).toBe(`You are seeing this licence ${words}`);
      const project = await (await as(crsid)).get(`/storage/project/${physics.projectIds[0]}/`);
      expect(banner(project.body), crsid).toBe(`You are seeing this storage project ${words}`);
    }
    const shared = await (await as('if502')).get(`/storage/licence/${share.licenceId}/`);
    expect(banner(shared.body)).toBe('You are seeing this licence as staff of institutional file storage');
    // The words for each kind of staff, whoever the pages are given.
    const viewer = (...staffRoles: Array<{ role: StaffRole; service: ServiceCode | null }>) => ({ staffRoles });
    expect(staffViewWords('research', viewer({ role: 'superuser', service: null }))).toBe('as a superuser');
    expect(staffViewWords('research', viewer({ role: 'finance', service: null }))).toBe('as Finance');
    expect(staffViewWords('institutional', viewer({ role: 'service-admin', service: 'institutional' }))).toBe(
      'as staff of institutional file storage',
    );
    // Finance who is also on the other service's team sees this one as Finance.
    expect(
      staffViewWords(
        'research',
        viewer({ role: 'service-admin', service: 'institutional' }, { role: 'finance', service: null }),
      ),
    ).toBe('as Finance');
    // The owner sees no such banner.
    expect(banner((await (await as('ar101')).get(`/storage/licence/${physics.licenceId}/`)).body)).toBeUndefined();
  });

  it('escapes a licence name that contains HTML', async () => {
    for (const path of ['/storage/', `/storage/licence/${hostile.licenceId}/`]) {
      const page = await (await as('ar101')).get(path);
      expect(page.body, path).not.toContain('<script>alert');
      expect(page.body, path).toContain('&lt;script>alert(&quot;owned&quot;)&lt;/script> data');
    }
  });

  it("lists the licence's history with when (London time), who and what happened, and nothing from other licences", async () => {
    const db = t.database.db;
    const ownerId = await personIdOf(db, 'ar101');
    await recordAudit(db, {
      actor: personActor({ id: ownerId, crsid: 'ar101' }),
      entityType: 'order',
      entityId: physics.order?.id as number,
      action: 'submitted',
      after: { status: 'submitted' },
      licenceId: physics.licenceId,
    });
    await recordAudit(db, {
      actor: systemActor('provisioning'),
      entityType: 'licence',
      entityId: physics.licenceId,
      action: 'activated',
      before: { status: 'pending' },
      after: { status: 'active' },
      licenceId: physics.licenceId,
    });
    await recordAudit(db, {
      actor: personActor({ id: ownerId, crsid: 'ar101' }),
      entityType: 'licence',
      entityId: archive.licenceId,
      action: 'moved-to-cold-store',
      licenceId: archive.licenceId,
    });
    await sql`UPDATE audit_events SET occurred_at = '2026-07-01T09:05:00Z' WHERE action = 'activated'`.execute(db);
    const page = await (await as('bm202')).get(`/storage/licence/${physics.licenceId}/`);
    const history = page.body.split('id="history"')[1] ?? '';
    const rows = history.split('<tr>').slice(2);
    expect(rows).toHaveLength(2);
    expect(rows[0]).toContain('ar101');
    expect(rows[0]).toContain('Order: submitted');
    expect(rows[0]).toContain('status: Submitted');
    expect(rows[1]).toContain('Automatic (provisioning)');
    expect(rows[1]).toContain('Licence: activated');
    expect(rows[1]).toContain('status: Waiting to be set up → Active');
    expect(history).not.toContain('cold store');
    // Summer time: 09:05 UTC is 10:05 in Cambridge.
    expect(rows[1]).toContain('<time datetime="2026-07-01T09:05:00.000Z">1 July 2026 at 10:05</time>');
  });

  // An editor read "department: KINGS", "product: RDS", "size TB: 3", "decided by: rs501",
  // "provisioning run: 11; storage: by hand" and bare CRSids in the Who column of the customer's page.
  it("writes the licence's history in the customer's words: names, not codes, CRSids or bookkeeping", async () => {
    const db = t.database.db;
    const made = await insertStorage(db, { name: 'Words licence', owner: 'ar101', managers: ['bm202'], order: null });
    const alice = personActor({ id: await personIdOf(db, 'ar101'), crsid: 'ar101' });
    const rosa = personActor({ id: await personIdOf(db, 'rs501'), crsid: 'rs501' });
    const base = { licenceId: made.licenceId };
    await recordAudit(db, {
      ...base,
      actor: alice,
      entityType: 'licence',
      entityId: made.licenceId,
      action: 'requested',
      after: {
        product: 'RDS',
        name: 'Words licence',
        sizeTb: 3,
        department: 'KINGS',
        owner: 'ar101',
        managers: ['bm202'],
        project: null,
      },
    });
    await recordAudit(db, {
      ...base,
      actor: rosa,
      entityType: 'order',
      entityId: 'ORD-999001',
      action: 'approved',
      before: { status: 'awaiting-approval' },
      after: { status: 'approved', decidedBy: 'rs501' },
    });
    await recordAudit(db, {
      ...base,
      actor: systemActor('provisioning'),
      entityType: 'order',
      entityId: 'ORD-999001',
      action: 'provisioning started',
      before: { status: 'approved' },
      after: { status: 'provisioning', run: 11, provisioner: 'manual' },
    });
    await recordAudit(db, {
      ...base,
      actor: alice,
      entityType: 'licence',
      entityId: made.licenceId,
      action: 'owner-handed-over',
      before: { owner: 'ar101' },
      after: { owner: 'bm202', oldOwnerNowManager: 'ar101' },
    });
    const page = await (await as('ar101')).get(`/storage/licence/${made.licenceId}/`);
    const history = (page.body.split('id="history"')[1] ?? '').replace(/&#x27;|&#39;/g, "'");
    const rows = history.split('<tr>').slice(2);
    expect(rows).toHaveLength(4);
    expect(rows[0]).toContain('<td>Alice Researcher (ar101)</td>');
    expect(rows[0]).toContain('product: Research Data Store');
    expect(rows[0]).toContain("department: King's College");
    expect(rows[0]).toContain('size: 3 TB');
    expect(rows[0]).toContain('Data Owner: Alice Researcher (ar101)');
    expect(rows[0]).toContain('Data Managers: Ben Manager (bm202)');
    expect(rows[1]).toContain('<td>Rosa Storage (rs501)</td>');
    expect(rows[1]).toContain('status: Waiting for approval → Approved');
    expect(rows[2]).toContain('status: Approved → Being set up');
    expect(rows[3]).toContain('Data Owner: Alice Researcher (ar101) → Ben Manager (bm202)');
    for (const code of [
      'KINGS',
      'RDS',
      'size TB',
      'decided by',
      'provisioning run',
      'storage: by hand',
      '<td>ar101</td>',
    ]) {
      expect(history, code).not.toContain(code);
    }
  });

  it('lists a person’s quotes with a link to each and its PDF', async () => {
    const db = t.database.db;
    const quote = await db
      .insertInto('quotes')
      .values({
        person_id: await personIdOf(db, 'ar101'),
        product_code: 'RFS',
        institution_id: 'PHYS',
        customer_class: 'internal',
        licence_name: 'Group file share',
        size_tb: 2,
        term_years: 3,
        pence_per_tb_year: 13900,
        price_valid_from: '2026-08-01',
        net_pence: 83400,
        vat_pence: 0,
        total_pence: 83400,
        issued_on: '2026-11-20',
        valid_until: '2026-12-20',
      })
      .returning('reference')
      .executeTakeFirstOrThrow();
    const page = await (await as('ar101')).get('/storage/');
    const row = rowWith(page.body, quote.reference);
    expect(row).toContain(`href="/storage/quotes/${quote.reference}/"`);
    expect(row).toContain(`href="/storage/quotes/${quote.reference}/quote.pdf"`);
    expect(row).toContain('Research File Share, 2 TB for 3 years');
    expect(row).toContain('£834.00');
    expect(row).toContain('20 December 2026');
    expect(row).toContain('You can order at this price until then.');
    expect((await (await as('bm202')).get('/storage/')).body).not.toContain(quote.reference);
  });
});
