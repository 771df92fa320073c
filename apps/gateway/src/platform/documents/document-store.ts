import { createHash } from 'node:crypto';
import { type Readable, Transform, type TransformCallback } from 'node:stream';

/**
 * Where the gateway keeps uploaded documents (purchase-order PDFs and the like). Callers choose
 * the keys (e.g. `po/2026/<uuid>.pdf`) and keep each document's key, size and SHA-256 in their own
 * table; the store only holds the bytes and their content type.
 */
export interface DocumentStore {
  readonly driver: 'local' | 'gcs' | 's3';
  /** Stores the body under `key`, replacing any document already there; the hash is taken while streaming. */
  put(key: string, body: Readable | Buffer, options: PutDocumentOptions): Promise<StoredDocument>;
  /** Opens a stored document for reading; throws `DocumentNotFoundError` when there is none. */
  get(key: string): Promise<DocumentDownload>;
  /** Removes the document; removing one that is not there is not an error. */
  delete(key: string): Promise<void>;
  exists(key: string): Promise<boolean>;
  /** Releases connections; the store is not used afterwards. */
  close(): Promise<void>;
}

export interface PutDocumentOptions {
  contentType: string;
}

export interface StoredDocument {
  key: string;
  /** Bytes stored. */
  size: number;
  /** Lower-case hex SHA-256 of the bytes stored. */
  sha256: string;
}

export interface DocumentDownload {
  body: Readable;
  size: number;
  contentType: string;
}

export class DocumentNotFoundError extends Error {
  constructor(readonly key: string) {
    super(`No document is stored under the key "${key}".`);
    this.name = 'DocumentNotFoundError';
  }
}

export class InvalidDocumentKeyError extends Error {
  constructor(
    readonly key: string,
    readonly reason: string,
  ) {
    super(`"${key}" is not a valid document key: ${reason}.`);
    this.name = 'InvalidDocumentKeyError';
  }
}

export const MAX_DOCUMENT_KEY_LENGTH = 256;

/**
 * Lower case only, so that two keys never name one file on a case-insensitive disk; a segment may
 * not start with a dot, so no key is `.`, `..`, or the local store's hidden temporary files.
 */
const KEY_SEGMENT = /^[a-z0-9][a-z0-9._-]*$/;

/** Throws `InvalidDocumentKeyError` unless `key` is a relative path of safe segments, e.g. `po/2026/x.pdf`. */
export function assertValidDocumentKey(key: string): void {
  if (typeof key !== 'string' || key.length === 0) throw new InvalidDocumentKeyError(String(key), 'it is empty');
  if (key.length > MAX_DOCUMENT_KEY_LENGTH)
    throw new InvalidDocumentKeyError(key, `it is longer than ${MAX_DOCUMENT_KEY_LENGTH} characters`);
  if (key.includes('..')) throw new InvalidDocumentKeyError(key, 'it contains ".."');
  for (const segment of key.split('/')) {
    if (!KEY_SEGMENT.test(segment))
      throw new InvalidDocumentKeyError(
        key,
        'each part between slashes must be lower-case letters, digits, ".", "_" or "-", starting with a letter or digit',
      );
  }
}

/** Passes bytes through unchanged, counting them and taking their SHA-256 on the way. */
export class DigestingStream extends Transform {
  readonly #hash = createHash('sha256');
  #bytesPassed = 0;
  #sha256: string | undefined;

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.#hash.update(chunk);
    this.#bytesPassed += chunk.length;
    callback(null, chunk);
  }

  /** Not called `size`: the S3 SDK reads a body's `size` as its total length. */
  get bytesPassed(): number {
    return this.#bytesPassed;
  }

  /** The hex digest of everything that passed; call once the stream has ended. */
  sha256(): string {
    this.#sha256 ??= this.#hash.digest('hex');
    return this.#sha256;
  }
}

export function sha256Hex(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export const DEFAULT_CONTENT_TYPE = 'application/octet-stream';
