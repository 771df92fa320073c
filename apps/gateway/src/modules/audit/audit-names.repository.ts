import type { Executor } from '../../platform/db/database.ts';
import type { AuditEvent } from './audit.repository.ts';
import { type AuditNames, codesToName } from './audit-words.ts';

/**
 * The names a history's entries read with (describeChanges, actorWords): its people by CRSid, its
 * departments and products by code. One query for each kind, whatever the number of entries.
 */
export async function auditNames(db: Executor, entries: readonly AuditEvent[]): Promise<AuditNames> {
  const { crsids, departments, products } = codesToName(entries);
  // Three small reads at once, not one after another.
  const [people, institutions, catalogue] = await Promise.all([
    crsids.length === 0
      ? []
      : db.selectFrom('people').select(['crsid', 'display_name as name']).where('crsid', 'in', crsids).execute(),
    departments.length === 0
      ? []
      : db.selectFrom('institutions').select(['id', 'name']).where('id', 'in', departments).execute(),
    products.length === 0
      ? []
      : db.selectFrom('products').select(['code', 'name']).where('code', 'in', products).execute(),
  ]);
  return {
    people: new Map(people.map((row) => [row.crsid, row.name])),
    departments: new Map(institutions.map((row) => [row.id, row.name])),
    products: new Map(catalogue.map((row) => [row.code, row.name])),
  };
}
