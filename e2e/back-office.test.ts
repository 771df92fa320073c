import type { Page } from 'playwright-core';
import { beforeAll, expect, it } from 'vitest';
import { buy, RDS_CONFIGURATION, SAMPLE_PDF } from '../apps/gateway/test/support/purchase.ts';
import { Browser as HttpBrowser } from '../apps/gateway/test/support/test-app.ts';
import { describeWithBrowser } from './support/browser.ts';
import { useJourney } from './support/journey.ts';
import { arrive, clickForDownload, downloaded, SLOW_AXE, submitForm, withPage } from './support/pages.ts';
import { signInAs } from './support/sign-in.ts';

const LICENCE = 'Quantum imaging data';
const PROJECT = 'imaging-2026';
const PATH = '/rds/project/imaging-2026';
const SHARE = 'imaging-2026';
const REJECT_REASON = 'RDS is not sold for teaching material: please ask us about RFS.';

/**
 * The whole path from a purchase to active storage in Chromium (issue 5 point 7): Alice buys RDS
 * with a purchase order; Rosa of the research storage team finds the order in the back office,
 * reads the PO, approves it, records what she made and marks it provisioned; Alice sees her
 * licence active from the test day (27 November 2026) for 3 years, where her project lives, and
 * the email saying so. Rosa also rejects another order with a reason that Alice reads. axe-core
 * checks every back-office page on the way.
 */
describeWithBrowser('the service team takes an order from purchase to active storage', SLOW_AXE, () => {
  const journey = useJourney();
  /** Alice's second order, bought over HTTP: Rosa rejects it. */
  let toReject: string;

  beforeAll(async () => {
    const alice = new HttpBrowser(journey.gateway.app);
    await alice.signInAs('ar101');
    toReject = await buy(
      alice,
      'RDS',
      { ...RDS_CONFIGURATION, licenceName: 'Teaching slides', projectName: 'slides' },
      { method: 'purchase-order', poNumber: 'P2222222', file: { bytes: SAMPLE_PDF, name: 'po-slides.pdf' } },
    );
  });

  const main = (page: Page) => page.getByRole('main');
  const backOfficeNav = (page: Page) => page.getByRole('navigation', { name: 'Back office' });

  async function openSection(page: Page, link: string, heading: string | RegExp): Promise<void> {
    await backOfficeNav(page).getByRole('link', { name: link, exact: true }).click();
    await arrive(page, heading, link);
  }

  it('Alice buys, Rosa approves and provisions, Alice finds her storage active; a rejection reaches her', async () => {
    // Alice buys 5 TB of RDS for 3 years and pays with a purchase order.
    const reference = await withPage(journey.browser, async (page) => {
      await signInAs(page, journey.gateway, 'ar101', '/storage/buy/RDS/');
      await page.getByLabel('Size, in TB').fill('5');
      await page.getByLabel('3 years', { exact: true }).check();
      await page.getByLabel('Name for the licence').fill(LICENCE);
      await page.getByLabel('Name of the first storage project').fill(PROJECT);
      await submitForm(page, () => page.getByRole('button', { name: 'Continue to payment' }).click());
      await page.waitForURL((url) => url.pathname === '/storage/buy/RDS/payment');
      await page.getByRole('radio', { name: 'Purchase order' }).check();
      await page.getByLabel('Purchase order number').fill('P7654321');
      await page
        .getByLabel('The purchase order, as a PDF')
        .setInputFiles({ name: 'po-7654321.pdf', mimeType: 'application/pdf', buffer: SAMPLE_PDF });
      await submitForm(page, () => page.getByRole('button', { name: 'Continue' }).click());
      await page.waitForURL((url) => url.pathname === '/storage/buy/RDS/check');
      await page.getByLabel(/I accept the research storage terms and conditions/).check();
      await submitForm(page, () => page.getByRole('button', { name: 'Submit order' }).click());
      await page.waitForURL(/\/orders\/ORD-\d+\/$/);
      expect(await main(page).textContent()).toContain('Waiting for approval');
      return page.url().match(/\/orders\/(ORD-\d+)\//)?.[1] ?? '';
    });
    expect(reference).toMatch(/^ORD-\d+$/);

    await withPage(journey.browser, async (page) => {
      // Rosa opens the back office from the site's navigation, then its order queue.
      await signInAs(page, journey.gateway, 'rs501');
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Back office' }).click();
      await arrive(page, 'Back office', 'back-office home');
      await openSection(page, 'Orders', 'Orders');
      await page.getByLabel('Status').selectOption({ label: 'Awaiting approval' });
      await page.getByLabel('Search').fill(reference);
      await submitForm(page, () => page.getByRole('button', { name: 'Apply filters' }).click());
      await arrive(page, 'Orders', 'order queue, filtered');
      const rows = main(page).locator('tbody tr');
      expect(await rows.count(), 'one order matches').toBe(1);
      expect(await rows.first().textContent()).toContain('Alice Researcher');

      await rows.first().getByRole('link', { name: reference }).click();
      await page.waitForURL((url) => url.pathname === `/admin/orders/${reference}/`);
      await arrive(page, new RegExp(`Order ${reference}`), 'staff order page');
      expect(await main(page).textContent()).toContain('P7654321');
      const download = await clickForDownload(page, page.getByRole('link', { name: 'po-7654321.pdf (PDF)' }));
      expect(download.suggestedFilename()).toBe('po-7654321.pdf');
      expect((await downloaded(download)).equals(SAMPLE_PDF)).toBe(true);

      await submitForm(page, () => page.getByRole('button', { name: `Approve order ${reference}` }).click());
      await arrive(page, new RegExp(`Order ${reference}`), 'approved order', false);
      expect(await main(page).textContent()).toContain(`Order ${reference} approved.`);
      expect(await main(page).textContent()).toContain('Approved by Rosa');

      // She forgets the path: the form comes back with its errors, on the provisioning page.
      const provisioning = page.getByRole('region', { name: 'Provisioning' });
      await provisioning.getByLabel('Share name (optional)').fill(SHARE);
      await submitForm(page, () => page.getByRole('button', { name: 'Mark as provisioned' }).click());
      await arrive(page, new RegExp(`Provisioning order ${reference}`), 'provisioning form with errors');
      expect(await page.title()).toMatch(/^Error: /);
      const summary = page.getByRole('alert').filter({ hasText: 'There is a problem' });
      expect(await summary.textContent()).toContain(`Enter the path of storage project ${PROJECT}`);
      expect(await page.getByLabel('Share name (optional)').inputValue()).toBe(SHARE);
      await page.getByLabel('Path').fill(PATH);
      await page.getByLabel('Group names').fill('rds-imaging-2026-users, rds-imaging-2026-managers');
      await submitForm(page, () => page.getByRole('button', { name: 'Mark as provisioned' }).click());
      await page.waitForURL((url) => url.pathname === `/admin/orders/${reference}/`);
      await arrive(page, new RegExp(`Order ${reference}`), 'provisioned order');
      const text = await main(page).textContent();
      expect(text).toContain(`Order ${reference} is provisioned`);
      expect(await page.getByRole('status').filter({ hasText: 'New storage' }).textContent()).toContain('Completed');
      expect(text).toContain(PATH);

      // Another of Alice's orders is rejected, with a reason for her.
      await page.goto(journey.gateway.url(`/admin/orders/${toReject}/`));
      await page.getByLabel('Reason for rejecting').fill(REJECT_REASON);
      await submitForm(page, () => page.getByRole('button', { name: `Reject order ${toReject}` }).click());
      await arrive(page, new RegExp(`Order ${toReject}`), 'rejected order', false);
      expect(await main(page).textContent()).toContain(`Reason: ${REJECT_REASON}`);

      // The rest of the back office, through its navigation.
      await openSection(page, 'Licences', 'Licences');
      await main(page).getByRole('link', { name: LICENCE, exact: true }).click();
      await arrive(page, new RegExp(LICENCE), 'licence page');
      expect(await main(page).textContent()).toContain(PATH);
      await openSection(page, 'Products and prices', 'Products and prices');
      await openSection(page, 'Vouchers', 'Vouchers');
      await openSection(page, 'People and roles', 'People and roles');
      await openSection(page, 'Audit trail', 'Audit trail');
      await openSection(page, 'View as a customer', 'View the site as a customer');
    });

    await withPage(journey.browser, async (page) => {
      // Alice's licence is active from the test day for three years, and her project has its path.
      await signInAs(page, journey.gateway, 'ar101');
      await main(page).getByRole('link', { name: LICENCE, exact: true }).click();
      await arrive(page, new RegExp(LICENCE), 'customer licence page', false);
      const summary = await main(page).locator('dl').first().textContent();
      expect(summary).toContain('Active');
      expect(summary).toContain('27 November 2026');
      expect(summary).toContain('26 November 2029');
      await main(page).getByRole('link', { name: PROJECT, exact: true }).click();
      await arrive(page, new RegExp(PROJECT), 'customer project page', false);
      expect(await main(page).textContent()).toContain(PATH);
      expect(await main(page).textContent()).toContain(SHARE);

      // The rejected order says why.
      await page.goto(journey.gateway.url(`/orders/${toReject}/`));
      expect(await main(page).textContent()).toContain('Not approved');
      expect(await main(page).textContent()).toContain(`Reason: ${REJECT_REASON}`);

      // The email that the storage is ready, in the outbox viewer.
      await page.goto(journey.gateway.url('/dev/mail/'));
      await main(page)
        .getByRole('link', { name: `Your storage is ready: ${LICENCE}` })
        .first()
        .click();
      await arrive(page, `Your storage is ready: ${LICENCE}`, 'storage-ready email', false);
      expect(await main(page).textContent()).toContain(reference);
    });
  });
});
