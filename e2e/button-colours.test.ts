import type { Locator, Page } from 'playwright-core';
import { beforeAll, expect, it } from 'vitest';
import { insertOrder, insertStorage } from '../apps/gateway/test/support/storage-fixtures.ts';
import { describeWithBrowser } from './support/browser.ts';
import { useJourney } from './support/journey.ts';
import { withPage } from './support/pages.ts';
import { signInAs } from './support/sign-in.ts';

/** site.css's --error (the warning colour), --success (the primary button's) and its warning hover. */
const WARNING = 'rgb(177, 14, 30)';
const WARNING_HOVER = 'rgb(138, 11, 23)';
const PRIMARY = 'rgb(0, 112, 60)';
const WHITE = 'rgb(255, 255, 255)';

function channels(colour: string): number[] {
  return (colour.match(/[\d.]+/g) ?? []).slice(0, 3).map(Number);
}

/** WCAG 2's contrast ratio of two opaque colours as getComputedStyle writes them ("rgb(r, g, b)"). */
function contrast(a: string, b: string): number {
  const luminance = (colour: string) => {
    const [r = 0, g = 0, bl = 0] = channels(colour).map((value) => {
      const c = value / 255;
      return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * bl;
  };
  const [light, dark] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (light + 0.05) / (dark + 0.05);
}

const styleOf = (button: Locator) =>
  button.evaluate((element) => {
    const style = getComputedStyle(element);
    return { background: style.backgroundColor, color: style.color, outline: style.outlineColor };
  });

/**
 * A destructive button (class button--warning: reject, lock, delete, withdraw, remove) is red, not
 * the primary green, with white text at AA contrast: as it stands, under the pointer and with the
 * keyboard's focus. The tester found "Reject order" green: `button:not(.link-button)` outranked
 * `.button--warning`. axe-core cannot see this (green on white passes), so the computed style is read.
 */
async function expectWarningButtons(page: Page, label: string, expected: number): Promise<void> {
  const buttons = page.locator('main .button--warning');
  expect(await buttons.count(), `${label}: warning buttons`).toBe(expected);
  for (const button of await buttons.all()) {
    const name = `${label}: “${(await button.textContent())?.trim()}”`;
    const idle = await styleOf(button);
    expect(idle.background, name).toBe(WARNING);
    expect(idle.color, name).toBe(WHITE);
    expect(contrast(idle.background, idle.color), name).toBeGreaterThanOrEqual(4.5);

    await button.hover();
    const hovered = await styleOf(button);
    expect(hovered.background, `${name} under the pointer`).toBe(WARNING_HOVER);
    expect(contrast(hovered.background, hovered.color), `${name} under the pointer`).toBeGreaterThanOrEqual(4.5);

    await page.mouse.move(0, 0);
    await button.focus();
    const focused = await styleOf(button);
    expect(focused.background, `${name} with focus`).toBe(WARNING);
    expect(focused.outline, `${name} with focus`).toBe('rgb(255, 221, 0)');
    expect(contrast(focused.background, focused.color), `${name} with focus`).toBeGreaterThanOrEqual(4.5);
    await button.blur();
  }
}

describeWithBrowser('destructive buttons are the warning colour, never the primary green', () => {
  const journey = useJourney();
  let licenceId: number;
  let orderReference: string;

  beforeAll(async () => {
    const db = journey.gateway.database.db;
    const storage = await insertStorage(db, {
      name: 'Colours lab',
      owner: 'ar101',
      managers: ['bm202'],
      sizeTb: 5,
      status: 'active',
      startDate: '2026-01-01',
      endDate: '2027-06-01',
      order: { status: 'completed' },
    });
    licenceId = storage.licenceId;
    orderReference = (await insertOrder(db, licenceId, { kind: 'increase', status: 'awaiting-approval', sizeTb: 1 }))
      .reference;
  });

  it('in the back office: reject, lock, withdraw a voucher, remove a role; primary and secondary buttons as they were', async () => {
    await withPage(journey.browser, async (page) => {
      await signInAs(page, journey.gateway, 'su701', `/admin/orders/${orderReference}/`);
      await expectWarningButtons(page, 'staff order page', 1);
      // A secondary button (a <button>, not only a link) is grey, and a primary one green.
      const approve = page.getByRole('main').getByRole('button', { name: /^Approve/ });
      expect((await styleOf(approve)).background).toBe(PRIMARY);

      await page.goto(journey.gateway.url(`/admin/licences/${licenceId}/`));
      await expectWarningButtons(page, 'staff licence page', 1);

      await page.goto(journey.gateway.url('/admin/vouchers/'));
      await page.getByRole('main').getByRole('link', { name: 'IFS-WELCOME-01' }).click();
      await expectWarningButtons(page, 'voucher page', 1);

      await page.goto(journey.gateway.url('/admin/people/rs501/'));
      await expectWarningButtons(page, 'person page', 1);
    });
  });

  it('for customers: a link styled as a warning button, and a grey secondary <button>', async () => {
    await withPage(journey.browser, async (page) => {
      await signInAs(page, journey.gateway, 'ar101', `/orders/${orderReference}/`);
      await expectWarningButtons(page, 'customer order page', 1);
      await page.goto(journey.gateway.url('/storage/buy/RDS/'));
      const secondary = page.locator('main button.button--secondary').first();
      expect(await secondary.count()).toBe(1);
      expect((await styleOf(secondary)).background).toBe('rgb(243, 242, 241)');
    });
  });
});
