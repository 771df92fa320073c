import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { NIGHTLY_USAGE, parseNightlyArguments, runNightlyCommand } from '../../src/cli/nightly-command.ts';
import { DEFAULT_LIFECYCLE_SETTINGS as settings } from '../../src/modules/lifecycle/lifecycle-dates.ts';
import { fixedClock } from '../../src/platform/clock.ts';
import { insertStorage } from '../support/storage-fixtures.ts';
import { startTestApp, type TestApp } from '../support/test-app.ts';

/** `npm run nightly`: one night of the lifecycle job by hand, as of a day, with a summary. */
describe('nightly command', () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await startTestApp();
  });
  afterEach(async () => {
    await t.close();
  });

  it('runs the night as of the day asked, says what it did, and nothing the second time', async () => {
    const licence = (name: string, endDate: string, status: 'active' | 'suspended' = 'active') =>
      insertStorage(t.database.db, { name, owner: 'ar101', status, startDate: '2025-01-01', endDate, order: null });
    await licence('Ends in a week', '2028-01-22');
    await licence('Ended yesterday', '2028-01-14');
    await licence('Ended 40 days ago', '2027-12-06', 'suspended');

    const lines: string[] = [];
    const night = () =>
      runNightlyCommand(t.database.db, t.jobs.queue, {
        asOf: '2028-01-15',
        settings,
        now: new Date('2028-01-15T09:00:00Z'),
        print: (line) => lines.push(line),
      });
    const first = await night();
    expect(first.result).toEqual({
      asOf: '2028-01-15',
      reminders: 1,
      suspended: 1,
      cold: 1,
      deletable: 0,
      emails: 3,
    });
    expect(lines).toEqual([
      'Running the nightly lifecycle job as of 2028-01-15',
      'Reminders recorded: 1',
      'Licences suspended: 1',
      'Moved to the cold store: 1',
      'Became deletable: 0',
      'Emails to send: 3 (queued for the send-lifecycle-notices job)',
      `Done in ${first.ms} ms.`,
    ]);
    const statuses = await t.database.db
      .selectFrom('licences')
      .select(['name', 'status'])
      .where('name', 'in', ['Ends in a week', 'Ended yesterday', 'Ended 40 days ago'])
      .orderBy('name')
      .execute();
    expect(statuses).toEqual([
      { name: 'Ended 40 days ago', status: 'cold' },
      { name: 'Ended yesterday', status: 'suspended' },
      { name: 'Ends in a week', status: 'active' },
    ]);

    lines.length = 0;
    const again = await night();
    expect(again.result).toMatchObject({ reminders: 0, suspended: 0, cold: 0, deletable: 0, emails: 0 });
    expect(lines).toEqual([
      'Running the nightly lifecycle job as of 2028-01-15',
      `Nothing to do as of 2028-01-15 (already run, or nothing due) (${again.ms} ms).`,
    ]);
  });
});

describe('nightly command arguments', () => {
  it('takes --as-of, or else today in Europe/London, and refuses what is not a day or is a day to come', () => {
    // 23:30 UTC on 31 March is already 1 April in London (summer time)
    const clock = fixedClock('2027-03-31T23:30:00Z');
    expect(parseNightlyArguments([], clock)).toEqual({ asOf: '2027-04-01', json: false });
    expect(parseNightlyArguments(['--as-of', '2026-11-01', '--json'], clock)).toEqual({
      asOf: '2026-11-01',
      json: true,
    });
    expect(parseNightlyArguments(['--as-of=2026-11-02'], clock)).toEqual({ asOf: '2026-11-02', json: false });
    expect(parseNightlyArguments(['--as-of'], clock)).toEqual({ usage: '--as-of needs a day as YYYY-MM-DD' });
    expect(parseNightlyArguments(['--as-of', '2026-02-30'], clock)).toEqual({
      usage: '--as-of 2026-02-30 is not a day of the calendar',
    });
    // Never a day to come: its steps (read-only, cold store, 'your storage has expired') cannot be undone.
    expect(parseNightlyArguments(['--as-of', '2027-04-01'], clock)).toEqual({ asOf: '2027-04-01', json: false });
    expect(parseNightlyArguments(['--as-of', '2027-04-02'], clock)).toEqual({
      usage:
        '--as-of 2027-04-02 is after today (2027-04-01): the nightly job runs as of today or a day that has passed',
    });
    expect(parseNightlyArguments(['--as-of=2028-02-29'], clock)).toEqual({
      usage:
        '--as-of 2028-02-29 is after today (2027-04-01): the nightly job runs as of today or a day that has passed',
    });
    expect(parseNightlyArguments(['2026-11-01'], clock)).toEqual({ usage: 'unknown argument 2026-11-01' });
    expect(parseNightlyArguments(['--help'], clock)).toEqual({ usage: '' });
    expect(NIGHTLY_USAGE).toContain('npm run nightly -- [--as-of YYYY-MM-DD]');
  });
});
