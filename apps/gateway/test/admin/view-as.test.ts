import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatInstant } from '../../src/modules/quotes/quote-rules.ts';
import { createAccessToken } from '../../src/platform/identity/access-tokens.ts';
import { buy, type Configuration, RDS_CONFIGURATION, SAMPLE_PDF } from '../support/purchase.ts';
import { insertStorage, personIdOf } from '../support/storage-fixtures.ts';
import { Browser, startTestApp, type TestApp } from '../support/test-app.ts';
import { expectFieldError, flashOf } from './manage-support.ts';

const BANNER = 'You are viewing the site as Alice Researcher (ar101) until';
const READ_ONLY = 'read-only while viewing as a customer';

const PURCHASE_ORDER = {
  method: 'purchase-order',
  poNumber: 'P7654321',
  file: { bytes: SAMPLE_PDF, name: 'po.pdf' },
} as const;

describe('Staff view the site as a customer sees it', () => {
  let t: TestApp;
  let aliceOrder: string;
  let danaOrder: string;

  async function signedIn(crsid: string): Promise<Browser> {
    const browser = new Browser(t.app);
    await browser.signInAs(crsid);
    return browser;
  }

  async function startViewing(browser: Browser, crsid: string, reason = 'Ticket 4242: cannot see my storage') {
    const csrf = await browser.csrfFrom('/admin/view-as');
    return browser.post('/admin/view-as', { crsid, reason, _csrf: csrf });
  }

  /** The banner's own CSRF token (every page has it while viewing). */
  async function stopViewing(browser: Browser) {
    const page = await browser.get('/storage/');
    const csrf = page.body.match(
      /action="\/admin\/view-as\/stop"[^>]*>\s*<input type="hidden" name="_csrf" value="([^"]+)"/,
    )?.[1];
    if (!csrf) throw new Error('no Stop viewing button on /storage/');
    return browser.post('/admin/view-as/stop', { _csrf: csrf });
  }

  async function viewAsEvents() {
    return t.database.db
      .selectFrom('audit_events')
      .select(['actor_label', 'action', 'entity_id', 'after'])
      .where('entity_type', '=', 'view-as')
      .orderBy('id')
      .execute();
  }

  async function orderStatus(reference: string): Promise<string> {
    const row = await t.database.db
      .selectFrom('orders')
      .select('status')
      .where('reference', '=', reference)
      .executeTakeFirstOrThrow();
    return row.status;
  }

  beforeAll(async () => {
    t = await startTestApp();
    aliceOrder = await buy(await signedIn('ar101'), 'RDS', RDS_CONFIGURATION, PURCHASE_ORDER);
    const dana: Configuration = {
      ...RDS_CONFIGURATION,
      institutionId: 'CHEM',
      licenceName: 'Spectra archive',
      ownerCrsid: 'da303',
      managerCrsids: '',
      projectName: 'spectra',
    };
    danaOrder = await buy(await signedIn('da303'), 'RDS', dana, PURCHASE_ORDER);
  });

  afterAll(async () => {
    await t?.close();
  });

  it('shows rs501 exactly what Alice sees, read-only, until they stop; both ends are audited with the reason', async () => {
    const rosa = await signedIn('rs501');
    const before = await rosa.get('/storage/');
    expect(before.body).not.toContain('Quantum imaging data');
    expect(before.body).not.toContain(BANNER);

    const started = await startViewing(rosa, 'AR101');
    expect(started.statusCode, started.body.slice(0, 300)).toBe(303);
    expect(started.headers.location).toBe('/storage/');

    const storage = await rosa.get('/storage/');
    expect(storage.statusCode).toBe(200);
    expect(storage.body).toContain('Quantum imaging data');
    expect(storage.body).toContain(aliceOrder);
    expect(storage.body).toContain(BANNER);
    // The view ends on its own VIEW_AS_MINUTES (30) after it started: the test clock's 10:00 UTC.
    expect(storage.body).toMatch(
      /until\s*<time datetime="2026-11-27T10:30:00.000Z">10:30<\/time>. Nothing can be changed./i,
    );
    // Alice's navigation, not Rosa's: no back office.
    expect(storage.body).not.toContain('href="/admin/">Back office');
    // Every page carries the banner, the order's own page included.
    const orderPage = await rosa.get(`/orders/${aliceOrder}/`);
    expect(orderPage.statusCode).toBe(200);
    expect(orderPage.body).toContain(BANNER);

    // Alice has no staff role, so the back office is closed, and Rosa's powers do not leak through:
    // Dana's research order, which Rosa's team may read, is not Alice's to see.
    expect((await rosa.get('/admin/')).statusCode).toBe(403);
    expect((await rosa.get('/admin/audit/')).statusCode).toBe(403);
    expect((await rosa.get('/admin/view-as')).statusCode).toBe(403);
    expect((await rosa.get(`/orders/${danaOrder}/`)).statusCode).toBe(404);

    // Nothing can be changed, even what Alice herself could change.
    const csrf = await rosa.csrfFrom(`/orders/${aliceOrder}/cancel`);
    const cancel = await rosa.post(`/orders/${aliceOrder}/cancel`, { _csrf: csrf });
    expect(cancel.statusCode).toBe(403);
    expect(cancel.body).toContain(READ_ONLY);
    // The refusal page still offers the way out.
    expect(cancel.body).toContain(BANNER);
    expect(await orderStatus(aliceOrder)).toBe('awaiting-approval');
    // Nor can another view be started on top of this one.
    const again = await rosa.post('/admin/view-as', { crsid: 'bm202', reason: 'x', _csrf: csrf });
    expect(again.statusCode).toBe(403);

    const stopped = await stopViewing(rosa);
    expect(stopped.statusCode).toBe(303);
    expect(stopped.headers.location).toBe('/admin/view-as');
    const back = await rosa.get('/admin/view-as');
    expect(back.statusCode).toBe(200);
    expect(flashOf(back.body)).toContain('You stopped viewing the site as ar101');
    expect(back.body).not.toContain('You are viewing the site as');
    expect((await rosa.get('/storage/')).body).not.toContain('Quantum imaging data');
    expect((await rosa.get(`/orders/${danaOrder}/`)).statusCode).toBe(200);

    const aliceId = await personIdOf(t.database.db, 'ar101');
    const events = await viewAsEvents();
    expect(events.map((event) => [event.actor_label, event.action, event.entity_id])).toEqual([
      ['rs501', 'started', String(aliceId)],
      ['rs501', 'stopped', String(aliceId)],
    ]);
    for (const event of events) {
      expect(event.after).toMatchObject({ customer: 'ar101', reason: 'Ticket 4242: cannot see my storage' });
    }
  });

  it('says when a view started, in the audit trail, as the site writes moments (London time, in words)', async () => {
    const sam = await signedIn('su701');
    expect((await startViewing(sam, 'ar101', 'Ticket 5150: when did it start')).statusCode).toBe(303);
    expect((await stopViewing(sam)).statusCode).toBe(303);
    const page = await sam.get('/admin/audit/?entityType=view-as&actor=su701');
    const tbody = page.body.match(/<table class="audit-trail">[\s\S]*?<tbody>([\s\S]*?)<\/tbody>/)?.[1] ?? '';
    const [stoppedRow] = tbody.split('<tr>').slice(1);
    expect(stoppedRow).toContain('Stopped');
    expect(stoppedRow).toContain(`<li>started at: ${formatInstant(t.clock.now())}</li>`);
    expect(stoppedRow).not.toContain(t.clock.now().toISOString().slice(0, 16));
  });

  it('gives the JSON API under the session the customer, read-only; a bearer token is its own person', async () => {
    const rosa = await signedIn('rs501');
    const rosaId = await personIdOf(t.database.db, 'rs501');
    const { token } = await createAccessToken(
      t.database.db,
      t.clock,
      { id: rosaId, crsid: 'rs501' },
      {
        name: 'script',
        lifetime: 30,
      },
    );
    expect((await startViewing(rosa, 'ar101')).statusCode).toBe(303);

    const me = await rosa.inject({ method: 'GET', url: '/api/me' });
    expect(me.statusCode).toBe(200);
    expect(me.json()).toMatchObject({ crsid: 'ar101' });
    const csrf = (await rosa.inject({ method: 'GET', url: '/api/csrf-token' })).json() as { csrfToken: string };
    const cancel = await rosa.inject({
      method: 'POST',
      url: `/api/orders/${aliceOrder}/cancel`,
      headers: { 'x-csrf-token': csrf.csrfToken },
    });
    expect(cancel.statusCode).toBe(403);
    expect(cancel.json()).toMatchObject({ error: { code: 'forbidden' } });
    expect(cancel.body).toContain(READ_ONLY);
    expect(await orderStatus(aliceOrder)).toBe('awaiting-approval');

    // The token is Rosa's, whatever the cookie beside it says.
    const byToken = await rosa.inject({ method: 'GET', url: '/api/me', headers: { authorization: `Bearer ${token}` } });
    expect(byToken.json()).toMatchObject({ crsid: 'rs501' });

    expect((await stopViewing(rosa)).statusCode).toBe(303);
  });

  it('is refused to customers, and open to Finance (read-only and audited)', async () => {
    const alice = await signedIn('ar101');
    expect((await alice.get('/admin/view-as')).statusCode).toBe(403);
    const csrf = await alice.csrfFrom('/storage/');
    const refused = await alice.post('/admin/view-as', { crsid: 'bm202', reason: 'curious', _csrf: csrf });
    expect(refused.statusCode).toBe(403);
    expect((await viewAsEvents()).filter((event) => event.actor_label === 'ar101')).toEqual([]);

    const farah = await signedIn('fn601');
    expect((await startViewing(farah, 'ar101', 'Invoice query')).statusCode).toBe(303);
    const storage = await farah.get('/storage/');
    expect(storage.body).toContain(BANNER);
    expect(storage.body).toContain('Quantum imaging data');
    expect((await stopViewing(farah)).statusCode).toBe(303);
    const farahEvents = (await viewAsEvents()).filter((event) => event.actor_label === 'fn601');
    expect(farahEvents.map((event) => event.action)).toEqual(['started', 'stopped']);
  });

  it('says what is wrong next to the field: nobody by that CRSid, oneself, someone who left, no reason', async () => {
    const rosa = await signedIn('rs501');
    const eventsBefore = (await viewAsEvents()).length;
    expectFieldError(await startViewing(rosa, 'zz999'), 'crsid', 'There is nobody with the CRSid zz999');
    expectFieldError(await startViewing(rosa, 'rs501'), 'crsid', 'You cannot view the site as yourself');
    await t.database.db
      .insertInto('people')
      .values({ crsid: 'gl999', display_name: 'Gone Leaver', email: 'gl999@cam.ac.uk', institution_id: null })
      .execute();
    await t.database.db.updateTable('people').set({ status: 'left' }).where('crsid', '=', 'gl999').execute();
    expectFieldError(
      await startViewing(rosa, 'gl999'),
      'crsid',
      'Gone Leaver (gl999) has left: the site cannot be viewed as them',
    );
    expectFieldError(
      await startViewing(rosa, 'ar101', '  '),
      'reason',
      'Say why you need to see the site as this person, such as a ticket number',
    );
    expect((await viewAsEvents()).length).toBe(eventsBefore);
    // Still Rosa, still able to change things.
    expect((await rosa.get('/storage/')).body).not.toContain('You are viewing the site as');
  });

  it('opens the form with the CRSid filled in from a person page’s button', async () => {
    const rosa = await signedIn('rs501');
    const form = await rosa.get('/admin/view-as?crsid=bm202');
    expect(form.statusCode).toBe(200);
    expect(form.body).toMatch(/id="crsid" name="crsid" value="bm202"/);
  });

  it('shows a service team only what the customer holds of their own service; Finance sees it all', async () => {
    // Chloe: a research licence she bought with a purchase order, an institutional one, and a place
    // on a project of a research licence of Alice's.
    const chloeOrder = await buy(
      await signedIn('cb404'),
      'RDS',
      {
        ...RDS_CONFIGURATION,
        institutionId: 'KINGS',
        licenceName: 'Chloe research data',
        ownerCrsid: 'cb404',
        managerCrsids: '',
        projectName: 'chloe-data',
      },
      PURCHASE_ORDER,
    );
    const chloeResearch = await t.database.db
      .selectFrom('orders')
      .select('licence_id')
      .where('reference', '=', chloeOrder)
      .executeTakeFirstOrThrow();
    const research = chloeResearch.licence_id;
    const shared = await insertStorage(t.database.db, {
      name: 'Chloe shared drive',
      productCode: 'IFS',
      institutionId: 'KINGS',
      owner: 'cb404',
      status: 'active',
      order: null,
    });
    const aliceLab = await insertStorage(t.database.db, {
      name: 'Alice lab archive',
      owner: 'ar101',
      status: 'active',
      projects: [{ name: 'lab-archive', members: [{ crsid: 'cb404', role: 'project-data-user' }] }],
      order: null,
    });
    const [labProject] = aliceLab.projectIds;
    const otherService = [
      `/orders/${chloeOrder}/`,
      `/orders/${chloeOrder}/purchase-order`,
      `/storage/licence/${research}/`,
      `/storage/licence/${aliceLab.licenceId}/`,
      `/storage/project/${labProject}/`,
      `/api/orders/${chloeOrder}`,
      `/api/licences/${research}`,
      `/api/licences/${aliceLab.licenceId}`,
      `/api/projects/${labProject}`,
    ];

    // Ifan (the institutional team) viewing as Chloe: her institutional storage, none of her research storage.
    const ifan = await signedIn('if502');
    expect((await startViewing(ifan, 'cb404', 'Ticket 7: shared drive')).statusCode).toBe(303);
    for (const url of otherService) {
      const answer = await ifan.get(url);
      expect(answer.statusCode, url).toBe(404);
      expect(answer.headers['content-type'], url).not.toContain('application/pdf');
    }
    expect((await ifan.get(`/api/licences/${research}`)).json()).toMatchObject({
      error: { code: 'not-found', message: `There is no licence ${research} that you can see.` },
    });
    expect((await ifan.get(`/storage/licence/${shared.licenceId}/`)).statusCode).toBe(200);
    expect((await ifan.get(`/api/licences/${shared.licenceId}`)).statusCode).toBe(200);
    const storage = await ifan.get('/storage/');
    expect(storage.body).toContain('Chloe shared drive');
    expect(storage.body).not.toContain('Chloe research data');
    expect(storage.body).not.toContain('Alice lab archive');
    expect(storage.body).not.toContain(chloeOrder);
    const quotes = await ifan.get('/api/quotes');
    expect(quotes.statusCode).toBe(200);
    // The API's lists are filtered as My storage is, their totals too.
    const licences = (await ifan.get('/api/licences')).json();
    expect(licences.licences.map((licence: { name: string }) => licence.name)).toEqual(['Chloe shared drive']);
    expect(licences.total).toBe(1);
    expect((await ifan.get('/api/orders')).json()).toMatchObject({ orders: [], total: 0 });
    expect((await stopViewing(ifan)).statusCode).toBe(303);

    // Farah (Finance) reads both services' records anyway: the view shows all Chloe sees.
    const farah = await signedIn('fn601');
    expect((await startViewing(farah, 'cb404', 'Invoice query')).statusCode).toBe(303);
    for (const url of otherService) expect((await farah.get(url)).statusCode, url).toBe(200);
    const all = await farah.get('/storage/');
    expect(all.body).toContain('Chloe research data');
    expect(all.body).toContain('Chloe shared drive');
    expect(all.body).toContain(chloeOrder);
    expect((await farah.get('/api/licences')).json().total).toBe(3);
    expect((await farah.get('/api/orders')).json().orders.map((o: { reference: string }) => o.reference)).toEqual([
      chloeOrder,
    ]);
    expect((await stopViewing(farah)).statusCode).toBe(303);
  });

  it('ends when the member of staff signs out, loses their role, or the customer leaves', async () => {
    const db = t.database.db;
    // Signing out while viewing is allowed, and ends the view in the trail.
    const rosa = await signedIn('rs501');
    expect((await startViewing(rosa, 'ar101')).statusCode).toBe(303);
    const csrf = await rosa.csrfFrom('/storage/');
    expect((await rosa.post('/sign-out', { _csrf: csrf })).statusCode).toBe(303);
    expect((await viewAsEvents()).at(-1)).toMatchObject({ actor_label: 'rs501', action: 'stopped' });
    expect((await viewAsEvents()).at(-1)?.after).toMatchObject({ ended: 'signed out' });

    // A customer who leaves mid-view: the staff member sees the site as themselves again.
    const ifan = await signedIn('if502');
    expect((await startViewing(ifan, 'bm202', 'Share access')).statusCode).toBe(303);
    expect((await ifan.get('/storage/')).body).toContain('You are viewing the site as Ben Manager (bm202)');
    await db.updateTable('people').set({ status: 'left' }).where('crsid', '=', 'bm202').execute();
    const afterLeaving = await ifan.get('/storage/');
    expect(afterLeaving.statusCode).toBe(200);
    expect(afterLeaving.body).not.toContain('You are viewing the site as');
    expect((await viewAsEvents()).at(-1)).toMatchObject({ actor_label: 'if502', action: 'ended' });
    await db.updateTable('people').set({ status: 'current' }).where('crsid', '=', 'bm202').execute();

    // Staff who lose their role lose the view with it.
    expect((await startViewing(ifan, 'da303', 'Share access')).statusCode).toBe(303);
    expect((await ifan.get('/storage/')).body).toContain('Dana Administrator (da303)');
    const ifanId = await personIdOf(db, 'if502');
    await db.deleteFrom('staff_roles').where('person_id', '=', ifanId).execute();
    const withoutRole = await ifan.get('/storage/');
    expect(withoutRole.statusCode).toBe(200);
    expect(withoutRole.body).not.toContain('You are viewing the site as');
    expect(withoutRole.body).not.toContain('Spectra archive');
    const last = (await viewAsEvents()).at(-1);
    expect(last).toMatchObject({ actor_label: 'if502', action: 'ended' });
    expect(last?.after).toMatchObject({ customer: 'da303', ended: 'their staff role was removed' });
  });
});
