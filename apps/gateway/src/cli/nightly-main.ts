// npm run nightly -- [--as-of YYYY-MM-DD] [--json]
// Runs the nightly licence lifecycle job once, in this process, on the configured database: the
// reminders due and the expiry steps as of the day (default today in Europe/London), as the
// scheduled nightly-lifecycle job does; for catching up after an outage or running a day again
// (a second run as of the same day changes nothing). The emails and the storage steps it finds
// are queued as jobs (pg-boss or the Cloud Tasks outbox, as configured) for the gateway's workers.
// The build bundles it (apps/gateway/dist/nightly.bundle.js, entry nightly.ts) so that it starts quickly.
import { sendLifecycleNoticesJob } from '../modules/lifecycle/lifecycle-mail.ts';
import { tellStorageStepsJob } from '../modules/provisioning/storage-steps.jobs.ts';
import { systemClock } from '../platform/clock.ts';
import type { Config } from '../platform/config.ts';
import type { DatabaseHandle } from '../platform/db/database.ts';
import { CloudTasksJobQueue } from '../platform/jobs/cloud-tasks-queue.ts';
import type { JobQueue } from '../platform/jobs/jobs.ts';
import { runCommand, withCommandDatabase } from './cli-support.ts';
import { NIGHTLY_USAGE, parseNightlyArguments, runNightlyCommand } from './nightly-command.ts';

async function main(): Promise<number> {
  const args = parseNightlyArguments(process.argv.slice(2), systemClock);
  if ('usage' in args) {
    if (args.usage) console.error(args.usage);
    console.error(NIGHTLY_USAGE);
    return 2;
  }
  return withCommandDatabase(async (db, { config, database }) => {
    const jobs = await commandJobQueue(config, database);
    try {
      const { result, ms } = await runNightlyCommand(db, jobs.queue, {
        asOf: args.asOf,
        settings: config.lifecycle,
        now: systemClock.now(),
        print: (line) => console.error(line),
      });
      if (args.json) process.stdout.write(`${JSON.stringify({ ...result, ms })}\n`);
      return 0;
    } finally {
      await jobs.stop();
    }
  });
}

/**
 * The jobs the night enqueues, on the configured driver: on Cloud Tasks an outbox row the
 * gateway's sweeper pushes; on pg-boss a job row, so pg-boss is started here, to send only (no
 * schedules, no maintenance), with the night's two queues in place, and stopped after.
 */
async function commandJobQueue(
  config: Config,
  database: DatabaseHandle,
): Promise<{ queue: JobQueue; stop(): Promise<void> }> {
  if (config.jobs.driver === 'cloud-tasks') return { queue: new CloudTasksJobQueue(), stop: async () => {} };
  const [pgBoss, { createLogger }] = await Promise.all([
    import('../platform/jobs/pg-boss-queue.ts'),
    import('../platform/logging/logger.ts'),
  ]);
  const boss = await pgBoss.startPgBoss(database, {
    schedule: false,
    supervise: false,
    log: createLogger(config, 'nightly'),
    instanceName: 'gateway-nightly-command',
  });
  await pgBoss.prepareQueues(boss, [sendLifecycleNoticesJob, tellStorageStepsJob]);
  return { queue: new pgBoss.PgBossJobQueue(boss), stop: () => boss.stop({ graceful: true, timeout: 20_000 }) };
}

runCommand(main);
