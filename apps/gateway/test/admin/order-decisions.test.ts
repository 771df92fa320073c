import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCufs, startSwitchableCufs, startTestAppWithCufs } from '../support/cufs.ts';
import { drainJobs } from '../support/jobs.ts';
import { buy, type Configuration, RDS_CONFIGURATION, SAMPLE_PDF } from '../support/purchase.ts';
import { insertOrder, insertStorage, personIdOf } from '../support/storage-fixtures.ts';
import { Browser, startTestApp, type TestApp } from '../support/test-app.ts';
import { testEngine } from '../support/test-database.ts';

/**
 * The staff order page and its decisions: approve, reject with a reason, re-check a finance code
 * with CUFS up and down; who may take them, from which states, and two staff deciding at once.
 */

const RDS_FOR_BEN: Configuration = { ...RDS_CONFIGURATION, ownerCrsid: 'bm202', managerCrsids: 'da303' };

function queries(t: () => TestApp) {
  return {
    async order(reference: string) {
      return t()
        .database.db.selectFrom('orders')
        .innerJoin('licences', 'licences.id', 'orders.licence_id')
        .innerJoin('payments', 'payments.order_id', 'orders.id')
        .leftJoin('people as decider', 'decider.id', 'orders.decided_by_person_id')
        .leftJoin('vouchers', 'vouchers.id', 'payments.voucher_id')
        .select([
          'orders.status',
          'orders.status_reason',
          'orders.decided_at',
          'decider.crsid as decided_by',
          'licences.id as licence_id',
          'licences.status as licence_status',
          'payments.check_status',
          'payments.check_message',
          'payments.check_attempts',
          'vouchers.redeemed_at',
        ])
        .where('orders.reference', '=', reference)
        .executeTakeFirstOrThrow();
    },
    async audit(reference: string, licenceId?: number) {
      return t()
        .database.db.selectFrom('audit_events')
        .select(['actor_label', 'entity_type', 'action', 'before', 'after'])
        .where((eb) =>
          eb.or([
            eb('entity_id', '=', reference),
            ...(licenceId ? [eb('licence_id', '=', licenceId).and('entity_type', 'in', ['licence', 'voucher'])] : []),
          ]),
        )
        .orderBy('id')
        .execute();
    },
    async mails(reference: string) {
      return t()
        .database.db.selectFrom('mail_outbox')
        .select(['to_addresses', 'subject', 'text_body'])
        .where('subject', 'like', `%${reference}%`)
        .orderBy('id')
        .execute();
    },
  };
}

/** Signed-in browsers, one per person (a second one where a test races two). */
function browsersFor(t: () => TestApp) {
  const known = new Map<string, Browser>();
  return async (crsid: string, fresh = false): Promise<Browser> => {
    const existing = known.get(crsid);
    if (existing && !fresh) return existing;
    const browser = new Browser(t().app);
    await browser.signInAs(crsid);
    if (!fresh) known.set(crsid, browser);
    return browser;
  };
}

/** Posts one of the staff page's forms with this browser's CSRF token. */
async function decide(browser: Browser, reference: string, action: string, form: Record<string, string> = {}) {
  const csrf = await browser.csrfFrom('/storage/buy/RDS/');
  return browser.post(`/admin/orders/${reference}/${action}`, { _csrf: csrf, ...form });
}

function textOf(html: string): string {
  return html.replaceAll('&amp;', '&').replaceAll('&quot;', '"').replaceAll('&#39;', "'");
}

describe('approving and rejecting orders', () => {
  let t: TestApp;
  const as = browsersFor(() => t);
  const q = queries(() => t);

  beforeAll(async () => {
    t = await startTestAppWithCufs();
  });
  afterAll(() => t?.close());

  it('shows staff everything needed to decide, and the decisions only to those who may take them', async () => {
    const reference = await buy(await as('ar101'), 'RDS', RDS_FOR_BEN, {
      method: 'finance-code',
      financeCode: 'PHAA.GAAA',
    });
    const rosa = await as('rs501');
    const page = await rosa.get(`/admin/orders/${reference}/`);
    expect(page.statusCode).toBe(200);
    const body = textOf(page.body);
    expect(body).toContain(`<title>Order ${reference} – `);
    for (const text of [
      'Alice Researcher (ar101)',
      'ar101@cam.ac.uk',
      'Quantum imaging data',
      'Department of Physics (PHYS)',
      'Ben Manager (bm202)',
      'Dana Administrator (da303)',
      'imaging-2026',
      '5 TB for 3 years',
      'PHAA.GAAA',
      'Checked: open: Physics: general',
      'Awaiting approval',
      'submitted',
    ]) {
      expect(body, text).toContain(text);
    }
    // the history reads in the staff page's words, not as the audit row's keys and codes
    const history = body.split('History of the order')[1] ?? '';
    for (const words of [
      'status: Awaiting approval; payment method: University finance code; term in years: 3; total: £810.00',
      'finance code check: Checked and open',
      'price per TB per year: £54.00',
    ]) {
      expect(history).toContain(words);
    }
    expect(history).toContain('£810.00');
    expect(history).not.toMatch(/totalPence|termYears|finance-code/);
    const order = await t.database.db
      .selectFrom('orders')
      .innerJoin('terms_versions', 'terms_versions.id', 'orders.terms_version_id')
      .select(['net_pence', 'vat_pence', 'total_pence', 'pence_per_tb_year', 'terms_versions.version'])
      .where('reference', '=', reference)
      .executeTakeFirstOrThrow();
    const pounds = (pence: number) => `£${(pence / 100).toLocaleString('en-GB', { minimumFractionDigits: 2 })}`;
    expect(body).toContain(pounds(order.pence_per_tb_year));
    expect(body).toContain(pounds(order.total_pence));
    expect(body).toContain(`version ${order.version}`);
    // The history: the buyer's submission.
    expect(body).toMatch(/Alice Researcher \(ar101\)<\/td><td>submitted<\/td>/);
    expect(body).toContain(`action="/admin/orders/${reference}/approve"`);
    expect(body).toContain(`action="/admin/orders/${reference}/reject"`);
    expect(body).not.toContain(`action="/admin/orders/${reference}/recheck"`);
    // A slot for the provisioning section, empty here: nothing in the page names it.
    expect(body).toContain('<h2>History</h2>');

    // Finance reads the order but takes no decisions; a POST is refused and changes nothing.
    const farah = await as('fn601');
    const financePage = await farah.get(`/admin/orders/${reference}/`);
    expect(financePage.statusCode).toBe(200);
    expect(financePage.body).toContain('PHAA.GAAA');
    expect(financePage.body).not.toContain('/approve"');
    expect(financePage.body).not.toContain('/reject"');
    const refused = await decide(farah, reference, 'approve');
    expect(refused.statusCode).toBe(403);
    expect(refused.body).toContain('Only the research storage team can decide on this order.');
    expect((await decide(farah, reference, 'reject', { reason: 'No' })).statusCode).toBe(403);
    // Nor does the other service's team.
    const ifan = await as('if502');
    expect((await decide(ifan, reference, 'approve')).statusCode).toBe(403);
    expect((await decide(ifan, reference, 'reject', { reason: 'No' })).statusCode).toBe(403);
    expect((await decide(rosa, 'ORD-999999', 'approve')).statusCode).toBe(404);
    expect(await q.order(reference)).toMatchObject({ status: 'awaiting-approval', decided_by: null });
  });

  it('links a purchase order order to its PO document, which staff may download', async () => {
    const reference = await buy(
      await as('bm202'),
      'RFS',
      { ...RDS_CONFIGURATION, ownerCrsid: 'bm202' },
      {
        method: 'purchase-order',
        poNumber: 'P7654321',
        file: { bytes: SAMPLE_PDF, name: 'order.pdf' },
      },
    );
    const rosa = await as('rs501');
    const page = await rosa.get(`/admin/orders/${reference}/`);
    expect(page.body).toContain('P7654321');
    expect(page.body).toContain(`<a href="/orders/${reference}/purchase-order">order.pdf (PDF)</a>`);
    const download = await rosa.get(`/orders/${reference}/purchase-order`);
    expect(download.statusCode).toBe(200);
    expect(download.headers['content-type']).toBe('application/pdf');
  });

  it('approves: the order is approved, who and when are kept, audited, and the buyer and Data Owner told once', async () => {
    const reference = await buy(await as('ar101'), 'RDS', RDS_FOR_BEN, {
      method: 'finance-code',
      financeCode: 'PHAA.GAAA',
    });
    const rosa = await as('rs501');
    const approved = await decide(rosa, reference, 'approve');
    expect(approved.statusCode).toBe(303);
    expect(approved.headers.location).toBe(`/admin/orders/${reference}/`);
    const row = await q.order(reference);
    expect(row).toMatchObject({ status: 'approved', status_reason: null, decided_by: 'rs501' });
    expect(row.decided_at).toBeInstanceOf(Date);
    const approvals = (await q.audit(reference)).filter((entry) => entry.action === 'approved');
    expect(approvals).toEqual([
      {
        actor_label: 'rs501',
        entity_type: 'order',
        action: 'approved',
        before: { status: 'awaiting-approval' },
        after: { status: 'approved', decidedBy: 'rs501' },
      },
    ]);
    const mails = (await q.mails(reference)).filter((mail) => mail.subject === `Order ${reference} approved`);
    expect(mails).toHaveLength(1);
    expect(mails[0]?.to_addresses.sort()).toEqual(['ar101@cam.ac.uk', 'bm202@cam.ac.uk']);
    expect(mails[0]?.text_body).toContain('The storage team will now set the storage up.');

    const page = await rosa.get(`/admin/orders/${reference}/`);
    expect(page.body).toContain(`Order ${reference} approved. The buyer and the Data Owner have been told by email.`);
    expect(page.body).toContain('Approved by Rosa Storage (rs501)');
    expect(page.body).not.toContain('/approve"');
    expect(page.body).toMatch(/Rosa Storage \(rs501\)<\/td><td>approved<\/td>/);
    expect((await (await as('ar101')).get(`/orders/${reference}/`)).body).toContain('Approved');

    // Approving or rejecting it again is a conflict that says who approved it and when.
    const again = await decide(await as('su701'), reference, 'approve');
    expect(again.statusCode).toBe(409);
    expect(again.body).toMatch(
      new RegExp(`Order ${reference} was already approved by Rosa Storage on \\d+ \\w+ 20\\d\\d at \\d\\d:\\d\\d\\.`),
    );
    // The refusal leads back to the order, not only to the home page.
    expect(again.body).toContain(`<a href="/admin/orders/${reference}/">Go back to order ${reference}</a>`);
    // Rosa herself is told she approved it.
    const reject = await decide(rosa, reference, 'reject', { reason: 'Changed my mind' });
    expect(reject.statusCode).toBe(409);
    expect(reject.body).toContain(`Order ${reference} was already approved by you on`);
    expect(await q.order(reference)).toMatchObject({ status: 'approved', decided_by: 'rs501' });
  });

  it('tells nobody who has left the University about an order: the buyer alone when the Data Owner has left', async () => {
    const reference = await buy(await as('ar101'), 'RDS', RDS_FOR_BEN, {
      method: 'finance-code',
      financeCode: 'PHAA.GAAA',
    });
    const db = t.database.db;
    await db.updateTable('people').set({ status: 'left' }).where('crsid', '=', 'bm202').execute();
    const rosa = await as('rs501');
    try {
      expect((await decide(rosa, reference, 'approve')).statusCode).toBe(303);
      const mails = (await q.mails(reference)).filter((mail) => mail.subject === `Order ${reference} approved`);
      expect(mails.map((mail) => mail.to_addresses)).toEqual([['ar101@cam.ac.uk']]);
      // The confirmation says who was told, not "the buyer and the Data Owner".
      const page = await rosa.get(`/admin/orders/${reference}/`);
      expect(page.body).toContain(
        `Order ${reference} approved. The buyer has been told by email; the Data Owner has left the University, so was not.`,
      );
    } finally {
      await db.updateTable('people').set({ status: 'current' }).where('crsid', '=', 'bm202').execute();
    }
  });

  it('says nobody could be told of a rejection when the buyer and the Data Owner have both left', async () => {
    const reference = await buy(await as('ar101'), 'RDS', RDS_FOR_BEN, {
      method: 'finance-code',
      financeCode: 'PHAA.GAAA',
    });
    const db = t.database.db;
    const rosa = await as('rs501');
    await db.updateTable('people').set({ status: 'left' }).where('crsid', 'in', ['ar101', 'bm202']).execute();
    try {
      expect((await decide(rosa, reference, 'reject', { reason: 'No longer needed' })).statusCode).toBe(303);
      expect((await q.mails(reference)).filter((mail) => mail.subject === `Order ${reference} not approved`)).toEqual(
        [],
      );
      const page = await rosa.get(`/admin/orders/${reference}/`);
      expect(page.body).toContain(
        `Order ${reference} rejected. Nobody could be told why by email: the buyer and the Data Owner have both left the University.`,
      );
      expect(page.body).not.toContain('have been told');
    } finally {
      await db.updateTable('people').set({ status: 'current' }).where('crsid', 'in', ['ar101', 'bm202']).execute();
    }
  });

  it('rejects only with a reason, cancels the new licence, gives the voucher back, and tells the buyer why', async () => {
    const dana = await as('da303');
    const ifs: Configuration = {
      sizeTb: '1',
      termYears: '1',
      institutionId: 'CHEM',
      licenceName: 'Chemistry teaching share',
      ownerCrsid: 'da303',
      managerCrsids: '',
      projectName: 'teaching',
    };
    const reference = await buy(dana, 'IFS', ifs, { method: 'voucher', voucherCode: 'IFS-WELCOME-01' });
    const before = await q.order(reference);
    expect(before.redeemed_at).not.toBeNull();
    const ifan = await as('if502');

    const empty = await decide(ifan, reference, 'reject', { reason: '   ' });
    expect(empty.statusCode).toBe(422);
    expect(empty.body).toMatch(/<title>Error: Order ORD-\d+ – /);
    const message = 'Enter the reason for rejecting the order: the buyer will read it';
    expect(empty.body).toContain(`<a href="#reason">${message}</a>`);
    expect(empty.body).toContain(`id="reason-error"><span class="visually-hidden">Error:</span> ${message}</span>`);
    const long = await decide(ifan, reference, 'reject', { reason: 'x'.repeat(1001) });
    expect(long.statusCode).toBe(422);
    expect(long.body).toContain('The reason must be 1,000 characters or fewer');
    // The reason typed is given back in its (multi-line) box, to shorten rather than retype.
    expect(long.body).toContain(`>${'x'.repeat(1001)}</textarea>`);
    expect(await q.order(reference)).toMatchObject({ status: 'awaiting-approval', licence_status: 'pending' });

    const reason = 'The department already has a share for teaching; ask its IT contact to enlarge it.';
    const rejected = await decide(ifan, reference, 'reject', { reason: `  ${reason} ` });
    expect(rejected.statusCode).toBe(303);
    const after = await q.order(reference);
    expect(after).toMatchObject({
      status: 'rejected',
      status_reason: reason,
      decided_by: 'if502',
      licence_status: 'cancelled',
      redeemed_at: null,
    });
    // Rejected and cancelled as of the app's clock (the test day), not the machine's.
    const stamped = await t.database.db
      .selectFrom('orders')
      .innerJoin('licences', 'licences.id', 'orders.licence_id')
      .select(['orders.updated_at as order', 'licences.updated_at as licence'])
      .where('orders.reference', '=', reference)
      .executeTakeFirstOrThrow();
    expect([new Date(stamped.order), new Date(stamped.licence)]).toEqual([t.clock.now(), t.clock.now()]);
    const trail = (await q.audit(reference, after.licence_id)).filter((entry) => entry.actor_label === 'if502');
    expect(trail.map((entry) => [entry.entity_type, entry.action])).toEqual([
      ['order', 'rejected'],
      ['licence', 'cancelled'],
      ['voucher', 'released'],
    ]);
    expect(trail[0]?.after).toMatchObject({ status: 'rejected', reason });
    const mail = (await q.mails(reference)).find((message) => message.subject === `Order ${reference} not approved`);
    expect(mail?.to_addresses).toEqual(['da303@cam.ac.uk']);
    expect(mail?.text_body).toContain(`Reason: ${reason}`);
    expect(mail?.text_body).toContain('voucher IFS-WELCOME-01 can be used again');

    const customerPage = await dana.get(`/orders/${reference}/`);
    expect(customerPage.body).toContain('Not approved');
    expect(textOf(customerPage.body)).toContain(`Reason: ${reason}`);
    expect((await ifan.get(`/admin/orders/${reference}/`)).body).toContain('Rejected by Ifan Files (if502)');

    // A rejected order cannot be approved (or rejected again).
    const approve = await decide(ifan, reference, 'approve');
    expect(approve.statusCode).toBe(409);
    expect(approve.body).toContain(`Order ${reference} was already rejected by you on`);
    expect((await decide(ifan, reference, 'reject', { reason: 'Again' })).statusCode).toBe(409);

    // The voucher pays for another order.
    const again = await buy(
      dana,
      'IFS',
      { ...ifs, licenceName: 'Second try' },
      {
        method: 'voucher',
        voucherCode: 'IFS-WELCOME-01',
      },
    );
    expect((await q.order(again)).redeemed_at).not.toBeNull();
  });

  it('says in the approval and rejection emails of a change order what was decided and what happens next', async () => {
    const storage = await insertStorage(t.database.db, {
      name: 'Cancel me',
      owner: 'ar101',
      sizeTb: 5,
      status: 'active',
      startDate: '2026-03-01',
      endDate: '2027-02-28',
      order: { status: 'completed' },
    });
    const cancellation = await insertOrder(t.database.db, storage.licenceId, {
      kind: 'cancellation',
      status: 'awaiting-approval',
      pencePerTbYear: 0,
    });
    const rosa = await as('rs501');
    // The staff page said of every order "Approving tells … that the storage will be set up", and
    // showed the licence's status as its code ("active") and the period in ISO dates.
    const cancellationPage = (await rosa.get(`/admin/orders/${cancellation.reference}/`)).body;
    expect(cancellationPage).toContain(
      'Approving tells the buyer and the Data Owner that everyone’s access to the licence’s storage will be removed.',
    );
    expect(cancellationPage).not.toContain('storage will be set up');
    expect(cancellationPage).toMatch(/<dt>Licence status<\/dt>\s*<dd>Active<\/dd>/);
    expect((await decide(rosa, cancellation.reference, 'approve')).statusCode).toBe(303);
    const [approved] = (await q.mails(cancellation.reference)).filter(
      (mail) => mail.subject === `Order ${cancellation.reference} approved`,
    );
    expect(approved?.text_body).toContain(
      `Research storage has approved order ${cancellation.reference}: the cancellation of “Cancel me” (Research Data Store).`,
    );
    expect(approved?.text_body).toContain('The storage team will now remove everyone’s access to its storage.');
    expect(approved?.text_body).not.toContain('set the storage up');

    const renewal = await insertStorage(t.database.db, {
      name: 'Renew me',
      owner: 'ar101',
      sizeTb: 5,
      status: 'active',
      startDate: '2026-03-01',
      endDate: '2027-02-28',
      order: null,
    });
    const renewing = await insertOrder(t.database.db, renewal.licenceId, {
      kind: 'renewal',
      status: 'awaiting-approval',
      startsOn: '2027-03-01',
      endsOn: '2028-02-29',
    });
    const renewalPage = (await rosa.get(`/admin/orders/${renewing.reference}/`)).body;
    expect(renewalPage).toContain('the storage team will now make the change to the licence.');
    expect(renewalPage).toContain('1 March 2027 to 29 February 2028');
    expect(renewalPage).toContain('(price from 1 August 2026)');
    expect((await decide(rosa, renewing.reference, 'reject', { reason: 'Renew with the new grant' })).statusCode).toBe(
      303,
    );
    const [rejected] = (await q.mails(renewing.reference)).filter(
      (mail) => mail.subject === `Order ${renewing.reference} not approved`,
    );
    expect(rejected?.text_body).toContain(
      `Research storage did not approve order ${renewing.reference}: the renewal of “Renew me” (Research Data Store).`,
    );
  });

  it('refuses a decision from the wrong state with a clear conflict', async () => {
    const alice = await as('ar101');
    const reference = await buy(alice, 'RDS', RDS_FOR_BEN, { method: 'finance-code', financeCode: 'PHAA.GAAA' });
    const csrf = await alice.csrfFrom(`/orders/${reference}/cancel`);
    expect((await alice.post(`/orders/${reference}/cancel`, { _csrf: csrf })).statusCode).toBe(303);
    const rosa = await as('rs501');
    const approve = await decide(rosa, reference, 'approve');
    expect(approve.statusCode).toBe(409);
    expect(textOf(approve.body)).toContain(
      `Order ${reference} is not waiting for approval: its status is “Cancelled”.`,
    );
    const reject = await decide(rosa, reference, 'reject', { reason: 'Too late' });
    expect(reject.statusCode).toBe(409);
    expect(textOf(reject.body)).toContain(`Order ${reference} can no longer be rejected: its status is “Cancelled”.`);
    expect(reject.body).toContain(`<a href="/admin/orders/${reference}/">Go back to order ${reference}</a>`);
    expect((await q.audit(reference)).map((entry) => entry.action)).toEqual(['submitted', 'cancelled']);
  });

  it('refuses to approve a change whose licence has moved on since it was placed, saying what to do instead', async () => {
    // A renewal placed while the licence was read-only, waiting for approval; the licence has
    // since gone to the cold store. Approving told the customer it was approved, and it failed
    // only when the team came to make the change.
    const storage = await insertStorage(t.database.db, {
      name: 'Gone cold',
      owner: 'ar101',
      sizeTb: 5,
      status: 'cold',
      startDate: '2025-03-01',
      endDate: '2026-02-28',
      order: { status: 'completed' },
    });
    const renewal = await insertOrder(t.database.db, storage.licenceId, {
      kind: 'renewal',
      status: 'awaiting-approval',
      startsOn: '2026-03-01',
      endsOn: '2027-02-28',
    });
    const rosa = await as('rs501');
    const page = textOf((await rosa.get(`/admin/orders/${renewal.reference}/`)).body);
    const why = `Order ${renewal.reference} can no longer be approved: a renewal applies to a licence that is active or expired – read-only, and this one is in the cold store now. Reject it and tell the customer why; the customer can order a recovery instead.`;
    expect(page).toContain(why);
    expect(page).not.toContain(`/admin/orders/${renewal.reference}/approve"`);
    expect(page).toContain(`/admin/orders/${renewal.reference}/reject"`);

    const approve = await decide(rosa, renewal.reference, 'approve');
    expect(approve.statusCode).toBe(409);
    expect(textOf(approve.body)).toContain(why);
    const order = await t.database.db
      .selectFrom('orders')
      .select(['status', 'decided_by_person_id'])
      .where('reference', '=', renewal.reference)
      .executeTakeFirstOrThrow();
    expect(order).toEqual({ status: 'awaiting-approval', decided_by_person_id: null });
    expect(await q.mails(renewal.reference)).toHaveLength(0);
    expect(await q.audit(renewal.reference)).toEqual([]);

    // The same renewal of a licence still read-only is approved as before.
    await t.database.db
      .updateTable('licences')
      .set({ status: 'suspended' })
      .where('id', '=', storage.licenceId)
      .execute();
    expect((await decide(rosa, renewal.reference, 'approve')).statusCode).toBe(303);
  });

  // The page offered approval and "Mark as provisioned" as if nothing stood in the way, and said the
  // licence was locked only when the provisioning form had been filled in.
  it('warns at the top that the licence is locked, and why, that provisioning waits for the unlock, and says so on approving', async () => {
    const db = t.database.db;
    const storage = await insertStorage(db, {
      name: 'Locked before set-up',
      owner: 'ar101',
      sizeTb: 5,
      status: 'pending',
      startDate: null,
      endDate: null,
      order: { status: 'awaiting-approval' },
    });
    const reference = storage.order?.reference as string;
    const rosa = await as('rs501');
    const unlocked = textOf((await rosa.get(`/admin/orders/${reference}/`)).body);
    expect(unlocked).not.toContain('The licence is locked');
    await db
      .updateTable('licences')
      .set({
        locked_at: new Date('2026-11-20T10:00:00Z'),
        lock_reason: 'Billing dispute with the department',
        locked_by_person_id: await personIdOf(db, 'rs501'),
      })
      .where('id', '=', storage.licenceId)
      .execute();
    const page = textOf((await rosa.get(`/admin/orders/${reference}/`)).body);
    const notice = page.match(/<div class="notice notice--warning" role="note">(.*?)<\/div>/s)?.[1] ?? '';
    expect(notice).toContain('The licence is locked (Billing dispute with the department).');
    expect(notice).toContain(
      `Provisioning waits for the unlock: order ${reference} cannot be marked as provisioned until the licence is unlocked.`,
    );
    expect(notice).toContain(`href="/admin/licences/${storage.licenceId}/"`);
    // The notice is at the top: before the decisions.
    expect(page.indexOf('The licence is locked')).toBeLessThan(page.indexOf('id="decide"'));
    // Approving is still possible.
    expect(page).toContain(`/admin/orders/${reference}/approve"`);
    const approved = await decide(rosa, reference, 'approve');
    expect(approved.statusCode).toBe(303);
    const after = textOf((await rosa.get(`/admin/orders/${reference}/`)).body);
    expect(after).toContain(
      `Order ${reference} approved. The buyer, who is also the Data Owner, has been told by email. The licence is locked (Billing dispute with the department): provisioning waits for the unlock.`,
    );
    expect(after).toContain('Provisioning waits for the unlock');
    // The customer is not shown the team's reason.
    expect((await (await as('ar101')).get(`/orders/${reference}/`)).body).not.toContain('Billing dispute');
  });

  it('never lets staff approve an order they placed, or one for a licence they own or manage', async () => {
    const alice = await as('ar101');
    const aliceId = (
      await t.database.db.selectFrom('people').select('id').where('crsid', '=', 'ar101').executeTakeFirstOrThrow()
    ).id;
    await t.database.db
      .insertInto('staff_roles')
      .values({ person_id: aliceId, role: 'service-admin', service: 'research' })
      .execute();
    try {
      const own = await buy(alice, 'RDS', RDS_FOR_BEN, { method: 'finance-code', financeCode: 'PHAA.GAAA' });
      const page = await alice.get(`/admin/orders/${own}/`);
      expect(page.statusCode).toBe(200);
      expect(page.body).not.toContain(`action="/admin/orders/${own}/approve"`);
      const refusal = `You placed order ${own} yourself, so someone else in the team must approve it.`;
      expect(page.body).toContain(refusal);
      const approve = await decide(alice, own, 'approve');
      expect(approve.statusCode).toBe(403);
      expect(approve.body).toContain(refusal);
      expect(await q.order(own)).toMatchObject({ status: 'awaiting-approval', decided_by: null });

      // Ben buys storage that Alice will own: she may not approve that either.
      const owned = await buy(
        await as('bm202'),
        'RDS',
        { ...RDS_CONFIGURATION, ownerCrsid: 'ar101', managerCrsids: '' },
        { method: 'finance-code', financeCode: 'PHAA.GAAA' },
      );
      const asOwner = await decide(alice, owned, 'approve');
      expect(asOwner.statusCode).toBe(403);
      expect(asOwner.body).toContain(`You are the Data Owner of the licence on order ${owned}`);

      // Another member of the team approves them.
      expect((await decide(await as('rs501'), own, 'approve')).statusCode).toBe(303);
      expect((await decide(await as('su701'), owned, 'approve')).statusCode).toBe(303);
      expect((await q.order(own)).decided_by).toBe('rs501');
    } finally {
      await t.database.db.deleteFrom('staff_roles').where('person_id', '=', aliceId).execute();
    }
  });

  // Staff could cancel a customer's order without a word, while rejecting it needs a reason the buyer
  // reads; the email said only "Rosa Storage cancelled order …".
  it('asks the staff who cancel a customer’s order for a reason, kept with it and put in the email', async () => {
    const alice = await as('ar101');
    const rosa = await as('rs501');
    const reference = await buy(alice, 'RDS', RDS_FOR_BEN, { method: 'finance-code', financeCode: 'PHAA.GAAA' });
    // The buyer is asked for none.
    expect((await alice.get(`/orders/${reference}/cancel`)).body).not.toContain('name="reason"');
    const confirm = await rosa.get(`/orders/${reference}/cancel`);
    expect(confirm.statusCode).toBe(200);
    expect(confirm.body).toContain('name="reason"');
    expect(textOf(confirm.body)).toContain(
      'The buyer and the Data Owner read this on the order and in an email. At most 1,000 characters.',
    );
    const csrf = await rosa.csrfFrom(`/orders/${reference}/cancel`);
    const none = await rosa.post(`/orders/${reference}/cancel`, { _csrf: csrf, reason: '  ' });
    expect(none.statusCode).toBe(422);
    expect(none.body).toMatch(/<title>Error: /);
    expect(textOf(none.body)).toContain(
      '<a href="#reason">Enter the reason for cancelling the order: the buyer will read it</a>',
    );
    const long = await rosa.post(`/orders/${reference}/cancel`, { _csrf: csrf, reason: 'x'.repeat(1001) });
    expect(long.statusCode).toBe(422);
    expect(long.body).toContain('The reason must be 1,000 characters or fewer');
    // What was typed is put back.
    expect(long.body).toContain('x'.repeat(1001));
    expect(await q.order(reference)).toMatchObject({ status: 'awaiting-approval', status_reason: null });
    expect((await q.mails(reference)).filter((mail) => mail.subject.includes('cancelled'))).toEqual([]);

    const reason = 'The department asked us to cancel it: the grant was not awarded';
    const cancelled = await rosa.post(`/orders/${reference}/cancel`, { _csrf: csrf, reason });
    expect(cancelled.statusCode).toBe(303);
    expect(await q.order(reference)).toMatchObject({ status: 'cancelled', status_reason: reason });
    const [audit] = (await q.audit(reference)).filter((entry) => entry.action === 'cancelled');
    expect(audit).toMatchObject({
      actor_label: 'rs501',
      entity_type: 'order',
      after: { status: 'cancelled', reason },
    });
    const [mail] = (await q.mails(reference)).filter((email) => email.subject === `Order ${reference} cancelled`);
    expect(mail?.to_addresses.sort()).toEqual(['ar101@cam.ac.uk', 'bm202@cam.ac.uk']);
    expect(mail?.text_body).toContain(`Rosa Storage cancelled order ${reference}`);
    expect(mail?.text_body).toContain(`Reason: ${reason}`);
    expect(textOf((await alice.get(`/orders/${reference}/`)).body)).toContain(`Reason: ${reason}`);
  });

  it('tells the service team when the customer cancels an order it has approved, and says so first', async () => {
    const alice = await as('ar101');
    const rosa = await as('rs501');
    // Cancelled before anyone approved it: the team has nothing to stop, and is not emailed.
    const early = await buy(alice, 'RDS', RDS_FOR_BEN, { method: 'finance-code', financeCode: 'PHAA.GAAA' });
    const earlyConfirm = await alice.get(`/orders/${early}/cancel`);
    expect(earlyConfirm.body).not.toContain('storage team');
    const earlyCsrf = await alice.csrfFrom(`/orders/${early}/cancel`);
    expect((await alice.post(`/orders/${early}/cancel`, { _csrf: earlyCsrf })).statusCode).toBe(303);
    expect((await q.mails(early)).map((mail) => mail.to_addresses.sort())).not.toContainEqual([
      'research-storage@example.ac.uk',
    ]);

    const reference = await buy(alice, 'RDS', RDS_FOR_BEN, { method: 'finance-code', financeCode: 'PHAA.GAAA' });
    expect((await decide(rosa, reference, 'approve')).statusCode).toBe(303);
    const orderPage = await alice.get(`/orders/${reference}/`);
    expect(orderPage.body).toContain(`href="/orders/${reference}/cancel"`);
    const confirm = await alice.get(`/orders/${reference}/cancel`);
    expect(textOf(confirm.body)).toContain(
      'Research storage has approved this order and may already be setting it up: we will email the storage team that it is cancelled.',
    );
    const csrf = await alice.csrfFrom(`/orders/${reference}/cancel`);
    const cancelled = await alice.post(`/orders/${reference}/cancel`, { _csrf: csrf });
    expect(cancelled.statusCode).toBe(303);
    expect((await alice.get(`/orders/${reference}/`)).body).toContain(
      `Order ${reference} cancelled. The storage team has been told.`,
    );
    // Cancelling it again, from a stale tab: the refusal leads back to the order.
    const again = await alice.post(`/orders/${reference}/cancel`, { _csrf: csrf });
    expect(again.statusCode).toBe(409);
    expect(again.body).toContain(`<a href="/orders/${reference}/">Go back to order ${reference}</a>`);
    const mails = (await q.mails(reference)).filter((mail) => mail.subject.includes('cancelled'));
    expect(mails.map((mail) => [mail.subject, mail.to_addresses.sort()])).toEqual([
      [`Order ${reference} cancelled`, ['ar101@cam.ac.uk', 'bm202@cam.ac.uk']],
      [`Order ${reference} cancelled after approval`, ['research-storage@example.ac.uk']],
    ]);
    expect(mails[0]?.text_body).toContain(
      `Alice Researcher cancelled order ${reference} (“Quantum imaging data”). Nothing will be charged for it.`,
    );
    const team = textOf(mails[1]?.text_body ?? '');
    expect(team).toContain(
      `Alice Researcher (ar101) cancelled order ${reference} (5 TB of Research Data Store, “Quantum imaging data”), which Rosa Storage approved on `,
    );
    expect(team).toContain('Do not set it up; if you have started, undo what you made.');
    expect(team).toContain(`/admin/orders/${reference}/`);
    // It has left the queue of orders to provision.
    const queue = await rosa.get('/admin/orders/?status=approved');
    expect(queue.body).not.toContain(`/admin/orders/${reference}/`);
  });

  it('answers an approval pressed twice as the first, and tells the same person "by you" when it was not a moment ago', async () => {
    const reference = await buy(await as('ar101'), 'RDS', RDS_FOR_BEN, {
      method: 'finance-code',
      financeCode: 'PHAA.GAAA',
    });
    const rosa = await as('rs501');
    const csrf = await rosa.csrfFrom('/storage/buy/RDS/');
    // Both at once, as a browser sends a double click: each lands on the order, told it is approved.
    const both = await Promise.all([1, 2].map(() => rosa.post(`/admin/orders/${reference}/approve`, { _csrf: csrf })));
    expect(both.map((answer) => answer.statusCode)).toEqual([303, 303]);
    expect(both.map((answer) => answer.headers.location)).toEqual([
      `/admin/orders/${reference}/`,
      `/admin/orders/${reference}/`,
    ]);
    const again = await decide(rosa, reference, 'approve');
    expect(again.statusCode).toBe(303);
    expect((await rosa.get(`/admin/orders/${reference}/`)).body).toContain(
      `Order ${reference} approved. The buyer and the Data Owner have been told by email.`,
    );
    expect((await q.audit(reference)).filter((entry) => entry.action === 'approved')).toHaveLength(1);
    expect((await q.mails(reference)).filter((mail) => mail.subject === `Order ${reference} approved`)).toHaveLength(1);
    // Someone else is told who approved it; Rosa rejecting it is told she approved it herself.
    expect((await decide(await as('su701'), reference, 'approve')).body).toContain(
      `Order ${reference} was already approved by Rosa Storage on`,
    );
    const reject = await decide(rosa, reference, 'reject', { reason: 'Changed my mind' });
    expect(reject.statusCode).toBe(409);
    expect(reject.body).toContain(`Order ${reference} was already approved by you on`);
    // The same approval a day later is no double click.
    await t.database.db
      .updateTable('orders')
      .set({ decided_at: sql`decided_at - interval '1 day'` })
      .where('reference', '=', reference)
      .execute();
    const later = await decide(rosa, reference, 'approve');
    expect(later.statusCode).toBe(409);
    expect(later.body).toMatch(
      new RegExp(`Order ${reference} was already approved by you on \\d+ \\w+ 20\\d\\d at \\d\\d:\\d\\d\\.`),
    );
    expect((await q.audit(reference)).filter((entry) => entry.action === 'approved')).toHaveLength(1);
  });

  it('answers a rejection pressed twice as the first; another reason, or another person, is told who rejected it', async () => {
    const alice = await as('ar101');
    const reference = await buy(alice, 'RDS', RDS_FOR_BEN, { method: 'finance-code', financeCode: 'PHAA.GAAA' });
    const rosa = await as('rs501');
    const reason = 'The department already has a share for this.';
    for (const _ of [1, 2]) {
      const rejected = await decide(rosa, reference, 'reject', { reason });
      expect(rejected.statusCode).toBe(303);
      expect(rejected.headers.location).toBe(`/admin/orders/${reference}/`);
      expect((await rosa.get(`/admin/orders/${reference}/`)).body).toContain(
        `Order ${reference} rejected. The buyer and the Data Owner have been told why by email.`,
      );
    }
    expect((await q.audit(reference)).filter((entry) => entry.action === 'rejected')).toHaveLength(1);
    expect(
      (await q.mails(reference)).filter((mail) => mail.subject === `Order ${reference} not approved`),
    ).toHaveLength(1);
    const otherReason = await decide(rosa, reference, 'reject', { reason: 'Another reason' });
    expect(otherReason.statusCode).toBe(409);
    expect(otherReason.body).toContain(`Order ${reference} was already rejected by you on`);
    const sam = await decide(await as('su701'), reference, 'reject', { reason });
    expect(sam.statusCode).toBe(409);
    expect(sam.body).toContain(`Order ${reference} was already rejected by Rosa Storage on`);

    // The buyer cancelling it now is told that the team did not approve it, as its page says.
    const cancel = await alice.post(`/orders/${reference}/cancel`, { _csrf: await alice.csrfFrom('/storage/') });
    expect(cancel.statusCode).toBe(409);
    expect(textOf(cancel.body)).toContain(
      `Order ${reference} can no longer be cancelled: the storage team did not approve it (its status is “Not approved”).`,
    );
    expect(cancel.body).not.toContain('it is not approved');
  });

  it('gives one approval and one clear conflict when two staff approve at the same moment', async () => {
    const reference = await buy(await as('ar101'), 'RDS', RDS_FOR_BEN, {
      method: 'finance-code',
      financeCode: 'PHAA.GAAA',
    });
    const rosa = await as('rs501', true);
    const sam = await as('su701', true);
    const [rosaCsrf, samCsrf] = [await rosa.csrfFrom('/storage/buy/RDS/'), await sam.csrfFrom('/storage/buy/RDS/')];
    const approveBoth = () =>
      Promise.all([
        rosa.post(`/admin/orders/${reference}/approve`, { _csrf: rosaCsrf }),
        sam.post(`/admin/orders/${reference}/approve`, { _csrf: samCsrf }),
      ]);
    let answers: Awaited<ReturnType<typeof approveBoth>>;
    if (testEngine === 'postgres') {
      // Make the race certain: hold the order's row while both requests read the order and reach
      // their decision, and let go only when both wait for it.
      const held = await t.database.db.transaction().execute(async (tx) => {
        await sql`SELECT id FROM orders WHERE reference = ${reference} FOR UPDATE`.execute(tx);
        const racing = approveBoth();
        const deadline = Date.now() + 10_000;
        for (;;) {
          const waiting = await sql<{ n: number }>`
            SELECT count(*)::int AS n FROM pg_stat_activity
             WHERE datname = current_database() AND wait_event_type = 'Lock'`.execute(t.database.db);
          if ((waiting.rows[0]?.n ?? 0) >= 2) break;
          if (Date.now() > deadline) throw new Error('the two approvals never both waited for the order');
          await new Promise((resolve) => setTimeout(resolve, 10));
        }
        // Handed out in an object: a promise returned from the callback would be awaited before the commit.
        return { racing };
      });
      answers = await held.racing;
    } else {
      // PGlite is one session: the two transactions run one after the other.
      answers = await approveBoth();
    }
    expect(answers.map((answer) => answer.statusCode).sort()).toEqual([303, 409]);
    const row = await q.order(reference);
    expect(row.status).toBe('approved');
    const winner = row.decided_by === 'rs501' ? 'Rosa Storage' : 'Sam Superuser';
    const conflict = answers.find((answer) => answer.statusCode === 409);
    expect(conflict?.body).toContain(`Order ${reference} was already approved by ${winner} on`);
    expect((await q.audit(reference)).filter((entry) => entry.action === 'approved')).toHaveLength(1);
    expect((await q.mails(reference)).filter((mail) => mail.subject === `Order ${reference} approved`)).toHaveLength(1);
  });
});

describe('re-checking a finance code from the back office', () => {
  let live: Awaited<ReturnType<typeof startCufs>>;
  let cufs: Awaited<ReturnType<typeof startSwitchableCufs>>;
  let t: TestApp;
  const as = browsersFor(() => t);
  const q = queries(() => t);

  beforeAll(async () => {
    live = await startCufs();
    cufs = await startSwitchableCufs(live.url, { up: true });
    t = await startTestApp({ env: { CUFS_URL: cufs.url } });
  });
  afterAll(async () => {
    await t?.close();
    await cufs?.close();
    await live?.close();
  });

  /** An order whose finance code CUFS could not check when it was bought. */
  async function buyWhileCufsIsDown(financeCode: string): Promise<string> {
    cufs.state.up = false;
    try {
      return await buy(await as('ar101'), 'RDS', RDS_FOR_BEN, { method: 'finance-code', financeCode });
    } finally {
      cufs.state.up = true;
    }
  }

  it('changes nothing while CUFS is down, and moves the order on to approval once CUFS says the code is open', async () => {
    const reference = await buyWhileCufsIsDown('PHAA.GAAA');
    expect(await q.order(reference)).toMatchObject({ status: 'awaiting-payment-check', check_status: 'pending' });
    const rosa = await as('rs501');
    const page = await rosa.get(`/admin/orders/${reference}/`);
    expect(page.body).toContain('Not yet checked: CUFS could not be reached');
    expect(page.body).toContain(`action="/admin/orders/${reference}/recheck"`);
    expect(page.body).not.toContain(`action="/admin/orders/${reference}/approve"`);
    expect(page.body).toContain(`action="/admin/orders/${reference}/reject"`);
    const early = await decide(rosa, reference, 'approve');
    expect(early.statusCode).toBe(409);
    expect(textOf(early.body)).toContain('is not waiting for approval: its status is “Checking payment details”.');

    // Finance may not re-check either.
    expect((await decide(await as('fn601'), reference, 'recheck')).statusCode).toBe(403);

    cufs.state.up = false;
    const down = await decide(rosa, reference, 'recheck');
    cufs.state.up = true;
    expect(down.statusCode).toBe(303);
    expect((await rosa.get(`/admin/orders/${reference}/`)).body).toContain(
      'CUFS could not be reached, so nothing has changed. Try again later.',
    );
    expect(await q.order(reference)).toMatchObject({
      status: 'awaiting-payment-check',
      check_status: 'pending',
      check_attempts: 0,
    });
    expect((await q.audit(reference)).map((entry) => entry.actor_label)).toEqual(['ar101']);

    const up = await decide(rosa, reference, 'recheck');
    expect(up.statusCode).toBe(303);
    expect((await rosa.get(`/admin/orders/${reference}/`)).body).toContain(
      `CUFS says the finance code PHAA.GAAA is open. Order ${reference} now waits for approval.`,
    );
    const checked = await q.order(reference);
    expect(checked).toMatchObject({ status: 'awaiting-approval', check_status: 'valid' });
    expect(checked.check_message).toContain('Physics: general');
    expect(
      (await q.audit(reference))
        .filter((entry) => entry.actor_label === 'rs501')
        .map((entry) => [entry.entity_type, entry.action]),
    ).toEqual([
      ['payment', 'finance code valid'],
      ['order', 'payment checked'],
    ]);
    expect((await q.mails(reference)).map((mail) => mail.subject)).toEqual([
      `Order ${reference} received`,
      `Order ${reference}: payment details checked`,
    ]);

    // Nothing left to re-check; the background check queued at submission finds nothing to do.
    expect((await decide(rosa, reference, 'recheck')).statusCode).toBe(409);
    await drainJobs(t.jobs);
    expect(await q.order(reference)).toEqual(checked);
    expect(await q.mails(reference)).toHaveLength(2);
    // And now it can be approved.
    expect((await decide(rosa, reference, 'approve')).statusCode).toBe(303);
  });

  it('records a refusal with its reason, telling the buyer once however often it is re-checked', async () => {
    // PHZX.GAAA is closed: with CUFS up the payment step refuses it, so it gets in only while CUFS is down.
    const reference = await buyWhileCufsIsDown('PHZX.GAAA');
    const rosa = await as('rs501');
    expect((await decide(rosa, reference, 'recheck')).statusCode).toBe(303);
    const refusal = 'This finance code cannot be used: Cost centre PHZX is closed.';
    expect((await rosa.get(`/admin/orders/${reference}/`)).body).toContain(
      `CUFS refused the finance code PHZX.GAAA: ${refusal}`,
    );
    expect(await q.order(reference)).toMatchObject({
      status: 'awaiting-payment-check',
      check_status: 'invalid',
      check_message: refusal,
    });
    const page = await rosa.get(`/admin/orders/${reference}/`);
    expect(page.body).toContain(`Refused by CUFS: ${refusal}`);
    expect(page.body).toContain(`action="/admin/orders/${reference}/recheck"`);
    const needsChanging = `Order ${reference}: the finance code needs changing`;
    expect((await q.mails(reference)).map((mail) => mail.subject)).toEqual([
      `Order ${reference} received`,
      needsChanging,
    ]);
    // The buyer is offered the form to give another code.
    expect((await (await as('ar101')).get(`/orders/${reference}/`)).body).toContain('Give another finance code');

    expect((await decide(rosa, reference, 'recheck')).statusCode).toBe(303);
    expect((await q.mails(reference)).filter((mail) => mail.subject === needsChanging)).toHaveLength(1);
    expect(
      (await q.audit(reference))
        .filter((entry) => entry.actor_label === 'rs501')
        .map((entry) => [entry.action, entry.before, entry.after]),
    ).toEqual([
      ['finance code refused', { checkStatus: 'pending' }, { checkStatus: 'invalid', message: refusal }],
      ['finance code refused', { checkStatus: 'invalid' }, { checkStatus: 'invalid', message: refusal }],
    ]);

    // Rejecting it from here works too: the buyer is told why.
    const rejected = await decide(rosa, reference, 'reject', { reason: 'No open finance code was given.' });
    expect(rejected.statusCode).toBe(303);
    expect(await q.order(reference)).toMatchObject({ status: 'rejected', licence_status: 'cancelled' });
  });
});
