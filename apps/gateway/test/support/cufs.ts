import { type CufsTestApp, startCufsTestApp } from '../../../cufs/test/support/cufs-test-app.ts';
import { startTestApp, type TestApp } from './test-app.ts';

/** The real CUFS API service with its sample data, on a loopback port, opened by the gateway's default dev token. */
export async function startCufs(): Promise<{ url: string; app: CufsTestApp; close(): Promise<void> }> {
  const app = await startCufsTestApp({ env: { CUFS_API_TOKENS: '', CUFS_RATE_LIMIT_PER_MINUTE: '100000' } });
  const url = await app.app.listen({ host: '127.0.0.1', port: 0 });
  return { url, app, close: () => app.close() };
}

/** A URL where nothing answers: CUFS is down. */
export const DEAD_CUFS_URL = 'http://127.0.0.1:9';

/** The gateway wired to its own live CUFS service; closing it closes both. */
export async function startTestAppWithCufs(options: Parameters<typeof startTestApp>[0] = {}): Promise<TestApp> {
  const cufs = await startCufs();
  try {
    const t = await startTestApp({ ...options, env: { CUFS_URL: cufs.url, ...options.env } });
    return {
      ...t,
      close: async () => {
        await t.close();
        await cufs.close();
      },
    };
  } catch (error) {
    await cufs.close();
    throw error;
  }
}
