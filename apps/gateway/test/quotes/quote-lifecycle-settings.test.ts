import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiAs, changeableLicence } from '../support/change-orders.ts';
import { startTestApp, type TestApp } from '../support/test-app.ts';

/**
 * A change quote lasts no longer than its change can be ordered, by the lifecycle the service is
 * configured with (COLD_AFTER_DAYS), not the defaults: a renewal until the day before the licence
 * would move to the cold store.
 */
describe('a change quote under other lifecycle settings', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ env: { COLD_AFTER_DAYS: '10' } });
  });
  afterAll(() => t?.close());

  it('holds a renewal quote of a read-only licence until the day before it moves to the cold store, 10 days after its end', async () => {
    // The test day is 27 November 2026; the licence ended on 20 November: cold on 30 November.
    const id = await changeableLicence(
      t.database.db,
      { licence: 'Ten days', project: 'ten' },
      { status: 'suspended', startDate: '2025-11-21', endDate: '2026-11-20' },
    );
    const quote = await apiAs(t, 'ar101', 'POST', `/api/licences/${id}/changes/quote`, {
      kind: 'renewal',
      termYears: 1,
    });
    expect(quote.statusCode, quote.body).toBe(201);
    expect(quote.json()).toMatchObject({ validUntil: '2026-11-29' });
    const page = await apiAs(t, 'ar101', 'GET', `/api/quotes/${quote.json().reference}`);
    expect(page.json()).toMatchObject({ valid: true, validUntil: '2026-11-29' });
  });
});
