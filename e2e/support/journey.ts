import type { Browser } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { startCufs } from '../../apps/gateway/test/support/cufs.ts';
import { connectBrowser } from './browser.ts';
import { type RunningGateway, startGateway } from './server.ts';

/** What a browser test's describe block runs against, once its beforeAll has run. */
export interface Journey {
  gateway: RunningGateway;
  browser: Browser;
}

/**
 * Before the block's tests, starts a gateway on a database of the file's own (wired to a live CUFS
 * service when `cufs` is set) and connects to the run's Chromium; after them, stops the services
 * and disconnects, which closes the browser profiles the block opened.
 */
export function useJourney(options: { cufs?: boolean } = {}): Journey {
  const journey = {} as Journey;
  let cufs: Awaited<ReturnType<typeof startCufs>> | undefined;
  beforeAll(async () => {
    if (options.cufs) cufs = await startCufs();
    const env: Record<string, string> = cufs ? { CUFS_URL: cufs.url } : {};
    [journey.gateway, journey.browser] = await Promise.all([startGateway({ env }), connectBrowser()]);
  });
  afterAll(async () => {
    await journey.browser?.close();
    await journey.gateway?.close();
    await cufs?.close();
  });
  return journey;
}
