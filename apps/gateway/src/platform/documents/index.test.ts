import { afterEach, describe, expect, it, vi } from 'vitest';
import { startFakeGcsServer } from '../../../test/support/fake-gcs-server.ts';
import { startS3TestServer } from '../../../test/support/s3-test-server.ts';
import { loadConfig } from '../config.ts';
import { createDocumentStore, type DocumentStore, LocalDocumentStore } from './index.ts';

async function roundTrip(store: DocumentStore): Promise<string> {
  await store.put('po/2026/factory.pdf', Buffer.from('%PDF-1.7 via the factory'), { contentType: 'application/pdf' });
  const chunks: Buffer[] = [];
  for await (const chunk of (await store.get('po/2026/factory.pdf')).body) chunks.push(chunk);
  return Buffer.concat(chunks).toString();
}

describe('createDocumentStore', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('keeps documents in a folder under the data directory by default', () => {
    const store = createDocumentStore(loadConfig({ DATA_DIR: '/var/lib/ssgw' }).documents);
    expect(store).toBeInstanceOf(LocalDocumentStore);
    expect((store as LocalDocumentStore).root).toBe('/var/lib/ssgw/documents');
  });

  it('talks to the Cloud Storage endpoint and bucket that the settings name', async () => {
    const server = await startFakeGcsServer('po-documents');
    try {
      const config = loadConfig({
        DOCUMENTS_DRIVER: 'gcs',
        DOCUMENTS_BUCKET: 'po-documents',
        GCS_API_ENDPOINT: server.apiEndpoint,
      });
      const store = createDocumentStore(config.documents);
      expect(store.driver).toBe('gcs');
      expect(await roundTrip(store)).toBe('%PDF-1.7 via the factory');
    } finally {
      await server.close();
    }
  });

  it('talks to the S3-compatible endpoint and bucket that the settings name, with keys from the environment', async () => {
    const server = await startS3TestServer('po-documents');
    vi.stubEnv('AWS_ACCESS_KEY_ID', server.credentials.accessKeyId);
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', server.credentials.secretAccessKey);
    try {
      const config = loadConfig({
        DOCUMENTS_DRIVER: 's3',
        DOCUMENTS_BUCKET: 'po-documents',
        S3_REGION: 'eu-west-2',
        S3_ENDPOINT: server.endpoint,
      });
      const store = createDocumentStore(config.documents);
      expect(store.driver).toBe('s3');
      expect(await roundTrip(store)).toBe('%PDF-1.7 via the factory');
      await store.close();
    } finally {
      await server.close();
    }
  });
});
