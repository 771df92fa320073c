import type { TestProject } from 'vitest/node';
import { launchBrowserServer } from './browser.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Where the run's one Chromium listens for Playwright ('' when there is no Chromium). */
    browserEndpoint: string;
  }
}

/**
 * One Chromium for the whole run: launching it costs 3 to 4 s a file on two busy cores, and each
 * file's tests still get fresh browser profiles of their own (withPage, newContext).
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const server = await launchBrowserServer();
  project.provide('browserEndpoint', server?.wsEndpoint() ?? '');
  return async () => {
    await server?.close();
  };
}
