import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { PG_BOSS_SCHEMA } from '../../src/platform/jobs/pg-boss-queue.ts';
import { renderEmail } from '../../src/platform/mail/email-template.tsx';
import { type MailSender, queueEmail, sendEmailHandler, sendEmailJob } from '../../src/platform/mail/mail.jobs.ts';
import { findOutboxEmail } from '../../src/platform/mail/mail-outbox.repository.ts';
import { smtpTransport } from '../../src/platform/mail/mail-transport.ts';
import { testMessageEmail } from '../../src/platform/mail/test-message.email.tsx';
import { drainJobs } from '../support/jobs.ts';
import { Browser, startTestApp, type TestApp } from '../support/test-app.ts';
import { startSmtpServer, type TestSmtpServer } from './smtp-test-server.ts';

const FROM = 'Storage Self-Service Gateway <no-reply@storage.example.ac.uk>';

function testMessage(note: string) {
  return renderEmail(
    testMessageEmail,
    { serviceName: 'Storage Self-Service Gateway', requestedBy: 'Rosalind Smith', note },
    { to: 'ar101@cam.ac.uk' },
  );
}

describe('the send-email job on the real job queue, delivering to a real SMTP server', () => {
  let smtp: TestSmtpServer;
  let sender: MailSender;
  let t: TestApp;

  beforeAll(async () => {
    smtp = await startSmtpServer();
    sender = { transport: smtpTransport(smtp.url), from: FROM };
    t = await startTestApp({ jobRegistry: { handlers: [sendEmailHandler(sender)], schedules: [] } });
  });
  afterAll(async () => {
    await t?.close();
    await sender?.transport.close();
    await smtp?.stop();
  });
  beforeEach(() => {
    smtp.received.length = 0;
  });

  async function countSendEmailJobs(): Promise<number> {
    const result = await t.jobs.boss
      ?.getDb()
      .executeSql(`SELECT count(*)::int AS jobs FROM ${PG_BOSS_SCHEMA}.job WHERE name = $1`, [sendEmailJob.name]);
    return Number((result?.rows[0] as { jobs: number } | undefined)?.jobs ?? -1);
  }

  /** Rather than wait out the queue's backoff, make every waiting send-email retry due now. */
  async function makeRetriesDue(): Promise<void> {
    await t.jobs.boss
      ?.getDb()
      .executeSql(`UPDATE ${PG_BOSS_SCHEMA}.job SET start_after = now() WHERE name = $1 AND state = 'retry'`, [
        sendEmailJob.name,
      ]);
  }

  it('sends an email queued in a committed transaction when the jobs run', async () => {
    const outboxId = await t.database.db
      .transaction()
      .execute((trx) => queueEmail(trx, testMessage('through the queue'), t.jobs.queue));
    expect(smtp.received).toEqual([]);

    await drainJobs(t.jobs);

    expect(smtp.received).toHaveLength(1);
    expect(smtp.received[0]?.parsed.text).toContain('Note: through the queue');
    expect(await findOutboxEmail(t.database.db, outboxId)).toMatchObject({ status: 'sent', attempts: 1 });
  });

  it('sends nothing, and leaves no job, for a transaction that rolled back', async () => {
    const jobsBefore = await countSendEmailJobs();
    await expect(
      t.database.db.transaction().execute(async (trx) => {
        await queueEmail(trx, testMessage('rolled back'), t.jobs.queue);
        throw new Error('the change failed');
      }),
    ).rejects.toThrow('the change failed');

    expect(await countSendEmailJobs()).toBe(jobsBefore);
    await drainJobs(t.jobs);
    expect(smtp.received).toEqual([]);
  });

  it('leaves a refused email for the queue to retry, and the retry delivers it', async () => {
    const outboxId = await t.database.db
      .transaction()
      .execute((trx) => queueEmail(trx, testMessage('retried by the queue'), t.jobs.queue));
    smtp.rejectNext({ code: 421, message: 'Service not available, closing transmission channel' });

    // The failed attempt waits out its backoff: a drain that runs only what is due leaves it.
    await drainJobs(t.jobs);
    const failed = await findOutboxEmail(t.database.db, outboxId);
    expect(failed).toMatchObject({ status: 'failed', attempts: 1 });
    expect(failed?.lastError).toContain('421');
    expect(smtp.received).toEqual([]);

    await makeRetriesDue();
    await drainJobs(t.jobs);
    expect(smtp.received).toHaveLength(1);
    expect(smtp.received[0]?.parsed.messageId).toBe(failed?.messageId);
    expect(await findOutboxEmail(t.database.db, outboxId)).toMatchObject({ status: 'sent', attempts: 2 });
  });

  it('delivers the test email a signed-in person asks for on the outbox page', async () => {
    const browser = new Browser(t.app);
    await browser.signInAs('rs501');
    const csrf = await browser.csrfFrom('/dev/mail/');
    expect((await browser.post('/dev/mail/test', { _csrf: csrf, note: 'from the browser' })).statusCode).toBe(303);

    await drainJobs(t.jobs);

    expect(smtp.received).toHaveLength(1);
    expect(smtp.received[0]?.rcptTo).toEqual(['rs501@cam.ac.uk']);
    expect(smtp.received[0]?.parsed.text).toContain('Note: from the browser');
  });

  it('sends once when the job for an email is delivered twice', async () => {
    const outboxId = await t.database.db.transaction().execute(async (trx) => {
      const id = await queueEmail(trx, testMessage('a job delivered twice'), t.jobs.queue);
      await t.jobs.queue.enqueue(trx, sendEmailJob, { outboxId: id });
      return id;
    });

    await drainJobs(t.jobs);
    // Whichever job runs second finds the row sent; had they overlapped, it would find it claimed and retry.
    await makeRetriesDue();
    await drainJobs(t.jobs);

    expect(smtp.received).toHaveLength(1);
    expect(await findOutboxEmail(t.database.db, outboxId)).toMatchObject({ status: 'sent' });
  });
});
