import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import { insertStorage } from '../support/storage-fixtures.ts';
import type { TestApp } from '../support/test-app.ts';
import { appForTests, signedIn, startProvisioningApp } from './provisioning-support.ts';

const LIST = '/admin/projects-waiting/';

/**
 * The back office's list of storage projects created in licences already in use and not made yet:
 * oldest first across licences, each service's team seeing its own, Finance reading both, a
 * superuser seeing and recording all.
 */
describe('the list of storage projects waiting to be made', () => {
  const app = appForTests(() => startProvisioningApp());
  let t: TestApp;
  beforeAll(() => {
    t = app().t;
  });

  /** Sets each project's creation time: `minutesAgo` before the test day. */
  async function createdAt(projectIds: readonly number[], minutesAgo: (index: number) => number) {
    for (const [index, id] of projectIds.entries()) {
      await sql`UPDATE storage_projects SET created_at = '2026-11-27T10:00:00Z'::timestamptz - make_interval(mins => ${minutesAgo(index)}::int) WHERE id = ${id}`.execute(
        t.database.db,
      );
    }
  }

  /** The rows of the list's table: project, licence link, and whether it links to recording what was made. */
  function rows(body: string) {
    const tbody = /<tbody>(.*)<\/tbody>/s.exec(body)?.[1] ?? '';
    return [...tbody.matchAll(/<tr>(.*?)<\/tr>/gs)].map(([, row = '']) => ({
      project: /<th scope="row">([^<]*)<\/th>/.exec(row)?.[1],
      licence: /<a href="(\/admin\/licences\/\d+\/)">/.exec(row)?.[1],
      record: /<a href="(\/admin\/licences\/\d+\/projects-made)">/.exec(row)?.[1],
    }));
  }

  it('lists the pending projects of active licences oldest first, per service, paged', async () => {
    const older = await insertStorage(t.database.db, {
      name: 'Older licence',
      owner: 'ar101',
      sizeTb: 10,
      status: 'active',
      projects: [
        { name: 'made-already', status: 'active' },
        { name: 'second-oldest', status: 'pending' },
      ],
      order: null,
    });
    const newer = await insertStorage(t.database.db, {
      name: 'Newer licence',
      owner: 'bm202',
      sizeTb: 10,
      status: 'active',
      projects: [{ name: 'oldest', status: 'pending' }],
      order: null,
    });
    // made with the licence's set-up order, not here
    const settingUp = await insertStorage(t.database.db, {
      name: 'Being set up',
      owner: 'ar101',
      status: 'pending',
      projects: [{ name: 'with-its-order', status: 'pending' }],
      order: null,
    });
    const institutional = await insertStorage(t.database.db, {
      name: 'Departmental share',
      owner: 'da303',
      productCode: 'IFS',
      status: 'active',
      projects: [{ name: 'dept-share', status: 'pending' }],
      order: null,
    });
    await createdAt([newer.projectIds[0] as number], () => 300);
    await createdAt([older.projectIds[1] as number], () => 200);
    await createdAt([institutional.projectIds[0] as number, settingUp.projectIds[0] as number], () => 250);

    const rosa = await signedIn(t, 'rs501');
    const page = await rosa.get(LIST);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain(`<a href="${LIST}" aria-current="page">Projects to make</a>`);
    expect(page.body).toContain('<caption>Storage projects waiting to be made, oldest first</caption>');
    expect(page.body).toContain('<th scope="col">Created</th>');
    expect(rows(page.body)).toEqual([
      {
        project: 'oldest',
        licence: `/admin/licences/${newer.licenceId}/`,
        record: `/admin/licences/${newer.licenceId}/projects-made`,
      },
      {
        project: 'second-oldest',
        licence: `/admin/licences/${older.licenceId}/`,
        record: `/admin/licences/${older.licenceId}/projects-made`,
      },
    ]);
    expect(page.body).toContain('Page 1 of 1 (2 projects)');

    // the other team sees its own; Finance reads both and records nothing; a customer is refused
    const ifan = await signedIn(t, 'if502');
    expect(rows((await ifan.get(LIST)).body).map((row) => row.project)).toEqual(['dept-share']);
    const finance = (await (await signedIn(t, 'fn601')).get(LIST)).body;
    expect(rows(finance).map((row) => [row.project, row.record])).toEqual([
      ['oldest', undefined],
      ['dept-share', undefined],
      ['second-oldest', undefined],
    ]);
    const superuser = (await (await signedIn(t, 'su701')).get(LIST)).body;
    expect(rows(superuser).map((row) => [row.project, Boolean(row.record)])).toEqual([
      ['oldest', true],
      ['dept-share', true],
      ['second-oldest', true],
    ]);
    expect((await (await signedIn(t, 'ar101')).get(LIST)).statusCode).toBe(403);

    // once made, a project leaves the list
    await sql`UPDATE storage_projects SET status = 'active' WHERE id = ${newer.projectIds[0]}`.execute(t.database.db);
    expect(rows((await rosa.get(LIST)).body).map((row) => row.project)).toEqual(['second-oldest']);

    // 25 a page, with a link to the next
    const many = await insertStorage(t.database.db, {
      name: 'Many projects',
      owner: 'ar101',
      sizeTb: 30,
      status: 'active',
      projects: Array.from({ length: 26 }, (_, i) => ({
        name: `bulk-${i + 1}`,
        quotaTb: 1,
        status: 'pending' as const,
      })),
      order: null,
    });
    await createdAt(many.projectIds, (index) => 100 - index);
    const first = await rosa.get(LIST);
    expect(first.body).toContain('Page 1 of 2 (27 projects)');
    expect(first.body).toContain(`<a href="${LIST}?page=2" rel="next">Next page</a>`);
    const second = await rosa.get(`${LIST}?page=2`);
    expect(rows(second.body).map((row) => row.project)).toEqual(['bulk-25', 'bulk-26']);
  });
});
