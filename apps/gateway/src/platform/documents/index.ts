import type { Config } from '../config.ts';
import type { DocumentStore } from './document-store.ts';
import { LazyDocumentStore } from './lazy-document-store.ts';
import { LocalDocumentStore } from './local-document-store.ts';

export {
  assertValidDocumentKey,
  type DocumentDownload,
  DocumentNotFoundError,
  type DocumentStore,
  InvalidDocumentKeyError,
  type PutDocumentOptions,
  type StoredDocument,
} from './document-store.ts';
export { LazyDocumentStore } from './lazy-document-store.ts';
export { LocalDocumentStore } from './local-document-store.ts';

/**
 * The document store a deployment asked for (DOCUMENTS_DRIVER); nothing is contacted until first use.
 * The GCS and S3 SDKs are loaded on the first call too (import GcsDocumentStore and S3DocumentStore
 * from their own files), so start-up pays for neither.
 */
export function createDocumentStore(settings: Config['documents']): DocumentStore {
  switch (settings.driver) {
    case 'local':
      return new LocalDocumentStore(settings.dir);
    case 'gcs':
      return new LazyDocumentStore('gcs', async () => {
        const { GcsDocumentStore } = await import('./gcs-document-store.ts');
        return new GcsDocumentStore({ bucket: settings.bucket, apiEndpoint: settings.apiEndpoint });
      });
    case 's3':
      return new LazyDocumentStore('s3', async () => {
        const { S3DocumentStore } = await import('./s3-document-store.ts');
        return new S3DocumentStore({ bucket: settings.bucket, region: settings.region, endpoint: settings.endpoint });
      });
  }
}
