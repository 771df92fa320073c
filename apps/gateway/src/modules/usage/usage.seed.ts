import { Temporal } from 'temporal-polyfill';
import type { Executor } from '../../platform/db/database.ts';
import { licenceEndDate } from '../licences/licence-dates.ts';
import { BYTES_PER_TB } from './usage-readings.ts';

export const DEMO_USAGE_LICENCE_NAME = 'Physics demo: Imaging archive';

/**
 * The embedded demo's usage chart (seedDemoShowcase): Alice's 10 TB Research Data Store licence,
 * bought for two years eight months before `today` (it ends as licenceEndDate says), with two
 * storage projects on the storage system, read weekly for the 26 weeks up to `today`, filling up
 * to 93%, so its page shows the chart and the next near-quota run warns her. Added once: nothing
 * when a licence of that name exists.
 */
export async function seedDemoUsage(db: Executor, today: string): Promise<void> {
  const existing = await db
    .selectFrom('licences')
    .select('id')
    .where('name', '=', DEMO_USAGE_LICENCE_NAME)
    .executeTakeFirst();
  if (existing) return;
  const owner = await db.selectFrom('people').select('id').where('crsid', '=', 'ar101').executeTakeFirst();
  if (!owner) return;
  const day = Temporal.PlainDate.from(today);
  const startDate = day.subtract({ months: 8 }).toString();
  const licence = await db
    .insertInto('licences')
    .values({
      product_code: 'RDS',
      name: DEMO_USAGE_LICENCE_NAME,
      institution_id: 'PHYS',
      owner_person_id: owner.id,
      size_tb: 10,
      start_date: startDate,
      end_date: licenceEndDate(startDate, 2),
      status: 'active',
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const projects = await db
    .insertInto('storage_projects')
    .values([
      { licence_id: licence.id, name: 'raw', quota_tb: 7, status: 'active' },
      { licence_id: licence.id, name: 'processed', quota_tb: 3, status: 'active' },
    ])
    .returning('id')
    .execute();
  const [raw, processed] = projects.map((project) => project.id);
  if (raw === undefined || processed === undefined) return;
  // the path is the storage system's name for a project, set once it is provisioned
  for (const [id, name] of [
    [raw, 'raw'],
    [processed, 'processed'],
  ] as const) {
    await db
      .updateTable('storage_projects')
      .set({ path: `/rds/project/phys-imaging/${name}` })
      .where('id', '=', id)
      .execute();
  }
  const weeks = 26;
  const readings = Array.from({ length: weeks }, (_, i) => {
    const readOn = day.subtract({ weeks: weeks - 1 - i }).toString();
    const share = i / (weeks - 1);
    return [
      { project_id: raw, read_on: readOn, used_bytes: Math.round((2 + 4.1 * share) * BYTES_PER_TB) },
      { project_id: processed, read_on: readOn, used_bytes: Math.round((1 + 2.2 * share) * BYTES_PER_TB) },
    ];
  }).flat();
  await db
    .insertInto('usage_readings')
    .values(readings.map((reading) => ({ ...reading, licence_id: licence.id, source: 'demo' })))
    .execute();
}
