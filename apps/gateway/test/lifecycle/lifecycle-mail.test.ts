import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queueEmails, SEND_BATCH_SIZE, sendEmailsHandler } from '../../src/modules/lifecycle/lifecycle-mail.ts';
import type { Executor } from '../../src/platform/db/database.ts';
import type { JobQueue, JobType } from '../../src/platform/jobs/jobs.ts';
import type { RenderedEmail } from '../../src/platform/mail/email-template.tsx';
import type { OutgoingEmail } from '../../src/platform/mail/mail-transport.ts';
import { startTestApp, type TestApp } from '../support/test-app.ts';

/** The nightly job's emails: one outbox INSERT per chunk, one send-emails job per batch of ids. */
describe('batched lifecycle emails', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  function recordingQueue() {
    const enqueued: { job: string; payload: unknown; singletonKey?: string }[] = [];
    const queue: JobQueue = {
      async enqueue<P>(_executor: Executor, type: JobType<P>, payload: P, options?: { singletonKey?: string }) {
        enqueued.push({ job: type.name, payload, singletonKey: options?.singletonKey });
      },
    };
    return { queue, enqueued };
  }

  const email = (n: number): RenderedEmail => ({
    template: 'licence-reminder',
    to: [`person${n}@example.ac.uk`],
    cc: n === 1 ? ['copy@example.ac.uk'] : [],
    subject: `Subject ${n}`,
    text: `Text ${n} – “quotes” and 'apostrophes'`,
    html: `<p>HTML ${n}</p>`,
  });

  it('writes every email to the outbox as it was rendered, and enqueues one job per batch of ids', async () => {
    const { queue, enqueued } = recordingQueue();
    const messages = Array.from({ length: SEND_BATCH_SIZE + 5 }, (_, i) => email(i + 1));
    const count = await t.database.db.transaction().execute((tx) => queueEmails(tx, messages, queue));
    expect(count).toBe(SEND_BATCH_SIZE + 5);
    const rows = await t.database.db
      .selectFrom('mail_outbox')
      .select(['id', 'template', 'to_addresses', 'cc_addresses', 'subject', 'text_body', 'html_body', 'status'])
      .orderBy('id')
      .execute();
    expect(rows).toHaveLength(SEND_BATCH_SIZE + 5);
    expect(rows[0]).toMatchObject({
      template: 'licence-reminder',
      to_addresses: ['person1@example.ac.uk'],
      cc_addresses: ['copy@example.ac.uk'],
      subject: 'Subject 1',
      text_body: `Text 1 – “quotes” and 'apostrophes'`,
      html_body: '<p>HTML 1</p>',
      status: 'pending',
    });
    expect(new Set(rows.map((row) => row.subject)).size).toBe(SEND_BATCH_SIZE + 5);
    expect(enqueued.map((job) => job.job)).toEqual(['send-emails', 'send-emails']);
    const batches = enqueued.map((job) => (job.payload as { outboxIds: number[] }).outboxIds);
    expect(batches.flat()).toEqual(rows.map((row) => row.id));
    expect(batches.map((batch) => batch.length)).toEqual([SEND_BATCH_SIZE, 5]);
  });

  it('sends each email of a batch; one that fails goes to its own send-email job and the rest still go', async () => {
    const { queue } = recordingQueue();
    const ids = await t.database.db.transaction().execute(async (tx) => {
      await queueEmails(tx, [email(1001), email(1002), email(1003)], queue);
      const rows = await tx.selectFrom('mail_outbox').select('id').orderBy('id', 'desc').limit(3).execute();
      return rows.map((row) => row.id).reverse();
    });
    const delivered: OutgoingEmail[] = [];
    const handler = sendEmailsHandler({
      from: 'Gateway <no-reply@example.ac.uk>',
      transport: {
        kind: 'smtp',
        async send(outgoing) {
          if (outgoing.to.includes('person1002@example.ac.uk')) throw new Error('550 mailbox unavailable');
          delivered.push(outgoing);
          return { messageId: outgoing.messageId, detail: '250 OK' };
        },
        async close() {},
      },
    });
    const retries = recordingQueue();
    await handler.handle(
      { outboxIds: ids },
      { db: t.database.db, clock: t.clock, log: pino({ level: 'silent' }), queue: retries.queue, jobId: 'test' },
    );
    expect(delivered.map((outgoing) => outgoing.to)).toEqual([
      ['person1001@example.ac.uk'],
      ['person1003@example.ac.uk'],
    ]);
    expect(retries.enqueued).toEqual([
      { job: 'send-email', payload: { outboxId: ids[1] }, singletonKey: `send-email-${ids[1]}` },
    ]);
    const statuses = await t.database.db
      .selectFrom('mail_outbox')
      .select(['id', 'status'])
      .where('id', 'in', ids)
      .orderBy('id')
      .execute();
    expect(statuses.map((row) => row.status)).toEqual(['sent', 'failed', 'sent']);
  });
});
