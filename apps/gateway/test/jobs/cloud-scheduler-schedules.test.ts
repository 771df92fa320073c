import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { schedules } from '../../src/jobs.ts';

const terraform = path.resolve(import.meta.dirname, '../../../../infra/terraform');

/** The `"job-name" = "cron"` entries of the HCL map that starts at `opening` in `text`. */
function scheduleMap(text: string, opening: RegExp): Record<string, string> {
  const start = text.search(opening);
  expect(start, `${opening} in the file`).toBeGreaterThanOrEqual(0);
  const body = text.slice(start, text.indexOf('}', start));
  return Object.fromEntries([...body.matchAll(/^\s*"([a-z-]+)"\s*=\s*"([^"]+)"/gm)].map((m) => [m[1], m[2]]));
}

/**
 * Production runs with SCHEDULES_DRIVER=cloud-scheduler: Cloud Scheduler calls /cron/<job> for
 * each entry of Terraform's `schedules`, and nothing else starts a scheduled job. So the default
 * (and the example) must hold every schedule the gateway keeps in-process, at the same time: with
 * only delete-expired-sessions, no reminder, expiry step, finance re-check, digest, directory
 * sync or near-quota warning would ever have run in production.
 */
describe('Cloud Scheduler schedules (Terraform)', () => {
  const gateway = Object.fromEntries(schedules.map((schedule) => [schedule.type.name, schedule.cron]));

  it('the default lists every gateway schedule at its in-process time', async () => {
    const variables = await readFile(path.join(terraform, 'variables.tf'), 'utf8');
    const block = variables.slice(variables.indexOf('variable "schedules"'));
    expect(scheduleMap(block, /default\s*=\s*\{/)).toEqual(gateway);
    expect(Object.keys(gateway)).toEqual(
      expect.arrayContaining([
        'nightly-lifecycle',
        'finance-code-recheck',
        'waiting-orders-digest',
        'directory-sync',
        'near-quota-warnings',
      ]),
    );
  });

  it('runs no daily job between 01:00 and 02:00 London time, which the clock changes skip or repeat', () => {
    // Cloud Scheduler (and pg-boss) run on wall-clock Europe/London: a job at 01:30 would not run on
    // the last Sunday of March and run twice on the last Sunday of October (modules/scheduler).
    const inChangingHour = schedules.filter((schedule) => {
      const [, hour] = schedule.cron.split(/\s+/);
      return hour === '1' || (hour ?? '').split(',').includes('1');
    });
    expect(inChangingHour.map((schedule) => `${schedule.type.name} ${schedule.cron}`)).toEqual([]);
  });

  it('so does the example tfvars an operator copies', async () => {
    const example = await readFile(path.join(terraform, 'terraform.tfvars.example'), 'utf8');
    expect(scheduleMap(example, /^schedules\s*=\s*\{/m)).toEqual(gateway);
  });
});
