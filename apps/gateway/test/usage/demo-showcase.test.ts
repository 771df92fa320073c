import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { licenceEndDate } from '../../src/modules/licences/licence-dates.ts';
import { DEMO_LICENCE_NAME } from '../../src/modules/licences/licences.seed.ts';
import { DEMO_USAGE_LICENCE_NAME } from '../../src/modules/usage/usage.seed.ts';
import { seedDemoShowcase } from '../../src/seed.ts';
import { startTestApp, type TestApp } from '../support/test-app.ts';

/** The embedded demo's licences keep the rules a bought licence keeps, so the demo shows what the service does. */
describe('the demo showcase', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t?.close());

  // The usage demo was dated today − 8 months to today + 16 months: 7 April 2026 to 7 April 2028,
  // one day longer than two years end (licence-dates.ts: the day before the same date two years on).
  it('dates each licence as the end-date rule does for its term', async () => {
    await seedDemoShowcase(t.database.db, '2026-12-07');
    const licences = await t.database.db
      .selectFrom('licences')
      .select(['name', 'start_date', 'end_date'])
      .where('name', 'in', [DEMO_USAGE_LICENCE_NAME, DEMO_LICENCE_NAME])
      .orderBy('name')
      .execute();
    expect(licences).toEqual([
      { name: DEMO_USAGE_LICENCE_NAME, start_date: '2026-04-07', end_date: '2028-04-06' },
      { name: DEMO_LICENCE_NAME, start_date: '2026-01-01', end_date: licenceEndDate('2026-01-01', 3) },
    ]);
  });
});
