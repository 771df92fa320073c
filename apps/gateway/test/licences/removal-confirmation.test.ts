import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertStorage } from '../support/storage-fixtures.ts';
import { Browser, startTestApp, type TestApp } from '../support/test-app.ts';

/**
 * Taking someone's place on a licence or a project cannot be undone by the person who did it
 * (WCAG 2.2 SC 3.3.4), and emails them: the pages' "Remove …" leads to a page that says what
 * happens, whose button removes them; without JavaScript, as the order's "Cancel" does.
 */
describe('removing a Data Manager or a project member asks first', () => {
  let t: TestApp;
  const browsers = new Map<string, Browser>();

  async function as(crsid: string): Promise<Browser> {
    let browser = browsers.get(crsid);
    if (!browser) {
      browser = new Browser(t.app);
      await browser.signInAs(crsid);
      browsers.set(crsid, browser);
    }
    return browser;
  }

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t?.close());

  async function licence() {
    const made = await insertStorage(t.database.db, {
      name: `Confirm ${Math.random().toString(36).slice(2, 8)}`,
      owner: 'ar101',
      managers: ['bm202'],
      sizeTb: 5,
      status: 'active',
      startDate: '2026-01-01',
      endDate: '2027-01-01',
      projects: [
        {
          name: 'lattice',
          quotaTb: 3,
          status: 'active',
          members: [
            { crsid: 'da303', role: 'project-data-user' },
            { crsid: 'bm202', role: 'project-data-manager' },
          ],
        },
      ],
      order: null,
    });
    return { id: made.licenceId, lattice: made.projectIds[0] as number };
  }

  const isManager = async (licenceId: number) =>
    (
      await t.database.db
        .selectFrom('licence_managers')
        .innerJoin('people', 'people.id', 'licence_managers.person_id')
        .select('people.crsid')
        .where('licence_id', '=', licenceId)
        .execute()
    ).some((row) => row.crsid === 'bm202');

  const emailsTo = async (crsid: string) =>
    (await t.database.db.selectFrom('mail_outbox').select('to_addresses').execute()).filter((row) =>
      row.to_addresses.some((address) => address.startsWith(`${crsid}@`)),
    ).length;

  it('says what removing a Data Manager does before doing it', async () => {
    const l = await licence();
    const alice = await as('ar101');
    const page = await alice.get(`/storage/licence/${l.id}/`);
    const confirmUrl = `/storage/licence/${l.id}/managers/remove?crsid=bm202`;
    // The licence page links to the question; no form on it removes at once.
    expect(page.body).toContain(`href="${confirmUrl}"`);
    expect(page.body).toContain('Remove Ben Manager');
    expect(page.body).not.toContain(`action="/storage/licence/${l.id}/managers/remove"`);

    const emailsBefore = await emailsTo('bm202');
    const confirm = await alice.get(confirmUrl);
    expect(confirm.statusCode).toBe(200);
    expect(confirm.body).toContain('<title>Remove Ben Manager as a Data Manager');
    expect(confirm.body).toContain('Ben Manager (bm202) will no longer be a Data Manager of this licence');
    expect(confirm.body).toContain('keeps their places in its storage projects');
    expect(confirm.body).toContain('They will be emailed to say so.');
    expect(confirm.body).toContain(`action="/storage/licence/${l.id}/managers/remove"`);
    expect(confirm.body).toContain('name="crsid" value="bm202"');
    expect(confirm.body).toContain('Yes, remove Ben Manager');
    expect(confirm.body).toContain(`<a href="/storage/licence/${l.id}/">No, keep them</a>`);
    // Asking changes nothing and emails nobody.
    expect(await isManager(l.id)).toBe(true);
    expect(await emailsTo('bm202')).toBe(emailsBefore);

    const removed = await alice.post(`/storage/licence/${l.id}/managers/remove`, {
      _csrf: await alice.csrfFrom(confirmUrl),
      crsid: 'bm202',
    });
    expect(removed.statusCode).toBe(303);
    expect(await isManager(l.id)).toBe(false);
    // Asked again (the page kept open): nothing to remove, said on the licence page.
    const again = await alice.get(confirmUrl);
    expect(again.statusCode).toBe(303);
    expect(again.headers.location).toBe(`/storage/licence/${l.id}/`);
    expect((await alice.get(`/storage/licence/${l.id}/`)).body).toContain(
      'Ben Manager (bm202) is not a Data Manager of this licence (any more), so nothing has changed.',
    );
  });

  it('tells someone removing themselves that they lose the licence, and asks only those who may', async () => {
    const l = await licence();
    await t.database.db
      .deleteFrom('storage_project_members')
      .where('project_id', '=', l.lattice)
      .where('person_id', '=', (eb) => eb.selectFrom('people').select('id').where('crsid', '=', 'bm202'))
      .execute();
    const ben = await as('bm202');
    const self = await ben.get(`/storage/licence/${l.id}/managers/remove?crsid=bm202`);
    expect(self.statusCode).toBe(200);
    expect(self.body).toContain('You will no longer be a Data Manager of this licence');
    expect(self.body).toContain('You will no longer see the licence, having no other place on it.');
    expect(self.body).not.toContain('emailed');
    // A project member may not remove Data Managers; someone with no place learns nothing.
    expect((await (await as('da303')).get(`/storage/licence/${l.id}/managers/remove?crsid=bm202`)).statusCode).toBe(
      403,
    );
    expect((await (await as('cb404')).get(`/storage/licence/${l.id}/managers/remove?crsid=bm202`)).statusCode).toBe(
      404,
    );
  });

  it('says what removing a project member does before doing it', async () => {
    const l = await licence();
    const alice = await as('ar101');
    const projectUrl = `/storage/project/${l.lattice}/`;
    const confirmUrl = `${projectUrl}members/remove?crsid=da303&role=project-data-user`;
    const page = await alice.get(projectUrl);
    expect(page.body).toContain(`href="${confirmUrl.replace('&', '&amp;')}"`);
    expect(page.body).toContain('Remove Dana Administrator as Project Data User');
    expect(page.body).not.toContain(`action="${projectUrl}members/remove"`);

    const confirm = await alice.get(confirmUrl);
    expect(confirm.statusCode).toBe(200);
    expect(confirm.body).toContain('<title>Remove Dana Administrator as a Project Data User');
    expect(confirm.body).toContain(
      'Dana Administrator (da303) will no longer be a Project Data User of the storage project lattice',
    );
    expect(confirm.body).toContain('no longer have access to its folder on the storage through that role');
    expect(confirm.body).toContain('They will be emailed to say so.');
    expect(confirm.body).toContain('name="role" value="project-data-user"');
    expect(confirm.body).toContain(`<a href="${projectUrl}">No, keep them</a>`);
    const members = async () =>
      (
        await t.database.db
          .selectFrom('storage_project_members')
          .select('role')
          .where('project_id', '=', l.lattice)
          .execute()
      ).length;
    expect(await members()).toBe(2);
    const removed = await alice.post(`${projectUrl}members/remove`, {
      _csrf: await alice.csrfFrom(confirmUrl),
      crsid: 'da303',
      role: 'project-data-user',
    });
    expect(removed.statusCode).toBe(303);
    expect(await members()).toBe(1);
    expect((await alice.get(`${projectUrl}members/remove?crsid=da303&role=bogus`)).statusCode).toBe(422);
  });
});
