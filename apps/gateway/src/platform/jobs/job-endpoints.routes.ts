import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { JWTVerifyGetKey } from 'jose';
import type { Clock } from '../clock.ts';
import type { Config } from '../config.ts';
import type { Executor } from '../db/database.ts';
import { createLogger } from '../logging/logger.ts';
import { CallerRefused, callerVerifier, type VerifiedCaller } from './caller-auth.ts';
import { JobRunner, PayloadRejected } from './job-runner.ts';
import type { JobQueue, JobRegistry } from './jobs.ts';

export interface JobEndpointsOptions {
  config: Config;
  db: Executor;
  clock: Clock;
  queue: JobQueue;
  registry: JobRegistry;
  /** The key set to verify tokens with; by default fetched from config.jobs.callers.jwksUrl. */
  keys?: JWTVerifyGetKey;
}

/**
 * The endpoints Google calls in the production shape: Cloud Tasks pushes each job to
 * /cloud_tasks/<job>, Cloud Scheduler calls /cron/<job>. Both authenticate the caller by its
 * Google-signed ID token; neither exists unless its driver is selected (JOBS_DRIVER=cloud-tasks,
 * SCHEDULES_DRIVER=cloud-scheduler).
 */
export async function jobEndpoints(app: FastifyInstance, options: JobEndpointsOptions): Promise<void> {
  const { config } = options;
  const cloudTasks = config.jobs.driver === 'cloud-tasks';
  const cron = config.jobs.schedules === 'cloud-scheduler';
  if (!cloudTasks && !cron) return;
  const verify = callerVerifier(config.jobs.callers, options.keys);
  const runner = new JobRunner(options.registry, {
    db: options.db,
    clock: options.clock,
    log: createLogger(config, 'jobs'),
    queue: options.queue,
  });

  async function authenticate(request: FastifyRequest, reply: FastifyReply): Promise<VerifiedCaller | undefined> {
    try {
      return await verify(request.headers.authorization);
    } catch (error) {
      if (!(error instanceof CallerRefused)) throw error;
      request.log.warn({ reason: error.reason, url: request.url }, 'job endpoint call refused');
      if (error.status === 401) reply.header('www-authenticate', 'Bearer');
      await reply.status(error.status).send({ error: { status: error.status, message: error.reason } });
      return undefined;
    }
  }

  async function run(request: FastifyRequest, reply: FastifyReply, name: string, payload: unknown, jobId: string) {
    try {
      await runner.run(name, payload, jobId);
      return reply.status(200).send({ ok: true, job: name, jobId });
    } catch (error) {
      if (error instanceof PayloadRejected) {
        request.log.error({ err: error, job: name }, 'job payload rejected');
        return reply.status(422).send({ error: { status: 422, message: error.message } });
      }
      // A 5xx tells Cloud Tasks (or Scheduler) to retry under its own retry configuration.
      request.log.error({ err: error, job: name, jobId }, 'job failed');
      return reply
        .status(500)
        .send({ error: { status: 500, message: `the job ${name} failed`, requestId: request.id } });
    }
  }

  const machineRoute = { config: { csrf: false }, bodyLimit: 262_144 };

  if (cloudTasks) {
    app.post<{ Params: { task: string } }>('/cloud_tasks/:task', machineRoute, async (request, reply) => {
      if (!(await authenticate(request, reply))) return reply;
      const name = request.params.task;
      if (!runner.has(name)) return reply.status(404).send({ error: { status: 404, message: `no job ${name}` } });
      // Cloud Tasks names the task in a header that stays the same across its retries.
      const taskName = request.headers['x-cloudtasks-taskname'];
      const jobId = typeof taskName === 'string' && taskName ? taskName : request.id;
      return run(request, reply, name, request.body ?? {}, jobId);
    });
  }

  if (cron) {
    app.post<{ Params: { job: string } }>('/cron/:job', machineRoute, async (request, reply) => {
      if (!(await authenticate(request, reply))) return reply;
      const name = request.params.job;
      if (!runner.isScheduled(name))
        return reply.status(404).send({ error: { status: 404, message: `no scheduled job ${name}` } });
      const scheduleName = request.headers['x-cloudscheduler-jobname'];
      const jobId = `${typeof scheduleName === 'string' ? scheduleName : name}:${request.id}`;
      return run(request, reply, name, {}, jobId);
    });
  }
}
