import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Browser, startTestApp, type TestApp } from '../support/test-app.ts';

describe('the site frame, the catalogue and the operations endpoints', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('shows every product with its internal and external price, minimum size and terms', async () => {
    const page = await t.app.inject('/catalogue/');
    expect(page.statusCode).toBe(200);
    for (const [name, internal, external] of [
      ['Research Data Store', '£54.00', '£64.80'],
      ['Research File Share', '£139.00', '£166.80'],
      ['Research Cold Store', '£12.00', '£14.40'],
      ['Institutional File Store', '£150.00', '£180.00'],
    ]) {
      const row = page.body.split('<tr>').find((chunk) => chunk.includes(name as string));
      expect(row, name).toContain(internal);
      expect(row, name).toContain(external);
    }
    expect(page.body).toContain('Research storage');
    expect(page.body).toContain('Institutional file storage');
  });

  it('gives each product a page, and an unknown product a readable 404', async () => {
    const product = await t.app.inject('/catalogue/rcs/');
    expect(product.statusCode).toBe(200);
    expect(product.body).toContain('Research Cold Store');
    expect(product.body).toContain('10,000 files per TB');
    expect(product.body).toContain('1 year, 3 years, 5 years, 10 years');

    const missing = await t.app.inject('/catalogue/NOPE/');
    expect(missing.statusCode).toBe(404);
    expect(missing.body).toContain('There is no product called NOPE.');
    expect(missing.body).toContain('storage-support@example.ac.uk');
  });

  it('answers an unknown address with the 404 page inside the site frame', async () => {
    const page = await t.app.inject('/no/such/page');
    expect(page.statusCode).toBe(404);
    expect(page.headers['content-type']).toContain('text/html');
    expect(page.body).toContain('<main id="main"');
    expect(page.body).toContain('Page not found');
  });

  it('sends a strict Content-Security-Policy and the other security headers on every page', async () => {
    const page = await t.app.inject('/');
    const csp = String(page.headers['content-security-policy']);
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).toContain("frame-ancestors 'none'");
    expect(page.headers['x-content-type-options']).toBe('nosniff');
    expect(page.headers['referrer-policy']).toBe('same-origin');
    expect(page.headers['x-request-id']).toBeTruthy();
  });

  it('serves the style sheet and scripts at /assets/, and an unknown one as the 404 page', async () => {
    for (const [name, type] of [
      ['site.css', 'text/css'],
      ['error-summary.js', 'text/javascript'],
      ['price.js', 'text/javascript'],
    ]) {
      const asset = await t.app.inject(`/assets/${name}`);
      expect(asset.statusCode, name).toBe(200);
      expect(asset.headers['content-type'], name).toContain(type);
      expect(asset.headers['cache-control'], name).toBe('public, max-age=3600');
      expect(asset.headers['x-content-type-options'], name).toBe('nosniff');
    }
    const missing = await t.app.inject('/assets/no-such.css');
    expect(missing.statusCode).toBe(404);
    expect(missing.body).toContain('Page not found');
  });

  it('reports liveness and readiness', async () => {
    expect((await t.app.inject('/healthz')).json()).toEqual({ status: 'ok' });
    const ready = await t.app.inject('/readyz');
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toEqual({ status: 'ready' });
  });

  it('escapes what people type before it reaches a page', async () => {
    const page = await t.app.inject('/catalogue/%3Cscript%3Ealert(1)%3C%2Fscript%3E/');
    expect(page.statusCode).toBe(404);
    expect(page.body).not.toContain('<script>alert(1)</script>');
    expect(page.body).toContain('&lt;script>');
  });
});

describe('dev sign-in and sessions', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('signs a demo person in and out, with a new session id at sign-in', async () => {
    const browser = new Browser(t.app);
    const anonymous = await browser.get('/');
    expect(anonymous.body).toContain('href="/sign-in"');

    await browser.signInAs('rs501');
    const home = await browser.get('/');
    expect(home.body).toContain('Sign out');
    expect(home.body).toContain('Back office');

    const csrf = await browser.csrfFrom('/');
    const out = await browser.post('/sign-out', { _csrf: csrf });
    expect(out.statusCode).toBe(303);
    expect((await browser.get('/')).body).toContain('href="/sign-in"');
  });

  it('lets no browser or proxy keep what a signed-in person is shown, so Back after signing out shows none of it', async () => {
    const browser = new Browser(t.app);
    expect((await browser.get('/catalogue/')).headers['cache-control']).toBeUndefined();
    await browser.signInAs('ar101');
    for (const url of ['/storage/', '/catalogue/', '/account/']) {
      expect((await browser.get(url)).headers['cache-control'], url).toBe('private, no-store');
    }
    const api = await browser.inject({ method: 'GET', url: '/api/licences' });
    expect(api.statusCode).toBe(200);
    expect(api.headers['cache-control']).toBe('private, no-store');
    // Assets say themselves how long they keep, signed in or not.
    expect((await browser.get('/assets/site.css')).headers['cache-control']).toBe('public, max-age=3600');
  });

  it('shows customers no back-office link', async () => {
    const browser = new Browser(t.app);
    await browser.signInAs('ar101');
    const home = await browser.get('/');
    expect(home.body).toContain('My storage');
    expect(home.body).not.toContain('Back office');
  });

  it('refuses a form without its CSRF token, and one sent from another site', async () => {
    const browser = new Browser(t.app);
    await browser.get('/dev/sign-in');
    const noToken = await browser.post('/dev/sign-in', { personId: '1' });
    expect(noToken.statusCode).toBe(403);
    expect(noToken.body).toContain('This form has expired');

    const crossSite = await t.app.inject({
      method: 'POST',
      url: '/dev/sign-in',
      headers: { 'sec-fetch-site': 'cross-site', 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'personId=1',
    });
    expect(crossSite.statusCode).toBe(403);

    // Only a streamed upload (multipart) may carry its token in the address: elsewhere a token
    // there would end up in logs and history.
    const _csrf = await browser.csrfFrom('/dev/sign-in');
    const inAddress = await browser.post(`/dev/sign-in?_csrf=${encodeURIComponent(_csrf)}`, { personId: '1' });
    expect(inAddress.statusCode).toBe(403);
  });

  /** Sends the reminders form of /account/ with `_csrf`, from that page (its Referer) unless `referer` says otherwise. */
  function sendAccountForm(browser: Browser, _csrf: string, referer = 'http://localhost/account/') {
    return browser.inject({
      method: 'POST',
      url: '/account/reminders',
      headers: { 'content-type': 'application/x-www-form-urlencoded', referer },
      payload: new URLSearchParams({ _csrf, reminders: 'stop' }).toString(),
    });
  }

  it('says so when a form is sent after signing out in another tab, with a link to sign in and back to the form', async () => {
    const browser = new Browser(t.app);
    await browser.signInAs('ar101');
    const _csrf = await browser.csrfFrom('/account/');
    // Another tab signs out, and may go on to a page, which starts a new session.
    await browser.post('/sign-out', { _csrf });
    for (const next of ['nothing', 'a page']) {
      if (next === 'a page') await browser.get('/catalogue/');
      const sent = await sendAccountForm(browser, _csrf);
      expect(sent.statusCode, next).toBe(403);
      expect(sent.body, next).toContain('You have been signed out: sign in again, then go back to the form.');
      expect(sent.body, next).toContain(
        '<a href="/sign-in?returnTo=%2Faccount%2F">Sign in and go back to the form</a>',
      );
      expect(sent.body, next).not.toContain('This form has expired');
    }
    // Only a page of this site that can be opened is returned to.
    for (const referer of ['http://evil.example/account/', 'http://localhost/account/reminders', 'not an address']) {
      const sent = await sendAccountForm(browser, _csrf, referer);
      expect(sent.body, referer).toContain('You have been signed out');
      expect(sent.body, referer).toContain('<a href="/sign-in">Sign in</a>');
      expect(sent.body, referer).not.toContain('returnTo=');
    }
  });

  it('says who is signed in now when a form opened as someone else is sent, and shows them signed in', async () => {
    const browser = new Browser(t.app);
    await browser.signInAs('ar101');
    const _csrf = await browser.csrfFrom('/account/');
    // Another tab signs in as someone else.
    await browser.signInAs('bm202');
    const sent = await sendAccountForm(browser, _csrf);
    expect(sent.statusCode).toBe(403);
    expect(sent.body).toContain(
      'You are now signed in as Ben Manager (bm202) in this browser: this form was opened before that sign-in, so it was not sent.',
    );
    expect(sent.body).toContain('<a href="/account/">Go back to the form</a>');
    // The page's header is Ben's, signed in, not a sign-in link.
    expect(sent.body).toContain('Sign out <span class="visually-hidden">Ben Manager</span>');
    expect(sent.body).not.toContain('href="/sign-in"');
    // Nothing was changed.
    expect((await browser.get('/account/')).statusCode).toBe(200);
  });

  it('refuses to sign in as someone who does not exist, with a message, not a 500', async () => {
    const browser = new Browser(t.app);
    const _csrf = await browser.csrfFrom('/dev/sign-in');
    const nobody = await browser.post('/dev/sign-in', { _csrf, personId: '99999' });
    expect(nobody.statusCode).toBe(400);
    expect(nobody.body).toContain('There is no such person to sign in as');
  });

  it('never sends people off-site after sign-in', async () => {
    const browser = new Browser(t.app);
    const page = await browser.get('/dev/sign-in?returnTo=//evil.example/');
    expect(page.body).toContain('name="returnTo" value="/storage/"');
    // A browser drops a tab or a line break from an address: "/<tab>/evil.example" is "//evil.example".
    for (const disguised of ['/%09/evil.example/', '/%0a/evil.example/', '/%0d%0a/evil.example/']) {
      expect((await browser.get(`/dev/sign-in?returnTo=${disguised}`)).body).toContain(
        'name="returnTo" value="/storage/"',
      );
    }
    // Someone already signed in is sent straight on: to this site only, never a 500.
    await browser.signInAs('ar101');
    for (const disguised of ['//evil.example/', '/%09/evil.example/', '/%5C/evil.example/', '/%0d%0a/evil.example/']) {
      const answer = await browser.get(`/sign-in?returnTo=${disguised}`);
      expect([answer.statusCode, answer.headers.location]).toEqual([302, '/storage/']);
    }
    const local = await browser.get('/sign-in?returnTo=/storage/licence/1/%3Fa%3Db');
    expect(local.headers.location).toBe('/storage/licence/1/?a=b');
  });

  /** Signs in through the dev sign-in form `times` times from one client; returns each answer's status. */
  async function signInAttempts(app: TestApp['app'], times: number, headers: Record<string, string> = {}) {
    const codes: number[] = [];
    for (let attempt = 0; attempt < times; attempt++) {
      const browser = new Browser(app);
      // Viewing the form is not an attempt: only sending it is.
      const page = await browser.inject({ method: 'GET', url: '/dev/sign-in', headers });
      const _csrf = page.body.match(/name="_csrf" value="([^"]+)"/)?.[1] ?? '';
      const sent = await browser.inject({
        method: 'POST',
        url: '/dev/sign-in',
        headers: { ...headers, 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams({ _csrf, personId: '1' }).toString(),
      });
      codes.push(sent.statusCode);
    }
    return codes;
  }

  it('limits sign-in attempts by the address the nearest proxy saw, whatever a client writes before it', async () => {
    // One proxy in front: the client's address is the last X-Forwarded-For entry, not the first,
    // which a client writes itself (TRUST_PROXY=true would take that, and count each apart).
    const limited = await startTestApp({ env: { SIGN_IN_RATE_LIMIT_PER_MINUTE: '3', TRUST_PROXY: '1' } });
    try {
      const codes: number[] = [];
      for (let attempt = 0; attempt < 5; attempt++) {
        const forged = { 'x-forwarded-for': `10.0.0.${attempt}, 203.0.113.7` };
        codes.push(...(await signInAttempts(limited.app, 1, forged)));
      }
      expect(codes).toEqual([303, 303, 303, 429, 429]);
      // Another client behind the same proxy has its own count.
      expect(await signInAttempts(limited.app, 1, { 'x-forwarded-for': '203.0.113.8' })).toEqual([303]);
    } finally {
      await limited.close();
    }
  });

  it('limits sign-in attempts, never looking at the sign-in page', async () => {
    const limited = await startTestApp({ env: { SIGN_IN_RATE_LIMIT_PER_MINUTE: '3' } });
    try {
      // Every signed-out page sends people to /sign-in: showing it is not an attempt, so it is
      // neither counted nor refused, before or after the attempts run out.
      const views = async () => {
        const codes: number[] = [];
        for (let view = 0; view < 5; view++)
          codes.push((await limited.app.inject('/sign-in?returnTo=/storage/')).statusCode);
        return codes;
      };
      expect(await views()).toEqual([200, 200, 200, 200, 200]);
      expect(await signInAttempts(limited.app, 5)).toEqual([303, 303, 303, 429, 429]);
      expect(await views()).toEqual([200, 200, 200, 200, 200]);
    } finally {
      await limited.close();
    }
  });
});

describe('metrics', () => {
  it('serves Prometheus metrics with request timings by route pattern', async () => {
    const t = await startTestApp();
    try {
      await t.app.inject('/catalogue/RDS/');
      const metrics = await t.app.inject('/metrics');
      expect(metrics.statusCode).toBe(200);
      expect(metrics.body).toContain(
        'http_request_duration_seconds_count{method="GET",route="/catalogue/:code/",status="200"} 1',
      );
      expect(metrics.body).toContain('process_cpu_seconds_total');
    } finally {
      await t.close();
    }
  });

  it('asks for the token when one is configured', async () => {
    const t = await startTestApp({ env: { METRICS_TOKEN: 'scrape-secret' } });
    try {
      expect((await t.app.inject('/metrics')).statusCode).toBe(401);
      const allowed = await t.app.inject({ url: '/metrics', headers: { authorization: 'Bearer scrape-secret' } });
      expect(allowed.statusCode).toBe(200);
    } finally {
      await t.close();
    }
  });
});

describe('unexpected failures', () => {
  it('show a readable 500 page with a reference, never the error itself', async () => {
    const t = await startTestApp({
      extend: (app) => {
        app.get('/test/broken', async () => {
          throw new Error('connection to db-password-hunter2 failed');
        });
      },
    });
    try {
      const page = await t.app.inject({ url: '/test/broken', headers: { 'x-request-id': 'ref-for-support-42' } });
      expect(page.statusCode).toBe(500);
      expect(page.headers['content-type']).toContain('text/html');
      expect(page.body).toContain('Sorry, something went wrong');
      expect(page.body).toContain('ref-for-support-42');
      expect(page.body).not.toContain('hunter2');
      const api = await t.app.inject({ url: '/test/broken', headers: { accept: 'application/json' } });
      expect(api.json().error.status).toBe(500);
      expect(api.body).not.toContain('hunter2');
    } finally {
      await t.close();
    }
  });
});

describe('a NUL character in the address or a form', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  // PostgreSQL cannot store or compare text holding U+0000: such a value used to reach a query and
  // fail it, a 500. It is refused at the edge instead, before anything reads or writes.
  it('is a 400 with a readable message, never a 500', async () => {
    const alice = new Browser(t.app);
    await alice.signInAs('ar101');
    for (const url of ['/orders/%00/', '/orders/ORD-%00/purchase-order', '/storage/?q=%00']) {
      const page = await alice.get(url);
      expect(page.statusCode, url).toBe(400);
      expect(page.body, url).toContain('The request could not be understood');
    }
    const rosa = new Browser(t.app);
    await rosa.signInAs('rs501');
    for (const url of ['/admin/orders/%00/', '/admin/orders/?q=a%00', '/admin/licences/?q=%00']) {
      expect((await rosa.get(url)).statusCode, url).toBe(400);
    }
    const _csrf = await alice.csrfFrom('/account/');
    const form = await alice.post('/account/reminders', { _csrf, reminders: 'stop\u0000' });
    expect(form.statusCode).toBe(400);
    // Half a surrogate pair (only JSON can carry one) has no UTF-8 form: it failed saving the
    // session's draft after the page was answered, a raw 500 with the database's message.
    const buy = await alice.inject({
      method: 'POST',
      url: '/storage/buy/RDS/',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ _csrf, sizeTb: '1', termYears: '1', licenceName: 'a\ud800b' }),
    });
    expect(buy.statusCode).toBe(400);
    expect(buy.body).toContain('it holds a character (half of a surrogate pair) that is not allowed');
    const { csrfToken } = (await alice.get('/api/csrf-token')).json();
    const api = await alice.inject({
      method: 'POST',
      url: '/api/licences/1/changes/price',
      headers: { 'content-type': 'application/json', 'x-csrf-token': csrfToken },
      payload: JSON.stringify({ kind: 'cancellation', reason: 'a\u0000b' }),
    });
    // An API body's problem is the API's 422, naming the field (docs/api.md, the OpenAPI document).
    expect(api.statusCode).toBe(422);
    expect(api.json().error).toMatchObject({
      status: 422,
      code: 'unprocessable',
      fields: { reason: 'This holds a character (NUL) that is not allowed' },
    });
  });
});

describe('an address the router cannot read (a broken %-escape, an over-long part)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  /** The headers every answer of the site carries, whatever it says. */
  function expectSecurityHeaders(answer: { headers: Record<string, unknown> }, url: string) {
    expect(String(answer.headers['content-security-policy']), url).toContain("frame-ancestors 'none'");
    expect(answer.headers['x-content-type-options'], url).toBe('nosniff');
    expect(answer.headers['x-frame-options'], url).toBe('SAMEORIGIN');
    expect(answer.headers['referrer-policy'], url).toBe('same-origin');
    expect(answer.headers['x-request-id'], url).toBeTruthy();
  }

  it('is a 400 on the site’s error page, with the security headers, for a page', async () => {
    for (const url of [
      '/%ff',
      '/orders/%E0%A4%A/',
      '/storage/licence/%/',
      '/catalogue/%zz/?q=1',
      `/orders/${'A'.repeat(150)}/`,
    ]) {
      const page = await t.app.inject(url);
      expect(page.statusCode, url).toBe(400);
      expect(page.headers['content-type'], url).toContain('text/html');
      expect(page.body, url).toContain('<main id="main"');
      expect(page.body, url).toContain('There is a problem');
      expect(page.body, url).toContain('This address could not be understood');
      expect(page.body, url).not.toContain('FST_ERR');
      expectSecurityHeaders(page, url);
    }
    expect((await t.app.inject({ method: 'HEAD', url: '/%ff' })).statusCode).toBe(400);
  });

  it('is the API’s error JSON under /api/, its request id the one of the answer', async () => {
    for (const url of ['/api/licences/%zz', '/api/orders/%E0%A4%A', `/api/orders/${'A'.repeat(150)}`]) {
      const answer = await t.app.inject({ url, headers: { 'x-request-id': 'bad-address-0001' } });
      expect(answer.statusCode, url).toBe(400);
      expect(answer.headers['content-type'], url).toContain('application/json');
      expect(answer.json(), url).toEqual({
        error: {
          status: 400,
          code: 'bad-request',
          title: 'There is a problem',
          message: expect.stringContaining('The path could not be understood'),
          requestId: 'bad-address-0001',
        },
      });
      expect(answer.headers['x-request-id'], url).toBe('bad-address-0001');
      expectSecurityHeaders(answer, url);
    }
  });

  it('is answered as any other page is: signed in, not kept, whatever the method', async () => {
    const alice = new Browser(t.app);
    await alice.signInAs('ar101');
    const page = await alice.get('/storage/licence/%/');
    expect(page.statusCode).toBe(400);
    expect(page.body).toContain('Sign out');
    expect(page.headers['cache-control']).toBe('private, no-store');
    // A form sent to such an address is the same 400, not a CSRF or media-type refusal.
    const form = await alice.post('/storage/licence/%/managers', { crsid: 'bm202' });
    expect(form.statusCode).toBe(400);
    expect(form.body).toContain('This address could not be understood');
    const upload = new FormData();
    upload.set('poDocument', new Blob(['%PDF-1.4']), 'po.pdf');
    expect((await alice.postMultipart('/orders/%ff/payment', upload)).statusCode).toBe(400);
  });

  it('has no address of its own that answers', async () => {
    for (const url of ['/-/unreadable-address', '/-/unreadable-address/']) {
      expect((await t.app.inject(url)).statusCode, url).toBe(404);
    }
  });
});

describe('a page’s address without its final slash', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('redirects to the address with the slash, keeping the query', async () => {
    for (const url of [
      '/storage',
      '/admin',
      '/catalogue',
      '/help',
      '/account',
      '/storage/licence/1',
      '/orders/ORD-000004',
      '/catalogue/RDS',
      '/help/payment-methods',
    ]) {
      const answer = await t.app.inject(url);
      expect([answer.statusCode, answer.headers.location], url).toEqual([301, `${url}/`]);
      expectSecurityHeaders(answer, url);
    }
    const query = await t.app.inject('/storage?q=a%20b&page=2');
    expect(query.headers.location).toBe('/storage/?q=a%20b&page=2');
    const head = await t.app.inject({ method: 'HEAD', url: '/catalogue' });
    expect([head.statusCode, head.headers.location]).toEqual([301, '/catalogue/']);
    // Followed, it is the page.
    const alice = new Browser(t.app);
    await alice.signInAs('ar101');
    const storage = await alice.get('/storage');
    expect(storage.statusCode).toBe(301);
    expect((await alice.get(String(storage.headers.location))).statusCode).toBe(200);
  });

  it('is still a 404 where the slash would not help, for a form, and in the API', async () => {
    for (const url of ['/no/such/page', '/assets/no-such.css', '/catalogue/RDS/nope', '/sign-in/x']) {
      expect((await t.app.inject(url)).statusCode, url).toBe(404);
    }
    // A form is never redirected: a browser would send it again as a GET, without its fields.
    const alice = new Browser(t.app);
    await alice.signInAs('ar101');
    const _csrf = await alice.csrfFrom('/account/');
    expect((await alice.post('/account', { _csrf })).statusCode).toBe(404);
    // The API's paths have no final slash (docs/api.md): none is added to an unknown one.
    const api = await alice.inject({ method: 'GET', url: '/api/nope' });
    expect(api.statusCode).toBe(404);
    expect(api.json().error.code).toBe('not-found');
    expect((await alice.inject({ method: 'GET', url: '/api/licences/1/changes' })).statusCode).toBe(404);
  });

  it('never leads to another site', async () => {
    for (const url of ['//evil.example', '//evil.example/storage', '//storage', '///evil.example']) {
      const answer = await t.app.inject(url);
      const location = answer.headers.location;
      if (location !== undefined) expect(String(location), url).toMatch(/^\/(?![/\\])/);
      expect(answer.statusCode, url).toBe(404);
    }
  });

  /** The headers every answer of the site carries, whatever it says. */
  function expectSecurityHeaders(answer: { headers: Record<string, unknown> }, url: string) {
    expect(answer.headers['x-content-type-options'], url).toBe('nosniff');
    expect(answer.headers['x-request-id'], url).toBeTruthy();
  }
});
