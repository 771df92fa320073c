// Schema: the finance code given for a closed one (finance-code-replacement.service.ts) is kept on
// the payment whose code closed, as what pays for its licence from then on: the nightly re-check
// and the replacement read it there. It was read back from the latest "finance code replaced"
// audit entry, a probe of the audit trail per licence; those entries fill the column.
import type { Kysely } from 'kysely';
import { runStatements } from './statements.ts';

export async function up(db: Kysely<unknown>): Promise<void> {
  await runStatements(db, [
    `ALTER TABLE payments ADD COLUMN replaced_by_code text`,
    `UPDATE payments p SET replaced_by_code = latest.finance_code
     FROM (
       SELECT DISTINCT ON (a.entity_id) a.entity_id, a.after->>'financeCode' AS finance_code
       FROM audit_events a
       WHERE a.entity_type = 'payment' AND a.action = 'finance code replaced'
       ORDER BY a.entity_id, a.id DESC
     ) latest
     JOIN orders o ON o.reference = latest.entity_id
     WHERE p.order_id = o.id AND p.method = 'finance-code'`,
  ]);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await runStatements(db, [`ALTER TABLE payments DROP COLUMN replaced_by_code`]);
}
