import { readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertRun } from '../../src/modules/provisioning/provisioning.repository.ts';
import { runProvisioning } from '../../src/modules/provisioning/provisioning.service.ts';
import { formatDay } from '../../src/modules/quotes/quote-rules.ts';
import { siteLinks } from '../../src/platform/config.ts';
import { createAccessToken } from '../../src/platform/identity/access-tokens.ts';
import { PG_BOSS_SCHEMA } from '../../src/platform/jobs/pg-boss-queue.ts';
import { createProvisioner } from '../../src/platform/provisioner/index.ts';
import type { Provisioner } from '../../src/platform/provisioner/provisioner.ts';
import { FIXTURE } from '../provisioning/provisioning-support.ts';
import { drainJobs } from '../support/jobs.ts';
import { insertStorage, personIdOf } from '../support/storage-fixtures.ts';
import { startTestApp, type TestApp } from '../support/test-app.ts';

/**
 * Members and storage projects of a licence through the JSON API (the pages call the same
 * service: members-pages.test.ts): who may do what, each change audited, emailed to the person
 * given a place, and sent to the (command) provisioner as the licence's current groups.
 */
describe('members and storage projects of a licence (API)', () => {
  let t: TestApp;
  const logFile = path.join(tmpdir(), `ssgw-members-${process.pid}-${Date.now()}.jsonl`);
  const tokens: Record<string, string> = {};

  beforeAll(async () => {
    t = await startTestApp({
      env: { PROVISIONER: 'command', PROVISIONER_COMMAND: `${process.execPath} ${FIXTURE} succeed ${logFile}` },
    });
    const db = t.database.db;
    await db
      .insertInto('people')
      .values([
        { crsid: 'nc888', display_name: 'Nadia Current', email: 'nc888@cam.ac.uk', status: 'current' },
        { crsid: 'lp999', display_name: 'Leo Parted', email: 'lp999@cam.ac.uk', status: 'left' },
      ])
      .execute();
    for (const crsid of ['ar101', 'bm202', 'da303', 'cb404', 'rs501', 'if502', 'fn601', 'nc888']) {
      const person = { id: await personIdOf(db, crsid), crsid };
      tokens[crsid] = (await createAccessToken(db, t.clock, person, { name: 'tests', lifetime: 90 })).token;
    }
  });
  afterAll(async () => {
    await t?.close();
    await rm(logFile, { force: true });
  });

  function call(crsid: string, method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: object) {
    return t.app.inject({
      method,
      url,
      headers: { authorization: `Bearer ${tokens[crsid]}` },
      ...(payload === undefined ? {} : { payload }),
    });
  }

  /** Alice owns 5 TB with Ben as Data Manager; "lattice" (3 TB: Dana its manager) and "telescope" (1 TB: Nadia a user). */
  async function licence(status: 'active' | 'pending' | 'suspended' | 'cold' | 'cancelled' = 'active') {
    const name = `Licence ${Math.random().toString(36).slice(2, 8)}`;
    const made = await insertStorage(t.database.db, {
      name,
      owner: 'ar101',
      managers: ['bm202'],
      sizeTb: 5,
      status,
      startDate: '2026-01-01',
      endDate: '2027-01-01',
      projects: [
        { name: 'lattice', quotaTb: 3, status: 'active', members: [{ crsid: 'da303', role: 'project-data-manager' }] },
        { name: 'telescope', quotaTb: 1, status: 'active', members: [{ crsid: 'nc888', role: 'project-data-user' }] },
      ],
      order: null,
    });
    return { name, id: made.licenceId, lattice: made.projectIds[0] as number, telescope: made.projectIds[1] as number };
  }

  const audit = (licenceId: number) =>
    t.database.db
      .selectFrom('audit_events')
      .select(['entity_type', 'entity_id', 'action', 'before', 'after', 'actor_label'])
      .where('licence_id', '=', licenceId)
      .orderBy('id')
      .execute();

  const emailsTo = (address: string, subject: string) =>
    t.database.db
      .selectFrom('mail_outbox')
      .select(['subject', 'text_body', 'to_addresses'])
      .where('subject', 'like', `%${subject}%`)
      .execute()
      .then((rows) => rows.filter((row) => JSON.stringify(row.to_addresses).includes(address)));

  async function syncJobs(licenceId: number): Promise<number> {
    const boss = t.jobs.boss;
    if (!boss) throw new Error('needs pg-boss');
    const { rows } = await boss
      .getDb()
      .executeSql(`SELECT count(*)::int AS n FROM ${PG_BOSS_SCHEMA}.job WHERE name = $1 AND data->>'licenceId' = $2`, [
        'sync-licence-groups',
        String(licenceId),
      ]);
    return Number((rows[0] as { n: number }).n);
  }

  const managersOf = async (licenceId: number) =>
    (await call('ar101', 'GET', `/api/licences/${licenceId}`)).json().managers.map((m: { crsid: string }) => m.crsid);

  it('lets the owner add a Data Manager: audited, emailed to them, and the groups sync enqueued', async () => {
    const l = await licence();
    const added = await call('ar101', 'POST', `/api/licences/${l.id}/managers`, { crsid: 'NC888' });
    expect(added.statusCode).toBe(201);
    expect(
      added
        .json()
        .managers.map((m: { crsid: string }) => m.crsid)
        .sort(),
    ).toEqual(['bm202', 'nc888']);
    expect(await audit(l.id)).toEqual([
      {
        entity_type: 'licence',
        entity_id: String(l.id),
        action: 'manager-added',
        before: { managers: ['bm202'] },
        after: { managers: ['bm202', 'nc888'] },
        actor_label: 'ar101',
      },
    ]);
    const emails = await emailsTo('nc888@cam.ac.uk', `You are a Data Manager of “${l.name}”`);
    expect(emails.map((e) => e.to_addresses)).toEqual([['nc888@cam.ac.uk']]);
    expect(emails[0]?.text_body).toContain(`/storage/licence/${l.id}/`);
    expect(await syncJobs(l.id)).toBe(1);
    const again = await call('bm202', 'POST', `/api/licences/${l.id}/managers`, { crsid: 'nc888' });
    expect(again.statusCode).toBe(422);
    expect(again.json().error.fields.crsid).toBe('Nadia Current is a Data Manager already');
    const owner = await call('bm202', 'POST', `/api/licences/${l.id}/managers`, { crsid: 'ar101' });
    expect(owner.json().error.fields.crsid).toContain('is the Data Owner already');
  });

  it('refuses people who are not current, or not in the directory', async () => {
    const l = await licence();
    const left = await call('ar101', 'POST', `/api/licences/${l.id}/managers`, { crsid: 'lp999' });
    expect(left.statusCode).toBe(422);
    expect(left.json().error.fields.crsid).toBe(
      'Leo Parted (lp999) has left the University, so cannot be given a place',
    );
    const unknown = await call('ar101', 'POST', `/api/projects/${l.lattice}/members`, {
      crsid: 'zz999',
      role: 'project-data-user',
    });
    expect(unknown.statusCode).toBe(422);
    expect(unknown.json().error.fields.crsid).toContain('nobody with the CRSid zz999');
    const handover = await call('ar101', 'POST', `/api/licences/${l.id}/owner`, { crsid: 'lp999' });
    expect(handover.statusCode).toBe(422);
    expect(await audit(l.id)).toEqual([]);
    expect(await syncJobs(l.id)).toBe(0);
  });

  it("answers a missing or malformed field in the pages' words, not the schema's", async () => {
    const l = await licence();
    const field = async (url: string, method: 'POST' | 'PATCH' | 'DELETE', body?: object) => {
      const answer = await call('ar101', method, url, body);
      return [answer.statusCode, answer.json().error.fields];
    };
    expect(await field(`/api/licences/${l.id}/managers`, 'POST', {})).toEqual([
      422,
      { crsid: 'Enter a CRSid, like ab123' },
    ]);
    expect(await field(`/api/licences/${l.id}/owner`, 'POST', { crsid: 42 })).toEqual([
      422,
      { crsid: 'Enter a CRSid, like ab123' },
    ]);
    const role = 'Choose project-data-manager (Project Data Manager) or project-data-user (Project Data User)';
    expect(await field(`/api/projects/${l.lattice}/members`, 'POST', { crsid: 'nc888' })).toEqual([422, { role }]);
    expect(await field(`/api/projects/${l.lattice}/members`, 'POST', { crsid: 'nc888', role: 'user' })).toEqual([
      422,
      { role },
    ]);
    expect(await field(`/api/projects/${l.lattice}/members/da303/manager`, 'DELETE')).toEqual([400, { role }]);
    expect(await field(`/api/licences/${l.id}/projects`, 'POST', { quotaTb: 1.5 })).toEqual([
      422,
      { name: 'Enter a name for the storage project', quotaTb: 'Enter the quota as a whole number of TB, like 2' },
    ]);
    expect(await field(`/api/projects/${l.lattice}`, 'PATCH', { quotaTb: '2' })).toEqual([
      422,
      { quotaTb: 'Enter the quota as a whole number of TB, like 2' },
    ]);
    expect(await audit(l.id)).toEqual([]);
  });

  it('gives a place to someone in the University directory who has not signed in yet, found there and added', async () => {
    const db = t.database.db;
    await db
      .insertInto('directory_people')
      .values([
        {
          crsid: 'ns111',
          display_name: 'Nia Signedout',
          email: 'nia@phy.cam.ac.uk',
          institution_id: 'PHYS',
          status: 'current',
        },
        {
          crsid: 'ps222',
          display_name: 'Pat Stranger',
          email: 'ps222@cam.ac.uk',
          institution_id: 'NOPE',
          status: 'current',
        },
        { crsid: 'ol333', display_name: 'Olu Left', email: 'ol333@cam.ac.uk', institution_id: null, status: 'left' },
        {
          crsid: 'ho444',
          display_name: 'Hana Owner',
          email: 'ho444@cam.ac.uk',
          institution_id: 'PHYS',
          status: 'current',
        },
      ])
      .execute();
    const l = await licence();
    const added = await call('ar101', 'POST', `/api/licences/${l.id}/managers`, { crsid: 'NS111' });
    expect(added.statusCode).toBe(201);
    expect(
      await db
        .selectFrom('people')
        .select(['display_name', 'email', 'institution_id', 'status'])
        .where('crsid', '=', 'ns111')
        .execute(),
    ).toEqual([
      { display_name: 'Nia Signedout', email: 'nia@phy.cam.ac.uk', institution_id: 'PHYS', status: 'current' },
    ]);
    expect(await emailsTo('nia@phy.cam.ac.uk', `You are a Data Manager of “${l.name}”`)).toHaveLength(1);
    // A department the gateway does not know is left empty, as the directory sync leaves it.
    const member = await call('ar101', 'POST', `/api/projects/${l.lattice}/members`, {
      crsid: 'ps222',
      role: 'project-data-user',
    });
    expect(member.statusCode).toBe(201);
    expect(
      await db.selectFrom('people').select('institution_id').where('crsid', '=', 'ps222').executeTakeFirst(),
    ).toEqual({ institution_id: null });
    const handover = await call('ar101', 'POST', `/api/licences/${l.id}/owner`, { crsid: 'ho444' });
    expect(handover.statusCode).toBe(200);
    expect(
      (await db.selectFrom('licences').select('owner_person_id').where('id', '=', l.id).executeTakeFirstOrThrow())
        .owner_person_id,
    ).toBe(await personIdOf(db, 'ho444'));
    // Someone the directory says has left is not added, and nobody the directory does not know.
    const left = await call('bm202', 'POST', `/api/licences/${l.id}/managers`, {
      crsid: 'ol333',
    });
    expect(left.statusCode).toBe(422);
    // Said so, not 'There is nobody with the CRSid ol333 in the University directory', untrue.
    expect(left.json().error.fields.crsid).toBe('Olu Left (ol333) has left the University, so cannot be given a place');
    expect(await db.selectFrom('people').select('crsid').where('crsid', 'in', ['ol333', 'zz998']).execute()).toEqual(
      [],
    );
  });

  it('refuses someone who may not make the change before asking the directory: nobody added, nothing learnt', async () => {
    const db = t.database.db;
    await db
      .insertInto('directory_people')
      .values([
        {
          crsid: 'xq701',
          display_name: 'Xan Quiet',
          email: 'xq701@cam.ac.uk',
          institution_id: 'PHYS',
          status: 'current',
        },
        { crsid: 'xq702', display_name: 'Xia Gone', email: 'xq702@cam.ac.uk', institution_id: null, status: 'left' },
      ])
      .execute();
    const l = await licence();
    const attempts = [
      // someone unrelated: the licence is "not found", whoever they name
      ['cb404', 'POST', `/api/licences/${l.id}/managers`, { crsid: 'xq701' }, 404],
      ['cb404', 'POST', `/api/licences/${l.id}/managers`, { crsid: 'xq702' }, 404],
      ['cb404', 'POST', `/api/licences/${l.id}/owner`, { crsid: 'xq701' }, 404],
      ['cb404', 'POST', `/api/projects/${l.lattice}/members`, { crsid: 'xq701', role: 'project-data-user' }, 404],
      // a Project Data User, a Data Manager handing over, Finance: "forbidden"
      ['nc888', 'POST', `/api/projects/${l.telescope}/members`, { crsid: 'xq701', role: 'project-data-user' }, 403],
      ['nc888', 'POST', `/api/projects/${l.telescope}/members`, { crsid: 'xq702', role: 'project-data-user' }, 403],
      ['bm202', 'POST', `/api/licences/${l.id}/owner`, { crsid: 'xq701' }, 403],
      ['fn601', 'POST', `/api/licences/${l.id}/managers`, { crsid: 'xq702' }, 403],
    ] as const;
    for (const [who, method, url, body, status] of attempts) {
      const answer = await call(who, method, url, body);
      expect([who, url, body.crsid, answer.statusCode]).toEqual([who, url, body.crsid, status]);
    }
    expect(await db.selectFrom('people').select('crsid').where('crsid', 'in', ['xq701', 'xq702']).execute()).toEqual(
      [],
    );
    expect(await audit(l.id)).toEqual([]);
  });

  it('lets a manager remove themselves, never the owner; others see 404 or 403', async () => {
    const l = await licence();
    expect((await call('ar101', 'DELETE', `/api/licences/${l.id}/managers/ar101`)).statusCode).toBe(409);
    expect((await call('cb404', 'DELETE', `/api/licences/${l.id}/managers/bm202`)).statusCode).toBe(404);
    expect((await call('if502', 'DELETE', `/api/licences/${l.id}/managers/bm202`)).statusCode).toBe(404);
    expect((await call('da303', 'DELETE', `/api/licences/${l.id}/managers/bm202`)).statusCode).toBe(403);
    expect((await call('fn601', 'DELETE', `/api/licences/${l.id}/managers/bm202`)).statusCode).toBe(403);
    expect(await managersOf(l.id)).toEqual(['bm202']);
    const self = await call('bm202', 'DELETE', `/api/licences/${l.id}/managers/bm202`);
    expect(self.statusCode).toBe(200);
    expect(self.json().managers).toEqual([]);
    expect((await call('bm202', 'GET', `/api/licences/${l.id}`)).statusCode).toBe(404);
    // Removed already (a retry): a 404 naming the place, as the page's message does, and nothing written.
    const again = await call('ar101', 'DELETE', `/api/licences/${l.id}/managers/bm202`);
    expect(again.statusCode).toBe(404);
    expect(again.json().error.message).toBe('bm202 is not a Data Manager of this licence.');
    expect((await audit(l.id)).map((row) => [row.action, row.before, row.after])).toEqual([
      ['manager-removed', { managers: ['bm202'] }, { managers: [] }],
    ]);
  });

  it('tells someone removed from a project not set up yet that it is not, not that they lost its folder', async () => {
    const made = await insertStorage(t.database.db, {
      name: `Unmade ${Math.random().toString(36).slice(2, 8)}`,
      owner: 'ar101',
      sizeTb: 5,
      status: 'active',
      startDate: '2026-01-01',
      endDate: '2027-01-01',
      projects: [
        { name: 'unmade', quotaTb: 2, status: 'pending', members: [{ crsid: 'da303', role: 'project-data-user' }] },
      ],
      order: null,
    });
    const [unmade] = made.projectIds;
    expect((await call('ar101', 'DELETE', `/api/projects/${unmade}/members/da303/project-data-user`)).statusCode).toBe(
      200,
    );
    const [dana] = await emailsTo('da303@cam.ac.uk', 'You are no longer a Project Data User of “unmade”');
    expect(dana?.text_body).toContain('it has not been set up on the storage yet');
    expect(dana?.text_body).not.toContain('folder');
  });

  it('emails the people someone else removed, not those who removed themselves nor those who have left', async () => {
    const made = await insertStorage(t.database.db, {
      name: `Removals ${Math.random().toString(36).slice(2, 8)}`,
      owner: 'ar101',
      managers: ['bm202', 'nc888', 'lp999'],
      sizeTb: 5,
      status: 'active',
      startDate: '2026-01-01',
      endDate: '2027-01-01',
      projects: [
        {
          name: 'optics',
          quotaTb: 2,
          status: 'active',
          members: [
            { crsid: 'da303', role: 'project-data-user' },
            { crsid: 'nc888', role: 'project-data-user' },
            { crsid: 'cb404', role: 'project-data-manager' },
          ],
        },
      ],
      order: null,
    });
    const [optics] = made.projectIds;
    const url = (crsid: string) => `/api/licences/${made.licenceId}/managers/${crsid}`;
    expect((await call('ar101', 'DELETE', url('bm202'))).statusCode).toBe(200);
    expect((await call('ar101', 'DELETE', url('nc888'))).statusCode).toBe(200);
    expect((await call('ar101', 'DELETE', url('lp999'))).statusCode).toBe(200);
    expect((await call('ar101', 'DELETE', `/api/projects/${optics}/members/da303/project-data-user`)).statusCode).toBe(
      200,
    );
    // Chloe removes herself from the project: she knows.
    const chloe = await call('cb404', 'DELETE', `/api/projects/${optics}/members/cb404/project-data-manager`);
    expect(chloe.statusCode).toBe(200);
    const [ben] = await emailsTo('bm202@cam.ac.uk', 'You are no longer a Data Manager of “Removals');
    expect(ben?.text_body).toContain(
      'Alice Researcher has removed you as a Data Manager of the storage licence “Removals',
    );
    expect(ben?.text_body).toContain('/storage/\n');
    // Nadia kept her place in optics when she stopped being a Data Manager: her link is the licence.
    const [nadia] = await emailsTo('nc888@cam.ac.uk', 'You are no longer a Data Manager of “Removals');
    expect(nadia?.text_body).toContain('Your places in its storage projects stay as they are.');
    expect(nadia?.text_body).toContain(`/storage/licence/${made.licenceId}/`);
    const [dana] = await emailsTo('da303@cam.ac.uk', 'You are no longer a Project Data User of “optics”');
    expect(dana?.text_body).toContain('you no longer have access to its folder on the storage');
    expect(await emailsTo('cb404@cam.ac.uk', 'You are no longer a Project Data Manager')).toEqual([]);
    expect(await emailsTo('lp999@cam.ac.uk', 'You are no longer')).toEqual([]);
  });

  it('lets the service team change a licence too', async () => {
    const l = await licence();
    expect((await call('rs501', 'POST', `/api/licences/${l.id}/managers`, { crsid: 'nc888' })).statusCode).toBe(201);
    expect((await audit(l.id))[0]?.actor_label).toBe('rs501');
  });

  it('hands ownership over: the owner only; the old owner stays as a Data Manager; the new owner is told', async () => {
    const l = await licence();
    expect((await call('bm202', 'POST', `/api/licences/${l.id}/owner`, { crsid: 'bm202' })).statusCode).toBe(403);
    expect((await call('cb404', 'POST', `/api/licences/${l.id}/owner`, { crsid: 'cb404' })).statusCode).toBe(404);
    const self = await call('ar101', 'POST', `/api/licences/${l.id}/owner`, { crsid: 'ar101' });
    expect(self.json().error.fields.crsid).toContain('is the Data Owner already');
    const handed = await call('ar101', 'POST', `/api/licences/${l.id}/owner`, { crsid: 'bm202' });
    expect(handed.statusCode).toBe(200);
    expect(handed.json().owner.crsid).toBe('bm202');
    expect(handed.json().managers.map((m: { crsid: string }) => m.crsid)).toEqual(['ar101']);
    expect((await audit(l.id)).map((row) => [row.entity_type, row.action, row.before, row.after])).toEqual([
      ['licence', 'owner-handed-over', { owner: 'ar101' }, { owner: 'bm202', oldOwnerNowManager: 'ar101' }],
    ]);
    // Changed as of the app's clock (the test day), not the machine's.
    const changed = await t.database.db
      .selectFrom('licences')
      .select('updated_at')
      .where('id', '=', l.id)
      .executeTakeFirstOrThrow();
    expect(new Date(changed.updated_at)).toEqual(t.clock.now());
    const emails = await emailsTo('bm202@cam.ac.uk', 'You are now the Data Owner');
    expect(emails).toHaveLength(1);
    expect(emails[0]?.to_addresses).toEqual(['bm202@cam.ac.uk']);
    // Alice made the change herself: she is not emailed about it.
    expect(await emailsTo('ar101@cam.ac.uk', 'no longer the Data Owner')).toEqual([]);
    expect((await call('ar101', 'POST', `/api/licences/${l.id}/owner`, { crsid: 'ar101' })).statusCode).toBe(403);
  });

  it('tells the other Data Managers who the new Data Owner is, once each, and nobody who has left', async () => {
    const name = `Handed ${Math.random().toString(36).slice(2, 8)}`;
    const made = await insertStorage(t.database.db, {
      name,
      owner: 'ar101',
      managers: ['bm202', 'nc888', 'lp999'],
      sizeTb: 5,
      status: 'active',
      startDate: '2026-01-01',
      endDate: '2027-01-01',
      order: null,
    });
    const subject = `Ben Manager is now the Data Owner of “${name}”`;
    expect((await call('ar101', 'POST', `/api/licences/${made.licenceId}/owner`, { crsid: 'bm202' })).statusCode).toBe(
      200,
    );
    const [nadia, ...more] = await emailsTo('nc888@cam.ac.uk', subject);
    expect(more).toEqual([]);
    expect(nadia?.text_body).toContain(
      `Alice Researcher has made Ben Manager (bm202) the Data Owner of the storage licence “${name}”, in place of Alice Researcher (ar101). You stay on as a Data Manager until the Data Owner removes you.`,
    );
    expect(nadia?.text_body).toContain(`/storage/licence/${made.licenceId}/`);
    // The new owner has their own email, Alice made the change, and lp999 has left.
    for (const address of ['bm202@cam.ac.uk', 'ar101@cam.ac.uk', 'lp999@cam.ac.uk'])
      expect(await emailsTo(address, subject)).toEqual([]);
  });

  it('does not keep a Data Owner who has left as a Data Manager when the team hands the licence over', async () => {
    const db = t.database.db;
    const made = await insertStorage(db, {
      name: `Leaver's ${Math.random().toString(36).slice(2, 8)}`,
      owner: 'lp999',
      managers: ['bm202'],
      sizeTb: 5,
      status: 'active',
      startDate: '2026-01-01',
      endDate: '2027-01-01',
      order: null,
    });
    const leaver = await personIdOf(db, 'lp999');
    await db
      .insertInto('licence_flags')
      .values({
        licence_id: made.licenceId,
        kind: 'member-left',
        person_id: leaver,
        detail: 'Leo Parted (lp999), Data Owner, has left the University.',
        raised_on: '2026-11-20',
      })
      .execute();
    const handed = await call('rs501', 'POST', `/api/licences/${made.licenceId}/owner`, { crsid: 'nc888' });
    expect(handed.statusCode).toBe(200);
    expect(handed.json().owner.crsid).toBe('nc888');
    // Nobody who has left is given a place: the leaver is not made a Data Manager, so their flag clears.
    expect(handed.json().managers.map((m: { crsid: string }) => m.crsid)).toEqual(['bm202']);
    const flags = await db
      .selectFrom('licence_flags')
      .select('cleared_on')
      .where('licence_id', '=', made.licenceId)
      .execute();
    expect(flags).toEqual([{ cleared_on: expect.anything() }]);
    expect((await audit(made.licenceId)).find((row) => row.action === 'owner-handed-over')).toMatchObject({
      before: { owner: 'lp999' },
      after: { owner: 'nc888' },
    });
    const [email] = await emailsTo('nc888@cam.ac.uk', `Data Owner of “Leaver's`);
    expect(email?.text_body).not.toContain('stays on as a Data Manager');
    // The old owner has left the University: not told.
    expect(await emailsTo('lp999@cam.ac.uk', 'no longer the Data Owner')).toEqual([]);
  });

  it("creates and resizes projects within the licence's size, with unique names", async () => {
    const l = await licence();
    const duplicate = await call('bm202', 'POST', `/api/licences/${l.id}/projects`, { name: 'LATTICE', quotaTb: 1 });
    expect(duplicate.statusCode).toBe(422);
    expect(duplicate.json().error.fields.name).toContain('already has a storage project with that name');
    const tooBig = await call('bm202', 'POST', `/api/licences/${l.id}/projects`, { name: 'new-one', quotaTb: 2 });
    expect(tooBig.json().error.fields.quotaTb).toBe(
      'The licence has 1 TB not given to its other storage projects: choose at most 1 TB',
    );
    expect(
      (await call('da303', 'POST', `/api/licences/${l.id}/projects`, { name: 'mine', quotaTb: 1 })).statusCode,
    ).toBe(403);
    const created = await call('bm202', 'POST', `/api/licences/${l.id}/projects`, { name: 'new-one', quotaTb: 1 });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({ name: 'new-one', quotaTb: 1, status: 'pending', licenceId: l.id });
    const grow = await call('ar101', 'PATCH', `/api/projects/${l.lattice}`, { quotaTb: 4 });
    expect(grow.statusCode).toBe(422);
    expect(grow.json().error.fields.quotaTb).toBe(
      'The licence has 3 TB not given to its other storage projects: choose at most 3 TB',
    );
    // A million TB (GB typed as TB, say) is a whole number: the answer says how much there is room for.
    const million = await call('ar101', 'PATCH', `/api/projects/${l.lattice}`, { quotaTb: 1_000_000 });
    expect(million.statusCode).toBe(422);
    expect(million.json().error.fields.quotaTb).toBe(
      'The licence has 3 TB not given to its other storage projects: choose at most 3 TB',
    );
    expect((await call('da303', 'PATCH', `/api/projects/${l.lattice}`, { quotaTb: 2 })).statusCode).toBe(403);
    expect((await call('cb404', 'PATCH', `/api/projects/${l.lattice}`, { quotaTb: 2 })).statusCode).toBe(404);
    const shrink = await call('ar101', 'PATCH', `/api/projects/${l.lattice}`, { quotaTb: 2 });
    expect(shrink.statusCode).toBe(200);
    expect(shrink.json().quotaTb).toBe(2);
    expect((await audit(l.id)).map((row) => [row.entity_type, row.action, row.before, row.after])).toEqual([
      ['storage-project', 'project-created', null, { name: 'new-one', quotaTb: 1 }],
      ['storage-project', 'project-resized', { quotaTb: 3 }, { quotaTb: 2 }],
    ]);
  });

  it('refuses to make a project smaller than the data it holds, saying how much and since when', async () => {
    const l = await licence();
    const today = t.clock.today();
    await t.database.db
      .insertInto('usage_readings')
      .values([
        // lattice (3 TB) held 2.6 TB last week, 2.4 TB yesterday; a reading dated after today does not count
        {
          project_id: l.lattice,
          licence_id: l.id,
          read_on: today.subtract({ days: 7 }).toString(),
          used_bytes: 2_600_000_000_000,
          source: 'test',
        },
        {
          project_id: l.lattice,
          licence_id: l.id,
          read_on: today.subtract({ days: 1 }).toString(),
          used_bytes: 2_400_000_000_000,
          source: 'test',
        },
        {
          project_id: l.lattice,
          licence_id: l.id,
          read_on: today.add({ days: 1 }).toString(),
          used_bytes: 100,
          source: 'test',
        },
      ])
      .execute();
    const smaller = await call('bm202', 'PATCH', `/api/projects/${l.lattice}`, { quotaTb: 2 });
    expect(smaller.statusCode).toBe(422);
    expect(smaller.json().error.fields.quotaTb).toBe(
      `The project held 2.4 TB on ${formatDay(today.subtract({ days: 1 }).toString())} (the storage's latest reading), more than 2 TB: choose at least 3 TB, or remove data from it first`,
    );
    // With a new name as well, neither changes.
    const both = await call('bm202', 'PATCH', `/api/projects/${l.lattice}`, { name: 'crystal', quotaTb: 1 });
    expect(both.statusCode).toBe(422);
    expect(Object.keys(both.json().error.fields)).toEqual(['quotaTb']);
    expect(await audit(l.id)).toEqual([]);
    // Larger is fine; telescope has no reading, so any quota that fits.
    expect((await call('bm202', 'PATCH', `/api/projects/${l.lattice}`, { quotaTb: 4 })).statusCode).toBe(200);
    expect((await call('bm202', 'PATCH', `/api/projects/${l.telescope}`, { quotaTb: 1 })).statusCode).toBe(200);
    expect((await audit(l.id)).map((row) => [row.action, row.after])).toEqual([['project-resized', { quotaTb: 4 }]]);
  });

  it('gives the last free TB to one of two projects created at the same moment', async () => {
    const l = await licence();
    const answers = await Promise.all(
      ['twin-a', 'twin-b'].map((name) => call('ar101', 'POST', `/api/licences/${l.id}/projects`, { name, quotaTb: 1 })),
    );
    expect(answers.map((answer) => answer.statusCode).sort()).toEqual([201, 422]);
    const quotas = await t.database.db
      .selectFrom('storage_projects')
      .select((eb) => eb.fn.sum<number>('quota_tb').as('total'))
      .where('licence_id', '=', l.id)
      .executeTakeFirstOrThrow();
    expect(Number(quotas.total)).toBe(5);
  });

  it("lets a Project Data Manager change their own project's members, and nobody else's", async () => {
    const l = await licence();
    const added = await call('da303', 'POST', `/api/projects/${l.lattice}/members`, {
      crsid: 'nc888',
      role: 'project-data-user',
    });
    expect(added.statusCode).toBe(201);
    expect(
      added
        .json()
        .members.map((m: { crsid: string; role: string }) => `${m.crsid}:${m.role}`)
        .sort(),
    ).toEqual(['da303:project-data-manager', 'nc888:project-data-user']);
    expect(await emailsTo('nc888@cam.ac.uk', 'You are a Project Data User of “lattice”')).not.toHaveLength(0);
    // Dana is not in "telescope": she cannot see it.
    const elsewhere = await call('da303', 'POST', `/api/projects/${l.telescope}/members`, {
      crsid: 'cb404',
      role: 'project-data-user',
    });
    expect(elsewhere.statusCode).toBe(404);
    // Nadia uses "telescope" but does not manage it.
    const user = await call('nc888', 'POST', `/api/projects/${l.telescope}/members`, {
      crsid: 'cb404',
      role: 'project-data-user',
    });
    expect(user.statusCode).toBe(403);
    const removed = await call('da303', 'DELETE', `/api/projects/${l.lattice}/members/nc888/project-data-user`);
    expect(removed.statusCode).toBe(200);
    expect(removed.json().members).toHaveLength(1);
    expect(
      (await call('da303', 'DELETE', `/api/projects/${l.lattice}/members/nc888/project-data-user`)).statusCode,
    ).toBe(404);
    expect((await audit(l.id)).map((row) => [row.action, row.before, row.after])).toEqual([
      ['project-member-added', null, { crsid: 'nc888', role: 'project-data-user' }],
      ['project-member-removed', { crsid: 'nc888', role: 'project-data-user' }, null],
    ]);
    expect(await syncJobs(l.id)).toBe(2);
  });

  it('gives a person one role in a project: the other role is refused as a 422 for crsid, as a role held already is', async () => {
    const l = await licence();
    const members = () =>
      t.database.db
        .selectFrom('storage_project_members')
        .select(['person_id', 'role'])
        .where('project_id', '=', l.lattice)
        .execute();
    const before = await members();
    // Dana manages "lattice": not a Project Data User of it too.
    const both = await call('ar101', 'POST', `/api/projects/${l.lattice}/members`, {
      crsid: 'da303',
      role: 'project-data-user',
    });
    expect(both.statusCode).toBe(422);
    expect(both.json().error.fields.crsid).toBe(
      'Dana Administrator is a Project Data Manager of this project already, and a person holds one role in a project: to make them a Project Data User, remove them as a Project Data Manager first',
    );
    const again = await call('ar101', 'POST', `/api/projects/${l.lattice}/members`, {
      crsid: 'da303',
      role: 'project-data-manager',
    });
    expect(again.statusCode).toBe(422);
    expect(again.json().error.fields.crsid).toBe('Dana Administrator is a Project Data Manager already');
    expect(await members()).toEqual(before);
    expect(await audit(l.id)).toEqual([]);
    expect(await emailsTo('da303@cam.ac.uk', 'You are a Project Data User of “lattice”')).toEqual([]);
    // In another project of the licence, the other role is theirs to have.
    const elsewhere = await call('ar101', 'POST', `/api/projects/${l.telescope}/members`, {
      crsid: 'da303',
      role: 'project-data-user',
    });
    expect(elsewhere.statusCode).toBe(201);
  });

  it('refuses every change to a locked licence, and to one not in use', async () => {
    const locked = await licence();
    await t.database.db
      .updateTable('licences')
      .set({ locked_at: new Date(), lock_reason: 'audit' })
      .where('id', '=', locked.id)
      .execute();
    const attempts = (l: Awaited<ReturnType<typeof licence>>) => [
      call('ar101', 'POST', `/api/licences/${l.id}/managers`, { crsid: 'nc888' }),
      call('ar101', 'DELETE', `/api/licences/${l.id}/managers/bm202`),
      call('ar101', 'POST', `/api/licences/${l.id}/owner`, { crsid: 'bm202' }),
      call('ar101', 'POST', `/api/licences/${l.id}/projects`, { name: 'x', quotaTb: 1 }),
      call('ar101', 'PATCH', `/api/projects/${l.lattice}`, { quotaTb: 1 }),
      call('ar101', 'POST', `/api/projects/${l.lattice}/members`, { crsid: 'nc888', role: 'project-data-user' }),
      call('ar101', 'DELETE', `/api/projects/${l.lattice}/members/da303/project-data-manager`),
      call('ar101', 'PATCH', `/api/projects/${l.lattice}`, { name: 'renamed' }),
      call('ar101', 'DELETE', `/api/projects/${l.lattice}`),
    ];
    for (const answer of await Promise.all(attempts(locked))) {
      expect(answer.statusCode).toBe(409);
      expect(answer.json().error.message).toContain('locked by the storage team');
    }
    const suspended = await licence('suspended');
    for (const answer of await Promise.all(attempts(suspended))) {
      expect(answer.statusCode).toBe(409);
      expect(answer.json().error.message).toContain('This licence has expired and is read-only');
    }
    expect(await audit(locked.id)).toEqual([]);
    expect(await audit(suspended.id)).toEqual([]);
    expect(await managersOf(locked.id)).toEqual(['bm202']);
  });

  /** The sync-groups messages the command provisioner was sent about licence `licenceId`, after draining the jobs. */
  async function syncsSent(licenceId: number) {
    // Earlier tests leave their syncs queued: this runs them too.
    await drainJobs(t.jobs, { timeoutMs: 60_000 });
    return (await readFile(logFile, 'utf8').catch(() => ''))
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line).message)
      .filter((message) => message.action === 'sync-groups' && message.request.licence.id === licenceId);
  }

  /** Leo (who has left) a Project Data User of "lattice" too, and "lattice" made at a path. */
  async function withLeaverAndPath(l: Awaited<ReturnType<typeof licence>>) {
    const db = t.database.db;
    await db
      .insertInto('storage_project_members')
      .values({ project_id: l.lattice, person_id: await personIdOf(db, 'lp999'), role: 'project-data-user' })
      .execute();
    await db
      .updateTable('storage_projects')
      .set({ path: '/rds/project/lattice' })
      .where('id', '=', l.lattice)
      .execute();
  }

  it('renames a project as a new one is named, audited, emailed to its members (not leavers) and sent to the provisioner', async () => {
    const l = await licence();
    await withLeaverAndPath(l);
    const taken = await call('bm202', 'PATCH', `/api/projects/${l.lattice}`, { name: 'Telescope' });
    expect(taken.statusCode).toBe(422);
    expect(taken.json().error.fields.name).toBe(
      'This licence already has a storage project with that name: choose another',
    );
    const bad = await call('bm202', 'PATCH', `/api/projects/${l.lattice}`, { name: 'lattice 2026!' });
    expect(bad.json().error.fields.name).toBe(
      'Use up to 40 letters, numbers, hyphens and underscores for the project name, starting with a letter or number',
    );
    const empty = await call('bm202', 'PATCH', `/api/projects/${l.lattice}`, {});
    expect(empty.statusCode).toBe(422);
    expect(empty.json().error.fields.name).toBe('Give the project a new name or quotaTb, or both');
    // Both fields are checked before either changes.
    const both = await call('bm202', 'PATCH', `/api/projects/${l.lattice}`, { name: 'lattice-2026', quotaTb: 9 });
    expect(both.statusCode).toBe(422);
    expect(Object.keys(both.json().error.fields)).toEqual(['quotaTb']);
    // Its own Project Data Manager may not rename it; people who cannot see it are told it is not there.
    expect((await call('da303', 'PATCH', `/api/projects/${l.lattice}`, { name: 'mine' })).statusCode).toBe(403);
    expect((await call('fn601', 'PATCH', `/api/projects/${l.lattice}`, { name: 'mine' })).statusCode).toBe(403);
    expect((await call('nc888', 'PATCH', `/api/projects/${l.lattice}`, { name: 'mine' })).statusCode).toBe(404);
    expect((await call('cb404', 'PATCH', `/api/projects/${l.lattice}`, { name: 'mine' })).statusCode).toBe(404);
    expect(await audit(l.id)).toEqual([]);

    const renamed = await call('bm202', 'PATCH', `/api/projects/${l.lattice}`, { name: ' lattice-2026 ' });
    expect(renamed.statusCode).toBe(200);
    expect(renamed.json()).toMatchObject({ id: l.lattice, name: 'lattice-2026', quotaTb: 3, status: 'active' });
    expect(
      (await audit(l.id)).map((row) => [row.entity_id, row.action, row.before, row.after, row.actor_label]),
    ).toEqual([[String(l.lattice), 'project-renamed', { name: 'lattice' }, { name: 'lattice-2026' }, 'bm202']]);
    const subject = 'The storage project “lattice” is now called “lattice-2026”';
    const toDana = await emailsTo('da303@cam.ac.uk', subject);
    expect(toDana.map((email) => email.to_addresses)).toEqual([['da303@cam.ac.uk']]);
    expect(toDana[0]?.text_body).toContain(`/storage/project/${l.lattice}/`);
    expect(await emailsTo('lp999@cam.ac.uk', subject)).toEqual([]);
    expect(await emailsTo('bm202@cam.ac.uk', subject)).toEqual([]);
    const [sync] = await syncsSent(l.id);
    expect(sync.request.projects.map((p: { id: number; name: string }) => [p.id, p.name])).toEqual([
      [l.lattice, 'lattice-2026'],
      [l.telescope, 'telescope'],
    ]);
    expect(sync.request.removedProjects).toEqual([]);
    // The service team may rename too; the same name again changes (and sends) nothing.
    expect((await call('rs501', 'PATCH', `/api/projects/${l.telescope}`, { name: 'Telescope' })).statusCode).toBe(200);
    expect((await call('ar101', 'PATCH', `/api/projects/${l.telescope}`, { name: 'Telescope' })).statusCode).toBe(200);
    expect((await audit(l.id)).map((row) => [row.action, row.after, row.actor_label])).toEqual([
      ['project-renamed', { name: 'lattice-2026' }, 'bm202'],
      ['project-renamed', { name: 'Telescope' }, 'rs501'],
    ]);
  });

  it("removes a project: kept in the history, its TB and name free, its members' places gone, told to the provisioner and emailed", async () => {
    const l = await licence();
    await withLeaverAndPath(l);
    expect((await call('da303', 'DELETE', `/api/projects/${l.lattice}`)).statusCode).toBe(403);
    expect((await call('fn601', 'DELETE', `/api/projects/${l.lattice}`)).statusCode).toBe(403);
    expect((await call('nc888', 'DELETE', `/api/projects/${l.lattice}`)).statusCode).toBe(404);
    expect((await call('cb404', 'DELETE', `/api/projects/${l.lattice}`)).statusCode).toBe(404);
    expect((await call('ar101', 'DELETE', '/api/projects/999999999')).statusCode).toBe(404);

    const removed = await call('bm202', 'DELETE', `/api/projects/${l.lattice}`);
    expect(removed.statusCode).toBe(200);
    expect(removed.json()).toMatchObject({ id: l.lattice, name: 'lattice', status: 'removed', members: [] });
    expect(
      (await audit(l.id)).map((row) => [row.entity_id, row.action, row.before, row.after, row.actor_label]),
    ).toEqual([
      [
        String(l.lattice),
        'project-removed',
        {
          name: 'lattice',
          quotaTb: 3,
          status: 'active',
          path: '/rds/project/lattice',
          members: [
            { crsid: 'da303', role: 'project-data-manager' },
            { crsid: 'lp999', role: 'project-data-user' },
          ],
        },
        { status: 'removed' },
        'bm202',
      ],
    ]);
    // Dana held a place on "lattice" only: she no longer sees the licence or the project.
    expect((await call('da303', 'GET', `/api/licences/${l.id}`)).statusCode).toBe(404);
    expect((await call('da303', 'GET', `/api/projects/${l.lattice}`)).statusCode).toBe(404);
    // The owner still sees it, as removed; it is not counted, so its 3 TB and its name are free.
    const held = (await call('ar101', 'GET', `/api/licences/${l.id}`)).json();
    expect(held.projects.map((p: { name: string; status: string }) => [p.name, p.status])).toEqual([
      ['lattice', 'removed'],
      ['telescope', 'active'],
    ]);

    const subject = 'The storage project “lattice” has been removed';
    const [toDana] = await emailsTo('da303@cam.ac.uk', subject);
    expect(toDana?.to_addresses).toEqual(['da303@cam.ac.uk']);
    expect(toDana?.text_body).toContain('no longer have access to its folder on the storage');
    // Her link is to what she still holds (My storage), not to the licence page she can no longer see.
    expect(toDana?.text_body).not.toContain(`/storage/licence/${l.id}/`);
    expect(toDana?.text_body).toMatch(/https?:\/\/[^\s]+\/storage\/(\s|$)/);
    const [toAlice] = await emailsTo('ar101@cam.ac.uk', subject);
    expect(toAlice?.text_body).toContain('its 3 TB are free again');
    expect(await emailsTo('lp999@cam.ac.uk', subject)).toEqual([]);
    expect(await emailsTo('bm202@cam.ac.uk', subject)).toEqual([]);

    const [sync] = await syncsSent(l.id);
    expect(sync.request.projects.map((p: { name: string; status: string }) => [p.name, p.status])).toEqual([
      ['telescope', 'active'],
    ]);
    expect(sync.request.removedProjects).toEqual([{ id: l.lattice, name: 'lattice', path: '/rds/project/lattice' }]);
    const again = await call('ar101', 'POST', `/api/licences/${l.id}/projects`, { name: 'Lattice', quotaTb: 4 });
    expect(again.statusCode).toBe(201);

    // A removed project changes no more.
    const twice = await call('bm202', 'DELETE', `/api/projects/${l.lattice}`);
    expect(twice.statusCode).toBe(409);
    expect(twice.json().error.message).toBe('This storage project has been removed.');
    expect((await call('ar101', 'PATCH', `/api/projects/${l.lattice}`, { name: 'back' })).statusCode).toBe(409);
  });

  // An editor read every email: a Data Owner who was also a Project Data Manager was sent the
  // member's email ("Ask the licence's Data Owner"), "its 1 TB are free", straight quotes, and
  // the folder and data of a project that was never set up.
  it("sends a keeper who also had a place in the removed project the keepers' email, once, and says 1 TB is free", async () => {
    const l = await licence();
    const db = t.database.db;
    await db
      .insertInto('storage_project_members')
      .values([
        { project_id: l.telescope, person_id: await personIdOf(db, 'ar101'), role: 'project-data-manager' },
        { project_id: l.telescope, person_id: await personIdOf(db, 'bm202'), role: 'project-data-user' },
      ])
      .execute();
    expect((await call('rs501', 'DELETE', `/api/projects/${l.telescope}`)).statusCode).toBe(200);
    const subject = 'The storage project “telescope” has been removed';
    for (const keeper of ['ar101@cam.ac.uk', 'bm202@cam.ac.uk']) {
      const emails = await emailsTo(keeper, subject);
      expect(emails, keeper).toHaveLength(1);
      expect(emails[0]?.text_body, keeper).toContain("its 1 TB is free again for the licence's other storage projects");
      expect(emails[0]?.text_body, keeper).not.toContain("Ask the licence's Data Owner");
      expect(emails[0]?.text_body, keeper).not.toContain('"');
    }
    const [toNadia, ...more] = await emailsTo('nc888@cam.ac.uk', subject);
    expect(more).toEqual([]);
    expect(toNadia?.text_body).toContain('You were a Project Data User of it');
    expect(toNadia?.text_body).toContain('the storage project “telescope” (licence “');
  });

  it('words the emails about a project never set up for a project without a folder or data', async () => {
    const l = await licence();
    const db = t.database.db;
    await db.updateTable('storage_projects').set({ status: 'pending' }).where('id', '=', l.lattice).execute();
    expect((await call('ar101', 'PATCH', `/api/projects/${l.lattice}`, { name: 'lattice-2' })).statusCode).toBe(200);
    const [renamed] = await emailsTo('da303@cam.ac.uk', 'The storage project “lattice” is now called “lattice-2”');
    expect(renamed?.text_body).toContain(
      'You are still a Project Data Manager of it. It has not been set up on the storage yet: its page will say where to find its data once it is.',
    );
    expect(renamed?.text_body).not.toContain('its page says where to find its data');
    expect((await call('ar101', 'DELETE', `/api/projects/${l.lattice}`)).statusCode).toBe(200);
    const subject = 'The storage project “lattice-2” has been removed';
    const [toDana] = await emailsTo('da303@cam.ac.uk', subject);
    expect(toDana?.text_body).toContain(
      'You were a Project Data Manager of it. It had not been set up on the storage yet, so it held no data.',
    );
    expect(toDana?.text_body).not.toContain('folder');
    const [toBen] = await emailsTo('bm202@cam.ac.uk', subject);
    expect(toBen?.text_body).toContain(
      "It had not been set up on the storage yet, and its 3 TB are free again for the licence's other storage projects.",
    );
    expect(toBen?.text_body).not.toContain('folder');
  });

  it('names the old Data Owner who stays on by name and CRSid, in curly quotes, when a licence is handed over', async () => {
    const l = await licence();
    expect((await call('ar101', 'POST', `/api/licences/${l.id}/owner`, { crsid: 'bm202' })).statusCode).toBe(200);
    const [email, ...more] = await emailsTo('bm202@cam.ac.uk', `You are now the Data Owner of “${l.name}”`);
    expect(more).toEqual([]);
    expect(email?.text_body).toContain(
      `Alice Researcher has handed the storage licence “${l.name}” over to you: you are now its Data Owner, responsible for it and for who may use it. Alice Researcher (ar101) stays on as a Data Manager until you remove them.`,
    );
  });

  it('refuses to rename or remove a project of a licence in the cold store or ended', async () => {
    for (const status of ['cold', 'cancelled'] as const) {
      const l = await licence(status);
      const rename = await call('ar101', 'PATCH', `/api/projects/${l.lattice}`, { name: 'renamed' });
      const remove = await call('ar101', 'DELETE', `/api/projects/${l.lattice}`);
      for (const answer of [rename, remove]) {
        expect(answer.statusCode).toBe(409);
        expect(answer.json().error.message).toBe(
          status === 'cold'
            ? 'This licence is in the cold store, so its people and storage projects cannot be changed. Order a recovery first.'
            : 'This licence has ended, so its people and storage projects cannot be changed.',
        );
      }
      expect(await audit(l.id)).toEqual([]);
    }
  });

  it('sends the licence as it is now to the command provisioner, once per run, and nothing for a pending licence', async () => {
    const l = await licence();
    const pending = await licence('pending');
    await drainJobs(t.jobs);
    await rm(logFile, { force: true });
    expect((await call('ar101', 'POST', `/api/licences/${l.id}/managers`, { crsid: 'nc888' })).statusCode).toBe(201);
    expect(
      (await call('ar101', 'POST', `/api/projects/${l.lattice}/members`, { crsid: 'cb404', role: 'project-data-user' }))
        .statusCode,
    ).toBe(201);
    expect((await call('ar101', 'POST', `/api/licences/${pending.id}/managers`, { crsid: 'nc888' })).statusCode).toBe(
      201,
    );
    await drainJobs(t.jobs);
    const lines = (await readFile(logFile, 'utf8'))
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line).message);
    // Two changes of the active licence: two sends, each with the whole current state.
    expect(lines).toHaveLength(2);
    for (const message of lines) {
      expect(message.action).toBe('sync-groups');
      expect(message.request.licence).toMatchObject({ id: l.id, owner: 'ar101', managers: ['bm202', 'nc888'] });
      expect(message.request.projects).toEqual([
        {
          id: l.lattice,
          name: 'lattice',
          quotaTb: 3,
          status: 'active',
          members: [
            { crsid: 'da303', role: 'project-data-manager' },
            { crsid: 'cb404', role: 'project-data-user' },
          ],
        },
        {
          id: l.telescope,
          name: 'telescope',
          quotaTb: 1,
          status: 'active',
          members: [{ crsid: 'nc888', role: 'project-data-user' }],
        },
      ]);
    }
  });

  /** A pending licence (Ben its manager; "lattice" with Dana a user) whose order a command provisioner is running. */
  async function beingSetUp(namePrefix: string) {
    const made = await insertStorage(t.database.db, {
      name: `${namePrefix} ${Math.random().toString(36).slice(2, 8)}`,
      owner: 'ar101',
      managers: ['bm202'],
      sizeTb: 5,
      status: 'pending',
      projects: [{ name: 'lattice', quotaTb: 3, members: [{ crsid: 'da303', role: 'project-data-user' }] }],
      order: { status: 'provisioning' },
    });
    const orderId = made.order?.id as number;
    const runId = await t.database.db
      .transaction()
      .execute((tx) =>
        insertRun(tx, { orderId, provisioner: 'command', startedByPersonId: null, startedAt: t.clock.now() }),
      );
    return { licenceId: made.licenceId, orderId, runId };
  }

  it('sends the groups again when the licence changed while the provisioner was setting it up', async () => {
    const db = t.database.db;
    const { licenceId, orderId, runId } = await beingSetUp('Being set up');
    const command = createProvisioner(t.config.provisioner);
    // While the provisioner works on the request it was sent, Alice adds a Data Manager and a
    // project (the licence is still pending: their group sync finds nothing to send).
    const slow: Provisioner = Object.assign(Object.create(command), {
      provision: async (request: Parameters<Provisioner['provision']>[0]) => {
        const answer = await command.provision(request);
        expect(
          (await call('ar101', 'POST', `/api/licences/${licenceId}/managers`, { crsid: 'nc888' })).statusCode,
        ).toBe(201);
        expect(
          (await call('ar101', 'POST', `/api/licences/${licenceId}/projects`, { name: 'spectra', quotaTb: 1 }))
            .statusCode,
        ).toBe(201);
        await drainJobs(t.jobs);
        return answer;
      },
    });
    const context = { db, jobs: t.jobs.queue, clock: t.clock, site: siteLinks(t.config), provisioner: slow };
    await rm(logFile, { force: true });
    expect(await runProvisioning(context, { orderId, runId }, pino({ level: 'silent' }))).toBe('succeeded');
    await drainJobs(t.jobs);
    const calls = (await readFile(logFile, 'utf8'))
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line).message);
    expect(calls.map((message) => message.action)).toEqual(['provision', 'sync-groups']);
    expect(calls[0].request.licence.managers).toEqual(['bm202']);
    expect(calls[1].request.licence).toMatchObject({ owner: 'ar101', managers: ['bm202', 'nc888'] });
    expect(calls[1].request.projects.map((p: { name: string; status: string }) => [p.name, p.status])).toEqual([
      ['lattice', 'active'],
      ['spectra', 'pending'],
    ]);
    // The project created meanwhile is made, as for one created in a licence in use.
    const spectra = await db
      .selectFrom('storage_projects')
      .select(['status', 'path'])
      .where('licence_id', '=', licenceId)
      .where('name', '=', 'spectra')
      .executeTakeFirstOrThrow();
    expect(spectra).toEqual({ status: 'active', path: '/rds/project/spectra' });

    // A run during which nothing changed sends nothing more than the provision itself.
    const { orderId: quietOrder, runId: quietRun } = await beingSetUp('Quiet');
    await rm(logFile, { force: true });
    const plain = { ...context, provisioner: command };
    expect(await runProvisioning(plain, { orderId: quietOrder, runId: quietRun }, pino({ level: 'silent' }))).toBe(
      'succeeded',
    );
    await drainJobs(t.jobs);
    expect(
      (await readFile(logFile, 'utf8'))
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line).action),
    ).toEqual(['provision']);
  });

  it('completes a set-up during which a project was removed, and tells the provisioner it was', async () => {
    const db = t.database.db;
    const { licenceId, orderId, runId } = await beingSetUp('Removed while set up');
    const lattice = (
      await db.selectFrom('storage_projects').select('id').where('licence_id', '=', licenceId).executeTakeFirstOrThrow()
    ).id;
    const command = createProvisioner(t.config.provisioner);
    const slow: Provisioner = Object.assign(Object.create(command), {
      provision: async (request: Parameters<Provisioner['provision']>[0]) => {
        const answer = await command.provision(request);
        expect((await call('bm202', 'DELETE', `/api/projects/${lattice}`)).statusCode).toBe(200);
        await drainJobs(t.jobs);
        return answer;
      },
    });
    const context = { db, jobs: t.jobs.queue, clock: t.clock, site: siteLinks(t.config), provisioner: slow };
    await rm(logFile, { force: true });
    expect(await runProvisioning(context, { orderId, runId }, pino({ level: 'silent' }))).toBe('succeeded');
    expect(
      await db.selectFrom('licences').select('status').where('id', '=', licenceId).executeTakeFirstOrThrow(),
    ).toEqual({ status: 'active' });
    // It stays removed, and what the provisioner made of it is not recorded as a live project.
    expect(
      await db
        .selectFrom('storage_projects')
        .select(['status', 'path'])
        .where('id', '=', lattice)
        .executeTakeFirstOrThrow(),
    ).toEqual({ status: 'removed', path: null });
    const [sync] = await syncsSent(licenceId);
    expect(sync.request.projects).toEqual([]);
    expect(sync.request.removedProjects).toEqual([{ id: lattice, name: 'lattice', path: null }]);
  });

  it('has the provisioner make a project created in an active licence, and records its path (once)', async () => {
    const l = await licence();
    const created = await call('bm202', 'POST', `/api/licences/${l.id}/projects`, { name: 'spectra', quotaTb: 1 });
    expect(created.statusCode).toBe(201);
    const projectId = created.json().id as number;
    await rm(logFile, { force: true });
    await drainJobs(t.jobs);
    const [message] = (await readFile(logFile, 'utf8'))
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line).message);
    expect(message.request.projects.map((p: { name: string; status: string }) => [p.name, p.status])).toEqual([
      ['lattice', 'active'],
      ['spectra', 'pending'],
      ['telescope', 'active'],
    ]);
    const project = await t.database.db
      .selectFrom('storage_projects')
      .select(['status', 'path', 'share_name', 'group_names', 'quota_tb'])
      .where('id', '=', projectId)
      .executeTakeFirstOrThrow();
    expect(project).toEqual({
      status: 'active',
      path: '/rds/project/spectra',
      share_name: 'spectra',
      group_names: ['spectra-managers', 'spectra-users'],
      quota_tb: 1,
    });
    const made = (await audit(l.id)).filter((row) => row.action === 'provisioned');
    expect(made).toEqual([
      expect.objectContaining({
        entity_type: 'storage-project',
        entity_id: String(projectId),
        actor_label: 'system: provisioner (command)',
        after: expect.objectContaining({ status: 'active', path: '/rds/project/spectra' }),
      }),
    ]);
    // A later sync sends it as active, and records nothing again.
    expect((await call('ar101', 'POST', `/api/licences/${l.id}/managers`, { crsid: 'nc888' })).statusCode).toBe(201);
    await drainJobs(t.jobs);
    expect((await audit(l.id)).filter((row) => row.action === 'provisioned')).toHaveLength(1);
  });
});
