import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EMAIL_TRIES, sendEmailHandler } from '../../src/platform/mail/mail.jobs.ts';
import { findOutboxEmail, insertOutboxEmail } from '../../src/platform/mail/mail-outbox.repository.ts';
import { outboxFolderTransport } from '../../src/platform/mail/mail-transport.ts';
import { drainJobs } from '../support/jobs.ts';
import { Browser, startTestApp, type TestApp } from '../support/test-app.ts';

/**
 * An email whose send-email job used up its tries stays in the outbox as 'failed'. In production
 * the outbox viewer does not exist, so the back office lists those emails and sends them again.
 */
describe('emails that failed for good, in the back office', () => {
  let t: TestApp;
  let mailDir: string;
  let gaveUpId: number;
  let retryingId: number;
  const tries = EMAIL_TRIES;

  beforeAll(async () => {
    mailDir = await mkdtemp(path.join(tmpdir(), 'ssgw-failed-mail-'));
    const sender = { transport: outboxFolderTransport(mailDir), from: 'Gateway <no-reply@storage.example.ac.uk>' };
    t = await startTestApp({ jobRegistry: { handlers: [sendEmailHandler(sender)], schedules: [] } });
    const write = (subject: string, to: string[]) =>
      insertOutboxEmail(t.database.db, { template: 'test-message', to, cc: [], subject, text: `Body of ${subject}` });
    gaveUpId = await write('Your <order> is approved', ['ar101@cam.ac.uk', 'bk202@cam.ac.uk']);
    retryingId = await write('Still being retried', ['cd303@cam.ac.uk']);
    await write('Delivered fine', ['ef404@cam.ac.uk']);
    await t.database.db
      .updateTable('mail_outbox')
      .set({ status: 'failed', attempts: tries, last_error: 'ECONNREFUSED connect ECONNREFUSED 10.0.0.5:587' })
      .where('id', '=', gaveUpId)
      .execute();
    await t.database.db
      .updateTable('mail_outbox')
      .set({ status: 'failed', attempts: 2, last_error: 'ETIMEDOUT' })
      .where('id', '=', retryingId)
      .execute();
    await t.database.db
      .updateTable('mail_outbox')
      .set({ status: 'sent', attempts: 1, sent_at: new Date() })
      .where('subject', '=', 'Delivered fine')
      .execute();
  });
  afterAll(async () => {
    await t?.close();
    if (mailDir) await rm(mailDir, { recursive: true, force: true });
  });

  it('is for superusers and service admins, not Finance or customers, and is linked from the back office', async () => {
    expect((await t.app.inject({ url: '/admin/emails/failed' })).headers.location).toBe(
      '/sign-in?returnTo=%2Fadmin%2Femails%2Ffailed',
    );
    const customer = new Browser(t.app);
    await customer.signInAs('ar101');
    expect((await customer.get('/admin/emails/failed')).statusCode).toBe(403);
    const finance = new Browser(t.app);
    await finance.signInAs('fn601');
    expect((await finance.get('/admin/emails/failed')).statusCode).toBe(403);
    const team = new Browser(t.app);
    await team.signInAs('if502');
    expect((await team.get('/admin/emails/failed')).statusCode).toBe(200);
    const home = await team.get('/admin/');
    expect(home.body).toContain('href="/admin/emails/failed"');
    expect((await team.get('/admin/jobs/failed')).body).toContain('href="/admin/emails/failed"');
  });

  it('lists only emails that used up their tries: recipients, subject, last error and when', async () => {
    const superuser = new Browser(t.app);
    await superuser.signInAs('su701');
    const page = await superuser.get('/admin/emails/failed');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<h1>Failed emails</h1>');
    expect(page.body).toContain('ar101@cam.ac.uk, bk202@cam.ac.uk');
    expect(page.body).toContain('Your &lt;order> is approved');
    expect(page.body).toContain('ECONNREFUSED connect ECONNREFUSED 10.0.0.5:587');
    expect(page.body).toMatch(/<time dateTime="\d{4}-\d\d-\d\dT[^"]+Z">/i);
    expect(page.body).not.toContain('Still being retried');
    expect(page.body).not.toContain('Delivered fine');
  });

  it('sends one again when asked, with the form’s token, and records who did', async () => {
    const admin = new Browser(t.app);
    await admin.signInAs('rs501');
    const page = await admin.get('/admin/emails/failed');
    const action = `/admin/emails/failed/${gaveUpId}/send-again`;
    expect(page.body).toContain(`action="${action}"`);
    expect((await admin.post(action, {})).statusCode).toBe(403);
    const csrf = page.body.match(/name="_csrf" value="([^"]+)"/)?.[1] ?? '';
    const sent = await admin.post(action, { _csrf: csrf });
    expect(sent.statusCode).toBe(303);
    expect(sent.headers.location).toBe('/admin/emails/failed');
    const after = await admin.get('/admin/emails/failed');
    expect(after.body).toContain('will be sent again shortly');
    expect(after.body).not.toContain('Your &lt;order> is approved');
    expect(
      await t.database.db
        .selectFrom('audit_events')
        .select(['actor_label', 'entity_type', 'entity_id', 'action'])
        .execute(),
    ).toEqual([
      {
        actor_label: 'rs501',
        entity_type: 'failed-job',
        entity_id: `send-email/outbox-${gaveUpId}`,
        action: 'sent-again',
      },
    ]);

    await drainJobs(t.jobs);
    expect((await findOutboxEmail(t.database.db, gaveUpId))?.status).toBe('sent');

    // A second press (another tab, a colleague) finds nothing to do and says so.
    const again = await admin.post(action, { _csrf: csrf });
    expect(again.statusCode).toBe(303);
    expect((await admin.get('/admin/emails/failed')).body).toContain('is no longer failed');
  });
});

describe('the failed-jobs page on Cloud Tasks', () => {
  let t: TestApp;
  const caller = 'tasks@ssgw-prod.iam.gserviceaccount.com';

  beforeAll(async () => {
    t = await startTestApp({
      env: {
        JOBS_DRIVER: 'cloud-tasks',
        SCHEDULES_DRIVER: 'cloud-scheduler',
        CLOUD_TASKS_QUEUE: 'projects/ssgw-prod/locations/europe-west2/queues/gateway',
        CLOUD_TASKS_SERVICE_ACCOUNT: caller,
        TASKS_ALLOWED_CALLERS: caller,
        TASKS_AUDIENCE: 'https://storage.example.ac.uk',
      },
    });
    await t.jobs.sweeper?.stop();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('says that Cloud Tasks deletes exhausted tasks, and where to look instead', async () => {
    // Cloud Tasks keeps no failed task: pointing at its queue in the console sent people nowhere.
    const admin = new Browser(t.app);
    await admin.signInAs('su701');
    const page = await admin.get('/admin/jobs/failed');
    expect(page.statusCode).toBe(200);
    expect(page.body).not.toContain('listed in the Cloud Tasks queue');
    expect(page.body).toContain('Cloud Tasks deletes a task once it has used up its tries');
    expect(page.body).toContain('background job failures');
    expect(page.body).toContain('href="/admin/emails/failed"');
  });
});
