import type { ColumnType, Generated } from 'kysely';

export interface SessionsTable {
  id: string;
  data: ColumnType<Record<string, unknown>, string, string>;
  /** The idle timeout, never past started_at plus the absolute lifetime (session-store.ts). */
  expires_at: Date;
  person_id: number | null;
  /** When the session began (a sign-in regenerates it, so: when its person signed in). */
  started_at: ColumnType<Date, Date | undefined, never>;
}

export interface PersonalAccessTokensTable {
  id: Generated<number>;
  person_id: number;
  name: string;
  /** SHA-256 of the token, hex: the token itself is shown once and never stored. */
  token_hash: string;
  token_hint: string;
  expires_on: string;
  created_at: ColumnType<Date, never, never>;
  last_used_at: Date | null;
  revoked_at: Date | null;
}

export interface IdentityTables {
  sessions: SessionsTable;
  personal_access_tokens: PersonalAccessTokensTable;
}
