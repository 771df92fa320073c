import { sql } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it, onTestFinished } from 'vitest';
import { systemActor } from '../../src/modules/audit/audit.repository.ts';
import { nearQuotaWarningsJob } from '../../src/modules/usage/usage.jobs.ts';
import { importUsageReadings, runNearQuotaWarnings } from '../../src/modules/usage/usage.service.ts';
import { DEFAULT_USAGE_SETTINGS } from '../../src/modules/usage/usage-readings.ts';
import { siteLinks } from '../../src/platform/config.ts';
import { drainJobs } from '../support/jobs.ts';
import { insertStorage } from '../support/storage-fixtures.ts';
import { Browser, startTestApp, type TestApp } from '../support/test-app.ts';

const TB = 1_000_000_000_000;

/**
 * The nightly near-quota warnings (90% by default, from readings of the last 7 days): who is told,
 * once per person per run, never twice for a licence until it is re-armed by usage dropping below
 * the threshold or the size growing; and the usage chart on the licence page.
 */
describe('near-quota warnings and the usage chart', () => {
  let t: TestApp;
  let imaging: { licenceId: number; projectIds: number[] };
  let spectra: { licenceId: number; projectIds: number[] };
  /** Emails before this id belong to earlier tests. */
  let firstMailId = 0;

  beforeAll(async () => {
    t = await startTestApp();
    imaging = await insertStorage(t.database.db, {
      name: 'Imaging',
      owner: 'ar101',
      managers: ['bm202', 'da303'],
      status: 'active',
      sizeTb: 10,
      projects: [
        { name: 'raw', quotaTb: 6, status: 'active', members: [{ crsid: 'cb404', role: 'project-data-user' }] },
        { name: 'processed', quotaTb: 4, status: 'active' },
      ],
    });
    spectra = await insertStorage(t.database.db, {
      name: 'Spectra',
      owner: 'ar101',
      status: 'active',
      sizeTb: 5,
      projects: [{ name: 'spectra', status: 'active' }],
    });
    const others = await Promise.all(
      (
        [
          ['Below', 'active'],
          ['Expired', 'suspended'],
          ['Stale', 'active'],
          ['Fresh enough', 'active'],
        ] as const
      ).map(([name, status]) =>
        insertStorage(t.database.db, {
          name,
          owner: 'bm202',
          status,
          sizeTb: 10,
          projects: [{ name: 'only', status: 'active' }],
        }),
      ),
    );
    const paths: Array<[number | undefined, string]> = [
      [imaging.projectIds[0], '/rds/imaging/raw'],
      [imaging.projectIds[1], '/rds/imaging/processed'],
      [spectra.projectIds[0], '/rds/spectra'],
      ...others.map((o, i): [number | undefined, string] => [o.projectIds[0], `/rds/other-${i}`]),
    ];
    for (const [id, path] of paths) {
      await sql`UPDATE storage_projects SET path = ${path} WHERE id = ${id}`.execute(t.database.db);
    }
    // Dr Chemistry has left the University: no more emails to them
    await sql`UPDATE people SET status = 'left' WHERE crsid = 'da303'`.execute(t.database.db);
  });
  afterAll(() => t?.close());

  // each test starts from the same readings, with no warnings
  beforeEach(async () => {
    const db = t.database.db;
    await sql`DELETE FROM usage_warnings`.execute(db);
    await sql`DELETE FROM usage_readings`.execute(db);
    await sql`DELETE FROM audit_events WHERE action LIKE 'near-quota%'`.execute(db);
    await sql`UPDATE licences SET size_tb = 10 WHERE id = ${imaging.licenceId}`.execute(db);
    const last = await sql<{ id: number | null }>`SELECT max(id) AS id FROM mail_outbox`.execute(db);
    firstMailId = Number(last.rows[0]?.id ?? 0) + 1;
    await read('2026-11-27', [
      ['/rds/imaging/raw', '2026-11-01', 1 * TB], // older: the later reading counts
      ['/rds/imaging/raw', '2026-11-25', 5.5 * TB],
      ['/rds/imaging/processed', '2026-11-27', 3.6 * TB], // 9.1 of 10 TB
      ['/rds/spectra', '2026-11-27', 4.5 * TB], // exactly 90%
      ['/rds/other-0', '2026-11-27', 8.99 * TB], // below
      ['/rds/other-1', '2026-11-27', 9.9 * TB], // suspended: not warned
      ['/rds/other-2', '2026-11-20', 9.9 * TB], // 7 days old: too old to count
      ['/rds/other-3', '2026-11-21', 9.5 * TB], // 6 days old: counts
    ]);
  });

  async function read(today: string, rows: Array<[string, string, number]>) {
    const result = await importUsageReadings(
      t.database.db,
      rows.map(([path, readOn, usedBytes], i) => ({ line: i + 1, path, readOn, usedBytes })),
      { today, source: 'test', actor: systemActor('test'), services: ['research', 'institutional'] },
    );
    expect(result.rejected).toEqual([]);
  }

  const run = (asOf: string) =>
    runNearQuotaWarnings(t.database.db, t.jobs.queue, asOf, DEFAULT_USAGE_SETTINGS, siteLinks(t.config));

  const mail = () =>
    t.database.db
      .selectFrom('mail_outbox')
      .select(['to_addresses', 'subject', 'text_body'])
      .where('template', '=', 'near-quota')
      .where('id', '>=', firstMailId)
      .orderBy('id')
      .execute();

  async function emailOf(crsid: string): Promise<string> {
    const row = await t.database.db
      .selectFrom('people')
      .select('email')
      .where('crsid', '=', crsid)
      .executeTakeFirstOrThrow();
    return row.email;
  }

  // first, so that no other test's emails wait in the queue
  it('runs as the scheduled job, once', async () => {
    await t.jobs.queue.enqueue(t.database.db, nearQuotaWarningsJob, {});
    await t.jobs.queue.enqueue(t.database.db, nearQuotaWarningsJob, {});
    await drainJobs(t.jobs, { timeoutMs: 60_000 });
    expect(await mail()).toHaveLength(2);
  });

  it('emails each Data Owner and Data Manager once, listing their licences near quota; a second run sends nothing', async () => {
    expect(await run('2026-11-27')).toEqual({ asOf: '2026-11-27', rearmed: 0, warned: 3, emails: 2 });
    const [owner, manager] = await mail();
    expect(owner?.to_addresses).toEqual([await emailOf('ar101')]);
    expect(owner?.subject).toBe('Your storage licences are nearly full');
    expect(owner?.text_body).toContain(
      `- “Imaging”: 9.1 TB of 10 TB used (91%) on 27 November 2026: ${t.config.publicUrl}/storage/licence/${imaging.licenceId}/change/increase/`,
    );
    expect(owner?.text_body).toContain('- “Spectra”: 4.5 TB of 5 TB used (90%) on 27 November 2026');
    expect(owner?.text_body).toContain('Each link above increases the size of its licence');
    // bm202 manages Imaging and owns "Fresh enough"; not Below, Expired nor Stale
    expect(manager?.to_addresses).toEqual([await emailOf('bm202')]);
    expect(manager?.text_body).toContain('“Imaging”');
    expect(manager?.text_body).toContain('- “Fresh enough”: 9.5 TB of 10 TB used (95%) on 21 November 2026');
    for (const name of ['Below', 'Expired', 'Stale', 'Spectra']) expect(manager?.text_body).not.toContain(`"${name}"`);
    expect(await mail()).toHaveLength(2); // none to da303, who has left

    const audit = await t.database.db
      .selectFrom('audit_events')
      .select(['licence_id', 'action', 'actor_label'])
      .where('action', '=', 'near-quota warning sent')
      .orderBy('licence_id')
      .execute();
    expect(audit.map((a) => a.licence_id)).toEqual(expect.arrayContaining([imaging.licenceId, spectra.licenceId]));
    expect(audit).toHaveLength(3);

    // again, the same day and the next: nothing changes, nothing is sent
    expect(await run('2026-11-27')).toEqual({ asOf: '2026-11-27', rearmed: 0, warned: 0, emails: 0 });
    expect(await run('2026-11-28')).toEqual({ asOf: '2026-11-28', rearmed: 0, warned: 0, emails: 0 });
    expect(await mail()).toHaveLength(2);
  });

  it('warns again only after usage has dropped below the threshold or the size has grown', async () => {
    await run('2026-11-27');
    const sent = (await mail()).length;

    // Spectra drops to 80% across the month end: re-armed, nobody told
    await read('2026-12-01', [['/rds/spectra', '2026-12-01', 4 * TB]]);
    expect(await run('2026-12-01')).toMatchObject({ rearmed: 1, warned: 0, emails: 0 });
    // and fills up again: warned again, to its owner alone
    await read('2026-12-02', [['/rds/spectra', '2026-12-02', 4.6 * TB]]);
    expect(await run('2026-12-02')).toMatchObject({ rearmed: 0, warned: 1, emails: 1 });
    const spectraAgain = (await mail()).at(-1);
    expect(spectraAgain?.to_addresses).toEqual([await emailOf('ar101')]);
    expect(spectraAgain?.subject).toBe('Your storage licence is nearly full');
    expect(spectraAgain?.text_body).toContain('“Spectra”: 4.6 TB of 5 TB used (92%) on 2 December 2026');

    // Imaging grows from 10 to 11 TB but is still over 90% of it: re-armed and warned in one run
    await read('2026-12-02', [['/rds/imaging/raw', '2026-12-02', 6.9 * TB]]); // 6.9 + 3.6 = 10.5 TB
    await sql`UPDATE licences SET size_tb = 11 WHERE id = ${imaging.licenceId}`.execute(t.database.db);
    expect(await run('2026-12-02')).toMatchObject({ rearmed: 1, warned: 1, emails: 2 });
    expect((await mail()).slice(-2).map((m) => m.text_body.includes('“Imaging”: 10.5 TB of 11 TB used (95%)'))).toEqual(
      [true, true],
    );
    expect(await run('2026-12-02')).toMatchObject({ rearmed: 0, warned: 0, emails: 0 });
    expect(await mail()).toHaveLength(sent + 3);

    const rearms = await t.database.db
      .selectFrom('audit_events')
      .select('action')
      .where('action', 'like', 'near-quota warning re-armed%')
      .orderBy('id')
      .execute();
    expect(rearms.map((r) => r.action)).toEqual([
      'near-quota warning re-armed: usage below the threshold',
      'near-quota warning re-armed: size grown',
    ]);
  });

  it('a licence whose readings stop keeps its warning; 29 February counts as a day', async () => {
    await read('2028-02-29', [['/rds/spectra', '2028-02-29', 4.8 * TB]]);
    expect(await run('2028-02-29')).toMatchObject({ warned: 1, emails: 1 });
    // 7 days later no reading is fresh enough (the last is from 29 February): nothing re-armed or sent
    expect(await run('2028-03-07')).toMatchObject({ rearmed: 0, warned: 0, emails: 0 });
    const open = await t.database.db
      .selectFrom('usage_warnings')
      .select(['licence_id', 'warned_on', 'read_on', 'used_bytes', 'size_tb'])
      .where('rearmed_on', 'is', null)
      .where('licence_id', '=', spectra.licenceId)
      .execute();
    expect(open).toEqual([
      {
        licence_id: spectra.licenceId,
        warned_on: '2028-02-29',
        read_on: '2028-02-29',
        used_bytes: 4.8 * TB,
        size_tb: 5,
      },
    ]);
  });

  it('shows the usage chart, its numbers as a table, and each project beside its quota', async () => {
    const browser = new Browser(t.app);
    await browser.signInAs('ar101');
    const page = await browser.get(`/storage/licence/${imaging.licenceId}/`);
    expect(page.statusCode).toBe(200);
    const body = page.body.replace(/\s+/g, ' ');
    expect(body).toContain('<h2 id="usage">Usage</h2>');
    expect(body).toMatch(/<svg [^>]*role="img"[^>]*aria-labelledby="usage-chart-title usage-chart-desc"/);
    expect(body).toContain('<title id="usage-chart-title">Usage over the last 12 months</title>');
    expect(body).toContain(
      'From 1.0 TB on 1 November 2026 to 9.1 TB on 27 November 2026, of a size of 10 TB. The near-quota warning is sent at 90% (9.0 TB).',
    );
    expect(body).toContain(
      '<figcaption>9.1 TB of 10 TB used (91%) on 27 November 2026. The near-quota warning is sent at 90% (9.0 TB).</figcaption>',
    );
    // the chart's top is 110% of the larger of size and usage (11 TB): 9 TB is 9/11 up its 204 px from y 220
    expect(warningLine(body)).toEqual({ y: '53.1', label: 'Warning at 90%' });
    expect(body).toContain(
      '<caption class="visually-hidden">Usage of this licence, oldest first. The near-quota warning is sent at 90% (9.0 TB).</caption>',
    );
    expect(body).toContain('<summary>The 3 readings as a table</summary>');
    // each day: every project's latest reading up to it, summed
    for (const [day, used, percent] of [
      ['1 November 2026', '1.0 TB', '10%'],
      ['25 November 2026', '5.5 TB', '55%'],
      ['27 November 2026', '9.1 TB', '91%'],
    ]) {
      expect(body).toMatch(new RegExp(`<td><time [^>]+>${day}</time></td><td>${used}</td><td>${percent}</td>`));
    }
    expect(body).toContain('<th scope="col">Used</th>');
    expect(body).toContain('<td>5.5 TB (91%) on 25 November 2026</td>'); // raw: 5.5 of 6 TB
    expect(body).toContain('<td>3.6 TB (90%) on 27 November 2026</td>'); // processed: 3.6 of 4 TB

    // a licence with no readings says so
    const below = await browser.get(`/storage/licence/${spectra.licenceId}/`);
    expect(below.body).toContain('4.5 TB of 5 TB used (90%) on 27 November 2026');

    // the storage team sees the same chart on the back office's licence page
    const staff = new Browser(t.app);
    await staff.signInAs('rs501');
    const admin = await staff.get(`/admin/licences/${imaging.licenceId}/`);
    expect(admin.statusCode).toBe(200);
    const adminBody = admin.body.replace(/\s+/g, ' ');
    expect(adminBody).toContain(
      '9.1 TB of 10 TB used (91%) on 27 November 2026. The near-quota warning is sent at 90%',
    );
    expect(warningLine(adminBody)).toEqual({ y: '53.1', label: 'Warning at 90%' });

    // a project member sees their project's usage, not the licence's chart
    const member = new Browser(t.app);
    await member.signInAs('cb404');
    const limited = await member.get(`/storage/licence/${imaging.licenceId}/`);
    expect(limited.statusCode).toBe(200);
    expect(limited.body).not.toContain('<svg');
    expect(limited.body).toContain('5.5 TB (91%) on 25 November 2026');
  });

  it('says on the licence page when a licence is nearly full or full, with a link to increase it', async () => {
    const browser = new Browser(t.app);
    await browser.signInAs('ar101');
    const page = async (licenceId: number) =>
      (await browser.get(`/storage/licence/${licenceId}/`)).body.replace(/\s+/g, ' ');
    const notice = (body: string) => /<p class="notice notice--warning" role="status">(.*?)<\/p>/.exec(body)?.[1];

    // Imaging, with a term so that it takes an increase: 9.1 of 10 TB, over the 90% threshold
    await sql`UPDATE licences SET start_date = '2026-01-01', end_date = '2028-12-31' WHERE id = ${imaging.licenceId}`.execute(
      t.database.db,
    );
    onTestFinished(async () => {
      await sql`UPDATE licences SET start_date = NULL, end_date = NULL WHERE id = ${imaging.licenceId}`.execute(
        t.database.db,
      );
    });
    const increase = `/storage/licence/${imaging.licenceId}/change/increase/`;
    expect(notice(await page(imaging.licenceId))).toBe(
      'This licence is nearly full: 9.1 TB of 10 TB used (91%) on 27 November 2026, at or over the 90% at which its Data Owner and Data Managers are warned.' +
        ` <a href="${increase}">Increase its size</a>, or make room by removing data.`,
    );
    // exactly at the threshold (Spectra, 4.5 of 5 TB) counts, as the warning's rule does
    expect(notice(await page(spectra.licenceId))).toContain('This licence is nearly full: 4.5 TB of 5 TB used (90%)');

    // over its size: full
    await read('2026-11-27', [['/rds/imaging/processed', '2026-11-27', 5 * TB]]); // 10.5 of 10 TB
    expect(notice(await page(imaging.licenceId))).toBe(
      'This licence is full: 10.5 TB of 10 TB used (105%) on 27 November 2026. Nothing more can be written to it.' +
        ` <a href="${increase}">Increase its size</a>, or make room by removing data.`,
    );
    // the storage team sees it too, without the customer's link
    const staff = new Browser(t.app);
    await staff.signInAs('rs501');
    const admin = (await staff.get(`/admin/licences/${imaging.licenceId}/`)).body.replace(/\s+/g, ' ');
    expect(notice(admin)).toBe(
      'This licence is full: 10.5 TB of 10 TB used (105%) on 27 November 2026. Nothing more can be written to it.',
    );

    // below the threshold, one reading or none: no notice
    await read('2026-11-27', [['/rds/imaging/processed', '2026-11-27', 3 * TB]]); // 8.5 of 10 TB
    expect(notice(await page(imaging.licenceId))).toBeUndefined();
    const empty = await insertStorage(t.database.db, {
      name: 'Nothing read yet',
      owner: 'ar101',
      status: 'active',
      sizeTb: 1,
      projects: [{ name: 'unread', status: 'active' }],
    });
    const unread = await page(empty.licenceId);
    expect(unread).toContain('The storage system has reported no usage for this licence in the last 12 months.');
    expect(notice(unread)).toBeUndefined();
  });

  it('leaves a removed storage project out of the chart, as out of the warnings', async () => {
    const processed = imaging.projectIds[1];
    await sql`UPDATE storage_projects SET status = 'removed' WHERE id = ${processed}`.execute(t.database.db);
    try {
      // without the removed project's 3.6 TB, Imaging is at 5.5 of 10 TB: no warning
      expect((await run('2026-11-27')).warned).toBe(2); // Spectra and Fresh enough, not Imaging
      const warned = await t.database.db.selectFrom('usage_warnings').select('licence_id').execute();
      expect(warned.map((w) => w.licence_id)).not.toContain(imaging.licenceId);

      const browser = new Browser(t.app);
      await browser.signInAs('ar101');
      const body = (await browser.get(`/storage/licence/${imaging.licenceId}/`)).body.replace(/\s+/g, ' ');
      expect(body).toContain(
        '<figcaption>5.5 TB of 10 TB used (55%) on 25 November 2026. The near-quota warning is sent at 90% (9.0 TB).</figcaption>',
      );
      expect(body).toContain('<summary>The 2 readings as a table</summary>');
      expect(body).not.toContain('9.1 TB');
    } finally {
      await sql`UPDATE storage_projects SET status = 'active' WHERE id = ${processed}`.execute(t.database.db);
    }
  });
});

/** The near-quota line the usage chart draws: its height and its label. */
function warningLine(body: string): { y: string; label: string } | undefined {
  const match =
    /<line class="usage-warning"[^>]* y1="([\d.]+)" y2="\1"[^>]*><\/line>\s*<text [^>]*>([^<]*)<\/text>/.exec(body);
  return match ? { y: match[1] ?? '', label: (match[2] ?? '').trim() } : undefined;
}

describe('the usage chart with another USAGE_WARNING_PERCENT', () => {
  let t: TestApp;
  afterAll(() => t?.close());

  it('draws the threshold at the configured percentage, on the customer and staff pages', async () => {
    t = await startTestApp({ env: { USAGE_WARNING_PERCENT: '80' } });
    const { licenceId, projectIds } = await insertStorage(t.database.db, {
      name: 'Imaging',
      owner: 'ar101',
      status: 'active',
      sizeTb: 10,
      projects: [{ name: 'raw', status: 'active' }],
    });
    await sql`UPDATE storage_projects SET path = '/rds/raw' WHERE id = ${projectIds[0]}`.execute(t.database.db);
    await importUsageReadings(t.database.db, [{ line: 1, path: '/rds/raw', readOn: '2026-11-27', usedBytes: 5 * TB }], {
      today: '2026-11-27',
      source: 'test',
      actor: systemActor('test'),
      services: ['research'],
    });
    const owner = new Browser(t.app);
    await owner.signInAs('ar101');
    const body = (await owner.get(`/storage/licence/${licenceId}/`)).body.replace(/\s+/g, ' ');
    // 8 TB is 8/11 up the 204 px plot from y 220
    expect(warningLine(body)).toEqual({ y: '71.6', label: 'Warning at 80%' });
    expect(body).toContain(
      '5.0 TB of 10 TB used (50%) on 27 November 2026. The near-quota warning is sent at 80% (8.0 TB).',
    );
    const staff = new Browser(t.app);
    await staff.signInAs('rs501');
    const admin = (await staff.get(`/admin/licences/${licenceId}/`)).body.replace(/\s+/g, ' ');
    expect(warningLine(admin)).toEqual({ y: '71.6', label: 'Warning at 80%' });
  });
});
