import { randomBytes, randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DigestingStream,
  DocumentNotFoundError,
  type DocumentStore,
  InvalidDocumentKeyError,
  sha256Hex,
} from '../../src/platform/documents/document-store.ts';

/** A store wired to a running backend, with a way to watch bytes arrive at that backend. */
export interface DocumentStoreUnderTest {
  store: DocumentStore;
  /** How many bytes the backend has taken in so far (files on disk, or request bytes on the wire). */
  bytesReceived(): Promise<number>;
  close(): Promise<void>;
}

const MiB = 1024 * 1024;

/** Keys that must never reach a backend: escapes, absolute paths, hidden names, unsafe characters. */
export const REJECTED_KEYS = [
  '',
  '/etc/passwd',
  '../outside.pdf',
  'po/../../outside.pdf',
  'po/..',
  'po/./x.pdf',
  'po//x.pdf',
  'po/x.pdf/',
  '.hidden.pdf',
  'po/.x.pdf',
  'po/x..pdf',
  'PO/Upper.pdf',
  'po\\x.pdf',
  'C:\\po\\x.pdf',
  '~/x.pdf',
  'po/x y.pdf',
  'po/x%2f.pdf',
  'po/é.pdf',
  'po/x.pdf\u0000',
  'po/x.pdf\n',
  `po/${'a'.repeat(260)}.pdf`,
];

/**
 * What every DocumentStore adapter promises, run against each one with a real backend: a folder,
 * an S3-compatible server, or a server speaking the Cloud Storage JSON API.
 */
export function describeDocumentStoreContract(name: string, open: () => Promise<DocumentStoreUnderTest>): void {
  describe(`${name}: the DocumentStore contract`, () => {
    let subject: DocumentStoreUnderTest;
    const store = (): DocumentStore => subject.store;
    const newKey = (extension = 'pdf'): string => `po/2026/${randomUUID()}.${extension}`;

    beforeAll(async () => {
      subject = await open();
    });
    afterAll(async () => {
      await subject?.close();
    });

    it('round-trips a document with its size, SHA-256 and content type', async () => {
      const key = newKey();
      const bytes = randomBytes(50_000);

      const stored = await store().put(key, bytes, { contentType: 'application/pdf' });

      expect(stored).toEqual({ key, size: bytes.length, sha256: sha256Hex(bytes) });
      const download = await store().get(key);
      expect(download.size).toBe(bytes.length);
      expect(download.contentType).toBe('application/pdf');
      expect(Buffer.compare(await readAll(download.body), bytes)).toBe(0);
    });

    it('streams a large body through: bytes reach the backend before the source ends, the document appears only once complete', async () => {
      const key = newKey();
      const gate = Promise.withResolvers<void>();
      const source = slowSource({ chunks: 128, chunkSize: 64 * 1024, pauseAfterBytes: 6 * MiB, gate: gate.promise });
      const before = await subject.bytesReceived();

      const putting = store().put(key, source.stream, { contentType: 'application/pdf' });
      let arrivedWhilePaused = false;
      let visibleWhilePaused = true;
      try {
        arrivedWhilePaused = await eventually(async () => (await subject.bytesReceived()) - before >= MiB);
        visibleWhilePaused = await store().exists(key);
      } finally {
        gate.resolve();
      }
      const stored = await putting;

      expect(arrivedWhilePaused).toBe(true);
      expect(visibleWhilePaused).toBe(false);
      expect(stored).toEqual({ key, size: 8 * MiB, sha256: source.sha256() });
      const download = await store().get(key);
      expect(download.size).toBe(8 * MiB);
      // Hash the download as it streams rather than holding 8 MB.
      const readBack = new DigestingStream();
      for await (const _chunk of download.body.pipe(readBack));
      expect(readBack.sha256()).toBe(source.sha256());
    });

    it('replaces a document put again under the same key', async () => {
      const key = newKey();
      await store().put(key, randomBytes(20_000), { contentType: 'application/pdf' });
      const replacement = Buffer.from('the corrected purchase order');

      const stored = await store().put(key, Readable.from([replacement]), { contentType: 'text/plain' });

      expect(stored).toEqual({ key, size: replacement.length, sha256: sha256Hex(replacement) });
      const download = await store().get(key);
      expect(download.contentType).toBe('text/plain');
      expect(download.size).toBe(replacement.length);
      expect((await readAll(download.body)).toString()).toBe('the corrected purchase order');
    });

    it('stores an empty document', async () => {
      const key = newKey('txt');
      const stored = await store().put(key, Buffer.alloc(0), { contentType: 'text/plain' });
      expect(stored).toEqual({ key, size: 0, sha256: sha256Hex(Buffer.alloc(0)) });
      const download = await store().get(key);
      expect(download.size).toBe(0);
      expect((await readAll(download.body)).length).toBe(0);
    });

    it('deletes a document, and deleting it again is not an error', async () => {
      const key = newKey();
      await store().put(key, Buffer.from('%PDF-1.7 to be deleted'), { contentType: 'application/pdf' });

      await store().delete(key);
      await store().delete(key);

      expect(await store().exists(key)).toBe(false);
      await expect(store().get(key)).rejects.toBeInstanceOf(DocumentNotFoundError);
    });

    it('says whether a document exists, and a folder-like prefix of a key is not one', async () => {
      const key = newKey();
      expect(await store().exists(key)).toBe(false);
      await store().put(key, Buffer.from('%PDF-1.7'), { contentType: 'application/pdf' });
      expect(await store().exists(key)).toBe(true);
      expect(await store().exists('po/2026')).toBe(false);
    });

    it('fails to get a missing document with DocumentNotFoundError naming the key', async () => {
      const key = newKey();
      const failure = await store()
        .get(key)
        .then(
          () => undefined,
          (error: unknown) => error,
        );
      expect(failure).toBeInstanceOf(DocumentNotFoundError);
      expect(failure).toMatchObject({ key });
      await expect(store().get('po/2026')).rejects.toBeInstanceOf(DocumentNotFoundError);
    });

    it('leaves nothing behind when the body fails part-way, even after several MB', async () => {
      for (const failAfterBytes of [64 * 1024, 6 * MiB]) {
        const key = newKey();
        const body = Readable.from(
          (async function* () {
            for (let sent = 0; sent < failAfterBytes; sent += 64 * 1024) yield randomBytes(64 * 1024);
            throw new Error('the browser went away');
          })(),
        );
        await expect(store().put(key, body, { contentType: 'application/pdf' })).rejects.toThrow();
        expect(await store().exists(key)).toBe(false);
      }
    });

    it('refuses keys that are unsafe or could leave the store, before touching the backend', async () => {
      const before = await subject.bytesReceived();
      for (const key of REJECTED_KEYS) {
        await expect(store().put(key, Buffer.from('x'), { contentType: 'text/plain' }), key).rejects.toBeInstanceOf(
          InvalidDocumentKeyError,
        );
        await expect(store().get(key), key).rejects.toBeInstanceOf(InvalidDocumentKeyError);
        await expect(store().exists(key), key).rejects.toBeInstanceOf(InvalidDocumentKeyError);
        await expect(store().delete(key), key).rejects.toBeInstanceOf(InvalidDocumentKeyError);
      }
      expect(await subject.bytesReceived()).toBe(before);
    });
  });
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks);
}

/** A body that stops after `pauseAfterBytes` until `gate` opens, like a slow upload from a browser. */
function slowSource(options: { chunks: number; chunkSize: number; pauseAfterBytes: number; gate: Promise<void> }): {
  stream: Readable;
  sha256(): string;
} {
  const produced = new DigestingStream();
  const stream = Readable.from(
    (async function* () {
      for (let index = 0; index < options.chunks; index++) {
        if (index * options.chunkSize === options.pauseAfterBytes) await options.gate;
        yield randomBytes(options.chunkSize);
      }
    })(),
  ).pipe(produced);
  return { stream, sha256: () => produced.sha256() };
}

/** Polls until `condition` holds, for up to `timeoutMs`; says whether it ever did. */
async function eventually(condition: () => Promise<boolean>, timeoutMs = 10_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await condition()) return true;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return false;
}
