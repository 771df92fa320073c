import { beforeAll, describe, expect, it } from 'vitest';
import { drainJobs } from '../support/jobs.ts';
import { insertStorage } from '../support/storage-fixtures.ts';
import type { TestApp } from '../support/test-app.ts';
import { appForTests, signedIn, startProvisioningApp } from './provisioning-support.ts';

/**
 * With the manual provisioner, a storage project created in a licence already in use waits on
 * the staff licence page until a person of the service records where they made it.
 */
describe('recording a new project of an active licence by hand', () => {
  const app = appForTests(() => startProvisioningApp());
  let t: TestApp;
  beforeAll(() => {
    t = app().t;
  });

  const page = (id: number) => `/admin/licences/${id}/projects-made`;

  it('is listed for the team, refused to others, and makes the project active with its path', async () => {
    const fixture = await insertStorage(t.database.db, {
      name: 'Spectra',
      owner: 'ar101',
      sizeTb: 5,
      status: 'active',
      startDate: '2026-03-01',
      endDate: '2027-02-28',
      projects: [
        { name: 'lattice', quotaTb: 3, status: 'active' },
        { name: 'spectra-2027', quotaTb: 2, status: 'pending' },
      ],
      order: null,
    });
    const licenceId = fixture.licenceId;
    const projectId = fixture.projectIds[1] as number;
    // The manual provisioner's sync makes nothing.
    await drainJobs(t.jobs);

    const rosa = await signedIn(t, 'rs501');
    const licencePage = await rosa.get(`/admin/licences/${licenceId}/`);
    expect(licencePage.body).toContain('is waiting to be made on the storage');
    expect(licencePage.body).toContain(`href="${page(licenceId)}"`);
    const form = await rosa.get(page(licenceId));
    expect(form.statusCode).toBe(200);
    expect(form.body).toContain('Storage project spectra-2027');
    expect(form.body).not.toContain('Storage project lattice');

    // Finance reads but may not act; another service's team may not even read.
    const finance = await signedIn(t, 'fn601');
    expect((await finance.get(page(licenceId))).body).not.toContain('Mark as made');
    const financeCsrf = await finance.csrfFrom(page(licenceId));
    expect((await finance.post(page(licenceId), { _csrf: financeCsrf })).statusCode).toBe(403);
    expect((await (await signedIn(t, 'if502')).get(page(licenceId))).statusCode).toBe(403);

    const csrf = await rosa.csrfFrom(page(licenceId));
    const bad = await rosa.post(page(licenceId), { _csrf: csrf, [`project-${projectId}-path`]: 'spectra' });
    expect(bad.statusCode).toBe(422);
    expect(bad.body).toContain('Error: New storage projects of Spectra');
    expect(bad.body).toContain('Enter the path of spectra-2027 in full');

    const done = await rosa.post(page(licenceId), {
      _csrf: csrf,
      [`project-${projectId}-path`]: '/rds/project/spectra-2027',
      [`project-${projectId}-groups`]: 'spectra-users',
    });
    expect(done.statusCode, done.body.slice(0, 300)).toBe(303);
    expect(done.headers.location).toBe(`/admin/licences/${licenceId}/`);
    const project = await t.database.db
      .selectFrom('storage_projects')
      .select(['status', 'path', 'group_names', 'quota_tb'])
      .where('id', '=', projectId)
      .executeTakeFirstOrThrow();
    expect(project).toEqual({
      status: 'active',
      path: '/rds/project/spectra-2027',
      group_names: ['spectra-users'],
      quota_tb: 2,
    });
    const audit = await t.database.db
      .selectFrom('audit_events')
      .select(['action', 'actor_label'])
      .where('licence_id', '=', licenceId)
      .execute();
    expect(audit).toEqual([{ action: 'provisioned', actor_label: 'rs501' }]);

    // Nothing is waiting any more.
    expect((await rosa.get(`/admin/licences/${licenceId}/`)).body).not.toContain('waiting to be made');
    expect((await rosa.post(page(licenceId), { _csrf: csrf })).statusCode).toBe(409);
  });
  it("refuses quotas that, with the licence's projects already made, add up to more than its size", async () => {
    const fixture = await insertStorage(t.database.db, {
      name: 'Nearly full',
      owner: 'ar101',
      sizeTb: 10,
      status: 'active',
      startDate: '2026-03-01',
      endDate: '2027-02-28',
      projects: [
        { name: 'made-before', quotaTb: 8, status: 'active' },
        { name: 'new-one', quotaTb: 2, status: 'pending' },
      ],
      order: null,
    });
    const projectId = fixture.projectIds[1] as number;
    const rosa = await signedIn(t, 'rs501');
    const url = page(fixture.licenceId);
    const csrf = await rosa.csrfFrom(url);
    const refused = await rosa.post(url, {
      _csrf: csrf,
      [`project-${projectId}-path`]: '/rds/project/new-one',
      [`project-${projectId}-quotaTb`]: '5',
    });
    expect(refused.statusCode).toBe(422);
    expect(refused.body).toContain(
      "The quotas add up to 13 TB with the 8 TB of the licence's other storage projects, more than the licence's 10 TB: 2 TB is left for storage project new-one",
    );
    // What was typed is kept, and nothing is recorded.
    expect(refused.body).toContain('value="/rds/project/new-one"');
    const quotas = () =>
      t.database.db
        .selectFrom('storage_projects')
        .select(['name', 'status', 'quota_tb'])
        .where('licence_id', '=', fixture.licenceId)
        .orderBy('id')
        .execute();
    expect(await quotas()).toEqual([
      { name: 'made-before', status: 'active', quota_tb: 8 },
      { name: 'new-one', status: 'pending', quota_tb: 2 },
    ]);
    const done = await rosa.post(url, { _csrf: csrf, [`project-${projectId}-path`]: '/rds/project/new-one' });
    expect(done.statusCode, done.body.slice(0, 300)).toBe(303);
    expect(await quotas()).toEqual([
      { name: 'made-before', status: 'active', quota_tb: 8 },
      { name: 'new-one', status: 'active', quota_tb: 2 },
    ]);
  });
});
