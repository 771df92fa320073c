import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { AwaitedJobQueue } from '../../src/platform/jobs/background-jobs.ts';
import { CloudTasksJobQueue } from '../../src/platform/jobs/cloud-tasks-queue.ts';
import type { JobQueue } from '../../src/platform/jobs/jobs.ts';
import { openTestDatabase, type TestDatabase, testEngine } from '../support/test-database.ts';
import { recordNote } from './job-fixtures.ts';

describe(`a web process's job queue before it has started (${testEngine})`, () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await openTestDatabase(inject('databaseTemplate'));
  });
  afterAll(async () => {
    await database?.close();
  });

  const outboxRows = async () =>
    (await database.db.selectFrom('task_outbox').select('job').where('job', '=', recordNote.name).execute()).length;

  it('holds an enqueue until the queue has started, then writes it', async () => {
    const started = Promise.withResolvers<JobQueue>();
    const queue = new AwaitedJobQueue(started.promise, 'cloud-tasks');
    let done = false;
    const enqueued = queue.enqueue(database.db, recordNote, { note: 'early' }).then(() => {
      done = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(done).toBe(false);
    expect(await outboxRows()).toBe(0);
    started.resolve(new CloudTasksJobQueue());
    await enqueued;
    expect(await outboxRows()).toBe(1);
  });

  it('lists failed jobs only where the driver keeps them', () => {
    const never = new Promise<JobQueue>(() => {});
    expect(new AwaitedJobQueue(never, 'pg-boss').failedJobs).toBeDefined();
    expect(new AwaitedJobQueue(never, 'cloud-tasks').failedJobs).toBeUndefined();
  });
});
