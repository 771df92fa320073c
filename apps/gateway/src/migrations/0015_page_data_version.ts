// Schema: one number that changes whenever data a cached page shows may have changed, so a web
// process can keep a rendered page (platform/web/page-cache.ts) and know, from the same statement
// that reads the session, whether it is still true.
//
// Every statement that writes a table pages read notes its transaction in page_data_changes; at
// commit a deferred trigger adds one to page_data_version.version. The number moves in the
// transaction that changed the data, so nobody can read the new number and still the old data,
// and the row is locked only for the moment of each commit (a statement-level bump would hold it
// from the first write to the commit and queue every writer behind the longest transaction).
import type { Kysely } from 'kysely';
import { runStatements } from './statements.ts';

/**
 * The tables whose writes change the number, when this migration ran: every table but those
 * platform/web/page-cache.ts names as read by no cached page (a test holds the two lists together).
 */
const TABLES_PAGES_READ = [
  'institutions',
  'licence_flags',
  'licence_managers',
  'licence_storage_steps',
  'licences',
  'orders',
  'payments',
  'people',
  'prices',
  'products',
  'provisioning_runs',
  'quotes',
  'services',
  'staff_roles',
  'storage_project_members',
  'storage_projects',
  'terms_versions',
  'uploaded_documents',
  'vouchers',
];

/** A later migration that adds a table pages read gives it this trigger. */
export const pageDataTrigger = (table: string) =>
  `CREATE TRIGGER ${table}_page_data AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON ${table}
    FOR EACH STATEMENT EXECUTE FUNCTION note_page_data_change()`;

export async function up(db: Kysely<unknown>): Promise<void> {
  await runStatements(db, [
    `CREATE TABLE page_data_version (
      id smallint PRIMARY KEY CHECK (id = 1),
      version bigint NOT NULL
    )`,
    `INSERT INTO page_data_version (id, version) VALUES (1, 1)`,
    // one row per writing transaction, from its first write to its commit
    `CREATE TABLE page_data_changes (txid xid8 PRIMARY KEY)`,
    `CREATE FUNCTION note_page_data_change() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      INSERT INTO page_data_changes (txid) VALUES (pg_current_xact_id()) ON CONFLICT DO NOTHING;
      RETURN NULL;
    END $$`,
    `CREATE FUNCTION bump_page_data_version() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      UPDATE page_data_version SET version = version + 1 WHERE id = 1;
      DELETE FROM page_data_changes WHERE txid = NEW.txid;
      RETURN NULL;
    END $$`,
    `CREATE CONSTRAINT TRIGGER page_data_changes_bump AFTER INSERT ON page_data_changes
      DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bump_page_data_version()`,
    ...TABLES_PAGES_READ.map(pageDataTrigger),
  ]);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await runStatements(db, [
    ...TABLES_PAGES_READ.map((table) => `DROP TRIGGER ${table}_page_data ON ${table}`),
    `DROP TABLE page_data_changes`,
    `DROP TABLE page_data_version`,
    `DROP FUNCTION bump_page_data_version()`,
    `DROP FUNCTION note_page_data_change()`,
  ]);
}
