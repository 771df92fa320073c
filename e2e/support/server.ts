import type { AddressInfo } from 'node:net';
import { startTestApp, type TestApp } from '../../apps/gateway/test/support/test-app.ts';

export interface RunningGateway extends TestApp {
  /** Where the browser reaches the gateway, e.g. http://127.0.0.1:40123 (no trailing slash). */
  baseUrl: string;
  /** An absolute URL on the gateway for a path such as `/catalogue/`. */
  url(path: string): string;
}

/**
 * The whole gateway in this process, on its own fresh database (a copy of the migrated and seeded
 * template that globalSetup prepared), listening on a random loopback port for a real browser.
 */
export async function startGateway(options: Parameters<typeof startTestApp>[0] = {}): Promise<RunningGateway> {
  const running = await startTestApp(options);
  try {
    await running.app.listen({ port: 0, host: '127.0.0.1' });
  } catch (error) {
    await running.close();
    throw error;
  }
  const { port } = running.app.server.address() as AddressInfo;
  const baseUrl = `http://127.0.0.1:${port}`;
  return { ...running, baseUrl, url: (path: string) => new URL(path, baseUrl).toString() };
}
