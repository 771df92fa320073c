import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Clock } from '../../src/platform/clock.ts';
import { fixedClock } from '../../src/platform/clock.ts';
import { flashOf } from '../admin/manage-support.ts';
import { Browser, startTestApp, TEST_TODAY, type TestApp } from '../support/test-app.ts';

const MINUTE = 60_000;

/** Sessions and views of the site as a customer end on their own, by the injected clock. */
describe('sessions and views that end on their own', () => {
  let t: TestApp;
  let now = new Date(TEST_TODAY);
  const clock: Clock = { now: () => new Date(now), today: () => fixedClock(now).today() };
  const at = (minutes: number) => {
    now = new Date(Date.parse(TEST_TODAY) + minutes * MINUTE);
  };

  beforeAll(async () => {
    // The settings' defaults (the test support's own outlast its moving clocks).
    t = await startTestApp({ clock, env: { SESSION_IDLE_MINUTES: '120', SESSION_LIFETIME_HOURS: '12' } });
  });
  afterAll(() => t?.close());

  /** Signs in through the dev sign-in page, answering the sign-in's own response (its cookies). */
  async function signIn(browser: Browser, crsid: string) {
    const page = await browser.get('/dev/sign-in');
    const row = page.body.split('<tr>').find((chunk) => chunk.includes(`(${crsid})`)) ?? '';
    const personId = row.match(/name="personId" value="(\d+)"/)?.[1] ?? '';
    const csrf = row.match(/name="_csrf" value="([^"]+)"/)?.[1] ?? '';
    const answer = await browser.post('/dev/sign-in', { personId, _csrf: csrf, returnTo: '/' });
    expect(answer.statusCode).toBe(303);
    return answer;
  }

  async function viewAsEvents() {
    return t.database.db
      .selectFrom('audit_events')
      .select(['actor_label', 'action', 'after'])
      .where('entity_type', '=', 'view-as')
      .orderBy('id')
      .execute();
  }

  it('keeps the session cookie for the browser session only, and ends a busy session 12 hours after sign-in', async () => {
    at(0);
    const alice = new Browser(t.app);
    const signedIn = await signIn(alice, 'ar101');
    const cookies = [signedIn.headers['set-cookie'] ?? []].flat();
    const session = cookies.find((cookie) => cookie.startsWith('ssgw-session='));
    expect(session).toBeDefined();
    expect(session).not.toMatch(/Expires=|Max-Age=/i);

    // In use every hour, well inside the idle timeout (120 minutes): signed in for 12 hours.
    for (let hour = 1; hour < 12; hour++) {
      at(hour * 60);
      const page = await alice.get('/storage/');
      expect(page.statusCode, `after ${hour} hours`).toBe(200);
    }
    at(12 * 60 - 1);
    expect((await alice.get('/storage/')).statusCode).toBe(200);
    const form = await alice.csrfFrom('/account/');

    // Then, however busy, sign in again: a page asks to, a form says so, as after the idle timeout.
    at(12 * 60);
    const page = await alice.get('/storage/');
    expect(page.statusCode).toBe(302);
    expect(page.headers.location).toBe('/sign-in?returnTo=%2Fstorage%2F');
    const sent = await alice.post('/account/tokens', { _csrf: form, name: 'late script' });
    expect(sent.statusCode).toBe(403);
    expect(sent.body).toContain('You have been signed out: sign in again, then go back to the form.');
  });

  it('ends a view of the site as a customer after 30 minutes: the banner says until when, then the staff member is told', async () => {
    at(24 * 60);
    const rosa = new Browser(t.app);
    await signIn(rosa, 'rs501');
    const csrf = await rosa.csrfFrom('/admin/view-as');
    const started = await rosa.post('/admin/view-as', { crsid: 'ar101', reason: 'Ticket 31', _csrf: csrf });
    expect(started.statusCode).toBe(303);
    // 28 November 10:00 UTC, London's 10:00 (GMT): until 10:30.
    at(24 * 60 + 29);
    const during = await rosa.get('/storage/');
    expect(during.body).toContain('You are viewing the site as Alice Researcher (ar101) until');
    expect(during.body).toMatch(/>10:30<\/time>\. Nothing can be changed\./);
    expect((await viewAsEvents()).at(-1)).toMatchObject({ action: 'started', actor_label: 'rs501' });

    at(24 * 60 + 30);
    const after = await rosa.get('/storage/');
    expect(after.statusCode).toBe(200);
    expect(after.body).not.toContain('You are viewing the site as');
    expect(flashOf(after.body)).toBe(
      'Your view of the site as ar101 ended at 10:30, when its time ran out: you see the site as yourself again. To carry on, view the site as them again.',
    );
    const ended = (await viewAsEvents()).at(-1);
    expect(ended).toMatchObject({ action: 'ended', actor_label: 'rs501' });
    expect(ended?.after).toMatchObject({ customer: 'ar101', reason: 'Ticket 31', ended: 'its time ran out' });
    // Rosa is herself again: the back office is open.
    expect((await rosa.get('/admin/')).statusCode).toBe(200);
  });
});
