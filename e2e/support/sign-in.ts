import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import type { RunningGateway } from './server.ts';

/**
 * Signs in as a demo person through the dev sign-in page, as a person would: the row with their
 * CRSid, its "Sign in" button. Ends on `returnTo` (a path on the gateway).
 */
export async function signInAs(page: Page, gateway: RunningGateway, crsid: string, returnTo = '/storage/') {
  await page.goto(gateway.url(`/dev/sign-in?returnTo=${encodeURIComponent(returnTo)}`));
  const row = page.getByRole('row').filter({ hasText: `(${crsid})` });
  await expect.poll(() => row.count(), { message: `one dev sign-in row for ${crsid}` }).toBe(1);
  await row.getByRole('button', { name: /^Sign in as / }).click();
  await page.waitForURL((url) => url.pathname === returnTo.split('?')[0]);
}
