import type { Executor } from '../../platform/db/database.ts';
import { findPeopleByCrsids } from '../people/people.repository.ts';

export const DEMO_LICENCE_NAME = 'Physics demo: Quantum Materials group data';

/**
 * The embedded demo's licence (seedDemoShowcase): Alice's active Research Data Store licence, with
 * Ben and the demo leaver as Data Managers, so that the first directory sync flags the leaver on
 * its page. Added once: nothing when a licence of that name exists.
 */
export async function seedDemoLicence(db: Executor, managers: readonly string[]): Promise<void> {
  const existing = await db
    .selectFrom('licences')
    .select('id')
    .where('name', '=', DEMO_LICENCE_NAME)
    .executeTakeFirst();
  if (existing) return;
  const ids = new Map((await findPeopleByCrsids(db, ['ar101', ...managers])).map((p) => [p.crsid, p.id]));
  const owner = ids.get('ar101');
  if (owner === undefined) return;
  const licence = await db
    .insertInto('licences')
    .values({
      product_code: 'RDS',
      name: DEMO_LICENCE_NAME,
      institution_id: 'PHYS',
      owner_person_id: owner,
      size_tb: 10,
      start_date: '2026-01-01',
      end_date: '2028-12-31',
      status: 'active',
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const managerIds = managers.flatMap((crsid) => {
    const id = ids.get(crsid);
    return id === undefined ? [] : [{ licence_id: licence.id, person_id: id }];
  });
  if (managerIds.length > 0) await db.insertInto('licence_managers').values(managerIds).execute();
}
