// Schema: NOTIFY ssgw_data_changes (platform/db/data-changes.ts) when data a web process may hold
// in memory changes: at each commit that moved the page data version, and when sessions end
// (signed out, ended by staff, expired). PostgreSQL delivers a notification only at commit, so a
// process never hears of a change that is then rolled back.
import type { Kysely } from 'kysely';
import { runStatements } from './statements.ts';

export async function up(db: Kysely<unknown>): Promise<void> {
  await runStatements(db, [
    `CREATE OR REPLACE FUNCTION bump_page_data_version() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      UPDATE page_data_version SET version = version + 1 WHERE id = 1;
      DELETE FROM page_data_changes WHERE txid = NEW.txid;
      PERFORM pg_notify('ssgw_data_changes', '');
      RETURN NULL;
    END $$`,
    `CREATE FUNCTION notify_data_change() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      PERFORM pg_notify('ssgw_data_changes', '');
      RETURN NULL;
    END $$`,
    `CREATE TRIGGER sessions_ended AFTER DELETE OR TRUNCATE ON sessions
      FOR EACH STATEMENT EXECUTE FUNCTION notify_data_change()`,
  ]);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await runStatements(db, [
    `DROP TRIGGER sessions_ended ON sessions`,
    `DROP FUNCTION notify_data_change()`,
    `CREATE OR REPLACE FUNCTION bump_page_data_version() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      UPDATE page_data_version SET version = version + 1 WHERE id = 1;
      DELETE FROM page_data_changes WHERE txid = NEW.txid;
      RETURN NULL;
    END $$`,
  ]);
}
