import { describeDocumentStoreContract } from '../../../test/support/document-store-contract.ts';
import { startS3TestServer } from '../../../test/support/s3-test-server.ts';
import { S3DocumentStore } from './s3-document-store.ts';

describeDocumentStoreContract('S3 (the AWS SDK against s3rver)', async () => {
  const server = await startS3TestServer();
  const store = new S3DocumentStore({
    bucket: server.bucket,
    endpoint: server.endpoint,
    credentials: server.credentials,
  });
  return {
    store,
    bytesReceived: async () => server.bytesReceived(),
    close: async () => {
      await store.close();
      await server.close();
    },
  };
});
