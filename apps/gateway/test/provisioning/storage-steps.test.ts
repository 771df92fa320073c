import { beforeAll, describe, expect, it } from 'vitest';
import { runNightlyLifecycle } from '../../src/modules/lifecycle/lifecycle.service.ts';
import { DEFAULT_LIFECYCLE_SETTINGS as settings } from '../../src/modules/lifecycle/lifecycle-dates.ts';
import { tellStorageStepsJob } from '../../src/modules/provisioning/storage-steps.jobs.ts';
import { tellStorageSteps } from '../../src/modules/provisioning/storage-steps.service.ts';
import { siteLinks } from '../../src/platform/config.ts';
import { PG_BOSS_SCHEMA } from '../../src/platform/jobs/pg-boss-queue.ts';
import { drainJobs } from '../support/jobs.ts';
import { insertLicences, insertOrder } from '../support/storage-fixtures.ts';
import type { TestApp } from '../support/test-app.ts';
import { appForTests, callsIn, startCommandApp, startProvisioningApp } from './provisioning-support.ts';

/**
 * The nightly lifecycle's steps told to the storage: one job per run, which tells an automated
 * provisioner each step a batch at a time, or emails each service team once, a list per step (manual); what
 * was told is recorded, so a second nightly run or a second job tells nothing twice.
 */
const nightly = (t: TestApp, asOf: string) =>
  runNightlyLifecycle(t.database.db, t.jobs.queue, asOf, settings, new Date(`${asOf}T02:15:00Z`));

async function stepRows(t: TestApp, ids: readonly number[]) {
  return t.database.db
    .selectFrom('licence_storage_steps' as never)
    .selectAll()
    .where('licence_id' as never, 'in', ids as never)
    .execute() as Promise<Array<{ licence_id: number; step: string; as_of: string; told_how: string | null }>>;
}

async function queuedJobs(t: TestApp, name: string) {
  const { rows } = await (t.jobs.boss
    ?.getDb()
    .executeSql(`SELECT data FROM ${PG_BOSS_SCHEMA}.job WHERE name = $1 ORDER BY created_on`, [name]) ??
    Promise.resolve({ rows: [] }));
  return rows as Array<{ data: unknown }>;
}

describe('an automated provisioner is told of the nightly steps, a batch at a time', () => {
  const app = appForTests(() => startCommandApp('succeed'));
  let t: TestApp;
  beforeAll(() => {
    t = app().t;
  });

  const context = (batchSize?: number) => ({
    db: t.database.db,
    jobs: t.jobs.queue,
    provisioner: t.app.provisioner,
    site: siteLinks(t.config),
    now: () => new Date(),
    batchSize,
  });
  const stateCalls = async () => (await callsIn(app().logFile)).filter((call) => call.action === 'licence-state');
  const licencesOf = (call: { message: Record<string, unknown> } | undefined) =>
    (call?.message.request as { licences: Array<{ id: number }> } | undefined)?.licences ?? [];

  it('makes read-only, then moves to the cold store; twice changes and tells nothing twice', {
    timeout: 90_000,
  }, async () => {
    // Ending on the last day of February 2027; told two at a time.
    const ids = await insertLicences(t.database.db, {
      count: 5,
      prefix: 'Expiring',
      owner: 'ar101',
      status: 'active',
      startDate: '2026-03-01',
      endDate: '2027-02-28',
    });
    // The day before the step nothing happens.
    expect((await nightly(t, '2027-02-28')).suspended).toBe(0);
    expect(await queuedJobs(t, 'tell-storage-steps')).toEqual([]);

    expect((await nightly(t, '2027-03-01')).suspended).toBe(5);
    expect((await queuedJobs(t, 'tell-storage-steps')).map((job) => job.data)).toEqual([{ asOf: '2027-03-01' }]);
    expect(await tellStorageSteps(context(2), '2027-03-01')).toEqual({ told: 5, skipped: 0, emails: 0 });
    const told = await stateCalls();
    expect(told.map((call) => licencesOf(call).length)).toEqual([2, 2, 1]);
    expect(told[0]?.message.request).toMatchObject({ state: 'read-only', asOf: '2027-03-01' });
    expect(licencesOf(told[0])[0]).toEqual({ id: ids[0], name: 'Expiring 1', product: 'RDS', endDate: '2027-02-28' });
    expect(told.flatMap((call) => licencesOf(call).map((licence) => licence.id))).toEqual(ids);
    const rows = await stepRows(t, ids);
    expect(rows.every((row) => row.step === 'read-only' && row.told_how === 'command')).toBe(true);
    const audit = await t.database.db
      .selectFrom('audit_events')
      .select(['action', 'after', 'actor_label'])
      .where('licence_id', '=', ids[0] ?? 0)
      .orderBy('id')
      .execute();
    expect(audit.map((row) => row.action)).toEqual(['suspended (end date passed)', 'storage told: read-only']);
    expect(audit[1]).toMatchObject({
      actor_label: 'system: provisioner (command)',
      after: { step: 'read-only', asOf: '2027-03-01', told: 'the provisioner (command)' },
    });

    // The queued job, the same night again and the job again: nothing new is recorded, queued or told.
    await drainJobs(t.jobs);
    expect((await nightly(t, '2027-03-01')).suspended).toBe(0);
    expect(await queuedJobs(t, 'tell-storage-steps')).toHaveLength(1);
    expect(await tellStorageSteps(context(), '2027-03-01')).toEqual({ told: 0, skipped: 0, emails: 0 });
    expect(await stateCalls()).toHaveLength(3);

    // 30 days after the end date: to the cold store, by one more job, in one batch.
    expect((await nightly(t, '2027-03-30')).cold).toBe(5);
    await drainJobs(t.jobs);
    const cold = (await stateCalls()).slice(3);
    expect(cold.map((call) => (call.message.request as { state: string }).state)).toEqual(['cold-store']);
    expect(licencesOf(cold[0]).map((licence) => licence.id)).toEqual(ids);
    expect((await stepRows(t, ids)).filter((row) => row.step === 'cold-store')).toHaveLength(5);
  });

  it('skips a licence renewed before it was told', async () => {
    const ids = await insertLicences(t.database.db, {
      count: 2,
      prefix: 'Renewed meanwhile',
      owner: 'bm202',
      status: 'active',
      startDate: '2027-05-01',
      endDate: '2028-04-30',
    });
    await nightly(t, '2028-05-01');
    await t.database.db
      .updateTable('licences')
      .set({ status: 'active', end_date: '2029-04-30' })
      .where('id', '=', ids[1] ?? 0)
      .execute();
    const before = (await callsIn(app().logFile)).length;
    await drainJobs(t.jobs);
    const calls = (await callsIn(app().logFile)).slice(before);
    expect(calls.map((call) => (call.message.request as { licences: Array<{ id: number }> }).licences)).toEqual([
      [expect.objectContaining({ id: ids[0] })],
    ]);
    expect((await stepRows(t, ids)).map((row) => row.told_how).sort()).toEqual(['command', 'skipped']);
  });
});

describe('with the manual provisioner each service team is emailed once per run, a list per step', () => {
  const app = appForTests(() => startProvisioningApp());
  let t: TestApp;
  beforeAll(() => {
    t = app().t;
  });

  it('lists the licences to make read-only, with links, to each team once', async () => {
    const research = await insertLicences(t.database.db, {
      count: 2,
      prefix: 'Research',
      owner: 'ar101',
      status: 'active',
      startDate: '2023-03-01',
      endDate: '2024-02-29',
    });
    const institutional = await insertLicences(t.database.db, {
      count: 1,
      prefix: 'Departmental',
      owner: 'da303',
      productCode: 'IFS',
      status: 'active',
      startDate: '2023-03-01',
      endDate: '2024-02-29',
    });
    const mailBefore = await t.database.db.selectFrom('mail_outbox').select('id').execute();
    expect((await nightly(t, '2024-03-01')).suspended).toBe(3);
    await drainJobs(t.jobs);
    const mail = await t.database.db
      .selectFrom('mail_outbox')
      .select(['to_addresses', 'subject', 'text_body', 'template'])
      .where('template', '=', 'storage-steps')
      .orderBy('id')
      .execute();
    expect(mail.map((each) => [each.to_addresses, each.subject])).toEqual([
      [['research-storage@example.ac.uk'], '2 licences to make read-only'],
      [['ifs@example.ac.uk'], '1 licence to make read-only'],
    ]);
    const base = siteLinks(t.config).publicUrl;
    expect(mail[0]?.text_body).toContain(`Licence ${research[0]} “Research 1” (RDS, ended 29 February 2024)`);
    expect(mail[0]?.text_body).toContain(`${base}/admin/licences/${research[1]}/`);
    expect(mail[1]?.text_body).toContain(`${base}/admin/licences/${institutional[0]}/`);
    expect((await stepRows(t, [...research, ...institutional])).every((row) => row.told_how === 'manual')).toBe(true);
    // Only the teams' lists and the owners' expiry emails were sent.
    const all = await t.database.db.selectFrom('mail_outbox').select('template').execute();
    expect(all.length - mailBefore.length).toBe(2 + 2);

    // Again: nothing more.
    await nightly(t, '2024-03-01');
    await drainJobs(t.jobs);
    expect((await t.database.db.selectFrom('mail_outbox').select('id').execute()).length).toBe(all.length);
  });

  it('sends a team both steps of a run in one email, a heading per step, each list cut at 200', {
    timeout: 90_000,
  }, async () => {
    const suspended = await insertLicences(t.database.db, {
      count: 203,
      prefix: 'Ended',
      owner: 'ar101',
      status: 'active',
      startDate: '2025-01-01',
      endDate: '2025-12-31',
    });
    const cold = await insertLicences(t.database.db, {
      count: 2,
      prefix: 'Long ended',
      owner: 'bm202',
      status: 'suspended',
      startDate: '2024-12-01',
      endDate: '2025-11-30',
    });
    // the earlier test's licences have taken their last step, so the night is only these
    await t.database.db
      .updateTable('licences')
      .set({ status: 'deletable' })
      .where('id', 'not in', [...suspended, ...cold])
      .execute();
    const before = await lastMailId(t);
    expect(await nightly(t, '2026-01-01')).toMatchObject({ suspended: 203, cold: 2 });
    await drainJobs(t.jobs);
    const mail = await t.database.db
      .selectFrom('mail_outbox')
      .select(['to_addresses', 'subject', 'text_body', 'html_body'])
      .where('template', '=', 'storage-steps')
      .where('id', '>', before)
      .execute();
    expect(mail.map((each) => [each.to_addresses, each.subject])).toEqual([
      [['research-storage@example.ac.uk'], '203 licences to make read-only, 2 licences to move to the cold store'],
    ]);
    const text = mail[0]?.text_body ?? '';
    const base = siteLinks(t.config).publicUrl;
    expect(text).toContain('203 licences to make read-only: expired without a renewal');
    expect(text).toContain(`${base}/admin/licences/${suspended[199]}/`);
    expect(text).not.toContain(`${base}/admin/licences/${suspended[200]}/`);
    expect(text).toContain(`And 3 more: ${base}/admin/licences/?status=suspended lists them all.`);
    expect(text).toContain('2 licences to move to the cold store: expired and were not renewed in time');
    expect(text).toContain(`Licence ${cold[1]} “Long ended 2” (RDS, ended 30 November 2025)`);
    expect(text.indexOf('to make read-only:')).toBeLessThan(text.indexOf('to move to the cold store:'));
    expect(mail[0]?.html_body).toContain('<h2 style="font-size:1.2rem">2 licences to move to the cold store</h2>');

    // the job again: nothing more
    await t.jobs.queue.enqueue(t.database.db, tellStorageStepsJob, { asOf: '2026-01-01' });
    await drainJobs(t.jobs);
    const after = await t.database.db
      .selectFrom('mail_outbox')
      .select('id')
      .where('template', '=', 'storage-steps')
      .where('id', '>', before)
      .execute();
    expect(after).toHaveLength(1);
  });

  it('names a renewal waiting for approval on its licence’s line, and does not say the licences expired without one', async () => {
    const ids = await insertLicences(t.database.db, {
      count: 2,
      prefix: 'Waiting',
      owner: 'ar101',
      status: 'active',
      startDate: '2029-01-01',
      endDate: '2030-12-31',
    });
    // the earlier tests' licences have taken their last step, so the night is only these
    await t.database.db.updateTable('licences').set({ status: 'deletable' }).where('id', 'not in', ids).execute();
    const renewal = await insertOrder(t.database.db, ids[0] ?? 0, {
      kind: 'renewal',
      status: 'awaiting-approval',
      startsOn: '2031-01-01',
      endsOn: '2031-12-31',
    });
    const before = await lastMailId(t);
    expect(await nightly(t, '2031-01-01')).toMatchObject({ suspended: 2 });
    await drainJobs(t.jobs);
    const mail = await t.database.db
      .selectFrom('mail_outbox')
      .select(['subject', 'text_body', 'html_body'])
      .where('template', '=', 'storage-steps')
      .where('id', '>', before)
      .execute();
    expect(mail.map((each) => each.subject)).toEqual(['2 licences to make read-only']);
    const text = mail[0]?.text_body ?? '';
    expect(text).toContain(
      `Licence ${ids[0]} “Waiting 1” (RDS, ended 31 December 2030) (renewal ${renewal.reference} waiting)`,
    );
    expect(text).toContain(`Licence ${ids[1]} “Waiting 2” (RDS, ended 31 December 2030):`);
    expect(text).not.toContain('expired without a renewal:');
    expect(text).toContain(
      '2 licences to make read-only: expired without a renewal in place: make their storage read-only',
    );
    expect(mail[0]?.html_body).toContain(`(renewal ${renewal.reference} waiting)`);
  });
});

async function lastMailId(t: TestApp): Promise<number> {
  const row = await t.database.db
    .selectFrom('mail_outbox')
    .select((eb) => eb.fn.max('id').as('id'))
    .executeTakeFirst();
  return Number(row?.id ?? 0);
}
