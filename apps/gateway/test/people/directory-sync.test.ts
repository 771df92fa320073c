import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { removeDataManager } from '../../src/modules/licences/licence-members.service.ts';
import { runNightlyLifecycle } from '../../src/modules/lifecycle/lifecycle.service.ts';
import { DEFAULT_LIFECYCLE_SETTINGS } from '../../src/modules/lifecycle/lifecycle-dates.ts';
import { directorySyncJob } from '../../src/modules/people/directory-sync.jobs.ts';
import { runDirectorySync } from '../../src/modules/people/directory-sync.service.ts';
import { findPersonWithRoles } from '../../src/modules/people/people.repository.ts';
import { fixedClock } from '../../src/platform/clock.ts';
import { siteLinks } from '../../src/platform/config.ts';
import { seededDirectory } from '../../src/platform/directory/seeded-directory.ts';
import { drainJobs } from '../support/jobs.ts';
import { insertStorage, personIdOf } from '../support/storage-fixtures.ts';
import { Browser, startTestApp, type TestApp } from '../support/test-app.ts';

/**
 * The nightly directory sync on the seeded directory (the demo people, plus the people each test
 * adds to directory_people): names, emails and institutions kept up to date, leavers marked and
 * flagged on their licences with one email per current Data Owner or Data Manager and per service
 * team, returners current again with their flags cleared; run twice, the second run changes and
 * sends nothing.
 */
describe('directory sync', () => {
  let t: TestApp;
  // 29 February 2028, 01:30 in London
  const LEAP_DAY = '2028-02-29';

  beforeEach(async () => {
    t = await startTestApp({ clock: fixedClock(`${LEAP_DAY}T01:30:00Z`) });
    const db = t.database.db;
    await db
      .insertInto('people')
      .values([
        { crsid: 'gl909', display_name: 'Gina Leaver', email: 'gl909@cam.ac.uk', institution_id: 'PHYS' },
        { crsid: 'ol808', display_name: 'Owen Leaving', email: 'ol808@cam.ac.uk', institution_id: 'CHEM' },
        // a gateway person the directory does not list: left alone
        { crsid: 'zz111', display_name: 'Zed Unlisted', email: 'zz111@example.org', institution_id: null },
      ])
      .execute();
    await directory([
      { crsid: 'gl909', display_name: 'Gina Leaver', email: 'gl909@cam.ac.uk', institution_id: 'PHYS', status: 'left' },
      {
        crsid: 'ol808',
        display_name: 'Owen Leaving',
        email: 'ol808@cam.ac.uk',
        institution_id: 'CHEM',
        status: 'left',
      },
      // directory entries who are not the gateway's people: nothing happens
      { crsid: 'xx000', display_name: 'Not Ours', email: 'xx000@cam.ac.uk', institution_id: 'PHYS', status: 'left' },
    ]);
  });
  afterEach(async () => {
    await t.close();
  });

  type Entry = {
    crsid: string;
    display_name: string;
    email: string;
    institution_id: string | null;
    status: 'current' | 'left';
  };
  async function directory(entries: Entry[]) {
    await t.database.db
      .insertInto('directory_people')
      .values(entries)
      .onConflict((oc) =>
        oc.column('crsid').doUpdateSet((eb) => ({
          display_name: eb.ref('excluded.display_name'),
          email: eb.ref('excluded.email'),
          institution_id: eb.ref('excluded.institution_id'),
          status: eb.ref('excluded.status'),
        })),
      )
      .execute();
  }

  const person = (crsid: string) =>
    t.database.db
      .selectFrom('people')
      .select(['display_name', 'email', 'institution_id', 'status', 'left_on'])
      .where('crsid', '=', crsid)
      .executeTakeFirstOrThrow();

  const openFlags = () =>
    t.database.db
      .selectFrom('licence_flags')
      .select(['licence_id', 'kind', 'detail', 'raised_on'])
      .where('cleared_on', 'is', null)
      .orderBy('licence_id')
      .orderBy('detail')
      .execute();

  const outbox = () =>
    t.database.db
      .selectFrom('mail_outbox')
      .select(['to_addresses', 'subject', 'text_body'])
      .where('template', '=', 'member-left')
      .orderBy('id')
      .execute();

  const auditCount = async () =>
    Number(
      (
        await t.database.db
          .selectFrom('audit_events')
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );

  async function runNight() {
    await t.jobs.queue.enqueue(t.database.db, directorySyncJob, {});
    // the sync and its emails: more than the default 15 s on PGlite when the machine is busy
    await drainJobs(t.jobs, { timeoutMs: 60_000 });
  }

  /** Alice's research licence: Ben and Gina manage it, Gina and Nobody use a project. Owen owns an IFS licence Dana manages. */
  async function licences() {
    const research = await insertStorage(t.database.db, {
      name: 'Quantum data',
      owner: 'ar101',
      managers: ['bm202', 'gl909'],
      status: 'active',
      startDate: '2026-01-01',
      endDate: '2028-12-31',
      projects: [{ name: 'lattice', members: [{ crsid: 'gl909', role: 'project-data-user' }] }],
      order: null,
    });
    const institutional = await insertStorage(t.database.db, {
      name: 'Chemistry share',
      productCode: 'IFS',
      institutionId: 'CHEM',
      owner: 'ol808',
      managers: ['da303'],
      status: 'active',
      startDate: '2026-01-01',
      endDate: '2028-12-31',
      order: null,
    });
    // cancelled licences keep no flags
    await insertStorage(t.database.db, {
      name: 'Old share',
      owner: 'gl909',
      status: 'cancelled',
      order: null,
    });
    return { research: research.licenceId, institutional: institutional.licenceId };
  }

  it('marks leavers, flags their licences and tells each keeper and service team once; a second run does nothing', async () => {
    const { research, institutional } = await licences();
    // the directory knows better: Ben's new name and address, Dana moved to Genetics, Chloe's
    // institution unknown to the gateway (kept)
    await directory([
      {
        crsid: 'bm202',
        display_name: 'Ben Manager-Smith',
        email: 'ben@phy.cam.ac.uk',
        institution_id: 'PHYS',
        status: 'current',
      },
      {
        crsid: 'da303',
        display_name: 'Dana Administrator',
        email: 'da303@cam.ac.uk',
        institution_id: 'GEN',
        status: 'current',
      },
      {
        crsid: 'cb404',
        display_name: 'Chloe Bursar',
        email: 'cb404@cam.ac.uk',
        institution_id: 'UNKNOWN',
        status: 'current',
      },
    ]);

    await runNight();

    expect(await person('gl909')).toMatchObject({ status: 'left', left_on: LEAP_DAY });
    expect(await person('ol808')).toMatchObject({ status: 'left', left_on: LEAP_DAY });
    expect(await person('bm202')).toMatchObject({
      display_name: 'Ben Manager-Smith',
      email: 'ben@phy.cam.ac.uk',
      status: 'current',
      left_on: null,
    });
    expect(await person('da303')).toMatchObject({ institution_id: 'GEN' });
    expect(await person('cb404')).toMatchObject({ institution_id: 'KINGS' });
    expect(await person('zz111')).toMatchObject({ status: 'current', email: 'zz111@example.org' });
    expect(await t.database.db.selectFrom('people').select('id').where('crsid', '=', 'xx000').execute()).toEqual([]);

    const audit = await t.database.db
      .selectFrom('audit_events')
      .select(['entity_type', 'entity_id', 'action'])
      .where('actor_label', '=', 'system: directory sync')
      .orderBy('id')
      .execute();
    const ids = Object.fromEntries(
      await Promise.all(
        ['gl909', 'ol808', 'bm202', 'da303'].map(async (c) => [c, String(await personIdOf(t.database.db, c))]),
      ),
    );
    expect(audit.filter((row) => row.entity_type === 'person')).toEqual(
      expect.arrayContaining([
        { entity_type: 'person', entity_id: ids.gl909, action: 'left the University' },
        { entity_type: 'person', entity_id: ids.ol808, action: 'left the University' },
        { entity_type: 'person', entity_id: ids.bm202, action: 'details updated from the directory' },
        { entity_type: 'person', entity_id: ids.da303, action: 'details updated from the directory' },
      ]),
    );
    expect(audit.filter((row) => row.entity_type === 'person')).toHaveLength(4);

    const flags = await openFlags();
    expect(flags).toEqual([
      {
        licence_id: research,
        kind: 'member-left',
        detail: 'Gina Leaver (gl909), Data Manager, Project Data User of lattice, has left the University.',
        raised_on: LEAP_DAY,
      },
      {
        licence_id: institutional,
        kind: 'member-left',
        detail: 'Owen Leaving (ol808), Data Owner, has left the University.',
        raised_on: LEAP_DAY,
      },
    ]);
    expect(audit.filter((row) => row.action === 'flagged: a member has left')).toHaveLength(2);

    // the current keepers once each (Alice and Ben; Dana, not Owen who left), then each service team
    const mail = await outbox();
    expect(mail.map((m) => m.to_addresses)).toEqual([
      ['ar101@cam.ac.uk'],
      ['ben@phy.cam.ac.uk'],
      ['da303@cam.ac.uk'],
      ['ifs@example.ac.uk'],
      ['research-storage@example.ac.uk'],
    ]);
    expect(mail[0]?.subject).toBe('Someone on your storage licence has left the University');
    expect(mail[0]?.text_body).toContain('“Quantum data”: Gina Leaver (gl909), Data Manager');
    expect(mail[0]?.text_body).toContain(`/storage/licence/${research}/`);
    expect(mail[0]?.text_body).toContain('29 February 2028');
    expect(mail[2]?.text_body).toContain('“Chemistry share”: Owen Leaving (ol808), Data Owner');
    // A Data Manager cannot hand a licence over: where the Data Owner has left, they are sent to
    // the storage team, who can; where only others have left, nobody is.
    const newOwner = 'Only the storage team can name a new Data Owner';
    expect(mail[2]?.text_body).toContain(`${newOwner} of a licence whose Data Owner has left`);
    expect(mail[0]?.text_body).not.toContain(newOwner);
    expect(mail[4]?.subject).toBe('1 new leaver on storage licences');
    expect(mail[4]?.text_body).toContain(`/admin/licences/${research}/`);
    expect(mail[4]?.text_body).not.toContain('Chemistry share');

    // the pages: a warning for the keepers, the flag in the back office
    const alice = new Browser(t.app);
    await alice.signInAs('ar101');
    const page = await alice.get(`/storage/licence/${research}/`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain(
      'class="notice notice--warning" role="status">Gina Leaver (gl909), Data Manager, Project Data User of lattice, has left the University. Hand their role over',
    );
    expect(page.body).not.toContain(newOwner);
    // Expired, the licence refuses people changes: its keepers are told to renew it first, in the
    // words of its status, not to do what it refuses.
    await t.database.db.updateTable('licences').set({ status: 'suspended' }).where('id', '=', research).execute();
    const expired = await alice.get(`/storage/licence/${research}/`);
    expect(expired.body).toContain(
      'has left the University. The licence has expired and is read-only, so its people cannot be changed: renew it first, then hand their role over',
    );
    expect(expired.body).toContain('This licence has expired and is read-only');
    expect(expired.body).not.toContain('This licence is suspended');
    await t.database.db.updateTable('licences').set({ status: 'active' }).where('id', '=', research).execute();
    const dana = new Browser(t.app);
    await dana.signInAs('da303');
    const chemistry = await dana.get(`/storage/licence/${institutional}/`);
    expect(chemistry.body).toContain(
      'Owen Leaving (ol808), Data Owner, has left the University. Only the storage team can name a new Data Owner: write to',
    );
    expect(chemistry.body).not.toContain('Hand their role over');
    const rosa = new Browser(t.app);
    await rosa.signInAs('rs501');
    const admin = await rosa.get(`/admin/licences/${research}/`);
    expect(admin.body).toContain('Member has left</strong>');
    expect(admin.body).toContain('Gina Leaver (gl909), Data Manager');

    // the next night: nothing changes, nothing is sent
    const rows = await auditCount();
    await runNight();
    expect(await openFlags()).toEqual(flags);
    expect(await outbox()).toHaveLength(5);
    expect(await auditCount()).toBe(rows);
    expect(await person('gl909')).toMatchObject({ status: 'left', left_on: LEAP_DAY });
  });

  it('a returner is current again and their flags clear; a leaver removed from a licence clears at once', async () => {
    const { research, institutional } = await licences();
    await runNight();
    expect(await openFlags()).toHaveLength(2);

    // Alice removes Gina as a Data Manager: Gina still uses a project, so the flag stays
    const alice = await findPersonWithRoles(t.database.db, await personIdOf(t.database.db, 'ar101'));
    if (!alice) throw new Error('no Alice');
    const context = {
      db: t.database.db,
      directory: t.directory,
      jobs: t.jobs.queue,
      site: siteLinks(t.config),
      provisioner: t.app.provisioner,
      clock: t.clock,
    };
    await removeDataManager(context, alice, research, 'gl909');
    expect((await openFlags()).map((flag) => flag.licence_id)).toEqual([research, institutional]);
    // …and from the project: no role left, the flag clears now, not at the next sync
    await t.database.db.deleteFrom('storage_project_members').execute();
    await removeDataManager(context, alice, research, 'bm202');
    expect((await openFlags()).map((flag) => flag.licence_id)).toEqual([institutional]);
    // the trail says Alice's change cleared it, not a directory sync that did not run
    const clearedBy = await t.database.db
      .selectFrom('audit_events')
      .select(['actor_label', 'actor_person_id'])
      .where('licence_id', '=', research)
      .where('action', '=', 'flag cleared: the leaver no longer has a role')
      .execute();
    expect(clearedBy).toEqual([{ actor_label: 'ar101', actor_person_id: alice.id }]);
    // …on the gateway's day (its clock), as the sync's flags are, not the database server's
    const clearedOn = await t.database.db
      .selectFrom('licence_flags')
      .select('cleared_on')
      .where('licence_id', '=', research)
      .execute();
    expect(clearedOn).toEqual([{ cleared_on: LEAP_DAY }]);
    const clearedAudit = await t.database.db
      .selectFrom('audit_events')
      .select('after')
      .where('licence_id', '=', research)
      .where('action', '=', 'flag cleared: the leaver no longer has a role')
      .executeTakeFirstOrThrow();
    expect(clearedAudit.after).toMatchObject({ asOf: LEAP_DAY });

    // Owen comes back, the next day (1 March 2028)
    await directory([
      {
        crsid: 'ol808',
        display_name: 'Owen Leaving',
        email: 'ol808@cam.ac.uk',
        institution_id: 'CHEM',
        status: 'current',
      },
    ]);
    const site = siteLinks(t.config);
    const result = await runDirectorySync(
      t.database.db,
      t.jobs.queue,
      seededDirectory(t.database.db, 3),
      '2028-03-01',
      site,
    );
    expect(result).toMatchObject({
      asOf: '2028-03-01',
      changed: 1,
      left: 0,
      returned: 1,
      flagsRaised: 0,
      flagsCleared: 1,
      emails: 0,
    });
    expect(result.seen).toBeGreaterThanOrEqual(11);
    expect(await person('ol808')).toMatchObject({ status: 'current', left_on: null });
    expect(await openFlags()).toEqual([]);
    const cleared = await t.database.db
      .selectFrom('licence_flags')
      .select(['licence_id', 'cleared_on'])
      .where('licence_id', '=', institutional)
      .execute();
    expect(cleared).toEqual([{ licence_id: institutional, cleared_on: '2028-03-01' }]);
    expect(await outbox()).toHaveLength(5);

    // and again: nothing
    expect(
      await runDirectorySync(t.database.db, t.jobs.queue, seededDirectory(t.database.db), '2028-03-01', site),
    ).toMatchObject({ changed: 0, flagsRaised: 0, flagsCleared: 0, emails: 0 });
  });

  it('asks the keepers of an expired licence, or one in the cold store, for what its page says: renew or recover it first', async () => {
    const expired = await insertStorage(t.database.db, {
      name: 'Expired data',
      owner: 'ar101',
      managers: ['gl909'],
      status: 'suspended',
      startDate: '2025-02-01',
      endDate: '2028-01-31',
      order: null,
    });
    const cold = await insertStorage(t.database.db, {
      name: 'Cold data',
      owner: 'ar101',
      status: 'cold',
      startDate: '2024-12-01',
      endDate: '2027-11-30',
      projects: [{ name: 'tape', members: [{ crsid: 'gl909', role: 'project-data-user' }] }],
      order: null,
    });
    await runNight();

    const [alice, ...others] = (await outbox()).filter((m) => m.to_addresses.includes('ar101@cam.ac.uk'));
    expect(others).toEqual([]);
    const body = alice?.text_body ?? '';
    // The page's warning for each licence, word for word, in the email's line for it.
    const browser = new Browser(t.app);
    await browser.signInAs('ar101');
    for (const [licence, name, words] of [
      [
        expired.licenceId,
        'Expired data',
        'has expired and is read-only, so its people cannot be changed: renew it first',
      ],
      [cold.licenceId, 'Cold data', 'is in the cold store, so its people cannot be changed: order a recovery first'],
    ] as const) {
      const page = await browser.get(`/storage/licence/${licence}/`);
      const warning = /class="notice notice--warning" role="status">([^<]*has left the University[^<]*)</.exec(
        page.body,
      )?.[1];
      expect(warning).toContain(`The licence ${words}, then hand their role over`);
      expect(body).toContain(`“${name}”: ${warning} http`);
    }
    // Not asked to do now what the licence refuses.
    expect(body).not.toContain('Please hand their role over');
    expect(body).not.toContain('Where the licence can be changed now');

    // With an active licence too, the hand-over is asked for where it can be done now.
    await insertStorage(t.database.db, {
      name: 'Active data',
      owner: 'bm202',
      managers: ['ol808'],
      status: 'active',
      startDate: '2026-01-01',
      endDate: '2028-12-31',
      order: null,
    });
    await insertStorage(t.database.db, {
      name: 'Expired too',
      owner: 'bm202',
      managers: ['ol808'],
      status: 'suspended',
      startDate: '2025-02-01',
      endDate: '2028-01-31',
      order: null,
    });
    // Owen left on the first night; the next one flags his new places
    await runNight();
    const ben = (await outbox()).find((m) => m.to_addresses.includes('bm202@cam.ac.uk'))?.text_body ?? '';
    expect(ben).toContain('“Active data”: Owen Leaving (ol808), Data Manager, has left the University. http');
    expect(ben).not.toContain('.:');
    expect(ben).toContain(
      '“Expired too”: Owen Leaving (ol808), Data Manager, has left the University. The licence has expired',
    );
    expect(ben).toContain('Where the licence can be changed now, please hand their role over');
  });

  it('tells the keepers of a licence due for deletion what can still bring it back, not to hand over now, on its page and in the email', async () => {
    const deletable = await insertStorage(t.database.db, {
      name: 'Doomed data',
      owner: 'ar101',
      managers: ['gl909'],
      status: 'deletable',
      startDate: '2024-07-01',
      endDate: '2027-06-30',
      order: null,
    });
    await runNight();

    const mails = (await outbox()).filter((m) => m.to_addresses.includes('ar101@cam.ac.uk'));
    expect(mails).toHaveLength(1);
    const body = mails[0]?.text_body ?? '';
    const browser = new Browser(t.app);
    await browser.signInAs('ar101');
    const page = await browser.get(`/storage/licence/${deletable.licenceId}/`);
    const warning = /class="notice notice--warning" role="status">([^<]*has left the University[^<]*)</.exec(
      page.body,
    )?.[1];
    // No new order is taken for it (a recovery only in the cold store): only a recovery ordered
    // there, which completes even now, brings it back; otherwise the team, if the data is needed.
    expect(warning).toBe(
      'Gina Leaver (gl909), Data Manager, has left the University. The licence is due for deletion, so its people cannot be changed: contact the storage team straight away if its data is still needed, as no recovery can be ordered for it any more; if a recovery ordered while it was in the cold store brings it back, hand their role over to someone still at the University, or remove them from the licence or storage project.',
    );
    expect(body).toContain(`“Doomed data”: ${warning} http`);
    expect(body).not.toContain('.:');
    expect(body).not.toContain('Please hand their role over');
    expect(body).not.toContain('Where the licence can be changed now');
    // The page's own notice says the same, not that the licence "has ended".
    expect(page.body).toContain(
      'This licence is due for deletion, so its people and storage projects cannot be changed. Contact the storage team straight away if its data is still needed, as no recovery can be ordered for it any more.',
    );
    expect(page.body).not.toContain('This licence has ended');
  });

  it("tells the service team what each licence's keepers were asked, in the words they were asked it", async () => {
    const made = async (name: string, status: 'active' | 'suspended' | 'cold' | 'deletable', owner = 'ar101') =>
      (
        await insertStorage(t.database.db, {
          name,
          owner,
          status,
          startDate: '2024-07-01',
          endDate: status === 'active' ? '2028-12-31' : '2027-06-30',
          projects: [{ name: `p-${status}`, members: [{ crsid: 'gl909', role: 'project-data-user' }] }],
          order: null,
        })
      ).licenceId;
    await made('Active data', 'active');
    await made('Expired data', 'suspended');
    await made('Cold data', 'cold');
    await made('Doomed data', 'deletable');
    // Owen owns a licence with nobody else to ask: the team is told nobody was.
    await insertStorage(t.database.db, {
      name: 'Owen alone',
      owner: 'ol808',
      status: 'active',
      startDate: '2026-01-01',
      endDate: '2028-12-31',
      order: null,
    });
    await runNight();

    const team = (await outbox()).find((m) => m.to_addresses.includes('research-storage@example.ac.uk'))?.text_body;
    expect(team).toBeDefined();
    const body = (team ?? '').replace(/\s+/g, ' ');
    const left = 'Gina Leaver (gl909), Project Data User';
    const handOver =
      'hand their role over to someone still at the University, or remove them from the licence or storage project.';
    expect(body).not.toContain('have been asked to hand over or remove them');
    expect(body).toContain(
      `“Active data”: ${left} of p-active, has left the University. Its Data Owner and Data Managers were asked to ${handOver}`,
    );
    expect(body).toContain(
      `“Expired data”: ${left} of p-suspended, has left the University. The licence has expired and is read-only, so its Data Owner and Data Managers were asked to renew it first, then ${handOver}`,
    );
    expect(body).toContain(
      `“Cold data”: ${left} of p-cold, has left the University. The licence is in the cold store, so its Data Owner and Data Managers were asked to order a recovery first, then ${handOver}`,
    );
    expect(body).toContain(
      `“Doomed data”: ${left} of p-deletable, has left the University. The licence is due for deletion, so its Data Owner and Data Managers were asked to contact the storage team straight away if its data is still needed, as no recovery can be ordered for it any more; if a recovery ordered while it was in the cold store brings it back, ${handOver}`,
    );
    expect(body).toContain(
      '“Owen alone”: Owen Leaving (ol808), Data Owner, has left the University. Only you can name a new Data Owner: it has no current Data Manager to ask who it should be. http',
    );
    expect(body).toContain('or remove them from the licence or storage project. http');
    expect(body).not.toContain('.:');
  });

  it('sends reminders and expiry emails to nobody who has left', async () => {
    // ends 30 days after 29 February 2028: reminded on the leap day
    const due = await insertStorage(t.database.db, {
      name: 'Due soon',
      owner: 'ar101',
      managers: ['gl909', 'bm202'],
      status: 'active',
      startDate: '2025-03-31',
      endDate: '2028-03-30',
      order: null,
    });
    // ended on 28 February 2028, owned by a leaver: suspended, nobody emailed
    await insertStorage(t.database.db, {
      name: 'Expired',
      owner: 'ol808',
      status: 'active',
      startDate: '2025-02-28',
      endDate: '2028-02-28',
      order: null,
    });
    await runNight();
    const result = await runNightlyLifecycle(
      t.database.db,
      t.jobs.queue,
      LEAP_DAY,
      DEFAULT_LIFECYCLE_SETTINGS,
      t.clock.now(),
    );
    expect(result).toMatchObject({ reminders: 1, suspended: 1, emails: 2 });
    await drainJobs(t.jobs);
    const sent = await t.database.db
      .selectFrom('mail_outbox')
      .select(['template', 'to_addresses'])
      .where('template', 'in', ['licence-reminder', 'licence-suspended'])
      .orderBy('id')
      .execute();
    expect(sent).toEqual([
      { template: 'licence-reminder', to_addresses: ['ar101@cam.ac.uk'] },
      { template: 'licence-reminder', to_addresses: ['bm202@cam.ac.uk'] },
    ]);
    expect(due.licenceId).toBeGreaterThan(0);
  });
});
