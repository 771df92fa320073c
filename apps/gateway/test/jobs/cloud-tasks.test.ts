import type { AddressInfo } from 'node:net';
import { generateKeyPair } from 'jose';
import { sql } from 'kysely';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TaskOutboxSweeper } from '../../src/platform/jobs/cloud-tasks-queue.ts';
import { HttpTaskDispatcher, startJwksServer } from '../support/jobs.ts';
import { startTestApp, type TestApp } from '../support/test-app.ts';
import { testEngine } from '../support/test-database.ts';
import { createJobRunsTable, jobRuns, recordNote, testRegistry } from './job-fixtures.ts';

const CALLER = 'cloud-tasks@ssgw-prod.iam.gserviceaccount.com';
const AUDIENCE = 'https://storage.example.ac.uk';
const GOOGLE = 'https://accounts.google.com';

let t: TestApp;
let jwks: Awaited<ReturnType<typeof startJwksServer>>;
let baseUrl: string;
let dispatcher: HttpTaskDispatcher;

const validClaims = { iss: GOOGLE, aud: AUDIENCE, email: CALLER, email_verified: true, sub: '1234567890' };

beforeAll(async () => {
  jwks = await startJwksServer();
  dispatcher = new HttpTaskDispatcher(() => jwks.sign(validClaims));
  t = await startTestApp({
    env: {
      JOBS_DRIVER: 'cloud-tasks',
      SCHEDULES_DRIVER: 'cloud-scheduler',
      CLOUD_TASKS_QUEUE: 'projects/ssgw-prod/locations/europe-west2/queues/gateway',
      CLOUD_TASKS_SERVICE_ACCOUNT: CALLER,
      TASKS_ALLOWED_CALLERS: `${CALLER}, scheduler@ssgw-prod.iam.gserviceaccount.com`,
      TASKS_AUDIENCE: AUDIENCE,
      TASKS_JWKS_URL: jwks.url,
    },
    jobRegistry: testRegistry({ flakyFailures: 1_000 }),
    taskDispatcher: dispatcher,
  });
  // The test sweeps by hand, so nothing is pushed behind its back.
  await t.jobs.sweeper?.stop();
  await createJobRunsTable(t.database.db);
  await t.app.listen({ host: '127.0.0.1', port: 0 });
  baseUrl = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
  dispatcher.baseUrl = baseUrl;
});
afterAll(async () => {
  await t?.close();
  await jwks?.close();
});

async function post(path: string, token: string | undefined, body: unknown = {}) {
  const response = await fetch(`${baseUrl}${path}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
    },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as { ok?: boolean; error?: { message: string } } };
}

async function outboxRows() {
  return t.database.db.selectFrom('task_outbox').selectAll().orderBy('id').execute();
}

describe(`Cloud Tasks driver (${testEngine})`, () => {
  it('writes a task in the caller transaction, pushes it after commit, and the pushed task runs once', async () => {
    await expect(
      t.database.db.transaction().execute(async (trx) => {
        await t.jobs.queue.enqueue(trx, recordNote, { note: 'rolled-back task' });
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    await t.database.db.transaction().execute(async (trx) => {
      await t.jobs.queue.enqueue(trx, recordNote, { note: 'committed task' });
    });
    expect((await outboxRows()).map((row) => row.payload)).toEqual([{ note: 'committed task' }]);

    const sweeper = new TaskOutboxSweeper(t.database.db, dispatcher, { log: pino({ level: 'silent' }) });
    expect(await sweeper.sweepOnce()).toEqual({ dispatched: 1, failed: 0 });
    expect(await sweeper.sweepOnce()).toEqual({ dispatched: 0, failed: 0 });

    const [row] = await outboxRows();
    expect(row?.dispatched_at).not.toBeNull();
    const runs = await jobRuns(t.database.db);
    expect(runs).toEqual([{ job_id: row?.task_id, note: 'committed task', runner: null }]);
  });

  it('keeps a task whose push failed and pushes it on a later sweep', async () => {
    let failPushes = 1;
    const unreliable = {
      dispatch: async (task: Parameters<HttpTaskDispatcher['dispatch']>[0]) => {
        if (failPushes-- > 0) throw new Error('Cloud Tasks: 503 Service Unavailable');
        await dispatcher.dispatch(task);
      },
    };
    await t.jobs.queue.enqueue(t.database.db, recordNote, { note: 'survives an outage' });
    const sweeper = new TaskOutboxSweeper(t.database.db, unreliable, {
      log: pino({ level: 'silent' }),
      leaseSeconds: 0,
    });
    expect(await sweeper.sweepOnce()).toEqual({ dispatched: 0, failed: 1 });
    const waiting = (await outboxRows()).find((row) => row.dispatched_at === null);
    expect(waiting?.last_error).toBe('Cloud Tasks: 503 Service Unavailable');
    expect(await sweeper.sweepOnce()).toEqual({ dispatched: 1, failed: 0 });
    const done = (await outboxRows()).find((row) => row.id === waiting?.id);
    expect(done?.attempts).toBe(2);
    expect(done?.dispatched_at).not.toBeNull();
    expect((await jobRuns(t.database.db)).filter((run) => run.note === 'survives an outage')).toHaveLength(1);
  });

  it('drops a second task with the same singleton key while the first waits to be pushed', async () => {
    await t.jobs.queue.enqueue(t.database.db, recordNote, { note: 'once' }, { singletonKey: 'licence-7' });
    await t.jobs.queue.enqueue(t.database.db, recordNote, { note: 'twice' }, { singletonKey: 'licence-7' });
    const keyed = (await outboxRows()).filter((row) => row.singleton_key === 'licence-7');
    expect(keyed.map((row) => row.payload)).toEqual([{ note: 'once' }]);
  });

  describe('/cloud_tasks/:task', () => {
    it('runs the task for a verified, allowed caller', async () => {
      const response = await post('/cloud_tasks/test-record-note', await jwks.sign(validClaims), { note: 'direct' });
      expect(response).toMatchObject({ status: 200, body: { ok: true } });
      expect((await jobRuns(t.database.db)).some((run) => run.note === 'direct')).toBe(true);
    });

    it('answers 500 when the handler fails, so that Cloud Tasks retries', async () => {
      const response = await post('/cloud_tasks/test-flaky', await jwks.sign(validClaims), { note: 'boom' });
      expect(response.status).toBe(500);
      expect(response.body.error?.message).toBe('the job test-flaky failed');
    });

    it('answers 422 for a payload that does not match the job, and 404 for an unknown job', async () => {
      const token = await jwks.sign(validClaims);
      expect((await post('/cloud_tasks/test-record-note', token, { note: 7 })).status).toBe(422);
      expect((await post('/cloud_tasks/no-such-job', token, {})).status).toBe(404);
    });

    it('refuses callers without a valid token (401) or not on the allowed list (403)', async () => {
      const path = '/cloud_tasks/test-record-note';
      const body = { note: 'must not run' };
      const otherKey = (await generateKeyPair('RS256')).privateKey;
      const unsigned = [
        Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url'),
        Buffer.from(JSON.stringify({ ...validClaims, exp: Math.floor(Date.now() / 1000) + 300 })).toString('base64url'),
        '',
      ].join('.');

      const answers = {
        missing: (await post(path, undefined, body)).status,
        garbage: (await post(path, 'not-a-token', body)).status,
        unsigned: (await post(path, unsigned, body)).status,
        otherKey: (await post(path, await jwks.sign(validClaims, { privateKey: otherKey }), body)).status,
        expired: (await post(path, await jwks.sign(validClaims, { expiresIn: '-5m' }), body)).status,
        wrongAudience: (await post(path, await jwks.sign({ ...validClaims, aud: 'https://elsewhere.example' }), body))
          .status,
        wrongIssuer: (await post(path, await jwks.sign({ ...validClaims, iss: 'https://evil.example' }), body)).status,
        wrongEmail: (await post(path, await jwks.sign({ ...validClaims, email: 'someone@gmail.com' }), body)).status,
        unverifiedEmail: (await post(path, await jwks.sign({ ...validClaims, email_verified: false }), body)).status,
      };
      expect(answers).toEqual({
        missing: 401,
        garbage: 401,
        unsigned: 401,
        otherKey: 401,
        expired: 401,
        wrongAudience: 401,
        wrongIssuer: 401,
        wrongEmail: 403,
        unverifiedEmail: 403,
      });
      expect((await jobRuns(t.database.db)).some((run) => run.note === 'must not run')).toBe(false);
    });
  });

  describe('/cron/:job', () => {
    it('runs a scheduled job for Cloud Scheduler, as of the injected clock', async () => {
      await sql`INSERT INTO sessions (id, data, expires_at) VALUES
        ('cron-old', '{}', ${new Date('2026-11-27T09:59:00Z')}),
        ('cron-live', '{}', ${new Date('2026-11-27T10:01:00Z')})`.execute(t.database.db);
      const response = await post(
        '/cron/delete-expired-sessions',
        await jwks.sign({ ...validClaims, email: 'scheduler@ssgw-prod.iam.gserviceaccount.com' }),
      );
      expect(response).toMatchObject({ status: 200, body: { ok: true } });
      const left = await t.database.db.selectFrom('sessions').select('id').where('id', 'like', 'cron-%').execute();
      expect(left.map((row) => row.id)).toEqual(['cron-live']);
    });

    it('refuses unauthenticated calls and knows only scheduled jobs', async () => {
      expect((await post('/cron/delete-expired-sessions', undefined)).status).toBe(401);
      const token = await jwks.sign(validClaims);
      expect((await post('/cron/no-such-schedule', token)).status).toBe(404);
      // A job that exists but is not on the timetable is not a cron target.
      expect((await post('/cron/test-record-note', token)).status).toBe(404);
    });
  });
});
