import type { Page } from 'playwright-core';
import { expect, it } from 'vitest';
import { insertStorage } from '../apps/gateway/test/support/storage-fixtures.ts';
import { describeWithBrowser } from './support/browser.ts';
import { useJourney } from './support/journey.ts';
import { arrive, errorSummary, expectFieldError, SLOW_AXE, submitForm, withPage } from './support/pages.ts';
import { signInAs } from './support/sign-in.ts';

/**
 * Changing a licence in Chromium (issue 6 point 2), each change an order paid like a purchase:
 * Alice renews a licence with a finance code, increases one with the pro-rata price explained,
 * and cancels one after reading what a cancellation does. Each is an active 5 TB RDS licence of
 * hers from 1 August 2026 to 31 July 2027, on the test day 27 November 2026 (internal: no VAT),
 * except those she renews: a renewal opens 60 days before the end date (RENEWAL_OPENS_DAYS_BEFORE_END),
 * so theirs run from 16 January 2026 to 15 January 2027. axe-core checks every page on the way.
 */
describeWithBrowser('a Data Owner renews, increases and cancels licences in a browser', SLOW_AXE, () => {
  const journey = useJourney({ cufs: true });

  async function licence(name: string, dates = { startDate: '2026-08-01', endDate: '2027-07-31' }): Promise<number> {
    const made = await insertStorage(journey.gateway.database.db, {
      name,
      owner: 'ar101',
      sizeTb: 5,
      status: 'active',
      ...dates,
      projects: [{ name: 'lab', quotaTb: 5, status: 'active' }],
      order: { status: 'completed' },
    });
    return made.licenceId;
  }

  /** A licence ending 49 days after the test day, within the 60 days in which it can be renewed. */
  const endingSoon = { startDate: '2026-01-16', endDate: '2027-01-15' };

  const main = (page: Page) => page.getByRole('main');
  const pricePanel = (page: Page) => page.getByRole('region', { name: 'Price' });

  /**
   * Alice on the licence's page, choosing one of the changes its "Change this licence" section
   * offers (which, when given, first says `sectionSays`).
   */
  async function startChange(
    page: Page,
    id: number,
    name: string,
    action: string,
    sectionSays?: string,
  ): Promise<void> {
    await signInAs(page, journey.gateway, 'ar101');
    await main(page).getByRole('link', { name, exact: true }).click();
    await page.waitForURL((url) => url.pathname === `/storage/licence/${id}/`);
    const section = page.getByRole('region', { name: 'Change this licence' });
    if (sectionSays) expect(await section.textContent()).toContain(sectionSays);
    await section.getByRole('link', { name: action, exact: true }).click();
    await page.waitForURL((url) => url.pathname.startsWith(`/storage/licence/${id}/change/`));
    await arrive(page, new RegExp(action), `${action}: the first step`);
  }

  /** The payment step with a finance code (when asked, a closed cost centre's first). */
  async function payWithFinanceCode(page: Page, label: string, options: { closedFirst: boolean }): Promise<void> {
    await page.waitForURL((url) => url.pathname.endsWith('/payment'));
    await arrive(page, /How will you pay\?/, `${label}: payment`);
    await page.getByRole('radio', { name: 'University finance code' }).check();
    const financeCode = page.getByRole('textbox', { name: 'Finance code', exact: true });
    if (options.closedFirst) {
      await financeCode.fill('PHZX.GAAA');
      await submitForm(page, () => page.getByRole('button', { name: 'Continue' }).click());
      await arrive(page, /How will you pay\?/, `${label}: payment with an error`);
      await expectFieldError(page, 'financeCode', /This finance code cannot be used/);
    }
    await financeCode.fill('PHAA.GAAA');
    await submitForm(page, () => page.getByRole('button', { name: 'Continue' }).click());
    await page.waitForURL((url) => url.pathname.endsWith('/check'));
    await arrive(page, /Check your order/, `${label}: check`);
    expect(await main(page).textContent()).toContain('PHAA.GAAA');
  }

  /** Accepts the terms, submits (a cancellation's button says "Cancel the licence"), and returns the new order's reference from its page. */
  async function submit(page: Page, label: string, button = 'Submit order'): Promise<string> {
    await page.getByLabel(/I accept the research storage terms and conditions/).check();
    await submitForm(page, () => page.getByRole('button', { name: button }).click());
    await page.waitForURL(/\/orders\/ORD-\d+\/$/);
    const reference = page.url().match(/\/orders\/(ORD-\d+)\//)?.[1] ?? '';
    await arrive(page, new RegExp(`Order ${reference}`), `${label}: order`);
    expect(await page.getByRole('status').first().textContent()).toContain(`Order ${reference} submitted`);
    expect(await main(page).textContent()).toContain('Waiting for approval');
    return reference;
  }

  it('Alice renews a licence for a year at today’s price, paying with a finance code', async () => {
    const id = await licence('Renewal lab', endingSoon);
    await withPage(journey.browser, async (page) => {
      await startChange(page, id, 'Renewal lab', 'Renew');
      // No term chosen: the summary's link leads to the radio group.
      await submitForm(page, () => page.getByRole('button', { name: 'Continue to payment' }).click());
      await arrive(page, /Renew/, 'renewal with an error');
      await expectFieldError(page, 'termYears', 'Choose how long to renew for');
      await errorSummary(page).getByRole('link').click();
      await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('termYears');
      await page.getByLabel('1 year', { exact: true }).check();
      await submitForm(page, () => page.getByRole('button', { name: 'Update price' }).click());
      await arrive(page, /Renew/, 'renewal priced');
      const price = await pricePanel(page).textContent();
      expect(price).toContain('5 TB × £54.00 per TB per year × 1 year, from 16 January 2027 to 15 January 2028');
      expect(price).toContain('£270.00');
      expect(price).toContain('None (internal customer)');
      expect(await page.getByLabel('1 year', { exact: true }).isChecked()).toBe(true);
      await submitForm(page, () => page.getByRole('button', { name: 'Continue to payment' }).click());

      await payWithFinanceCode(page, 'renewal', { closedFirst: true });
      const check = await main(page).textContent();
      expect(check).toContain('from 16 January 2027 to 15 January 2028');
      expect(check).toContain('£270.00');
      const reference = await submit(page, 'renewal');
      expect(await main(page).textContent()).toContain('Renewal');

      // Back on the licence: the order is listed and no other change can start while it is open.
      await page.getByRole('link', { name: 'Renewal lab' }).first().click();
      await page.waitForURL((url) => url.pathname === `/storage/licence/${id}/`);
      await arrive(page, /Renewal lab/, 'licence with a renewal in progress');
      const section = page.getByRole('region', { name: 'Change this licence' });
      expect(await section.textContent()).toContain(reference);
      expect(await section.getByRole('link').count()).toBe(0);
      expect(await page.getByRole('region', { name: 'Orders', exact: true }).textContent()).toContain(reference);
    });
  });

  it('Alice adds 2 TB, priced by the day to the end date', async () => {
    const id = await licence('Increase lab');
    await withPage(journey.browser, async (page) => {
      // Eight months from its end, it cannot be renewed yet: the section says from when instead.
      await startChange(page, id, 'Increase lab', 'Increase the size', 'Renewal opens on 1 June 2027, 60 days before');
      expect(await page.title()).toMatch(/^Increase the size of “Increase lab”/);
      await page.getByLabel('How many TB to add').fill('2');
      await submitForm(page, () => page.getByRole('button', { name: 'Update price' }).click());
      await arrive(page, /Increase the size/, 'increase priced');
      // 27 November 2026 to 31 July 2027 is 247 days: 2 TB × £54 × 247 / 365 = £73.08.
      const price = await pricePanel(page).textContent();
      expect(price).toContain('2 TB × £54.00 per TB per year × 247 days from 27 November 2026 to 31 July 2027');
      expect(price).toContain('£73.08');
      expect(await page.getByLabel('How many TB to add').inputValue()).toBe('2');
      await submitForm(page, () => page.getByRole('button', { name: 'Continue to payment' }).click());

      await payWithFinanceCode(page, 'increase', { closedFirst: false });
      const check = await main(page).textContent();
      expect(check).toContain('5 TB now, 7 TB after (2 TB more)');
      expect(check).toContain('£73.08');
      await submit(page, 'increase');
      expect(await main(page).textContent()).toContain('£73.08');
    });
  });

  it('Alice gets a quote for a renewal, and renews with it', async () => {
    const id = await licence('Quoted lab', endingSoon);
    await withPage(journey.browser, async (page) => {
      await startChange(page, id, 'Quoted lab', 'Renew');
      await page.getByLabel('2 years', { exact: true }).check();
      await submitForm(page, () => page.getByRole('button', { name: 'Get a quote' }).click());
      await page.waitForURL(/\/storage\/quotes\/Q-\d+\/$/);
      const quote = page.url().match(/\/storage\/quotes\/(Q-\d+)\//)?.[1] ?? '';
      await arrive(page, new RegExp(`Quote ${quote}`), 'renewal quote');
      const words = await main(page).textContent();
      expect(words).toContain('A renewal of “Quoted lab” (5 TB) for 2 years, 16 January 2027 to 15 January 2029');
      expect(words).toContain('£540.00');

      await main(page).getByRole('link', { name: 'Renew with this quote' }).click();
      await page.waitForURL((url) => url.pathname === `/storage/licence/${id}/change/renewal/`);
      await arrive(page, /Renew/, 'renewal with a quote');
      expect(await main(page).textContent()).toContain(`Ordering with quote ${quote}`);
      expect(await page.getByLabel('2 years', { exact: true }).isChecked()).toBe(true);
      await submitForm(page, () => page.getByRole('button', { name: 'Continue to payment' }).click());
      await payWithFinanceCode(page, 'renewal with a quote', { closedFirst: false });
      expect(await main(page).textContent()).toContain(`At the price of quote ${quote}`);
      await submit(page, 'renewal with a quote');
      expect(await main(page).textContent()).toContain(`At the price of quote ${quote}`);
    });
  });

  it('Alice cancels a licence after reading what it does, and must accept the terms', async () => {
    const id = await licence('Cancel lab');
    await withPage(journey.browser, async (page) => {
      await startChange(page, id, 'Cancel lab', 'Cancel this licence');
      expect(await main(page).textContent()).toContain('No refund is made');
      expect(await pricePanel(page).count(), 'a cancellation has no price to update').toBe(0);
      await page.getByLabel('Why are you cancelling? (optional)').fill('The project has finished.');
      // It costs nothing: no payment step, straight to the check.
      await submitForm(page, () => page.getByRole('button', { name: 'Continue', exact: true }).click());
      await page.waitForURL((url) => url.pathname.endsWith('/check'));
      await arrive(page, /Check your order/, 'cancellation: check');
      const check = await main(page).textContent();
      expect(check).toContain('Nothing to pay: no payment details are needed.');
      expect(check).toContain('The project has finished.');
      expect(check).toContain('the licence ends: nobody can use its storage any more');
      expect(check).toContain('£0.00');
      // Submitting without accepting the terms is the last chance to stop.
      await submitForm(page, () => page.getByRole('button', { name: 'Cancel the licence' }).click());
      await arrive(page, /Check your order/, 'cancellation check with an error');
      await expectFieldError(page, 'acceptTerms', 'Accept the terms and conditions to submit the order');
      await submit(page, 'cancellation', 'Cancel the licence');
      expect(await main(page).textContent()).toContain('Cancellation');
    });
  });
});
