import type { Executor } from '../db/database.ts';
import { DIRECTORY_BATCH_SIZE, type Directory, type DirectoryEntry } from './directory.ts';

/** DIRECTORY=seeded: the `directory_people` table, read in CRSid order a batch at a time (keyset paging). */
export function seededDirectory(db: Executor, batchSize = DIRECTORY_BATCH_SIZE): Directory {
  const columns = ['crsid', 'display_name', 'email', 'institution_id', 'status'] as const;
  return {
    description: 'seeded table (directory_people)',
    async findPerson(crsid) {
      const row = await db.selectFrom('directory_people').select(columns).where('crsid', '=', crsid).executeTakeFirst();
      return row && toEntry(row);
    },
    async *listPeople(): AsyncIterable<DirectoryEntry[]> {
      let after = '';
      for (;;) {
        const rows = await db
          .selectFrom('directory_people')
          .select(columns)
          .where('crsid', '>', after)
          .orderBy('crsid')
          .limit(batchSize)
          .execute();
        if (rows.length === 0) return;
        yield rows.map(toEntry);
        after = rows[rows.length - 1]?.crsid ?? after;
        if (rows.length < batchSize) return;
      }
    },
  };
}

function toEntry(row: {
  crsid: string;
  display_name: string;
  email: string;
  institution_id: string | null;
  status: 'current' | 'left';
}): DirectoryEntry {
  return {
    crsid: row.crsid,
    displayName: row.display_name,
    email: row.email,
    institutionId: row.institution_id,
    status: row.status,
  };
}
