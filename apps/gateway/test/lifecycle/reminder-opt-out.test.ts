import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runNightlyLifecycle } from '../../src/modules/lifecycle/lifecycle.service.ts';
import { DEFAULT_LIFECYCLE_SETTINGS } from '../../src/modules/lifecycle/lifecycle-dates.ts';
import { drainJobs } from '../support/jobs.ts';
import { insertStorage, personIdOf } from '../support/storage-fixtures.ts';
import { Browser, startTestApp, type TestApp } from '../support/test-app.ts';

/** A person stops and restarts licence reminders on /account/; the nightly job honours it. */
describe('reminder opt-out on /account/', () => {
  let t: TestApp;
  let browser: Browser;

  beforeAll(async () => {
    t = await startTestApp();
    browser = new Browser(t.app);
    await browser.signInAs('bm202');
  });
  afterAll(async () => {
    await t.close();
  });

  const optOuts = async () =>
    (await t.database.db.selectFrom('reminder_opt_outs').select('person_id').execute()).map((row) => row.person_id);
  const audit = () =>
    t.database.db
      .selectFrom('audit_events')
      .select(['actor_label', 'entity_id', 'action', 'before', 'after'])
      .where('entity_type', '=', 'reminder-setting')
      .orderBy('id')
      .execute();

  it('shows reminders on by default, with the choice in a labelled group', async () => {
    const page = await browser.get('/account/');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<legend>Email me before the licences I look after end?</legend>');
    expect(page.body).toMatch(/<input type="radio" id="reminders" name="reminders" value="send" checked/);
    expect(page.body).not.toMatch(/value="stop" checked/);
    // when they go, as REMINDER_DAYS says
    expect(page.body).toContain(
      "you are reminded 60, 30 and 7 days before a licence's end date, so it can be renewed in time: one email a night listing every licence due.",
    );
  });

  it('refuses a form without a choice, with the error summary and the message by the field', async () => {
    const csrf = await browser.csrfFrom('/account/');
    const response = await browser.post('/account/reminders', { _csrf: csrf });
    expect(response.statusCode).toBe(422);
    expect(response.body).toContain('<title>Error: Your account');
    expect(response.body.match(/Choose whether to get reminders before your licences end/g)?.length).toBe(2);
    expect(await optOuts()).toEqual([]);
  });

  it('stops reminders (audited once), and the nightly job leaves the person out', async () => {
    const bob = await personIdOf(t.database.db, 'bm202');
    const csrf = await browser.csrfFrom('/account/');
    const response = await browser.post('/account/reminders', { _csrf: csrf, reminders: 'stop' });
    expect(response.statusCode).toBe(303);
    expect(response.headers.location).toBe('/account/');
    expect(await optOuts()).toEqual([bob]);
    const page = await browser.get('/account/');
    expect(page.body).toContain('You will not get reminders before your licences end.');
    expect(page.body).toMatch(/value="stop" checked/);
    // saying the same again changes nothing and is not audited twice
    await browser.post('/account/reminders', { _csrf: await browser.csrfFrom('/account/'), reminders: 'stop' });
    expect(await audit()).toEqual([
      {
        actor_label: 'bm202',
        entity_id: String(bob),
        action: 'reminders stopped',
        before: { reminders: 'send' },
        after: { reminders: 'stop' },
      },
    ]);

    await insertStorage(t.database.db, {
      name: 'Shared lab data',
      owner: 'ar101',
      managers: ['bm202'],
      status: 'active',
      startDate: '2025-01-01',
      endDate: '2027-01-30',
      order: null,
    });
    const result = await runNightlyLifecycle(
      t.database.db,
      t.jobs.queue,
      '2026-12-31',
      DEFAULT_LIFECYCLE_SETTINGS,
      new Date('2026-12-31T02:15:00Z'),
    );
    expect(result).toMatchObject({ reminders: 1, emails: 1 });
    await drainJobs(t.jobs);
    const sent = await t.database.db
      .selectFrom('mail_outbox')
      .select(['to_addresses', 'template'])
      .where('template', '=', 'licence-reminder')
      .execute();
    const alice = await t.database.db
      .selectFrom('people')
      .select('email')
      .where('crsid', '=', 'ar101')
      .executeTakeFirstOrThrow();
    expect(sent).toEqual([{ to_addresses: [alice.email], template: 'licence-reminder' }]);
  });

  it('starts them again', async () => {
    const csrf = await browser.csrfFrom('/account/');
    const response = await browser.post('/account/reminders', { _csrf: csrf, reminders: 'send' });
    expect(response.statusCode).toBe(303);
    expect(await optOuts()).toEqual([]);
    expect((await audit()).map((row) => row.action)).toEqual(['reminders stopped', 'reminders started']);
    expect((await browser.get('/account/')).body).toContain('You will get reminders before your licences end.');
  });
});

describe('the reminder setting with another REMINDER_DAYS', () => {
  let t: TestApp;
  afterAll(async () => {
    await t?.close();
  });

  it('names the days the reminders go', async () => {
    t = await startTestApp({ env: { REMINDER_DAYS: '14,45' } });
    const browser = new Browser(t.app);
    await browser.signInAs('bm202');
    expect((await browser.get('/account/')).body).toContain('you are reminded 45 and 14 days before a licence');
  });
});
