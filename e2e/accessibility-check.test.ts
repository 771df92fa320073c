import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { expectNoAxeViolations } from './support/axe.ts';
import { connectBrowser, describeWithBrowser, newContext } from './support/browser.ts';

/**
 * The check every journey relies on must be able to fail: on a page with known faults (an image
 * without alt text, low contrast, an unlabelled field) it throws and names each; on the same page
 * without them it passes.
 */
describeWithBrowser('the accessibility check of the browser tests', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await connectBrowser();
  });
  afterAll(async () => {
    await browser?.close();
  });

  const page = (body: string) =>
    `<!doctype html><html lang="en"><head><title>Check</title></head><body><main><h1>Check</h1>${body}</main></body></html>`;

  it('names each violation on a faulty page, and passes the page put right', async () => {
    const context = await newContext(browser);
    try {
      const tab = await context.newPage();
      await tab.setContent(
        page(
          '<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">' +
            '<p style="color:#aaa;background:#fff">Faint text</p>' +
            '<form><input type="text" name="crsid"></form>',
        ),
      );
      const failure = await expectNoAxeViolations(tab, 'faulty page').then(
        () => undefined,
        (error: Error) => error.message,
      );
      expect(failure).toMatch(/accessibility violation\(s\) on faulty page/);
      expect(failure).toContain('image-alt');
      expect(failure).toContain('color-contrast');
      expect(failure).toContain('label');

      await tab.setContent(
        page(
          '<img alt="A dot" src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">' +
            '<p style="color:#333;background:#fff">Clear text</p>' +
            '<form><label for="crsid">CRSid</label><input id="crsid" type="text" name="crsid"></form>',
        ),
      );
      await expectNoAxeViolations(tab, 'page put right');
    } finally {
      await context.close();
    }
  });
});
