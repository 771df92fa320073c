// Schema: Finance's billing export (modules/billing). It reads the completed orders that cost
// something, completed in a range of days (orders.updated_at: a completed order's status changed
// last when it completed), in order of completion then reference, a page at a time. None of the
// orders indexes of 0005/0006 starts with updated_at; this partial one holds only the orders billed.
import type { Kysely } from 'kysely';
import { runStatements } from './statements.ts';

export async function up(db: Kysely<unknown>): Promise<void> {
  await runStatements(db, [
    `CREATE INDEX orders_billed_idx ON orders (updated_at, reference) WHERE status = 'completed' AND total_pence > 0`,
  ]);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await runStatements(db, [`DROP INDEX orders_billed_idx`]);
}
