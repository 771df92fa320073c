import type { Page } from 'playwright-core';
import { expect, it } from 'vitest';
import { buy, RDS_CONFIGURATION, SAMPLE_PDF } from '../apps/gateway/test/support/purchase.ts';
import { Browser as HttpBrowser } from '../apps/gateway/test/support/test-app.ts';
import { describeWithBrowser } from './support/browser.ts';
import { useJourney } from './support/journey.ts';
import {
  arrive,
  clickForDownload,
  downloaded,
  errorSummary,
  expectFieldError,
  SLOW_AXE,
  submitForm,
  withPage,
} from './support/pages.ts';
import { signInAs } from './support/sign-in.ts';

/**
 * Buying storage in Chromium, one journey per way of paying, as a person would: following links,
 * typing, clicking labels and buttons. The price is 5 TB × £54.00 × 3 years = £810.00 for RDS and
 * 2 TB × £150.00 × 1 year = £300.00 for IFS on the test day (internal customers: no VAT).
 */
describeWithBrowser('a person buys storage in a browser', SLOW_AXE, () => {
  const journey = useJourney({ cufs: true });

  const pricePanel = (page: Page) => page.getByRole('region', { name: 'Price' });

  /**
   * Alice buys 5 TB of RDS for 3 years and pays with a finance code: the price as she goes, a
   * forgotten field, a closed cost centre, the terms not ticked, then the order and My storage.
   * With JavaScript the price updates as she types; without, she asks for it with "Update price".
   */
  async function financeCodeJourney(page: Page, options: { js: boolean }): Promise<string> {
    const axe = options.js;
    const licenceName = options.js ? 'Quantum imaging data' : 'Quantum imaging data (no JS)';
    await signInAs(page, journey.gateway, 'ar101');
    await arrive(page, 'My storage', 'my storage before', axe);
    await page.getByRole('link', { name: 'Buy Research Data Store (RDS)' }).click();
    await page.waitForURL((url) => url.pathname === '/storage/buy/RDS/');
    await arrive(page, /Buy Research Data Store/, 'configure', axe);
    // Her department and CRSid are filled in to start with.
    expect(await page.getByLabel('Department that pays').inputValue()).toBe('PHYS');
    expect(await page.getByLabel('Data Owner’s CRSid').inputValue()).toBe('ar101');
    expect(await pricePanel(page).textContent()).not.toContain('£');
    // Each hint stands on its own line between its label and its field.
    for (const field of ['sizeTb', 'institutionId', 'licenceName']) {
      const hint = await page.locator(`#${field}-hint`).boundingBox();
      const input = await page.locator(`#${field}`).boundingBox();
      expect(hint && input && input.y >= hint.y + hint.height, `${field}: hint above the field`).toBe(true);
    }

    await page.getByLabel('Size, in TB').fill('5');
    await page.getByLabel('3 years', { exact: true }).check();
    if (options.js) {
      // No button pressed: the live region shows the price for what she has typed so far.
      await expect.poll(() => pricePanel(page).textContent()).toContain('£810.00');
      expect(await pricePanel(page).getAttribute('aria-live')).toBe('polite');
      expect(await pricePanel(page).textContent()).toContain('5 TB × £54.00 per TB per year × 3 years');
      await page.getByLabel('Size, in TB').fill('6');
      await expect.poll(() => pricePanel(page).textContent()).toContain('£972.00');
      await page.getByLabel('Size, in TB').fill('5');
      await expect.poll(() => pricePanel(page).textContent()).toContain('£810.00');
    } else {
      await submitForm(page, () => page.getByRole('button', { name: 'Update price' }).click());
      await arrive(page, /Buy Research Data Store/, 'configure priced', false);
      expect(await pricePanel(page).textContent()).toContain('5 TB × £54.00 per TB per year × 3 years');
      expect(await pricePanel(page).textContent()).toContain('£810.00');
      // The answers so far are kept.
      expect(await page.getByLabel('3 years', { exact: true }).isChecked()).toBe(true);
    }
    expect(await pricePanel(page).textContent()).toContain('None (internal customer)');

    await page.getByLabel('Name for the licence').fill(licenceName);
    await page.getByLabel('Data Managers’ CRSids (optional)').fill('bm202');
    // She forgets the project's name.
    await submitForm(page, () => page.getByRole('button', { name: 'Continue to payment' }).click());
    await arrive(page, /Buy Research Data Store/, 'configure with errors', axe);
    await expectFieldError(page, 'projectName', 'Enter a name for the first storage project');
    expect(await pricePanel(page).textContent(), 'the price stays on the re-shown form').toContain('£810.00');
    if (options.js) {
      await expect.poll(() => page.evaluate(() => document.activeElement?.className)).toBe('error-summary');
    }
    expect(await page.getByLabel('Name for the licence').inputValue()).toBe(licenceName);
    expect(await page.getByLabel('Size, in TB').inputValue()).toBe('5');
    await page.getByLabel('Name of the first storage project').fill('imaging-2026');
    await submitForm(page, () => page.getByRole('button', { name: 'Continue to payment' }).click());

    await page.waitForURL((url) => url.pathname === '/storage/buy/RDS/payment');
    await arrive(page, /How will you pay\?/, 'payment', axe);
    expect(await page.getByRole('main').textContent()).toContain('The total is £810.00');
    expect(await page.getByRole('radio', { name: 'Voucher' }).count(), 'vouchers are for IFS only').toBe(0);
    await page.getByRole('radio', { name: 'University finance code' }).check();
    const financeCode = page.getByRole('textbox', { name: 'Finance code', exact: true });
    await financeCode.fill('PHZX.GAAA');
    await submitForm(page, () => page.getByRole('button', { name: 'Continue' }).click());
    await arrive(page, /How will you pay\?/, 'payment with errors', axe);
    await expectFieldError(page, 'financeCode', /This finance code cannot be used/);
    expect(await page.locator('#financeCode-error').textContent()).toContain('PHZX');
    expect(await page.getByRole('radio', { name: 'University finance code' }).isChecked()).toBe(true);
    // The summary's link takes her to the field.
    await errorSummary(page).getByRole('link').click();
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('financeCode');
    await financeCode.fill('PHAA.GAAA');
    await submitForm(page, () => page.getByRole('button', { name: 'Continue' }).click());

    await page.waitForURL((url) => url.pathname === '/storage/buy/RDS/check');
    await arrive(page, /Check your order/, 'check', axe);
    const main = page.getByRole('main');
    for (const text of [
      '5 TB',
      '3 years',
      'Department of Physics',
      licenceName,
      'imaging-2026',
      'Ben Manager (bm202)',
    ]) {
      expect(await main.textContent(), text).toContain(text);
    }
    expect(await main.textContent()).toContain('PHAA.GAAA');
    expect(await main.textContent()).toContain('Checked: Physics');
    expect(await main.textContent()).toContain('£810.00');
    expect(await page.getByRole('link', { name: 'Change the payment' }).getAttribute('href')).toBe(
      '/storage/buy/RDS/payment',
    );

    // She forgets to accept the terms.
    await submitForm(page, () => page.getByRole('button', { name: 'Submit order' }).click());
    await arrive(page, /Check your order/, 'check with errors', axe);
    await expectFieldError(page, 'acceptTerms', 'Accept the terms and conditions to submit the order');
    await page.getByLabel(/I accept the research storage terms and conditions/).check();
    await submitForm(page, () => page.getByRole('button', { name: 'Submit order' }).click());

    await page.waitForURL(/\/orders\/ORD-\d+\/$/);
    const reference = page.url().match(/\/orders\/(ORD-\d+)\//)?.[1] ?? '';
    await arrive(page, new RegExp(`Order ${reference}`), 'order', axe);
    const status = page.getByRole('status');
    expect(await status.first().textContent()).toContain(`Order ${reference} submitted`);
    expect(await main.textContent()).toContain('Waiting for approval');
    expect(await main.textContent()).toContain('PHAA.GAAA');
    expect(await main.textContent()).toContain('£810.00');

    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'My storage' }).click();
    await page.waitForURL((url) => url.pathname === '/storage/');
    await arrive(page, 'My storage', 'my storage', axe);
    const orderRow = page.getByRole('row').filter({ has: page.getByRole('link', { name: reference, exact: true }) });
    expect(await orderRow.count()).toBe(1);
    expect(await orderRow.textContent()).toContain('Waiting for approval');
    expect(await orderRow.textContent()).toContain('£810.00');
    const licenceRow = page
      .getByRole('row')
      .filter({ has: page.getByRole('link', { name: licenceName, exact: true }) });
    expect(await licenceRow.count()).toBe(1);
    expect(await licenceRow.textContent()).toContain('Waiting to be set up');
    expect(await licenceRow.textContent()).not.toMatch(/pending|awaiting/);
    expect(await orderRow.textContent()).not.toMatch(/awaiting-approval/);
    return reference;
  }

  it('Alice buys RDS with a finance code, with the price as she types and no axe violations', async () => {
    await withPage(journey.browser, (page) => financeCodeJourney(page, { js: true }));
  });

  it('Alice buys RDS with a finance code with JavaScript turned off, using "Update price"', async () => {
    await withPage(journey.browser, (page) => financeCodeJourney(page, { js: false }), { javaScriptEnabled: false });
  });

  it('Alice gets a quote, downloads its PDF, and buys against it with a purchase order', async () => {
    await withPage(journey.browser, async (page) => {
      await signInAs(page, journey.gateway, 'ar101', '/storage/buy/RDS/');
      await page.getByLabel('Size, in TB').fill('5');
      await page.getByLabel('3 years', { exact: true }).check();
      await page.getByLabel('Name for the licence').fill('Telescope archive');
      await page.getByLabel('Name of the first storage project').fill('telescope');
      await submitForm(page, () => page.getByRole('button', { name: 'Get a quote' }).click());

      await page.waitForURL(/\/storage\/quotes\/[^/]+\/$/);
      await arrive(page, /Quote /, 'quote', true);
      const quoteReference = page.url().match(/\/storage\/quotes\/([^/]+)\//)?.[1] ?? '';
      expect(await page.getByRole('main').textContent()).toContain('£810.00');
      const pdf = await clickForDownload(page, page.getByRole('link', { name: 'Download the quote (PDF)' }));
      expect(pdf.suggestedFilename()).toBe(`${quoteReference}.pdf`);
      expect((await downloaded(pdf)).subarray(0, 5).toString('latin1')).toBe('%PDF-');

      await page.getByRole('link', { name: 'Buy this storage' }).click();
      await page.waitForURL((url) => url.pathname === '/storage/buy/RDS/');
      await arrive(page, /Buy Research Data Store/, 'configure from a quote', true);
      expect(await page.getByRole('main').textContent()).toContain(`Buying with quote ${quoteReference}`);
      expect(await page.getByLabel('Size, in TB').inputValue()).toBe('5');
      expect(await page.getByLabel('3 years', { exact: true }).isChecked()).toBe(true);
      expect(await page.getByLabel('Name for the licence').inputValue()).toBe('Telescope archive');
      const project = page.getByLabel('Name of the first storage project');
      if ((await project.inputValue()) === '') await project.fill('telescope');
      await submitForm(page, () => page.getByRole('button', { name: 'Continue to payment' }).click());

      await page.waitForURL((url) => url.pathname === '/storage/buy/RDS/payment');
      await page.getByRole('radio', { name: 'Purchase order' }).check();
      await page.getByLabel('Purchase order number').fill('P7654321');
      const file = page.getByLabel('The purchase order, as a PDF');
      // A text file with a PDF's name is refused by its content.
      await file.setInputFiles({
        name: 'purchase-order.pdf',
        mimeType: 'application/pdf',
        buffer: Buffer.from('Not really a PDF'),
      });
      await submitForm(page, () => page.getByRole('button', { name: 'Continue' }).click());
      await arrive(page, /How will you pay\?/, 'payment with a refused file', true);
      await expectFieldError(page, 'poDocument', 'The purchase order must be a PDF');
      expect(await page.getByLabel('Purchase order number').inputValue()).toBe('P7654321');
      await page
        .getByLabel('The purchase order, as a PDF')
        .setInputFiles({ name: 'po-7654321.pdf', mimeType: 'application/pdf', buffer: SAMPLE_PDF });
      await submitForm(page, () => page.getByRole('button', { name: 'Continue' }).click());

      await page.waitForURL((url) => url.pathname === '/storage/buy/RDS/check');
      const main = page.getByRole('main');
      expect(await main.textContent()).toContain(`At the price of quote ${quoteReference}`);
      expect(await main.textContent()).toContain('P7654321');
      expect(await main.textContent()).toContain('po-7654321.pdf');
      await page.getByLabel(/I accept the research storage terms and conditions/).check();
      await submitForm(page, () => page.getByRole('button', { name: 'Submit order' }).click());

      await page.waitForURL(/\/orders\/ORD-\d+\/$/);
      await arrive(page, /Order ORD-\d+/, 'order paid by PO', true);
      expect(await main.textContent()).toContain(`At the price of quote ${quoteReference}`);
      const po = await clickForDownload(page, page.getByRole('link', { name: 'po-7654321.pdf (PDF)' }));
      expect(po.suggestedFilename()).toBe('po-7654321.pdf');
      expect((await downloaded(po)).equals(SAMPLE_PDF)).toBe(true);
    });
  });

  it('Dana buys IFS with a voucher, pays nothing, and a used voucher is refused the next time', async () => {
    await withPage(journey.browser, async (page) => {
      await signInAs(page, journey.gateway, 'da303');
      await page.getByRole('link', { name: 'Buy Institutional File Store (IFS)' }).click();
      await page.waitForURL((url) => url.pathname === '/storage/IFS/');
      await arrive(page, /Buy Institutional File Store/, 'IFS configure', true);
      expect(await page.getByLabel('Department that pays').inputValue()).toBe('CHEM');
      await page.getByLabel('Size, in TB').fill('2');
      await page.getByLabel('1 year', { exact: true }).check();
      await expect.poll(() => pricePanel(page).textContent()).toContain('£300.00');
      await page.getByLabel('Name for the licence').fill('Chemistry shared drive');
      await page.getByLabel('Name of the first storage project').fill('chem-share');
      await submitForm(page, () => page.getByRole('button', { name: 'Continue to payment' }).click());

      await page.waitForURL((url) => url.pathname === '/storage/buy/IFS/payment');
      await arrive(page, /How will you pay\?/, 'IFS payment', true);
      await page.getByRole('radio', { name: 'Voucher' }).check();
      await page.getByLabel('Voucher code').fill('IFS-CHEM-2026');
      await submitForm(page, () => page.getByRole('button', { name: 'Continue' }).click());

      await page.waitForURL((url) => url.pathname === '/storage/buy/IFS/check');
      await arrive(page, /Check your order/, 'IFS check', true);
      const main = page.getByRole('main');
      expect(await main.textContent()).toContain('Your voucher pays this in full: there is nothing to pay.');
      await page.getByLabel(/I accept the institutional file store terms and conditions/).check();
      await submitForm(page, () => page.getByRole('button', { name: 'Submit order' }).click());

      await page.waitForURL(/\/orders\/ORD-\d+\/$/);
      await arrive(page, /Order ORD-\d+/, 'order paid by voucher', true);
      expect(await main.textContent()).toContain('nothing to pay');
      expect(await main.textContent()).toContain('IFS-CHEM-2026');

      // A second purchase: neither a voucher used long ago nor the one she just used is accepted.
      await page.goto(journey.gateway.url('/storage/IFS/'));
      await page.getByLabel('Size, in TB').fill('1');
      await page.getByLabel('1 year', { exact: true }).check();
      await page.getByLabel('Name for the licence').fill('Chemistry teaching drive');
      await page.getByLabel('Name of the first storage project').fill('teaching');
      await submitForm(page, () => page.getByRole('button', { name: 'Continue to payment' }).click());
      await page.waitForURL((url) => url.pathname === '/storage/buy/IFS/payment');
      for (const code of ['IFS-USED-0001', 'IFS-CHEM-2026']) {
        await page.getByRole('radio', { name: 'Voucher' }).check();
        await page.getByLabel('Voucher code').fill(code);
        await submitForm(page, () => page.getByRole('button', { name: 'Continue' }).click());
        await arrive(page, /How will you pay\?/, `IFS payment with ${code}`, code === 'IFS-USED-0001');
        await expectFieldError(page, 'voucherCode', 'This voucher has already been used');
        expect(await page.getByLabel('Voucher code').inputValue()).toBe(code);
      }
    });
  });

  it('completes and submits the configure form with the keyboard alone, and focuses the error summary', async () => {
    await withPage(journey.browser, async (page) => {
      await signInAs(page, journey.gateway, 'ar101', '/storage/buy/RFS/');
      const focused = () => page.evaluate(() => document.activeElement?.getAttribute('name') ?? '');
      /** Presses Tab until the field called `name` has focus (at most `limit` presses). */
      async function tabTo(name: string, limit = 40): Promise<void> {
        for (let i = 0; i < limit; i++) {
          if ((await focused()) === name) return;
          await page.keyboard.press('Tab');
        }
        expect(await focused(), `Tab reaches ${name}`).toBe(name);
      }

      await tabTo('sizeTb');
      await page.keyboard.type('2');
      await page.keyboard.press('Tab');
      // Into the term radios: the first one, chosen with Space, then the next with the arrow key.
      expect(await focused()).toBe('termYears');
      await page.keyboard.press('Space');
      await page.keyboard.press('ArrowDown');
      expect(await page.getByLabel('2 years', { exact: true }).isChecked()).toBe(true);
      await page.keyboard.press('Tab');
      expect(await focused()).toBe('institutionId');
      await page.keyboard.press('Tab');
      expect(await focused()).toBe('licenceName');
      await page.keyboard.type('Keyboard lab share');
      await tabTo('projectName', 3);
      // Submitting with the project name left out: Enter in a text field presses the first button.
      await submitForm(page, () => page.keyboard.press('Enter'));
      await arrive(page, /Buy Research File Share/, 'keyboard configure with errors', false);
      await expectFieldError(page, 'projectName', 'Enter a name for the first storage project');
      // The error summary has focus, so it is read first; Tab then leads to its link.
      await expect.poll(() => page.evaluate(() => document.activeElement?.className)).toBe('error-summary');
      await page.keyboard.press('Tab');
      expect(await page.evaluate(() => document.activeElement?.getAttribute('href'))).toBe('#projectName');
      await page.keyboard.press('Enter');
      await expect.poll(focused).toBe('projectName');
      await page.keyboard.type('keyboard-lab');
      await page.keyboard.press('Enter');
      await page.waitForURL((url) => url.pathname === '/storage/buy/RFS/payment');
      // On to the payment with the keyboard: the first radio, its field, and Enter.
      await tabTo('method');
      await page.keyboard.press('Space');
      await tabTo('financeCode');
      await page.keyboard.type('PHAA.GAAA');
      await page.keyboard.press('Enter');
      await page.waitForURL((url) => url.pathname === '/storage/buy/RFS/check');
      await tabTo('acceptTerms', 60);
      await page.keyboard.press('Space');
      await page.keyboard.press('Tab');
      expect(await page.evaluate(() => document.activeElement?.textContent?.trim())).toBe('Submit order');
      await page.keyboard.press('Enter');
      await page.waitForURL(/\/orders\/ORD-\d+\/$/);
      expect(await page.getByRole('main').textContent()).toContain('Waiting for approval');
    });
  });

  it('Alice cancels one of her orders from its page', async () => {
    const alice = new HttpBrowser(journey.gateway.app);
    await alice.signInAs('ar101');
    const reference = await buy(
      alice,
      'RDS',
      { ...RDS_CONFIGURATION, licenceName: 'Order to cancel', projectName: 'to-cancel' },
      { method: 'finance-code', financeCode: 'PHAA.GAAA' },
    );
    await withPage(journey.browser, async (page) => {
      await signInAs(page, journey.gateway, 'ar101');
      await page.getByRole('link', { name: reference, exact: true }).click();
      await page.waitForURL((url) => url.pathname === `/orders/${reference}/`);
      await page.getByRole('link', { name: 'Cancel this order' }).click();
      await page.waitForURL((url) => url.pathname === `/orders/${reference}/cancel`);
      await arrive(page, `Cancel order ${reference}?`, 'cancel order', true);
      await submitForm(page, () => page.getByRole('button', { name: 'Yes, cancel the order' }).click());
      await page.waitForURL((url) => url.pathname === `/orders/${reference}/`);
      await arrive(page, `Order ${reference}`, 'cancelled order', true);
      const main = page.getByRole('main');
      expect(await main.textContent()).toContain(`Order ${reference} cancelled.`);
      expect(await main.textContent()).toContain('Cancelled');
      expect(await page.getByRole('link', { name: 'Cancel this order' }).count()).toBe(0);
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'My storage' }).click();
      const row = page.getByRole('row').filter({ has: page.getByRole('link', { name: reference, exact: true }) });
      expect(await row.textContent()).toContain('Cancelled');
    });
  });
});
