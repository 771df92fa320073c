import { sql } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import type { DatabaseHandle } from '../../src/platform/db/database.ts';
import { renderEmail } from '../../src/platform/mail/email-template.tsx';
import {
  deliverOutboxEmail,
  EmailBusyError,
  type MailSender,
  queueEmail,
  sendEmailJob,
} from '../../src/platform/mail/mail.jobs.ts';
import { findOutboxEmail } from '../../src/platform/mail/mail-outbox.repository.ts';
import { smtpTransport } from '../../src/platform/mail/mail-transport.ts';
import { testMessageEmail } from '../../src/platform/mail/test-message.email.tsx';
import { openTestDatabase } from '../support/test-database.ts';
import { startSmtpServer, type TestSmtpServer } from './smtp-test-server.ts';
import { tableRecordingJobQueue } from './table-recording-job-queue.ts';

const FROM = 'Storage Self-Service Gateway <no-reply@storage.example.ac.uk>';

function testMessage(subjectNote: string, recipients = { to: ['ar101@cam.ac.uk'] as string[], cc: [] as string[] }) {
  return renderEmail(
    testMessageEmail,
    { serviceName: 'Storage Self-Service Gateway', requestedBy: 'Rosalind Smith', note: subjectNote },
    recipients,
  );
}

describe('the transactional mail outbox, delivered to a real SMTP server', () => {
  let database: DatabaseHandle;
  let smtp: TestSmtpServer;
  let sender: MailSender;
  let jobs: Awaited<ReturnType<typeof tableRecordingJobQueue>>;

  beforeAll(async () => {
    database = await openTestDatabase(inject('databaseTemplate'));
    smtp = await startSmtpServer();
    sender = { transport: smtpTransport(smtp.url), from: FROM };
    jobs = await tableRecordingJobQueue(database.db);
  });
  afterAll(async () => {
    await sender?.transport.close();
    await smtp?.stop();
    await database?.close();
  });
  beforeEach(() => {
    smtp.received.length = 0;
  });

  /** Queues one email in its own committed transaction, as a service would with its change. */
  async function queueCommitted(note: string): Promise<number> {
    return database.db.transaction().execute((trx) => queueEmail(trx, testMessage(note), jobs.queue));
  }

  it('delivers a queued email with its recipients, subject, text, HTML and a stable Message-ID', async () => {
    const message = renderEmail(
      testMessageEmail,
      { serviceName: 'Storage Self-Service Gateway', requestedBy: 'Rosalind Smith', note: 'Fish & <chips>' },
      { to: ['ar101@cam.ac.uk', 'bk202@cam.ac.uk'], cc: 'storage-support@example.ac.uk' },
    );
    const outboxId = await database.db.transaction().execute((trx) => queueEmail(trx, message, jobs.queue));
    expect(await jobs.recorded()).toContainEqual({ type: sendEmailJob.name, payload: { outboxId } });

    expect(await deliverOutboxEmail(database.db, outboxId, sender)).toBe('sent');

    expect(smtp.received).toHaveLength(1);
    const [delivered] = smtp.received;
    expect(delivered?.mailFrom).toBe('no-reply@storage.example.ac.uk');
    expect(delivered?.rcptTo).toEqual(['ar101@cam.ac.uk', 'bk202@cam.ac.uk', 'storage-support@example.ac.uk']);
    const parsed = delivered?.parsed;
    expect(parsed?.subject).toBe('Test message from the Storage Self-Service Gateway');
    expect(parsed?.from?.text).toBe(FROM.replace('Storage Self-Service Gateway', '"Storage Self-Service Gateway"'));
    expect(parsed?.headers.get('auto-submitted')).toBe('auto-generated');
    expect(parsed?.text).toContain('sent at the request of Rosalind Smith');
    expect(parsed?.text).toContain('Note: Fish & <chips>');
    expect(parsed?.html).toContain('Fish &amp; &lt;chips>');
    expect(parsed?.html).not.toContain('<chips>');

    const row = await findOutboxEmail(database.db, outboxId);
    expect(row).toMatchObject({ status: 'sent', attempts: 1, lastError: null, template: 'test-message' });
    expect(row?.sentAt).toBeInstanceOf(Date);
    expect(row?.messageId).toMatch(/^<[0-9a-f-]{36}@storage\.example\.ac\.uk>$/);
    expect(parsed?.messageId).toBe(row?.messageId);
  });

  it('leaves neither the email nor its job behind when the transaction that wrote them rolls back', async () => {
    const jobsBefore = (await jobs.recorded()).length;
    const rollback = new Error('the change that caused the email failed');
    await expect(
      database.db.transaction().execute(async (trx) => {
        await queueEmail(trx, testMessage('never to be sent'), jobs.queue);
        throw rollback;
      }),
    ).rejects.toBe(rollback);

    const rows = await database.db
      .selectFrom('mail_outbox')
      .select('id')
      .where('text_body', 'like', '%never to be sent%')
      .execute();
    expect(rows).toEqual([]);
    expect(await jobs.recorded()).toHaveLength(jobsBefore);
    expect(smtp.received).toEqual([]);
  });

  it.each([
    { code: 451, message: 'Requested action aborted: local error in processing' },
    { code: 554, message: 'Transaction failed' },
  ])(
    'keeps the email unsent with the error when the server answers $code, and sends it on a later retry',
    async (reply) => {
      const outboxId = await queueCommitted(`refused with ${reply.code}`);
      smtp.rejectNext(reply);

      await expect(deliverOutboxEmail(database.db, outboxId, sender)).rejects.toThrow(String(reply.code));
      const failed = await findOutboxEmail(database.db, outboxId);
      expect(failed).toMatchObject({ status: 'failed', attempts: 1, sentAt: null });
      expect(failed?.lastError).toContain(String(reply.code));
      expect(failed?.lastError).toContain(reply.message);
      expect(smtp.received).toEqual([]);

      expect(await deliverOutboxEmail(database.db, outboxId, sender)).toBe('sent');
      const sent = await findOutboxEmail(database.db, outboxId);
      expect(sent).toMatchObject({ status: 'sent', attempts: 2, lastError: null });
      expect(smtp.received).toHaveLength(1);
      // The retry carries the Message-ID fixed by the first attempt.
      expect(sent?.messageId).toBe(failed?.messageId);
      expect(smtp.received[0]?.parsed.messageId).toBe(failed?.messageId);
    },
  );

  it('keeps the email when the mail server is down, and sends it once the server is back', async () => {
    const outage = await startSmtpServer();
    const port = outage.port;
    await outage.stop();
    const outageSender: MailSender = { transport: smtpTransport(outage.url), from: FROM };
    const outboxId = await queueCommitted('sent after an outage');

    await expect(deliverOutboxEmail(database.db, outboxId, outageSender)).rejects.toThrow();
    const failed = await findOutboxEmail(database.db, outboxId);
    expect(failed).toMatchObject({ status: 'failed', attempts: 1 });
    expect(failed?.lastError).toMatch(/ECONNREFUSED|ESOCKET|ECONNECTION/);

    const restored = await startSmtpServer(port);
    try {
      expect(await deliverOutboxEmail(database.db, outboxId, outageSender)).toBe('sent');
      expect(restored.received).toHaveLength(1);
      expect(restored.received[0]?.parsed.text).toContain('sent after an outage');
      expect(await findOutboxEmail(database.db, outboxId)).toMatchObject({ status: 'sent', attempts: 2 });
    } finally {
      await restored.stop();
    }
  });

  it('sends one email however many times the job runs, one after another or at once', async () => {
    const oneAfterAnother = await queueCommitted('run twice in a row');
    expect(await deliverOutboxEmail(database.db, oneAfterAnother, sender)).toBe('sent');
    expect(await deliverOutboxEmail(database.db, oneAfterAnother, sender)).toBe('already-sent');
    expect(smtp.received).toHaveLength(1);

    const atOnce = await queueCommitted('run twice at once');
    const outcomes = await Promise.allSettled([
      deliverOutboxEmail(database.db, atOnce, sender),
      deliverOutboxEmail(database.db, atOnce, sender),
    ]);
    const sent = outcomes.filter((outcome) => outcome.status === 'fulfilled' && outcome.value === 'sent');
    expect(sent).toHaveLength(1);
    // The loser either saw the row already sent or found it claimed (and would be retried).
    for (const outcome of outcomes) {
      if (outcome.status === 'rejected') expect(outcome.reason).toBeInstanceOf(EmailBusyError);
    }
    expect(smtp.received).toHaveLength(2);
    expect(await findOutboxEmail(database.db, atOnce)).toMatchObject({ status: 'sent', attempts: 1 });
  });

  it('honours a live claim, and takes over one whose sender died mid-send', async () => {
    const outboxId = await queueCommitted('claimed by a worker that died');
    await sql`UPDATE mail_outbox SET status = 'sending', attempts = 1, sending_since = now(),
      message_id = '<claimed-earlier@storage.example.ac.uk>' WHERE id = ${outboxId}`.execute(database.db);

    await expect(deliverOutboxEmail(database.db, outboxId, sender)).rejects.toBeInstanceOf(EmailBusyError);
    expect(smtp.received).toEqual([]);

    await sql`UPDATE mail_outbox SET sending_since = now() - interval '10 minutes' WHERE id = ${outboxId}`.execute(
      database.db,
    );
    expect(await deliverOutboxEmail(database.db, outboxId, sender)).toBe('sent');
    expect(smtp.received).toHaveLength(1);
    // Same Message-ID as the dead attempt's, so a receiver that got both can drop one.
    expect(smtp.received[0]?.parsed.messageId).toBe('<claimed-earlier@storage.example.ac.uk>');
    expect(await findOutboxEmail(database.db, outboxId)).toMatchObject({ status: 'sent', attempts: 2 });
  });

  it('does nothing for a job whose outbox row does not exist', async () => {
    expect(await deliverOutboxEmail(database.db, 987_654_321, sender)).toBe('missing');
    expect(smtp.received).toEqual([]);
  });

  it('refuses to queue an email without a valid recipient or with a subject that spans lines', async () => {
    const before = await database.db
      .selectFrom('mail_outbox')
      .select((eb) => eb.fn.countAll<number>().as('count'))
      .executeTakeFirstOrThrow();
    const good = testMessage('refused');
    for (const bad of [
      { ...good, to: [] },
      { ...good, to: ['not an address'] },
      { ...good, cc: ['ar101@cam.ac.uk', 'nope'] },
      { ...good, subject: 'Hello\r\nBcc: everyone@example.com' },
    ]) {
      await expect(queueEmail(database.db, bad, jobs.queue)).rejects.toThrow();
    }
    const after = await database.db
      .selectFrom('mail_outbox')
      .select((eb) => eb.fn.countAll<number>().as('count'))
      .executeTakeFirstOrThrow();
    expect(Number(after.count)).toBe(Number(before.count));
  });

  // The same, through the real job queue and its worker: mail-send-job.test.ts.
});
