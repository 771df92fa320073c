import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertStorage } from '../support/storage-fixtures.ts';
import { Browser, startTestApp, type TestApp } from '../support/test-app.ts';

/**
 * An error page that tells people where to go links there (WCAG 2.2 SC 2.4.4), as AppError's
 * links do, before the home page; and says what happened in its title.
 */
describe('error pages', () => {
  let t: TestApp;
  let alice: Browser;
  beforeAll(async () => {
    t = await startTestApp();
    alice = new Browser(t.app);
    await alice.signInAs('ar101');
  });
  afterAll(() => t?.close());

  const main = (body: string) => body.match(/<main[\s\S]*<\/main>/)?.[0] ?? '';
  const title = (body: string) => body.match(/<title>([^<]*)<\/title>/)?.[1] ?? '';

  it('link My storage when a licence or project cannot be found', async () => {
    for (const url of [
      '/storage/licence/999/',
      '/storage/licence/bogus/',
      '/storage/project/999/',
      '/storage/licence/999/change/increase/',
    ]) {
      const page = await alice.get(url);
      expect(page.statusCode, url).toBe(404);
      expect(main(page.body), url).toContain('go back to My storage');
      expect(main(page.body), url).toContain('<a href="/storage/">Go to My storage</a>');
    }
  });

  it('link the licence when there is no such change of it', async () => {
    const { licenceId } = await insertStorage(t.database.db, {
      name: 'Linked licence',
      owner: 'ar101',
      sizeTb: 5,
      status: 'active',
      startDate: '2026-01-01',
      endDate: '2027-01-01',
      order: null,
    });
    const page = await alice.get(`/storage/licence/${licenceId}/change/bogus/`);
    expect(page.statusCode).toBe(404);
    expect(main(page.body)).toContain('Go back to the licence');
    expect(main(page.body)).toContain(`<a href="/storage/licence/${licenceId}/">Go back to the licence</a>`);
  });

  it('link the licence and what it allows instead when it does not allow a change', async () => {
    const { licenceId } = await insertStorage(t.database.db, {
      name: 'Expired licence',
      owner: 'ar101',
      sizeTb: 5,
      status: 'suspended',
      startDate: '2025-10-01',
      endDate: '2026-09-30',
      order: null,
    });
    const page = await alice.get(`/storage/licence/${licenceId}/change/increase/`);
    expect(page.statusCode).toBe(409);
    expect(main(page.body)).toContain('this one is expired');
    expect(main(page.body)).toContain(`<a href="/storage/licence/${licenceId}/change/renewal/">Renew</a>`);
    expect(main(page.body)).toContain(
      `<a href="/storage/licence/${licenceId}/">Go to the licence “Expired licence”</a>`,
    );
  });

  it('are titled “You have been signed out” for a form sent after the session ended, linking back to it', async () => {
    const browser = new Browser(t.app);
    await browser.signInAs('ar101');
    const _csrf = await browser.csrfFrom('/account/');
    await browser.post('/sign-out', { _csrf });
    const sent = await browser.inject({
      method: 'POST',
      url: '/account/reminders',
      headers: { 'content-type': 'application/x-www-form-urlencoded', referer: 'http://localhost/account/' },
      payload: new URLSearchParams({ _csrf, reminders: 'stop' }).toString(),
    });
    expect(sent.statusCode).toBe(403);
    expect(title(sent.body)).toMatch(/^You have been signed out – /);
    expect(main(sent.body)).toContain('<h1>You have been signed out</h1>');
    expect(main(sent.body)).not.toContain('You cannot do that');
    expect(main(sent.body)).toContain('<a href="/sign-in?returnTo=%2Faccount%2F">Sign in and go back to the form</a>');
  });
});
