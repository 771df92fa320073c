// Schema: orders that change a licence (increase, renewal, recovery, cancellation). The period an
// order pays for, the part of a recovery's price that is the cold-store fee, and at most one
// change order in progress per licence.
import type { Kysely } from 'kysely';
import { runStatements } from './statements.ts';

export async function up(db: Kysely<unknown>): Promise<void> {
  await runStatements(db, [
    // increase: the pricing day .. the licence's end date; renewal and recovery: the day after the
    // old end date .. the new end date; new and cancellation: none
    `ALTER TABLE orders ADD COLUMN starts_on date, ADD COLUMN ends_on date,
      ADD CONSTRAINT orders_period_check CHECK ((starts_on IS NULL) = (ends_on IS NULL) AND starts_on <= ends_on)`,
    // recovery only: the part of net_pence charged for the time the data spent in the cold store
    `ALTER TABLE orders ADD COLUMN cold_store_pence bigint NOT NULL DEFAULT 0
      CHECK (cold_store_pence >= 0 AND cold_store_pence <= net_pence)`,
    // 'submitted' is never stored today, but an order in it would be in progress too
    `CREATE UNIQUE INDEX orders_one_change_in_progress_idx ON orders (licence_id)
      WHERE kind <> 'new' AND status IN ('submitted', 'awaiting-payment-check', 'awaiting-approval', 'approved',
        'provisioning', 'provisioning-failed')`,
  ]);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await runStatements(db, [
    `DROP INDEX orders_one_change_in_progress_idx`,
    `ALTER TABLE orders DROP COLUMN cold_store_pence, DROP COLUMN ends_on, DROP COLUMN starts_on`,
  ]);
}
