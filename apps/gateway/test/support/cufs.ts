import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
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

/**
 * CUFS behind a switch: while `up` is false every connection is dropped, as when the service is
 * down; otherwise requests pass through to the live service unchanged.
 */
export async function startSwitchableCufs(targetUrl: string, initially: { up: boolean }) {
  const state = { up: initially.up };
  const server = createServer((request, response) => {
    if (!state.up) {
      request.socket.destroy();
      return;
    }
    fetch(`${targetUrl}${request.url}`, {
      headers: { accept: 'application/json', authorization: request.headers.authorization ?? '' },
    })
      .then(async (answer) => {
        response.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'application/json' });
        response.end(Buffer.from(await answer.arrayBuffer()));
      })
      .catch(() => request.socket.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    state,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
