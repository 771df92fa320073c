import { describe, expect, it } from 'vitest';
import { renderEmail } from './email-template.tsx';
import { describeSendError, newMessageId } from './mail.jobs.ts';
import { outboxFileName } from './mail-transport.ts';
import { noticeEmail } from './notice-email.tsx';
import { testMessageEmail } from './test-message.email.tsx';

describe('email templates', () => {
  const props = {
    serviceName: 'Storage Self-Service Gateway',
    requestedBy: 'Rosalind Smith',
    note: 'A <b>bold</b> & "odd" note',
  };

  it('renders both parts from one set of props, escaping the HTML and naming the template', () => {
    const email = renderEmail(testMessageEmail, props, { to: 'ar101@cam.ac.uk', cc: ['bk202@cam.ac.uk'] });
    expect(email).toMatchObject({
      template: 'test-message',
      to: ['ar101@cam.ac.uk'],
      cc: ['bk202@cam.ac.uk'],
      subject: 'Test message from the Storage Self-Service Gateway',
    });
    expect(email.text).toContain('Note: A <b>bold</b> & "odd" note');
    expect(email.html.startsWith('<!doctype html><html lang="en-GB">')).toBe(true);
    expect(email.html).toContain('A &lt;b>bold&lt;/b> &amp; &quot;odd&quot; note');
    expect(email.html).not.toContain('<b>bold');
  });

  it('leaves out what has no value, in both parts', () => {
    const email = renderEmail(testMessageEmail, { ...props, note: undefined }, { to: 'ar101@cam.ac.uk' });
    expect(email.cc).toEqual([]);
    expect(email.text).not.toContain('Note:');
    expect(email.html).not.toContain('Note:');
  });

  it('refuses a subject that would break onto a second header line', () => {
    expect(() =>
      renderEmail(testMessageEmail, { ...props, serviceName: 'Gateway\r\nBcc: everyone@example.com' }, { to: 'a@b.c' }),
    ).toThrow(/one line/);
  });
});

// An editor read "…has left the University.: http://…": a line that is a sentence has its link after it.
describe('notice emails', () => {
  const notice = noticeEmail<{
    serviceName: string;
    contactEmail: string;
    headline: string;
    paragraphs: string[];
    lines: string[];
  }>(
    'notice-test',
    (props) =>
      props.lines.map((line, index) => ({ url: `https://x.test/${index}/`, textLabel: line, htmlLabel: line })),
    { list: true },
  );

  it('puts a link after its label with a colon, never after a full stop or other closing punctuation', () => {
    const email = renderEmail(
      notice,
      {
        serviceName: 'Gateway',
        contactEmail: 'help@x.test',
        headline: 'Links',
        paragraphs: [],
        lines: ['See the order', 'Lee Leaver (lj909), Data Manager, has left the University.', 'Is it yours?', 'Here:'],
      },
      { to: 'a@b.c' },
    );
    expect(email.text).toContain('- See the order: https://x.test/0/');
    expect(email.text).toContain('- Lee Leaver (lj909), Data Manager, has left the University. https://x.test/1/');
    expect(email.text).toContain('- Is it yours? https://x.test/2/');
    expect(email.text).toContain('- Here: https://x.test/3/');
    expect(email.text).not.toMatch(/[.?!:]:/);
  });
});

describe('message ids, outbox file names and error descriptions', () => {
  it('makes a unique Message-ID in the sender’s domain', () => {
    const first = newMessageId('Storage Gateway <no-reply@storage.example.ac.uk>');
    expect(first).toMatch(/^<[0-9a-f-]{36}@storage\.example\.ac\.uk>$/);
    expect(newMessageId('no-reply@storage.example.ac.uk')).not.toBe(first);
    expect(newMessageId('nobody')).toMatch(/@storage-gateway\.invalid>$/);
  });

  it('names an outbox file by its date and Message-ID, with nothing a file system could trip on', () => {
    expect(outboxFileName({ messageId: '<a/b\\c..d@example.ac.uk>', date: new Date('2026-02-03T04:05:06.789Z') })).toBe(
      '20260203T040506Z-a_b_c__d.eml',
    );
  });

  it('describes a failure with its code and SMTP reply, never a password, and never at length', () => {
    const smtpError = Object.assign(new Error('Message failed: 451 Try again later'), {
      code: 'EMESSAGE',
      responseCode: 451,
    });
    expect(describeSendError(smtpError)).toBe('EMESSAGE 451 Message failed: 451 Try again later');
    expect(describeSendError(new Error('cannot reach smtps://user:hunter2@mail.example.ac.uk:465'))).toBe(
      'cannot reach smtps://***@mail.example.ac.uk:465',
    );
    expect(describeSendError('x'.repeat(5000))).toHaveLength(2000);
  });
});
