import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { changeableLicence, changeStepPath } from '../support/change-orders.ts';
import { Browser, startTestApp, type TestApp } from '../support/test-app.ts';

/**
 * What an accessibility review (WCAG 2.2 AA, by hand) found in the pages' HTML: titles that say
 * what each page is (2.4.2), data tables in scroll regions a keyboard can reach (1.4.10), the
 * back office's skip link landing on the page's own content (2.4.1), and a cancellation's check
 * page worded for a cancellation. How the pages reflow at 320 px is checked in Chromium
 * (e2e/reflow.test.ts).
 */
describe('page titles, table scroll regions and the skip link', () => {
  let t: TestApp;
  let licenceId: number;
  let projectId: number;
  const LICENCE = 'A11y buy js';
  const PROJECT = 'Beamline_detector_frames_2026_raw_data01';

  beforeAll(async () => {
    t = await startTestApp();
    // Ending within the renewal window (renewal-window.ts), so that it can be renewed today.
    licenceId = await changeableLicence(
      t.database.db,
      { licence: LICENCE, project: PROJECT },
      { startDate: '2026-01-01', endDate: '2026-12-31' },
    );
    const project = await t.database.db
      .selectFrom('storage_projects')
      .select('id')
      .where('licence_id', '=', licenceId)
      .executeTakeFirstOrThrow();
    projectId = project.id;
  });
  afterAll(() => t?.close());

  async function signedIn(crsid: string): Promise<Browser> {
    const browser = new Browser(t.app);
    await browser.signInAs(crsid);
    return browser;
  }

  const title = (body: string) => body.match(/<title>([^<]*)<\/title>/)?.[1] ?? '';
  const SITE = ' – Storage Self-Service Gateway';

  it('names the licence or project in each page’s title, and tells the back office’s apart', async () => {
    const alice = await signedIn('ar101');
    const page = async (url: string) => {
      const answer = await alice.get(url);
      expect(answer.statusCode, url).toBe(200);
      return title(answer.body);
    };
    expect(await page(`/storage/project/${projectId}/`)).toBe(`${PROJECT} – storage project of “${LICENCE}”${SITE}`);
    const licencePage = await page(`/storage/licence/${licenceId}/`);
    expect(licencePage).toBe(`${LICENCE} – storage licence${SITE}`);
    expect(await page(`/storage/licence/${licenceId}/owner`)).toBe(`Hand over ownership of “${LICENCE}”${SITE}`);
    expect(await page(changeStepPath(licenceId, 'increase'))).toBe(`Increase the size of “${LICENCE}”${SITE}`);
    expect(await page(changeStepPath(licenceId, 'renewal'))).toBe(`Renew “${LICENCE}”${SITE}`);
    expect(await page(changeStepPath(licenceId, 'cancellation'))).toBe(`Cancel “${LICENCE}”${SITE}`);

    // The payment and check steps of a change say which change of which licence.
    const csrf = await alice.csrfFrom(changeStepPath(licenceId, 'renewal'));
    const chosen = await alice.post(changeStepPath(licenceId, 'renewal'), {
      termYears: '1',
      _csrf: csrf,
      intent: 'continue',
    });
    expect(chosen.headers.location).toBe(changeStepPath(licenceId, 'renewal', 'payment'));
    expect(await page(changeStepPath(licenceId, 'renewal', 'payment'))).toBe(
      `How will you pay? – Renew: ${LICENCE}${SITE}`,
    );

    const rosa = await signedIn('rs501');
    const backOffice = await rosa.get(`/admin/licences/${licenceId}/`);
    expect(backOffice.statusCode).toBe(200);
    expect(title(backOffice.body)).toBe(`${LICENCE} – back office${SITE}`);
    expect(title(backOffice.body)).not.toBe(licencePage);
  });

  it('says in the title of every page that staff are viewing the site as someone', async () => {
    const rosa = await signedIn('rs501');
    const csrf = await rosa.csrfFrom('/admin/view-as');
    const started = await rosa.post('/admin/view-as', { crsid: 'ar101', reason: 'Ticket 99', _csrf: csrf });
    expect(started.statusCode).toBe(303);
    expect(title((await rosa.get('/storage/')).body)).toBe(`Viewing as Alice Researcher – My storage${SITE}`);
    expect(title((await rosa.get(`/storage/project/${projectId}/`)).body)).toBe(
      `Viewing as Alice Researcher – ${PROJECT} – storage project of “${LICENCE}”${SITE}`,
    );
  });

  it('puts each data table in a keyboard-reachable scroll region named by its caption', async () => {
    const alice = await signedIn('ar101');
    const rosa = await signedIn('rs501');
    for (const [who, url] of [
      [alice, '/storage/'],
      [alice, `/storage/licence/${licenceId}/`],
      [rosa, `/admin/licences/${licenceId}/`],
      [rosa, '/admin/licences/'],
    ] as const) {
      const { body } = await who.get(url);
      const tables = body.match(/<table/g) ?? [];
      expect(tables.length, url).toBeGreaterThan(0);
      const regions = [
        ...body.matchAll(/<section class="table-scroll" aria-labelledby="([^"]+)" tabindex="0"><table/g),
      ];
      expect(regions.length, `${url}: every table in a scroll region`).toBe(tables.length);
      for (const [, id] of regions) expect(body, `${url}: caption ${id}`).toContain(`<caption id="${id}"`);
      expect(new Set(regions.map(([, id]) => id)).size, `${url}: caption ids unique`).toBe(regions.length);
    }
  });

  it('lets the back office’s skip link land on the page’s heading, after the section menu', async () => {
    const rosa = await signedIn('rs501');
    const { body } = await rosa.get(`/admin/licences/${licenceId}/`);
    const menu = body.indexOf('<nav class="admin-nav"');
    const main = body.indexOf('<main id="main"');
    expect(menu).toBeGreaterThan(-1);
    expect(menu, 'the section menu comes before the main content').toBeLessThan(main);
    expect(body.indexOf('<h1', main)).toBeGreaterThan(main);
  });

  it('words a cancellation’s check page for a cancellation', async () => {
    const other = await changeableLicence(t.database.db, { licence: 'Cancel words', project: 'cw1' });
    const alice = await signedIn('ar101');
    const csrf = await alice.csrfFrom(changeStepPath(other, 'cancellation'));
    await alice.post(changeStepPath(other, 'cancellation'), { _csrf: csrf, intent: 'continue' });
    const check = await alice.get(changeStepPath(other, 'cancellation', 'check'));
    expect(check.statusCode).toBe(200);
    expect(title(check.body)).toBe(`Check your order – Cancel “Cancel words”${SITE}`);
    expect(check.body).toMatch(/>\s*Change<span class="visually-hidden"> your answers<\/span>/);
    expect(check.body).not.toContain('the change</span>');
    expect(check.body).toMatch(/<button type="submit" class="button[^"]*">Cancel the licence<\/button>/);
    expect(check.body).not.toContain('Submit order');
  });

  it('says on a renewal when its new term starts, not only the day before', async () => {
    const alice = await signedIn('ar101');
    const { body } = await alice.get(changeStepPath(licenceId, 'renewal'));
    expect(body.replace(/\s+/g, ' ')).toContain(
      'The new term starts on 1 January 2027, the day after the current end date (31 December 2026), even if that day has passed',
    );
  });
});
