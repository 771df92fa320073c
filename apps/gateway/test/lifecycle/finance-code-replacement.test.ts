import { parse } from 'csv-parse/sync';
import { type Kysely, sql } from 'kysely';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { up as keepReplacementCodes } from '../../src/migrations/0027_payment_replacement_codes.ts';
import { CUFS_DOWN_MESSAGE } from '../../src/modules/lifecycle/finance-code-replacement.service.ts';
import { financeCodeRecheckJob } from '../../src/modules/lifecycle/finance-recheck.jobs.ts';
import {
  activeFinanceCodes,
  closedBillingCode,
  flagClosedCode,
} from '../../src/modules/lifecycle/finance-recheck.repository.ts';
import { type Clock, fixedClock } from '../../src/platform/clock.ts';
import { startCufs, startSwitchableCufs } from '../support/cufs.ts';
import { drainJobs } from '../support/jobs.ts';
import { insertStorage, type StorageFixtureOptions } from '../support/storage-fixtures.ts';
import { Browser, startTestApp, type TestApp } from '../support/test-app.ts';

/**
 * Giving another finance code for a licence that the nightly re-check flagged for a closed one
 * (PHZX.GAAA in the live CUFS service's sample data): its Data Owner or a Data Manager on the
 * licence page, its service team in the back office. The new code is checked with CUFS; an open
 * one is what Finance bills from then on, the flag clears, the history says who changed what, the
 * owner, the team and Finance are told, and the next night's re-check finds nothing to flag.
 */
describe('another finance code for a closed one', () => {
  let t: TestApp;
  let cufs: Awaited<ReturnType<typeof startCufs>>;
  let cufsSwitch: Awaited<ReturnType<typeof startSwitchableCufs>>;
  let emails: Record<string, string>;
  let teamEmail: string;
  /** The nightly jobs run at 03:30 on this day; pages are used later the same day. */
  let day = '2026-11-27';
  const clock: Clock = {
    now: () => fixedClock(`${day}T10:00:00Z`).now(),
    today: () => fixedClock(`${day}T10:00:00Z`).today(),
  };

  // One CUFS service (behind a switch) for the whole file; a gateway on a fresh database per test.
  beforeAll(async () => {
    cufs = await startCufs();
    cufsSwitch = await startSwitchableCufs(cufs.url, { up: true });
  });
  afterAll(async () => {
    await cufsSwitch?.close();
    await cufs?.close();
  });

  beforeEach(async () => {
    day = '2026-11-27';
    cufsSwitch.state.up = true;
    t = await startTestApp({ clock, env: { CUFS_URL: cufsSwitch.url } });
    const rows = await t.database.db.selectFrom('people').select(['crsid', 'email']).execute();
    emails = Object.fromEntries(rows.map((row) => [row.crsid, row.email]));
    const team = await t.database.db
      .selectFrom('services')
      .select('team_email')
      .where('code', '=', 'research')
      .executeTakeFirstOrThrow();
    teamEmail = team.team_email;
  });
  afterEach(async () => {
    await t?.close();
  });

  /** An active licence whose completed order was paid by the closed PHZX.GAAA, flagged by a night's re-check. */
  async function flaggedLicence(options: Partial<StorageFixtureOptions> = {}) {
    const fixture = await insertStorage(t.database.db, {
      name: 'Alpha',
      owner: 'ar101',
      status: 'active',
      startDate: '2026-01-01',
      endDate: '2026-12-31',
      order: { status: 'completed' },
      ...options,
    });
    const orderId = fixture.order?.id ?? 0;
    await t.database.db
      .updateTable('payments')
      .set({ method: 'finance-code', finance_code: 'PHZX.GAAA', check_status: 'valid' })
      .where('order_id', '=', orderId)
      .execute();
    await runNight();
    expect((await openFlags()).map((flag) => flag.licence_id)).toContain(fixture.licenceId);
    return { id: fixture.licenceId, orderId, reference: fixture.order?.reference ?? '' };
  }

  async function runNight() {
    await t.jobs.queue.enqueue(t.database.db, financeCodeRecheckJob, {});
    await drainJobs(t.jobs);
  }

  const openFlags = () =>
    t.database.db
      .selectFrom('licence_flags')
      .select(['licence_id', 'kind', 'raised_on'])
      .where('cleared_on', 'is', null)
      .where('kind', '=', 'finance-code-closed')
      .orderBy('licence_id')
      .execute();

  const payment = (orderId: number) =>
    t.database.db
      .selectFrom('payments')
      .select(['finance_code', 'check_status', 'check_message'])
      .where('order_id', '=', orderId)
      .executeTakeFirstOrThrow();

  const outbox = (template: string) =>
    t.database.db
      .selectFrom('mail_outbox')
      .select(['to_addresses', 'subject', 'text_body'])
      .where('template', '=', template)
      .orderBy('id')
      .execute();

  const replacements = () =>
    t.database.db
      .selectFrom('audit_events')
      .select(['actor_label', 'entity_type', 'entity_id', 'licence_id', 'before', 'after'])
      .where('action', '=', 'finance code replaced')
      .execute();

  async function signedIn(crsid: string) {
    const browser = new Browser(t.app);
    await browser.signInAs(crsid);
    return browser;
  }

  async function give(browser: Browser, url: string, financeCode: string) {
    const _csrf = await browser.csrfFrom(url);
    return browser.post(`${url}finance-code`, { _csrf, financeCode });
  }

  it('the Data Owner gives an open code: billed from now on, flag cleared, history, emails; the next night flags nothing', async () => {
    const a = await flaggedLicence();
    const url = `/storage/licence/${a.id}/`;
    const alice = await signedIn('ar101');
    const page = await alice.get(url);
    expect(page.body).toContain('<h2 id="replace-finance-code">Give another finance code</h2>');
    expect(page.body).toContain('<label for="financeCode">New finance code</label>');
    expect(page.body).toContain(`action="${url}finance-code"`);

    // no CSRF token: refused, nothing changed
    const forged = await alice.post(`${url}finance-code`, { financeCode: 'PHAB.GAAA' });
    expect(forged.statusCode).toBe(403);

    // refused codes come back beside the field, with the error summary and what was typed
    const refusals: Array<[string, string]> = [
      ['', 'Enter the finance code that pays for the storage'],
      ['PHZX.GAAA', 'PHZX.GAAA is the finance code that has closed: give another one'],
      ['phzx gaab', 'This finance code cannot be used: Cost centre PHZX is closed.'],
      ['CHAB.GAAA', 'This finance code cannot be used:'],
      ['P.G', 'A GL code is a 4-character cost centre'],
    ];
    for (const [typed, message] of refusals) {
      const refused = await give(alice, url, typed);
      expect(refused.statusCode, typed).toBe(422);
      expect(refused.body).toContain('<title>Error: ');
      expect(refused.body).toContain('class="error-summary"');
      expect(refused.body).toContain(`<a href="#financeCode">${message}`);
      if (typed) expect(refused.body).toContain(`name="financeCode" value="${typed}"`);
    }
    expect(await payment(a.orderId)).toMatchObject({ finance_code: 'PHZX.GAAA' });
    expect(await openFlags()).toHaveLength(1);

    const done = await give(alice, url, ' phab.gaaa ');
    expect(done.statusCode).toBe(303);
    expect(done.headers.location).toBe(url);
    const after = await alice.get(url);
    expect(after.body).toContain('Finance code PHAB.GAAA now pays for this licence instead of PHZX.GAAA.');
    expect(after.body).not.toContain('replace-finance-code');
    expect(after.body).not.toContain('role="status">The finance code PHZX.GAAA has closed');

    // No billing file has held the order yet: it is billed to the new code, its payment takes it.
    expect(await payment(a.orderId)).toEqual({
      finance_code: 'PHAB.GAAA',
      check_status: 'valid',
      check_message: 'Physics: research computing · Department of Physics · External trading',
    });
    expect(await openFlags()).toEqual([]);
    const cleared = await t.database.db.selectFrom('licence_flags').select(['raised_on', 'cleared_on']).execute();
    expect(cleared).toEqual([{ raised_on: '2026-11-27', cleared_on: '2026-11-27' }]);
    expect(await replacements()).toEqual([
      {
        actor_label: 'ar101',
        entity_type: 'payment',
        entity_id: a.reference,
        licence_id: a.id,
        before: { financeCode: 'PHZX.GAAA', flag: expect.stringMatching(/^The finance code PHZX\.GAAA has closed/) },
        after: { financeCode: 'PHAB.GAAA', checked: expect.stringContaining('Physics'), asOf: '2026-11-27' },
      },
    ]);

    const mail = await outbox('finance-code-replaced');
    expect(mail.map((m) => m.to_addresses)).toEqual([[emails.ar101], [teamEmail, emails.fn601]]);
    expect(mail[0]?.subject).toBe('Finance code PHAB.GAAA now pays for your storage');
    expect(mail[0]?.text_body).toContain('replaced the closed finance code PHZX.GAAA with PHAB.GAAA');
    expect(mail[0]?.text_body).toContain(`/storage/licence/${a.id}/`);
    expect(mail[1]?.subject).toBe('Finance code replaced for “Alpha”: PHZX.GAAA is now PHAB.GAAA');
    expect(mail[1]?.text_body).toContain(`order ${a.reference} is now billed to PHAB.GAAA`);
    expect(mail[1]?.text_body).toContain(`/admin/licences/${a.id}/`);

    // the same form sent again (the button pressed twice): nothing to replace any more
    expect(
      (await alice.post(`${url}finance-code`, { _csrf: await alice.csrfFrom(url), financeCode: 'PHAA.GAAA' }))
        .statusCode,
    ).toBe(409);
    expect(await payment(a.orderId)).toMatchObject({ finance_code: 'PHAB.GAAA' });

    // the next night re-checks PHAB.GAAA, open: no flag, nobody told of a closed code again
    const closedMails = (await outbox('finance-code-closed')).length;
    day = '2026-11-28';
    await runNight();
    expect(await openFlags()).toEqual([]);
    expect(await outbox('finance-code-closed')).toHaveLength(closedMails);
    expect(await outbox('finance-code-replaced')).toHaveLength(2);
  });

  it('an order already in a billing export keeps the code it was billed with; the new code pays for the licence from now on', async () => {
    const a = await flaggedLicence();
    // Completed in October, and billed: Finance downloaded October's file, with the code it had.
    await t.database.db
      .updateTable('orders')
      .set({ updated_at: new Date('2026-10-15T12:00:00Z') })
      .where('id', '=', a.orderId)
      .execute();
    const october = '/admin/billing/orders.csv?from=2026-10-01&to=2026-10-31';
    const finance = await signedIn('fn601');
    // Downloads that did not hold it: the other service's October, and November.
    const ifs = await signedIn('if502');
    expect((await ifs.get(october)).statusCode).toBe(200);
    expect((await finance.get('/admin/billing/orders.csv?from=2026-11-01&to=2026-11-30')).statusCode).toBe(200);
    const billed = await finance.get(october);
    expect(billed.statusCode).toBe(200);
    const billedRows = parse(billed.body, { bom: true, columns: true }) as Record<string, string>[];
    expect(billedRows.map((row) => [row['Order reference'], row['Finance code']])).toEqual([
      [a.reference, 'PHZX.GAAA'],
    ]);

    const url = `/storage/licence/${a.id}/`;
    const alice = await signedIn('ar101');
    const done = await give(alice, url, 'PHAB.GAAA');
    expect(done.statusCode).toBe(303);
    const after = await alice.get(url);
    expect(after.body).toContain('Finance code PHAB.GAAA now pays for this licence instead of PHZX.GAAA.');
    expect(after.body).not.toContain('replace-finance-code');
    expect(await openFlags()).toEqual([]);

    // The billed order's payment keeps the code it was billed with: the file for October is the same.
    expect(await payment(a.orderId)).toMatchObject({ finance_code: 'PHZX.GAAA', check_status: 'valid' });
    expect((await finance.get(october)).body).toBe(billed.body);
    // The licence is paid by the new code from now on: what the re-check reads, and what a
    // replacement would replace if it closed too.
    expect(await activeFinanceCodes(t.database.db)).toEqual(['PHAB.GAAA']);
    expect(await closedBillingCode(t.database.db, a.id)).toBeUndefined();
    // The history (the licence's and the order's) records the replacement.
    expect(await replacements()).toEqual([
      {
        actor_label: 'ar101',
        entity_type: 'payment',
        entity_id: a.reference,
        licence_id: a.id,
        before: { financeCode: 'PHZX.GAAA', flag: expect.stringMatching(/^The finance code PHZX\.GAAA has closed/) },
        after: { financeCode: 'PHAB.GAAA', checked: expect.stringContaining('Physics'), asOf: '2026-11-27' },
      },
    ]);
    expect(after.body).toContain('PHAB.GAAA');
    const rosa = await signedIn('rs501');
    const orderPage = await rosa.get(`/admin/orders/${a.reference}/`);
    expect(orderPage.body).toContain('PHAB.GAAA');

    // Finance and the team are told the billed order keeps its code, and that the new one pays from now on.
    const mail = await outbox('finance-code-replaced');
    expect(mail.map((m) => m.to_addresses)).toEqual([[emails.ar101], [teamEmail, emails.fn601]]);
    expect(mail[1]?.text_body).not.toContain('is now billed to');
    expect(mail[1]?.text_body).toContain(
      `Order ${a.reference} was billed to PHZX.GAAA in a billing export already and keeps that code: a billed charge does not change, and a correction is a new line. PHAB.GAAA pays for the licence from now on`,
    );

    // The next night re-checks PHAB.GAAA, open: the licence is not flagged for PHZX.GAAA again.
    const closedMails = (await outbox('finance-code-closed')).length;
    day = '2026-11-28';
    await runNight();
    expect(await openFlags()).toEqual([]);
    expect(await outbox('finance-code-closed')).toHaveLength(closedMails);

    // Should the new code close in turn, it is the one flagged and replaced; the billed payment keeps its own.
    await flagClosedCode(t.database.db, 'PHAB.GAAA', 'The finance code PHAB.GAAA has closed: test', day);
    expect(await closedBillingCode(t.database.db, a.id)).toMatchObject({
      orderId: a.orderId,
      financeCode: 'PHAB.GAAA',
      paymentCode: 'PHZX.GAAA',
    });
    expect((await give(alice, url, 'PHAA.GAAA')).statusCode).toBe(303);
    expect(await openFlags()).toEqual([]);
    expect(await payment(a.orderId)).toMatchObject({ finance_code: 'PHZX.GAAA' });
    expect(await activeFinanceCodes(t.database.db)).toEqual(['PHAA.GAAA']);
    expect((await replacements()).map((row) => [row.before?.financeCode, row.after?.financeCode])).toEqual([
      ['PHZX.GAAA', 'PHAB.GAAA'],
      ['PHAB.GAAA', 'PHAA.GAAA'],
    ]);
    expect((await outbox('finance-code-replaced'))[3]?.text_body).toContain(
      `Order ${a.reference} was billed to PHZX.GAAA in a billing export already and keeps that code`,
    );
    expect((await finance.get(october)).body).toBe(billed.body);

    // Replacements made before migration 0027 kept the code only in the history: it fills the column from it.
    await sql`ALTER TABLE payments DROP COLUMN replaced_by_code`.execute(t.database.db);
    await keepReplacementCodes(t.database.db as unknown as Kysely<unknown>);
    expect(await activeFinanceCodes(t.database.db)).toEqual(['PHAA.GAAA']);
    expect(await payment(a.orderId)).toMatchObject({ finance_code: 'PHZX.GAAA' });
  });

  it('CUFS unavailable: a clear message, the code kept in the field, nothing changed', async () => {
    const a = await flaggedLicence();
    const url = `/storage/licence/${a.id}/`;
    const alice = await signedIn('ar101');
    const _csrf = await alice.csrfFrom(url);
    cufsSwitch.state.up = false;
    const refused = await alice.post(`${url}finance-code`, { _csrf, financeCode: 'GEAA.GAAA' });
    expect(refused.statusCode).toBe(422);
    expect(refused.body).toContain(`<a href="#financeCode">${CUFS_DOWN_MESSAGE}</a>`);
    expect(refused.body).toContain('name="financeCode" value="GEAA.GAAA"');
    expect(await payment(a.orderId)).toMatchObject({ finance_code: 'PHZX.GAAA' });
    expect(await openFlags()).toHaveLength(1);
    expect(await replacements()).toEqual([]);
    expect(await outbox('finance-code-replaced')).toEqual([]);
  });

  it('a Data Manager may give it; nobody else may, not even on a licence of their own', async () => {
    const a = await flaggedLicence({
      managers: ['bm202'],
      projects: [
        {
          name: 'alpha-data',
          quotaTb: 5,
          status: 'active',
          members: [{ crsid: 'cb404', role: 'project-data-manager' }],
        },
      ],
    });
    const url = `/storage/licence/${a.id}/`;

    // someone with no place on it: the licence is not found, whatever they send
    const dan = await signedIn('da303');
    await insertStorage(t.database.db, {
      name: 'Dan’s',
      owner: 'da303',
      status: 'active',
      order: { status: 'completed' },
    });
    const danCsrf = await dan.csrfFrom('/storage/');
    const outsider = await dan.post(`${url}finance-code`, { _csrf: danCsrf, financeCode: 'PHAB.GAAA' });
    expect(outsider.statusCode).toBe(404);
    // a Project Data Manager sees the licence, without the form, and may not give a code
    const carol = await signedIn('cb404');
    const carolPage = await carol.get(url);
    expect(carolPage.body).not.toContain('replace-finance-code');
    const member = await carol.post(`${url}finance-code`, {
      _csrf: await carol.csrfFrom(url),
      financeCode: 'PHAB.GAAA',
    });
    expect(member.statusCode).toBe(403);
    // the other service's team and Finance may not give it in the back office
    for (const crsid of ['if502', 'fn601']) {
      const staff = await signedIn(crsid);
      const refused = await staff.post(`/admin/licences/${a.id}/finance-code`, {
        _csrf: await staff.csrfFrom('/admin/'),
        financeCode: 'PHAB.GAAA',
      });
      expect(refused.statusCode, crsid).toBe(403);
    }
    expect(await payment(a.orderId)).toMatchObject({ finance_code: 'PHZX.GAAA' });
    expect(await openFlags()).toHaveLength(1);

    // a Data Manager may: the owner and the manager are told, the team and Finance too
    const ben = await signedIn('bm202');
    expect((await ben.get(url)).body).toContain('replace-finance-code');
    expect((await give(ben, url, 'PHAA.GAAA')).statusCode).toBe(303);
    expect(await payment(a.orderId)).toMatchObject({ finance_code: 'PHAA.GAAA' });
    expect(await openFlags()).toEqual([]);
    expect((await replacements()).map((row) => row.actor_label)).toEqual(['bm202']);
    expect((await outbox('finance-code-replaced')).map((m) => m.to_addresses)).toEqual([
      [emails.ar101, emails.bm202],
      [teamEmail, emails.fn601],
    ]);
  });

  it('a locked licence keeps its code until it is unlocked', async () => {
    const a = await flaggedLicence();
    const url = `/storage/licence/${a.id}/`;
    const alice = await signedIn('ar101');
    const _csrf = await alice.csrfFrom(url);
    await t.database.db
      .updateTable('licences')
      .set({ locked_at: new Date(), lock_reason: 'audit' })
      .where('id', '=', a.id)
      .execute();
    expect((await alice.get(url)).body).not.toContain('replace-finance-code');
    const refused = await alice.post(`${url}finance-code`, { _csrf, financeCode: 'PHAB.GAAA' });
    expect(refused.statusCode).toBe(409);
    expect(refused.body).toContain('This licence is locked by the storage team');
    expect(await payment(a.orderId)).toMatchObject({ finance_code: 'PHZX.GAAA' });
  });

  it('the service team gives it in the back office; a Data Owner who has left is not emailed, its current Data Managers are', async () => {
    await t.database.db
      .insertInto('people')
      .values([
        { crsid: 'gl909', display_name: 'Gina Leaver', email: 'gl909@cam.ac.uk', status: 'left' },
        { crsid: 'ml808', display_name: 'Max Left', email: 'ml808@cam.ac.uk', status: 'left' },
      ])
      .execute();
    const a = await flaggedLicence({ name: 'Orphan', owner: 'gl909', managers: ['ml808', 'bm202'] });
    const url = `/admin/licences/${a.id}/`;
    const rosa = await signedIn('rs501');
    const page = await rosa.get(url);
    expect(page.body).toContain('<h2 id="replace-finance-code">Give another finance code</h2>');
    expect(page.body).toContain(`action="${url}finance-code"`);

    const refused = await give(rosa, url, 'PHZX.GAAA');
    expect(refused.statusCode).toBe(422);
    expect(refused.body).toContain('<a href="#financeCode">PHZX.GAAA is the finance code that has closed');
    expect(refused.body).toContain('name="financeCode" value="PHZX.GAAA"');

    const done = await give(rosa, url, 'RG94772 / PHAG0042 / 1.1');
    expect(done.statusCode).toBe(303);
    expect(done.headers.location).toBe(url);
    const after = await rosa.get(url);
    expect(after.body).toContain('now pays for this licence instead of PHZX.GAAA');
    expect(after.body).not.toContain('Finance code closed</strong>');
    expect(await openFlags()).toEqual([]);
    expect((await replacements()).map((row) => [row.actor_label, row.after])).toEqual([
      ['rs501', expect.objectContaining({ financeCode: 'RG94772 / PHAG0042 / 1.1' })],
    ]);
    const mail = await outbox('finance-code-replaced');
    expect(mail.map((m) => m.to_addresses)).toEqual([[emails.bm202], [teamEmail, emails.fn601]]);
    expect(mail[0]?.subject).toContain('Finance code RG94772 / PHAG0042 / 1.1 now pays for your storage');
    expect(mail[0]?.text_body).toContain('Rosa');
    expect(mail[0]?.text_body).toContain(
      'You are told as a Data Manager: its Data Owner, Gina Leaver, has left the University.',
    );
    expect(mail[1]?.text_body).toContain('Rosa');
  });
});
