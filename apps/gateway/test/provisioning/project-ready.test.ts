import { beforeAll, describe, expect, it } from 'vitest';
import { syncLicenceGroupsJob } from '../../src/modules/licences/licence-groups.jobs.ts';
import { drainJobs } from '../support/jobs.ts';
import { insertOrder, insertStorage } from '../support/storage-fixtures.ts';
import type { TestApp } from '../support/test-app.ts';
import { appForTests, page, signedIn, startCommandApp, startProvisioningApp } from './provisioning-support.ts';

/**
 * What the Data Owner and a storage project's members are told once the storage team has done
 * its part (found by a tester of Institutional File Storage as Chemistry's administrator, da303,
 * and the IFS team, if502): more space ordered for a licence is the licence's to give to its
 * projects, not a bigger project; and a project made in a licence in use is announced, with its
 * path, to its Data Owner and members, who were told when added that it was still to be made.
 */
const SHARE = '\\\\ifs.cam.ac.uk\\chem-finance';

async function mailTo(t: TestApp, address: string, containing: string) {
  return t.database.db
    .selectFrom('mail_outbox')
    .select(['to_addresses', 'subject', 'text_body', 'html_body'])
    .orderBy('id')
    .execute()
    .then((rows) =>
      rows.filter(
        (row) =>
          row.to_addresses.includes(address) &&
          (row.text_body.includes(containing) || row.subject.includes(containing)),
      ),
    );
}

let counter = 0;

/** Chemistry's active IFS licence of da303, with chem-admin made (3 TB of 4) and chem-finance waiting. */
async function chemistryLicence(t: TestApp, options: { sizeTb?: number; waiting?: boolean } = {}) {
  counter += 1;
  return insertStorage(t.database.db, {
    name: `Chemistry admin share ${counter}`,
    productCode: 'IFS',
    institutionId: 'CHEM',
    owner: 'da303',
    sizeTb: options.sizeTb ?? 4,
    status: 'active',
    startDate: '2026-03-01',
    endDate: '2027-02-28',
    projects: [
      { name: `chem-admin-${counter}`, quotaTb: 3, status: 'active' },
      ...(options.waiting === false
        ? []
        : [{ name: `chem-finance-${counter}`, quotaTb: 1, status: 'pending' as const }]),
    ],
    order: { status: 'completed', buyer: 'da303' },
  });
}

describe('more space for a licence with one storage project (the manual provisioner)', () => {
  const app = appForTests(() => startProvisioningApp());
  let t: TestApp;
  beforeAll(() => {
    t = app().t;
  });

  it("tells the team the projects keep their quotas, and the Data Owner that the TB is the licence's to give", async () => {
    const storage = await chemistryLicence(t, { sizeTb: 3, waiting: false });
    const increase = await insertOrder(t.database.db, storage.licenceId, {
      kind: 'increase',
      status: 'approved',
      buyer: 'da303',
      sizeTb: 1,
      startsOn: '2026-11-27',
      endsOn: '2027-02-28',
    });
    const ifs = await signedIn(t, 'if502');
    const form = await ifs.get(page(increase));
    expect(form.statusCode).toBe(200);
    expect(form.body).not.toContain("Raise the licence's quota");
    expect(form.body).toContain('The licence grows by 1 TB to 4 TB.');
    expect(form.body).toContain(`Leave the quotas of its storage projects as they are (chem-admin-${counter} 3 TB)`);

    const done = await ifs.post(page(increase), { _csrf: await ifs.csrfFrom(page(increase)) });
    expect(done.statusCode, done.body.slice(0, 300)).toBe(303);
    // No quota changes by itself.
    const quotas = await t.database.db
      .selectFrom('storage_projects')
      .select('quota_tb')
      .where('licence_id', '=', storage.licenceId)
      .execute();
    expect(quotas).toEqual([{ quota_tb: 3 }]);

    const [mail, ...more] = await mailTo(t, 'da303@cam.ac.uk', increase.reference);
    expect(more).toHaveLength(0);
    const licenceLink = `/storage/licence/${storage.licenceId}/#projects`;
    expect(mail?.text_body).toContain(`The licence “Chemistry admin share ${counter}” is now 4 TB`);
    expect(mail?.text_body).toContain(
      `The 1 TB is the licence's to give to its storage projects: their quotas stay as they were (chem-admin-${counter} 3 TB)`,
    );
    expect(mail?.text_body).toContain(`Give the 1 TB to a storage project on the licence's page: http`);
    expect(mail?.text_body).toContain(licenceLink);
    expect(mail?.html_body).toContain(licenceLink);

    const order = await (await signedIn(t, 'da303')).get(`/orders/${increase.reference}/`);
    expect(order.body).toContain("The space is added to the licence: its storage projects' quotas stay as they were.");
    expect(order.body).toContain(
      `<a href="${licenceLink}">Give the 1 TB to a storage project on the licence's page</a>`,
    );
  });
});

describe('a storage project made in a licence in use, recorded by hand', () => {
  const app = appForTests(() => startProvisioningApp());
  let t: TestApp;
  beforeAll(() => {
    t = app().t;
  });

  it('tells members added while it waits that it is still to be made, then tells them and the Data Owner its path', async () => {
    const storage = await chemistryLicence(t);
    const projectId = storage.projectIds[1] as number;
    const dana = await signedIn(t, 'da303');
    const projectPage = `/storage/project/${projectId}/`;
    for (const [crsid, role] of [
      ['cb404', 'project-data-manager'],
      ['bm202', 'project-data-user'],
    ] as const) {
      const added = await dana.post(`${projectPage}members`, {
        _csrf: await dana.csrfFrom(projectPage),
        memberCrsid: crsid,
        memberRole: role,
      });
      expect(added.statusCode, added.body.slice(0, 300)).toBe(303);
    }
    for (const address of ['cb404@cam.ac.uk', 'bm202@cam.ac.uk']) {
      const [told] = await mailTo(t, address, `chem-finance-${counter}`);
      expect(told?.text_body).toContain(
        'It is still to be made on the storage: it will be ready once the storage team has made it, and we will email you where to find it then.',
      );
    }

    const ifs = await signedIn(t, 'if502');
    const made = `/admin/licences/${storage.licenceId}/projects-made`;
    const recorded = await ifs.post(made, { _csrf: await ifs.csrfFrom(made), [`project-${projectId}-path`]: SHARE });
    expect(recorded.statusCode, recorded.body.slice(0, 300)).toBe(303);

    for (const address of ['da303@cam.ac.uk', 'cb404@cam.ac.uk', 'bm202@cam.ac.uk']) {
      const ready = await mailTo(t, address, SHARE);
      expect(ready, address).toHaveLength(1);
      expect(ready[0]?.subject).toBe(`Your storage project is ready: chem-finance-${counter}`);
      expect(ready[0]?.text_body).toContain(
        `Storage project chem-finance-${counter} of “Chemistry admin share ${counter}” is set up and ready to use.`,
      );
      expect(ready[0]?.text_body).toContain(`Storage project chem-finance-${counter}: ${SHARE}; quota 1 TB.`);
      expect(ready[0]?.text_body).toContain(projectPage);
    }
    // The project already made is not announced again.
    expect(await mailTo(t, 'da303@cam.ac.uk', `chem-admin-${counter}:`)).toHaveLength(0);
  });

  it('does not tell a member who has left the University', async () => {
    const storage = await chemistryLicence(t);
    const projectId = storage.projectIds[1] as number;
    await t.database.db
      .insertInto('storage_project_members')
      .values({
        project_id: projectId,
        person_id: (
          await t.database.db.selectFrom('people').select('id').where('crsid', '=', 'ar101').executeTakeFirstOrThrow()
        ).id,
        role: 'project-data-user',
      })
      .execute();
    await t.database.db.updateTable('people').set({ status: 'left' }).where('crsid', '=', 'ar101').execute();
    try {
      const ifs = await signedIn(t, 'if502');
      const made = `/admin/licences/${storage.licenceId}/projects-made`;
      const path = `${SHARE}-${counter}`;
      expect(
        (await ifs.post(made, { _csrf: await ifs.csrfFrom(made), [`project-${projectId}-path`]: path })).statusCode,
      ).toBe(303);
      expect(await mailTo(t, 'ar101@cam.ac.uk', path)).toHaveLength(0);
      expect(await mailTo(t, 'da303@cam.ac.uk', path)).toHaveLength(1);
    } finally {
      await t.database.db.updateTable('people').set({ status: 'current' }).where('crsid', '=', 'ar101').execute();
    }
  });
});

describe('a storage project made in a licence in use by an automated provisioner', () => {
  const app = appForTests(() => startCommandApp('succeed'));
  let t: TestApp;
  beforeAll(() => {
    t = app().t;
  });

  it('tells its Data Owner and members its path once the provisioner answers what it made', async () => {
    const storage = await chemistryLicence(t);
    const projectId = storage.projectIds[1] as number;
    await t.database.db
      .insertInto('storage_project_members')
      .values({
        project_id: projectId,
        person_id: (
          await t.database.db.selectFrom('people').select('id').where('crsid', '=', 'bm202').executeTakeFirstOrThrow()
        ).id,
        role: 'project-data-user',
      })
      .execute();
    await t.database.db
      .transaction()
      .execute((tx) => t.jobs.queue.enqueue(tx, syncLicenceGroupsJob, { licenceId: storage.licenceId }));
    await drainJobs(t.jobs);
    const project = await t.database.db
      .selectFrom('storage_projects')
      .select(['status', 'path'])
      .where('id', '=', projectId)
      .executeTakeFirstOrThrow();
    expect(project.status).toBe('active');
    for (const address of ['da303@cam.ac.uk', 'bm202@cam.ac.uk']) {
      const ready = await mailTo(t, address, `Your storage project is ready: chem-finance-${counter}`);
      expect(ready, address).toHaveLength(1);
      expect(ready[0]?.text_body).toContain(`${project.path}`);
    }
  });
});
