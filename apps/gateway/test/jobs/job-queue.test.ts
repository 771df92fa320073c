import { sql } from 'kysely';
import type { PgBoss } from 'pg-boss';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAILED_JOBS_PAGE_SIZE } from '../../src/modules/admin/failed-jobs.routes.tsx';
import { deleteExpiredSessionsJob } from '../../src/platform/identity/sessions.jobs.ts';
import { DEFAULT_RETRY } from '../../src/platform/jobs/jobs.ts';
import { JobWorker, PG_BOSS_SCHEMA, prepareQueues } from '../../src/platform/jobs/pg-boss-queue.ts';
import { drainJobs } from '../support/jobs.ts';
import { Browser, startTestApp, type TestApp } from '../support/test-app.ts';
import { testEngine } from '../support/test-database.ts';
import { createJobRunsTable, flaky, jobRuns, recordNote, slow, testRegistry } from './job-fixtures.ts';

let t: TestApp;
let startMs: number;

beforeAll(async () => {
  t = await startTestApp({ jobRegistry: testRegistry({ flakyFailures: 4 }) });
  startMs = t.jobs.startMs;
  await createJobRunsTable(t.database.db);
});
afterAll(async () => {
  await t?.close();
});

async function jobState(queue: string, note: string) {
  const { rows } = (await t.jobs.boss?.getDb().executeSql(
    `SELECT id, state, retry_count, start_after, completed_on, output
       FROM ${PG_BOSS_SCHEMA}.job WHERE name = $1 AND data->>'note' = $2`,
    [queue, note],
  )) ?? { rows: [] };
  return rows as Array<{
    id: string;
    state: string;
    retry_count: number;
    start_after: Date;
    completed_on: Date | null;
    output: { message?: string } | null;
  }>;
}

describe(`job queue on pg-boss (${testEngine})`, () => {
  it('starts pg-boss on the gateway database', () => {
    console.info(`pg-boss start on ${testEngine}: ${startMs} ms`);
    expect(t.jobs.boss).toBeDefined();
  });

  it('never runs a job whose transaction rolled back, and runs a committed one exactly once', async () => {
    await expect(
      t.database.db.transaction().execute(async (trx) => {
        await t.jobs.queue.enqueue(trx, recordNote, { note: 'rolled-back' });
        throw new Error('the order failed validation');
      }),
    ).rejects.toThrow('the order failed validation');
    await t.database.db.transaction().execute(async (trx) => {
      await t.jobs.queue.enqueue(trx, recordNote, { note: 'committed' });
    });

    await drainJobs(t.jobs);
    await drainJobs(t.jobs);

    const runs = (await jobRuns(t.database.db)).filter((run) => !run.note.startsWith('attempt:'));
    expect(runs.map((run) => run.note)).toEqual(['committed']);
    expect(await jobState(recordNote.name, 'rolled-back')).toEqual([]);
    expect((await jobState(recordNote.name, 'committed'))[0]?.state).toBe('completed');
  });

  it('refuses to enqueue a payload that does not match its type', async () => {
    await expect(t.jobs.queue.enqueue(t.database.db, recordNote, { note: '' } as { note: string })).rejects.toThrow();
  });

  it('fails a job whose stored payload does not parse, at once and saying why', async () => {
    // Written straight to the queue, as an older release or a hand-made job could.
    await t.jobs.boss?.send(recordNote.name, { note: 42 });
    await drainJobs(t.jobs);
    const { rows } = (await t.jobs.boss
      ?.getDb()
      .executeSql(
        `SELECT state, retry_count, output FROM ${PG_BOSS_SCHEMA}.job WHERE name = $1 AND data->>'note' = '42'`,
        [recordNote.name],
      )) ?? { rows: [] };
    expect(rows).toHaveLength(1);
    expect(rows[0].state).toBe('failed');
    expect(rows[0].retry_count).toBe(0);
    expect(rows[0].output.message).toMatch(/payload of test-record-note does not match its schema: note: .*string/i);
  });

  it('retries a failing job with growing backoff, then lists it as failed for staff, who can retry it', async () => {
    await t.jobs.queue.enqueue(t.database.db, flaky, { note: 'quota-update' });
    await drainJobs(t.jobs);
    const delays: number[] = [];
    for (let retry = 1; retry <= 3; retry += 1) {
      const [job] = await jobState(flaky.name, 'quota-update');
      expect(job?.state).toBe('retry');
      delays.push(new Date(job?.start_after ?? 0).getTime() - Date.now());
      // Rather than wait out the backoff, make this attempt due now and run it.
      await t.jobs.boss
        ?.getDb()
        .executeSql(`UPDATE ${PG_BOSS_SCHEMA}.job SET start_after = now() WHERE id = $1`, [job?.id]);
      await drainJobs(t.jobs);
    }
    // Exponential backoff from a 2 s base, with pg-boss's jitter: [2 s, 4 s), [4 s, 8 s), [8 s, 16 s).
    expect(delays[0]).toBeGreaterThan(1_500);
    expect(delays[0]).toBeLessThan(4_000);
    expect(delays[1]).toBeGreaterThan(3_500);
    expect(delays[1]).toBeLessThan(8_000);
    expect(delays[2]).toBeGreaterThan(7_500);
    expect(delays[2]).toBeLessThan(16_000);
    const [failed] = await jobState(flaky.name, 'quota-update');
    expect(failed?.state).toBe('failed');
    expect(failed?.output?.message).toBe('storage system unreachable <quota-update>');
    const attempts = (await jobRuns(t.database.db)).filter((run) => run.note === 'attempt:quota-update');
    expect(attempts).toHaveLength(4);

    const admin = new Browser(t.app);
    await admin.signInAs('rs501');
    const page = await admin.get('/admin/jobs/failed');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('test-flaky');
    // Escaped: the error text and payload are data, never markup.
    expect(page.body).toContain('storage system unreachable &lt;quota-update>');
    expect(page.body).not.toContain('<quota-update>');
    expect(page.body).toMatch(/<td>4<\/td>/);
    expect(page.body).toContain('&quot;note&quot;: &quot;quota-update&quot;');

    const csrf = page.body.match(/name="_csrf" value="([^"]+)"/)?.[1] ?? '';
    const action = page.body.match(/action="(\/admin\/jobs\/failed\/test-flaky\/[^"]+\/retry)"/)?.[1];
    expect(action).toBeDefined();
    const retried = await admin.post(action ?? '', { _csrf: csrf });
    expect(retried.statusCode).toBe(303);
    expect((await admin.get('/admin/jobs/failed')).body).toContain('will run again shortly');
    const [jobId] = action?.split('/').slice(-2, -1) ?? [];
    expect(
      await t.database.db
        .selectFrom('audit_events')
        .select(['actor_label', 'entity_id', 'action'])
        .where('entity_type', '=', 'failed-job')
        .execute(),
    ).toEqual([{ actor_label: 'rs501', entity_id: `test-flaky/${jobId}`, action: 'retried' }]);

    await drainJobs(t.jobs);
    expect((await jobState(flaky.name, 'quota-update'))[0]?.state).toBe('completed');
    expect((await admin.get('/admin/jobs/failed')).body).not.toContain('quota-update');
  });

  it('shows failed jobs to service admins and superusers only, a page at a time', async () => {
    await t.jobs.boss?.insert(
      recordNote.name,
      Array.from({ length: FAILED_JOBS_PAGE_SIZE + 1 }, (_, i) => ({ data: { note: i } })),
    );
    await drainJobs(t.jobs);

    expect((await t.app.inject({ url: '/admin/jobs/failed' })).headers.location).toBe(
      '/sign-in?returnTo=%2Fadmin%2Fjobs%2Ffailed',
    );
    const customer = new Browser(t.app);
    await customer.signInAs('ar101');
    expect((await customer.get('/admin/jobs/failed')).statusCode).toBe(403);
    const finance = new Browser(t.app);
    await finance.signInAs('fn601');
    expect((await finance.get('/admin/jobs/failed')).statusCode).toBe(403);

    const superuser = new Browser(t.app);
    await superuser.signInAs('su701');
    const first = await superuser.get('/admin/jobs/failed');
    expect(first.statusCode).toBe(200);
    const rowsOn = (body: string) => body.match(/<tr><th scope="row">/g)?.length ?? 0;
    expect(rowsOn(first.body)).toBe(FAILED_JOBS_PAGE_SIZE);
    expect(first.body).toContain('rel="next"');
    const second = await superuser.get('/admin/jobs/failed?page=2');
    expect(rowsOn(second.body)).toBeGreaterThanOrEqual(1);
    expect(second.body).toContain('rel="prev"');
    // Past the last page the failures are still there: it says so, not "No background jobs have failed."
    const past = await superuser.get('/admin/jobs/failed?page=9');
    expect(rowsOn(past.body)).toBe(0);
    expect(past.body).not.toContain('No background jobs have failed.');
    expect(past.body).toMatch(/There is no page 9: there are 2 pages \(\d+ failed jobs\)\./);
    expect(past.body).toContain('<a href="/admin/jobs/failed?page=2">Go to the last page (page 2)</a>');

    const institutionalAdmin = new Browser(t.app);
    await institutionalAdmin.signInAs('if502');
    expect((await institutionalAdmin.get('/admin/jobs/failed')).statusCode).toBe(200);
    // A retry needs the form's CSRF token.
    const action = first.body.match(/action="(\/admin\/jobs\/failed\/[^"]+\/retry)"/)?.[1] ?? '';
    expect((await institutionalAdmin.post(action, {})).statusCode).toBe(403);
  });

  it('lets a job in flight finish when the worker stops', async () => {
    const worker = new JobWorker(t.jobs.boss as PgBoss, t.jobs.runner, {
      concurrency: 1,
      pollingIntervalSeconds: 0.5,
      log: pino({ level: 'silent' }),
    });
    await t.jobs.queue.enqueue(t.database.db, slow, { note: 'in flight at shutdown', ms: 1_500 });
    await worker.start();
    const deadline = Date.now() + 10_000;
    while ((await jobState(slow.name, 'in flight at shutdown'))[0]?.state !== 'active' && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 20));
    await worker.stop();
    expect((await jobState(slow.name, 'in flight at shutdown'))[0]?.state).toBe('completed');
    expect((await jobRuns(t.database.db)).some((run) => run.note === 'in flight at shutdown')).toBe(true);
  });

  it('has no public job endpoints with the pg-boss driver', async () => {
    expect(t.app.hasRoute({ method: 'POST', url: '/cloud_tasks/:task' })).toBe(false);
    expect(t.app.hasRoute({ method: 'POST', url: '/cron/:job' })).toBe(false);
    for (const url of ['/cloud_tasks/test-record-note', '/cron/delete-expired-sessions']) {
      // Not found, and refused before that as a form post without a CSRF token.
      const response = await t.app.inject({ method: 'POST', url, payload: {} });
      expect([403, 404]).toContain(response.statusCode);
    }
  });

  it('runs the scheduled session clean-up as of the injected clock', async () => {
    await sql`INSERT INTO sessions (id, data, expires_at) VALUES
      ('old-session', '{}', ${new Date('2026-11-27T09:00:00Z')}),
      ('live-session', '{}', ${new Date('2026-11-27T11:00:00Z')})`.execute(t.database.db);
    await t.jobs.queue.enqueue(t.database.db, deleteExpiredSessionsJob, {});
    await drainJobs(t.jobs);
    const left = await t.database.db.selectFrom('sessions').select('id').where('id', 'like', '%-session').execute();
    expect(left.map((row) => row.id)).toEqual(['live-session']);
  });

  it('creates a missing queue, puts back a changed retry policy, and leaves an unchanged queue alone', async () => {
    const boss = t.jobs.boss as PgBoss;
    await boss.deleteQueue(flaky.name);
    await boss.updateQueue(recordNote.name, { retryLimit: 9 });
    const before = await boss.getQueue(slow.name);
    await prepareQueues(boss, [flaky, recordNote, slow]);
    expect((await boss.getQueue(flaky.name))?.retryLimit).toBe(flaky.retry?.limit ?? DEFAULT_RETRY.limit);
    expect((await boss.getQueue(recordNote.name))?.retryLimit).toBe(recordNote.retry?.limit);
    // Not written to: updateQueue would have moved updatedOn.
    expect((await boss.getQueue(slow.name))?.updatedOn).toEqual(before?.updatedOn);
  });
});
