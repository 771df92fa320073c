import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpBrowser, type HttpHop, lastHop } from '../support/http-browser.ts';
import { freeLoopbackPort, startTestOidcProvider, type TestOidcProvider } from '../support/oidc-provider.ts';
import { startTestApp, type TestApp } from '../support/test-app.ts';

const SESSION_COOKIE = 'ssgw-session';

const ACCOUNTS = {
  ar101: { preferred_username: 'ar101', name: 'Alice Researcher', email: 'ar101@cam.ac.uk', email_verified: true },
  zz999: { preferred_username: 'zz999', name: 'Zed Newcomer', email: 'zz999@cam.ac.uk', email_verified: true },
  // Only a cam.ac.uk email: the CRSid comes from its local part.
  ne123: { name: 'Nell Emailonly', email: 'NE123@cam.ac.uk', email_verified: true },
  outsider: { name: 'Olive Outsider', email: 'olive@example.com', email_verified: true },
};

/** The session id inside the signed session cookie (`id.signature`). */
function sessionId(browser: HttpBrowser, appUrl: string): string | undefined {
  const value = browser.cookie(appUrl, SESSION_COOKIE);
  if (!value) return undefined;
  const signed = decodeURIComponent(value);
  return signed.slice(0, signed.lastIndexOf('.'));
}

describe('signing in with OpenID Connect against a real provider', () => {
  let provider: TestOidcProvider;
  let t: TestApp;
  let appUrl: string;

  beforeAll(async () => {
    const port = await freeLoopbackPort();
    appUrl = `http://127.0.0.1:${port}`;
    provider = await startTestOidcProvider({
      redirectUris: [`${appUrl}/auth/oidc/callback`],
      postLogoutRedirectUris: [`${appUrl}/`],
      accounts: ACCOUNTS,
    });
    t = await startTestApp({
      env: { PUBLIC_URL: appUrl, ...provider.env, SIGN_IN_RATE_LIMIT_PER_MINUTE: '1000' },
    });
    await t.app.listen({ host: '127.0.0.1', port });
  });
  afterAll(async () => {
    await t?.close();
    await provider?.close();
  });

  /** From the gateway's start link to the provider's sign-in page. */
  async function openProviderSignIn(browser: HttpBrowser, returnTo: string): Promise<HttpHop> {
    const page = lastHop(await browser.follow(`${appUrl}/auth/oidc/start?returnTo=${encodeURIComponent(returnTo)}`));
    expect(page.url.origin).toBe(provider.issuer);
    expect(page.status).toBe(200);
    expect(page.body).toContain('<label for="login">Username</label>');
    return page;
  }

  /** Presses a button on the provider's sign-in page and follows the redirects that come of it. */
  function pressOnProviderPage(
    browser: HttpBrowser,
    page: HttpHop,
    form: Record<string, string>,
    stopBefore?: (next: URL) => boolean,
  ): Promise<HttpHop[]> {
    const action = page.body.match(/<form method="post" action="([^"]+)"/)?.[1];
    if (!action) throw new Error('no form on the provider page');
    return browser.follow(new URL(action, page.url), { form, stopBefore });
  }

  async function signIn(browser: HttpBrowser, login: string, returnTo = '/catalogue/'): Promise<HttpHop[]> {
    const page = await openProviderSignIn(browser, returnTo);
    return pressOnProviderPage(browser, page, { login, action: 'sign-in' });
  }

  async function personRow(crsid: string) {
    return t.database.db
      .selectFrom('people')
      .select(['id', 'display_name', 'email'])
      .where('crsid', '=', crsid)
      .executeTakeFirst();
  }

  async function countPeople(): Promise<number> {
    const row = await t.database.db
      .selectFrom('people')
      .select((eb) => eb.fn.countAll<string>().as('count'))
      .executeTakeFirstOrThrow();
    return Number(row.count);
  }

  async function sessionPersonId(id: string | undefined): Promise<number | null | undefined> {
    if (!id) return undefined;
    const row = await t.database.db.selectFrom('sessions').select('person_id').where('id', '=', id).executeTakeFirst();
    return row ? row.person_id : undefined;
  }

  it('offers the University sign-in, and no dev sign-in, once a provider is configured', async () => {
    const page = await t.app.inject('/sign-in');
    expect(page.body).toContain('href="/auth/oidc/start?returnTo=%2Fstorage%2F"');
    expect(page.body).not.toContain('/dev/sign-in');
    expect((await t.app.inject('/dev/sign-in')).statusCode).toBe(404);
  });

  it('lets the sign-out form redirect to the provider, and nowhere else', async () => {
    const csp = String((await t.app.inject('/')).headers['content-security-policy']);
    expect(csp).toContain(`form-action 'self' ${provider.issuer}`);
  });

  it('records a new person at their first sign-in and finds the same person the next time', async () => {
    const before = await countPeople();
    expect(await personRow('zz999')).toBeUndefined();

    const hops = await signIn(new HttpBrowser(), 'zz999', '/catalogue/rds/');
    const landed = lastHop(hops);
    expect(landed.url.href).toBe(`${appUrl}/catalogue/rds/`);
    expect(landed.status).toBe(200);
    expect(landed.body).toContain('Zed Newcomer');

    const created = await personRow('zz999');
    expect(created).toMatchObject({ display_name: 'Zed Newcomer', email: 'zz999@cam.ac.uk' });
    expect(await countPeople()).toBe(before + 1);

    const again = lastHop(await signIn(new HttpBrowser(), 'zz999'));
    expect(again.body).toContain('Zed Newcomer');
    expect(await countPeople()).toBe(before + 1);
  });

  it('takes the CRSid from a cam.ac.uk email when the provider sends no username', async () => {
    const landed = lastHop(await signIn(new HttpBrowser(), 'ne123'));
    expect(landed.url.href).toBe(`${appUrl}/catalogue/`);
    expect(await personRow('ne123')).toMatchObject({ display_name: 'Nell Emailonly', email: 'ne123@cam.ac.uk' });
  });

  it('matches an existing person by CRSid and gives them a new session id at sign-in', async () => {
    const alice = await personRow('ar101');
    expect(alice).toBeDefined();
    const before = await countPeople();
    const browser = new HttpBrowser();
    const page = await openProviderSignIn(browser, '/catalogue/');
    const idBeforeSignIn = sessionId(browser, appUrl);
    expect(idBeforeSignIn).toBeTruthy();
    expect(await sessionPersonId(idBeforeSignIn)).toBeNull();

    const landed = lastHop(await pressOnProviderPage(browser, page, { login: 'ar101', action: 'sign-in' }));
    expect(landed.url.href).toBe(`${appUrl}/catalogue/`);
    expect(landed.body).toContain('Alice Researcher');

    const idAfterSignIn = sessionId(browser, appUrl);
    expect(idAfterSignIn).toBeTruthy();
    expect(idAfterSignIn).not.toBe(idBeforeSignIn);
    expect(await sessionPersonId(idBeforeSignIn)).toBeUndefined();
    expect(await sessionPersonId(idAfterSignIn)).toBe(alice?.id);
    expect(await countPeople()).toBe(before);
  });

  it('refuses an answer whose state was tampered with, and does not accept the real one afterwards', async () => {
    const browser = new HttpBrowser();
    const page = await openProviderSignIn(browser, '/catalogue/');
    const hops = await pressOnProviderPage(
      browser,
      page,
      { login: 'ar101', action: 'sign-in' },
      (next) => next.pathname === '/auth/oidc/callback',
    );
    const callback = lastHop(hops).location;
    if (!callback) throw new Error('the provider did not answer');
    expect(callback.searchParams.get('code')).toBeTruthy();

    const tampered = new URL(callback);
    tampered.searchParams.set('state', 'forged-state');
    const refused = await browser.request(tampered);
    expect(refused.status).toBe(400);
    expect(refused.body).toContain('did not match the sign-in you started here');
    expect(refused.body).not.toContain('Alice Researcher');
    expect(refused.body).not.toMatch(/at .+\.(ts|js):\d+/);

    // The attempt is used up: replaying the genuine answer does not sign anyone in either.
    const replayed = await browser.request(callback);
    expect(replayed.status).toBe(400);
    expect(replayed.body).toContain('has expired or has already been used');
    expect(await sessionPersonId(sessionId(browser, appUrl))).not.toBe((await personRow('ar101'))?.id);
  });

  it('returns only to a page on this site after sign-in', async () => {
    for (const returnTo of ['https://evil.example/', '//evil.example/phish', '/\\evil.example']) {
      const browser = new HttpBrowser();
      const page = await openProviderSignIn(browser, returnTo);
      const hops = await pressOnProviderPage(
        browser,
        page,
        { login: 'ar101', action: 'sign-in' },
        (next) => next.origin === appUrl && next.pathname !== '/auth/oidc/callback',
      );
      const callback = lastHop(hops);
      expect(callback.url.pathname).toBe('/auth/oidc/callback');
      expect(callback.status).toBe(303);
      expect(callback.location?.href, returnTo).toBe(`${appUrl}/storage/`);
    }
  });

  it('explains, without signing in, when the person cancels at the provider', async () => {
    const browser = new HttpBrowser();
    const page = await openProviderSignIn(browser, '/catalogue/');
    const answer = lastHop(await pressOnProviderPage(browser, page, { action: 'cancel' }));
    expect(answer.url.pathname).toBe('/auth/oidc/callback');
    expect(answer.status).toBe(403);
    expect(answer.body).toContain('You have not been signed in');
    expect(answer.body).toContain('href="/sign-in?returnTo=%2Fcatalogue%2F"');
  });

  it('refuses an account whose claims carry no CRSid, and records no one', async () => {
    const before = await countPeople();
    const answer = lastHop(await signIn(new HttpBrowser(), 'outsider'));
    expect(answer.status).toBe(403);
    expect(answer.body).toContain('did not tell us your CRSid');
    expect(await countPeople()).toBe(before);
  });

  it('explains a callback that belongs to no sign-in in progress', async () => {
    const answer = await new HttpBrowser().request(`${appUrl}/auth/oidc/callback?code=abc&state=xyz`);
    expect(answer.status).toBe(400);
    expect(answer.body).toContain('Sign-in could not be completed');
  });

  it('signs out here and at the provider', async () => {
    const browser = new HttpBrowser();
    await signIn(browser, 'ar101');
    const signedInSession = sessionId(browser, appUrl);
    expect(await sessionPersonId(signedInSession)).toBe((await personRow('ar101'))?.id);

    const home = await browser.request(`${appUrl}/`);
    const csrf = home.body.match(/action="\/sign-out"[\s\S]*?name="_csrf" value="([^"]+)"/)?.[1];
    if (!csrf) throw new Error('no sign-out form on the home page');
    const signOut = await browser.request(`${appUrl}/sign-out`, { form: { _csrf: csrf } });
    expect(signOut.status).toBe(303);
    expect(signOut.location?.origin).toBe(provider.issuer);
    expect(signOut.location?.searchParams.get('post_logout_redirect_uri')).toBe(`${appUrl}/`);
    expect(signOut.location?.searchParams.get('id_token_hint')).toBeTruthy();
    expect(await sessionPersonId(signedInSession)).toBeUndefined();

    const confirm = lastHop(await browser.follow(signOut.location as URL));
    expect(confirm.url.origin).toBe(provider.issuer);
    const action = confirm.body.match(/<form id="op.logoutForm" method="post" action="([^"]+)"/)?.[1];
    const xsrf = confirm.body.match(/name="xsrf" value="([^"]+)"/)?.[1];
    if (!action || !xsrf) throw new Error('no sign-out confirmation at the provider');
    const back = lastHop(await browser.follow(new URL(action, confirm.url), { form: { xsrf, logout: 'yes' } }));
    expect(back.url.href).toBe(`${appUrl}/`);
    expect(back.body).toContain('href="/sign-in"');
    expect(back.body).not.toContain('Alice Researcher');

    // Signed out at the provider too: the next sign-in asks who you are again.
    await openProviderSignIn(browser, '/catalogue/');
  });
});

describe('OpenID Connect sign-in when the provider is down', () => {
  const CLIENT_SECRET = 'a-secret-agreed-before-the-provider-is-up';
  let t: TestApp;
  let provider: TestOidcProvider | undefined;
  let appUrl: string;
  let providerPort: number;

  beforeAll(async () => {
    const appPort = await freeLoopbackPort();
    providerPort = await freeLoopbackPort();
    appUrl = `http://127.0.0.1:${appPort}`;
    t = await startTestApp({
      env: {
        PUBLIC_URL: appUrl,
        OIDC_ISSUER: `http://127.0.0.1:${providerPort}`,
        OIDC_CLIENT_ID: 'storage-gateway',
        OIDC_CLIENT_SECRET: CLIENT_SECRET,
        SIGN_IN_RATE_LIMIT_PER_MINUTE: '1000',
      },
    });
    await t.app.listen({ host: '127.0.0.1', port: appPort });
  });
  afterAll(async () => {
    await t?.close();
    await provider?.close();
  });

  it('shows a clear 503 page and keeps serving, then signs in once the provider is back', async () => {
    const browser = new HttpBrowser();
    const down = await browser.request(`${appUrl}/auth/oidc/start?returnTo=%2Fcatalogue%2F`);
    expect(down.status).toBe(503);
    expect(down.body).toContain('The University sign-in service is not available');
    expect(down.body).toContain('Try again in a few minutes');
    expect((await browser.request(`${appUrl}/catalogue/`)).status).toBe(200);

    provider = await startTestOidcProvider({
      port: providerPort,
      clientSecret: CLIENT_SECRET,
      redirectUris: [`${appUrl}/auth/oidc/callback`],
      accounts: { ar101: ACCOUNTS.ar101 },
    });
    const up = await browser.request(`${appUrl}/auth/oidc/start?returnTo=%2Fcatalogue%2F`);
    expect(up.status).toBe(302);
    expect(up.location?.origin).toBe(provider.issuer);
    expect(up.location?.searchParams.get('code_challenge_method')).toBe('S256');
    expect(up.location?.searchParams.get('nonce')).toBeTruthy();
    expect(up.location?.searchParams.get('state')).toBeTruthy();

    const signInPage = lastHop(await browser.follow(up.location as URL));
    const action = signInPage.body.match(/<form method="post" action="([^"]+)"/)?.[1];
    if (!action) throw new Error('no sign-in form at the provider');
    const landed = lastHop(
      await browser.follow(new URL(action, signInPage.url), { form: { login: 'ar101', action: 'sign-in' } }),
    );
    expect(landed.url.href).toBe(`${appUrl}/catalogue/`);
    expect(landed.body).toContain('Alice Researcher');
  });
});

describe('OpenID Connect sign-in under a burst of attempts', () => {
  let t: TestApp;
  beforeAll(async () => {
    const unusedPort = await freeLoopbackPort();
    t = await startTestApp({
      env: {
        OIDC_ISSUER: `http://127.0.0.1:${unusedPort}`,
        OIDC_CLIENT_ID: 'storage-gateway',
        SIGN_IN_RATE_LIMIT_PER_MINUTE: '2',
      },
    });
  });
  afterAll(() => t?.close());

  it('limits each sign-in route per minute', async () => {
    for (const url of ['/auth/oidc/start', '/auth/oidc/callback?state=x&code=y']) {
      const statuses: number[] = [];
      for (let attempt = 0; attempt < 3; attempt += 1) statuses.push((await t.app.inject(url)).statusCode);
      expect(statuses[2], url).toBe(429);
      expect(statuses.slice(0, 2), url).not.toContain(429);
    }
  });
});
