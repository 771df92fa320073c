import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertOrder, insertStorage } from '../support/storage-fixtures.ts';
import { Browser, startTestApp, type TestApp } from '../support/test-app.ts';

/**
 * The licence and project pages' forms for members and storage projects (the rules themselves
 * are tested through the API in members.test.ts; both call licence-members.service.ts): shown
 * only to those who may use them, CSRF on each, messages next to the fields, 'Error: ' titles.
 */
describe('changing members and projects on the licence and project pages', () => {
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
    await t.database.db
      .insertInto('people')
      .values({ crsid: 'lp999', display_name: 'Leo Parted', email: 'lp999@cam.ac.uk', status: 'left' })
      .execute();
  });
  afterAll(() => t?.close());

  async function licence(options: { locked?: boolean } = {}) {
    const made = await insertStorage(t.database.db, {
      name: `Pages ${Math.random().toString(36).slice(2, 8)}`,
      owner: 'ar101',
      managers: [],
      sizeTb: 5,
      status: 'active',
      startDate: '2026-01-01',
      endDate: '2027-01-01',
      projects: [
        { name: 'lattice', quotaTb: 3, status: 'active', members: [{ crsid: 'da303', role: 'project-data-manager' }] },
      ],
      order: null,
    });
    if (options.locked) {
      await t.database.db
        .updateTable('licences')
        .set({ locked_at: new Date(), lock_reason: 'migration' })
        .where('id', '=', made.licenceId)
        .execute();
    }
    return { id: made.licenceId, lattice: made.projectIds[0] as number };
  }

  const title = (body: string) => body.match(/<title>([^<]*)<\/title>/)?.[1] ?? '';

  it('shows the forms to the owner, and only the project forms to a Project Data Manager', async () => {
    const l = await licence();
    const owner = await (await as('ar101')).get(`/storage/licence/${l.id}/`);
    expect(owner.body).toContain(`action="/storage/licence/${l.id}/managers"`);
    expect(owner.body).toContain(`href="/storage/licence/${l.id}/owner"`);
    expect(owner.body).toContain(`action="/storage/licence/${l.id}/projects"`);
    const dana = await as('da303');
    const licencePage = await dana.get(`/storage/licence/${l.id}/`);
    expect(licencePage.statusCode).toBe(200);
    expect(licencePage.body).not.toContain('/managers"');
    expect(licencePage.body).not.toContain('/projects"');
    const projectPage = await dana.get(`/storage/project/${l.lattice}/`);
    expect(projectPage.body).toContain(`action="/storage/project/${l.lattice}/members"`);
    expect(projectPage.body).not.toContain(`action="/storage/project/${l.lattice}/quota"`);
  });

  it('says on the quota field how large the project may be made, before anyone tries', async () => {
    const l = await licence();
    const alice = await as('ar101');
    const made = await alice.post(`/storage/licence/${l.id}/projects`, {
      _csrf: await alice.csrfFrom(`/storage/licence/${l.id}/`),
      projectName: 'second',
      projectQuotaTb: '1',
    });
    expect(made.statusCode).toBe(303);
    // 5 TB, lattice 3 TB and second 1 TB: lattice may be 4 TB at most, second 2 TB.
    const hint = (body: string) => body.match(/id="quotaTb-hint">([^<]*)</)?.[1];
    expect(hint((await alice.get(`/storage/project/${l.lattice}/`)).body)).toBe(
      "A whole number of TB, at least the data it holds and at most 4 TB: what the licence's other projects leave of its size",
    );
    expect(hint((await alice.get(made.headers.location as string)).body)).toContain('at most 2 TB');
  });

  it('says a new quota as the page writes sizes, not as it was typed', async () => {
    const l = await licence();
    const alice = await as('ar101');
    const _csrf = await alice.csrfFrom(`/storage/project/${l.lattice}/`);
    const changed = await alice.post(`/storage/project/${l.lattice}/quota`, { _csrf, quotaTb: ' 02 ' });
    expect(changed.statusCode).toBe(303);
    expect((await alice.get(`/storage/project/${l.lattice}/`)).body).toContain('The quota is now 2 TB.');
    await alice.post(`/storage/project/${l.lattice}/quota`, { _csrf, quotaTb: '2' });
    expect((await alice.get(`/storage/project/${l.lattice}/`)).body).toContain(
      'The quota is 2 TB already, so nothing has changed.',
    );
  });

  it("writes a project's people in its history by their roles, not as codes or JSON", async () => {
    const l = await licence();
    const alice = await as('ar101');
    const _csrf = await alice.csrfFrom(`/storage/project/${l.lattice}/`);
    await alice.post(`/storage/project/${l.lattice}/members`, {
      _csrf,
      memberCrsid: 'bm202',
      memberRole: 'project-data-user',
    });
    await alice.post(`/storage/project/${l.lattice}/remove`, { _csrf, confirm: 'yes' });
    const history = (await alice.get(`/storage/licence/${l.id}/`)).body.split('id="history"')[1] ?? '';
    expect(history).toContain('person: Ben Manager (bm202)');
    expect(history).toContain('role: Project Data User');
    expect(history).toContain(
      'members: Dana Administrator (da303) as Project Data Manager, Ben Manager (bm202) as Project Data User → none',
    );
    expect(history).not.toMatch(/project-data-|&quot;crsid/);
  });

  it('adds and removes a Data Manager, with the message next to the field when refused', async () => {
    const l = await licence();
    const alice = await as('ar101');
    const _csrf = await alice.csrfFrom(`/storage/licence/${l.id}/`);
    const noToken = await alice.post(`/storage/licence/${l.id}/managers`, { managerCrsid: 'bm202' });
    expect(noToken.statusCode).toBe(403);
    const left = await alice.post(`/storage/licence/${l.id}/managers`, { _csrf, managerCrsid: 'lp999' });
    expect(left.statusCode).toBe(422);
    expect(title(left.body)).toMatch(/^Error: Pages /);
    expect(left.body).toContain('class="error-summary"');
    expect(left.body).toContain('href="#managerCrsid"');
    expect(left.body).toMatch(/id="managerCrsid-error">.*has left the University/s);
    const added = await alice.post(`/storage/licence/${l.id}/managers`, { _csrf, managerCrsid: 'bm202' });
    expect(added.statusCode).toBe(303);
    expect(added.headers.location).toBe(`/storage/licence/${l.id}/`);
    const page = await alice.get(`/storage/licence/${l.id}/`);
    expect(page.body).toContain('Ben Manager (bm202) is now a Data Manager of this licence.');
    expect(page.body).toContain('Remove Ben Manager');
    // Ben removes himself, and can no longer see the licence.
    const ben = await as('bm202');
    const benCsrf = await ben.csrfFrom(`/storage/licence/${l.id}/`);
    const removed = await ben.post(`/storage/licence/${l.id}/managers/remove`, { _csrf: benCsrf, crsid: 'bm202' });
    expect(removed.statusCode).toBe(303);
    expect(removed.headers.location).toBe('/storage/');
    expect((await ben.get(`/storage/licence/${l.id}/`)).statusCode).toBe(404);
  });

  it('answers a second removal of a Data Manager or a project member (a stale page) with its page: nothing changed', async () => {
    const l = await licence();
    const alice = await as('ar101');
    const _csrf = await alice.csrfFrom(`/storage/licence/${l.id}/`);
    expect((await alice.post(`/storage/licence/${l.id}/managers`, { _csrf, managerCrsid: 'bm202' })).statusCode).toBe(
      303,
    );
    const ben = await as('bm202');
    const benCsrf = await ben.csrfFrom(`/storage/licence/${l.id}/`);
    const auditRows = async () =>
      (await t.database.db.selectFrom('audit_events').select('action').where('licence_id', '=', l.id).execute()).length;
    for (const _ of [1, 2]) {
      const removed = await alice.post(`/storage/licence/${l.id}/managers/remove`, { _csrf, crsid: 'bm202' });
      expect(removed.statusCode).toBe(303);
      expect(removed.headers.location).toBe(`/storage/licence/${l.id}/`);
    }
    const rows = await auditRows();
    expect(rows).toBe(2);
    expect((await alice.get(`/storage/licence/${l.id}/`)).body).toContain(
      'Ben Manager (bm202) is not a Data Manager of this licence (any more), so nothing has changed.',
    );
    // Ben's own page, open since before he was removed: My storage, told the same, not "Page not found".
    const self = await ben.post(`/storage/licence/${l.id}/managers/remove`, { _csrf: benCsrf, crsid: 'bm202' });
    expect(self.statusCode).toBe(303);
    expect(self.headers.location).toBe('/storage/');
    expect((await ben.get('/storage/')).body).toContain(
      'You are not a Data Manager of this licence (any more), so nothing has changed.',
    );
    // Someone else who cannot see the licence still learns nothing of it.
    const carol = await as('cb404');
    const carolCsrf = await carol.csrfFrom('/storage/');
    expect(
      (await carol.post(`/storage/licence/${l.id}/managers/remove`, { _csrf: carolCsrf, crsid: 'ar101' })).statusCode,
    ).toBe(404);

    const projectUrl = `/storage/project/${l.lattice}/`;
    const member = { _csrf, crsid: 'da303', role: 'project-data-manager' };
    expect((await alice.post(`${projectUrl}members/remove`, member)).headers.location).toBe(projectUrl);
    const twice = await alice.post(`${projectUrl}members/remove`, member);
    expect(twice.statusCode).toBe(303);
    expect(twice.headers.location).toBe(projectUrl);
    expect((await alice.get(projectUrl)).body).toContain(
      'Dana Administrator (da303) is not a Project Data Manager of this project (any more), so nothing has changed.',
    );
    expect(await auditRows()).toBe(rows + 1);
  });

  it('hands ownership over after a confirmation naming the new owner', async () => {
    const l = await licence();
    const alice = await as('ar101');
    const form = await alice.get(`/storage/licence/${l.id}/owner`);
    expect(form.statusCode).toBe(200);
    const _csrf = await alice.csrfFrom(`/storage/licence/${l.id}/owner`);
    const bad = await alice.post(`/storage/licence/${l.id}/owner`, { _csrf, crsid: 'nobody1' });
    expect(bad.statusCode).toBe(422);
    expect(title(bad.body)).toMatch(/^Error: Hand over ownership/);
    expect(bad.body).toMatch(/id="crsid-error">.*nobody with the CRSid nobody1/s);
    const confirm = await alice.post(`/storage/licence/${l.id}/owner`, { _csrf, crsid: 'bm202' });
    expect(confirm.statusCode).toBe(200);
    expect(confirm.body).toContain('Hand over to Ben Manager');
    expect(confirm.body).toContain('name="confirm" value="yes"');
    const owner = await t.database.db
      .selectFrom('licences')
      .select('owner_person_id')
      .where('id', '=', l.id)
      .executeTakeFirstOrThrow();
    const done = await alice.post(`/storage/licence/${l.id}/owner`, { _csrf, crsid: 'bm202', confirm: 'yes' });
    expect(done.statusCode).toBe(303);
    const after = await t.database.db
      .selectFrom('licences')
      .select('owner_person_id')
      .where('id', '=', l.id)
      .executeTakeFirstOrThrow();
    expect(after.owner_person_id).not.toBe(owner.owner_person_id);
    await alice.get(`/storage/licence/${l.id}/`);
    // The button pressed twice: the second lands on the licence as the first did, and hands nothing over again.
    const again = await alice.post(`/storage/licence/${l.id}/owner`, { _csrf, crsid: 'bm202', confirm: 'yes' });
    expect(again.statusCode).toBe(303);
    expect(again.headers.location).toBe(`/storage/licence/${l.id}/`);
    expect((await alice.get(`/storage/licence/${l.id}/`)).body).toContain(
      'Ben Manager (bm202) is now the Data Owner of this licence; you are a Data Manager.',
    );
    const handOvers = await t.database.db
      .selectFrom('audit_events')
      .select('action')
      .where('licence_id', '=', l.id)
      .where('action', '=', 'owner-handed-over')
      .execute();
    expect(handOvers).toHaveLength(1);
    // Another hand-over by someone who may not is still refused, and so is this one by a project member.
    expect(
      (await alice.post(`/storage/licence/${l.id}/owner`, { _csrf, crsid: 'da303', confirm: 'yes' })).statusCode,
    ).toBe(403);
    const dana = await as('da303');
    const danaCsrf = await dana.csrfFrom(`/storage/licence/${l.id}/`);
    expect(
      (await dana.post(`/storage/licence/${l.id}/owner`, { _csrf: danaCsrf, crsid: 'bm202', confirm: 'yes' }))
        .statusCode,
    ).toBe(403);
    // Alice is now a Data Manager: she may no longer hand it over.
    expect((await alice.get(`/storage/licence/${l.id}/owner`)).statusCode).toBe(403);
    expect((await (await as('da303')).get(`/storage/licence/${l.id}/owner`)).statusCode).toBe(403);
    expect((await (await as('cb404')).get(`/storage/licence/${l.id}/owner`)).statusCode).toBe(404);
  });

  it('tells the service team handing a licence over that the old owner stays on, not that they do', async () => {
    const l = await licence();
    const rosa = await as('rs501');
    const _csrf = await rosa.csrfFrom(`/storage/licence/${l.id}/owner`);
    const confirm = await rosa.post(`/storage/licence/${l.id}/owner`, { _csrf, crsid: 'bm202' });
    expect(confirm.statusCode).toBe(200);
    expect(confirm.body).toContain('Alice Researcher (ar101) will stay on as a Data Manager');
    expect(confirm.body).not.toContain('You will stay on');
    const done = await rosa.post(`/storage/licence/${l.id}/owner`, { _csrf, crsid: 'bm202', confirm: 'yes' });
    expect(done.statusCode).toBe(303);
    const page = await rosa.get(`/storage/licence/${l.id}/`);
    expect(page.body).toContain(
      'Ben Manager (bm202) is now the Data Owner of this licence; Alice Researcher (ar101) stays on as a Data Manager.',
    );
    expect(page.body).not.toContain('you are a Data Manager');
    // Pressed twice: the same notice as the first.
    const again = await rosa.post(`/storage/licence/${l.id}/owner`, { _csrf, crsid: 'bm202', confirm: 'yes' });
    expect(again.statusCode).toBe(303);
    expect((await rosa.get(`/storage/licence/${l.id}/`)).body).toContain(
      'Ben Manager (bm202) is now the Data Owner of this licence; Alice Researcher (ar101) stays on as a Data Manager.',
    );
    // The owner handing over is told they stay on.
    const ben = await as('bm202');
    const benCsrf = await ben.csrfFrom(`/storage/licence/${l.id}/owner`);
    expect((await ben.post(`/storage/licence/${l.id}/owner`, { _csrf: benCsrf, crsid: 'da303' })).body).toContain(
      'You will stay on as a Data Manager until they remove you.',
    );
    await ben.post(`/storage/licence/${l.id}/owner`, { _csrf: benCsrf, crsid: 'da303', confirm: 'yes' });
    expect((await ben.get(`/storage/licence/${l.id}/`)).body).toContain(
      'Dana Administrator (da303) is now the Data Owner of this licence; you are a Data Manager.',
    );
  });

  it('tells the service team replacing a Data Owner who has left that they do not stay on, nor are emailed', async () => {
    const made = await insertStorage(t.database.db, {
      name: `Left owner ${Math.random().toString(36).slice(2, 8)}`,
      owner: 'lp999',
      sizeTb: 5,
      status: 'active',
      startDate: '2026-01-01',
      endDate: '2027-01-01',
      order: null,
    });
    const rosa = await as('rs501');
    const _csrf = await rosa.csrfFrom(`/storage/licence/${made.licenceId}/owner`);
    const confirm = await rosa.post(`/storage/licence/${made.licenceId}/owner`, { _csrf, crsid: 'bm202' });
    expect(confirm.body).toContain(
      'Leo Parted (lp999) has left the University, so does not stay on as a Data Manager and is not emailed.',
    );
    expect(confirm.body).not.toContain('will stay on');
    await rosa.post(`/storage/licence/${made.licenceId}/owner`, { _csrf, crsid: 'bm202', confirm: 'yes' });
    expect((await rosa.get(`/storage/licence/${made.licenceId}/`)).body).toContain(
      'Ben Manager (bm202) is now the Data Owner of this licence.',
    );
  });

  it('emails the old Data Owner when the service team hands their licence over on its page, not when they hand it over themselves', async () => {
    const l = await licence();
    const { name } = await t.database.db
      .selectFrom('licences')
      .select('name')
      .where('id', '=', l.id)
      .executeTakeFirstOrThrow();
    const noLongerOwner = (email: string) =>
      t.database.db
        .selectFrom('mail_outbox')
        .select(['to_addresses', 'text_body'])
        .where('subject', '=', `You are no longer the Data Owner of “${name}”`)
        .where(sql<boolean>`${email} = ANY(to_addresses)`)
        .execute();
    const rosa = await as('rs501');
    const _csrf = await rosa.csrfFrom(`/storage/licence/${l.id}/owner`);
    const confirm = await rosa.post(`/storage/licence/${l.id}/owner`, { _csrf, crsid: 'bm202' });
    expect(confirm.body).toContain(
      'Alice Researcher (ar101) will stay on as a Data Manager until the new Data Owner removes them, and will be emailed.',
    );
    expect(
      (await rosa.post(`/storage/licence/${l.id}/owner`, { _csrf, crsid: 'bm202', confirm: 'yes' })).statusCode,
    ).toBe(303);
    // Alice did not make the change: she is told who did, who owns it now, and that she stays on.
    const [toAlice, ...more] = await noLongerOwner('ar101@cam.ac.uk');
    expect(more).toEqual([]);
    expect(toAlice?.text_body).toContain(
      `The storage team has made Ben Manager (bm202) the Data Owner of the storage licence “${name}” in your place: you are no longer its Data Owner, and stay on as a Data Manager until they remove you.`,
    );
    expect(toAlice?.text_body).not.toContain('no longer have access');
    expect(toAlice?.text_body).toContain(`/storage/licence/${l.id}/`);
    // Ben hands it over himself: he is not emailed about what he did.
    const ben = await as('bm202');
    const benCsrf = await ben.csrfFrom(`/storage/licence/${l.id}/owner`);
    expect(
      (await ben.post(`/storage/licence/${l.id}/owner`, { _csrf: benCsrf, crsid: 'da303', confirm: 'yes' })).statusCode,
    ).toBe(303);
    expect(await noLongerOwner('bm202@cam.ac.uk')).toEqual([]);
  });

  it('answers a hand-over of a licence someone cannot see as one of a licence that does not exist', async () => {
    const l = await licence();
    const chloe = await as('cb404');
    const _csrf = await chloe.csrfFrom('/storage/');
    const main = (body: string) => body.match(/<main[\s\S]*<\/main>/)?.[0];
    for (const crsid of ['cb404', 'nobody1']) {
      const hidden = await chloe.post(`/storage/licence/${l.id}/owner`, { _csrf, crsid });
      const missing = await chloe.post('/storage/licence/999999/owner', { _csrf, crsid });
      expect([hidden.statusCode, missing.statusCode]).toEqual([404, 404]);
      expect(main(hidden.body)).toBe(main(missing.body));
    }
  });

  it('refuses a hand-over to the Data Owner themselves at the first step, not after a confirmation', async () => {
    const l = await licence();
    const alice = await as('ar101');
    const _csrf = await alice.csrfFrom(`/storage/licence/${l.id}/owner`);
    const self = await alice.post(`/storage/licence/${l.id}/owner`, { _csrf, crsid: ' AR101 ' });
    expect(self.statusCode).toBe(422);
    expect(title(self.body)).toMatch(/^Error: Hand over ownership/);
    expect(self.body).toMatch(/id="crsid-error">.*Alice Researcher is the Data Owner already/s);
    expect(self.body).toContain('value=" AR101 "');
    expect(self.body).not.toContain('name="confirm" value="yes"');
  });

  it('creates a project within the size, then changes its quota and members on its page', async () => {
    const l = await licence();
    const alice = await as('ar101');
    const _csrf = await alice.csrfFrom(`/storage/licence/${l.id}/`);
    const tooBig = await alice.post(`/storage/licence/${l.id}/projects`, {
      _csrf,
      projectName: 'Lattice',
      projectQuotaTb: '3',
    });
    expect(tooBig.statusCode).toBe(422);
    expect(tooBig.body).toMatch(/id="projectName-error">.*already has a storage project with that name/s);
    expect(tooBig.body).toMatch(/id="projectQuotaTb-error">.*choose at most 2 TB/s);
    const created = await alice.post(`/storage/licence/${l.id}/projects`, {
      _csrf,
      projectName: 'spectra',
      projectQuotaTb: '2',
    });
    expect(created.statusCode).toBe(303);
    const projectUrl = created.headers.location as string;
    expect(projectUrl).toMatch(/^\/storage\/project\/\d+\/$/);
    // The licence is in use: the new project waits for the storage team, not for a set-up of the licence.
    const waiting = await alice.get(projectUrl);
    expect(waiting.body).toContain('The licence is in use: the storage team will create this storage project');
    expect(waiting.body).toContain('Shown here once the storage team has created it');
    expect(waiting.body).not.toContain('when the licence is set up');
    expect(waiting.body).not.toContain('Set up when the licence is provisioned');
    const grow = await alice.post(`${projectUrl}quota`, { _csrf, quotaTb: '3' });
    expect(grow.statusCode).toBe(422);
    expect(title(grow.body)).toMatch(/^Error: spectra – /);
    expect(grow.body).toMatch(/id="quotaTb-error">.*choose at most 2 TB/s);
    expect((await alice.post(`${projectUrl}quota`, { _csrf, quotaTb: '1' })).statusCode).toBe(303);
    const noRole = await alice.post(`${projectUrl}members`, { _csrf, memberCrsid: 'da303' });
    expect(noRole.statusCode).toBe(422);
    expect(noRole.body).toMatch(/id="memberRole-error">.*Choose Project Data Manager or Project Data User/s);
    const neither = await alice.post(`${projectUrl}members`, { _csrf, memberCrsid: 'lp999' });
    expect(neither.body).toMatch(/id="memberRole-error">/);
    expect(neither.body).toMatch(/id="memberCrsid-error">.*has left the University/s);
    // The error summary lists the problems in the order of the fields: CRSid, then role.
    expect(neither.body).toMatch(/<a href="#memberCrsid">[^<]*<\/a><\/li><li><a href="#memberRole">/);
    const added = await alice.post(`${projectUrl}members`, {
      _csrf,
      memberCrsid: 'da303',
      memberRole: 'project-data-user',
    });
    expect(added.statusCode).toBe(303);
    // One role per person in a project: the other is refused, in the error summary and beside the field.
    const both = await alice.post(`${projectUrl}members`, {
      _csrf,
      memberCrsid: 'da303',
      memberRole: 'project-data-manager',
    });
    expect(both.statusCode).toBe(422);
    expect(title(both.body)).toMatch(/^Error: spectra – /);
    const holdsOne =
      'Dana Administrator is a Project Data User of this project already, and a person holds one role in a project: to make them a Project Data Manager, remove them as a Project Data User first';
    expect(both.body).toContain(`<a href="#memberCrsid">${holdsOne}</a>`);
    expect(both.body).toMatch(new RegExp(`id="memberCrsid-error">.*${holdsOne}`, 's'));
    expect(both.body).toContain('value="da303"');
    const page = await alice.get(projectUrl);
    expect(page.body).toContain('Quota');
    expect(page.body).toContain('Remove Dana Administrator as Project Data User');
    const removed = await alice.post(`${projectUrl}members/remove`, {
      _csrf,
      crsid: 'da303',
      role: 'project-data-user',
    });
    expect(removed.statusCode).toBe(303);
    expect((await alice.get(projectUrl)).body).not.toContain('Remove Dana Administrator');
    const audit = await t.database.db
      .selectFrom('audit_events')
      .select('action')
      .where('licence_id', '=', l.id)
      .orderBy('id')
      .execute();
    expect(audit.map((row) => row.action)).toEqual([
      'project-created',
      'project-resized',
      'project-member-added',
      'project-member-removed',
    ]);
    // The licence's history says which of its projects each entry is about.
    const history = (await alice.get(`/storage/licence/${l.id}/`)).body.split('id="history"')[1] ?? '';
    expect(history).toContain('Storage project spectra: project created');
    expect(history).toContain('Storage project spectra: project member added');
    expect(history).not.toContain('Storage project: ');
  });

  it('renames a project on its page, the message next to the field when refused; only for those who may', async () => {
    const l = await licence();
    const alice = await as('ar101');
    const page = await alice.get(`/storage/project/${l.lattice}/`);
    expect(page.body).toContain(`action="/storage/project/${l.lattice}/name"`);
    expect(page.body).toMatch(/<label for="projectName">Project name<\/label>/);
    expect(page.body).toContain(`href="/storage/project/${l.lattice}/remove"`);
    // Dana manages the project's members, not its name, quota or existence.
    const dana = await as('da303');
    const hers = await dana.get(`/storage/project/${l.lattice}/`);
    expect(hers.body).not.toContain(`action="/storage/project/${l.lattice}/name"`);
    expect(hers.body).not.toContain(`/storage/project/${l.lattice}/remove`);
    const danaCsrf = await dana.csrfFrom(`/storage/project/${l.lattice}/`);
    expect(
      (await dana.post(`/storage/project/${l.lattice}/name`, { _csrf: danaCsrf, projectName: 'mine' })).statusCode,
    ).toBe(403);

    const _csrf = await alice.csrfFrom(`/storage/project/${l.lattice}/`);
    expect((await alice.post(`/storage/project/${l.lattice}/name`, { projectName: 'x' })).statusCode).toBe(403);
    const bad = await alice.post(`/storage/project/${l.lattice}/name`, { _csrf, projectName: 'lattice 2026' });
    expect(bad.statusCode).toBe(422);
    expect(title(bad.body)).toMatch(/^Error: lattice/);
    expect(bad.body).toContain('class="error-summary"');
    expect(bad.body).toContain('href="#projectName"');
    expect(bad.body).toMatch(/id="projectName-error">.*Use up to 40 letters/s);
    expect(bad.body).toContain('value="lattice 2026"');
    const done = await alice.post(`/storage/project/${l.lattice}/name`, { _csrf, projectName: 'lattice-2026' });
    expect(done.statusCode).toBe(303);
    expect(done.headers.location).toBe(`/storage/project/${l.lattice}/`);
    const renamed = await alice.get(`/storage/project/${l.lattice}/`);
    expect(renamed.body).toContain('The project is now called lattice-2026.');
    expect(title(renamed.body)).toMatch(/^lattice-2026/);
    // Its current name again (a second click, a stale page): said so, and nothing audited, emailed or synced.
    const counts = async () => ({
      audit: (await t.database.db.selectFrom('audit_events').select('id').where('licence_id', '=', l.id).execute())
        .length,
      emails: (
        await t.database.db.selectFrom('mail_outbox').select('id').where('subject', 'like', '%lattice-2026%').execute()
      ).length,
    });
    const before = await counts();
    const same = await alice.post(`/storage/project/${l.lattice}/name`, { _csrf, projectName: ' lattice-2026 ' });
    expect(same.statusCode).toBe(303);
    const unchanged = await alice.get(`/storage/project/${l.lattice}/`);
    expect(unchanged.body).toContain('The project is called lattice-2026 already, so nothing has changed.');
    expect(unchanged.body).not.toContain('is now called');
    expect(await counts()).toEqual(before);
  });

  it('removes a project after a confirmation that says what happens, then lists it as removed', async () => {
    const l = await licence();
    const alice = await as('ar101');
    const confirm = await alice.get(`/storage/project/${l.lattice}/remove`);
    expect(confirm.statusCode).toBe(200);
    expect(confirm.body).toContain('<h1>Remove the storage project lattice?</h1>');
    expect(confirm.body).toContain('its 1 person (Dana Administrator) loses theirs. They are emailed.');
    expect(confirm.body).toContain('Dana Administrator');
    expect(confirm.body).toContain(
      'Its 3 TB return to the licence: 5 TB will then be free for its other storage projects.',
    );
    expect(confirm.body).toContain('name="confirm" value="yes"');
    // Others: a project member may not (403), someone who cannot see it is told it is not there.
    expect((await (await as('da303')).get(`/storage/project/${l.lattice}/remove`)).statusCode).toBe(403);
    expect((await (await as('cb404')).get(`/storage/project/${l.lattice}/remove`)).statusCode).toBe(404);
    const _csrf = await alice.csrfFrom(`/storage/project/${l.lattice}/remove`);
    expect((await alice.post(`/storage/project/${l.lattice}/remove`, { confirm: 'yes' })).statusCode).toBe(403);
    // Without the confirmation (a form posted without it): the confirmation page, nothing removed.
    const unconfirmed = await alice.post(`/storage/project/${l.lattice}/remove`, { _csrf });
    expect(unconfirmed.statusCode).toBe(200);
    expect(unconfirmed.body).toContain('<h1>Remove the storage project lattice?</h1>');

    const removed = await alice.post(`/storage/project/${l.lattice}/remove`, { _csrf, confirm: 'yes' });
    expect(removed.statusCode).toBe(303);
    expect(removed.headers.location).toBe(`/storage/licence/${l.id}/`);
    const licencePage = await alice.get(`/storage/licence/${l.id}/`);
    expect(licencePage.body).toContain(
      "Storage project lattice removed: its 3 TB are free for the licence's other projects.",
    );
    expect(licencePage.body).toContain('<h3>Removed storage projects</h3>');
    expect(licencePage.body).toContain('This licence has no storage projects yet.');
    expect(licencePage.body).toContain("5 TB of the licence's 5 TB is not given to a project yet.");
    expect(licencePage.body.split('id="history"')[1]).toContain('Storage project lattice: project removed');
    // The button pressed twice lands where the first did.
    const twice = await alice.post(`/storage/project/${l.lattice}/remove`, { _csrf, confirm: 'yes' });
    expect(twice.statusCode).toBe(303);
    expect(twice.headers.location).toBe(`/storage/licence/${l.id}/`);
    const projectPage = await alice.get(`/storage/project/${l.lattice}/`);
    expect(projectPage.body).toContain('This storage project has been removed');
    expect(projectPage.body).not.toContain(`action="/storage/project/${l.lattice}/name"`);
    expect((await alice.get(`/storage/project/${l.lattice}/remove`)).statusCode).toBe(409);
    // Dana's only place was on it.
    expect((await (await as('da303')).get(`/storage/project/${l.lattice}/`)).statusCode).toBe(404);
  });

  it('says 1 TB in the singular when a 1 TB project is removed', async () => {
    const made = await insertStorage(t.database.db, {
      name: `One ${Math.random().toString(36).slice(2, 8)}`,
      owner: 'ar101',
      sizeTb: 5,
      status: 'active',
      startDate: '2026-01-01',
      endDate: '2027-01-01',
      projects: [{ name: 'tiny', quotaTb: 1, status: 'active', members: [] }],
      order: null,
    });
    const tiny = made.projectIds[0] as number;
    const alice = await as('ar101');
    const confirm = await alice.get(`/storage/project/${tiny}/remove`);
    expect(confirm.body).toContain(
      'Its 1 TB returns to the licence: 5 TB will then be free for its other storage projects.',
    );
    const _csrf = await alice.csrfFrom(`/storage/project/${tiny}/remove`);
    expect((await alice.post(`/storage/project/${tiny}/remove`, { _csrf, confirm: 'yes' })).statusCode).toBe(303);
    expect((await alice.get(`/storage/licence/${made.licenceId}/`)).body).toContain(
      "Storage project tiny removed: its 1 TB is free for the licence's other projects.",
    );
  });

  it('says on the removal confirmation who is emailed: not those who have left, nor the person removing it', async () => {
    const { projectIds } = await insertStorage(t.database.db, {
      name: `Told ${Math.random().toString(36).slice(2, 8)}`,
      owner: 'ar101',
      sizeTb: 5,
      status: 'active',
      startDate: '2026-01-01',
      endDate: '2027-01-01',
      projects: [
        {
          name: 'mixed',
          quotaTb: 2,
          status: 'active',
          members: [
            { crsid: 'da303', role: 'project-data-manager' },
            { crsid: 'lp999', role: 'project-data-user' },
            { crsid: 'ar101', role: 'project-data-user' },
          ],
        },
        {
          name: 'gone',
          quotaTb: 1,
          status: 'active',
          members: [
            { crsid: 'lp999', role: 'project-data-user' },
            { crsid: 'ar101', role: 'project-data-user' },
          ],
        },
      ],
      order: null,
    });
    const alice = await as('ar101');
    const mixed = await alice.get(`/storage/project/${projectIds[0]}/remove`);
    expect(mixed.body).toContain('its 3 people (');
    expect(mixed.body).toContain(
      'Dana Administrator is emailed; not the others: Leo Parted has left the University, and you are removing it.',
    );
    expect(mixed.body).not.toContain('are emailed.');
    const gone = await alice.get(`/storage/project/${projectIds[1]}/remove`);
    expect(gone.body).toContain('Nobody is emailed: Leo Parted has left the University, and you are removing it.');
  });

  it('refuses to remove a project of a suspended licence, saying why', async () => {
    const l = await licence();
    await t.database.db.updateTable('licences').set({ status: 'suspended' }).where('id', '=', l.id).execute();
    const alice = await as('ar101');
    const page = await alice.get(`/storage/project/${l.lattice}/`);
    expect(page.body).toContain('This licence has expired and is read-only');
    expect(page.body).not.toContain(`/storage/project/${l.lattice}/remove`);
    const refused = await alice.get(`/storage/project/${l.lattice}/remove`);
    expect(refused.statusCode).toBe(409);
    expect(refused.body).toContain('This licence has expired and is read-only');
    const _csrf = await alice.csrfFrom(`/storage/project/${l.lattice}/`);
    const posted = await alice.post(`/storage/project/${l.lattice}/remove`, { _csrf, confirm: 'yes' });
    expect(posted.statusCode).toBe(409);
    const renamed = await alice.post(`/storage/project/${l.lattice}/name`, { _csrf, projectName: 'other' });
    expect(renamed.statusCode).toBe(409);
  });

  it('tells the keepers of a licence due for deletion whose recovery is under way to wait for it, not to contact the team', async () => {
    const textOf = (html: string) => html.replaceAll('&#39;', "'").replaceAll('&quot;', '"');
    const l = await licence();
    const db = t.database.db;
    await db.updateTable('licences').set({ status: 'deletable' }).where('id', '=', l.id).execute();
    const alice = await as('ar101');
    const waiting = 'This licence is due for deletion, so its people and storage projects cannot be changed.';
    expect(textOf((await alice.get(`/storage/licence/${l.id}/`)).body)).toContain(waiting);
    // A recovery ordered while it was in the cold store is coming: the page says so instead.
    const recovery = await insertOrder(db, l.id, {
      kind: 'recovery',
      status: 'approved',
      startsOn: '2027-08-01',
      endsOn: '2028-07-31',
    });
    const coming = `This licence is due for deletion, but its recovery (order ${recovery.reference}) is under way, so its people and storage projects can be changed once its data is back.`;
    const page = textOf((await alice.get(`/storage/licence/${l.id}/`)).body);
    expect(page).toContain(coming);
    expect(page).not.toContain('no recovery can be ordered');
    const _csrf = await alice.csrfFrom(`/storage/licence/${l.id}/`);
    const refused = await alice.post(`/storage/licence/${l.id}/managers`, { _csrf, crsid: 'da303' });
    expect(refused.statusCode).toBe(409);
    expect(textOf(refused.body)).toContain(coming);
  });

  it('says what an ended licence means for its storage projects, instead of promising a set-up', async () => {
    const { projectIds } = await insertStorage(t.database.db, {
      name: `Ended ${Math.random().toString(36).slice(2, 8)}`,
      owner: 'ar101',
      sizeTb: 5,
      status: 'cancelled',
      startDate: '2026-01-01',
      endDate: '2027-01-01',
      projects: [
        { name: 'never-made', quotaTb: 2, status: 'pending' },
        { name: 'was-made', quotaTb: 2, status: 'active' },
      ],
      order: null,
    });
    const alice = await as('ar101');
    const pending = await alice.get(`/storage/project/${projectIds[0]}/`);
    expect(pending.body).toContain('Its licence is cancelled, so this storage project will not be set up.');
    expect(pending.body).not.toContain('will create this storage project when the licence is set up');
    const made = await alice.get(`/storage/project/${projectIds[1]}/`);
    expect(made.body).toContain('Its licence is cancelled, so this storage project can no longer be used.');
    expect(made.body).not.toContain('its members can use it');
  });

  it('says a locked licence cannot change, shows no forms, and refuses a change', async () => {
    const l = await licence({ locked: true });
    const alice = await as('ar101');
    const page = await alice.get(`/storage/licence/${l.id}/`);
    expect(page.body).toContain('This licence is locked by the storage team');
    expect(page.body).not.toContain(`action="/storage/licence/${l.id}/managers"`);
    const _csrf = await alice.csrfFrom(`/storage/licence/${l.id}/`);
    const refused = await alice.post(`/storage/licence/${l.id}/managers`, { _csrf, managerCrsid: 'bm202' });
    expect(refused.statusCode).toBe(409);
    // Nothing "has already changed": the page's title says the change cannot be made now, and why.
    expect(title(refused.body)).toMatch(/^That cannot be done now/);
    expect(refused.body).toContain('<h1>That cannot be done now</h1>');
    expect(refused.body).toContain('This licence is locked by the storage team');
    // Who may act comes before the licence's state: a Project Data Manager, who may never remove
    // the project, is refused its removal (403) on the page as by the form, not told of the lock.
    const dana = await as('da303');
    const danaCsrf = await dana.csrfFrom(`/storage/project/${l.lattice}/`);
    expect((await dana.get(`/storage/project/${l.lattice}/remove`)).statusCode).toBe(403);
    expect((await dana.post(`/storage/project/${l.lattice}/remove`, { _csrf: danaCsrf })).statusCode).toBe(403);
    expect(
      (await dana.post(`/storage/project/${l.lattice}/remove`, { _csrf: danaCsrf, confirm: 'yes' })).statusCode,
    ).toBe(403);
    // The Data Owner may, once the licence is unlocked: the lock is what refuses her (409).
    expect((await alice.get(`/storage/project/${l.lattice}/remove`)).statusCode).toBe(409);
  });

  describe('a button pressed twice (two identical requests, the browser showing the second)', () => {
    /** The licence's audit rows of this action, as if made a day ago: no longer "moments ago". */
    async function ageAudit(licenceId: number, action: string) {
      await t.database.db
        .updateTable('audit_events')
        .set({ occurred_at: sql`occurred_at - interval '1 day'` })
        .where('licence_id', '=', licenceId)
        .where('action', '=', action)
        .execute();
    }
    const audited = async (licenceId: number, action: string) =>
      (
        await t.database.db
          .selectFrom('audit_events')
          .select('id')
          .where('licence_id', '=', licenceId)
          .where('action', '=', action)
          .execute()
      ).length;
    const projectsNamed = async (licenceId: number, name: string) =>
      (
        await t.database.db
          .selectFrom('storage_projects')
          .select('id')
          .where('licence_id', '=', licenceId)
          .where('name', '=', name)
          .execute()
      ).length;
    const fieldError = (body: string, field: string) =>
      body.match(new RegExp(`id="${field}-error"><span class="visually-hidden">Error:</span> ([^<]*)<`))?.[1];

    it('creates a storage project once: the second press lands on it with the same notice', async () => {
      const l = await licence();
      const alice = await as('ar101');
      const _csrf = await alice.csrfFrom(`/storage/licence/${l.id}/`);
      const form = { _csrf, projectName: 'spectra', projectQuotaTb: '1' };
      const first = await alice.post(`/storage/licence/${l.id}/projects`, form);
      expect(first.statusCode).toBe(303);
      const second = await alice.post(`/storage/licence/${l.id}/projects`, form);
      expect(second.statusCode).toBe(303);
      expect(second.headers.location).toBe(first.headers.location);
      expect((await alice.get(second.headers.location as string)).body).toContain('Storage project spectra created.');
      expect(await projectsNamed(l.id, 'spectra')).toBe(1);
      expect(await audited(l.id, 'project-created')).toBe(1);

      // Both at once, as a browser sends them.
      const both = await Promise.all(
        [1, 2].map(() => alice.post(`/storage/licence/${l.id}/projects`, { ...form, projectName: 'optics' })),
      );
      expect(both.map((each) => each.statusCode)).toEqual([303, 303]);
      expect(both[0]?.headers.location).toBe(both[1]?.headers.location);
      expect(await projectsNamed(l.id, 'optics')).toBe(1);
    });

    it('names who made a storage project of that name when it was not this press a moment ago', async () => {
      const l = await licence();
      const alice = await as('ar101');
      const _csrf = await alice.csrfFrom(`/storage/licence/${l.id}/`);
      expect((await alice.post(`/storage/licence/${l.id}/managers`, { _csrf, managerCrsid: 'bm202' })).statusCode).toBe(
        303,
      );
      expect(
        (await alice.post(`/storage/licence/${l.id}/projects`, { _csrf, projectName: 'spectra', projectQuotaTb: '1' }))
          .statusCode,
      ).toBe(303);
      // Ben, a Data Manager, making the same project a moment later: Alice made it.
      const ben = await as('bm202');
      const benCsrf = await ben.csrfFrom(`/storage/licence/${l.id}/`);
      const bens = await ben.post(`/storage/licence/${l.id}/projects`, {
        _csrf: benCsrf,
        projectName: 'spectra',
        projectQuotaTb: '1',
      });
      expect(bens.statusCode).toBe(422);
      expect(fieldError(bens.body, 'projectName')).toMatch(
        /^This licence already has a storage project with that name, made by Alice Researcher on \d+ \w+ 20\d\d at \d\d:\d\d: choose another$/,
      );
      // Another quota is another request: refused, naming her as herself.
      const other = await alice.post(`/storage/licence/${l.id}/projects`, {
        _csrf,
        projectName: 'spectra',
        projectQuotaTb: '2',
      });
      expect(other.statusCode).toBe(422);
      expect(fieldError(other.body, 'projectName')).toMatch(/with that name, made by you on \d+ \w+ 20\d\d/);
      // The same request a day later is no button pressed twice: refused, "by you on".
      await ageAudit(l.id, 'project-created');
      const later = await alice.post(`/storage/licence/${l.id}/projects`, {
        _csrf,
        projectName: 'spectra',
        projectQuotaTb: '1',
      });
      expect(later.statusCode).toBe(422);
      expect(fieldError(later.body, 'projectName')).toMatch(/with that name, made by you on \d+ \w+ 20\d\d/);
      expect(await projectsNamed(l.id, 'spectra')).toBe(1);
    });

    it('adds a Data Manager once: the second press says they are now one, as the first did', async () => {
      const l = await licence();
      const alice = await as('ar101');
      const _csrf = await alice.csrfFrom(`/storage/licence/${l.id}/`);
      for (const _ of [1, 2]) {
        const added = await alice.post(`/storage/licence/${l.id}/managers`, { _csrf, managerCrsid: 'nn808' });
        expect(added.statusCode).toBe(303);
        expect(added.headers.location).toBe(`/storage/licence/${l.id}/`);
        expect((await alice.get(`/storage/licence/${l.id}/`)).body).toContain(
          'Nia Newcomer (nn808) is now a Data Manager of this licence.',
        );
      }
      const both = await Promise.all(
        [1, 2].map(() => alice.post(`/storage/licence/${l.id}/managers`, { _csrf, managerCrsid: 'bm202' })),
      );
      expect(both.map((each) => each.statusCode)).toEqual([303, 303]);
      expect(await audited(l.id, 'manager-added')).toBe(2);
      const emails = await t.database.db
        .selectFrom('mail_outbox')
        .select('id')
        .where('subject', 'like', `You are a Data Manager of%`)
        .where('text_body', 'like', `%/storage/licence/${l.id}/%`)
        .execute();
      expect(emails).toHaveLength(2);

      // Someone else's earlier addition is refused, naming who made it; so is one of one's own a day ago.
      const rosa = await as('rs501');
      const rosaCsrf = await rosa.csrfFrom(`/storage/licence/${l.id}/`);
      const again = await rosa.post(`/storage/licence/${l.id}/managers`, { _csrf: rosaCsrf, managerCrsid: 'nn808' });
      expect(again.statusCode).toBe(422);
      expect(fieldError(again.body, 'managerCrsid')).toMatch(
        /^Nia Newcomer is a Data Manager already, added by Alice Researcher on \d+ \w+ 20\d\d at \d\d:\d\d$/,
      );
      await ageAudit(l.id, 'manager-added');
      const later = await alice.post(`/storage/licence/${l.id}/managers`, { _csrf, managerCrsid: 'nn808' });
      expect(later.statusCode).toBe(422);
      expect(fieldError(later.body, 'managerCrsid')).toMatch(
        /^Nia Newcomer is a Data Manager already, added by you on /,
      );
      expect(await audited(l.id, 'manager-added')).toBe(2);
    });

    it('hands a licence over once, and names who handed it over when that was not this press a moment ago', async () => {
      const l = await licence();
      const alice = await as('ar101');
      const _csrf = await alice.csrfFrom(`/storage/licence/${l.id}/owner`);
      const confirm = { _csrf, crsid: 'bm202', confirm: 'yes' };
      const both = await Promise.all([1, 2].map(() => alice.post(`/storage/licence/${l.id}/owner`, confirm)));
      expect(both.map((each) => each.statusCode)).toEqual([303, 303]);
      expect((await alice.get(`/storage/licence/${l.id}/`)).body).toContain(
        'Ben Manager (bm202) is now the Data Owner of this licence; you are a Data Manager.',
      );
      expect(await audited(l.id, 'owner-handed-over')).toBe(1);
      // The same confirmation a day later: not a second press, so not "now the Data Owner".
      await ageAudit(l.id, 'owner-handed-over');
      const later = await alice.post(`/storage/licence/${l.id}/owner`, confirm);
      expect(later.statusCode).toBe(409);
      expect(later.body).toMatch(
        /This licence was already handed over to Ben Manager \(bm202\) by you on \d+ \w+ 20\d\d at \d\d:\d\d\./,
      );

      // The service team hands another licence over; its owner's own confirmation, open since
      // before, is told who did it, not thanked for a hand-over she did not make.
      const other = await licence();
      const rosa = await as('rs501');
      const aliceCsrf = await alice.csrfFrom(`/storage/licence/${other.id}/owner`);
      const rosaCsrf = await rosa.csrfFrom(`/storage/licence/${other.id}/owner`);
      // Rosa's own double click: the second says what the first did, who stays on included.
      const rosas = await Promise.all(
        [1, 2].map(() =>
          rosa.post(`/storage/licence/${other.id}/owner`, { _csrf: rosaCsrf, crsid: 'bm202', confirm: 'yes' }),
        ),
      );
      expect(rosas.map((each) => each.statusCode)).toEqual([303, 303]);
      expect((await rosa.get(`/storage/licence/${other.id}/`)).body).toContain(
        'Ben Manager (bm202) is now the Data Owner of this licence; Alice Researcher (ar101) stays on as a Data Manager.',
      );
      const stale = await alice.post(`/storage/licence/${other.id}/owner`, {
        _csrf: aliceCsrf,
        crsid: 'bm202',
        confirm: 'yes',
      });
      expect(stale.statusCode).toBe(409);
      expect(stale.body).toMatch(
        /This licence was already handed over to Ben Manager \(bm202\) by Rosa Storage on \d+ \w+ 20\d\d at \d\d:\d\d\./,
      );
      expect(await audited(other.id, 'owner-handed-over')).toBe(1);
    });
  });
});
