import { sql } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createAccessToken } from '../../src/platform/identity/access-tokens.ts';
import { insertStorage } from '../support/storage-fixtures.ts';
import { Browser, startTestApp, type TestApp } from '../support/test-app.ts';

/**
 * Usage readings imported through the back-office upload and the JSON API: who may, what each
 * row becomes (stored, replaced, unchanged, rejected with its line and reason), a re-import that
 * stores nothing twice, and a malformed file that stores nothing. The test day is 2026-11-27.
 */
describe('importing usage readings', () => {
  let t: TestApp;
  const tokens: Record<string, string> = {};
  let research: { licenceId: number; projectIds: number[] };

  beforeAll(async () => {
    t = await startTestApp();
    for (const crsid of ['rs501', 'if502', 'ar101', 'fn601']) {
      const person = await t.database.db
        .selectFrom('people')
        .select(['id', 'crsid'])
        .where('crsid', '=', crsid)
        .executeTakeFirstOrThrow();
      tokens[crsid] = (await createAccessToken(t.database.db, t.clock, person, { name: 'usage', lifetime: 90 })).token;
    }
    research = await insertStorage(t.database.db, {
      name: 'Imaging',
      owner: 'ar101',
      status: 'active',
      sizeTb: 10,
      projects: [
        { name: 'raw', quotaTb: 6, status: 'active' },
        { name: 'processed', quotaTb: 4, status: 'active' },
      ],
    });
    const ifs = await insertStorage(t.database.db, {
      name: 'Department share',
      owner: 'da303',
      productCode: 'IFS',
      status: 'active',
      projects: [{ name: 'share', status: 'active' }],
    });
    const paths: Array<[number | undefined, string]> = [
      [research.projectIds[0], '/rds/imaging/raw'],
      [research.projectIds[1], '/rds/imaging/processed'],
      [ifs.projectIds[0], '/ifs/chem/share'],
    ];
    for (const [id, path] of paths) {
      await sql`UPDATE storage_projects SET path = ${path} WHERE id = ${id}`.execute(t.database.db);
    }
  });
  afterAll(() => t?.close());
  beforeEach(async () => {
    await sql`DELETE FROM usage_readings`.execute(t.database.db);
  });

  const readings = () =>
    t.database.db
      .selectFrom('usage_readings')
      .select(['project_id', 'licence_id', 'read_on', 'used_bytes', 'source'])
      .orderBy('project_id')
      .orderBy('read_on')
      .execute();

  async function upload(browser: Browser, csv: string) {
    const csrf = await browser.csrfFrom('/admin/usage/');
    const form = new FormData();
    form.append('usageFile', new Blob([csv], { type: 'text/csv' }), 'readings.csv');
    return browser.postMultipart(`/admin/usage/?_csrf=${encodeURIComponent(csrf)}`, form);
  }

  const CSV = [
    'path,read_on,used_bytes',
    '/rds/imaging/raw,2026-11-20,4000000000000',
    '/rds/imaging/raw,2026-11-27,5000000000000',
    '/rds/imaging/processed,2026-11-27,3000000000000',
    '/rds/unknown,2026-11-27,1',
    '/rds/imaging/processed,2026-11-28,1',
    '/rds/imaging/processed,2026-11-26,3.5TB',
    '/ifs/chem/share,2026-11-27,1',
    '/rds/imaging/raw,2026-11-27,7',
  ].join('\n');

  it('stores the good rows of an upload, lists the rejected ones by line, and stores nothing twice', async () => {
    const browser = new Browser(t.app);
    await browser.signInAs('rs501');
    const page = await browser.get('/admin/usage/');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<h1>Import usage readings</h1>');

    const first = await upload(browser, CSV);
    expect(first.statusCode).toBe(200);
    expect(first.body).toContain('<title>Usage readings imported');
    const summary = first.body.replace(/\s+/g, ' ');
    expect(summary).toMatch(/Rows read<\/dt><dd>8</);
    expect(summary).toMatch(/New readings stored<\/dt><dd>3</);
    expect(summary).toMatch(/Rows rejected<\/dt><dd>5</);
    for (const [line, reason] of [
      // each names its path, as the other reasons name their value: the page does not show the file
      [5, 'unknown path &quot;/rds/unknown&quot;: no storage project of your service has this path'],
      [6, 'read_on 2026-11-28 is in the future'],
      [7, 'used_bytes &quot;3.5TB&quot; is not a whole number of bytes'],
      [8, 'unknown path &quot;/ifs/chem/share&quot;: no storage project of your service has this path'], // the IFS team's
      [9, 'the same path and day as line 3'],
    ] as const) {
      expect(summary).toContain(`<tr><td>${line}</td><td>${reason}</td></tr>`);
    }
    const [raw, processed] = research.projectIds;
    expect(await readings()).toEqual([
      {
        project_id: raw,
        licence_id: research.licenceId,
        read_on: '2026-11-20',
        used_bytes: 4e12,
        source: 'csv upload by rs501: readings.csv',
      },
      {
        project_id: raw,
        licence_id: research.licenceId,
        read_on: '2026-11-27',
        used_bytes: 5e12,
        source: 'csv upload by rs501: readings.csv',
      },
      {
        project_id: processed,
        licence_id: research.licenceId,
        read_on: '2026-11-27',
        used_bytes: 3e12,
        source: 'csv upload by rs501: readings.csv',
      },
    ]);

    // the same file again: nothing new, nothing duplicated
    const again = (await upload(browser, CSV)).body.replace(/\s+/g, ' ');
    expect(again).toMatch(/New readings stored<\/dt><dd>0</);
    expect(again).toMatch(/Readings already stored<\/dt><dd>3</);
    expect(await readings()).toHaveLength(3);

    // a corrected value for a day replaces the old one
    const corrected = (
      await upload(browser, 'path,read_on,used_bytes\n/rds/imaging/raw,2026-11-27,5500000000000\n')
    ).body.replace(/\s+/g, ' ');
    expect(corrected).toMatch(/Readings replaced with a new value<\/dt><dd>1</);
    expect((await readings()).find((r) => r.read_on === '2026-11-27' && r.project_id === raw)?.used_bytes).toBe(5.5e12);

    const audit = await t.database.db
      .selectFrom('audit_events')
      .select(['actor_label', 'action', 'after'])
      .where('entity_type', '=', 'usage-import')
      .orderBy('id')
      .execute();
    expect(audit).toHaveLength(3);
    expect(audit[0]).toMatchObject({
      actor_label: 'rs501',
      action: 'usage readings imported',
      after: { read: 8, added: 3, changed: 0, unchanged: 0, rejected: 5 },
    });
  });

  it('refuses a malformed file whole, with the error next to the field', async () => {
    const browser = new Browser(t.app);
    await browser.signInAs('rs501');
    const bad = await upload(
      browser,
      'path,read_on,used_bytes\n/rds/imaging/raw,2026-11-27,1\n"/rds/imaging/raw,2026-11-26\n',
    );
    expect(bad.statusCode).toBe(422);
    expect(bad.body).toContain('<title>Error: Import usage readings');
    expect(bad.body).toContain('There is a problem');
    expect(bad.body).toMatch(/Nothing was imported: line \d+: the file cannot be read as CSV/);
    const header = await upload(browser, 'project,day,bytes\n/rds/imaging/raw,2026-11-27,1\n');
    expect(header.statusCode).toBe(422);
    expect(header.body).toContain(
      'Nothing was imported: line 1: the header row lacks the column(s) path, read_on, used_bytes',
    );
    expect(await readings()).toEqual([]);

    const csrf = await browser.csrfFrom('/admin/usage/');
    const empty = await browser.postMultipart(`/admin/usage/?_csrf=${encodeURIComponent(csrf)}`, new FormData());
    expect(empty.statusCode).toBe(422);
    expect(empty.body).toContain('Choose a CSV file to import');
    // A file chosen that holds nothing (a failed export): said so, not "choose a file"
    const nothing = await upload(browser, '');
    expect(nothing.statusCode).toBe(422);
    expect(nothing.body).toContain('Nothing was imported: the file holds no readings');
    expect(nothing.body).not.toContain('Choose a CSV file to import</a>');
  });

  it('lets only the storage teams upload: customers and Finance are refused', async () => {
    for (const crsid of ['ar101', 'fn601']) {
      const browser = new Browser(t.app);
      await browser.signInAs(crsid);
      expect((await browser.get('/admin/usage/')).statusCode).toBe(403);
      const csrf = await browser.csrfFrom('/account/');
      const form = new FormData();
      form.append('usageFile', new Blob([CSV], { type: 'text/csv' }), 'readings.csv');
      const post = await browser.postMultipart(`/admin/usage/?_csrf=${encodeURIComponent(csrf)}`, form);
      expect(post.statusCode).toBe(403);
    }
    // not signed in: off to sign in
    expect((await t.app.inject({ method: 'GET', url: '/admin/usage/' })).statusCode).toBe(302);
    expect(await readings()).toEqual([]);
  });

  const push = (crsid: string | undefined, body: unknown) =>
    t.app.inject({
      method: 'POST',
      url: '/api/usage-readings',
      headers: crsid ? { authorization: `Bearer ${tokens[crsid]}` } : {},
      payload: body as Record<string, unknown>,
    });

  it('takes readings pushed through the API by a storage team, the same rules as a file', async () => {
    const body = {
      readings: [
        { path: '/rds/imaging/raw', readOn: '2026-11-27', usedBytes: 5_000_000_000_000 },
        { path: '/rds/imaging/processed', readOn: '2026-11-27', usedBytes: '3000000000000' },
        { path: '/ifs/chem/share', readOn: '2026-11-27', usedBytes: 1 },
        { path: '/rds/imaging/raw', readOn: '2026-11-28', usedBytes: 1 },
        { path: '/rds/imaging/raw', readOn: '2026-11-26', usedBytes: -1 },
      ],
    };
    const first = await push('rs501', body);
    expect(first.statusCode).toBe(200);
    expect(first.json()).toEqual({
      read: 5,
      added: 2,
      changed: 0,
      unchanged: 0,
      rejected: [
        { line: 3, reason: 'unknown path "/ifs/chem/share": no storage project of your service has this path' },
        // Named as the API's fields, not the CSV's columns (read_on, used_bytes).
        { line: 4, reason: 'readOn 2026-11-28 is in the future' },
        { line: 5, reason: 'usedBytes "-1" is not a whole number of bytes' },
      ],
    });
    expect((await push('rs501', body)).json()).toMatchObject({ added: 0, changed: 0, unchanged: 2 });
    expect(await readings()).toHaveLength(2);
    expect((await readings())[0]?.source).toBe('api: rs501');

    // the institutional team may push its own project, not the research ones
    expect((await push('if502', body)).json()).toMatchObject({ added: 1, unchanged: 0 });
    expect(await readings()).toHaveLength(3);
  });

  it('refuses customers, Finance and callers without a token, and a malformed body', async () => {
    const body = { readings: [{ path: '/rds/imaging/raw', readOn: '2026-11-27', usedBytes: 1 }] };
    for (const crsid of ['ar101', 'fn601']) {
      const response = await push(crsid, body);
      expect(response.statusCode).toBe(403);
      expect(response.json().error).toMatchObject({
        code: 'forbidden',
        message: 'Only the storage teams can import usage readings.',
      });
    }
    expect((await push(undefined, body)).statusCode).toBe(401);
    const malformed = await push('rs501', { readings: [{ path: '/rds/imaging/raw', readOn: '2026-11-27' }] });
    expect(malformed.statusCode).toBe(422);
    expect(malformed.json().error.fields).toHaveProperty(['readings.0.usedBytes']);
    expect((await push('rs501', { readings: [] })).statusCode).toBe(422);
    expect(await readings()).toEqual([]);
  });
});
