import type { Page } from 'playwright-core';
import { beforeAll, expect, it } from 'vitest';
import { insertOrder, insertStorage } from '../apps/gateway/test/support/storage-fixtures.ts';
import { describeWithBrowser } from './support/browser.ts';
import { useJourney } from './support/journey.ts';
import { arrive, errorSummary, SLOW_AXE, submitForm, withPage } from './support/pages.ts';
import { signInAs } from './support/sign-in.ts';

/**
 * The pages no journey passes through, checked as the journeys check theirs (one h1, one main
 * landmark, axe-core): the back office's product, voucher, person, failed-jobs, projects-to-make and
 * access-changes-to-make and billing pages (and a licence's access change, marked as done), every back-office form that failed (another finance code for a closed one too), the help
 * pages, an order whose refused finance code was refused again, and the 403 page. A form that failed must say so in its title, and each link
 * of its error summary must land on a field that its message describes.
 */
describeWithBrowser('pages outside the journeys are accessible, their failed forms too', SLOW_AXE, () => {
  const journey = useJourney();
  let licenceId: number;
  let pendingProjectId: number;
  let refusedOrder: string;

  beforeAll(async () => {
    const db = journey.gateway.database.db;
    const storage = await insertStorage(db, {
      name: 'Pages lab',
      owner: 'ar101',
      managers: ['bm202'],
      sizeTb: 5,
      status: 'active',
      startDate: '2026-01-01',
      endDate: '2027-06-01',
      projects: [
        {
          name: 'pages-made',
          quotaTb: 2,
          status: 'active',
          members: [{ crsid: 'da303', role: 'project-data-user' }],
        },
        { name: 'pages-waiting', quotaTb: 1, status: 'pending' },
        { name: 'pages-removed', quotaTb: 1, status: 'removed' },
      ],
      order: { status: 'completed' },
    });
    licenceId = storage.licenceId;
    // Its people changed, with the manual provisioner: the storage's groups wait for an access change.
    await db
      .insertInto('licence_access_changes')
      .values({ licence_id: licenceId, waiting_since: new Date(), last_changed_at: new Date() })
      .execute();
    pendingProjectId = storage.projectIds[1] as number;
    // Paid by a code that the nightly re-check found closed: the staff page offers another one.
    await db
      .updateTable('payments')
      .set({ method: 'finance-code', finance_code: 'PHZX.GAAA' })
      .where('order_id', '=', storage.order?.id ?? 0)
      .execute();
    await db
      .insertInto('licence_flags')
      .values({
        licence_id: licenceId,
        kind: 'finance-code-closed',
        person_id: null,
        detail: 'The finance code PHZX.GAAA has closed: Cost centre PHZX is closed.',
        raised_on: '2026-11-27',
        cleared_on: null,
      })
      .execute();
    const refused = await insertOrder(db, licenceId, { kind: 'increase', status: 'awaiting-payment-check', sizeTb: 1 });
    await db
      .updateTable('payments')
      .set({ check_status: 'invalid', check_message: 'Cost centre PHZX is closed.' })
      .where('order_id', '=', refused.id)
      .execute();
    refusedOrder = refused.reference;
  });

  /** Every link of the error summary lands on a field (a radio group: its fieldset) described by its message. */
  async function expectSummaryLinksToFields(page: Page, label: string): Promise<void> {
    expect(await page.title(), `${label}: the title says there is an error`).toMatch(/^Error: /);
    const links = errorSummary(page).getByRole('link');
    expect(await links.count(), `${label}: the summary lists the problems`).toBeGreaterThan(0);
    for (const href of await links.evaluateAll((anchors) => anchors.map((anchor) => anchor.getAttribute('href')))) {
      const id = href?.replace(/^#/, '') ?? '';
      const describedBy = await page.locator(`[id="${id}"]`).evaluate((field) => {
        const described = field.getAttribute('type') === 'radio' ? field.closest('fieldset') : field;
        return described?.getAttribute('aria-describedby') ?? '';
      });
      expect(describedBy.split(' '), `${label}: #${id} is described by its message`).toContain(`${id}-error`);
      expect(await page.locator(`[id="${id}-error"]`).count(), `${label}: #${id}-error`).toBe(1);
    }
  }

  it('the back office: products, vouchers, people, failed jobs, projects to make, and its forms that failed', async () => {
    await withPage(journey.browser, async (page) => {
      await signInAs(page, journey.gateway, 'su701', '/admin/catalogue/RDS/');
      await arrive(page, /Research Data Store/, 'product and prices');
      await submitForm(page, () => page.getByRole('button', { name: 'Add price' }).click());
      await arrive(page, /Research Data Store/, 'new price with errors');
      await expectSummaryLinksToFields(page, 'new price with errors');
      await submitForm(page, () => page.getByRole('button', { name: 'Save changes' }).click());
      await arrive(page, /Research Data Store/, 'product edit with errors');
      await expectSummaryLinksToFields(page, 'product edit with errors');

      await page.goto(journey.gateway.url('/admin/vouchers/new'));
      await arrive(page, 'Issue a voucher', 'issue a voucher');
      await submitForm(page, () => page.getByRole('button', { name: 'Issue voucher' }).click());
      await arrive(page, 'Issue a voucher', 'issue a voucher with errors');
      await expectSummaryLinksToFields(page, 'issue a voucher with errors');

      await page.goto(journey.gateway.url('/admin/vouchers/'));
      await page.getByRole('main').getByRole('link', { name: 'IFS-WELCOME-01' }).click();
      await arrive(page, /Voucher IFS-WELCOME-01/, 'voucher');
      await submitForm(page, () => page.getByRole('button', { name: /Withdraw/ }).click());
      await arrive(page, /Voucher IFS-WELCOME-01/, 'withdraw a voucher with errors');
      await expectSummaryLinksToFields(page, 'withdraw a voucher with errors');

      await page.goto(journey.gateway.url('/admin/people/ar101/'));
      await arrive(page, /Alice Researcher/, 'person and roles');
      await submitForm(page, () => page.getByRole('button', { name: 'Grant role' }).click());
      await arrive(page, /Alice Researcher/, 'grant a role with errors');
      await expectSummaryLinksToFields(page, 'grant a role with errors');

      await page.goto(journey.gateway.url('/admin/jobs/failed'));
      await arrive(page, 'Failed jobs', 'failed jobs');

      await page.goto(journey.gateway.url('/admin/projects-waiting/'));
      await arrive(page, 'Storage projects to make', 'storage projects to make');
      expect(await page.getByRole('main').textContent()).toContain('pages-waiting');
      await page.goto(journey.gateway.url(`/admin/licences/${licenceId}/projects-made`));
      await arrive(page, /New storage projects of Pages lab/, 'projects made');
      await submitForm(page, () => page.getByRole('button', { name: 'Mark as made' }).click());
      await arrive(page, /New storage projects of Pages lab/, 'projects made with errors');
      await expectSummaryLinksToFields(page, 'projects made with errors');
      expect(await errorSummary(page).getByRole('link').first().getAttribute('href')).toBe(
        `#project-${pendingProjectId}-path`,
      );

      await page.goto(journey.gateway.url('/admin/access-changes/'));
      await arrive(page, 'Access changes to make', 'access changes to make');
      await page.getByRole('link', { name: 'What the groups should be for Pages lab' }).click();
      await arrive(page, /Access to Pages lab/, 'an access change');
      expect(await page.getByRole('main').textContent()).toContain('pages-removed');
      await submitForm(page, () => page.getByRole('button', { name: 'Mark as done' }).click());
      await arrive(page, /Pages lab/, 'staff licence page');
      expect(await page.getByRole('main').textContent()).not.toContain('wait for an access change');
      await page.getByLabel('Size in TB').fill('');
      await submitForm(page, () => page.getByRole('button', { name: 'Save changes' }).click());
      await arrive(page, /Pages lab/, 'licence edit with errors');
      await expectSummaryLinksToFields(page, 'licence edit with errors');
      await page.goto(journey.gateway.url(`/admin/licences/${licenceId}/`));
      await submitForm(page, () => page.getByRole('button', { name: /^Lock/ }).click());
      await arrive(page, /Pages lab/, 'licence lock with errors');
      await expectSummaryLinksToFields(page, 'licence lock with errors');
      await page.goto(journey.gateway.url(`/admin/licences/${licenceId}/`));
      await submitForm(page, () => page.getByRole('button', { name: 'Use this finance code' }).click());
      await arrive(page, /Pages lab/, 'another finance code with errors');
      await expectSummaryLinksToFields(page, 'another finance code with errors');

      await page.goto(journey.gateway.url('/admin/audit/?from=yesterday'));
      await arrive(page, 'Audit trail', 'audit search with errors');
      await expectSummaryLinksToFields(page, 'audit search with errors');

      await page.goto(journey.gateway.url('/admin/billing/'));
      await arrive(page, 'Billing', 'billing');
      await page.getByLabel('From (first day)').fill('2026-11-31');
      await page.getByLabel('To (last day)').fill('');
      await submitForm(page, () => page.getByRole('button', { name: 'Show the orders' }).click());
      await arrive(page, 'Billing', 'billing with errors');
      await expectSummaryLinksToFields(page, 'billing with errors');

      await page.goto(journey.gateway.url('/admin/view-as'));
      await submitForm(page, () => page.getByRole('button', { name: 'View the site as this person' }).click());
      await arrive(page, 'View the site as a customer', 'view as with errors');
      await expectSummaryLinksToFields(page, 'view as with errors');
    });
  });

  it('help, an order whose finance code is refused again, and the page that refuses a customer', async () => {
    await withPage(journey.browser, async (page) => {
      await page.goto(journey.gateway.url('/help/'));
      await arrive(page, 'Help', 'help');
      await page.getByRole('main').getByRole('link', { name: 'How to pay for storage' }).first().click();
      await arrive(page, 'How to pay for storage', 'help: payment methods');

      await signInAs(page, journey.gateway, 'ar101', `/orders/${refusedOrder}/`);
      await arrive(page, new RegExp(`Order ${refusedOrder}`), 'order with a refused finance code');
      await page.getByRole('textbox', { name: 'Finance code' }).fill('PH.GA');
      await submitForm(page, () => page.getByRole('button', { name: 'Use this finance code' }).click());
      await arrive(page, new RegExp(`Order ${refusedOrder}`), 'order with a finance code refused again');
      await expectSummaryLinksToFields(page, 'order with a finance code refused again');

      await page.goto(journey.gateway.url('/admin/'));
      await arrive(page, 'You cannot do that', 'back office refused to a customer');
    });
  });
});
