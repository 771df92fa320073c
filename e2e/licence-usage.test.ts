import type { Page } from 'playwright-core';
import { beforeAll, expect, it } from 'vitest';
import { recheckFinanceCode } from '../apps/gateway/src/modules/lifecycle/finance-recheck.service.ts';
import { reviewLeavers } from '../apps/gateway/src/modules/lifecycle/leaver-flags.service.ts';
import { cufsClientFromConfig } from '../apps/gateway/src/modules/payments/cufs-client.ts';
import { siteLinks } from '../apps/gateway/src/platform/config.ts';
import { insertStorage } from '../apps/gateway/test/support/storage-fixtures.ts';
import { TEST_TODAY } from '../apps/gateway/test/support/test-app.ts';
import { expectNoAxeViolations } from './support/axe.ts';
import { describeWithBrowser } from './support/browser.ts';
import { useJourney } from './support/journey.ts';
import { arrive, expectFieldError, SLOW_AXE, submitForm, withPage } from './support/pages.ts';
import { signInAs } from './support/sign-in.ts';

const LICENCE = 'Usage lab';
const CLOSED_CODE_LICENCE = 'Closed code lab';
const DATA = '/rds/project/usage-lab-data';
const SCRATCH = '/rds/project/usage-lab-scratch';
const TB = 1_000_000_000_000;

/**
 * The licence page with what the nightly work adds to it (issue 6 points 1 and 5), in Chromium:
 * Rosa of the research storage team imports a storage system's usage report in the back office;
 * the directory sync has found that Leo, a Project Data User, has left. Alice's licence page then
 * shows the usage chart (an SVG image with a text alternative and a table of the readings) and a
 * warning naming Leo; she removes him and the warning goes. The nightly finance-code re-check has
 * found that the code paying for another of her licences has closed: she gives another one on its
 * page, first the closed one again (refused beside the field), then an open one, and the flag
 * goes. axe-core checks every page.
 */
describeWithBrowser('the licence page with a usage chart and a leaver flag', SLOW_AXE, () => {
  const journey = useJourney({ cufs: true });
  let licenceId: number;
  let dataProjectId: number;
  let closedCodeLicenceId: number;

  beforeAll(async () => {
    const { db } = journey.gateway.database;
    await db
      .insertInto('people')
      .values({ crsid: 'lp999', display_name: 'Leo Parted', email: 'lp999@cam.ac.uk', status: 'left' })
      .execute();
    const made = await insertStorage(db, {
      name: LICENCE,
      owner: 'ar101',
      sizeTb: 10,
      status: 'active',
      startDate: '2026-01-01',
      endDate: '2028-12-31',
      projects: [
        {
          name: 'usage-lab-data',
          quotaTb: 6,
          status: 'active',
          members: [{ crsid: 'lp999', role: 'project-data-user' }],
        },
        { name: 'usage-lab-scratch', quotaTb: 4, status: 'active' },
      ],
      order: { status: 'completed' },
    });
    licenceId = made.licenceId;
    dataProjectId = made.projectIds[0] as number;
    for (const [index, path] of [DATA, SCRATCH].entries()) {
      await db
        .updateTable('storage_projects')
        .set({ path })
        .where('id', '=', made.projectIds[index] as number)
        .execute();
    }
    // What the nightly directory sync does once it has read that Leo left.
    const today = TEST_TODAY.slice(0, 10);
    await db
      .transaction()
      .execute((tx) => reviewLeavers(tx, journey.gateway.jobs.queue, today, siteLinks(journey.gateway.config)));

    // A licence paid by PHZX.GAAA, which the live CUFS service says is closed, and that night's re-check.
    const closed = await insertStorage(db, {
      name: CLOSED_CODE_LICENCE,
      owner: 'ar101',
      status: 'active',
      startDate: '2026-01-01',
      endDate: '2028-12-31',
      order: { status: 'completed' },
    });
    closedCodeLicenceId = closed.licenceId;
    await db
      .updateTable('payments')
      .set({ method: 'finance-code', finance_code: 'PHZX.GAAA' })
      .where('order_id', '=', closed.order?.id ?? 0)
      .execute();
    const { config } = journey.gateway;
    const flagged = await recheckFinanceCode(
      db,
      journey.gateway.jobs.queue,
      cufsClientFromConfig(config.cufs),
      'PHZX.GAAA',
      today,
      siteLinks(config),
    );
    expect(flagged).toMatchObject({ outcome: 'flagged', licences: 1 });
  });

  const main = (page: Page) => page.getByRole('main');

  it('Rosa imports usage readings; Alice sees the chart and the leaver, removes him, and the warning goes', async () => {
    // Three months of readings of the data project and one of the scratch project, and a row for a path nobody has.
    const csv = [
      'path,read_on,used_bytes',
      `${DATA},2026-09-01,${2 * TB}`,
      `${DATA},2026-10-01,${3 * TB}`,
      `${DATA},2026-11-01,${4 * TB}`,
      `${SCRATCH},2026-11-01,${TB}`,
      `/rds/project/nobody,2026-11-01,${TB}`,
    ].join('\n');
    await withPage(journey.browser, async (page) => {
      await signInAs(page, journey.gateway, 'rs501', '/admin/');
      // the back-office home counts the team's flagged licences: Leo's and the closed code's
      await arrive(page, 'Back office', 'back-office home with flagged licences');
      for (const words of ['paid by a finance code that has closed', 'someone in a role who has left the University'])
        expect(
          await main(page)
            .getByRole('link', { name: new RegExp(words) })
            .count(),
          words,
        ).toBe(1);
      await page.getByRole('navigation', { name: 'Back office' }).getByRole('link', { name: 'Usage readings' }).click();
      await arrive(page, 'Import usage readings', 'usage import');
      await page
        .getByLabel('Usage report (CSV)')
        .setInputFiles({ name: 'usage.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
      await submitForm(page, () => page.getByRole('button', { name: 'Import' }).click());
      await arrive(page, 'Usage readings imported', 'usage imported');
      const summary = await main(page).locator('dl').first().textContent();
      expect(summary).toContain('New readings stored4');
      expect(summary).toContain('Rows rejected1');
      expect(await page.getByRole('region', { name: 'Rows rejected' }).textContent()).toContain('unknown path');
    });

    await withPage(journey.browser, async (page) => {
      await signInAs(page, journey.gateway, 'ar101');
      await main(page).getByRole('link', { name: LICENCE, exact: true }).click();
      await page.waitForURL((url) => url.pathname === `/storage/licence/${licenceId}/`);
      await arrive(page, LICENCE, 'licence page with a chart and a leaver flag');

      const warning = page.getByRole('status').filter({ hasText: 'has left the University' });
      expect(await warning.textContent()).toContain(
        'Leo Parted (lp999), Project Data User of usage-lab-data, has left the University.',
      );
      // The chart is one image with a text alternative; its latest figure is also in words.
      const usage = page.getByRole('region', { name: 'Usage', exact: true });
      const chart = usage.getByRole('img', { name: /Usage over the last 12 months/ });
      expect(await chart.count()).toBe(1);
      expect(await usage.locator('figcaption').textContent()).toContain(
        '5.0 TB of 10 TB used (50%) on 1 November 2026',
      );
      // The readings as a table, behind a disclosure that works from the keyboard.
      const table = usage.getByRole('table');
      expect(await table.isVisible()).toBe(false);
      await usage.getByText(/readings as a table/).focus();
      await page.keyboard.press('Enter');
      await expect.poll(() => table.isVisible()).toBe(true);
      expect(await table.getByRole('row').count()).toBeGreaterThan(1);
      await expectNoAxeViolations(page, 'licence page with the readings table open');
      // Each project's latest usage beside its quota (the percentage rounded down: 4 of 6 TB is 66%).
      const projects = page.getByRole('region', { name: 'Storage projects' });
      expect(await projects.getByRole('row').filter({ hasText: 'usage-lab-data' }).textContent()).toContain(
        '4.0 TB (66%) on 1 November 2026',
      );

      // Alice removes Leo from the project; the warning goes from the licence page.
      await page.goto(journey.gateway.url(`/storage/project/${dataProjectId}/`));
      await arrive(page, /usage-lab-data/, 'project page with usage');
      // The removal asks first, and says that Leo, having left, is not emailed.
      await page.getByRole('link', { name: 'Remove Leo Parted as Project Data User' }).click();
      await page.waitForURL((url) => url.pathname === `/storage/project/${dataProjectId}/members/remove`);
      await arrive(page, 'Remove Leo Parted as a Project Data User?', 'removal of a leaver: confirmation');
      expect(await main(page).textContent()).toContain('They are not emailed: Leo Parted has left the University.');
      await submitForm(page, () => page.getByRole('button', { name: 'Yes, remove Leo Parted' }).click());
      expect(await page.getByRole('status').first().textContent()).toBe(
        'Leo Parted (lp999) has been removed from this project.',
      );
      await page.goto(journey.gateway.url(`/storage/licence/${licenceId}/`));
      await arrive(page, LICENCE, 'licence page after the leaver is removed');
      expect(await page.getByRole('status').filter({ hasText: 'has left the University' }).count()).toBe(0);
    });
  });

  it('Alice gives another finance code for the closed one that pays for a licence, and the flag goes', async () => {
    await withPage(journey.browser, async (page) => {
      await signInAs(page, journey.gateway, 'ar101');
      await page.goto(journey.gateway.url(`/storage/licence/${closedCodeLicenceId}/`));
      await arrive(page, CLOSED_CODE_LICENCE, 'licence page flagged for a closed finance code');
      const section = page.getByRole('region', { name: 'Give another finance code' });
      expect(await section.getByRole('status').textContent()).toContain('The finance code PHZX.GAAA has closed');

      const field = section.getByLabel('New finance code');
      await field.fill('PHZX.GAAA');
      await submitForm(page, () => section.getByRole('button', { name: 'Use this finance code' }).click());
      await arrive(page, CLOSED_CODE_LICENCE, 'licence page with the closed code given again');
      await expectFieldError(page, 'financeCode', /PHZX\.GAAA is the finance code that has closed/);
      expect(await page.getByLabel('New finance code').inputValue()).toBe('PHZX.GAAA');

      await page.getByLabel('New finance code').fill('PHAA.GAAA');
      await submitForm(page, () => page.getByRole('button', { name: 'Use this finance code' }).click());
      await arrive(page, CLOSED_CODE_LICENCE, 'licence page after another finance code');
      expect(await page.getByRole('status').first().textContent()).toContain(
        'Finance code PHAA.GAAA now pays for this licence instead of PHZX.GAAA.',
      );
      expect(await page.getByRole('region', { name: 'Give another finance code' }).count()).toBe(0);
    });
  });
});
