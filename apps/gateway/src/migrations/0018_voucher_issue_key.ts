// Schema: a voucher remembers the issue form it was made from (a key the form carries), so the
// same form sent twice (a double click on "Issue voucher", a resend) issues one voucher, not two.
// Vouchers issued before have none; the unique index ignores them.
import type { Kysely } from 'kysely';
import { runStatements } from './statements.ts';

export async function up(db: Kysely<unknown>): Promise<void> {
  await runStatements(db, [
    `ALTER TABLE vouchers ADD COLUMN issue_key uuid`,
    `CREATE UNIQUE INDEX vouchers_issue_key_idx ON vouchers (issue_key) WHERE issue_key IS NOT NULL`,
  ]);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await runStatements(db, [`DROP INDEX vouchers_issue_key_idx`, `ALTER TABLE vouchers DROP COLUMN issue_key`]);
}
