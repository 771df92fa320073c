import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LicenceStatus } from '../../src/modules/licences/licences.tables.ts';
import {
  financeCodeRecheckJob,
  recheckLicenceFinanceCodeJob,
} from '../../src/modules/lifecycle/finance-recheck.jobs.ts';
import { CufsUnavailableError, recheckFinanceCode } from '../../src/modules/lifecycle/finance-recheck.service.ts';
import type { FinanceCodeCheck } from '../../src/modules/payments/cufs-client.ts';
import type { FinanceCodeChecker } from '../../src/modules/payments/finance-code-check.ts';
import { fixedClock } from '../../src/platform/clock.ts';
import { siteLinks } from '../../src/platform/config.ts';
import { PG_BOSS_SCHEMA } from '../../src/platform/jobs/pg-boss-queue.ts';
import { DEAD_CUFS_URL, startTestAppWithCufs } from '../support/cufs.ts';
import { drainJobs } from '../support/jobs.ts';
import { insertStorage, personIdOf } from '../support/storage-fixtures.ts';
import { Browser, startTestApp, type TestApp } from '../support/test-app.ts';

/**
 * The nightly re-check of the finance codes of active licences, against the live CUFS service:
 * one job per distinct code, a closed code (PHZX.GAAA) flags the licences it pays for and tells
 * each Data Owner and Finance once, a second night changes and sends nothing, and a code valid
 * again clears the flags.
 */
describe('nightly finance code re-check', () => {
  let t: TestApp;
  let emails: Record<string, string>;

  beforeEach(async () => {
    t = await startTestAppWithCufs({ clock: fixedClock('2026-11-27T03:30:00Z') });
    const rows = await t.database.db.selectFrom('people').select(['crsid', 'email']).execute();
    emails = Object.fromEntries(rows.map((row) => [row.crsid, row.email]));
  });
  afterEach(async () => {
    await t.close();
  });

  /** An active licence whose completed order was paid by `code`. */
  async function licence(name: string, owner: string, code: string, status: LicenceStatus = 'active') {
    const fixture = await insertStorage(t.database.db, {
      name,
      owner,
      status,
      startDate: '2026-01-01',
      endDate: '2026-12-31',
      order: { status: 'completed' },
    });
    await payWith(fixture.order?.id ?? 0, code);
    return fixture.licenceId;
  }

  async function payWith(orderId: number, code: string, method: 'finance-code' | 'voucher' = 'finance-code') {
    await t.database.db
      .updateTable('payments')
      .set({ finance_code: method === 'finance-code' ? code : null, method })
      .where('order_id', '=', orderId)
      .execute();
  }

  /** A later completed order for the licence (a renewal), paid by `code`. */
  async function renewWith(licenceId: number, code: string, method: 'finance-code' | 'voucher' = 'finance-code') {
    const order = await t.database.db
      .selectFrom('orders')
      .selectAll()
      .where('licence_id', '=', licenceId)
      .executeTakeFirstOrThrow();
    const { id: _id, reference: _reference, decided_by_person_id, decided_at, updated_at, ...rest } = order;
    const renewal = await t.database.db
      .insertInto('orders')
      .values({
        ...rest,
        kind: 'renewal',
        submission_key: crypto.randomUUID(),
        submitted_at: new Date(order.submitted_at.getTime() + 86_400_000),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const voucherId =
      method === 'voucher'
        ? (
            await t.database.db
              .insertInto('vouchers')
              .values({
                code: `TEST-${renewal.id}`,
                product_code: 'RDS',
                size_tb: 5,
                institution_id: null,
                expires_on: null,
                redeemed_at: new Date('2026-11-01'),
                revoked_at: null,
              })
              .returning('id')
              .executeTakeFirstOrThrow()
          ).id
        : null;
    await t.database.db
      .insertInto('payments')
      .values({
        order_id: renewal.id,
        method,
        finance_code: method === 'finance-code' ? code : null,
        po_number: null,
        po_document_id: null,
        voucher_id: voucherId,
        check_status: 'valid',
        check_message: null,
        checked_at: new Date('2026-11-01'),
      })
      .execute();
  }

  const openFlags = () =>
    t.database.db
      .selectFrom('licence_flags')
      .select(['id', 'licence_id', 'kind', 'detail', 'raised_on', 'cleared_on'])
      .where('cleared_on', 'is', null)
      .orderBy('licence_id')
      .execute();

  const outbox = () =>
    t.database.db
      .selectFrom('mail_outbox')
      .select(['to_addresses', 'subject', 'text_body'])
      .where('template', '=', 'finance-code-closed')
      .orderBy('id')
      .execute();

  async function runNight() {
    await t.jobs.queue.enqueue(t.database.db, financeCodeRecheckJob, {});
    await drainJobs(t.jobs);
  }

  async function recheckJobs() {
    const boss = t.jobs.boss;
    if (!boss) throw new Error('needs pg-boss');
    const { rows } = await boss
      .getDb()
      .executeSql(
        `SELECT data FROM ${PG_BOSS_SCHEMA}.job WHERE name = 'recheck-licence-finance-code' ORDER BY data->>'financeCode'`,
        [],
      );
    return (rows as { data: { financeCode: string; asOf: string } }[]).map((row) => row.data);
  }

  it('flags the active licences of a closed code and tells each owner and Finance once', async () => {
    const a = await licence('Alpha', 'ar101', 'PHZX.GAAA');
    const b = await licence('Beta', 'ar101', 'PHZX.GAAA');
    const c = await licence('Gamma', 'bm202', 'PHZX.GAAA');
    const valid = await licence('Valid', 'da303', 'PHAA.GAAA');
    await licence('Suspended', 'cb404', 'PHZX.GAAA', 'suspended');
    // renewed with an open code: the latest completed order counts
    const renewed = await licence('Renewed', 'bm202', 'PHZX.GAAA');
    await renewWith(renewed, 'PHAA.GAAA');
    // renewed with a voucher: no finance code to check
    const voucher = await licence('Voucher', 'bm202', 'PHZX.GAAA');
    await renewWith(voucher, '', 'voucher');

    await runNight();
    // one job per distinct code, not per licence
    expect(await recheckJobs()).toEqual([
      { financeCode: 'PHAA.GAAA', asOf: '2026-11-27' },
      { financeCode: 'PHZX.GAAA', asOf: '2026-11-27' },
    ]);
    const flags = await openFlags();
    expect(flags.map((flag) => flag.licence_id)).toEqual([a, b, c]);
    expect(flags.every((flag) => flag.kind === 'finance-code-closed' && flag.raised_on === '2026-11-27')).toBe(true);
    expect(flags[0]?.detail).toMatch(/^The finance code PHZX\.GAAA has closed: .+/);
    expect(flags.map((flag) => flag.licence_id)).not.toContain(valid);

    const mail = await outbox();
    expect(mail.map((m) => m.to_addresses)).toEqual([[emails.ar101], [emails.bm202], [emails.fn601]]);
    expect(mail[0]?.text_body).toContain('“Alpha”');
    expect(mail[0]?.text_body).toContain('“Beta”');
    expect(mail[0]?.text_body).toContain(`/storage/licence/${a}/`);
    expect(mail[1]?.text_body).toContain('“Gamma”');
    expect(mail[1]?.text_body).not.toContain('“Renewed”');
    expect(mail[2]?.subject).toBe('Finance code PHZX.GAAA has closed: 3 storage licences');
    for (const id of [a, b, c]) expect(mail[2]?.text_body).toContain(`/admin/licences/${id}/`);

    const audit = await t.database.db
      .selectFrom('audit_events')
      .select(['licence_id', 'action'])
      .where('actor_label', '=', 'system: finance code re-check')
      .orderBy('licence_id')
      .execute();
    expect(audit).toEqual([a, b, c].map((id) => ({ licence_id: id, action: 'flagged: finance code closed' })));

    // the next night: the same flags, nothing sent
    await runNight();
    expect(await openFlags()).toEqual(flags);
    expect(await outbox()).toHaveLength(3);
  });

  it('clears the flags when the code is valid again; CUFS unavailable throws and changes nothing', async () => {
    const a = await licence('Alpha', 'ar101', 'PHZX.GAAA');
    await runNight();
    expect((await openFlags()).map((flag) => flag.licence_id)).toEqual([a]);

    // the owner's licence page warns; the back office shows the flag
    const owner = new Browser(t.app);
    await owner.signInAs('ar101');
    const staff = new Browser(t.app);
    await staff.signInAs('rs501');
    const warning = `The finance code PHZX.GAAA has closed: `;
    const ownerPage = await owner.get(`/storage/licence/${a}/`);
    expect(ownerPage.statusCode).toBe(200);
    // the Data Owner may give another code there (finance-code-replacement.test.ts)
    expect(ownerPage.body).toMatch(
      new RegExp(`<h2 id="replace-finance-code">Give another finance code</h2><p role="status">${warning}[^<]+</p>`),
    );
    const adminPage = await staff.get(`/admin/licences/${a}/`);
    expect(adminPage.statusCode).toBe(200);
    expect(adminPage.body).toContain('Finance code closed</strong>');
    expect(adminPage.body).toContain(warning);

    const answering = (check: FinanceCodeCheck): FinanceCodeChecker => ({
      checkGlCode: async () => check,
      checkGrant: async () => check,
    });
    const down = answering({ outcome: 'unavailable', cause: 'network' });
    const site = siteLinks(t.config);
    await expect(
      recheckFinanceCode(t.database.db, t.jobs.queue, down, 'PHZX.GAAA', '2026-11-28', site),
    ).rejects.toBeInstanceOf(CufsUnavailableError);
    expect(await openFlags()).toHaveLength(1);

    const open = answering({
      outcome: 'valid',
      code: { kind: 'gl', costCentre: 'PHZX', sourceOfFunds: 'GAAA', transactionCode: null },
      names: ['Physics: reopened'],
      validFrom: '2026-11-28',
      validTo: null,
    });
    const result = await recheckFinanceCode(t.database.db, t.jobs.queue, open, 'PHZX.GAAA', '2026-11-28', site);
    expect(result).toEqual({ outcome: 'cleared', licences: 1 });
    expect(await openFlags()).toEqual([]);
    expect((await owner.get(`/storage/licence/${a}/`)).body).not.toContain(`role="status">${warning}`);
    // No flag shown (the history above still tells of the one cleared).
    const staffPage = (await staff.get(`/admin/licences/${a}/`)).body;
    expect(staffPage.split('id="history"')[0]).not.toContain('Finance code closed');
    expect(staffPage).toContain('flag: Finance code closed → none');
    const cleared = await t.database.db.selectFrom('licence_flags').select(['cleared_on']).execute();
    expect(cleared).toEqual([{ cleared_on: '2026-11-28' }]);
    expect(await recheckFinanceCode(t.database.db, t.jobs.queue, open, 'PHZX.GAAA', '2026-11-29', site)).toEqual({
      outcome: 'cleared',
      licences: 0,
    });

    // closed once more (the live CUFS): a new flag, and its people told again
    await runNight();
    expect((await openFlags()).map((flag) => flag.licence_id)).toEqual([a]);
    expect(await outbox()).toHaveLength(4);
  });

  it('clears the flag of a licence renewed with a voucher or purchase order: no longer paid by the closed code', async () => {
    const a = await licence('Alpha', 'ar101', 'PHZX.GAAA');
    const b = await licence('Beta', 'bm202', 'PHZX.GAAA');
    await runNight();
    expect((await openFlags()).map((flag) => flag.licence_id)).toEqual([a, b]);

    // Alpha is renewed with a voucher: the next night clears its flag (audited), Beta's stays
    await renewWith(a, '', 'voucher');
    await runNight();
    expect((await openFlags()).map((flag) => flag.licence_id)).toEqual([b]);
    const cleared = await t.database.db
      .selectFrom('audit_events')
      .select(['licence_id', 'action'])
      .where('action', 'like', 'flag cleared%')
      .execute();
    expect(cleared).toEqual([{ licence_id: a, action: 'flag cleared: no longer paid by a finance code' }]);
    expect(await outbox()).toHaveLength(3); // the first night's: Alice, Ben, Finance; nothing since
    await runNight();
    expect(
      await t.database.db.selectFrom('audit_events').select('id').where('action', 'like', 'flag cleared%').execute(),
    ).toHaveLength(1);
  });

  it('clears the flag of a licence that has ended (cancelled or deleted): its page no longer asks for a code', async () => {
    const cancelled = await licence('Cancelled', 'ar101', 'PHZX.GAAA');
    const deleted = await licence('Deleted', 'ar101', 'PHZX.GAAA');
    const running = await licence('Running', 'ar101', 'PHZX.GAAA');
    await runNight();
    expect((await openFlags()).map((flag) => flag.licence_id)).toEqual([cancelled, deleted, running]);

    // a cancellation completed; a licence that expired and whose deletion the team confirmed
    await t.database.db.updateTable('licences').set({ status: 'cancelled' }).where('id', '=', cancelled).execute();
    await t.database.db.updateTable('licences').set({ status: 'deleted' }).where('id', '=', deleted).execute();
    await runNight();
    expect((await openFlags()).map((flag) => flag.licence_id)).toEqual([running]);
    const cleared = await t.database.db
      .selectFrom('audit_events')
      .select(['licence_id', 'action'])
      .where('action', 'like', 'flag cleared%')
      .orderBy('licence_id')
      .execute();
    expect(cleared).toEqual([
      { licence_id: cancelled, action: 'flag cleared: the licence has ended' },
      { licence_id: deleted, action: 'flag cleared: the licence has ended' },
    ]);
    const owner = new Browser(t.app);
    await owner.signInAs('ar101');
    for (const id of [cancelled, deleted]) {
      const page = await owner.get(`/storage/licence/${id}/`);
      expect(page.statusCode).toBe(200);
      expect(page.body).not.toContain('Give another finance code');
    }
    expect((await owner.get(`/storage/licence/${running}/`)).body).toContain('Give another finance code');
    expect(await outbox()).toHaveLength(2); // the first night's: Alice, Finance; nothing since
  });

  it('tells Finance, not a Data Owner who has left the University', async () => {
    await t.database.db
      .insertInto('people')
      .values({ crsid: 'gl909', display_name: 'Gina Leaver', email: 'gl909@cam.ac.uk', status: 'left' })
      .execute();
    const gone = await licence('Orphan', 'gl909', 'PHZX.GAAA');
    await runNight();
    expect((await openFlags()).map((flag) => flag.licence_id)).toEqual([gone]);
    const mail = await outbox();
    expect(mail.map((m) => m.to_addresses)).toEqual([[emails.fn601]]);
    expect(mail[0]?.text_body).toContain(
      '“Orphan”, owned by Gina Leaver (gl909@cam.ac.uk), who has left the University',
    );
  });

  it('tells the current Data Managers of a licence whose Data Owner has left, once each, with their own licences', async () => {
    await t.database.db
      .insertInto('people')
      .values({ crsid: 'gl909', display_name: 'Gina Leaver', email: 'gl909@cam.ac.uk', status: 'left' })
      .execute();
    // Ben (bm202) owns one licence and manages the orphan; Dr Chemistry (da303) manages it too, but has left
    const orphan = await licence('Orphan', 'gl909', 'PHZX.GAAA');
    const bens = await licence('Ben’s own', 'bm202', 'PHZX.GAAA');
    const unmanaged = await licence('Nobody left', 'gl909', 'PHZX.GAAA');
    await t.database.db
      .insertInto('licence_managers')
      .values([
        { licence_id: orphan, person_id: await personIdOf(t.database.db, 'bm202') },
        { licence_id: orphan, person_id: await personIdOf(t.database.db, 'da303') },
      ])
      .execute();
    await t.database.db.updateTable('people').set({ status: 'left' }).where('crsid', '=', 'da303').execute();
    await runNight();
    expect((await openFlags()).map((flag) => flag.licence_id)).toEqual([orphan, bens, unmanaged]);
    const mail = await outbox();
    expect(mail.map((m) => m.to_addresses)).toEqual([[emails.bm202], [emails.fn601]]);
    const ben = mail[0]?.text_body ?? '';
    expect(ben).toContain('It pays for these 2 storage licences you look after:');
    expect(ben).toContain('“Ben’s own”');
    expect(ben).toContain('“Orphan” (you are told as a Data Manager: its Data Owner has left the University)');
    expect(ben).not.toContain('Nobody left');
    const finance = mail[1]?.text_body ?? '';
    expect(finance).toContain(
      'each Data Owner has been told, or, where the Data Owner has left the University, its Data Managers:',
    );
    expect(finance).toContain(
      '“Orphan”, owned by Gina Leaver (gl909@cam.ac.uk), who has left the University; told instead: Ben',
    );
    expect(finance).toContain(
      '“Nobody left”, owned by Gina Leaver (gl909@cam.ac.uk), who has left the University; no Data Manager to tell',
    );
    // a second night tells nobody again
    await runNight();
    expect(await outbox()).toHaveLength(2);
  });

  it('a per-code job whose CUFS is down fails and is left for the queue to retry, changing nothing', async () => {
    await t.close();
    t = await startTestApp({ clock: fixedClock('2026-11-27T03:30:00Z'), env: { CUFS_URL: DEAD_CUFS_URL } });
    await licence('Alpha', 'ar101', 'PHZX.GAAA');
    await t.jobs.queue.enqueue(t.database.db, recheckLicenceFinanceCodeJob, {
      financeCode: 'PHZX.GAAA',
      asOf: '2026-11-27',
    });
    await drainJobs(t.jobs, { timeoutMs: 30_000 });
    const boss = t.jobs.boss;
    if (!boss) throw new Error('needs pg-boss');
    const { rows } = await boss
      .getDb()
      .executeSql(
        `SELECT state, retry_count FROM ${PG_BOSS_SCHEMA}.job WHERE name = 'recheck-licence-finance-code'`,
        [],
      );
    expect(rows).toEqual([{ state: 'retry', retry_count: 0 }]); // failed once, waiting for its retry
    expect(await openFlags()).toEqual([]);
    expect(await outbox()).toEqual([]);
  });
});
