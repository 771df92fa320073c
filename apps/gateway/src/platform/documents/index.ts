import type { Config } from '../config.ts';
import type { DocumentStore } from './document-store.ts';
import { GcsDocumentStore } from './gcs-document-store.ts';
import { LocalDocumentStore } from './local-document-store.ts';
import { S3DocumentStore } from './s3-document-store.ts';

export {
  assertValidDocumentKey,
  type DocumentDownload,
  DocumentNotFoundError,
  type DocumentStore,
  InvalidDocumentKeyError,
  type PutDocumentOptions,
  type StoredDocument,
} from './document-store.ts';
export { GcsDocumentStore } from './gcs-document-store.ts';
export { LocalDocumentStore } from './local-document-store.ts';
export { S3DocumentStore } from './s3-document-store.ts';

/** The document store a deployment asked for (DOCUMENTS_DRIVER); nothing is contacted until first use. */
export function createDocumentStore(settings: Config['documents']): DocumentStore {
  switch (settings.driver) {
    case 'local':
      return new LocalDocumentStore(settings.dir);
    case 'gcs':
      return new GcsDocumentStore({ bucket: settings.bucket, apiEndpoint: settings.apiEndpoint });
    case 's3':
      return new S3DocumentStore({ bucket: settings.bucket, region: settings.region, endpoint: settings.endpoint });
  }
}
