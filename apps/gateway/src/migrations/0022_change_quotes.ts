// Schema: quotes for a change of a licence (a renewal, a recovery from the cold store, more space),
// so a Data Owner or Data Manager can raise a purchase order against one as for new storage. A
// change quote names its licence and kind and the period it pays for (and, for a recovery, the
// cold-store fee within its net price); a quote for new storage has none of them. size_tb is the
// licence's size for a renewal or recovery and the TB added for an increase, as on the order.
import type { Kysely } from 'kysely';
import { runStatements } from './statements.ts';

export async function up(db: Kysely<unknown>): Promise<void> {
  await runStatements(db, [
    `ALTER TABLE quotes ADD COLUMN licence_id bigint REFERENCES licences (id)`,
    `ALTER TABLE quotes ADD COLUMN change_kind text CHECK (change_kind IN ('increase', 'renewal', 'recovery'))`,
    `ALTER TABLE quotes ADD COLUMN starts_on date`,
    `ALTER TABLE quotes ADD COLUMN ends_on date`,
    `ALTER TABLE quotes ADD COLUMN cold_store_pence bigint NOT NULL DEFAULT 0 CHECK (cold_store_pence >= 0)`,
    `ALTER TABLE quotes ADD CONSTRAINT quotes_change_check CHECK (
      (licence_id IS NULL AND change_kind IS NULL AND starts_on IS NULL AND ends_on IS NULL AND cold_store_pence = 0)
      OR (licence_id IS NOT NULL AND change_kind IS NOT NULL AND starts_on IS NOT NULL AND ends_on IS NOT NULL
          AND ends_on >= starts_on AND cold_store_pence <= net_pence)
    )`,
    `CREATE INDEX quotes_licence_idx ON quotes (licence_id) WHERE licence_id IS NOT NULL`,
  ]);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await runStatements(db, [
    `ALTER TABLE quotes DROP CONSTRAINT quotes_change_check`,
    `ALTER TABLE quotes DROP COLUMN cold_store_pence`,
    `ALTER TABLE quotes DROP COLUMN ends_on`,
    `ALTER TABLE quotes DROP COLUMN starts_on`,
    `ALTER TABLE quotes DROP COLUMN change_kind`,
    `ALTER TABLE quotes DROP COLUMN licence_id`,
  ]);
}
