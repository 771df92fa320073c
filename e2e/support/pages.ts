import { buffer } from 'node:stream/consumers';
import type { Browser, BrowserContext, BrowserContextOptions, Download, Locator, Page } from 'playwright-core';
import { expect } from 'vitest';
import { expectNoAxeViolations } from './axe.ts';
import { newContext } from './browser.ts';

/** For a describe block: axe-core takes under a second a page, several when the cores are busy (axe.ts). */
export const SLOW_AXE = { timeout: 240_000 };

/** Runs `run` on a page of a fresh browser profile (cookies and all), closed afterwards. */
export async function withPage<T>(
  browser: Browser,
  run: (page: Page, context: BrowserContext) => Promise<T>,
  options: BrowserContextOptions = {},
): Promise<T> {
  const context = await newContext(browser, options);
  try {
    return await run(await context.newPage(), context);
  } finally {
    await context.close();
  }
}

/**
 * The page has this main heading and one main landmark and, unless `axe` is false, axe-core finds
 * nothing on it (axe needs JavaScript: pass false in a context without).
 */
export async function arrive(page: Page, heading: string | RegExp, label: string, axe = true): Promise<void> {
  await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent(), { message: label }).toMatch(heading);
  expect(await page.getByRole('main').count(), `${label}: one main landmark`).toBe(1);
  if (axe) await expectNoAxeViolations(page, label);
}

/**
 * Clicks (or presses) something that submits a form and waits for the answer to load: a re-shown
 * form keeps its address, so waiting for a URL would not do.
 */
export async function submitForm(page: Page, submit: () => Promise<void>): Promise<void> {
  const navigated = page.waitForEvent('framenavigated', { predicate: (frame) => frame === page.mainFrame() });
  await submit();
  await navigated;
  await page.waitForLoadState();
}

export const errorSummary = (page: Page) => page.getByRole('alert').filter({ hasText: 'There is a problem' });

/**
 * The title says there is an error; the error summary links to the field with the message, which
 * also stands next to the field and describes it (a radio group: its fieldset).
 */
export async function expectFieldError(page: Page, field: string, message: string | RegExp): Promise<void> {
  expect(await page.title(), `${field}: the title says there is an error`).toMatch(/^Error: /);
  const summary = errorSummary(page);
  expect(await summary.count(), `error summary for ${field}`).toBe(1);
  expect(await summary.getByRole('link', { name: message }).getAttribute('href')).toBe(`#${field}`);
  expect(await page.locator(`#${field}-error`).textContent()).toMatch(message);
  const describedBy = await page.locator(`#${field}`).evaluate((input) => {
    const described = input.getAttribute('type') === 'radio' ? input.closest('fieldset') : input;
    return described?.getAttribute('aria-describedby') ?? '';
  });
  expect(describedBy.split(' '), `${field} is described by its message`).toContain(`${field}-error`);
}

/** Clicks a link that downloads a file, and waits for the download to start. */
export async function clickForDownload(page: Page, link: Locator): Promise<Download> {
  const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
  return download;
}

/** What a download held, streamed from the browser (which may run in another process, with its own files). */
export async function downloaded(download: Download): Promise<Buffer> {
  return buffer(await download.createReadStream());
}
