import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import { createAccessToken } from '../../src/platform/identity/access-tokens.ts';
import type { GroupSyncRequest } from '../../src/platform/provisioner/provisioner.ts';
import { drainJobs } from '../support/jobs.ts';
import { insertStorage, personIdOf } from '../support/storage-fixtures.ts';
import type { TestApp } from '../support/test-app.ts';
import {
  appForTests,
  approvedOrder,
  callsIn,
  page,
  signedIn,
  startCommandApp,
  startProvisioningApp,
} from './provisioning-support.ts';

const LIST = '/admin/access-changes/';
const pageOf = (licenceId: number) => `/admin/licences/${licenceId}/access-change`;
/** The licences a page links the access-change page of, in its order. */
const linksOf = (body: string) =>
  [...body.matchAll(/href="\/admin\/licences\/(\d+)\/access-change"/g)].map((m) => Number(m[1]));

/** What the tests share: an app, access tokens for the API, and a licence made to order. */
function accessChangeSupport(app: () => { t: TestApp }) {
  const tokens: Record<string, string> = {};
  let t: TestApp;
  beforeAll(async () => {
    t = app().t;
    for (const crsid of ['ar101', 'bm202']) {
      const person = { id: await personIdOf(t.database.db, crsid), crsid };
      tokens[crsid] = (await createAccessToken(t.database.db, t.clock, person, { name: 'tests', lifetime: 90 })).token;
    }
  });

  function call(crsid: string, method: 'POST' | 'PATCH' | 'DELETE', url: string, payload?: object) {
    return t.app.inject({
      method,
      url,
      headers: { authorization: `Bearer ${tokens[crsid]}` },
      ...(payload === undefined ? {} : { payload }),
    });
  }

  /** Alice owns it with Ben as Data Manager; "lattice" has Dana as its Project Data Manager. */
  async function licence(options: { productCode?: string; owner?: string } = {}) {
    const name = `Licence ${Math.random().toString(36).slice(2, 8)}`;
    const made = await insertStorage(t.database.db, {
      name,
      owner: options.owner ?? 'ar101',
      managers: ['bm202'],
      sizeTb: 5,
      productCode: options.productCode,
      status: 'active',
      startDate: '2026-01-01',
      endDate: '2029-01-01',
      projects: [
        {
          name: 'lattice',
          quotaTb: 3,
          status: 'active',
          members: [{ crsid: 'da303', role: 'project-data-manager' }],
        },
      ],
      order: null,
    });
    return { id: made.licenceId, name, lattice: made.projectIds[0] as number };
  }

  const waiting = async (licenceId: number) =>
    (await t.database.db
      .selectFrom('licence_access_changes')
      .select(['licence_id', 'version'])
      .where('licence_id', '=', licenceId)
      .execute()) as Array<{ licence_id: number; version: number }>;

  /** Rosa (the research team) edits the licence's size, dates or Data Owner in the back office: the answer's status. */
  async function editAsRosa(licenceId: number, changes: Record<string, string>) {
    const rosa = await signedIn(t, 'rs501');
    const csrf = await rosa.csrfFrom(`/admin/licences/${licenceId}/`);
    const edited = await rosa.post(`/admin/licences/${licenceId}/edit`, {
      _csrf: csrf,
      sizeTb: '5',
      startDate: '2026-01-01',
      endDate: '2029-01-01',
      ownerCrsid: 'ar101',
      reason: 'Agreed with the Data Owner',
      ...changes,
    });
    expect(edited.statusCode, edited.body.slice(0, 300)).toBeLessThan(400);
    return edited.statusCode;
  }

  return { call, licence, waiting, editAsRosa, t: () => t };
}

/** Every kind of change of a licence's people or storage projects, through the API (and the staff's hand-over). */
const CHANGES: Array<[string, (call: ReturnType<typeof accessChangeSupport>['call'], l: Licence) => Promise<number>]> =
  [
    [
      'a Data Manager added',
      async (call, l) => (await call('ar101', 'POST', `/api/licences/${l.id}/managers`, { crsid: 'cb404' })).statusCode,
    ],
    [
      'a Data Manager removed',
      async (call, l) => (await call('ar101', 'DELETE', `/api/licences/${l.id}/managers/bm202`)).statusCode,
    ],
    [
      'ownership handed over',
      async (call, l) => (await call('ar101', 'POST', `/api/licences/${l.id}/owner`, { crsid: 'bm202' })).statusCode,
    ],
    [
      'a project created',
      async (call, l) =>
        (await call('ar101', 'POST', `/api/licences/${l.id}/projects`, { name: 'optics', quotaTb: 1 })).statusCode,
    ],
    [
      'a project renamed',
      async (call, l) => (await call('ar101', 'PATCH', `/api/projects/${l.lattice}`, { name: 'lattice-2' })).statusCode,
    ],
    [
      'a project resized',
      async (call, l) => (await call('ar101', 'PATCH', `/api/projects/${l.lattice}`, { quotaTb: 2 })).statusCode,
    ],
    ['a project removed', async (call, l) => (await call('ar101', 'DELETE', `/api/projects/${l.lattice}`)).statusCode],
    [
      'a project member added',
      async (call, l) =>
        (
          await call('ar101', 'POST', `/api/projects/${l.lattice}/members`, {
            crsid: 'cb404',
            role: 'project-data-user',
          })
        ).statusCode,
    ],
    [
      'a project member removed',
      async (call, l) =>
        (await call('ar101', 'DELETE', `/api/projects/${l.lattice}/members/da303/project-data-manager`)).statusCode,
    ],
  ];

interface Licence {
  id: number;
  name: string;
  lattice: number;
}

/**
 * With the manual provisioner, each change of a licence's people or projects leaves the licence
 * waiting for an access change (one entry however many changes) until its service's team makes the
 * storage's groups match and marks it done; a later change makes it wait again.
 */
describe('access changes to make by hand (manual provisioner)', () => {
  const app = appForTests(() => startProvisioningApp());
  const { call, licence, waiting, editAsRosa, t } = accessChangeSupport(app);

  it.each(CHANGES)('%s: the licence waits for an access change', async (_what, change) => {
    const l = await licence();
    expect(await waiting(l.id)).toEqual([]);
    expect(await change(call, l)).toBeLessThan(300);
    expect(await waiting(l.id)).toEqual([{ licence_id: l.id, version: 1 }]);
  });

  it('waits since the injected clock’s time, not the database’s: as of a day, the pages show that day', async () => {
    const l = await licence();
    const at = t().clock.now();
    expect((await call('ar101', 'POST', `/api/licences/${l.id}/managers`, { crsid: 'cb404' })).statusCode).toBe(201);
    expect((await call('ar101', 'DELETE', `/api/licences/${l.id}/managers/bm202`)).statusCode).toBeLessThan(300);
    const row = await t()
      .database.db.selectFrom('licence_access_changes')
      .select(['waiting_since', 'last_changed_at', 'version'])
      .where('licence_id', '=', l.id)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ waiting_since: at, last_changed_at: at, version: 2 });
    const rosa = await signedIn(t(), 'rs501');
    const page = (await rosa.get(pageOf(l.id))).body;
    expect(page.split(`<time datetime="${at.toISOString()}">`)).toHaveLength(3);
    const list = (await rosa.get(LIST)).body;
    const listRow = list.slice(list.indexOf(`href="/admin/licences/${l.id}/"`));
    expect(listRow.slice(0, listRow.indexOf('</tr>')).split(`<time datetime="${at.toISOString()}">`)).toHaveLength(3);
  });

  it('a change made while the team sets the licence up waits once it is set up, from then on; none, nothing waits', async () => {
    const db = t().database.db;
    const order = await approvedOrder(t());
    const quiet = await approvedOrder(t());
    // Alice adds a Data Manager while the licence is being set up: nothing to change on the storage yet
    expect(
      (await call('ar101', 'POST', `/api/licences/${order.licenceId}/managers`, { crsid: 'cb404' })).statusCode,
    ).toBe(201);
    await sql`UPDATE licence_access_changes SET waiting_since = waiting_since - interval '3 days',
      last_changed_at = last_changed_at - interval '3 days' WHERE licence_id = ${order.licenceId}`.execute(db);
    const rosa = await signedIn(t(), 'rs501');
    expect(linksOf((await rosa.get(LIST)).body)).not.toContain(order.licenceId);
    expect((await rosa.get(`/admin/licences/${order.licenceId}/`)).body).not.toContain(pageOf(order.licenceId));
    expect((await rosa.get(pageOf(order.licenceId))).body).not.toContain('Mark as done</button>');

    const told =
      'Its people or storage projects changed while it was being set up: it waits in Access changes to make.';
    for (const [each, tells] of [
      [order, true],
      [quiet, false],
    ] as const) {
      const done = await rosa.post(page(each), {
        _csrf: await rosa.csrfFrom(page(each)),
        [`project-${each.projectId}-path`]: '/rds/project/imaging-2026',
      });
      expect(done.statusCode, done.body.slice(0, 300)).toBe(303);
      const confirmed = (await rosa.get(done.headers.location as string)).body;
      expect(confirmed).toContain(`Order ${each.reference} is provisioned`);
      expect(confirmed.includes(told)).toBe(tells);
    }
    expect(await waiting(quiet.licenceId)).toEqual([]);

    // set up now: listed, waiting since the set-up (the storage was not there before), last changed 3 days ago
    const at = t().clock.now();
    expect(
      await db
        .selectFrom('licence_access_changes')
        .select(['waiting_since', 'last_changed_at', 'version'])
        .where('licence_id', '=', order.licenceId)
        .execute(),
    ).toEqual([{ waiting_since: at, last_changed_at: new Date(at.getTime() - 3 * 86_400_000), version: 1 }]);
    expect(linksOf((await rosa.get(LIST)).body)).toContain(order.licenceId);
    expect((await rosa.get(`/admin/licences/${order.licenceId}/`)).body).toContain(`href="${pageOf(order.licenceId)}"`);
    const state = (await rosa.get(pageOf(order.licenceId))).body;
    expect(state).toContain('<dd>bm202, cb404</dd>');
    const done = await rosa.post(pageOf(order.licenceId), { _csrf: await rosa.csrfFrom(LIST), version: '1' });
    expect(done.headers.location).toBe(`/admin/licences/${order.licenceId}/`);
    expect(await waiting(order.licenceId)).toEqual([]);
  });

  it('the service team’s change of the Data Owner: the licence waits too', async () => {
    const l = await licence();
    expect(await editAsRosa(l.id, { ownerCrsid: 'cb404', reason: 'PI moved' })).toBe(303);
    expect(await waiting(l.id)).toEqual([{ licence_id: l.id, version: 1 }]);
  });

  it('the service team’s change of the size alone: the licence waits (the size is in what the groups carry)', async () => {
    const l = await licence();
    expect(await editAsRosa(l.id, { sizeTb: '8' })).toBe(303);
    expect(await waiting(l.id)).toEqual([{ licence_id: l.id, version: 1 }]);
    expect((await (await signedIn(t(), 'rs501')).get(pageOf(l.id))).body).toContain('<dd>8 TB</dd>');
    // the dates alone are not in the groups: nothing more
    expect(await editAsRosa(l.id, { sizeTb: '8', endDate: '2029-06-30' })).toBe(303);
    expect(await waiting(l.id)).toEqual([{ licence_id: l.id, version: 1 }]);
  });

  it('several changes make one entry; marking it done is audited; a stale press says so; a later change waits again', async () => {
    const db = t().database.db;
    const l = await licence();
    expect((await call('ar101', 'POST', `/api/licences/${l.id}/managers`, { crsid: 'cb404' })).statusCode).toBe(201);
    expect((await call('ar101', 'DELETE', `/api/licences/${l.id}/managers/bm202`)).statusCode).toBeLessThan(300);
    expect((await call('ar101', 'DELETE', `/api/projects/${l.lattice}`)).statusCode).toBeLessThan(300);
    expect(
      (await call('ar101', 'POST', `/api/licences/${l.id}/projects`, { name: 'optics', quotaTb: 2 })).statusCode,
    ).toBe(201);
    expect(await waiting(l.id)).toEqual([{ licence_id: l.id, version: 4 }]);

    const rosa = await signedIn(t(), 'rs501');
    const list = (await rosa.get(LIST)).body;
    expect(list).toContain(`<a href="${LIST}" aria-current="page">Access changes to make</a>`);
    expect(list.split(`href="${pageOf(l.id)}"`)).toHaveLength(2);
    expect((await rosa.get(`/admin/licences/${l.id}/`)).body).toContain(`href="${pageOf(l.id)}"`);

    // the page shows the state the storage's groups should have: the owner, managers, live and removed projects
    const page = (await rosa.get(pageOf(l.id))).body;
    expect(page).toContain('<dd>ar101</dd>');
    expect(page).toContain('<dd>cb404</dd>');
    expect(page).toContain('optics (2 TB, not made yet)');
    expect(page).toContain('lattice: never made');
    expect(page).toContain('Mark as done');
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page)?.[1] as string;

    const done = await rosa.post(pageOf(l.id), { _csrf: csrf, version: '4' });
    expect(done.statusCode).toBe(303);
    expect(done.headers.location).toBe(`/admin/licences/${l.id}/`);
    expect((await rosa.get(done.headers.location as string)).body).toContain('is marked as done');
    expect(await waiting(l.id)).toEqual([]);
    const audited = await db
      .selectFrom('audit_events')
      .select(['action', 'actor_label'])
      .where('licence_id', '=', l.id)
      .where('action', '=', 'access change made')
      .execute();
    expect(audited).toHaveLength(1);
    expect((await rosa.get(LIST)).body).not.toContain(`href="${pageOf(l.id)}"`);

    // the same press again: nothing waits, and the page says so
    const again = await rosa.post(pageOf(l.id), { _csrf: csrf, version: '4' });
    expect(again.statusCode).toBe(303);
    expect(again.headers.location).toBe(pageOf(l.id));
    const told = (await rosa.get(pageOf(l.id))).body;
    expect(told).toContain('had already been marked as done');
    expect(told).not.toContain('Mark as done</button>');

    // a later change makes it wait again; a press from a page older than that change is refused, clearly
    expect(
      (await call('ar101', 'PATCH', `/api/projects/${(await projectId(l.id, 'optics')) ?? 0}`, { quotaTb: 1 }))
        .statusCode,
    ).toBe(200);
    expect(await waiting(l.id)).toEqual([{ licence_id: l.id, version: 1 }]);
    await call('ar101', 'POST', `/api/licences/${l.id}/managers`, { crsid: 'bm202' });
    const stale = await rosa.post(pageOf(l.id), { _csrf: csrf, version: '1' });
    expect(stale.headers.location).toBe(pageOf(l.id));
    expect((await rosa.get(pageOf(l.id))).body).toContain('changed again since that page was opened');
    expect(await waiting(l.id)).toEqual([{ licence_id: l.id, version: 2 }]);
    expect(
      await db
        .selectFrom('audit_events')
        .select('id')
        .where('licence_id', '=', l.id)
        .where('action', '=', 'access change made')
        .execute(),
    ).toHaveLength(1);
  });

  async function projectId(licenceId: number, name: string) {
    return (
      await t()
        .database.db.selectFrom('storage_projects')
        .select('id')
        .where('licence_id', '=', licenceId)
        .where('name', '=', name)
        .executeTakeFirst()
    )?.id;
  }

  it('refuses the other team, Finance (who reads) and customers; lists oldest first per service; counts on the home page', async () => {
    const db = t().database.db;
    await db.deleteFrom('licence_access_changes').execute();
    const older = await licence();
    const newer = await licence();
    const ifs = await licence({ productCode: 'IFS', owner: 'da303' });
    for (const l of [newer, older]) {
      await call('ar101', 'POST', `/api/licences/${l.id}/managers`, { crsid: 'cb404' });
    }
    await db
      .insertInto('licence_access_changes')
      .values({ licence_id: ifs.id, waiting_since: new Date(), last_changed_at: new Date() })
      .execute();
    await sql`UPDATE licence_access_changes SET waiting_since = waiting_since - interval '2 days' WHERE licence_id = ${older.id}`.execute(
      db,
    );

    const rosa = await signedIn(t(), 'rs501');
    expect(linksOf((await rosa.get(LIST)).body)).toEqual([older.id, newer.id]);
    expect((await rosa.get('/admin/')).body).toContain('2 licences wait for an access change');
    const ifan = await signedIn(t(), 'if502');
    expect(linksOf((await ifan.get(LIST)).body)).toEqual([ifs.id]);
    expect((await ifan.get('/admin/')).body).toContain('1 licence waits for an access change');
    expect((await ifan.get(pageOf(older.id))).statusCode).toBe(403);
    const finance = await signedIn(t(), 'fn601');
    expect(linksOf((await finance.get(LIST)).body).sort()).toEqual([older.id, newer.id, ifs.id].sort());
    const read = await finance.get(pageOf(older.id));
    expect(read.statusCode).toBe(200);
    expect(read.body).not.toContain('Mark as done</button>');
    const alice = await signedIn(t(), 'ar101');
    expect((await alice.get(LIST)).statusCode).toBe(403);
    expect((await alice.get(pageOf(older.id))).statusCode).toBe(403);

    for (const [who, browser] of [
      ['if502', ifan],
      ['fn601', finance],
      ['ar101', alice],
    ] as const) {
      const csrf = await browser.csrfFrom('/');
      const refused = await browser.post(pageOf(older.id), { _csrf: csrf, version: '1' });
      expect(refused.statusCode, who).toBe(403);
    }
    // without a CSRF token, even its own team's press is refused
    expect((await rosa.post(pageOf(older.id), { version: '1' })).statusCode).toBe(403);
    expect(await waiting(older.id)).toEqual([{ licence_id: older.id, version: 1 }]);
  });
});

/** With an automated provisioner the licence's groups are sent to it: nothing waits for the team. */
describe('access changes with an automated provisioner', () => {
  const app = appForTests(() => startCommandApp('succeed'));
  const { call, licence, waiting, editAsRosa, t } = accessChangeSupport(app);

  it('the service team’s change of the size alone: the provisioner is sent the groups with the new size', async () => {
    const l = await licence();
    expect(await editAsRosa(l.id, { sizeTb: '8' })).toBe(303);
    await drainJobs(t().jobs, { timeoutMs: 60_000 });
    const synced = (await callsIn(app().logFile))
      .map((call) => call.message as { action: string; request: GroupSyncRequest })
      .filter((message) => message.action === 'sync-groups' && message.request.licence.id === l.id);
    expect(synced.map((message) => message.request.licence.sizeTb)).toEqual([8]);
    expect(await waiting(l.id)).toEqual([]);
  });

  it('leaves nothing waiting, whatever changes', async () => {
    for (const [what, change] of CHANGES) {
      const l = await licence();
      expect(await change(call, l), what).toBeLessThan(300);
      expect(await waiting(l.id), what).toEqual([]);
    }
    const rosa = await signedIn(t(), 'rs501');
    expect((await rosa.get('/admin/')).body).not.toContain('for an access change');
    expect((await rosa.get(LIST)).body).toContain('it is sent each change, so no licence waits for the team');
  });
});
