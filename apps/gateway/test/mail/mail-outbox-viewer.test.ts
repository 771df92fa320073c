import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderEmail } from '../../src/platform/mail/email-template.tsx';
import { sendEmailHandler } from '../../src/platform/mail/mail.jobs.ts';
import { insertOutboxEmail } from '../../src/platform/mail/mail-outbox.repository.ts';
import { OUTBOX_PAGE_SIZE } from '../../src/platform/mail/mail-outbox.routes.tsx';
import { outboxFolderTransport } from '../../src/platform/mail/mail-transport.ts';
import { testMessageEmail } from '../../src/platform/mail/test-message.email.tsx';
import { Browser, startTestApp, type TestApp } from '../support/test-app.ts';

describe('the mail outbox viewer (embedded default)', () => {
  let t: TestApp;
  let hostileId: number;
  let plainId: number;
  let mailDir: string;

  beforeAll(async () => {
    mailDir = await mkdtemp(path.join(tmpdir(), 'ssgw-viewer-mail-'));
    // The send-email queue must exist for the test-email form to enqueue into it.
    const sender = { transport: outboxFolderTransport(mailDir), from: 'Gateway <no-reply@storage.example.ac.uk>' };
    t = await startTestApp({ jobRegistry: { handlers: [sendEmailHandler(sender)], schedules: [] } });
    // Enough mail for a second page; the newest two are the ones the tests read.
    for (let n = 1; n <= OUTBOX_PAGE_SIZE; n++) {
      await insertOutboxEmail(t.database.db, {
        template: 'test-message',
        to: [`person${n}@cam.ac.uk`],
        cc: [],
        subject: `Filler message ${n}`,
        text: `Filler ${n}`,
      });
    }
    plainId = await insertOutboxEmail(t.database.db, {
      template: 'plain-only',
      to: ['plain@cam.ac.uk'],
      cc: [],
      subject: 'Plain text only',
      text: 'No HTML here.',
    });
    const hostile = renderEmail(
      testMessageEmail,
      {
        serviceName: 'Storage Self-Service Gateway',
        requestedBy: '<img src=x onerror=alert(1)>',
        note: '<script>alert("note")</script>',
      },
      { to: ['ar101@cam.ac.uk', 'bk202@cam.ac.uk'], cc: 'storage-support@example.ac.uk' },
    );
    hostileId = await insertOutboxEmail(t.database.db, {
      ...hostile,
      subject: 'Your <b>order</b> & "quote"',
      // Markup the way a careless template might write it: the viewer must not run it.
      html: '<p>Hello</p><script>alert("html part")</script>',
    });
  });
  afterAll(async () => {
    await t?.close();
    if (mailDir) await rm(mailDir, { recursive: true, force: true });
  });

  it('lists emails newest first with recipients, subject, status and when, in pages', async () => {
    const browser = new Browser(t.app);
    const page = await browser.get('/dev/mail/');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<h1>Mail outbox</h1>');
    expect(page.body).toContain('<caption>Emails, newest first</caption>');
    const rows = page.body.split('<tbody>')[1]?.split('<tr>').slice(1) ?? [];
    expect(rows).toHaveLength(OUTBOX_PAGE_SIZE);
    expect(rows[0]).toContain(`href="/dev/mail/${hostileId}"`);
    expect(rows[0]).toContain('Your &lt;b>order&lt;/b> &amp; &quot;quote&quot;');
    expect(rows[0]).toContain('ar101@cam.ac.uk, bk202@cam.ac.uk');
    expect(rows[0]).toContain('Pending');
    expect(rows[0]).toMatch(/<time dateTime="\d{4}-\d\d-\d\dT[^"]+Z">/i);
    expect(rows[1]).toContain('Plain text only');
    expect(page.body).toContain('href="/dev/mail/?page=2"');
    expect(page.body).not.toContain('Newer emails');

    const second = await browser.get('/dev/mail/?page=2');
    expect(second.statusCode).toBe(200);
    expect(second.body).toContain('Filler message 1<');
    expect(second.body).toContain('Newer emails');
    expect(second.body).not.toContain('Older emails');

    expect((await browser.get('/dev/mail/?page=zero')).statusCode).toBe(400);
  });

  it('shows one email: its headers, its text part, and its HTML part escaped and sandboxed', async () => {
    const page = await t.app.inject(`/dev/mail/${hostileId}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<h1>Your &lt;b>order&lt;/b> &amp; &quot;quote&quot;</h1>');
    expect(page.body).toContain('ar101@cam.ac.uk, bk202@cam.ac.uk');
    expect(page.body).toContain('storage-support@example.ac.uk');
    expect(page.body).toContain('test-message');
    expect(page.body).toContain('not yet assigned');
    // The text part, escaped.
    expect(page.body).toContain('Note: &lt;script>alert(&quot;note&quot;)&lt;/script>');
    expect(page.body).toContain('at the request of &lt;img src=x onerror=alert(1)>');
    // The HTML part, as escaped source and in a sandboxed frame.
    expect(page.body).toContain('&lt;script>alert(&quot;html part&quot;)&lt;/script>');
    const frame = page.body.slice(page.body.indexOf('<iframe'), page.body.indexOf('</iframe>'));
    expect(frame).toContain(`src="/dev/mail/${hostileId}/html"`);
    // An empty sandbox: no scripts, no forms, no same-origin access.
    expect(frame).toMatch(/\ssandbox(\s|="")/);
    expect(page.body).not.toContain('<script>');
    expect(page.body).not.toContain('<img src=x');
    expect(String(page.headers['content-security-policy'])).toContain("script-src 'self'");
  });

  it('serves the HTML part only under a policy that runs no script and loads nothing', async () => {
    const html = await t.app.inject(`/dev/mail/${hostileId}/html`);
    expect(html.statusCode).toBe(200);
    expect(html.headers['content-type']).toBe('text/html; charset=utf-8');
    const csp = String(html.headers['content-security-policy']);
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain('sandbox');
    expect(csp).not.toContain('script-src');
    expect(csp).toContain("frame-ancestors 'self'");
    expect(html.headers['x-content-type-options']).toBe('nosniff');
    expect(html.body).toBe('<p>Hello</p><script>alert("html part")</script>');
  });

  it('says when an email has no HTML part, and answers an unknown email with a 404 page', async () => {
    const plain = await t.app.inject(`/dev/mail/${plainId}`);
    expect(plain.body).toContain('This email has no HTML part.');
    expect(plain.body).not.toContain('<iframe');
    expect((await t.app.inject(`/dev/mail/${plainId}/html`)).statusCode).toBe(404);

    for (const url of ['/dev/mail/99999999', '/dev/mail/abc', '/dev/mail/99999999/html']) {
      const missing = await t.app.inject(url);
      expect(missing.statusCode, url).toBe(404);
      expect(missing.body).toContain('There is no such email in the outbox.');
    }
  });

  it('lets a signed-in person send themselves a test email through the outbox', async () => {
    const anonymous = await t.app.inject('/dev/mail/');
    expect(anonymous.body).toContain('to send yourself a test email');
    expect(anonymous.body).not.toContain('action="/dev/mail/test"');

    const browser = new Browser(t.app);
    await browser.signInAs('ar101');
    const csrf = await browser.csrfFrom('/dev/mail/');
    const sent = await browser.post('/dev/mail/test', { _csrf: csrf, note: 'Checking <mail> works' });
    expect(sent.statusCode).toBe(303);
    const location = String(sent.headers.location);
    expect(location).toMatch(/^\/dev\/mail\/\d+$/);

    const page = await browser.get(location);
    expect(page.body).toContain('A test email to ar101@cam.ac.uk is in the outbox.');
    expect(page.body).toContain('<dd>ar101@cam.ac.uk</dd>');
    expect(page.body).toContain('Pending');
    expect(page.body).toContain('at the request of Alice Researcher.');
    expect(page.body).toContain('Note: Checking &lt;mail> works');
  });

  it('shows a note that is too long as an error next to its field, and queues nothing', async () => {
    const browser = new Browser(t.app);
    await browser.signInAs('ar101');
    const before = (await browser.get('/dev/mail/')).body.match(/href="\/dev\/mail\/(\d+)"/)?.[1];
    const csrf = await browser.csrfFrom('/dev/mail/');
    const refused = await browser.post('/dev/mail/test', { _csrf: csrf, note: 'x'.repeat(201) });
    expect(refused.statusCode).toBe(400);
    expect(refused.body).toContain('There is a problem');
    expect(refused.body).toContain('<a href="#note">Keep the note to 200 characters or fewer</a>');
    expect(refused.body).toContain('id="note-error"');
    expect(refused.body).toContain('aria-invalid="true"');
    expect(refused.body).toContain(`value="${'x'.repeat(201)}"`);
    const after = (await browser.get('/dev/mail/')).body.match(/href="\/dev\/mail\/(\d+)"/)?.[1];
    expect(after).toBe(before);

    const noToken = await browser.post('/dev/mail/test', { note: 'forged' });
    expect(noToken.statusCode).toBe(403);
  });

  it('is linked from the footer in the embedded default', async () => {
    expect((await t.app.inject('/')).body).toContain('href="/dev/mail/"');
  });
});

describe('the mail outbox viewer with dev tools off', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ env: { DEV_SIGN_IN: 'false' } });
  });
  afterAll(() => t?.close());

  it('does not exist, even though mail still goes to the outbox folder', async () => {
    expect(t.config.mail.driver).toBe('outbox');
    const id = await insertOutboxEmail(t.database.db, {
      template: 'test-message',
      to: ['ar101@cam.ac.uk'],
      cc: [],
      subject: 'Private',
      text: 'Not for the web.',
      html: '<p>Not for the web.</p>',
    });
    for (const url of ['/dev/mail/', `/dev/mail/${id}`, `/dev/mail/${id}/html`]) {
      const response = await t.app.inject(url);
      expect(response.statusCode, url).toBe(404);
      expect(response.body).not.toContain('Not for the web.');
    }
    const post = await t.app.inject({ method: 'POST', url: '/dev/mail/test', payload: {} });
    expect([403, 404]).toContain(post.statusCode);
    expect((await t.app.inject('/')).body).not.toContain('href="/dev/mail/"');
  });
});

describe('the mail outbox viewer in a process without the send-email job', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ jobRegistry: { handlers: [], schedules: [] } });
  });
  afterAll(() => t?.close());

  it('offers no test email, and refuses one, rather than enqueue into a queue that does not exist', async () => {
    const browser = new Browser(t.app);
    await browser.signInAs('ar101');
    const page = await browser.get('/dev/mail/');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('has no send-email handler');
    expect(page.body).not.toContain('action="/dev/mail/test"');

    const csrf = await browser.csrfFrom('/dev/mail/');
    const refused = await browser.post('/dev/mail/test', { _csrf: csrf, note: 'nowhere to go' });
    expect(refused.statusCode).toBe(503);
    const rows = await t.database.db.selectFrom('mail_outbox').select('id').execute();
    expect(rows).toEqual([]);
  });
});
