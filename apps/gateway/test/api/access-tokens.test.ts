import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Clock, fixedClock } from '../../src/platform/clock.ts';
import { hashToken } from '../../src/platform/identity/access-token-rules.ts';
import { createAccessToken } from '../../src/platform/identity/access-tokens.ts';
import { Browser, startTestApp, type TestApp } from '../support/test-app.ts';

const TOKEN = /ssgw_[A-Za-z0-9_-]{43}/;

/** Creates a token through the /account/ form and returns it from the page that shows it once. */
async function createTokenOnAccountPage(browser: Browser, name: string, lifetime = '90'): Promise<string> {
  const csrf = await browser.csrfFrom('/account/');
  const page = await browser.post('/account/tokens', { name, lifetime, _csrf: csrf });
  expect(page.statusCode).toBe(200);
  const token = page.body.match(TOKEN)?.[0];
  if (!token) throw new Error('no token on the page');
  return token;
}

/** The row of the token table for the token with this name. */
function tokenRow(body: string, name: string): string {
  return body.split('<tr>').find((chunk) => chunk.includes(`<th scope="row">${name}</th>`)) ?? '';
}

function callApi(app: FastifyInstance, url: string, token: string) {
  return app.inject({ url, headers: { authorization: `Bearer ${token}` } });
}

async function tokenIdNamed(t: TestApp, name: string): Promise<number> {
  const row = await t.database.db
    .selectFrom('personal_access_tokens')
    .select('id')
    .where('name', '=', name)
    .executeTakeFirstOrThrow();
  return row.id;
}

describe('personal access tokens on /account/', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ env: { PUBLIC_URL: 'http://storage.example.test:8080' } });
  });
  afterAll(() => t.close());

  it('asks who you are before showing an account', async () => {
    const page = await t.app.inject('/account/');
    expect(page.statusCode).toBe(302);
    expect(page.headers.location).toBe('/sign-in?returnTo=%2Faccount%2F');
  });

  it('shows the signed-in person’s name, CRSid, email and department, and no tokens yet', async () => {
    const browser = new Browser(t.app);
    await browser.signInAs('da303');
    const page = await browser.get('/account/');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Dana Administrator');
    expect(page.body).toContain('da303');
    expect(page.body).toContain('da303@');
    expect(page.body).toContain('Yusuf Hamied Department of Chemistry');
    expect(page.body).toContain('Personal access tokens');
    expect(page.body).toContain('You have no tokens.');
    const home = await browser.get('/');
    expect(home.body).toContain('<a href="/account/">Your account</a>');
  });

  it('explains a name or lifetime that is missing, beside the field and in the summary', async () => {
    const browser = new Browser(t.app);
    await browser.signInAs('da303');
    const csrf = await browser.csrfFrom('/account/');
    const noName = await browser.post('/account/tokens', { name: '   ', lifetime: '90', _csrf: csrf });
    expect(noName.statusCode).toBe(422);
    expect(noName.body).toContain('class="error-summary"');
    expect(noName.body).toContain('href="#name"');
    expect(noName.body).toContain('id="name-error"');
    expect(noName.body).toContain('Enter a name for the token');
    expect(noName.body).not.toMatch(TOKEN);

    const badLifetime = await browser.post('/account/tokens', { name: 'report', lifetime: '7', _csrf: csrf });
    expect(badLifetime.statusCode).toBe(422);
    expect(badLifetime.body).toContain('id="lifetime-error"');
    expect(badLifetime.body).toContain('Choose when the token expires');
    // What was typed is put back.
    expect(badLifetime.body).toContain('value="report"');
    const stored = await t.database.db.selectFrom('personal_access_tokens').select('id').execute();
    expect(stored).toEqual([]);
  });

  it('refuses to create a token without the form’s CSRF token', async () => {
    const browser = new Browser(t.app);
    await browser.signInAs('da303');
    const refused = await browser.post('/account/tokens', { name: 'forged', lifetime: '90' });
    expect(refused.statusCode).toBe(403);
    expect(refused.body).not.toMatch(TOKEN);
  });

  it('shows a new token once, which then works, is listed by its hint, and stops working when revoked', async () => {
    const browser = new Browser(t.app);
    await browser.signInAs('ar101');
    const csrf = await browser.csrfFrom('/account/');
    const created = await browser.post('/account/tokens', { name: 'nightly report', lifetime: '30', _csrf: csrf });
    expect(created.statusCode).toBe(200);
    expect(created.headers['cache-control']).toBe('no-store');
    expect(created.body).toContain('It will not be shown again');
    const token = created.body.match(TOKEN)?.[0] ?? '';
    expect(token).toMatch(TOKEN);
    expect(created.body.replaceAll('&quot;', '"')).toContain(
      `curl -H "Authorization: Bearer ${token}" http://storage.example.test:8080/api/me`,
    );
    expect(created.body).toContain('27 December 2026');

    // Only a hash and a hint are kept.
    const row = await t.database.db
      .selectFrom('personal_access_tokens')
      .selectAll()
      .where('name', '=', 'nightly report')
      .executeTakeFirstOrThrow();
    expect(row.token_hash).toBe(hashToken(token));
    expect(row.token_hint).toBe(token.slice(-4));
    expect(row.expires_on).toBe('2026-12-27');
    expect(JSON.stringify(row)).not.toContain(token.slice(5));

    const listed = await browser.get('/account/');
    expect(listed.body).not.toContain(token);
    const listedRow = tokenRow(listed.body, 'nightly report');
    expect(listedRow).toContain(`…${token.slice(-4)}`);
    expect(listedRow).toContain('27 December 2026');
    expect(listedRow).toContain('Never');
    expect(listedRow).toContain('Active');
    expect(listedRow).toContain(`/account/tokens/${row.id}/revoke`);

    // Like curl: no cookies, only the header.
    const me = await callApi(t.app, '/api/me', token);
    expect(me.statusCode).toBe(200);
    expect(me.json()).toMatchObject({
      crsid: 'ar101',
      name: 'Alice Researcher',
      institution: { id: 'PHYS', name: 'Department of Physics' },
      staffRoles: [],
      authenticatedBy: 'access-token',
    });
    const used = await browser.get('/account/');
    const usedRow = tokenRow(used.body, 'nightly report');
    expect(usedRow).not.toContain('Never');
    expect(usedRow).toContain('27 November 2026 at 10:00');

    const revoke = await browser.post(`/account/tokens/${row.id}/revoke`, {
      _csrf: await browser.csrfFrom('/account/'),
    });
    expect(revoke.statusCode).toBe(303);
    expect(revoke.headers.location).toBe('/account/');
    const afterRevoke = await browser.get('/account/');
    expect(afterRevoke.body).toContain('The token &quot;nightly report&quot; is revoked');
    const revokedRow = tokenRow(afterRevoke.body, 'nightly report');
    expect(revokedRow).toContain('Revoked');
    expect(revokedRow).not.toContain('/revoke');

    const refused = await callApi(t.app, '/api/me', token);
    expect(refused.statusCode).toBe(401);
    expect(refused.headers['content-type']).toContain('application/json');
    expect(refused.json().error).toMatchObject({
      status: 401,
      code: 'unauthenticated',
      // It said 'is not valid', as for a mistyped token: the script's owner looked for a typo.
      message: 'The access token has been revoked; create a new one at /account/.',
    });

    const audit = await t.database.db
      .selectFrom('audit_events')
      .select(['action', 'actor_label'])
      .where('entity_type', '=', 'personal-access-token')
      .where('entity_id', '=', String(row.id))
      .orderBy('id')
      .execute();
    expect(audit).toEqual([
      { action: 'create', actor_label: 'ar101' },
      { action: 'revoke', actor_label: 'ar101' },
    ]);
  });

  it('will not revoke another person’s token, and does not say whether it exists', async () => {
    const ben = new Browser(t.app);
    await ben.signInAs('bm202');
    const bensToken = await createTokenOnAccountPage(ben, 'ben’s sync script');
    const bensTokenId = await tokenIdNamed(t, 'ben’s sync script');

    const alice = new Browser(t.app);
    await alice.signInAs('ar101');
    const csrf = await alice.csrfFrom('/account/');
    const attempt = await alice.post(`/account/tokens/${bensTokenId}/revoke`, { _csrf: csrf });
    expect(attempt.statusCode).toBe(404);
    const missing = await alice.post('/account/tokens/999999/revoke', { _csrf: csrf });
    expect(missing.statusCode).toBe(404);
    const main = (body: string) => body.match(/<main[\s\S]*<\/main>/)?.[0];
    expect(main(attempt.body)).toContain('There is no such token among yours.');
    expect(main(attempt.body)).toBe(main(missing.body));
    const aliceList = await alice.get('/account/');
    expect(aliceList.body).not.toContain('ben’s sync script');

    const stillWorks = await callApi(t.app, '/api/me', bensToken);
    expect(stillWorks.statusCode).toBe(200);
    expect(stillWorks.json().crsid).toBe('bm202');
  });

  it('lets a person revoke their own token twice without harm', async () => {
    const browser = new Browser(t.app);
    await browser.signInAs('cb404');
    await createTokenOnAccountPage(browser, 'twice');
    const id = await tokenIdNamed(t, 'twice');
    const csrf = await browser.csrfFrom('/account/');
    expect((await browser.post(`/account/tokens/${id}/revoke`, { _csrf: csrf })).statusCode).toBe(303);
    expect((await browser.post(`/account/tokens/${id}/revoke`, { _csrf: csrf })).statusCode).toBe(303);
    const audit = await t.database.db
      .selectFrom('audit_events')
      .select('action')
      .where('entity_type', '=', 'personal-access-token')
      .where('entity_id', '=', String(id))
      .execute();
    expect(audit.map((event) => event.action)).toEqual(['create', 'revoke']);
  });

  it('makes one token when the form is sent twice, and says where the first one is', async () => {
    const browser = new Browser(t.app);
    await browser.signInAs('cb404');
    const csrf = await browser.csrfFrom('/account/');
    const form = { name: 'backup script', lifetime: '90', _csrf: csrf };
    const namedBackup = async () =>
      await t.database.db
        .selectFrom('personal_access_tokens')
        .innerJoin('people', 'people.id', 'personal_access_tokens.person_id')
        .select(['personal_access_tokens.id', 'personal_access_tokens.token_hint'])
        .where('people.crsid', '=', 'cb404')
        .where('personal_access_tokens.name', '=', 'backup script')
        .where('personal_access_tokens.revoked_at', 'is', null)
        .execute();
    // Both at once, as a browser sends a double click: one token, shown by one answer.
    const both = await Promise.all([1, 2].map(() => browser.post('/account/tokens', form)));
    expect(both.map((answer) => answer.statusCode).sort()).toEqual([200, 303]);
    expect(both.filter((answer) => TOKEN.test(answer.body))).toHaveLength(1);
    const made = await namedBackup();
    expect(made).toHaveLength(1);
    const repeat = both.find((answer) => answer.statusCode === 303);
    expect(repeat?.headers.location).toBe('/account/');
    const page = await browser.get('/account/');
    expect(page.body).toContain(
      `You created the token “backup script” (ending …${made[0]?.token_hint}) a moment ago, so no second one was made.`,
    );
    expect(page.body).not.toMatch(TOKEN);
    // Sent again a moment later: still one.
    expect((await browser.post('/account/tokens', form)).statusCode).toBe(303);
    expect(await namedBackup()).toHaveLength(1);
    // Another name, or another lifetime, is another token.
    expect((await browser.post('/account/tokens', { ...form, lifetime: '30' })).statusCode).toBe(200);
    expect((await browser.post('/account/tokens', { ...form, name: 'restore script' })).statusCode).toBe(200);
    expect(await namedBackup()).toHaveLength(2);
  });

  it('stops a token working when its person has left', async () => {
    const browser = new Browser(t.app);
    await browser.signInAs('fn601');
    const token = await createTokenOnAccountPage(browser, 'finance export');
    expect((await callApi(t.app, '/api/me', token)).statusCode).toBe(200);
    await t.database.db.updateTable('people').set({ status: 'left' }).where('crsid', '=', 'fn601').execute();
    try {
      const refused = await callApi(t.app, '/api/me', token);
      expect(refused.statusCode).toBe(401);
      // It said to create a new token at /account/, which someone who has left cannot sign in to.
      expect(refused.json().error.message).toBe(
        'The access token belongs to someone who has left the University, so it no longer works: use a token of someone current.',
      );
    } finally {
      await t.database.db.updateTable('people').set({ status: 'current' }).where('crsid', '=', 'fn601').execute();
    }
  });

  it('refuses a token that was never issued, or is not a token at all', async () => {
    for (const token of [`ssgw_${'A'.repeat(43)}`, 'not-a-token', '']) {
      const response = await callApi(t.app, '/api/me', token);
      expect(response.statusCode, token).toBe(401);
      expect(response.json().error.code).toBe('unauthenticated');
      expect(response.json().error.message).toBe('The access token is not valid; create a new one at /account/.');
    }
  });
});

describe('token expiry and last use', () => {
  let t: TestApp;
  let now = new Date('2026-12-28T10:00:00Z');
  const movingClock: Clock = {
    now: () => new Date(now),
    today: () => fixedClock(now).today(),
  };
  beforeAll(async () => {
    t = await startTestApp({ clock: movingClock });
  });
  afterAll(() => t.close());

  async function personId(crsid: string): Promise<number> {
    const row = await t.database.db
      .selectFrom('people')
      .select('id')
      .where('crsid', '=', crsid)
      .executeTakeFirstOrThrow();
    return row.id;
  }

  it('works through its expiry day and not the day after', async () => {
    const owner = { id: await personId('ar101'), crsid: 'ar101' };
    const lastDayToday = await createAccessToken(t.database.db, fixedClock('2026-11-28T09:00:00Z'), owner, {
      name: 'ends today',
      lifetime: 30,
    });
    const endedYesterday = await createAccessToken(t.database.db, fixedClock('2026-11-27T09:00:00Z'), owner, {
      name: 'ended yesterday',
      lifetime: 30,
    });
    expect(lastDayToday.summary.expiresOn).toBe('2026-12-28');
    expect(endedYesterday.summary.expiresOn).toBe('2026-12-27');

    expect((await callApi(t.app, '/api/me', lastDayToday.token)).statusCode).toBe(200);
    const expired = await callApi(t.app, '/api/me', endedYesterday.token);
    expect(expired.statusCode).toBe(401);
    expect(expired.json().error.message).toBe(
      'The access token has expired (2026-12-27 was its last day); create a new one at /account/.',
    );

    const browser = new Browser(t.app);
    await browser.signInAs('ar101');
    const page = await browser.get('/account/');
    const expiredRow = tokenRow(page.body, 'ended yesterday');
    expect(expiredRow).toContain('Expired');
    expect(expiredRow).not.toContain('/revoke');
  });

  it('records the last use at most once a minute', async () => {
    const owner = { id: await personId('bm202'), crsid: 'bm202' };
    const { token, summary } = await createAccessToken(t.database.db, movingClock, owner, {
      name: 'busy',
      lifetime: 90,
    });
    const lastUsed = async () =>
      (
        await t.database.db
          .selectFrom('personal_access_tokens')
          .select('last_used_at')
          .where('id', '=', summary.id)
          .executeTakeFirstOrThrow()
      ).last_used_at;

    now = new Date('2026-12-28T11:00:00Z');
    expect((await callApi(t.app, '/api/me', token)).statusCode).toBe(200);
    expect(await lastUsed()).toEqual(new Date('2026-12-28T11:00:00Z'));
    now = new Date('2026-12-28T11:00:45Z');
    expect((await callApi(t.app, '/api/me', token)).statusCode).toBe(200);
    expect(await lastUsed()).toEqual(new Date('2026-12-28T11:00:00Z'));
    now = new Date('2026-12-28T11:01:10Z');
    expect((await callApi(t.app, '/api/me', token)).statusCode).toBe(200);
    expect(await lastUsed()).toEqual(new Date('2026-12-28T11:01:10Z'));
  });

  it('lets a person hold at most 20 working tokens', async () => {
    const browser = new Browser(t.app);
    await browser.signInAs('da303');
    for (let index = 1; index <= 20; index += 1) await createTokenOnAccountPage(browser, `script ${index}`);
    const csrf = await browser.csrfFrom('/account/');
    const refused = await browser.post('/account/tokens', { name: 'one too many', lifetime: '30', _csrf: csrf });
    expect(refused.statusCode).toBe(422);
    expect(refused.body).toContain('You already have 20 working tokens');
    expect(refused.body).not.toMatch(TOKEN);
  });
});
