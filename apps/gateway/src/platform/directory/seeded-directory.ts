import type { Executor } from '../db/database.ts';
import { DIRECTORY_BATCH_SIZE, type Directory, type DirectoryEntry } from './directory.ts';

/** DIRECTORY=seeded: the `directory_people` table, read in CRSid order a batch at a time (keyset paging). */
export function seededDirectory(db: Executor, batchSize = DIRECTORY_BATCH_SIZE): Directory {
  return {
    description: 'seeded table (directory_people)',
    async *listPeople(): AsyncIterable<DirectoryEntry[]> {
      let after = '';
      for (;;) {
        const rows = await db
          .selectFrom('directory_people')
          .select(['crsid', 'display_name', 'email', 'institution_id', 'status'])
          .where('crsid', '>', after)
          .orderBy('crsid')
          .limit(batchSize)
          .execute();
        if (rows.length === 0) return;
        yield rows.map((row) => ({
          crsid: row.crsid,
          displayName: row.display_name,
          email: row.email,
          institutionId: row.institution_id,
          status: row.status,
        }));
        after = rows[rows.length - 1]?.crsid ?? after;
        if (rows.length < batchSize) return;
      }
    },
  };
}
