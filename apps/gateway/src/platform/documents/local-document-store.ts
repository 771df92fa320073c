import { randomUUID } from 'node:crypto';
import { constants, createWriteStream } from 'node:fs';
import { type FileHandle, lstat, mkdir, open, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import * as z from 'zod';
import {
  assertValidDocumentKey,
  DEFAULT_CONTENT_TYPE,
  DigestingStream,
  type DocumentDownload,
  DocumentNotFoundError,
  type DocumentStore,
  InvalidDocumentKeyError,
  type PutDocumentOptions,
  type StoredDocument,
} from './document-store.ts';

const sidecarSchema = z.object({ contentType: z.string().min(1) });

interface Place {
  directory: string;
  name: string;
}

/**
 * Documents as files under one folder: the embedded default, for laptops, demos and tests. A key
 * `po/2026/x.pdf` is the file `<root>/po/2026/x.pdf`, readable by this user only, with its content
 * type in a hidden `.x.pdf.meta.json` beside it. Writes go to a hidden temporary file that is
 * flushed to disk and then renamed into place, so a reader sees the old document or the new one,
 * never half of one. No link inside the folder is ever followed.
 */
export class LocalDocumentStore implements DocumentStore {
  readonly driver = 'local';
  readonly root: string;
  #rootReady: Promise<unknown> | undefined;

  constructor(root: string) {
    this.root = path.resolve(root);
  }

  async put(key: string, body: Readable | Buffer, options: PutDocumentOptions): Promise<StoredDocument> {
    assertValidDocumentKey(key);
    const place = await this.#place(key, 'create');
    const { directory, name } = place;
    const unique = randomUUID();
    const temporaryBody = path.join(directory, `.${name}.${unique}.tmp`);
    const temporarySidecar = path.join(directory, `.${name}.${unique}.meta.tmp`);
    const digest = new DigestingStream();
    try {
      await pipeline(
        Buffer.isBuffer(body) ? Readable.from([body]) : body,
        digest,
        createWriteStream(temporaryBody, { flags: 'wx', mode: 0o600, flush: true }),
      );
      await writeFile(temporarySidecar, JSON.stringify({ contentType: options.contentType }), {
        flag: 'wx',
        mode: 0o600,
        flush: true,
      });
      // Sidecar first: on an overwrite, a reader in between sees the old bytes with the new type,
      // which is harmless; the bytes themselves are never mixed.
      await rename(temporarySidecar, sidecarPath(place));
      await rename(temporaryBody, path.join(directory, name));
      await syncDirectory(directory);
    } catch (error) {
      await Promise.all([removeIfPresent(temporaryBody), removeIfPresent(temporarySidecar)]);
      throw error;
    }
    return { key, size: digest.bytesPassed, sha256: digest.sha256() };
  }

  async get(key: string): Promise<DocumentDownload> {
    assertValidDocumentKey(key);
    const place = await this.#place(key, 'read');
    if (!place) throw new DocumentNotFoundError(key);
    let handle: FileHandle;
    try {
      handle = await open(path.join(place.directory, place.name), constants.O_RDONLY | constants.O_NOFOLLOW);
    } catch (error) {
      if (errorCode(error) === 'ENOENT') throw new DocumentNotFoundError(key);
      if (errorCode(error) === 'ELOOP')
        throw new InvalidDocumentKeyError(key, 'it names a link, which is not followed');
      throw error;
    }
    try {
      const stats = await handle.stat();
      // A key that names a folder (the `po` in `po/2026/x.pdf`) is not a document.
      if (!stats.isFile()) throw new DocumentNotFoundError(key);
      const contentType = await readContentType(sidecarPath(place));
      return { body: handle.createReadStream(), size: stats.size, contentType };
    } catch (error) {
      await handle.close();
      throw error;
    }
  }

  async delete(key: string): Promise<void> {
    assertValidDocumentKey(key);
    const place = await this.#place(key, 'read');
    if (!place) return;
    await removeIfPresent(path.join(place.directory, place.name));
    await removeIfPresent(sidecarPath(place));
  }

  async exists(key: string): Promise<boolean> {
    assertValidDocumentKey(key);
    const place = await this.#place(key, 'read');
    if (!place) return false;
    try {
      return (await lstat(path.join(place.directory, place.name))).isFile();
    } catch (error) {
      if (errorCode(error) === 'ENOENT') return false;
      throw error;
    }
  }

  async close(): Promise<void> {}

  /**
   * The folder a key's file lives in, walked one part at a time from the root so that a link or a
   * file where a folder should be is refused rather than followed. `read` gives null when a folder
   * on the way does not exist; `create` makes the missing ones.
   */
  async #place(key: string, mode: 'create'): Promise<Place>;
  async #place(key: string, mode: 'read'): Promise<Place | null>;
  async #place(key: string, mode: 'read' | 'create'): Promise<Place | null> {
    this.#rootReady ??= mkdir(this.root, { recursive: true, mode: 0o700 });
    await this.#rootReady;
    const segments = key.split('/');
    const name = segments.pop();
    if (name === undefined) throw new InvalidDocumentKeyError(key, 'it is empty');
    let directory = this.root;
    for (const segment of segments) {
      directory = path.join(directory, segment);
      if (mode === 'create') {
        try {
          await mkdir(directory, { mode: 0o700 });
        } catch (error) {
          if (errorCode(error) !== 'EEXIST') throw error;
        }
      }
      let stats: Awaited<ReturnType<typeof lstat>>;
      try {
        stats = await lstat(directory);
      } catch (error) {
        if (mode === 'read' && errorCode(error) === 'ENOENT') return null;
        throw error;
      }
      if (!stats.isDirectory())
        throw new InvalidDocumentKeyError(key, `"${segment}" in the store is not a folder (a link or a document)`);
    }
    return { directory, name };
  }
}

function sidecarPath(place: Place): string {
  return path.join(place.directory, `.${place.name}.meta.json`);
}

async function readContentType(file: string): Promise<string> {
  try {
    return sidecarSchema.parse(JSON.parse(await readFile(file, 'utf8'))).contentType;
  } catch (error) {
    // A document written by hand, or whose sidecar was lost, is still served, as plain bytes.
    if (errorCode(error) === 'ENOENT') return DEFAULT_CONTENT_TYPE;
    throw error;
  }
}

/** Makes the rename itself durable: without it a crash can forget the new directory entry. */
async function syncDirectory(directory: string): Promise<void> {
  const handle = await open(directory, constants.O_RDONLY);
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function removeIfPresent(file: string): Promise<void> {
  try {
    await unlink(file);
  } catch (error) {
    if (errorCode(error) !== 'ENOENT') throw error;
  }
}

function errorCode(error: unknown): string | undefined {
  return error instanceof Error && 'code' in error && typeof error.code === 'string' ? error.code : undefined;
}
