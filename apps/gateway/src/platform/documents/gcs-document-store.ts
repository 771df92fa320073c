import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ApiError, type Bucket, type FileMetadata, Storage } from '@google-cloud/storage';
import {
  assertValidDocumentKey,
  DEFAULT_CONTENT_TYPE,
  DigestingStream,
  type DocumentDownload,
  DocumentNotFoundError,
  type DocumentStore,
  type PutDocumentOptions,
  type StoredDocument,
} from './document-store.ts';

export interface GcsDocumentStoreOptions {
  bucket: string;
  /**
   * An emulator's address instead of Google's. The SDK sends no credentials to a custom endpoint,
   * so this is for emulators and tests only; deployments leave it unset and use Application
   * Default Credentials (the Cloud Run service account).
   */
  apiEndpoint?: string;
}

/** Documents as objects in one Google Cloud Storage bucket, through the official SDK. */
export class GcsDocumentStore implements DocumentStore {
  readonly driver = 'gcs';
  readonly #bucket: Bucket;

  constructor(options: GcsDocumentStoreOptions) {
    const storage = new Storage(options.apiEndpoint ? { apiEndpoint: options.apiEndpoint } : {});
    this.#bucket = storage.bucket(options.bucket);
  }

  async put(key: string, body: Readable | Buffer, options: PutDocumentOptions): Promise<StoredDocument> {
    assertValidDocumentKey(key);
    const digest = new DigestingStream();
    await pipeline(
      Buffer.isBuffer(body) ? Readable.from([body]) : body,
      digest,
      // One request rather than a resumable session: documents are a few MB at most, and the SDK
      // still checks the CRC32C the bucket reports against the bytes it sent.
      this.#bucket.file(key).createWriteStream({
        resumable: false,
        validation: 'crc32c',
        contentType: options.contentType,
        metadata: { contentType: options.contentType },
      }),
    );
    return { key, size: digest.bytesPassed, sha256: digest.sha256() };
  }

  async get(key: string): Promise<DocumentDownload> {
    assertValidDocumentKey(key);
    let metadata: FileMetadata;
    try {
      [metadata] = await this.#bucket.file(key).getMetadata();
    } catch (error) {
      if (isNotFound(error)) throw new DocumentNotFoundError(key);
      throw error;
    }
    // Read the very generation described, so an overwrite in between cannot pair new bytes with old size.
    const file = this.#bucket.file(key, metadata.generation === undefined ? {} : { generation: metadata.generation });
    return {
      body: file.createReadStream({ validation: 'crc32c' }),
      size: Number(metadata.size ?? 0),
      contentType: metadata.contentType ?? DEFAULT_CONTENT_TYPE,
    };
  }

  async delete(key: string): Promise<void> {
    assertValidDocumentKey(key);
    await this.#bucket.file(key).delete({ ignoreNotFound: true });
  }

  async exists(key: string): Promise<boolean> {
    assertValidDocumentKey(key);
    const [found] = await this.#bucket.file(key).exists();
    return found;
  }

  async close(): Promise<void> {}
}

function isNotFound(error: unknown): boolean {
  return error instanceof ApiError && error.code === 404;
}
