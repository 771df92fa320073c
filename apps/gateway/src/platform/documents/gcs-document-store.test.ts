import { describeDocumentStoreContract } from '../../../test/support/document-store-contract.ts';
import { startFakeGcsServer } from '../../../test/support/fake-gcs-server.ts';
import { GcsDocumentStore } from './gcs-document-store.ts';

describeDocumentStoreContract('Google Cloud Storage (the Google SDK against a JSON-API fake)', async () => {
  const server = await startFakeGcsServer();
  const store = new GcsDocumentStore({ bucket: server.bucket, apiEndpoint: server.apiEndpoint });
  return {
    store,
    bytesReceived: async () => server.bytesReceived(),
    close: async () => {
      await store.close();
      await server.close();
    },
  };
});
