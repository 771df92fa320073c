import type { AddressInfo } from 'node:net';
import { type ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface ReceivedEmail {
  /** The SMTP envelope: who the client said it was from and to, which Bcc/Cc delivery relies on. */
  mailFrom: string | undefined;
  rcptTo: string[];
  parsed: ParsedMail;
}

/** A real SMTP server on a random local port, keeping what it receives and failing on request. */
export interface TestSmtpServer {
  port: number;
  url: string;
  received: ReceivedEmail[];
  /** Answer the next `count` messages' DATA with this SMTP reply instead of accepting them. */
  rejectNext(reply: { code: number; message: string }, count?: number): void;
  stop(): Promise<void>;
}

export async function startSmtpServer(port = 0): Promise<TestSmtpServer> {
  const received: ReceivedEmail[] = [];
  const rejections: Array<{ code: number; message: string }> = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    // Stopping should not wait for idle clients.
    closeTimeout: 100,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const rejection = rejections.shift();
        if (rejection) {
          callback(Object.assign(new Error(rejection.message), { responseCode: rejection.code }));
          return;
        }
        simpleParser(Buffer.concat(chunks)).then(
          (parsed) => {
            received.push({
              mailFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : undefined,
              rcptTo: session.envelope.rcptTo.map((recipient) => recipient.address),
              parsed,
            });
            callback(null, 'Message accepted');
          },
          (error: Error) => callback(error),
        );
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const actualPort = (server.server.address() as AddressInfo).port;
  return {
    port: actualPort,
    url: `smtp://127.0.0.1:${actualPort}`,
    received,
    rejectNext(reply, count = 1) {
      for (let i = 0; i < count; i++) rejections.push(reply);
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
