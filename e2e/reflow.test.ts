import type { Page } from 'playwright-core';
import { beforeAll, expect, it } from 'vitest';
import { systemActor } from '../apps/gateway/src/modules/audit/audit.repository.ts';
import { importUsageReadings } from '../apps/gateway/src/modules/usage/usage.service.ts';
import { insertStorage } from '../apps/gateway/test/support/storage-fixtures.ts';
import { describeWithBrowser } from './support/browser.ts';
import { useJourney } from './support/journey.ts';
import { arrive, SLOW_AXE, submitForm, withPage } from './support/pages.ts';
import { signInAs } from './support/sign-in.ts';

const LICENCE = 'Beamline_detector_frames_licence_of_the_2026_campaign';
const PROJECT = 'Beamline_detector_frames_2026_raw_data01';
const LONG_QUOTED_NAME = 'Synchrotron_beamline_detector_frames_and_calibration_runs_2026';
const TB = 1_000_000_000_000;
const PHONE = { viewport: { width: 320, height: 480 } };

/**
 * What an accessibility review (WCAG 2.2 AA, by hand) found that only a browser shows: pages wider
 * than a 320 px screen (1.4.10) because of long unbroken names and wide tables, the usage chart's
 * tiny labels there, a table's scroll region out of keyboard reach, error-summary links that
 * scrolled the question away from its field, a disclosure without the site's focus outline and
 * short fields drawn 30rem wide.
 */
describeWithBrowser('pages on a 320 px screen, and from the keyboard', SLOW_AXE, () => {
  const journey = useJourney();
  let licenceId: number;
  let projectId: number;

  beforeAll(async () => {
    const { db } = journey.gateway.database;
    const made = await insertStorage(db, {
      name: LICENCE,
      owner: 'ar101',
      sizeTb: 10,
      status: 'active',
      startDate: '2026-01-01',
      endDate: '2028-12-31',
      projects: [{ name: PROJECT, quotaTb: 6, status: 'active' }],
      order: { status: 'completed' },
    });
    licenceId = made.licenceId;
    projectId = made.projectIds[0] as number;
    await db.updateTable('storage_projects').set({ path: '/rds/beamline' }).where('id', '=', projectId).execute();
    const result = await importUsageReadings(
      db,
      [
        { line: 1, path: '/rds/beamline', readOn: '2026-03-01', usedBytes: 2 * TB },
        { line: 2, path: '/rds/beamline', readOn: '2026-08-01', usedBytes: 4 * TB },
        { line: 3, path: '/rds/beamline', readOn: '2026-11-01', usedBytes: 5 * TB },
      ],
      { today: '2026-11-27', source: 'test', actor: systemActor('test'), services: ['research', 'institutional'] },
    );
    expect(result.rejected).toEqual([]);
  });

  const pageWidth = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth);

  async function expectFits(page: Page, path: string, heading: string | RegExp): Promise<void> {
    await page.goto(journey.gateway.url(path));
    await arrive(page, heading, `${path} at 320 px`);
    expect(await pageWidth(page), `${path} is no wider than the screen`).toBeLessThanOrEqual(320);
  }

  it('fits every page into 320 px: long names wrap and wide tables scroll in their own region', async () => {
    await withPage(
      journey.browser,
      async (page) => {
        await signInAs(page, journey.gateway, 'ar101');
        await expectFits(page, '/storage/', 'My storage');
        await expectFits(page, `/storage/licence/${licenceId}/`, LICENCE);
        await expectFits(page, `/storage/project/${projectId}/`, PROJECT);

        // A quote whose summary list holds a long licence name.
        await page.goto(journey.gateway.url('/storage/buy/RDS/'));
        await page.getByLabel('Size, in TB').fill('5');
        await page.getByLabel('3 years', { exact: true }).check();
        await page.getByLabel('Name for the licence').fill(LONG_QUOTED_NAME);
        await page.getByLabel('Name of the first storage project').fill('frames');
        await submitForm(page, () => page.getByRole('button', { name: 'Get a quote' }).click());
        await page.waitForURL(/\/storage\/quotes\/[^/]+\/$/);
        await arrive(page, /Quote /, 'quote at 320 px');
        expect(await pageWidth(page), 'the quote is no wider than the screen').toBeLessThanOrEqual(320);

        // The licences table scrolls inside its region, which the keyboard reaches and shows focused.
        await page.goto(journey.gateway.url('/storage/'));
        const region = page.getByRole('region', { name: 'Licences you own, manage or use' });
        const scrolls = await region.evaluate((element) => element.scrollWidth > element.clientWidth);
        expect(scrolls, 'the wide table scrolls inside its region').toBe(true);
        await region.focus();
        expect(await region.evaluate((element) => getComputedStyle(element).outlineStyle)).toBe('solid');
        await page.keyboard.press('ArrowRight');
        await expect.poll(() => region.evaluate((element) => element.scrollLeft)).toBeGreaterThan(0);
      },
      PHONE,
    );
    await withPage(
      journey.browser,
      async (page) => {
        await signInAs(page, journey.gateway, 'rs501', '/admin/');
        await expectFits(page, `/admin/licences/${licenceId}/`, new RegExp(LICENCE));
        await expectFits(page, '/admin/licences/', 'Licences');
      },
      PHONE,
    );
  });

  it('draws the usage chart across the width with labels of 12 px or more at 320 px', async () => {
    await withPage(
      journey.browser,
      async (page) => {
        await signInAs(page, journey.gateway, 'ar101');
        await page.goto(journey.gateway.url(`/storage/licence/${licenceId}/`));
        const chart = page.getByRole('img', { name: /Usage over the last 12 months/ });
        expect(await chart.count()).toBe(1);
        const measured = await chart.evaluate((svg) => {
          const box = svg.getBoundingClientRect();
          const scale = box.width / (svg as SVGSVGElement).viewBox.baseVal.width;
          const sizes = [...svg.querySelectorAll('text')].map(
            (text) => Number.parseFloat(getComputedStyle(text).fontSize) * scale,
          );
          return { width: box.width, smallest: Math.min(...sizes) };
        });
        expect(measured.width, 'the chart takes the content width, 288 px').toBeGreaterThanOrEqual(280);
        expect(measured.smallest, 'its smallest label').toBeGreaterThanOrEqual(12);
      },
      PHONE,
    );
  });

  it('brings the question into view with its field from an error summary link', async () => {
    await withPage(
      journey.browser,
      async (page) => {
        await signInAs(page, journey.gateway, 'ar101', '/storage/buy/RDS/');
        await page.getByLabel('Name for the licence').fill('');
        await submitForm(page, () => page.getByRole('button', { name: /^Continue/ }).click());
        // The summary also lists the term ("Choose how long the licence lasts"), before the name.
        const link = page.getByRole('alert').getByRole('link', { name: 'Enter a name for the licence' });
        expect(await link.getAttribute('href')).toBe('#licenceName');
        await link.click();
        await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('licenceName');
        const label = await page.locator('label[for="licenceName"]').boundingBox();
        const field = await page.locator('#licenceName').boundingBox();
        expect(label && label.y >= 0, 'the label is on screen').toBe(true);
        expect(field && field.y + field.height <= 480, 'the field is on screen').toBe(true);
      },
      PHONE,
    );
  });

  it('draws short fields short, and the readings disclosure with the site’s focus outline', async () => {
    await withPage(journey.browser, async (page) => {
      await signInAs(page, journey.gateway, 'ar101', `/storage/licence/${licenceId}/change/increase/`);
      const field = await page.getByLabel('How many TB to add').boundingBox();
      expect(field?.width, 'a short field is 8rem wide').toBeLessThanOrEqual(128);

      await page.goto(journey.gateway.url(`/storage/licence/${licenceId}/`));
      const summary = page.getByText(/readings as a table/);
      await summary.focus();
      const outline = await summary.evaluate((element) => {
        const style = getComputedStyle(element);
        return `${style.outlineWidth} ${style.outlineStyle} ${style.outlineColor}`;
      });
      expect(outline).toBe('3px solid rgb(255, 221, 0)');
    });
  });
});
