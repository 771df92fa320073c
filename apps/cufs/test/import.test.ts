import { spawnSync } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runImportCommand } from '../src/cli/import-command.ts';
import type { Dataset, ReferenceDataConnector, SourceRecord } from '../src/modules/import/connector.ts';
import { CsvFolderConnector } from '../src/modules/import/csv-folder.connector.ts';
import { type ImportProgress, importReferenceData } from '../src/modules/import/importer.ts';
import type { DatabaseHandle, Executor } from '../src/platform/database.ts';
import { SAMPLE_DATA_DIR } from '../src/sample-data.ts';
import { openCufsTestDatabase, testEngine } from './support/cufs-test-database.ts';

const TABLES = ['cost_centres', 'sources_of_funds', 'awards', 'projects', 'tasks'] as const;

/** Every reference row, updated_at included: a repeated import must leave this exactly as it was. */
async function snapshot(db: Executor): Promise<Record<string, string[]>> {
  const result: Record<string, string[]> = {};
  for (const table of TABLES)
    result[table] = (await db.selectFrom(table).selectAll().execute()).map((row) => JSON.stringify(row)).sort();
  return result;
}

async function copyOfSamples(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'cufs-extracts-'));
  await cp(SAMPLE_DATA_DIR, dir, { recursive: true });
  return dir;
}

async function edit(dir: string, file: string, change: (text: string) => string): Promise<void> {
  const target = path.join(dir, file);
  await writeFile(target, change(await readFile(target, 'utf8')));
}

describe('importing CUFS extracts', () => {
  let database: DatabaseHandle;
  let dir: string;
  beforeEach(async () => {
    database = await openCufsTestDatabase({ empty: true });
    dir = await copyOfSamples();
  });
  afterEach(async () => {
    await database.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('loads a good set, reporting progress, and a second run with the same files changes nothing', async () => {
    const progress: ImportProgress[] = [];
    const first = await importReferenceData(database.db, new CsvFolderConnector(dir), (p) => progress.push(p));
    expect(first).toEqual({
      ok: true,
      counts: {
        cost_centres: { inserted: 9, updated: 0, unchanged: 0 },
        sources_of_funds: { inserted: 5, updated: 0, unchanged: 0 },
        awards: { inserted: 3, updated: 0, unchanged: 0 },
        projects: { inserted: 4, updated: 0, unchanged: 0 },
        tasks: { inserted: 8, updated: 0, unchanged: 0 },
      },
    });
    expect(progress).toContainEqual({ phase: 'reading', source: 'tasks.csv', rows: 8, finished: true });
    expect(progress).toContainEqual({ phase: 'writing', dataset: 'tasks', written: 8, total: 8 });

    const before = await snapshot(database.db);
    const second = await importReferenceData(database.db, new CsvFolderConnector(dir));
    expect(second.ok && Object.values(second.counts).every((c) => c.inserted === 0 && c.updated === 0)).toBe(true);
    expect(second.ok && second.counts.tasks?.unchanged).toBe(8);
    expect(await snapshot(database.db)).toEqual(before);
  });

  it('updates only the rows that changed, and keeps rows a later extract leaves out', async () => {
    await importReferenceData(database.db, new CsvFolderConnector(dir));
    await edit(dir, 'cost_centres.csv', (text) =>
      text.replace(
        'PHAB,Physics: research computing,Department of Physics,open',
        'PHAB,Physics: research computing,Department of Physics,closed',
      ),
    );
    await edit(dir, 'tasks.csv', (text) => text.replace('CHAG0003,1,Staff,closed\n', ''));
    const outcome = await importReferenceData(database.db, new CsvFolderConnector(dir));
    expect(outcome.ok && outcome.counts.cost_centres).toEqual({ inserted: 0, updated: 1, unchanged: 8 });
    expect(outcome.ok && outcome.counts.tasks).toEqual({ inserted: 0, updated: 0, unchanged: 7 });
    const phab = await database.db
      .selectFrom('cost_centres')
      .select('status')
      .where('code', '=', 'PHAB')
      .executeTakeFirst();
    expect(phab?.status).toBe('closed');
    const tasks = await database.db
      .selectFrom('tasks')
      .select('task_number')
      .where('project_number', '=', 'CHAG0003')
      .execute();
    expect(tasks).toHaveLength(1);
  });

  it('reports every bad row by file and line, and loads nothing from the set', async () => {
    await edit(dir, 'cost_centres.csv', (text) =>
      text
        .replace(
          'PHAB,Physics: research computing,Department of Physics,open,2015-08-01,',
          'PHAB,Physics: research computing,Department of Physics,shut,2015-08-01,',
        )
        .replace(
          'GEAA,Genetics: general,Department of Genetics,open,2000-08-01,',
          'GEAA,Genetics: general,Department of Genetics,open,2000-02-30,',
        ),
    );
    await edit(dir, 'sources_of_funds.csv', (text) => `${text}GAAA,External trading again,enabled,2000-08-01,\n`);
    await edit(dir, 'projects.csv', (text) => `${text}PHAG0099,RG99999,Orphan project,active,2025-01-01,2026-01-01\n`);
    await edit(dir, 'tasks.csv', (text) => `${text}NOPE0001,1,Task of nothing,open\n`);

    const outcome = await importReferenceData(database.db, new CsvFolderConnector(dir));
    expect(outcome.ok).toBe(false);
    expect(!outcome.ok && outcome.badRows).toEqual([
      { source: 'cost_centres.csv', line: 3, message: 'status must be one of open, closed (got "shut")' },
      {
        source: 'cost_centres.csv',
        line: 7,
        message: expect.stringMatching(/^valid_from must be a real date.*2000-02-30/),
      },
      { source: 'sources_of_funds.csv', line: 7, message: 'code GAAA is already on line 2' },
      { source: 'projects.csv', line: 6, message: 'award_number RG99999 is not in awards and not already loaded' },
      { source: 'tasks.csv', line: 10, message: 'project_number NOPE0001 is not in projects and not already loaded' },
    ]);
    for (const table of TABLES) expect(await database.db.selectFrom(table).selectAll().execute(), table).toEqual([]);
    expect(await database.db.selectFrom('import_runs').selectAll().execute()).toEqual([]);
  });

  it('reports a missing file, a wrong header and broken quoting as faults of the file', async () => {
    await rm(path.join(dir, 'awards.csv'));
    await edit(dir, 'projects.csv', (text) => text.replace('project_number,award_number', 'project_no,award_number'));
    await edit(dir, 'tasks.csv', (text) => `${text}PHAG0042,3,"Unclosed quote,open\n`);
    const outcome = await importReferenceData(database.db, new CsvFolderConnector(dir));
    expect(!outcome.ok && outcome.badRows).toEqual([
      { source: 'awards.csv', line: 0, message: expect.stringMatching(/awards.csv is missing/) },
      {
        source: 'projects.csv',
        line: 1,
        message: 'the header row has missing column(s) project_number and unexpected column(s) project_no',
      },
      { source: 'tasks.csv', line: expect.any(Number), message: expect.stringMatching(/cannot be read as CSV/) },
    ]);
    expect(await database.db.selectFrom('cost_centres').select('code').execute()).toEqual([]);
  });

  // A first import of an empty data set used to succeed: the service then looked ready and
  // answered every such code unknown, which the gateway takes for closed.
  it('refuses an empty file, and a first import with a data set of no rows; later, no rows keep what is loaded', async () => {
    await writeFile(path.join(dir, 'awards.csv'), '');
    await edit(dir, 'tasks.csv', (text) => `${text.split('\n')[0]}\n`);
    const outcome = await importReferenceData(database.db, new CsvFolderConnector(dir));
    expect(!outcome.ok && outcome.badRows).toEqual([
      { source: 'awards.csv', line: 0, message: 'awards.csv is empty: it has not even a header row' },
      { source: 'tasks.csv', line: 0, message: 'tasks.csv has no rows, and no tasks are loaded yet' },
    ]);
    expect(await database.db.selectFrom('import_runs').selectAll().execute()).toEqual([]);

    await cp(path.join(SAMPLE_DATA_DIR, 'awards.csv'), path.join(dir, 'awards.csv'));
    await cp(path.join(SAMPLE_DATA_DIR, 'tasks.csv'), path.join(dir, 'tasks.csv'));
    expect((await importReferenceData(database.db, new CsvFolderConnector(dir))).ok).toBe(true);
    await edit(dir, 'tasks.csv', (text) => `${text.split('\n')[0]}\n`);
    const later = await importReferenceData(database.db, new CsvFolderConnector(dir));
    expect(later.ok && later.counts.tasks).toEqual({ inserted: 0, updated: 0, unchanged: 0 });
    expect(await database.db.selectFrom('tasks').select('task_number').execute()).toHaveLength(8);
  });

  it('refuses text that is not UTF-8 (a Latin-1 extract) or holds NUL, instead of loading it garbled or failing', async () => {
    const costCentres = await readFile(path.join(dir, 'cost_centres.csv'), 'utf8');
    await writeFile(
      path.join(dir, 'cost_centres.csv'),
      Buffer.from(costCentres.replace('Physics: general', 'Physique générale'), 'latin1'),
    );
    await edit(dir, 'awards.csv', (text) => text.replace('UKRI EPSRC', 'UKRI\u0000EPSRC'));
    const outcome = await importReferenceData(database.db, new CsvFolderConnector(dir));
    expect(!outcome.ok && outcome.badRows).toEqual([
      {
        source: 'cost_centres.csv',
        line: 2,
        message: expect.stringMatching(/^name is not UTF-8 text: save the extract as UTF-8 \(got "Physique g/),
      },
      { source: 'awards.csv', line: 2, message: expect.stringMatching(/^sponsor must not contain a NUL character/) },
    ]);
    for (const table of TABLES) expect(await database.db.selectFrom(table).selectAll().execute(), table).toEqual([]);
  });

  // Such a row used to stop the file: only the first was reported, and no row after it was checked.
  it('reports every row with too few or too many values, and still checks the rows after them', async () => {
    await edit(dir, 'cost_centres.csv', (text) =>
      text
        .replace(
          'PHAA,Physics: general,Department of Physics,open,2000-08-01,',
          'PHAA,Physics: general,open,2000-08-01,',
        )
        .replace('GEAA,Genetics: general,Department of Genetics,open,2000-08-01,', '$&,2030-01-01')
        .replace(
          'UIAA,UIS: general,University Information Services,open,',
          'UIAA,UIS: general,University Information Services,shut,',
        ),
    );
    const outcome = await importReferenceData(database.db, new CsvFolderConnector(dir));
    expect(!outcome.ok && outcome.badRows).toEqual([
      { source: 'cost_centres.csv', line: 2, message: 'has 5 values where the header has 6 columns' },
      { source: 'cost_centres.csv', line: 7, message: 'has 7 values where the header has 6 columns' },
      { source: 'cost_centres.csv', line: 10, message: 'status must be one of open, closed (got "shut")' },
    ]);
    expect(await database.db.selectFrom('cost_centres').select('code').execute()).toEqual([]);
  });

  // The later column's values used to be loaded, silently: here every award number was 'RG1'.
  it('refuses a header that names a column twice', async () => {
    await edit(dir, 'awards.csv', (text) =>
      text
        .replace('award_number,title,sponsor,status', 'award_number,title,sponsor,status,award_number')
        .replace(/,active\n/g, ',active,RG1\n'),
    );
    const outcome = await importReferenceData(database.db, new CsvFolderConnector(dir));
    expect(!outcome.ok && outcome.badRows).toEqual([
      { source: 'awards.csv', line: 1, message: 'the header row has column(s) award_number more than once' },
    ]);
  });

  it('accepts a project whose award was loaded by an earlier import', async () => {
    await importReferenceData(database.db, new CsvFolderConnector(dir));
    const only: Partial<Record<Dataset, SourceRecord[]>> = {
      projects: [
        {
          line: 2,
          values: {
            project_number: 'PHAG0050',
            award_number: 'RG94772',
            title: 'A second project',
            status: 'active',
            start_date: '2026-01-01',
            end_date: '2027-12-31',
          },
        },
      ],
    };
    // A connector of records in memory: the importer needs nothing more from a source.
    const connector: ReferenceDataConnector = {
      description: 'memory',
      sourceName: (dataset) => dataset,
      async *read(dataset) {
        yield* only[dataset] ?? [];
      },
    };
    const outcome = await importReferenceData(database.db, connector);
    expect(outcome.ok && outcome.counts.projects).toEqual({ inserted: 1, updated: 0, unchanged: 0 });
  });
});

describe('npm run cufs:import', () => {
  let dataDir: string;
  let database: DatabaseHandle | undefined;
  const env: Record<string, string> = { NODE_ENV: 'development', LOG_LEVEL: 'silent' };
  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'cufs-cli-'));
    if (testEngine === 'postgres') {
      database = await openCufsTestDatabase({ empty: true });
      env.DATABASE_URL = (database as { url?: string }).url as string;
    } else {
      env.CUFS_DATA_DIR = dataDir;
    }
  });
  afterAll(async () => {
    await database?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  /** The command's work in this process (what the CLI runs), with what it writes on stderr. */
  const runHere = async (folder: string) => {
    let stderr = '';
    const status = await runImportCommand([folder], { env, stderr: { write: (text: string) => (stderr += text) } });
    return { status, stderr };
  };
  /** The CLI itself in a process of its own, as `npm run cufs:import` starts it (tsx). */
  const runCli = (folder: string) =>
    spawnSync(process.execPath, ['--import', 'tsx', 'apps/cufs/src/cli/import.ts', folder], {
      cwd: path.resolve(import.meta.dirname, '../../..'),
      env: { ...process.env, ...env },
      encoding: 'utf8',
      timeout: 120_000,
    });

  it('loads the sample extracts, then reports no change on a second run, and exits 1 on bad rows', async () => {
    const first = await runHere(SAMPLE_DATA_DIR);
    expect(first.stderr).toContain('reading tasks.csv: 8 rows, done');
    expect(first.stderr).toMatch(/tasks\s+8 new, 0 changed, 0 unchanged/);
    expect(first.status).toBe(0);

    const second = await runHere(SAMPLE_DATA_DIR);
    expect(second.status).toBe(0);
    expect(second.stderr).toMatch(/cost_centres\s+0 new, 0 changed, 9 unchanged/);

    // The CLI process: its arguments, its report on stderr and its exit code.
    const bad = await copyOfSamples();
    await edit(bad, 'awards.csv', (text) => `${text}XX1,Bad award,Nobody,active\n`);
    const third = runCli(bad);
    await rm(bad, { recursive: true, force: true });
    expect(third.status).toBe(1);
    expect(third.stderr).toContain('Nothing was loaded: 1 problem(s) in the extracts.');
    expect(third.stderr).toContain('awards.csv line 5: award_number must be RG or G then 3 to 8 digits');
  }, 120_000);

  it('shows its usage and exits 2 without a folder', async () => {
    const usage = await runHere('--help');
    expect(usage.status).toBe(2);
    expect(usage.stderr).toMatch(/^Usage: npm run cufs:import -- <folder/);
  });
});
