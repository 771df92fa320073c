import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminLicencePath } from '../../src/modules/licences/licences.admin.views.tsx';
import { runNightlyLifecycle } from '../../src/modules/lifecycle/lifecycle.service.ts';
import { DEFAULT_LIFECYCLE_SETTINGS } from '../../src/modules/lifecycle/lifecycle-dates.ts';
import { auditRows, expectFieldError, flashOf, people } from '../admin/manage-support.ts';
import { insertOrder, insertStorage } from '../support/storage-fixtures.ts';
import { startTestApp, type TestApp } from '../support/test-app.ts';

/**
 * Nothing is deleted by the nightly job: a licence it made deletable waits for its service team
 * to confirm the deletion on the back-office licence page, with a reason, audited.
 */
describe('confirming a deletable licence’s deletion', () => {
  let t: TestApp;
  const as = people(() => t);
  let deletable: number;
  let lockedDeletable: number;
  let cold: number;

  const statusOf = async (id: number) =>
    (await t.database.db.selectFrom('licences').select('status').where('id', '=', id).executeTakeFirstOrThrow()).status;

  beforeAll(async () => {
    t = await startTestApp();
    const db = t.database.db;
    const make = async (name: string, endDate: string) =>
      (
        await insertStorage(db, {
          name,
          owner: 'ar101',
          status: 'cold',
          startDate: '2023-05-01',
          endDate,
          order: null,
        })
      ).licenceId;
    deletable = await make('Old imaging data', '2026-05-01');
    lockedDeletable = await make('Disputed data', '2026-05-01');
    cold = await make('Recently cold', '2026-06-01');
    // 1 November 2026 is 6 months after 1 May: the first two become deletable
    const result = await runNightlyLifecycle(db, t.jobs.queue, '2026-11-27', DEFAULT_LIFECYCLE_SETTINGS, t.clock.now());
    expect(result.deletable).toBe(2);
    await db
      .updateTable('licences')
      .set({ locked_at: new Date('2026-11-27T09:00:00Z'), lock_reason: 'Legal hold' })
      .where('id', '=', lockedDeletable)
      .execute();
  });
  afterAll(async () => {
    await t.close();
  });

  it('offers the confirmation only on a deletable, unlocked licence, to its service team', async () => {
    const rosa = await as('rs501');
    expect((await rosa.get(adminLicencePath(deletable))).body).toContain('Confirm deletion</button>');
    expect((await rosa.get(adminLicencePath(lockedDeletable))).body).not.toContain('Confirm deletion</button>');
    expect((await rosa.get(adminLicencePath(cold))).body).not.toContain('Confirm deletion</button>');
    const finance = await as('fn601');
    const page = await finance.get(adminLicencePath(deletable));
    expect(page.statusCode).toBe(200);
    expect(page.body).not.toContain('Confirm deletion</button>');
  });

  it('refuses Finance, the other service’s team and customers, changing nothing', async () => {
    for (const crsid of ['fn601', 'if502', 'ar101']) {
      const answer = await (await as(crsid)).post(adminLicencePath(deletable, 'confirm-deletion'), {
        deletionReason: 'Not theirs to say',
      });
      expect(answer.statusCode, crsid).toBe(403);
    }
    expect(await statusOf(deletable)).toBe('deletable');
  });

  it('needs a reason, then marks the licence deleted with an audit row; a second confirmation is a conflict', async () => {
    const rosa = await as('rs501');
    const missing = await rosa.post(adminLicencePath(deletable, 'confirm-deletion'), { deletionReason: ' ' });
    expectFieldError(missing, 'deletionReason', 'Enter why the data can be deleted');
    expect(await statusOf(deletable)).toBe('deletable');

    const done = await rosa.post(adminLicencePath(deletable, 'confirm-deletion'), {
      deletionReason: 'Data removed from /rds by Rosa on 27 November',
    });
    expect(done.statusCode).toBe(303);
    expect(done.headers.location).toBe(adminLicencePath(deletable));
    expect(flashOf((await rosa.get(adminLicencePath(deletable))).body)).toBe(
      'The deletion is recorded: the licence is deleted.',
    );
    expect(await statusOf(deletable)).toBe('deleted');
    const audit = (await auditRows(t.database.db, 'licence', deletable)).filter(
      (row) => row.action === 'deletion confirmed',
    );
    expect(audit).toEqual([
      {
        actor_label: 'rs501',
        action: 'deletion confirmed',
        entity_id: String(deletable),
        before: { status: 'deletable' },
        after: { status: 'deleted', reason: 'Data removed from /rds by Rosa on 27 November' },
        licence_id: deletable,
      },
    ]);

    const again = await rosa.post(adminLicencePath(deletable, 'confirm-deletion'), { deletionReason: 'Again' });
    expect(again.statusCode).toBe(409);
    // A colleague's page, shown before the deletion was confirmed, sent without a reason: the
    // licence's state is checked first, and the page says what it is now, not "Enter why…".
    const stale = await rosa.post(adminLicencePath(deletable, 'confirm-deletion'), { deletionReason: '' });
    expect(stale.statusCode).toBe(409);
    expect(stale.body).toContain(
      'This licence is deleted, not due for deletion, so its deletion cannot be confirmed. Nothing was changed',
    );
    expect(stale.body).not.toContain('Enter why the data can be deleted');
    const locked = await rosa.post(adminLicencePath(lockedDeletable, 'confirm-deletion'), { deletionReason: ' ' });
    expect(locked.statusCode).toBe(409);
    expect(locked.body).toContain('This licence is locked (Legal hold): unlock it before confirming its deletion.');
    expect(await statusOf(lockedDeletable)).toBe('deletable');
  });

  it('refuses while a recovery ordered before the licence became deletable waits, keeping the reason typed', async () => {
    const db = t.database.db;
    const waiting = await insertStorage(db, {
      name: 'Recovery asked for',
      owner: 'ar101',
      status: 'deletable',
      startDate: '2023-05-01',
      endDate: '2026-05-01',
      order: null,
    });
    const recovery = await insertOrder(db, waiting.licenceId, {
      kind: 'recovery',
      status: 'awaiting-approval',
      startsOn: '2026-05-02',
      endsOn: '2027-05-01',
    });
    const rosa = await as('rs501');
    const refused = await rosa.post(adminLicencePath(waiting.licenceId, 'confirm-deletion'), {
      deletionReason: 'Data removed from /rds',
    });
    expectFieldError(
      refused,
      'deletionReason',
      `Order ${recovery.reference} (recovery from the cold store) is waiting for this licence: decide it, or cancel it, before confirming the deletion`,
    );
    expect(refused.body).toContain('value="Data removed from /rds"');
    expect(await statusOf(waiting.licenceId)).toBe('deletable');
    expect(
      (await auditRows(db, 'licence', waiting.licenceId)).filter((row) => row.action === 'deletion confirmed'),
    ).toEqual([]);
  });

  it('tells the Data Owner that the data has been deleted, once, in the same transaction', async () => {
    const db = t.database.db;
    const owned = await insertStorage(db, {
      name: 'Told owner data',
      owner: 'ar101',
      managers: ['bm202'],
      status: 'deletable',
      startDate: '2023-05-01',
      endDate: '2026-05-01',
      order: null,
    });
    const deletionMail = () =>
      db
        .selectFrom('mail_outbox')
        .select(['to_addresses', 'subject', 'text_body'])
        .where('template', '=', 'licence-deleted')
        .where('text_body', 'like', '%Told owner data%')
        .execute();
    const rosa = await as('rs501');
    const refused = await rosa.post(adminLicencePath(owned.licenceId, 'confirm-deletion'), { deletionReason: '' });
    expect(refused.statusCode).toBe(422);
    expect(await deletionMail()).toEqual([]);
    const done = await rosa.post(adminLicencePath(owned.licenceId, 'confirm-deletion'), {
      deletionReason: 'Removed from /rds on 27 November',
    });
    expect(done.statusCode).toBe(303);
    const mail = await deletionMail();
    expect(mail).toHaveLength(1);
    expect(mail[0]?.to_addresses).toEqual(['ar101@cam.ac.uk']);
    expect(mail[0]?.subject).toBe('Your expired storage has been deleted');
    expect(mail[0]?.text_body).toContain('“Told owner data” (ended 1 May 2026)');
    expect(mail[0]?.text_body).toContain(`/storage/licence/${owned.licenceId}/`);
    await rosa.post(adminLicencePath(owned.licenceId, 'confirm-deletion'), { deletionReason: 'Again' });
    expect(await deletionMail()).toHaveLength(1);
  });

  it('tells the current Data Managers instead when the Data Owner has left the University', async () => {
    const db = t.database.db;
    const leftBehind = await insertStorage(db, {
      name: 'Leaver data',
      owner: 'da303',
      managers: ['bm202', 'cb404'],
      status: 'deletable',
      startDate: '2023-05-01',
      endDate: '2026-05-01',
      order: null,
    });
    await db.updateTable('people').set({ status: 'left' }).where('crsid', 'in', ['da303', 'cb404']).execute();
    try {
      const done = await (await as('rs501')).post(adminLicencePath(leftBehind.licenceId, 'confirm-deletion'), {
        deletionReason: 'Removed from /rds on 27 November',
      });
      expect(done.statusCode).toBe(303);
      const mail = await db
        .selectFrom('mail_outbox')
        .select(['to_addresses', 'text_body'])
        .where('template', '=', 'licence-deleted')
        .where('text_body', 'like', '%Leaver data%')
        .execute();
      expect(mail.map((m) => m.to_addresses)).toEqual([['bm202@cam.ac.uk']]);
      expect(mail[0]?.text_body).toContain(
        'This storage licence you look after as a Data Manager ended without a renewal',
      );
      expect(mail[0]?.text_body).toContain(
        '“Leaver data” (ended 1 May 2026) (you are told as a Data Manager: its Data Owner has left the University)',
      );
    } finally {
      await db.updateTable('people').set({ status: 'current' }).where('crsid', 'in', ['da303', 'cb404']).execute();
    }
  });

  it('refuses a locked or not-yet-deletable licence with a conflict', async () => {
    const rosa = await as('rs501');
    for (const id of [lockedDeletable, cold]) {
      const answer = await rosa.post(adminLicencePath(id, 'confirm-deletion'), { deletionReason: 'Tidy up' });
      expect(answer.statusCode).toBe(409);
    }
    expect(await statusOf(lockedDeletable)).toBe('deletable');
    expect(await statusOf(cold)).toBe('cold');
  });
});
