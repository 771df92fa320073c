import type { Page } from 'playwright-core';
import { expect, it } from 'vitest';
import { insertStorage } from '../apps/gateway/test/support/storage-fixtures.ts';
import { describeWithBrowser } from './support/browser.ts';
import { useJourney } from './support/journey.ts';
import { arrive, errorSummary, expectFieldError, SLOW_AXE, submitForm, withPage } from './support/pages.ts';
import { signInAs } from './support/sign-in.ts';

/**
 * A Data Owner looks after her licence's people and storage projects in Chromium (issue 6 point
 * 1): Alice adds a Data Manager found in the directory (after mistyping a CRSid), removes one,
 * creates a storage project within the licence's 10 TB, fails to resize it past the size, gives
 * it a Project Data Manager and a Project Data User, and hands the licence over to Dana; each
 * removal of a person asks first, on a page of its own. axe-core
 * checks every page on the way; one form is used with the keyboard alone; the same changes work
 * with JavaScript turned off.
 */
describeWithBrowser('a Data Owner changes her licence’s people and storage projects in a browser', SLOW_AXE, () => {
  const journey = useJourney();

  /** An active 10 TB licence of Alice's with one 6 TB project, `lab-main`. */
  async function licence(name: string, managers: string[] = []): Promise<number> {
    const made = await insertStorage(journey.gateway.database.db, {
      name,
      owner: 'ar101',
      managers,
      sizeTb: 10,
      status: 'active',
      startDate: '2026-01-01',
      endDate: '2028-12-31',
      projects: [{ name: 'lab-main', quotaTb: 6, status: 'active' }],
      order: { status: 'completed' },
    });
    return made.licenceId;
  }

  const main = (page: Page) => page.getByRole('main');
  const flash = (page: Page) => page.getByRole('status').first().textContent();
  const focused = (page: Page) => page.evaluate(() => document.activeElement?.id ?? '');

  /** Presses Tab until the element with this id has focus. */
  async function tabTo(page: Page, id: string, limit = 40): Promise<void> {
    for (let presses = 0; presses < limit; presses++) {
      await page.keyboard.press('Tab');
      if ((await focused(page)) === id) return;
    }
    throw new Error(`${id} not reached in ${limit} presses of Tab`);
  }

  /** Alice, signed in, on the licence's page from My storage (axe-core checks it when asked). */
  async function openLicence(page: Page, id: number, name: string, axe = false): Promise<void> {
    await signInAs(page, journey.gateway, 'ar101');
    await main(page).getByRole('link', { name, exact: true }).click();
    await page.waitForURL((url) => url.pathname === `/storage/licence/${id}/`);
    await arrive(page, name, 'licence page', axe);
  }

  it('Alice adds a Data Manager with the keyboard alone (after a CRSid nobody has) and removes another', async () => {
    const id = await licence('Managers lab', ['bm202']);
    await withPage(journey.browser, async (page) => {
      await openLicence(page, id, 'Managers lab', true);
      const managers = page.getByRole('region', { name: 'Data Managers', exact: true });
      expect(await managers.getByRole('listitem').allTextContents()).toEqual([
        expect.stringContaining('Ben Manager (bm202)'),
      ]);

      // Tab to the field, type a CRSid nobody has, Enter: the summary has focus, its link leads back.
      await tabTo(page, 'managerCrsid');
      await page.keyboard.type('zz999');
      await submitForm(page, () => page.keyboard.press('Enter'));
      await arrive(page, 'Managers lab', 'licence page with an error', true);
      await expectFieldError(page, 'managerCrsid', 'There is nobody with the CRSid zz999 in the University directory');
      expect(await page.getByLabel('Add a Data Manager').inputValue()).toBe('zz999');
      await expect.poll(() => page.evaluate(() => document.activeElement?.className)).toBe('error-summary');
      await page.keyboard.press('Tab');
      expect(await page.evaluate(() => document.activeElement?.getAttribute('href'))).toBe('#managerCrsid');
      await page.keyboard.press('Enter');
      await expect.poll(() => focused(page)).toBe('managerCrsid');
      await page.keyboard.press('ControlOrMeta+A');
      await page.keyboard.type('da303');
      await submitForm(page, () => page.keyboard.press('Enter'));
      await arrive(page, 'Managers lab', 'licence page with a new manager', true);
      expect(await flash(page)).toBe('Dana Administrator (da303) is now a Data Manager of this licence.');
      expect(await managers.textContent()).toContain('Dana Administrator (da303)');

      // Ben is removed with the link that names him, after a confirmation that says what he loses;
      // "No, keep them" changes nothing.
      await page.getByRole('link', { name: 'Remove Ben Manager' }).click();
      await page.waitForURL((url) => url.pathname === `/storage/licence/${id}/managers/remove`);
      await arrive(page, 'Remove Ben Manager as a Data Manager?', 'Data Manager removal confirmation', true);
      expect(await main(page).textContent()).toContain(
        'Ben Manager (bm202) will no longer be a Data Manager of this licence',
      );
      await page.getByRole('link', { name: 'No, keep them' }).click();
      await page.waitForURL((url) => url.pathname === `/storage/licence/${id}/`);
      expect(await managers.textContent()).toContain('Ben Manager (bm202)');
      await page.getByRole('link', { name: 'Remove Ben Manager' }).click();
      await page.waitForURL((url) => url.pathname === `/storage/licence/${id}/managers/remove`);
      await submitForm(page, () => page.getByRole('button', { name: 'Yes, remove Ben Manager' }).click());
      await page.waitForURL((url) => url.pathname === `/storage/licence/${id}/`);
      await arrive(page, 'Managers lab', 'licence page after a removal', false);
      expect(await flash(page)).toBe('Ben Manager (bm202) is no longer a Data Manager of this licence.');
      expect(await managers.getByRole('listitem').allTextContents()).toEqual([
        expect.stringContaining('Dana Administrator (da303)'),
      ]);
    });
  });

  it('Alice creates a project within the licence, fails to resize it past the size, and gives it members', async () => {
    const id = await licence('Projects lab');
    await withPage(journey.browser, async (page) => {
      await openLicence(page, id, 'Projects lab');
      expect(await main(page).textContent()).toContain("4 TB of the licence's 10 TB is not given to a project yet.");

      // A project that does not fit, then one that does.
      await page.getByLabel('Project name').fill('lab-extra');
      await page.getByLabel('Quota (TB)').fill('5');
      await submitForm(page, () => page.getByRole('button', { name: 'Create project' }).click());
      await arrive(page, 'Projects lab', 'create project with an error', true);
      await expectFieldError(page, 'projectQuotaTb', /choose at most 4 TB/);
      expect(await page.getByLabel('Project name').inputValue()).toBe('lab-extra');
      await page.getByLabel('Quota (TB)').fill('3');
      await submitForm(page, () => page.getByRole('button', { name: 'Create project' }).click());
      await page.waitForURL(/\/storage\/project\/\d+\/$/);
      await arrive(page, /lab-extra/, 'new project page', true);
      expect(await flash(page)).toBe('Storage project lab-extra created.');
      const projectUrl = page.url();

      // Resizing past the licence's size is refused; within it, done.
      expect(await page.getByLabel('Quota (TB)').inputValue()).toBe('3');
      await page.getByLabel('Quota (TB)').fill('5');
      await submitForm(page, () => page.getByRole('button', { name: 'Change quota' }).click());
      await arrive(page, /lab-extra/, 'resize with an error', true);
      await expectFieldError(page, 'quotaTb', /choose at most 4 TB/);
      expect(await page.getByLabel('Quota (TB)').inputValue()).toBe('5');
      await page.getByLabel('Quota (TB)').fill('4');
      await submitForm(page, () => page.getByRole('button', { name: 'Change quota' }).click());
      await arrive(page, /lab-extra/, 'resized project', false);
      expect(await flash(page)).toBe('The quota is now 4 TB.');
      expect(await main(page).locator('dl').first().textContent()).toContain('4 TB');

      // Members: no role chosen, then a Project Data Manager and a Project Data User.
      await page.getByLabel('Add a member').fill('bm202');
      await submitForm(page, () => page.getByRole('button', { name: 'Add member' }).click());
      await arrive(page, /lab-extra/, 'add member with an error', true);
      await expectFieldError(page, 'memberRole', 'Choose Project Data Manager or Project Data User');
      expect(await page.getByLabel('Add a member').inputValue()).toBe('bm202');
      await errorSummary(page).getByRole('link').click();
      await expect.poll(() => focused(page)).toBe('memberRole');
      await page.getByLabel('Project Data Manager', { exact: true }).check();
      await submitForm(page, () => page.getByRole('button', { name: 'Add member' }).click());
      expect(await flash(page)).toBe('Ben Manager (bm202) has been added to this project.');
      await page.getByLabel('Add a member').fill('cb404');
      await page.getByLabel('Project Data User', { exact: true }).check();
      await submitForm(page, () => page.getByRole('button', { name: 'Add member' }).click());
      await arrive(page, /lab-extra/, 'project with members', true);
      expect(await page.getByRole('region', { name: 'Project Data Managers' }).textContent()).toContain(
        'Ben Manager (bm202)',
      );
      expect(await page.getByRole('region', { name: 'Project Data Users' }).textContent()).toContain(
        'Chloe Bursar (cb404)',
      );
      await page.getByRole('link', { name: 'Remove Chloe Bursar as Project Data User' }).click();
      await page.waitForURL((url) => url.pathname.endsWith('/members/remove'));
      await arrive(page, 'Remove Chloe Bursar as a Project Data User?', 'project member removal confirmation', true);
      expect(await main(page).textContent()).toContain(
        'Chloe Bursar (cb404) will no longer be a Project Data User of the storage project lab-extra',
      );
      await submitForm(page, () => page.getByRole('button', { name: 'Yes, remove Chloe Bursar' }).click());
      expect(await flash(page)).toBe('Chloe Bursar (cb404) has been removed from this project.');
      expect(page.url()).toBe(projectUrl);
      expect(await page.getByRole('region', { name: 'Project Data Users' }).textContent()).not.toContain('cb404');
    });
  });

  it('Alice renames a project (after a name already taken) and removes one made by mistake, after a confirmation', async () => {
    const id = await licence('Tidy lab');
    await withPage(journey.browser, async (page) => {
      await openLicence(page, id, 'Tidy lab');
      await page.getByLabel('Project name').fill('lab-mistake');
      await page.getByLabel('Quota (TB)').fill('3');
      await submitForm(page, () => page.getByRole('button', { name: 'Create project' }).click());
      await page.waitForURL(/\/storage\/project\/\d+\/$/);
      const mistakeUrl = page.url();

      // Renaming lab-main to the name of the other project is refused next to the field.
      await page.goto(journey.gateway.url(`/storage/licence/${id}/`));
      await main(page).getByRole('link', { name: 'lab-main', exact: true }).click();
      await arrive(page, /lab-main/, 'project page with the rename form', true);
      await page.getByLabel('Project name').fill('LAB-MISTAKE');
      await submitForm(page, () => page.getByRole('button', { name: 'Rename project' }).click());
      await arrive(page, /lab-main/, 'rename with an error', true);
      await expectFieldError(
        page,
        'projectName',
        'This licence already has a storage project with that name: choose another',
      );
      expect(await page.getByLabel('Project name').inputValue()).toBe('LAB-MISTAKE');
      await page.getByLabel('Project name').fill('lab-2026');
      await submitForm(page, () => page.getByRole('button', { name: 'Rename project' }).click());
      await arrive(page, /lab-2026/, 'renamed project', false);
      expect(await flash(page)).toBe('The project is now called lab-2026.');

      // The mistaken project: the confirmation says what happens; Cancel changes nothing.
      await page.goto(mistakeUrl);
      await page.getByRole('link', { name: 'Remove this project' }).click();
      await arrive(page, 'Remove the storage project lab-mistake?', 'remove confirmation', true);
      const said = await main(page).textContent();
      // Made a moment ago, it waits to be set up: there is no folder yet to lose access to.
      expect(said).toContain('It has not been set up on the storage yet, and it will not be.');
      expect(said).toContain('Its 3 TB return to the licence: 4 TB will then be free for its other storage projects.');
      await page.getByRole('link', { name: 'Cancel' }).click();
      await page.waitForURL(mistakeUrl);
      await page.getByRole('link', { name: 'Remove this project' }).click();
      await submitForm(page, () => page.getByRole('button', { name: 'Remove lab-mistake' }).click());
      await page.waitForURL((url) => url.pathname === `/storage/licence/${id}/`);
      await arrive(page, 'Tidy lab', 'licence page after the removal', true);
      expect(await flash(page)).toBe(
        "Storage project lab-mistake removed: its 3 TB are free for the licence's other projects.",
      );
      expect(await main(page).textContent()).toContain("4 TB of the licence's 10 TB is not given to a project yet.");
      const live = page.getByRole('table', { name: 'Storage projects of this licence' });
      expect(await live.textContent()).not.toContain('lab-mistake');
      expect(await live.textContent()).toContain('lab-2026');
      expect(await main(page).getByRole('heading', { name: 'Removed storage projects' }).count()).toBe(1);
      await main(page).getByRole('link', { name: 'lab-mistake', exact: true }).click();
      await arrive(page, /lab-mistake/, 'removed project page', true);
      expect(await main(page).textContent()).toContain('This storage project has been removed');
    });
  });

  it('Alice hands the licence over to Dana after a confirmation that names her, and stays a Data Manager', async () => {
    const id = await licence('Handover lab');
    await withPage(journey.browser, async (page) => {
      await openLicence(page, id, 'Handover lab');
      await page.getByRole('link', { name: 'Hand over ownership' }).click();
      await page.waitForURL((url) => url.pathname === `/storage/licence/${id}/owner`);
      await arrive(page, 'Hand over ownership of Handover lab', 'hand over', true);
      await page.getByLabel("The new Data Owner's CRSid").fill('zz998');
      await submitForm(page, () => page.getByRole('button', { name: 'Continue' }).click());
      await arrive(page, 'Hand over ownership of Handover lab', 'hand over with an error', true);
      await expectFieldError(page, 'crsid', 'There is nobody with the CRSid zz998 in the University directory');
      await page.getByLabel("The new Data Owner's CRSid").fill('da303');
      await submitForm(page, () => page.getByRole('button', { name: 'Continue' }).click());
      await arrive(page, 'Hand over ownership of Handover lab', 'hand over confirmation', true);
      expect(await page.title()).toMatch(/^Confirm the new Data Owner/);
      expect(await main(page).textContent()).toContain(
        'Dana Administrator (da303) will become the Data Owner of this licence',
      );
      // Cancel goes back to the licence, unchanged; then she goes through with it.
      await page.getByRole('link', { name: 'Cancel' }).click();
      await page.waitForURL((url) => url.pathname === `/storage/licence/${id}/`);
      expect(await main(page).locator('dl').first().textContent()).toContain('Alice Researcher (ar101)');
      await page.getByRole('link', { name: 'Hand over ownership' }).click();
      await page.getByLabel("The new Data Owner's CRSid").fill('da303');
      await submitForm(page, () => page.getByRole('button', { name: 'Continue' }).click());
      await submitForm(page, () => page.getByRole('button', { name: 'Hand over to Dana Administrator' }).click());
      await page.waitForURL((url) => url.pathname === `/storage/licence/${id}/`);
      await arrive(page, 'Handover lab', 'licence page after the handover', true);
      expect(await flash(page)).toBe(
        'Dana Administrator (da303) is now the Data Owner of this licence; you are a Data Manager.',
      );
      const summary = await main(page).locator('dl').first().textContent();
      expect(summary).toContain('Dana Administrator (da303)');
      // Alice, now a Data Manager, still changes managers but can no longer hand it over.
      expect(await page.getByRole('link', { name: 'Hand over ownership' }).count()).toBe(0);
      expect(await page.getByLabel('Add a Data Manager').count()).toBe(1);
    });
  });

  it('the same changes work with JavaScript turned off', async () => {
    const id = await licence('Members lab (no JS)');
    await withPage(
      journey.browser,
      async (page) => {
        await signInAs(page, journey.gateway, 'ar101', `/storage/licence/${id}/`);
        await arrive(page, /Members lab \(no JS\)/, 'licence page', false);
        await page.getByLabel('Add a Data Manager').fill('zz999');
        await submitForm(page, () => page.getByRole('button', { name: 'Add Data Manager' }).click());
        await expectFieldError(
          page,
          'managerCrsid',
          'There is nobody with the CRSid zz999 in the University directory',
        );
        // Without the script the summary is still the first thing in the main content, and its link works.
        await errorSummary(page).getByRole('link').click();
        expect(new URL(page.url()).hash).toBe('#managerCrsid');
        await expect.poll(() => focused(page)).toBe('managerCrsid');
        await page.getByLabel('Add a Data Manager').fill('bm202');
        await submitForm(page, () => page.getByRole('button', { name: 'Add Data Manager' }).click());
        expect(await flash(page)).toBe('Ben Manager (bm202) is now a Data Manager of this licence.');
        await page.getByRole('link', { name: 'Remove Ben Manager' }).click();
        await arrive(page, 'Remove Ben Manager as a Data Manager?', 'Data Manager removal confirmation', false);
        await submitForm(page, () => page.getByRole('button', { name: 'Yes, remove Ben Manager' }).click());
        expect(await flash(page)).toBe('Ben Manager (bm202) is no longer a Data Manager of this licence.');

        await page.getByLabel('Project name').fill('no-js');
        await page.getByLabel('Quota (TB)').fill('4');
        await submitForm(page, () => page.getByRole('button', { name: 'Create project' }).click());
        await page.waitForURL(/\/storage\/project\/\d+\/$/);
        await arrive(page, /no-js/, 'new project page', false);
        await page.getByLabel('Quota (TB)').fill('11');
        await submitForm(page, () => page.getByRole('button', { name: 'Change quota' }).click());
        await expectFieldError(page, 'quotaTb', /choose at most 4 TB/);
        await page.getByLabel('Add a member').fill('da303');
        await page.getByLabel('Project Data User', { exact: true }).check();
        await submitForm(page, () => page.getByRole('button', { name: 'Add member' }).click());
        expect(await flash(page)).toBe('Dana Administrator (da303) has been added to this project.');

        await page.getByLabel('Project name').fill('no-js-2026');
        await submitForm(page, () => page.getByRole('button', { name: 'Rename project' }).click());
        expect(await flash(page)).toBe('The project is now called no-js-2026.');
        await page.getByRole('link', { name: 'Remove this project' }).click();
        await submitForm(page, () => page.getByRole('button', { name: 'Remove no-js-2026' }).click());
        expect(await flash(page)).toBe(
          "Storage project no-js-2026 removed: its 4 TB are free for the licence's other projects.",
        );

        await page.goto(journey.gateway.url(`/storage/licence/${id}/owner`));
        await page.getByLabel("The new Data Owner's CRSid").fill('bm202');
        await submitForm(page, () => page.getByRole('button', { name: 'Continue' }).click());
        await submitForm(page, () => page.getByRole('button', { name: 'Hand over to Ben Manager' }).click());
        expect(await flash(page)).toBe(
          'Ben Manager (bm202) is now the Data Owner of this licence; you are a Data Manager.',
        );
      },
      { javaScriptEnabled: false },
    );
  });
});
