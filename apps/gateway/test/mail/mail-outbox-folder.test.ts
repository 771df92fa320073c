import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { DatabaseHandle } from '../../src/platform/db/database.ts';
import { renderEmail } from '../../src/platform/mail/email-template.tsx';
import { deliverOutboxEmail, queueEmail } from '../../src/platform/mail/mail.jobs.ts';
import { findOutboxEmail } from '../../src/platform/mail/mail-outbox.repository.ts';
import { createMailTransport, type OutgoingEmail } from '../../src/platform/mail/mail-transport.ts';
import { testMessageEmail } from '../../src/platform/mail/test-message.email.tsx';
import { openTestDatabase } from '../support/test-database.ts';
import { tableRecordingJobQueue } from './table-recording-job-queue.ts';

const FROM = 'Storage Self-Service Gateway <no-reply@storage.example.ac.uk>';

describe('the outbox folder transport (the embedded default)', () => {
  let database: DatabaseHandle;
  let dir: string;

  beforeAll(async () => {
    database = await openTestDatabase(inject('databaseTemplate'));
    dir = await mkdtemp(path.join(tmpdir(), 'ssgw-mail-'));
  });
  afterAll(async () => {
    await database?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('writes each sent email as a whole, parseable .eml file', async () => {
    const mailDir = path.join(dir, 'data', 'mail');
    const transport = createMailTransport({ driver: 'outbox', dir: mailDir, from: FROM });
    expect(transport.kind).toBe('outbox');
    const { queue } = await tableRecordingJobQueue(database.db);
    const message = renderEmail(
      testMessageEmail,
      { serviceName: 'Storage Self-Service Gateway', requestedBy: 'Rosalind Smith', note: 'Tea & <biscuits>' },
      { to: ['ar101@cam.ac.uk', 'bk202@cam.ac.uk'], cc: ['storage-support@example.ac.uk'] },
    );
    const outboxId = await database.db.transaction().execute((trx) => queueEmail(trx, message, queue));

    expect(await deliverOutboxEmail(database.db, outboxId, { transport, from: FROM })).toBe('sent');

    const files = await readdir(mailDir);
    expect(files).toHaveLength(1);
    const [file] = files;
    expect(file).toMatch(/^\d{8}T\d{6}Z-[0-9a-f-]{36}\.eml$/);
    const raw = await readFile(path.join(mailDir, file as string));
    expect(raw.includes('\r\n')).toBe(true);
    const parsed = await simpleParser(raw);
    const row = await findOutboxEmail(database.db, outboxId);
    expect(parsed.messageId).toBe(row?.messageId);
    expect(parsed.subject).toBe('Test message from the Storage Self-Service Gateway');
    const to = Array.isArray(parsed.to) ? parsed.to : [parsed.to];
    expect(to.flatMap((list) => list?.value.map((entry) => entry.address))).toEqual([
      'ar101@cam.ac.uk',
      'bk202@cam.ac.uk',
    ]);
    expect(parsed.cc && !Array.isArray(parsed.cc) ? parsed.cc.text : undefined).toBe('storage-support@example.ac.uk');
    expect(parsed.text).toContain('Note: Tea & <biscuits>');
    expect(parsed.html).toContain('Tea &amp; &lt;biscuits>');
    expect(parsed.date?.toISOString()).toBe(row?.createdAt.toISOString().replace(/\.\d{3}Z$/, '.000Z'));
    await transport.close();
  });

  it('rewrites the same file when a message is sent again, and leaves no temporary files', async () => {
    const mailDir = path.join(dir, 'again');
    const transport = createMailTransport({ driver: 'outbox', dir: mailDir, from: FROM });
    const email: OutgoingEmail = {
      from: FROM,
      to: ['ar101@cam.ac.uk'],
      cc: [],
      subject: 'Sent twice',
      text: 'Only one file for me.',
      messageId: '<5e1b6c1e-0000-4000-8000-000000000001@storage.example.ac.uk>',
      date: new Date('2026-11-27T10:00:00Z'),
    };
    await transport.send(email);
    await transport.send({ ...email, text: 'Only one file for me, the second time.' });
    expect(await readdir(mailDir)).toEqual(['20261127T100000Z-5e1b6c1e-0000-4000-8000-000000000001.eml']);
    const parsed = await simpleParser(
      await readFile(path.join(mailDir, '20261127T100000Z-5e1b6c1e-0000-4000-8000-000000000001.eml')),
    );
    expect(parsed.text?.trim()).toBe('Only one file for me, the second time.');
    expect(parsed.html).toBe(false);
    await transport.close();
  });

  it('refuses an SMTP URL that is not smtp:// or smtps:// without repeating its password', () => {
    expect(() =>
      createMailTransport({ driver: 'smtp', url: 'https://user:hunter2@mail.example.ac.uk', from: FROM }),
    ).toThrow(/must start with smtp:\/\/ or smtps:\/\//);
    try {
      createMailTransport({ driver: 'smtp', url: 'https://user:hunter2@mail.example.ac.uk', from: FROM });
    } catch (error) {
      expect(String(error)).not.toContain('hunter2');
    }
    expect(
      createMailTransport({ driver: 'smtp', url: 'smtps://user:hunter2@mail.example.ac.uk:465', from: FROM }).kind,
    ).toBe('smtp');
  });
});
