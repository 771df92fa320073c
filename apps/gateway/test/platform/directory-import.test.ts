import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type ImportProgress, importDirectoryCsv } from '../../src/platform/directory/directory-import.ts';
import { seededDirectory } from '../../src/platform/directory/seeded-directory.ts';
import { startTestApp, type TestApp } from '../support/test-app.ts';

/** `npm run directory:import`: a CSV extract into the seeded directory table the sync reads. */
describe('directory CSV import', () => {
  let t: TestApp;
  let folder: string;
  beforeEach(async () => {
    t = await startTestApp();
    folder = await mkdtemp(path.join(tmpdir(), 'ssgw-directory-'));
  });
  afterEach(async () => {
    await t.close();
    await rm(folder, { recursive: true, force: true });
  });

  async function csv(name: string, lines: string[]) {
    const file = path.join(folder, name);
    await writeFile(file, `${lines.join('\r\n')}\r\n`);
    return file;
  }

  const directoryRows = () =>
    t.database.db
      .selectFrom('directory_people')
      .select(['crsid', 'display_name', 'email', 'institution_id', 'status'])
      .where('crsid', 'in', ['ar101', 'gl909', 'nn123'])
      .orderBy('crsid')
      .execute();

  it('loads new and changed people, reports progress, and changes nothing the second time', async () => {
    const header = 'status,crsid,display_name,email,institution_id';
    const file = await csv('extract.csv', [
      header,
      'current,AR101,Alice Researcher,alice@phy.cam.ac.uk,PHYS',
      'left,gl909,"Leaver, Gina",gl909@cam.ac.uk,PHYS',
      'current,nn123,Nia New,nn123@cam.ac.uk,',
      // unchanged from the seed
      'current,bm202,Ben Manager,bm202@cam.ac.uk,PHYS',
    ]);
    const progress: ImportProgress[] = [];
    const first = await importDirectoryCsv(t.database.db, file, (p) => progress.push(p));
    expect(first).toEqual({ ok: true, rows: 4, inserted: 2, updated: 1, unchanged: 1 });
    expect(progress.at(-1)).toEqual({ rows: 4, bad: 0 });
    expect(await directoryRows()).toEqual([
      {
        crsid: 'ar101',
        display_name: 'Alice Researcher',
        email: 'alice@phy.cam.ac.uk',
        institution_id: 'PHYS',
        status: 'current',
      },
      {
        crsid: 'gl909',
        display_name: 'Leaver, Gina',
        email: 'gl909@cam.ac.uk',
        institution_id: 'PHYS',
        status: 'left',
      },
      { crsid: 'nn123', display_name: 'Nia New', email: 'nn123@cam.ac.uk', institution_id: null, status: 'current' },
    ]);
    expect(await importDirectoryCsv(t.database.db, file)).toEqual({
      ok: true,
      rows: 4,
      inserted: 0,
      updated: 0,
      unchanged: 4,
    });

    // the seeded directory reads the table in CRSid order, a batch at a time
    const batches: string[][] = [];
    for await (const batch of seededDirectory(t.database.db, 4).listPeople()) batches.push(batch.map((p) => p.crsid));
    expect(batches.flat()).toEqual([...batches.flat()].sort());
    expect(batches.flat()).toHaveLength(12); // the 8 demo people, Gina, Nia, the demo leaver and newcomer
    expect(batches.map((batch) => batch.length)).toEqual([4, 4, 4]);
  });

  it('loads nothing from a file with bad rows, and says which', async () => {
    const bad = await csv('bad.csv', [
      'crsid,display_name,email,institution_id,status',
      'nn123,Nia New,nn123@cam.ac.uk,,current',
      '1abc,Bad Id,x@cam.ac.uk,,current',
      'ok456,,not-an-email,PHYS,gone',
      `ok789,${'N'.repeat(201)},ok789@cam.ac.uk,${'I'.repeat(21)},current`,
    ]);
    const outcome = await importDirectoryCsv(t.database.db, bad);
    expect(outcome).toEqual({
      ok: false,
      badRows: [
        { line: 3, message: 'the CRSid must be letters then letters or digits' },
        { line: 4, message: 'the name is empty; the email address is not valid; the status must be current or left' },
        // each message names its column
        {
          line: 5,
          message: 'the name is longer than 200 characters; the institution_id is longer than 20 characters',
        },
      ],
    });
    expect(await directoryRows()).toEqual([expect.objectContaining({ crsid: 'ar101', email: 'ar101@cam.ac.uk' })]);

    // One person twice (CRSids are case-insensitive): the file says two things about them, so it is refused.
    const twice = await csv('twice.csv', [
      'crsid,display_name,email,institution_id,status',
      'nn123,Nia New,nn123@cam.ac.uk,,left',
      'ar101,Alice Researcher,ar101@cam.ac.uk,PHYS,left',
      'NN123,Nia New,nn123@cam.ac.uk,,current',
    ]);
    expect(await importDirectoryCsv(t.database.db, twice)).toEqual({
      ok: false,
      badRows: [{ line: 4, message: 'the CRSid nn123 is on line 2 too: a person may be listed once' }],
    });
    expect(await directoryRows()).toEqual([expect.objectContaining({ crsid: 'ar101', status: 'current' })]);

    // An empty file, or a header alone (a failed extract): refused, not "Loaded 0 people".
    const empty = path.join(folder, 'empty.csv');
    await writeFile(empty, '');
    for (const file of [empty, await csv('header-only.csv', ['crsid,display_name,email,institution_id,status'])]) {
      expect(await importDirectoryCsv(t.database.db, file)).toEqual({
        ok: false,
        badRows: [{ line: 0, message: 'the file holds no people: is the extract complete?' }],
      });
    }

    const header = await csv('header.csv', ['crsid,display_name,email', 'nn123,Nia New,nn123@cam.ac.uk']);
    expect(await importDirectoryCsv(t.database.db, header)).toEqual({
      ok: false,
      badRows: [{ line: 1, message: 'the header row lacks the column(s) institution_id, status' }],
    });
  });
});
