import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { waitingOrdersDigestJob } from '../../src/modules/lifecycle/team-digest.jobs.ts';
import { runTeamDigest } from '../../src/modules/lifecycle/team-digest.service.ts';
import type { OrderStatus } from '../../src/modules/orders/order-status.ts';
import { fixedClock } from '../../src/platform/clock.ts';
import { siteLinks } from '../../src/platform/config.ts';
import { drainJobs } from '../support/jobs.ts';
import { insertStorage } from '../support/storage-fixtures.ts';
import { startTestApp, type TestApp } from '../support/test-app.ts';

/**
 * The weekly digest to each service team of orders waiting more than 7 days: who gets it, what
 * it lists (oldest first, capped at 50 with "and N more"), nothing to a team with nothing
 * waiting, and nothing from a second run in the same week.
 */
describe('weekly digest of waiting orders', () => {
  let t: TestApp;
  // Monday 30 November 2026, 08:00 in London (GMT)
  const monday = new Date('2026-11-30T08:00:00Z');

  beforeEach(async () => {
    t = await startTestApp({ clock: fixedClock(monday) });
  });
  afterEach(async () => {
    await t.close();
  });

  const run = (asOf: string, now: Date) => runTeamDigest(t.database.db, t.jobs.queue, asOf, now, siteLinks(t.config));

  async function order(name: string, productCode: string, status: OrderStatus, submittedAt: string): Promise<string> {
    const fixture = await insertStorage(t.database.db, {
      name,
      owner: 'ar101',
      productCode,
      order: { status, buyer: 'bm202' },
    });
    const reference = fixture.order?.reference ?? '';
    await sql`UPDATE orders SET submitted_at = ${new Date(submittedAt)} WHERE reference = ${reference}`.execute(
      t.database.db,
    );
    return reference;
  }

  async function outbox() {
    return t.database.db
      .selectFrom('mail_outbox')
      .select(['to_addresses', 'subject', 'text_body', 'template'])
      .where('template', '=', 'waiting-orders-digest')
      .orderBy('id')
      .execute();
  }

  it('sends each team one email listing its orders waiting more than 7 days, oldest first; never twice a week', async () => {
    const oldest = await order('Oldest', 'RDS', 'awaiting-approval', '2026-11-02T09:00:00Z');
    const failed = await order('Failed set-up', 'RFS', 'provisioning-failed', '2026-11-10T09:00:00Z');
    const checking = await order('Checking', 'RDS', 'awaiting-payment-check', '2026-11-20T09:00:00Z');
    const approved = await order('Approved', 'RCS', 'approved', '2026-11-23T07:59:00Z'); // 7 days and 1 minute
    const ifs = await order('Institutional', 'IFS', 'awaiting-approval', '2026-11-15T12:00:00Z');
    // not waiting for the team, or not long enough
    const recent = await order('Recent', 'RDS', 'awaiting-approval', '2026-11-23T08:01:00Z');
    const done = await order('Done', 'RDS', 'completed', '2026-10-01T09:00:00Z');
    const cancelled = await order('Cancelled', 'IFS', 'cancelled', '2026-10-01T09:00:00Z');

    const first = await run('2026-11-30', monday);
    expect(first).toEqual({ week: '2026-11-30', emails: 2, orders: 5 });
    const mail = await outbox();
    expect(mail.map((m) => m.to_addresses)).toEqual([['ifs@example.ac.uk'], ['research-storage@example.ac.uk']]);
    const [ifsMail, research] = mail;
    expect(ifsMail?.subject).toBe('1 order has waited more than 7 days');
    expect(ifsMail?.text_body).toContain(`${ifs}: Awaiting approval, Institutional File Store, Department of Physics`);
    expect(research?.subject).toBe('4 orders have waited more than 7 days');
    const text = research?.text_body ?? '';
    const listed = [oldest, failed, checking, approved].map((ref) => text.indexOf(`- ${ref}:`));
    expect(listed.every((at) => at >= 0)).toBe(true);
    expect([...listed].sort((a, b) => a - b)).toEqual(listed);
    expect(text).toContain(`${t.config.publicUrl}/admin/orders/${oldest}/`);
    const buyer = await t.database.db
      .selectFrom('people')
      .select('display_name')
      .where('crsid', '=', 'bm202')
      .executeTakeFirstOrThrow();
    expect(text).toContain(
      `${oldest}: Awaiting approval, Research Data Store, Department of Physics, bought by ${buyer.display_name}, waiting 27 days`,
    );
    // in the team's words, as its queue says them, not the customer's ("Being set up (delayed)")
    expect(text).toContain(`${failed}: Provisioning failed, Research File Share`);
    expect(text).toContain(`${checking}: Awaiting payment check,`);
    expect(text).toContain(`${approved}: Approved, to provision,`);
    // and a link to the queue, filtered as the digest is
    expect(text).toContain(
      `The orders queue lists every one of them: ${t.config.publicUrl}/admin/orders/?service=research&olderThan=7`,
    );
    expect(ifsMail?.text_body).toContain(`${t.config.publicUrl}/admin/orders/?service=institutional&olderThan=7`);
    expect(text).toContain('waiting 7 days');
    for (const ref of [recent, done, cancelled, ifs]) expect(text).not.toContain(ref);
    expect(text).not.toContain('more order');

    // again the same day, and later that week: nothing
    expect(await run('2026-11-30', monday)).toEqual({ week: '2026-11-30', emails: 0, orders: 0 });
    expect(await run('2026-12-03', new Date('2026-12-03T08:00:00Z'))).toMatchObject({ emails: 0 });
    expect(await outbox()).toHaveLength(2);
    // the next week: the orders still waiting are listed again
    expect(await run('2026-12-07', new Date('2026-12-07T08:00:00Z'))).toMatchObject({ emails: 2, orders: 6 });
  });

  it('lists the oldest 50 and says how many more wait', async () => {
    for (let i = 0; i < 53; i += 1) {
      await order(`Share ${i}`, 'RDS', 'awaiting-approval', new Date(Date.UTC(2026, 9, 1 + i, 9)).toISOString());
    }
    await run('2026-11-30', monday);
    const [mail] = await outbox();
    expect(mail?.subject).toBe('53 orders have waited more than 7 days');
    expect(mail?.text_body.match(/^- ORD-/gm)).toHaveLength(50);
    expect(mail?.text_body).toContain('… and 3 more orders wait: see the orders queue.');
  });

  it('sends nothing when nothing waits, and runs as the scheduled job', async () => {
    await order('Recent', 'RDS', 'awaiting-approval', '2026-11-25T09:00:00Z');
    await t.jobs.queue.enqueue(t.database.db, waitingOrdersDigestJob, {});
    await drainJobs(t.jobs);
    expect(await outbox()).toHaveLength(0);
    expect(await t.database.db.selectFrom('digest_runs').selectAll().execute()).toHaveLength(0);

    await order('Old', 'IFS', 'awaiting-approval', '2026-11-01T09:00:00Z');
    await t.jobs.queue.enqueue(t.database.db, waitingOrdersDigestJob, {});
    await drainJobs(t.jobs);
    await t.jobs.queue.enqueue(t.database.db, waitingOrdersDigestJob, {});
    await drainJobs(t.jobs);
    const mail = await outbox();
    expect(mail.map((m) => m.to_addresses)).toEqual([['ifs@example.ac.uk']]);
    expect(await t.database.db.selectFrom('digest_runs').select(['service', 'week_start', 'orders']).execute()).toEqual(
      [{ service: 'institutional', week_start: '2026-11-30', orders: 1 }],
    );
  });
});
