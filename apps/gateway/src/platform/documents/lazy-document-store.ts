import type { Readable } from 'node:stream';
import type { DocumentDownload, DocumentStore, PutDocumentOptions, StoredDocument } from './document-store.ts';

/**
 * A document store built on its first use: the cloud SDKs behind the GCS and S3 stores take a few
 * hundred milliseconds to load, which the gateway should not pay at start-up (nor at all when the
 * driver is not in use). A failed load is retried on the next call.
 */
export class LazyDocumentStore implements DocumentStore {
  #store: Promise<DocumentStore> | undefined;

  constructor(
    readonly driver: DocumentStore['driver'],
    private readonly load: () => Promise<DocumentStore>,
  ) {}

  #loaded(): Promise<DocumentStore> {
    this.#store ??= this.load().catch((error: unknown) => {
      this.#store = undefined;
      throw error;
    });
    return this.#store;
  }

  async put(key: string, body: Readable | Buffer, options: PutDocumentOptions): Promise<StoredDocument> {
    return (await this.#loaded()).put(key, body, options);
  }

  async get(key: string): Promise<DocumentDownload> {
    return (await this.#loaded()).get(key);
  }

  async delete(key: string): Promise<void> {
    return (await this.#loaded()).delete(key);
  }

  async exists(key: string): Promise<boolean> {
    return (await this.#loaded()).exists(key);
  }

  /** Closes the store if it was ever built; one never used has nothing to release. */
  async close(): Promise<void> {
    const store = this.#store;
    this.#store = undefined;
    if (store) await (await store).close();
  }
}
