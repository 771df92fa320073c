import { type CufsTestApp, startCufsTestApp } from '../../../cufs/test/support/cufs-test-app.ts';

/** The real CUFS API service with its sample data, on a loopback port, opened by the gateway's default dev token. */
export async function startCufs(): Promise<{ url: string; app: CufsTestApp; close(): Promise<void> }> {
  const app = await startCufsTestApp({ env: { CUFS_API_TOKENS: '', CUFS_RATE_LIMIT_PER_MINUTE: '100000' } });
  const url = await app.app.listen({ host: '127.0.0.1', port: 0 });
  return { url, app, close: () => app.close() };
}

/** A URL where nothing answers: CUFS is down. */
export const DEAD_CUFS_URL = 'http://127.0.0.1:9';
