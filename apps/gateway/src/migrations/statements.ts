import { type Kysely, sql } from 'kysely';

/**
 * Runs DDL one statement at a time: PGlite's query path takes a single statement, and one
 * statement per call gives a clear error position on either engine.
 */
export async function runStatements(db: Kysely<unknown>, statements: string[]): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db);
}
