import type { Executor } from '../../platform/db/database.ts';
import type { Directory } from '../../platform/directory/directory.ts';
import type { JobQueue } from '../../platform/jobs/jobs.ts';
import { reviewLeavers } from '../lifecycle/leaver-flags.service.ts';
import type { SiteLinks } from '../lifecycle/lifecycle.service.ts';
import { applyDirectoryBatch } from './directory-sync.repository.ts';

export interface DirectorySyncResult {
  asOf: string;
  /** Directory entries read. */
  seen: number;
  /** Our people whose details or status changed. */
  changed: number;
  left: number;
  returned: number;
  /** Leaver flags raised and cleared on licences, and the emails about the new ones. */
  flagsRaised: number;
  flagsCleared: number;
  emails: number;
}

export interface SyncProgress {
  seen: number;
  changed: number;
}

/**
 * The directory sync as of a day: reads the whole directory a batch at a time and brings our
 * people in line, one statement and one transaction per batch (so a directory of hundreds of
 * thousands never sits in memory or in one transaction), then flags and clears the licences'
 * leavers and emails about the new ones. Idempotent: a second run as of the same day changes
 * and sends nothing. A directory that fails part-way throws (the queue retries); the batches
 * already applied are simply found in line next time.
 */
export async function runDirectorySync(
  db: Executor,
  jobs: JobQueue,
  directory: Directory,
  asOf: string,
  site: SiteLinks,
  onProgress: (progress: SyncProgress) => void = () => {},
): Promise<DirectorySyncResult> {
  const totals = { seen: 0, changed: 0, left: 0, returned: 0 };
  for await (const batch of directory.listPeople()) {
    const outcome = await db.transaction().execute((tx) => applyDirectoryBatch(tx, batch, asOf));
    totals.seen += batch.length;
    totals.changed += outcome.changed;
    totals.left += outcome.left;
    totals.returned += outcome.returned;
    onProgress({ seen: totals.seen, changed: totals.changed });
  }
  const flags = await db.transaction().execute((tx) => reviewLeavers(tx, jobs, asOf, site));
  return {
    asOf,
    ...totals,
    flagsRaised: flags.raised,
    flagsCleared: flags.cleared,
    emails: flags.emails,
  };
}
