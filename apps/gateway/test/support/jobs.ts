import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import pino from 'pino';
import type { BackgroundJobs } from '../../src/platform/jobs/background-jobs.ts';
import type { TaskDispatcher, TaskToDispatch } from '../../src/platform/jobs/cloud-tasks-queue.ts';
import { JobWorker, PG_BOSS_SCHEMA } from '../../src/platform/jobs/pg-boss-queue.ts';

export interface DrainOptions {
  /** Run retries and deferred jobs now rather than at their time (backoff is checked separately). */
  includeDelayed?: boolean;
  timeoutMs?: number;
}

/**
 * Runs queued jobs with the real worker until nothing is left to run (Twenty's drain pattern):
 * jobs that enqueue more jobs are drained too. Throws if the queues do not settle in time.
 */
export async function drainJobs(jobs: BackgroundJobs, options: DrainOptions = {}): Promise<void> {
  const boss = jobs.boss;
  if (!boss) throw new Error('drainJobs needs the pg-boss driver');
  const names = jobs.runner.jobNames;
  const worker = new JobWorker(boss, jobs.runner, {
    concurrency: 1,
    pollingIntervalSeconds: 0.5,
    log: pino({ level: 'silent' }),
  });
  const workerIds = await worker.start({ ignoreStartAfter: options.includeDelayed ?? false });
  const deadline = Date.now() + (options.timeoutMs ?? 15_000);
  try {
    for (;;) {
      if (options.includeDelayed) {
        // pg-boss (12.38) does not hand work()'s ignoreStartAfter on to its fetches, so make the
        // waiting jobs due instead, each round, as later jobs may be enqueued with a delay too.
        await boss.getDb().executeSql(
          `UPDATE ${PG_BOSS_SCHEMA}.job SET start_after = now()
            WHERE name = ANY($1::text[]) AND state IN ('created', 'retry') AND start_after > now()`,
          [names],
        );
      }
      const { rows } = await boss.getDb().executeSql(
        `SELECT count(*)::int AS pending FROM ${PG_BOSS_SCHEMA}.job
          WHERE name = ANY($1::text[])
            AND (state = 'active' OR (state IN ('created', 'retry') AND ($2::boolean OR start_after <= now())))`,
        [names, options.includeDelayed ?? false],
      );
      if (Number((rows[0] as { pending: number }).pending) === 0) return;
      if (Date.now() > deadline) throw new Error(`jobs still pending after ${options.timeoutMs ?? 15_000} ms`);
      // Wake the loops rather than wait out their polling interval.
      for (const id of workerIds) boss.notifyWorker(id);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  } finally {
    await worker.stop();
  }
}

/** Pushes outbox tasks to the app over real HTTP, the way Cloud Tasks would, with a token from `sign`. */
export class HttpTaskDispatcher implements TaskDispatcher {
  baseUrl = '';
  readonly pushed: TaskToDispatch[] = [];

  constructor(private readonly sign: () => Promise<string>) {}

  async dispatch(task: TaskToDispatch): Promise<void> {
    if (!this.baseUrl) throw new Error('HttpTaskDispatcher has no baseUrl yet');
    this.pushed.push(task);
    const response = await fetch(`${this.baseUrl}/cloud_tasks/${encodeURIComponent(task.job)}`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${await this.sign()}`,
        'content-type': 'application/json',
        'x-cloudtasks-taskname': task.taskId,
      },
      body: JSON.stringify(task.payload),
    });
    // Cloud Tasks accepts the task whatever the handler answers; the answer only drives its retries.
    await response.arrayBuffer();
  }
}

/** A stand-in for Google's certificate endpoint: a real HTTP JWKS and a key to sign ID tokens with. */
export async function startJwksServer(): Promise<{
  url: string;
  sign(claims: Record<string, unknown>, options?: { expiresIn?: string; privateKey?: CryptoKey }): Promise<string>;
  close(): Promise<void>;
}> {
  const { privateKey, publicKey } = await generateKeyPair('RS256');
  const jwk = { ...(await exportJWK(publicKey)), kid: 'test-key', alg: 'RS256', use: 'sig' };
  const server = createServer((request, response) => {
    if (request.url !== '/oauth2/v3/certs') {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [jwk] }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/oauth2/v3/certs`,
    sign: (claims, options = {}) =>
      new SignJWT(claims)
        .setProtectedHeader({ alg: 'RS256', kid: 'test-key' })
        .setIssuedAt()
        .setExpirationTime(options.expiresIn ?? '5m')
        .sign(options.privateKey ?? privateKey),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
