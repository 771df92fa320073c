import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Browser, startTestApp, type TestApp } from '../support/test-app.ts';

/**
 * Forms are limited per person a minute (FORM_RATE_LIMIT_PER_MINUTE): a script sending them as
 * fast as the server answers (every Data Manager added is emailed) is stopped; people are not.
 */
describe('the limit on forms sent a minute', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ env: { FORM_RATE_LIMIT_PER_MINUTE: '3' } });
  });
  afterAll(() => t?.close());

  async function signedIn(crsid: string) {
    const browser = new Browser(t.app);
    await browser.signInAs(crsid);
    return browser;
  }

  it('answers the form after the limit with a 429 page, for that person only; pages still open', async () => {
    const alice = await signedIn('ar101');
    const _csrf = await alice.csrfFrom('/account/');
    const statuses: number[] = [];
    for (let sent = 0; sent < 4; sent += 1) {
      statuses.push((await alice.post('/account/reminders', { _csrf, reminders: 'stop' })).statusCode);
    }
    expect(statuses).toEqual([303, 303, 303, 429]);
    const refused = await alice.post('/account/reminders', { _csrf, reminders: 'send' });
    expect(refused.statusCode).toBe(429);
    expect(refused.headers['content-type']).toMatch(/^text\/html/);
    expect(refused.headers['retry-after']).toBeDefined();
    expect(refused.body).toContain('Wait a minute and try again.');
    expect((await alice.get('/account/')).statusCode).toBe(200);

    const ben = await signedIn('bm202');
    const benCsrf = await ben.csrfFrom('/account/');
    expect((await ben.post('/account/reminders', { _csrf: benCsrf, reminders: 'stop' })).statusCode).toBe(303);
  });
});
