import { type PgBoss, TestClock } from 'pg-boss';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../../src/platform/clock.ts';
import { JobRunner } from '../../src/platform/jobs/job-runner.ts';
import { jobHandler, jobType, noPayload, type ScheduledJob } from '../../src/platform/jobs/jobs.ts';
import { JobWorker, PG_BOSS_SCHEMA, prepareQueues, startPgBoss } from '../../src/platform/jobs/pg-boss-queue.ts';
import { startTestApp, type TestApp } from '../support/test-app.ts';
import { testEngine } from '../support/test-database.ts';
import { createJobRunsTable, jobRuns, recordNote, testJobHandlers } from './job-fixtures.ts';

// Replicas are separate processes on one PostgreSQL; PGlite is one process by design.
const onPostgres = testEngine === 'postgres';
const silent = pino({ level: 'silent' });

let t: TestApp;
const started: PgBoss[] = [];

beforeAll(async () => {
  t = await startTestApp();
  await createJobRunsTable(t.database.db);
});
afterAll(async () => {
  await stopReplicas();
  await t?.close();
});

async function stopReplicas(): Promise<void> {
  for (const boss of started.splice(0)) await boss.stop({ graceful: true, timeout: 5_000 });
}

async function replica(name: string, options: { schedule?: boolean; clock?: TestClock } = {}): Promise<PgBoss> {
  const boss = await startPgBoss(t.database, {
    schedule: options.schedule ?? false,
    supervise: false,
    log: silent,
    poolSize: 2,
    instanceName: name,
    clock: options.clock,
  });
  started.push(boss);
  return boss;
}

describe.runIf(onPostgres)('replicas on one PostgreSQL', () => {
  it('two workers run each job exactly once', async () => {
    const workers: JobWorker[] = [];
    for (const name of ['worker-a', 'worker-b']) {
      const boss = await replica(name);
      await prepareQueues(boss, [recordNote]);
      const runner = new JobRunner(
        { handlers: testJobHandlers({ runner: name }), schedules: [] },
        { db: t.database.db, clock: fixedClock('2026-11-27T10:00:00Z'), log: silent, queue: t.jobs.queue },
      );
      workers.push(new JobWorker(boss, runner, { concurrency: 3, pollingIntervalSeconds: 0.5, log: silent }));
    }
    const notes = Array.from({ length: 40 }, (_, i) => `replica-${i}`);
    for (const note of notes) await t.jobs.queue.enqueue(t.database.db, recordNote, { note });
    await Promise.all(workers.map((worker) => worker.start()));

    const deadline = Date.now() + 20_000;
    let runs = await jobRuns(t.database.db);
    while (runs.filter((run) => run.note.startsWith('replica-')).length < notes.length && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      runs = await jobRuns(t.database.db);
    }
    await Promise.all(workers.map((worker) => worker.stop()));
    await stopReplicas();
    runs = (await jobRuns(t.database.db)).filter((run) => run.note.startsWith('replica-'));

    expect(runs.map((run) => run.note).sort()).toEqual([...notes].sort());
    expect(new Set(runs.map((run) => run.job_id)).size).toBe(notes.length);
    console.info('jobs run per replica', {
      a: runs.filter((run) => run.runner === 'worker-a').length,
      b: runs.filter((run) => run.runner === 'worker-b').length,
    });
  });

  it('a schedule fires once per slot however many instances keep it', async () => {
    const hourly = jobType({ name: 'test-hourly-report', payload: noPayload });
    const schedule: ScheduledJob = { type: hourly, cron: '0 * * * *' };
    const runner = new JobRunner(
      { handlers: [jobHandler(hourly, async () => {})], schedules: [schedule] },
      { db: t.database.db, clock: fixedClock('2026-11-27T10:00:00Z'), log: silent, queue: t.jobs.queue },
    );
    // pg-boss's TestClock drives both instances (and the database's idea of now) through time.
    const clock = new TestClock('2026-11-27T10:58:00Z');
    const first = await replica('scheduler-a', { schedule: true, clock });
    const bosses = [first, await replica('scheduler-b', { schedule: true, clock })];
    for (const boss of bosses) {
      await prepareQueues(boss, [hourly]);
      // Every replica registers the timetable on start; that must not double it.
      await new JobWorker(boss, runner, { concurrency: 1, pollingIntervalSeconds: 2, log: silent }).schedule([
        schedule,
      ]);
    }

    // Across 11:00 and 12:00, with both instances' cron passes and forwarding loops running.
    await clock.tick(4 * 60_000);
    await clock.setTime('2026-11-27T11:58:00Z');
    await clock.tick(4 * 60_000);

    const { rows } = await first.getDb().executeSql(
      `SELECT to_char(created_on AT TIME ZONE 'Europe/London', 'HH24:MI') AS at FROM ${PG_BOSS_SCHEMA}.job
        WHERE name = $1 ORDER BY created_on`,
      [hourly.name],
    );
    const schedules = await first.getSchedules(hourly.name);
    await stopReplicas();
    expect(rows.map((row: { at: string }) => row.at.slice(0, 2))).toEqual(['11', '12']);
    expect(schedules).toHaveLength(1);
    expect(schedules[0]?.timezone).toBe('Europe/London');
  });
});
