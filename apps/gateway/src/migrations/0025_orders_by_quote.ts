// Schema: a quote prices one order. Placing an order with a quote looks for a live order already
// placed with it (orders.service.ts insertOrder), and every page showing a quote says whether one
// was (quotes.repository.ts usedBy): by this partial index, which holds only orders with a quote.
import type { Kysely } from 'kysely';
import { runStatements } from './statements.ts';

export async function up(db: Kysely<unknown>): Promise<void> {
  await runStatements(db, [`CREATE INDEX orders_quote_idx ON orders (quote_id, id) WHERE quote_id IS NOT NULL`]);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await runStatements(db, [`DROP INDEX orders_quote_idx`]);
}
