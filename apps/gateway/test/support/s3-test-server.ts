import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import S3rver from 's3rver';

/** An S3-compatible server (s3rver, storing in a temporary folder) on loopback, with one bucket. */
export interface S3TestServer {
  endpoint: string;
  bucket: string;
  /** s3rver's fixed keys: it checks request signatures against them. */
  credentials: { accessKeyId: string; secretAccessKey: string };
  /** Bytes read from clients' connections so far, headers included. */
  bytesReceived(): number;
  close(): Promise<void>;
}

export async function startS3TestServer(bucket = 'documents'): Promise<S3TestServer> {
  const directory = await mkdtemp(path.join(tmpdir(), 'ssgw-s3rver-'));
  const s3rver = new S3rver({ silent: true, directory, configureBuckets: [{ name: bucket, configs: [] }] });
  await s3rver.configureBuckets();

  // Our own listener around s3rver's handler, so that traffic can be counted at the socket.
  const server = createServer(s3rver.callback());
  const openSockets = new Set<Socket>();
  let bytesFromClosedSockets = 0;
  server.on('connection', (socket) => {
    openSockets.add(socket);
    socket.once('close', () => {
      openSockets.delete(socket);
      bytesFromClosedSockets += socket.bytesRead;
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    endpoint: `http://127.0.0.1:${port}`,
    bucket,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    bytesReceived: () => [...openSockets].reduce((total, socket) => total + socket.bytesRead, bytesFromClosedSockets),
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
      await rm(directory, { recursive: true, force: true });
    },
  };
}
