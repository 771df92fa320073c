import { existsSync } from 'node:fs';
import {
  type Browser,
  type BrowserContext,
  type BrowserContextOptions,
  type BrowserServer,
  chromium,
} from 'playwright-core';
import { describe, inject } from 'vitest';

/** Debian's Chromium; we never download browsers (`apt-get install -y chromium`). */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const inCi = Boolean(process.env.CI) && process.env.CI !== 'false' && process.env.CI !== '0';
const chromiumMissing = !existsSync(CHROMIUM_PATH);

if (chromiumMissing && !inCi) {
  const line = '!'.repeat(100);
  console.warn(
    `\n${line}\n!!! BROWSER TESTS SKIPPED: no Chromium at ${CHROMIUM_PATH}.\n` +
      '!!! Install it with `apt-get update && apt-get install -y chromium` (or set CHROMIUM_PATH).\n' +
      `!!! In CI (CI=true) a missing browser fails the run instead.\n${line}\n`,
  );
}

/**
 * A describe block for tests that need the browser: skipped with a loud warning on a machine
 * without Chromium, but never in CI, where launching then fails the run.
 */
export const describeWithBrowser: typeof describe = (
  chromiumMissing && !inCi ? describe.skip : describe
) as typeof describe;

/**
 * Flags that keep headless Chromium quiet and self-contained here: no sandbox (we run as root in
 * containers), no GPU, and no background connections (without these, Chromium's own traffic makes
 * the machine refuse our connections many at a time).
 */
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

/** Chromium, for globalSetup to share with every test file; none when it is not installed. */
export async function launchBrowserServer(): Promise<BrowserServer | undefined> {
  if (chromiumMissing) return undefined;
  return chromium.launchServer({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS });
}

/** The run's Chromium, which globalSetup launched; closing the connection leaves it running. */
export async function connectBrowser(): Promise<Browser> {
  const endpoint = inject('browserEndpoint');
  if (!endpoint) {
    throw new Error(`No Chromium at ${CHROMIUM_PATH}: install it with \`apt-get install -y chromium\`.`);
  }
  return chromium.connect(endpoint);
}

/** A fresh browser profile (cookies and all) in British English, as a person here would have. */
export async function newContext(browser: Browser, options: BrowserContextOptions = {}): Promise<BrowserContext> {
  const context = await browser.newContext({
    locale: 'en-GB',
    timezoneId: 'Europe/London',
    viewport: { width: 1280, height: 900 },
    ...options,
  });
  context.setDefaultTimeout(10_000);
  context.setDefaultNavigationTimeout(15_000);
  return context;
}
