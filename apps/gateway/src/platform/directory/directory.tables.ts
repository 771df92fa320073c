import type { ColumnType } from 'kysely';

/** The embedded default directory (DIRECTORY=seeded): demo people, or a CSV extract loaded by `npm run directory:import`. */
export interface DirectoryPeopleTable {
  crsid: string;
  display_name: string;
  email: string;
  institution_id: string | null;
  status: 'current' | 'left';
  updated_at: ColumnType<Date, never, Date>;
}

export interface DirectoryTables {
  directory_people: DirectoryPeopleTable;
}
