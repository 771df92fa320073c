import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Browser, startTestApp, type TestApp } from '../support/test-app.ts';

const TOKEN = /ssgw_[A-Za-z0-9_-]{43}/;

/**
 * Revoking a personal access token cannot be undone (WCAG 2.2 SC 3.3.4): the account page's
 * "Revoke" leads to a page that says what revoking does, whose button revokes it; without
 * JavaScript, as the order's "Cancel" does.
 */
describe('revoking a token from /account/', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t?.close());

  async function tokenNamed(browser: Browser, name: string) {
    const made = await browser.post('/account/tokens', {
      name,
      lifetime: '90',
      _csrf: await browser.csrfFrom('/account/'),
    });
    const token = made.body.match(TOKEN)?.[0] as string;
    const row = await t.database.db
      .selectFrom('personal_access_tokens')
      .select(['id', 'revoked_at'])
      .where('name', '=', name)
      .executeTakeFirstOrThrow();
    return { token, id: row.id };
  }

  const revokedAt = async (id: number) =>
    (
      await t.database.db
        .selectFrom('personal_access_tokens')
        .select('revoked_at')
        .where('id', '=', id)
        .executeTakeFirstOrThrow()
    ).revoked_at;

  it('asks first, saying what revoking does, and revokes only from that page’s button', async () => {
    const alice = new Browser(t.app);
    await alice.signInAs('ar101');
    const { token, id } = await tokenNamed(alice, 'My script');
    const account = await alice.get('/account/');
    // The list links to the question: no form on it revokes at once.
    expect(account.body).toContain(`<a href="/account/tokens/${id}/revoke"`);
    expect(account.body).not.toContain(`action="/account/tokens/${id}/revoke"`);

    const confirm = await alice.get(`/account/tokens/${id}/revoke`);
    expect(confirm.statusCode).toBe(200);
    expect(confirm.body).toContain('<title>Revoke the token “My script”');
    expect(confirm.body).toContain(`…${token.slice(-4)}`);
    expect(confirm.body).toContain('stops working at once');
    expect(confirm.body).toContain('cannot be undone');
    expect(confirm.body).toContain(`action="/account/tokens/${id}/revoke"`);
    expect(confirm.body).toContain('Yes, revoke the token');
    expect(confirm.body).toContain('<a href="/account/">No, keep it</a>');
    // Looking at the question changes nothing.
    expect(await revokedAt(id)).toBeNull();

    const csrf = await alice.csrfFrom(`/account/tokens/${id}/revoke`);
    const revoked = await alice.post(`/account/tokens/${id}/revoke`, { _csrf: csrf });
    expect(revoked.statusCode).toBe(303);
    expect(revoked.headers.location).toBe('/account/');
    expect(await revokedAt(id)).not.toBeNull();
    // Revoked already: the question is not asked again; back to the list, which says so.
    const again = await alice.get(`/account/tokens/${id}/revoke`);
    expect(again.statusCode).toBe(303);
    expect(again.headers.location).toBe('/account/');
  });

  it('asks nobody about a token that is not theirs, nor says whether it exists', async () => {
    const ben = new Browser(t.app);
    await ben.signInAs('bm202');
    const { id } = await tokenNamed(ben, 'Ben’s script');
    const alice = new Browser(t.app);
    await alice.signInAs('ar101');
    const theirs = await alice.get(`/account/tokens/${id}/revoke`);
    expect(theirs.statusCode).toBe(404);
    expect(theirs.body).not.toContain('Ben’s script');
    const none = await alice.get('/account/tokens/999999/revoke');
    expect(none.statusCode).toBe(404);
    expect((await alice.get('/account/tokens/bogus/revoke')).statusCode).toBe(404);
  });
});
