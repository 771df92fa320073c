import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import type { SendMailOptions, Transporter } from 'nodemailer';
import type { Config } from '../config.ts';

/** One email as a transport sends it: everything fixed, including its Message-ID and Date. */
export interface OutgoingEmail {
  from: string;
  to: string[];
  cc: string[];
  subject: string;
  text: string;
  html?: string;
  /** `<unique@domain>`, the same on every attempt, so a receiver can drop a repeat. */
  messageId: string;
  /** When the message was written to the outbox: the moment it was ready to go. */
  date: Date;
}

export interface DeliveryReceipt {
  messageId: string;
  /** What the far end said (the SMTP server's reply, or the file written), for the logs. */
  detail: string;
}

/** How an email leaves the gateway: SMTP in a deployment, a folder of .eml files by default. */
export interface MailTransport {
  readonly kind: Config['mail']['driver'];
  send(email: OutgoingEmail): Promise<DeliveryReceipt>;
  close(): Promise<void>;
}

export function createMailTransport(mail: Config['mail']): MailTransport {
  return mail.driver === 'smtp' ? smtpTransport(mail.url) : outboxFolderTransport(mail.dir);
}

/**
 * nodemailer's transporter, made on the first message: its ~0.25 MB of JavaScript is loaded then,
 * not at every process's start (a web process sends no mail itself). close() closes one made.
 */
function onFirstMessage(options: Parameters<typeof import('nodemailer').createTransport>[0]) {
  let made: Promise<Transporter> | undefined;
  return {
    get: () => {
      made ??= import('nodemailer').then((nodemailer) => nodemailer.default.createTransport(options));
      return made;
    },
    close: async () => (await made)?.close(),
  };
}

/** The same message text whichever transport carries it. */
function composeOptions(email: OutgoingEmail): SendMailOptions {
  return {
    from: email.from,
    to: email.to,
    cc: email.cc.length > 0 ? email.cc : undefined,
    subject: email.subject,
    text: email.text,
    html: email.html,
    messageId: email.messageId,
    date: email.date,
    // RFC 3834: out-of-office robots must not answer a machine.
    headers: { 'Auto-Submitted': 'auto-generated' },
    // The message is built from our own strings only: never let it read a file or fetch a URL.
    disableFileAccess: true,
    disableUrlAccess: true,
  };
}

/**
 * SMTP through nodemailer: `smtp://host:port` (STARTTLS when offered), `smtps://user:pass@host:465`.
 * One connection per message keeps a worker simple; timeouts are short so a dead server fails a
 * job quickly and the queue's backoff takes over.
 */
export function smtpTransport(url: string): MailTransport {
  assertSmtpUrl(url);
  const transporter = onFirstMessage({
    url,
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 30_000,
    logger: false,
  });
  return {
    kind: 'smtp',
    async send(email) {
      const info = await (await transporter.get()).sendMail(composeOptions(email));
      return { messageId: info.messageId, detail: String(info.response ?? '') };
    },
    close: transporter.close,
  };
}

function assertSmtpUrl(url: string): void {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error('SMTP_URL is not a URL: expected smtp://host:port or smtps://user:password@host:port');
  }
  if (parsed.protocol !== 'smtp:' && parsed.protocol !== 'smtps:') {
    // Name the protocol only: the URL itself may carry a password.
    throw new Error(`SMTP_URL must start with smtp:// or smtps://, not ${parsed.protocol}//`);
  }
}

/**
 * The embedded default: each message becomes an RFC 5322 .eml file in `dir`, which any mail
 * client opens. The file appears whole or not at all (written aside, synced, then renamed), and
 * its name comes from the message's date and Message-ID, so a retry rewrites the same file.
 */
export function outboxFolderTransport(dir: string): MailTransport {
  const composer = onFirstMessage({ streamTransport: true, buffer: true, newline: 'windows' });
  return {
    kind: 'outbox',
    async send(email) {
      const info = await (await composer.get()).sendMail(composeOptions(email));
      if (!Buffer.isBuffer(info.message)) throw new Error('the stream transport did not return a buffer');
      await mkdir(dir, { recursive: true });
      const file = path.join(dir, outboxFileName(email));
      await writeFileAtomically(file, info.message);
      return { messageId: info.messageId, detail: `written to ${file}` };
    },
    close: composer.close,
  };
}

/** `20261127T100000Z-<message id's local part>.eml`: sorts by time, safe on every file system. */
export function outboxFileName(email: Pick<OutgoingEmail, 'messageId' | 'date'>): string {
  const stamp = email.date
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z')
    .replace(/[-:]/g, '');
  const localPart = email.messageId.replace(/^<|>$/g, '').split('@')[0] ?? 'message';
  return `${stamp}-${localPart.replace(/[^A-Za-z0-9_-]/g, '_')}.eml`;
}

async function writeFileAtomically(file: string, content: Buffer): Promise<void> {
  const temporary = path.join(path.dirname(file), `.${path.basename(file)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    const handle = await open(temporary, 'wx', 0o640);
    try {
      await handle.writeFile(content);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temporary, file);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}
