import { Readable } from 'node:stream';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  S3Client,
  type S3ClientConfig,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import {
  assertValidDocumentKey,
  DEFAULT_CONTENT_TYPE,
  DigestingStream,
  type DocumentDownload,
  DocumentNotFoundError,
  type DocumentStore,
  type PutDocumentOptions,
  type StoredDocument,
  sha256Hex,
} from './document-store.ts';

export interface S3DocumentStoreOptions {
  bucket: string;
  /** Falls back to the SDK's own lookup (AWS_REGION, profile); `us-east-1` when only an endpoint is given. */
  region?: string;
  /** An S3-compatible service (MinIO, Ceph, R2…) instead of AWS; implies path-style bucket addressing. */
  endpoint?: string;
  forcePathStyle?: boolean;
  /** Explicit keys, for tests; deployments use the SDK's default chain (environment, profile, instance role). */
  credentials?: S3ClientConfig['credentials'];
}

/** Streams larger than one part go up as a multipart upload, holding at most this many parts in memory. */
const PART_SIZE = 5 * 1024 * 1024;
const PARTS_IN_FLIGHT = 2;

/** Documents as objects in one S3 (or S3-compatible) bucket, through the official AWS SDK. */
export class S3DocumentStore implements DocumentStore {
  readonly driver = 's3';
  readonly #client: S3Client;
  readonly #bucket: string;

  constructor(options: S3DocumentStoreOptions) {
    this.#bucket = options.bucket;
    this.#client = new S3Client({
      region: options.region ?? (options.endpoint ? 'us-east-1' : undefined),
      endpoint: options.endpoint,
      forcePathStyle: options.forcePathStyle ?? Boolean(options.endpoint),
      credentials: options.credentials,
    });
  }

  async put(key: string, body: Readable | Buffer, options: PutDocumentOptions): Promise<StoredDocument> {
    assertValidDocumentKey(key);
    if (Buffer.isBuffer(body)) {
      await this.#upload(key, body, options.contentType);
      return { key, size: body.length, sha256: sha256Hex(body) };
    }
    const digest = new DigestingStream();
    body.once('error', (error) => digest.destroy(error));
    await this.#upload(key, body.pipe(digest), options.contentType);
    return { key, size: digest.bytesPassed, sha256: digest.sha256() };
  }

  async get(key: string): Promise<DocumentDownload> {
    assertValidDocumentKey(key);
    try {
      const object = await this.#client.send(new GetObjectCommand({ Bucket: this.#bucket, Key: key }));
      if (!(object.Body instanceof Readable)) throw new Error('The S3 client did not return a Node.js stream');
      return {
        body: object.Body,
        size: object.ContentLength ?? 0,
        contentType: object.ContentType ?? DEFAULT_CONTENT_TYPE,
      };
    } catch (error) {
      if (isMissingObject(error)) throw new DocumentNotFoundError(key);
      throw error;
    }
  }

  async delete(key: string): Promise<void> {
    assertValidDocumentKey(key);
    // S3 answers 204 whether or not the object was there, so this is idempotent as it stands.
    await this.#client.send(new DeleteObjectCommand({ Bucket: this.#bucket, Key: key }));
  }

  async exists(key: string): Promise<boolean> {
    assertValidDocumentKey(key);
    try {
      await this.#client.send(new HeadObjectCommand({ Bucket: this.#bucket, Key: key }));
      return true;
    } catch (error) {
      if (isMissingObject(error)) return false;
      throw error;
    }
  }

  async close(): Promise<void> {
    this.#client.destroy();
  }

  /** One PutObject for a small body; a multipart upload (aborted on failure) for a larger one. */
  async #upload(key: string, body: Readable | Buffer, contentType: string): Promise<void> {
    const upload = new Upload({
      client: this.#client,
      params: { Bucket: this.#bucket, Key: key, Body: body, ContentType: contentType },
      partSize: PART_SIZE,
      queueSize: PARTS_IN_FLIGHT,
      leavePartsOnError: false,
    });
    await upload.done();
  }
}

/** GetObject says NoSuchKey; HeadObject has no body, so only its 404 says NotFound. */
function isMissingObject(error: unknown): boolean {
  return (
    error instanceof S3ServiceException &&
    (error.name === 'NoSuchKey' || (error.name === 'NotFound' && error.$metadata.httpStatusCode === 404))
  );
}
