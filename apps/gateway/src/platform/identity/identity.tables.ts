import type { ColumnType } from 'kysely';

export interface SessionsTable {
  id: string;
  data: ColumnType<Record<string, unknown>, string, string>;
  expires_at: Date;
  person_id: number | null;
}

export interface IdentityTables {
  sessions: SessionsTable;
}
