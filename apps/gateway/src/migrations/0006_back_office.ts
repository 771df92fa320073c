// Schema: the back office. Who decided an order and when; every provisioning run with what it
// created (paths, shares, groups, quota) and what it undid on failure; where each storage project
// lives once provisioned; licence locks; and indexes for the service teams' order queue.
import type { Kysely } from 'kysely';
import { runStatements } from './statements.ts';

export async function up(db: Kysely<unknown>): Promise<void> {
  await runStatements(db, [
    `ALTER TABLE orders ADD COLUMN decided_by_person_id bigint REFERENCES people (id)`,
    `ALTER TABLE orders ADD COLUMN decided_at timestamptz`,
    // the queue: one service's products, a status, oldest first; and filters by department
    `CREATE INDEX orders_queue_idx ON orders (product_code, status, submitted_at, id)`,
    `CREATE INDEX orders_institution_idx ON orders (institution_id, submitted_at)`,
    `CREATE INDEX orders_submitted_idx ON orders (submitted_at, id)`,

    `CREATE TABLE provisioning_runs (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      order_id bigint NOT NULL REFERENCES orders (id),
      -- manual (a person records what they made), command or webhook
      provisioner text NOT NULL CHECK (provisioner IN ('manual', 'command', 'webhook')),
      started_by_person_id bigint REFERENCES people (id),
      started_at timestamptz NOT NULL DEFAULT now(),
      finished_at timestamptz,
      outcome text NOT NULL DEFAULT 'running' CHECK (outcome IN ('running', 'succeeded', 'failed')),
      -- for staff only: never shown to customers
      error text,
      -- what was created: { projects: [{ id, path, shareName, groups }], quotaTb }
      details jsonb,
      -- what a failed run undid
      undone jsonb
    )`,
    `CREATE INDEX provisioning_runs_order_idx ON provisioning_runs (order_id, id)`,
    // at most one run in progress per order
    `CREATE UNIQUE INDEX provisioning_runs_running_idx ON provisioning_runs (order_id) WHERE outcome = 'running'`,

    `ALTER TABLE storage_projects ADD COLUMN path text`,
    `ALTER TABLE storage_projects ADD COLUMN share_name text`,
    `ALTER TABLE storage_projects ADD COLUMN group_names text[] NOT NULL DEFAULT '{}'`,

    `ALTER TABLE licences ADD COLUMN locked_at timestamptz`,
    `ALTER TABLE licences ADD COLUMN locked_by_person_id bigint REFERENCES people (id)`,
    `ALTER TABLE licences ADD COLUMN lock_reason text`,
    `CREATE INDEX licences_name_idx ON licences (lower(name))`,
    `CREATE INDEX licences_product_status_idx ON licences (product_code, status)`,

    `ALTER TABLE vouchers ADD COLUMN revoke_reason text`,
    `CREATE INDEX vouchers_issued_idx ON vouchers (issued_at DESC)`,
  ]);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await runStatements(db, [
    `DROP INDEX vouchers_issued_idx`,
    `ALTER TABLE vouchers DROP COLUMN revoke_reason`,
    `DROP INDEX licences_product_status_idx`,
    `DROP INDEX licences_name_idx`,
    `ALTER TABLE licences DROP COLUMN lock_reason, DROP COLUMN locked_by_person_id, DROP COLUMN locked_at`,
    `ALTER TABLE storage_projects DROP COLUMN group_names, DROP COLUMN share_name, DROP COLUMN path`,
    `DROP TABLE provisioning_runs`,
    `DROP INDEX orders_submitted_idx`,
    `DROP INDEX orders_institution_idx`,
    `DROP INDEX orders_queue_idx`,
    `ALTER TABLE orders DROP COLUMN decided_at, DROP COLUMN decided_by_person_id`,
  ]);
}
