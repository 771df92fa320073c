import { setTimeout as sleep } from 'node:timers/promises';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GoogleCloudTasksDispatcher, TaskOutboxSweeper } from '../../src/platform/jobs/cloud-tasks-queue.ts';
import { startTestApp, type TestApp } from '../support/test-app.ts';
import { testEngine } from '../support/test-database.ts';
import { recordNote, testRegistry } from './job-fixtures.ts';

const QUEUE = 'projects/ssgw-prod/locations/europe-west2/queues/gateway';
const CALLER = 'cloud-tasks@ssgw-prod.iam.gserviceaccount.com';

let t: TestApp;
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);

beforeAll(async () => {
  // No Google credentials: the client fails at once, without the network, as on a machine (or a
  // mis-deployed service) that has none.
  process.env.GOOGLE_APPLICATION_CREDENTIALS = '/nonexistent/ssgw-test-credentials.json';
  process.on('unhandledRejection', onUnhandled);
  t = await startTestApp({
    env: {
      JOBS_DRIVER: 'cloud-tasks',
      CLOUD_TASKS_QUEUE: QUEUE,
      CLOUD_TASKS_SERVICE_ACCOUNT: CALLER,
      TASKS_ALLOWED_CALLERS: CALLER,
      TASKS_AUDIENCE: 'https://storage.example.ac.uk',
    },
    jobRegistry: testRegistry(),
    taskDispatcher: new GoogleCloudTasksDispatcher({
      queue: QUEUE,
      publicUrl: 'https://storage.example.ac.uk',
      serviceAccountEmail: CALLER,
      audience: 'https://storage.example.ac.uk',
    }),
  });
  await t.jobs.sweeper?.stop();
});
afterAll(async () => {
  process.off('unhandledRejection', onUnhandled);
  delete process.env.GOOGLE_APPLICATION_CREDENTIALS;
  await t?.close();
});

describe(`Cloud Tasks push without Google credentials (${testEngine})`, () => {
  it('fails the push, keeps the error on the outbox row, and leaves no promise unhandled', async () => {
    await t.database.db.transaction().execute(async (trx) => {
      await t.jobs.queue.enqueue(trx, recordNote, { note: 'no credentials' });
    });
    const dispatcher = new GoogleCloudTasksDispatcher({
      queue: QUEUE,
      publicUrl: 'https://storage.example.ac.uk',
      serviceAccountEmail: CALLER,
      audience: 'https://storage.example.ac.uk',
    });
    const sweeper = new TaskOutboxSweeper(t.database.db, dispatcher, {
      log: pino({ level: 'silent' }),
      leaseSeconds: 0,
    });
    // Twice: the second push reuses (or replaces) the client whose credentials failed.
    expect(await sweeper.sweepOnce()).toEqual({ dispatched: 0, failed: 1 });
    expect(await sweeper.sweepOnce()).toEqual({ dispatched: 0, failed: 1 });
    await sleep(200);

    const [row] = await t.database.db.selectFrom('task_outbox').selectAll().execute();
    expect(row?.dispatched_at).toBeNull();
    expect(row?.last_error).toMatch(/credential/i);
    expect(unhandled).toEqual([]);
  });
});
