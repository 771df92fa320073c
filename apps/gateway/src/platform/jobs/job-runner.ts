import type { Logger } from 'pino';
import type { Clock } from '../clock.ts';
import type { Executor } from '../db/database.ts';
import { withCorrelationId } from '../logging/correlation.ts';
import type { AnyJobHandler, JobQueue, JobRegistry } from './jobs.ts';

/** The payload did not match its job type's schema: running it again cannot help. */
export class PayloadRejected extends Error {
  constructor(
    readonly jobName: string,
    readonly issues: string[],
  ) {
    super(`the payload of ${jobName} does not match its schema: ${issues.join('; ')}`);
    this.name = 'PayloadRejected';
  }
}

export class UnknownJob extends Error {
  constructor(readonly jobName: string) {
    super(`no handler is registered for the job ${jobName}`);
    this.name = 'UnknownJob';
  }
}

export interface JobRunnerDependencies {
  db: Executor;
  clock: Clock;
  log: Logger;
  queue: JobQueue;
}

/**
 * Runs one job by name, whichever driver delivered it (a pg-boss worker, a Cloud Tasks push, a
 * Cloud Scheduler call): parses the payload with the job type's schema before the handler sees it,
 * and gives the handler its context.
 */
export class JobRunner {
  private readonly handlers: ReadonlyMap<string, AnyJobHandler>;

  constructor(
    readonly registry: JobRegistry,
    private readonly deps: JobRunnerDependencies,
  ) {
    const handlers = new Map<string, AnyJobHandler>();
    for (const handler of registry.handlers) {
      if (handlers.has(handler.type.name)) throw new Error(`two handlers for the job ${handler.type.name}`);
      handlers.set(handler.type.name, handler);
    }
    for (const schedule of registry.schedules) {
      if (!handlers.has(schedule.type.name)) throw new Error(`the schedule ${schedule.type.name} has no handler`);
    }
    this.handlers = handlers;
  }

  get jobNames(): string[] {
    return [...this.handlers.keys()];
  }

  has(name: string): boolean {
    return this.handlers.has(name);
  }

  isScheduled(name: string): boolean {
    return this.registry.schedules.some((schedule) => schedule.type.name === name);
  }

  async run(name: string, payload: unknown, jobId: string): Promise<void> {
    const handler = this.handlers.get(name);
    if (!handler) throw new UnknownJob(name);
    const parsed = handler.type.payload.safeParse(payload);
    if (!parsed.success) {
      throw new PayloadRejected(
        name,
        parsed.error.issues.map((issue) => `${issue.path.join('.') || 'payload'}: ${issue.message}`),
      );
    }
    const log = this.deps.log.child({ job: name, jobId });
    const started = performance.now();
    // A job's calls to other services carry its id, as a request's carry the request's.
    await withCorrelationId(jobId, () =>
      handler.handle(parsed.data, {
        db: this.deps.db,
        clock: this.deps.clock,
        log,
        queue: this.deps.queue,
        jobId,
      }),
    );
    log.debug({ ms: Math.round(performance.now() - started) }, 'job done');
  }
}
