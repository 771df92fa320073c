import { spawnSync } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CsvFileError, csvRecords } from '../../src/platform/csv.ts';
import { lockEmbeddedDataDir } from '../../src/platform/db/embedded-lock.ts';

const root = path.resolve(import.meta.dirname, '../../../..');

/** A command in a process of its own, as npm starts it (tsx), with these settings. */
const runCli = (command: string, args: string[], env: Record<string, string>) =>
  spawnSync(process.execPath, ['--import', 'tsx', path.join(root, `apps/gateway/src/cli/${command}.ts`), ...args], {
    cwd: root,
    env: { ...process.env, DATABASE_URL: '', TSX_TSCONFIG_PATH: path.join(root, 'apps/gateway/tsconfig.json'), ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });

/**
 * `npm run usage:import` and `npm run directory:import` given a file they cannot read: a sentence
 * naming the file and exit 1, before the database is opened, instead of Node's stack trace for an
 * unhandled 'error' event.
 */
describe('the import commands given a file they cannot read', () => {
  let folder: string;
  beforeAll(async () => {
    folder = await mkdtemp(path.join(tmpdir(), 'ssgw-import-commands-'));
    await mkdir(path.join(folder, 'data'));
    await mkdir(path.join(folder, 'readings.csv'));
  });
  afterAll(async () => {
    await rm(folder, { recursive: true, force: true });
  });

  const run = (command: 'usage-import' | 'directory-import', file: string) =>
    runCli(command, [file], { INIT_CWD: folder, DATA_DIR: path.join(folder, 'data') });

  it.each(['usage-import', 'directory-import'] as const)(
    '%s: a missing file or a folder is named, exit 1, nothing opened',
    async (command) => {
      const missing = run(command, 'no-such-file.csv');
      expect(missing.stderr).not.toContain('Unhandled');
      expect(missing.stderr.trim()).toBe(
        `There is no file ${path.join(folder, 'no-such-file.csv')}: check its name and folder. Nothing was changed.`,
      );
      expect(missing.status).toBe(1);

      const notAFile = run(command, 'readings.csv');
      expect(notAFile.stderr.trim()).toBe(
        `${path.join(folder, 'readings.csv')} is not a file (a folder?). Nothing was changed.`,
      );
      expect(notAFile.status).toBe(1);

      // The embedded database was neither created nor migrated.
      expect(await readdir(path.join(folder, 'data'))).toEqual([]);
    },
  );

  it.each(['usage-import', 'directory-import'] as const)(
    '%s: one file at a time; more are refused with the usage, exit 2, nothing opened',
    async (command) => {
      const two = runCli(command, ['march.csv', 'april.csv'], {
        INIT_CWD: folder,
        DATA_DIR: path.join(folder, 'data'),
      });
      expect(two.stderr).toMatch(
        /^One file at a time: 2 arguments were given\.\nUsage: npm run (usage|directory):import -- <file\.csv/,
      );
      expect(two.status).toBe(2);
      expect(await readdir(path.join(folder, 'data'))).toEqual([]);
    },
  );

  it('a CSV source that fails while being read throws from the rows, not as an unhandled error', async () => {
    const read = async () => {
      for await (const _ of csvRecords(createReadStream(path.join(folder, 'readings.csv')), ['path'])) {
        // nothing: the folder cannot be read as a file
      }
    };
    const error = await read().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(Error);
    expect(error).not.toBeInstanceOf(CsvFileError);
    expect((error as NodeJS.ErrnoException).code).toBe('EISDIR');
  });
});

/**
 * The import commands' progress on a log (a pipe, as here): what they did to the last row, not
 * only the first report; and a directory extract loaded where the sync does not read it says so.
 */
describe('the import commands on a log', () => {
  let folder: string;
  beforeAll(async () => {
    folder = await mkdtemp(path.join(tmpdir(), 'ssgw-import-progress-'));
    const people = Array.from({ length: 2_500 }, (_, n) => `zz${n + 1},Person ${n + 1},zz${n + 1}@cam.ac.uk,,current`);
    await writeFile(
      path.join(folder, 'people.csv'),
      ['crsid,display_name,email,institution_id,status', ...people, ''].join('\n'),
    );
    const readings = Array.from({ length: 30 }, (_, n) => `/rds/project/nowhere-${n},2026-11-01,1000`);
    await writeFile(
      path.join(folder, 'readings.csv'),
      ['path,read_on,used_bytes', ...readings, '/rds/x,not-a-date,1', ''].join('\n'),
    );
  });
  afterAll(async () => {
    await rm(folder, { recursive: true, force: true });
  });

  it('directory-import: reports every row read and written, and says the sync applies them (DIRECTORY=seeded)', () => {
    const seeded = runCli('directory-import', ['people.csv'], {
      INIT_CWD: folder,
      DATA_DIR: path.join(folder, 'seeded'),
    });
    expect(seeded.status).toBe(0);
    expect(seeded.stderr).toContain('read 1000 rows, checked and written\n');
    expect(seeded.stderr).toContain('read 2500 rows, checked and written: all read\n');
    expect(seeded.stderr).toContain('Loaded 2500 people: 2500 new, 0 changed, 0 unchanged.');
    expect(seeded.stderr).toContain("The nightly directory sync (00:30) applies them to the gateway's people.");
  });

  it('directory-import: under DIRECTORY=lookup, says the sync will not read what it loaded', () => {
    const lookup = runCli('directory-import', ['people.csv'], {
      INIT_CWD: folder,
      DATA_DIR: path.join(folder, 'lookup'),
      DIRECTORY: 'lookup',
    });
    expect(lookup.status).toBe(0);
    expect(lookup.stderr).not.toContain('applies them');
    expect(lookup.stderr).toContain(
      'DIRECTORY=lookup here: the nightly directory sync reads the University Lookup service, not this table, so these people change nobody. The table is read only with DIRECTORY=seeded.',
    );
  });

  it('usage-import: counts the rows checked and rejected, and the readings written', () => {
    const usage = runCli('usage-import', ['readings.csv'], { INIT_CWD: folder, DATA_DIR: path.join(folder, 'usage') });
    expect(usage.stderr).toContain('read 31 rows\n');
    expect(usage.stderr).toContain('checked 31 rows: 30 to write, 1 rejected\n');
    expect(usage.stderr).not.toMatch(/writing: 30\/30 readings\n/);
    expect(usage.stderr).toContain('written 30 of 30 readings (those whose path is no project’s are rejected)\n');
    expect(usage.stderr).toContain('Read 31 rows: 0 new, 0 replaced, 0 already stored, 31 rejected.');
    expect(usage.status).toBe(1);
  });
});

/**
 * `npm run migrate` and `npm run seed` as the other commands: the embedded database held for
 * themselves (two processes writing one PGlite folder corrupt it), and a sentence, not a stack
 * trace, for a setting that does not parse.
 */
describe('npm run migrate and npm run seed', () => {
  let folder: string;
  beforeAll(async () => {
    folder = await mkdtemp(path.join(tmpdir(), 'ssgw-migrate-command-'));
  });
  afterAll(async () => {
    await rm(folder, { recursive: true, force: true });
  });

  it.each(['migrate', 'seed'])(
    '%s: refused while the gateway holds the embedded database, which it leaves alone',
    async (command) => {
      const unlock = await lockEmbeddedDataDir(path.join(folder, 'pglite'));
      try {
        const held = runCli(command, [], { DATA_DIR: folder });
        expect(held.stderr.trim()).toBe(
          `Another gateway process is already using the embedded database in ${path.join(folder, 'pglite')}. Stop it first, or set DATABASE_URL to share a PostgreSQL server between processes.`,
        );
        expect(held.status).toBe(1);
        expect(await readdir(path.join(folder, 'pglite'))).toEqual([]);
      } finally {
        await unlock();
      }
    },
  );

  it.each(['migrate', 'seed'])(
    '%s: takes no arguments; one given (--dry-run) is refused, exit 2, nothing opened',
    async (command) => {
      const asked = runCli(command, ['--dry-run'], { DATA_DIR: path.join(folder, 'untouched') });
      expect(asked.stderr).toMatch(
        new RegExp(`^This command takes no arguments: --dry-run\nUsage: npm run ${command} `),
      );
      expect(asked.status).toBe(2);
      await expect(readdir(path.join(folder, 'untouched'))).rejects.toMatchObject({ code: 'ENOENT' });
    },
  );

  it('seed: refused under NODE_ENV=production, before anything is opened, unless --force-demo-data is given', async () => {
    // The demo people hold staff roles under real-looking CRSids (rs501, su701…): in production
    // anyone whose CRSid matches would get them.
    const production = { NODE_ENV: 'production', DATA_DIR: path.join(folder, 'production') };
    const refused = runCli('seed', [], production);
    expect(refused.stderr.trim()).toBe(
      'npm run seed loads demo people with staff roles (su701 a superuser, rs501 and if502 service admins, fn601 Finance), which anyone whose CRSid matches would get: it is refused with NODE_ENV=production. Nothing was changed. To load the demo data into a production-shaped copy all the same, run npm run seed -- --force-demo-data.',
    );
    expect(refused.status).toBe(2);
    await expect(readdir(path.join(folder, 'production'))).rejects.toMatchObject({ code: 'ENOENT' });
    // Forced, it goes on to the configuration (here, production's missing settings).
    const forced = runCli('seed', ['--force-demo-data'], production);
    expect(forced.stderr).toMatch(/^The gateway's configuration is not valid:/);
    expect(forced.status).toBe(1);
    // Outside production the flag is not needed, and another argument is still refused.
    const other = runCli('seed', ['--force'], { DATA_DIR: path.join(folder, 'untouched') });
    expect(other.stderr).toMatch(/^This command takes no arguments: --force\nUsage: npm run seed /);
    expect(other.status).toBe(2);
  });

  it.each(['migrate', 'seed'])('%s: a setting that does not parse is named, without a stack trace', (command) => {
    const bad = runCli(command, [], { DATA_DIR: folder, DATABASE_URL: 'not-a-url' });
    expect(bad.stderr.trim()).toBe("The gateway's configuration is not valid:\n  - DATABASE_URL: Invalid URL");
    expect(bad.status).toBe(1);
  });
});
