import type { Page } from 'playwright-core';
import { expect, it } from 'vitest';
import { expectNoAxeViolations } from './support/axe.ts';
import { describeWithBrowser, newContext } from './support/browser.ts';
import { useJourney } from './support/journey.ts';
import { signInAs } from './support/sign-in.ts';

describeWithBrowser('a person makes a personal access token and a script uses it', () => {
  const journey = useJourney();

  async function heading(page: Page): Promise<string | null> {
    return page.getByRole('heading', { level: 1 }).textContent();
  }

  it('creates, copies, uses and revokes a token, every page accessible', async () => {
    const context = await newContext(journey.browser);
    const page = await context.newPage();
    await signInAs(page, journey.gateway, 'ar101');

    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Your account' }).click();
    await page.waitForURL('**/account/');
    expect(await heading(page)).toBe('Your account');
    expect(await page.getByText('Department of Physics').count()).toBe(1);
    await expectNoAxeViolations(page, 'account');

    // A missing name: the summary links to the field, which says what is wrong.
    await page.getByRole('button', { name: 'Create token' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('Enter a name for the token');
    expect(await page.getByLabel('Token name').getAttribute('aria-invalid')).toBe('true');
    await expectNoAxeViolations(page, 'account with an error');

    await page.getByLabel('Token name').fill('usage report');
    await page.getByLabel('Expires after').selectOption('30');
    await page.getByRole('button', { name: 'Create token' }).click();
    await expect.poll(() => heading(page)).toBe('Your new access token');
    const token = await page.getByLabel('Token').inputValue();
    expect(token).toMatch(/^ssgw_[A-Za-z0-9_-]{43}$/);
    expect(await page.getByText('It will not be shown again').count()).toBe(1);
    await expectNoAxeViolations(page, 'token created');

    // The script: no cookies, only the header.
    const me = await fetch(journey.gateway.url('/api/me'), { headers: { authorization: `Bearer ${token}` } });
    expect(me.status).toBe(200);
    expect(await me.json()).toMatchObject({ crsid: 'ar101', authenticatedBy: 'access-token' });

    await page.getByRole('link', { name: 'Back to your account' }).click();
    await page.waitForURL('**/account/');
    const row = page.getByRole('row').filter({ hasText: 'usage report' });
    expect(await row.getByRole('cell').nth(0).textContent()).toBe(`…${token.slice(-4)}`);
    expect(await page.content()).not.toContain(token);
    await expectNoAxeViolations(page, 'account with a token');

    // Revoking cannot be undone, so the row's "Revoke" asks first; "No, keep it" leaves the token working.
    await row.getByRole('link', { name: /Revoke/ }).click();
    await page.waitForURL(/\/account\/tokens\/[^/]+\/revoke$/);
    await expect.poll(() => heading(page)).toBe('Revoke the token “usage report”?');
    expect(await page.getByText(`…${token.slice(-4)}`).count()).toBe(1);
    await expectNoAxeViolations(page, 'revoke confirmation');
    await page.getByRole('link', { name: 'No, keep it' }).click();
    await page.waitForURL('**/account/');
    const kept = await fetch(journey.gateway.url('/api/me'), { headers: { authorization: `Bearer ${token}` } });
    expect(kept.status).toBe(200);

    await row.getByRole('link', { name: /Revoke/ }).click();
    await page.waitForURL(/\/account\/tokens\/[^/]+\/revoke$/);
    await page.getByRole('button', { name: 'Yes, revoke the token' }).click();
    await page.waitForURL('**/account/');
    await expect.poll(() => page.getByRole('status').first().textContent()).toContain('is revoked');
    await expectNoAxeViolations(page, 'account with a revoked token');
    const refused = await fetch(journey.gateway.url('/api/me'), { headers: { authorization: `Bearer ${token}` } });
    expect(refused.status).toBe(401);
    await context.close();
  });
});
