import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createJobRegistry, type JobServices, schedules } from '../../src/jobs.ts';
import { DEFAULT_RETRY } from '../../src/platform/jobs/jobs.ts';

const terraform = path.resolve(import.meta.dirname, '../../../../infra/terraform');

/** The numbers of the `tasks_retry` variable's default in variables.tf. */
async function queueRetry(): Promise<Record<string, number>> {
  const variables = await readFile(path.join(terraform, 'variables.tf'), 'utf8');
  const block = variables.slice(variables.indexOf('variable "tasks_retry"'));
  const defaults = block.slice(block.indexOf('default = {'), block.indexOf('}', block.indexOf('default = {')));
  return Object.fromEntries([...defaults.matchAll(/^\s*([a-z_]+)\s*=\s*(\d+)/gm)].map((m) => [m[1], Number(m[2])]));
}

/**
 * The attempts Cloud Tasks makes and the seconds from the first to the last. Retries are spaced
 * from min_backoff, doubling max_doublings times, then growing by min_backoff × 2^max_doublings
 * each time, never more than max_backoff (Google's example: 10, 20, 40, 80, 160, 240, 300, 300 s);
 * Cloud Tasks stops only once a task has had max_attempts AND max_retry_duration has passed.
 */
function cloudTasksRetries(q: Record<string, number>): { attempts: number; span: number } {
  const [minBackoff, maxBackoff, doublings] = [
    q.min_backoff_seconds ?? 0,
    q.max_backoff_seconds ?? 0,
    q.max_doublings ?? 0,
  ];
  let attempts = 1;
  let span = 0;
  let interval = minBackoff;
  while (
    (attempts < (q.max_attempts ?? 0) ||
      span + Math.min(interval, maxBackoff) <= (q.max_retry_duration_seconds ?? 0)) &&
    attempts < 100_000
  ) {
    span += Math.min(interval, maxBackoff);
    attempts++;
    interval = attempts - 1 <= doublings ? interval * 2 : interval + minBackoff * 2 ** doublings;
  }
  return { attempts, span };
}

/**
 * In production (JOBS_DRIVER=cloud-tasks) a job's own retry policy is not used: the Cloud Tasks
 * queue retries every task under its one policy and then drops it, with no failed-jobs list. So
 * the queue must retry each job at least as often, and for at least as long, as its type asks
 * (send-email: 10 retries over about 8.5 hours), or an SMTP relay, provisioner or CUFS outage would
 * lose the emails, group syncs or re-checks sent during it.
 */
describe('the Cloud Tasks queue retry (Terraform tasks_retry)', () => {
  const registry = createJobRegistry({} as JobServices);

  it('gives every job type at least the tries, and the time, its own retry policy asks for', async () => {
    const q = await queueRetry();
    const short: string[] = [];
    for (const { type } of registry.handlers) {
      const retry = type.retry ?? DEFAULT_RETRY;
      // pg-boss waits delay × 2^n to twice that before retry n+1 (with backoff), else delay.
      const asked = retry.backoff ? retry.delaySeconds * (2 ** retry.limit - 1) : retry.delaySeconds * retry.limit;
      const attempts = retry.limit + 1;
      const queue = cloudTasksRetries(q);
      if (queue.attempts < attempts || queue.span < asked)
        short.push(`${type.name}: ${attempts} tries over ${asked} s`);
    }
    expect(short).toEqual([]);
  });

  it('spaces retries as Google documents it, and stops when both limits are reached', () => {
    const q = { min_backoff_seconds: 10, max_backoff_seconds: 300, max_doublings: 3, max_retry_duration_seconds: 0 };
    const spans = [1, 2, 3, 4, 5, 6, 7, 8, 9].map((max_attempts) => cloudTasksRetries({ ...q, max_attempts }).span);
    expect(spans).toEqual([0, 10, 30, 70, 150, 310, 550, 850, 1150]);
    // Five attempts, but not before an hour has passed: 10, 20, 40, 80, 160, 240 s, then 300 s
    // apart until the next would fall after the hour (3,550 s: the 17th attempt).
    expect(cloudTasksRetries({ ...q, max_attempts: 5, max_retry_duration_seconds: 3600 })).toEqual({
      attempts: 17,
      span: 3550,
    });
  });

  it('the docs say what the queue does', async () => {
    const q = await queueRetry();
    const docs = await readFile(path.resolve(terraform, '../../docs/operations/deployment.md'), 'utf8');
    expect(docs).toContain(
      `retries from ${q.min_backoff_seconds} s, doubling, then every ${(q.max_backoff_seconds ?? 0) / 60} min until ${(q.max_retry_duration_seconds ?? 0) / 3600} h have passed`,
    );
  });
});

/** The retry_config of the scheduler module's jobs, in seconds. */
async function schedulerRetry(): Promise<Record<string, number>> {
  const module = await readFile(path.join(terraform, 'modules/scheduler/main.tf'), 'utf8');
  const block = module.slice(module.indexOf('retry_config {'), module.indexOf('}', module.indexOf('retry_config {')));
  const value = (name: string) => Number(new RegExp(`${name}\\s*=\\s*"?(\\d+)`).exec(block)?.[1]);
  return {
    // Cloud Scheduler: retry_count retries (at most 5), with no time limit unless max_retry_duration is set.
    max_attempts: value('retry_count') + 1,
    min_backoff_seconds: value('min_backoff_duration'),
    max_backoff_seconds: value('max_backoff_duration'),
    max_doublings: value('max_doublings'),
    max_retry_duration_seconds: 0,
  };
}

/**
 * A scheduled job is no task: with SCHEDULES_DRIVER=cloud-scheduler, Cloud Scheduler calls /cron/<job>
 * and, when the call fails, retries it under the scheduler module's retry_config, nothing else.
 * With 2 retries 30 s and 60 s later, a failover of a minute or two at 02:15 cost a night's
 * lifecycle steps (reminders a day late) and, on a Monday at 08:00, the week's digest.
 */
describe('the Cloud Scheduler retry (modules/scheduler)', () => {
  it("retries every scheduled job at least as often and as long as its type's own policy asks", async () => {
    const q = await schedulerRetry();
    expect(q.max_attempts).toBeLessThanOrEqual(6);
    const short: string[] = [];
    for (const { type } of schedules) {
      const retry = type.retry ?? DEFAULT_RETRY;
      const asked = retry.backoff ? retry.delaySeconds * (2 ** retry.limit - 1) : retry.delaySeconds * retry.limit;
      const scheduler = cloudTasksRetries(q);
      if (scheduler.attempts < retry.limit + 1 || scheduler.span < asked)
        short.push(`${type.name}: ${retry.limit + 1} tries over ${asked} s`);
    }
    expect(short).toEqual([]);
  });
});
