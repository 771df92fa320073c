import { type NightlyLifecycleResult, runNightlyLifecycle } from '../modules/lifecycle/lifecycle.service.ts';
import type { LifecycleSettings } from '../modules/lifecycle/lifecycle-dates.ts';
import { readDay } from '../platform/calendar-day.ts';
import type { Clock } from '../platform/clock.ts';
import type { Executor } from '../platform/db/database.ts';
import type { JobQueue } from '../platform/jobs/jobs.ts';

/** What `npm run nightly` was asked: the day to run as of, and whether to answer in JSON. */
export type NightlyArguments = { asOf: string; json: boolean } | { usage: string };

export const NIGHTLY_USAGE = 'Usage: npm run nightly -- [--as-of YYYY-MM-DD] [--json]';

/**
 * `--as-of YYYY-MM-DD` (or `--as-of=…`; default the clock's today in Europe/London, and never after
 * it) and `--json`.
 */
export function parseNightlyArguments(args: readonly string[], clock: Clock): NightlyArguments {
  let asOf: string | undefined;
  let json = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? '';
    if (arg === '--json') json = true;
    else if (arg === '--as-of' || arg.startsWith('--as-of=')) {
      const value = arg === '--as-of' ? args[++i] : arg.slice('--as-of='.length);
      const reading = readDay(value ?? '');
      if (!reading.ok) {
        return {
          usage:
            reading.problem === 'shape'
              ? '--as-of needs a day as YYYY-MM-DD'
              : `--as-of ${value} is not a day of the calendar`,
        };
      }
      asOf = reading.day.toString();
    } else return { usage: arg === '--help' ? '' : `unknown argument ${arg}` };
  }
  const today = clock.today().toString();
  // A night takes steps that cannot be undone by running again (licences read-only, data to the
  // cold store, owners told their storage has expired): never before their day, so a mistyped
  // year does not expire storage that still has months to run.
  if (asOf !== undefined && asOf > today)
    return {
      usage: `--as-of ${asOf} is after today (${today}): the nightly job runs as of today or a day that has passed`,
    };
  return { asOf: asOf ?? today, json };
}

export interface NightlyCommandOptions {
  asOf: string;
  settings: LifecycleSettings;
  now: Date;
  /** Where the summary goes (stderr for a person; the JSON answer goes to stdout). */
  print: (line: string) => void;
}

/**
 * One night of the licence lifecycle, as the scheduled nightly-lifecycle job runs it (the same
 * function, the same transaction), then a summary of what it did and how long it took. Safe to
 * run again as of the same day: it then changes nothing and says so.
 */
export async function runNightlyCommand(
  db: Executor,
  jobs: JobQueue,
  options: NightlyCommandOptions,
): Promise<{ result: NightlyLifecycleResult; ms: number }> {
  options.print(`Running the nightly lifecycle job as of ${options.asOf}`);
  const started = performance.now();
  const result = await runNightlyLifecycle(db, jobs, options.asOf, options.settings, options.now);
  const ms = Math.round(performance.now() - started);
  for (const line of nightlySummary(result, ms)) options.print(line);
  return { result, ms };
}

export function nightlySummary(result: NightlyLifecycleResult, ms: number): string[] {
  const steps = result.suspended + result.cold + result.deletable;
  if (result.reminders === 0 && steps === 0)
    return [`Nothing to do as of ${result.asOf} (already run, or nothing due) (${ms} ms).`];
  return [
    `Reminders recorded: ${result.reminders}`,
    `Licences suspended: ${result.suspended}`,
    `Moved to the cold store: ${result.cold}`,
    `Became deletable: ${result.deletable}`,
    `Emails to send: ${result.emails} (queued for the send-lifecycle-notices job)`,
    `Done in ${ms} ms.`,
  ];
}
