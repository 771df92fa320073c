import { sql } from 'kysely';
import { Temporal } from 'temporal-polyfill';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Clock } from '../../src/platform/clock.ts';
import { TABLES_NO_PAGE_READS } from '../../src/platform/web/page-cache.ts';
import { insertStorage, type StorageFixture } from '../support/storage-fixtures.ts';
import { Browser, startTestApp, type TestApp } from '../support/test-app.ts';

/** A clock a test can move on a day. */
function movableClock(start: string): Clock & { nextDay(): void } {
  let today = Temporal.PlainDate.from(start);
  return {
    now: () => new Date(`${today.toString()}T10:00:00Z`),
    today: () => today,
    nextDay: () => {
      today = today.add({ days: 1 });
    },
  };
}

const csrfOf = (body: string) => body.match(/name="_csrf" value="([^"]+)"/)?.[1];

describe('My storage is kept per session until data it shows changes', () => {
  let t: TestApp;
  let licence: StorageFixture;
  const clock = movableClock('2026-11-27');
  const version = async () =>
    (await sql<{ v: string }>`SELECT version::text AS v FROM page_data_version`.execute(t.database.db)).rows[0]?.v;

  beforeAll(async () => {
    t = await startTestApp({ clock });
    licence = await insertStorage(t.database.db, {
      name: 'Kept page licence',
      owner: 'ar101',
      status: 'active',
      sizeTb: 4,
      startDate: '2026-01-01',
      endDate: '2027-01-10',
    });
  });
  afterAll(() => t.close());

  it('has every table either move the page data version when written, or named as read by no page', async () => {
    const tables = await sql<{ name: string; triggered: boolean }>`
      SELECT c.relname AS name,
             EXISTS (SELECT 1 FROM pg_trigger g WHERE g.tgrelid = c.oid AND g.tgname = c.relname || '_page_data') AS triggered
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p')`.execute(t.database.db);
    const forgotten = tables.rows.filter((table) => !table.triggered && !TABLES_NO_PAGE_READS.includes(table.name));
    expect(forgotten.map((table) => table.name)).toEqual([]);
    const both = tables.rows.filter((table) => table.triggered && TABLES_NO_PAGE_READS.includes(table.name));
    expect(both.map((table) => table.name)).toEqual([]);
    expect(tables.rows.map((table) => table.name)).toContain('licences');
  });

  it('moves the version once per committed transaction that wrote a page table, at its commit', async () => {
    const db = t.database.db;
    const before = Number(await version());
    const inside = await db.transaction().execute(async (tx) => {
      await sql`UPDATE licences SET name = name WHERE id = ${licence.licenceId}`.execute(tx);
      await sql`UPDATE people SET display_name = display_name WHERE crsid = 'ar101'`.execute(tx);
      return (await sql<{ v: string }>`SELECT version::text AS v FROM page_data_version`.execute(tx)).rows[0]?.v;
    });
    expect(Number(inside)).toBe(before);
    expect(Number(await version())).toBe(before + 1);

    await expect(
      db.transaction().execute(async (tx) => {
        await sql`UPDATE licences SET name = 'Never' WHERE id = ${licence.licenceId}`.execute(tx);
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    expect(Number(await version())).toBe(before + 1);

    // A queue table is read by no page.
    await sql`DELETE FROM mail_outbox WHERE false`.execute(db);
    await sql`UPDATE sessions SET expires_at = expires_at WHERE false`.execute(db);
    expect(Number(await version())).toBe(before + 1);
  });

  it('serves the kept page again, and a fresh one as soon as a licence, the day or the person changes', async () => {
    const alice = new Browser(t.app);
    await alice.signInAs('ar101');
    const first = await alice.get('/storage/');
    expect(first.statusCode).toBe(200);
    expect(first.body).toContain('Kept page licence');
    // Rendering makes a new CSRF token each time: the same token means the kept page was sent.
    const again = await alice.get('/storage/');
    expect(again.body).toBe(first.body);

    await sql`UPDATE licences SET name = 'Renamed page licence' WHERE id = ${licence.licenceId}`.execute(t.database.db);
    const renamed = await alice.get('/storage/');
    expect(renamed.body).toContain('Renamed page licence');
    expect(renamed.body).not.toContain('Kept page licence');
    expect(csrfOf(renamed.body)).not.toBe(csrfOf(first.body));

    const daysLeft = (body: string) => body.match(/Renamed page licence[\s\S]*?(\d+) days? left/)?.[1];
    const today = Number(daysLeft(renamed.body));
    clock.nextDay();
    const tomorrow = await alice.get('/storage/');
    expect(Number(daysLeft(tomorrow.body))).toBe(today - 1);

    await sql`UPDATE people SET display_name = 'Alice Renamed' WHERE crsid = 'ar101'`.execute(t.database.db);
    expect((await alice.get('/storage/')).body).toContain('Alice Renamed');
  });

  it('never sends one session’s page to another, nor a kept page to someone signed out', async () => {
    const alice = new Browser(t.app);
    await alice.signInAs('ar101');
    const bob = new Browser(t.app);
    await bob.signInAs('bm202');
    const alicePage = await alice.get('/storage/');
    const bobPage = await bob.get('/storage/');
    expect(alicePage.body).toContain('Renamed page licence');
    expect(bobPage.body).not.toContain('Renamed page licence');
    expect(csrfOf(bobPage.body)).not.toBe(csrfOf(alicePage.body));

    const csrf = csrfOf(alicePage.body) ?? '';
    expect((await alice.post('/sign-out', { _csrf: csrf })).statusCode).toBe(303);
    const signedOut = await alice.get('/storage/');
    expect(signedOut.body).not.toContain('Renamed page licence');
  });
});

describe('a page may take its session from memory only while nothing has changed it', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  const stampOf = (response: { cookies: Array<{ name: string; value: string }> }) =>
    response.cookies.find((cookie) => cookie.name === 'ssgw-session-change')?.value;
  // Well inside RECENT_SESSION_MS: only the change notification can make these pass.
  const soon = { timeout: 1_000, interval: 25 };

  it('gives a browser a new change stamp when it signs in and whenever it sends a form', async () => {
    const browser = new Browser(t.app);
    const signIn = await browser.get('/dev/sign-in');
    const csrf = csrfOf(signIn.body) ?? '';
    const personId = signIn.body.match(/name="personId" value="(\d+)"/)?.[1] ?? '';
    const signedIn = await browser.post('/dev/sign-in', { personId, _csrf: csrf, returnTo: '/storage/' });
    const first = stampOf(signedIn);
    expect(first).toMatch(/^[\w-]{12}$/);
    await browser.get('/storage/');
    // A page that changed nothing in the session leaves the stamp alone.
    const page = await browser.get('/storage/');
    expect(stampOf(page)).toBeUndefined();
    const signedOut = await browser.post('/sign-out', { _csrf: csrfOf(page.body) ?? '' });
    expect(stampOf(signedOut)).toMatch(/^[\w-]{12}$/);
    expect(stampOf(signedOut)).not.toBe(first);
  });

  it('signs out at the next page a person who has left, or whose session was ended', async () => {
    const leaver = new Browser(t.app);
    await leaver.signInAs('da303');
    expect((await leaver.get('/storage/')).statusCode).toBe(200);
    expect((await leaver.get('/storage/')).statusCode).toBe(200);
    await sql`UPDATE people SET status = 'left' WHERE crsid = 'da303'`.execute(t.database.db);
    await expect.poll(async () => (await leaver.get('/storage/')).statusCode, soon).toBe(302);

    const ended = new Browser(t.app);
    await ended.signInAs('cb404');
    expect((await ended.get('/storage/')).statusCode).toBe(200);
    expect((await ended.get('/storage/')).statusCode).toBe(200);
    await sql`DELETE FROM sessions WHERE person_id = (SELECT id FROM people WHERE crsid = 'cb404')`.execute(
      t.database.db,
    );
    await expect.poll(async () => (await ended.get('/storage/')).statusCode, soon).toBe(302);
  });
});
