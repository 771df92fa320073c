import { mkdirSync } from 'node:fs';
import lockfile from 'proper-lockfile';

/**
 * PGlite has no lock of its own, and two processes writing one data folder corrupt it. The
 * embedded default therefore takes this lock and runs web, worker and schedules in one process.
 */
export async function lockEmbeddedDataDir(dir: string): Promise<() => Promise<void>> {
  mkdirSync(dir, { recursive: true });
  try {
    return await lockfile.lock(dir, { lockfilePath: `${dir}.lock`, stale: 15_000, update: 5_000 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ELOCKED') {
      throw new Error(
        `Another gateway process is already using the embedded database in ${dir}. Stop it first, or set DATABASE_URL to share a PostgreSQL server between processes.`,
      );
    }
    throw error;
  }
}
