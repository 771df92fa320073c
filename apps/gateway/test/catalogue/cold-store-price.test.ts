import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Browser, startTestApp, type TestApp } from '../support/test-app.ts';

/**
 * The IFS team charges the Research Cold Store's price for the days a recovered licence spent in
 * the cold store, but could not see it (a tester as if502): its catalogue page shows it, read-only,
 * saying who sets it; the research team sees it among its own products, as before.
 */
describe("the cold-store price on another service's catalogue page", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  const signedIn = async (crsid: string) => {
    const browser = new Browser(t.app);
    await browser.signInAs(crsid);
    return browser;
  };
  const section = (html: string) => html.match(/<section aria-labelledby="cold-store-price">[\s\S]*?<\/section>/)?.[0];

  it('is shown to the IFS team, read-only, with who sets it', async () => {
    const page = await (await signedIn('if502')).get('/admin/catalogue/');
    expect(page.statusCode).toBe(200);
    const coldStore = section(page.body);
    expect(coldStore).toBeDefined();
    expect(coldStore).toContain('The cold-store price you charge');
    expect(coldStore).toContain('Research Cold Store (RCS)');
    expect(coldStore).toContain('The Research storage team sets it: you can read it here but not change it.');
    expect(coldStore).toContain('Prices of RCS per TB per year');
    expect(coldStore).toContain('In force today');
    expect(coldStore).not.toContain('<form');
    expect(coldStore).not.toContain('href="/admin/catalogue/RCS/"');
    // Still not theirs to change.
    expect((await (await signedIn('if502')).get('/admin/catalogue/RCS/')).statusCode).toBe(403);
  });

  it('is not repeated for the research team, whose product it is', async () => {
    const page = await (await signedIn('rs501')).get('/admin/catalogue/');
    expect(section(page.body)).toBeUndefined();
    expect(page.body).toContain('href="/admin/catalogue/RCS/"');
  });
});
