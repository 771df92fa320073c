import { spawnSync } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CsvFileError, csvRecords } from '../../src/platform/csv.ts';

const root = path.resolve(import.meta.dirname, '../../../..');

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

  /** The command in a process of its own, as npm starts it (tsx), from the folder it was typed in. */
  const run = (command: 'usage-import' | 'directory-import', file: string) =>
    spawnSync(process.execPath, ['--import', 'tsx', path.join(root, `apps/gateway/src/cli/${command}.ts`), file], {
      cwd: root,
      env: {
        ...process.env,
        INIT_CWD: folder,
        DATA_DIR: path.join(folder, 'data'),
        TSX_TSCONFIG_PATH: path.join(root, 'apps/gateway/tsconfig.json'),
      },
      encoding: 'utf8',
      timeout: 60_000,
    });

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
