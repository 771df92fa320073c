import { writeFile } from 'node:fs/promises';
import type { BrowserContext } from 'playwright-core';
import { expect, it } from 'vitest';
import { describeWithBrowser, newContext } from './support/browser.ts';
import { useJourney } from './support/journey.ts';
import { arrive } from './support/pages.ts';

/** The four products of the demo catalogue and their prices per TB per year on the test day. */
const PRODUCTS = [
  { name: 'Research Data Store', code: 'RDS', internal: '£54.00', external: '£64.80' },
  { name: 'Research File Share', code: 'RFS', internal: '£139.00', external: '£166.80' },
  { name: 'Research Cold Store', code: 'RCS', internal: '£12.00', external: '£14.40' },
  { name: 'Institutional File Store', code: 'IFS', internal: '£150.00', external: '£180.00' },
];

export const CATALOGUE_SCREENSHOT = '/tmp/ssgw-e2e-catalogue.png';

describeWithBrowser('a person reads the catalogue in a browser', () => {
  const journey = useJourney();

  /**
   * Home → Sign in → dev sign-in → signed in as Alice → catalogue → a product → a 404 → sign out.
   * Everything is done by clicking, as a person would; nothing depends on JavaScript.
   */
  async function catalogueJourney(context: BrowserContext, options: { axe: boolean; screenshot?: string }) {
    const { axe } = options;
    const page = await context.newPage();

    const home = await page.goto(journey.gateway.url('/'));
    expect(home?.status()).toBe(200);
    await arrive(page, 'Buy and manage University storage', 'home', axe);
    expect(await page.title()).toContain('Storage Self-Service');

    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Sign in' }).click();
    await page.waitForURL('**/sign-in');
    await arrive(page, 'Sign in', 'sign-in', axe);

    await page.getByRole('link', { name: /Sign in as a demo person/ }).click();
    await page.waitForURL('**/dev/sign-in*');
    await arrive(page, 'Sign in as a demo person', 'dev sign-in', axe);

    const alice = page.getByRole('row').filter({ hasText: '(ar101)' });
    await expect.poll(() => alice.count()).toBe(1);
    await alice.getByRole('button', { name: 'Sign in as Alice Researcher' }).click();
    // Signing in from the header's link returns the person to their storage.
    await page.waitForURL((url) => url.pathname === '/storage/');
    const signOut = page.getByRole('button', { name: /Sign out/ });
    expect(await signOut.textContent()).toContain('Alice Researcher');

    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Catalogue' }).click();
    await page.waitForURL('**/catalogue/');
    await arrive(page, 'Storage we offer', 'catalogue', axe);
    expect(await page.getByRole('heading', { level: 2, name: 'Research storage' }).count()).toBe(1);
    expect(await page.getByRole('heading', { level: 2, name: 'Institutional file storage' }).count()).toBe(1);
    for (const product of PRODUCTS) {
      const row = page.getByRole('row').filter({ has: page.getByRole('link', { name: product.name, exact: true }) });
      expect(await row.count(), product.name).toBe(1);
      const cells = (await row.getByRole('cell').allTextContents()).map((text) => text.trim());
      expect(cells.slice(0, 2), product.name).toEqual([product.internal, product.external]);
    }
    if (options.screenshot) await writeFile(options.screenshot, await page.screenshot({ fullPage: true }));

    await page.getByRole('link', { name: 'Research Cold Store', exact: true }).click();
    await page.waitForURL('**/catalogue/RCS/');
    await arrive(page, /Research Cold Store\s*\(RCS\)/, 'product', axe);
    const main = page.getByRole('main');
    expect(await main.textContent()).toContain('£12.00 per TB per year');
    expect(await main.textContent()).toContain('10,000 files per TB');
    await page.getByRole('navigation', { name: 'Breadcrumb' }).getByRole('link', { name: 'Storage we offer' }).click();
    await page.waitForURL('**/catalogue/');

    const missing = await page.goto(journey.gateway.url('/catalogue/NOPE/'));
    expect(missing?.status()).toBe(404);
    await arrive(page, 'Page not found', '404', axe);
    expect(await main.textContent()).toContain('There is no product called NOPE.');

    await page.getByRole('button', { name: /Sign out/ }).click();
    await page.waitForURL(journey.gateway.url('/'));
    await arrive(page, 'Buy and manage University storage', 'home, signed out', false);
    expect(await page.getByRole('button', { name: /Sign out/ }).count()).toBe(0);
    expect(await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Sign in' }).count()).toBe(1);
    await page.close();
  }

  it('signs in, reads the catalogue and a product, meets a 404 and signs out, with no axe violations', async () => {
    const context = await newContext(journey.browser);
    try {
      await catalogueJourney(context, { axe: true, screenshot: CATALOGUE_SCREENSHOT });
    } finally {
      await context.close();
    }
  });

  it('does the same journey with JavaScript turned off', async () => {
    const context = await newContext(journey.browser, { javaScriptEnabled: false });
    try {
      await catalogueJourney(context, { axe: false });
    } finally {
      await context.close();
    }
  });

  it('makes the skip link the first Tab stop, and it moves focus to the main content', async () => {
    const context = await newContext(journey.browser);
    try {
      const page = await context.newPage();
      for (const path of ['/', '/catalogue/']) {
        await page.goto(journey.gateway.url(path));
        await page.keyboard.press('Tab');
        const first = await page.evaluate(() => {
          const active = document.activeElement as HTMLElement | null;
          const box = active?.getBoundingClientRect();
          return {
            text: active?.textContent?.trim(),
            href: active?.getAttribute('href'),
            onScreen: Boolean(box && box.width > 0 && box.height > 0 && box.left >= 0 && box.top >= 0),
          };
        });
        expect(first, path).toEqual({ text: 'Skip to main content', href: '#main', onScreen: true });
        await page.keyboard.press('Enter');
        await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('main');
        // The next Tab goes into the page's content, not back to the header.
        await page.keyboard.press('Tab');
        const inMain = await page.evaluate(() => Boolean(document.activeElement?.closest('main')));
        expect(inMain, `${path}: Tab after the skip link lands inside main`).toBe(true);
      }
    } finally {
      await context.close();
    }
  });
});
