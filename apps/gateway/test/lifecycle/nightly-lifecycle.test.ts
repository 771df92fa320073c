import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LicenceStatus } from '../../src/modules/licences/licences.tables.ts';
import { nightlyLifecycleJob } from '../../src/modules/lifecycle/lifecycle.jobs.ts';
import { runNightlyLifecycle } from '../../src/modules/lifecycle/lifecycle.service.ts';
import { DEFAULT_LIFECYCLE_SETTINGS as settings } from '../../src/modules/lifecycle/lifecycle-dates.ts';
import { sendLifecycleNoticesJob } from '../../src/modules/lifecycle/lifecycle-mail.ts';
import { PROVISIONER_TOLD_AFTER } from '../../src/modules/provisioning/storage-steps.service.ts';
import { fixedClock } from '../../src/platform/clock.ts';
import { drainJobs } from '../support/jobs.ts';
import { insertOrder, insertStorage, personIdOf } from '../support/storage-fixtures.ts';
import { Browser, startTestApp, type TestApp } from '../support/test-app.ts';

/**
 * The nightly job, run as of chosen days on licences written straight into the tables: which
 * reminders go and to whom, each expiry step on its day and not a day early, audit rows, one
 * email per person per step, locked licences left alone, and nothing at all from a second run.
 */
describe('nightly lifecycle', () => {
  let t: TestApp;
  let emails: Record<string, string>;

  beforeEach(async () => {
    t = await startTestApp();
    const rows = await t.database.db.selectFrom('people').select(['crsid', 'email']).execute();
    emails = Object.fromEntries(rows.map((row) => [row.crsid, row.email]));
  });
  afterEach(async () => {
    await t.close();
  });

  /** One night, and then its emails rendered into the outbox by the job it enqueued. */
  async function run(asOf: string) {
    const result = await runNightlyLifecycle(
      t.database.db,
      t.jobs.queue,
      asOf,
      settings,
      new Date(`${asOf}T02:15:00Z`),
    );
    await drainJobs(t.jobs, { timeoutMs: 60_000 });
    return result;
  }

  async function licence(
    name: string,
    owner: string,
    endDate: string,
    options: { status?: LicenceStatus; managers?: string[] } = {},
  ): Promise<number> {
    const fixture = await insertStorage(t.database.db, {
      name,
      owner,
      managers: options.managers,
      status: options.status ?? 'active',
      startDate: '2025-01-01',
      endDate,
      order: null,
    });
    return fixture.licenceId;
  }

  async function lock(licenceId: number): Promise<void> {
    await t.database.db
      .updateTable('licences')
      .set({ locked_at: new Date('2027-01-01T00:00:00Z'), lock_reason: 'Under investigation' })
      .where('id', '=', licenceId)
      .execute();
  }

  async function outbox(afterId = 0) {
    return t.database.db
      .selectFrom('mail_outbox')
      .select(['id', 'to_addresses', 'cc_addresses', 'subject', 'text_body', 'template'])
      .where('id', '>', afterId)
      .orderBy('id')
      .execute();
  }

  const lastOutboxId = async () => (await outbox()).at(-1)?.id ?? 0;

  async function statusOf(id: number): Promise<LicenceStatus> {
    const row = await t.database.db
      .selectFrom('licences')
      .select('status')
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    return row.status;
  }

  async function reminders() {
    return t.database.db
      .selectFrom('licence_reminders')
      .select(['licence_id', 'end_date', 'days', 'sent_on'])
      .orderBy('licence_id')
      .execute();
  }

  async function lifecycleAudit() {
    return t.database.db
      .selectFrom('audit_events')
      .select(['licence_id', 'entity_type', 'entity_id', 'action', 'before', 'after', 'actor_person_id'])
      .where('actor_label', '=', 'system: lifecycle')
      .orderBy('id')
      .execute();
  }

  describe('reminders', () => {
    it('go 60, 30 and 7 days before the end date, one email per person listing all theirs, never twice', async () => {
      // as of 31 December 2027: 60 days ahead is 29 February 2028
      const in60 = await licence('Leap day archive', 'ar101', '2028-02-29', { managers: ['bm202', 'da303'] });
      const in30 = await licence('Month end share', 'ar101', '2028-01-30');
      const in7 = await licence('Week away', 'bm202', '2028-01-07', { managers: ['ar101'] });
      // a day either side of each threshold: nothing
      for (const [name, end] of [
        ['59 days', '2028-02-28'],
        ['61 days', '2028-03-01'],
        ['29 days', '2028-01-29'],
        ['31 days', '2028-01-31'],
        ['6 days', '2028-01-06'],
        ['8 days', '2028-01-08'],
      ] as const) {
        await licence(name, 'ar101', end);
      }
      const locked = await licence('Locked share', 'cb404', '2028-01-30');
      await lock(locked);
      await licence('Already suspended', 'cb404', '2028-01-30', { status: 'suspended' });
      await licence('Still pending', 'cb404', '2028-01-30', { status: 'pending' });
      await t.database.db
        .insertInto('reminder_opt_outs')
        .values({ person_id: await personIdOf(t.database.db, 'da303') })
        .execute();

      const result = await run('2027-12-31');
      expect(result).toMatchObject({ reminders: 3, suspended: 0, cold: 0, deletable: 0, emails: 2 });
      expect(await reminders()).toEqual([
        { licence_id: in60, end_date: '2028-02-29', days: 60, sent_on: '2027-12-31' },
        { licence_id: in30, end_date: '2028-01-30', days: 30, sent_on: '2027-12-31' },
        { licence_id: in7, end_date: '2028-01-07', days: 7, sent_on: '2027-12-31' },
      ]);

      const sent = await outbox();
      expect(sent.map((email) => [email.to_addresses, email.template])).toEqual([
        [[emails.ar101], 'licence-reminder'],
        [[emails.bm202], 'licence-reminder'],
      ]);
      for (const email of sent) expect(email.cc_addresses).toEqual([]);
      const [alice, bob] = sent;
      expect(alice?.subject).toBe('Your storage licences end soon');
      expect(alice?.text_body).toContain(`“Leap day archive” ends on 29 February 2028 (in 60 days)`);
      expect(alice?.text_body).toContain(`“Month end share” ends on 30 January 2028 (in 30 days)`);
      expect(alice?.text_body).toContain(`“Week away” ends on 7 January 2028 (in 7 days)`);
      expect(alice?.text_body).toContain(`${t.config.publicUrl}/storage/licence/${in60}/`);
      expect(alice?.text_body).toContain('renew the licence from its page');
      expect(alice?.text_body).not.toMatch(/days"|59 days|61 days|Locked share|Already suspended|Still pending/);
      expect(bob?.text_body).toContain('“Leap day archive”');
      expect(bob?.text_body).toContain('“Week away”');
      expect(bob?.text_body).not.toContain('“Month end share”');

      // a second run as of the same day records nothing and sends nothing
      expect(await run('2027-12-31')).toMatchObject({ reminders: 0, emails: 0 });
      expect(await reminders()).toHaveLength(3);
      expect(await outbox()).toHaveLength(2);
    });

    it('skip a licence whose renewal or cancellation is in progress, but not one whose renewal was rejected', async () => {
      const renewing = await licence('Renewing', 'ar101', '2028-01-30');
      await insertOrder(t.database.db, renewing, { kind: 'renewal', status: 'awaiting-approval' });
      const cancelling = await licence('Cancelling', 'ar101', '2028-01-30');
      await insertOrder(t.database.db, cancelling, { kind: 'cancellation', status: 'awaiting-payment-check' });
      const refused = await licence('Refused renewal', 'ar101', '2028-01-30');
      await insertOrder(t.database.db, refused, { kind: 'renewal', status: 'rejected', statusReason: 'Wrong code' });
      const growing = await licence('Growing', 'ar101', '2028-01-30');
      await insertOrder(t.database.db, growing, { kind: 'increase', status: 'awaiting-approval', sizeTb: 1 });

      expect(await run('2027-12-31')).toMatchObject({ reminders: 2, emails: 1 });
      expect((await reminders()).map((row) => row.licence_id).sort()).toEqual([refused, growing].sort());
      const [email] = await outbox();
      expect(email?.text_body).toContain('“Refused renewal”');
      expect(email?.text_body).toContain('“Growing”');
      expect(email?.text_body).not.toMatch(/“Renewing”|“Cancelling”/);
    });

    it('a missed night still sends the reminder whose day it missed, once', async () => {
      const missed = await licence('Missed thirty', 'cb404', '2028-01-30', { managers: ['da303'] });
      // both its 30- and 7-day thresholds fall in the gap: only the 7-day one goes
      const both = await licence('Missed both', 'cb404', '2028-01-04');
      expect(await run('2027-12-27')).toMatchObject({ reminders: 0, emails: 0 });
      // the job does not run from 28 December to 29 December; 31 December (30 days) is not missed
      // here, so run as of 1 January: 30 days before 30 January 2028 was 31 December
      expect(await run('2028-01-01')).toMatchObject({ reminders: 2, emails: 2 });
      expect(await reminders()).toEqual([
        { licence_id: missed, end_date: '2028-01-30', days: 30, sent_on: '2028-01-01' },
        { licence_id: both, end_date: '2028-01-04', days: 7, sent_on: '2028-01-01' },
      ]);
      const sent = await outbox();
      expect(sent.map((email) => email.to_addresses).sort()).toEqual([[emails.cb404], [emails.da303]]);
      const owners = sent.find((email) => email.to_addresses[0] === emails.cb404);
      const manager = sent.find((email) => email.to_addresses[0] === emails.da303);
      expect(owners?.text_body).toContain('“Missed thirty” ends on 30 January 2028 (in 29 days)');
      expect(owners?.text_body).toContain('“Missed both” ends on 4 January 2028 (in 3 days)');
      expect(manager?.text_body).toContain('“Missed thirty”');
      expect(manager?.text_body).not.toContain('Missed both');

      // the following nights send nothing more until the next threshold's day
      expect(await run('2028-01-02')).toMatchObject({ reminders: 0, emails: 0 });
      // (by the 22nd "Missed both" has ended, so it is suspended: its owner hears of that instead)
      expect(await run('2028-01-22')).toMatchObject({ reminders: 0, suspended: 1, emails: 1 });
      expect(await run('2028-01-23')).toMatchObject({ reminders: 1, emails: 2 });
      expect(await run('2028-01-23')).toMatchObject({ reminders: 0, emails: 0 });
      expect(await reminders()).toHaveLength(3);
      // (with the manual provisioner the research team is sent the licence to make read-only; the
      // 22nd's two emails come from two jobs, in either order)
      const templates = (await outbox()).map((email) => email.template);
      expect([...templates.slice(0, 2), ...templates.slice(2, 4).sort(), ...templates.slice(4)]).toEqual([
        'licence-reminder',
        'licence-reminder',
        'licence-suspended',
        'storage-steps',
        'licence-reminder',
        'licence-reminder',
      ]);
    });

    it('a night run by hand as of a day before a night already run sends no stale reminder', async () => {
      const id = await licence('Run out of order', 'cb404', '2028-01-30');
      expect(await run('2027-12-20')).toMatchObject({ reminders: 0 });
      // 23 January (7 days) covers the gap since 20 December: only the 7-day reminder goes
      expect(await run('2028-01-23')).toMatchObject({ reminders: 1, emails: 1 });
      const before = await lastOutboxId();
      // then someone catches up 1 January by hand: 31 December (30 days) is in its span, but a later
      // night has reminded already; sending "ends in 29 days" a week before the end would be wrong
      expect(await run('2028-01-01')).toMatchObject({ reminders: 0, emails: 0 });
      expect(await outbox(before)).toEqual([]);
      expect(await reminders()).toEqual([{ licence_id: id, end_date: '2028-01-30', days: 7, sent_on: '2028-01-23' }]);
    });
  });

  describe('expiry', () => {
    it('suspends, moves to cold store and makes deletable on the right days, audited, emailing each owner once per step', async () => {
      const leap = await licence('Leap day end', 'ar101', '2028-02-29', { managers: ['bm202'] });
      const leapToo = await licence('Also ends on leap day', 'ar101', '2028-02-29');
      const bobs = await licence("Bob's share", 'bm202', '2028-02-29', { managers: ['ar101'] });
      const toCold = await licence('Thirty days gone', 'ar101', '2028-01-31', { status: 'suspended' });
      const toDeletable = await licence('Six months gone', 'da303', '2027-08-31', { status: 'cold' });
      const locked = await licence('Locked and expired', 'cb404', '2027-06-30');
      await lock(locked);
      const lockedCold = await licence('Locked in cold store', 'cb404', '2027-01-31', { status: 'cold' });
      await lock(lockedCold);
      const renewedLater = await licence('Still running', 'cb404', '2028-03-01');

      // 28 February 2028: nothing is due yet (deletable is 31 August + 6 months = 29 February)
      expect(await run('2028-02-28')).toMatchObject({ suspended: 0, cold: 0, deletable: 0, emails: 0 });
      // 29 February: the end date itself is still a day of use; the cold licence becomes deletable
      expect(await run('2028-02-29')).toMatchObject({ suspended: 0, cold: 0, deletable: 1, emails: 1 });
      expect(await statusOf(leap)).toBe('active');
      expect(await statusOf(toCold)).toBe('suspended');
      expect(await statusOf(toDeletable)).toBe('deletable');
      let sent = await outbox();
      expect(sent.map((email) => [email.to_addresses, email.template])).toEqual([
        [[emails.da303], 'licence-deletable'],
      ]);
      expect(sent[0]?.text_body).toContain('“Six months gone” (ended 31 August 2027)');
      expect(sent[0]?.text_body).toContain('nothing is deleted without them');
      const afterFirst = await lastOutboxId();

      // 1 March 2028: the leap-day licences are suspended, the one ended 31 January goes cold
      expect(await run('2028-03-01')).toMatchObject({ suspended: 3, cold: 1, deletable: 0, emails: 3 });
      expect(await statusOf(leap)).toBe('suspended');
      expect(await statusOf(leapToo)).toBe('suspended');
      expect(await statusOf(bobs)).toBe('suspended');
      expect(await statusOf(toCold)).toBe('cold');
      expect(await statusOf(locked)).toBe('active');
      expect(await statusOf(lockedCold)).toBe('cold');
      expect(await statusOf(renewedLater)).toBe('active');

      // the owners' emails and the team's storage-steps email come from two jobs, in either order
      const stepsEmail = (email: { template: string | null }) => email.template === 'storage-steps';
      sent = await outbox(afterFirst);
      sent = [...sent.filter((email) => !stepsEmail(email)), ...sent.filter(stepsEmail)];
      expect(sent.map((email) => [email.to_addresses, email.template])).toEqual([
        [[emails.ar101], 'licence-suspended'],
        [[emails.bm202], 'licence-suspended'],
        [[emails.ar101], 'licence-cold'],
        // the manual provisioner's team: one email, a list to make read-only and one to move to the cold store
        [['research-storage@example.ac.uk'], 'storage-steps'],
      ]);
      expect(sent[0]?.subject).toBe('Your storage licences have expired');
      expect(sent[0]?.text_body).toContain('“Leap day end” (ended 29 February 2028)');
      expect(sent[0]?.text_body).toContain('“Also ends on leap day” (ended 29 February 2028)');
      expect(sent[0]?.text_body).not.toContain("Bob's share");
      expect(sent[0]?.text_body).toContain('read-only');
      expect(sent[1]?.subject).toBe('Your storage licence has expired');
      expect(sent[2]?.text_body).toContain('“Thirty days gone” (ended 31 January 2028)');
      expect(sent[2]?.text_body).toContain('cold store');

      const audit = await lifecycleAudit();
      expect(audit.map((row) => [row.licence_id, row.action])).toEqual([
        [toDeletable, 'became deletable'],
        [leap, 'suspended (end date passed)'],
        [leapToo, 'suspended (end date passed)'],
        [bobs, 'suspended (end date passed)'],
        [toCold, 'moved to the cold store'],
      ]);
      expect(audit[1]).toMatchObject({
        entity_type: 'licence',
        entity_id: String(leap),
        actor_person_id: null,
        before: { status: 'active' },
        after: { status: 'suspended', asOf: '2028-03-01', provisioner: PROVISIONER_TOLD_AFTER },
      });
      expect(audit[0]).toMatchObject({
        before: { status: 'cold' },
        after: { status: 'deletable', asOf: '2028-02-29' },
      });

      // a second run as of the same day changes nothing and sends nothing
      expect(await run('2028-03-01')).toMatchObject({ suspended: 0, cold: 0, deletable: 0, emails: 0 });
      expect(sent[3]?.subject).toBe('3 licences to make read-only, 1 licence to move to the cold store');
      expect(await outbox(afterFirst)).toHaveLength(4);
      expect(await lifecycleAudit()).toHaveLength(5);
    });

    it('takes a long-expired licence through every step due in one run, recorded, emailed and told once; a second run does nothing', async () => {
      const old = await licence('Long forgotten', 'bm202', '2027-06-30');
      expect(await run('2028-01-15')).toMatchObject({ suspended: 1, cold: 1, deletable: 1, emails: 1 });
      expect(await statusOf(old)).toBe('deletable');
      // the owner's email and the team's storage-steps email come from two jobs, in either order
      const all = await outbox();
      const sent = [
        ...all.filter((e) => e.template !== 'storage-steps'),
        ...all.filter((e) => e.template === 'storage-steps'),
      ];
      // one email, in the state the night ends in: no "read-only" or "cold store" news the same night
      expect(sent.map((email) => [email.to_addresses, email.template])).toEqual([
        [[emails.bm202], 'licence-deletable'],
        // the team moves its data to the cold store (it stays there until they confirm a deletion)
        [['research-storage@example.ac.uk'], 'storage-steps'],
      ]);
      // It ended six and a half months ago: the email does not say "6 months ago"
      expect(sent[0]?.text_body).toContain(
        'This storage licence you own was not renewed within 6 months of its end date, so its data can now be deleted.',
      );
      // the storage is told only to move it to the cold store, not first to make it read-only
      expect(sent[1]?.subject).toBe('1 licence to move to the cold store');
      const audit = await lifecycleAudit();
      expect(audit).toHaveLength(1);
      expect(audit[0]).toMatchObject({
        licence_id: old,
        action: 'suspended (end date passed), moved to the cold store, became deletable',
        before: { status: 'active' },
        after: { status: 'deletable', asOf: '2028-01-15', provisioner: PROVISIONER_TOLD_AFTER },
      });
      expect(await run('2028-01-15')).toMatchObject({ reminders: 0, suspended: 0, cold: 0, deletable: 0, emails: 0 });
      expect(await outbox()).toHaveLength(2);
      expect(await lifecycleAudit()).toHaveLength(1);
    });

    it('takes each step only from the status before it: with suspension later than the cold store, an active licence waits', async () => {
      // suspended 41 days after the end date, but due in the cold store 30 days after it
      const lateSuspension = { ...settings, suspendAfterDays: 40 };
      const waiting = await licence('Ended 35 days ago', 'ar101', '2027-12-11');
      const suspended = await licence('Suspended, ended 35 days ago', 'ar101', '2027-12-11', { status: 'suspended' });
      const longGone = await licence('Ended 45 days ago', 'bm202', '2027-12-01');
      const night = () =>
        runNightlyLifecycle(
          t.database.db,
          t.jobs.queue,
          '2028-01-15',
          lateSuspension,
          new Date('2028-01-15T02:15:00Z'),
        );
      expect(await night()).toMatchObject({ suspended: 1, cold: 2, deletable: 0 });
      expect([await statusOf(waiting), await statusOf(suspended), await statusOf(longGone)]).toEqual([
        'active',
        'cold',
        'cold',
      ]);
      expect((await lifecycleAudit()).map((row) => [row.licence_id, row.action])).toEqual([
        [suspended, 'moved to the cold store'],
        [longGone, 'suspended (end date passed), moved to the cold store'],
      ]);
      expect(await night()).toMatchObject({ suspended: 0, cold: 0, deletable: 0, emails: 0 });
    });

    it('tells an owner whose renewal waits for approval that it is waiting, not to renew', async () => {
      const renewing = await licence('Renewal waiting', 'ar101', '2027-11-30');
      const { reference } = await insertOrder(t.database.db, renewing, {
        kind: 'renewal',
        status: 'awaiting-approval',
        startsOn: '2027-12-01',
        endsOn: '2028-11-30',
      });
      const unrenewed = await licence('Not renewed', 'bm202', '2027-11-30');
      expect(await run('2027-12-01')).toMatchObject({ suspended: 2, emails: 2 });
      expect(await statusOf(renewing)).toBe('suspended');
      const sent = await outbox();
      const alice = sent.find((email) => email.to_addresses[0] === emails.ar101)?.text_body ?? '';
      expect(alice).toContain('passed its end date before its renewal was approved, so it is now read-only');
      expect(alice).toContain(
        `“Renewal waiting” (ended 30 November 2027): renewal ${reference} is waiting for approval, and makes it active again`,
      );
      expect(alice).not.toContain('Renew from the licence');
      const ben = sent.find((email) => email.to_addresses[0] === emails.bm202)?.text_body ?? '';
      expect(ben).toContain('passed its end date without a renewal');
      expect(ben).toContain('“Not renewed” (ended 30 November 2027):');
      expect(ben).toContain("Renew from the licence's page to use it again.");
      expect(unrenewed).toBeGreaterThan(0);
    });

    it('tells an owner whose renewal was not approved before the cold store to cancel it and recover instead', async () => {
      // still waiting 30 days after the end date (a renewal cannot be completed in the cold store)
      const late = await licence('Renewal too late', 'ar101', '2027-10-31', { status: 'suspended' });
      const { reference } = await insertOrder(t.database.db, late, { kind: 'renewal', status: 'awaiting-approval' });
      // and one that takes both steps in one night (a night missed for a month): no "active again"
      const both = await licence('Both steps at once', 'bm202', '2027-10-31');
      const other = await insertOrder(t.database.db, both, { kind: 'renewal', status: 'awaiting-approval' });
      // and one due for deletion tonight, which no order can change any more: no recovery either
      const gone = await licence('Past recovery', 'da303', '2027-04-30');
      const third = await insertOrder(t.database.db, gone, { kind: 'renewal', status: 'awaiting-approval' });
      expect(await run('2027-11-30')).toMatchObject({ suspended: 2, cold: 3, deletable: 1, emails: 3 });
      const sent = await outbox();
      const textTo = (person: string | undefined) =>
        sent.filter((email) => email.to_addresses[0] === person).map((email) => email.text_body ?? '');
      expect(textTo(emails.ar101).join('\n')).toContain(
        `“Renewal too late” (ended 31 October 2027): renewal ${reference} was not approved in time and cannot renew it now: cancel that order, then order a recovery`,
      );
      const bens = textTo(emails.bm202);
      expect(bens).toHaveLength(1);
      expect(bens[0]).not.toContain('makes it active again');
      expect(bens[0]).toContain(`renewal ${other.reference} was not approved in time`);
      const [deletable, ...more] = textTo(emails.da303);
      expect(more).toHaveLength(0);
      expect(deletable).toContain(
        `“Past recovery” (ended 30 April 2027): renewal ${third.reference} was not approved in time and cannot renew it now: http://localhost:3000/storage/licence/${gone}/`,
      );
      expect(deletable).not.toContain('makes it active again');
      expect(deletable).not.toContain('order a recovery');
    });
  });

  describe('who is told, and what an order in progress means', () => {
    /** The emails to people (not the storage team's list of steps, which comes from its own job). */
    const toPeople = async () => (await outbox()).filter((email) => email.template !== 'storage-steps');
    const textTo = (sent: Awaited<ReturnType<typeof outbox>>, person: string | undefined) =>
      sent.filter((email) => email.to_addresses[0] === person).map((email) => email.text_body ?? '');
    const pageText = (html: string) =>
      html
        .replace(/<[^>]+>/g, ' ')
        .replace(/&#x27;|&#39;/g, "'")
        .replace(/\s+/g, ' ');
    async function signedIn(crsid: string): Promise<Browser> {
      const browser = new Browser(t.app);
      await browser.signInAs(crsid);
      return browser;
    }
    /** Starts the app again with its clock on this day (the licence page's changes depend on it). */
    async function restartOn(day: string): Promise<void> {
      await t.close();
      t = await startTestApp({ clock: fixedClock(`${day}T09:00:00Z`) });
    }

    it('tells the current Data Managers of a licence whose Data Owner has left, one email per person per step', async () => {
      await t.database.db
        .insertInto('people')
        .values({ crsid: 'gl909', display_name: 'Gina Leaver', email: 'gl909@cam.ac.uk', status: 'left' })
        .execute();
      // Ben manages the orphan and owns a licence suspended the same night; Dr Chemistry manages it but has left
      const orphan = await licence('Orphan', 'gl909', '2027-11-30', { managers: ['bm202', 'da303', 'ar101'] });
      await licence("Ben's own", 'bm202', '2027-11-30');
      await licence('Nobody left', 'gl909', '2027-11-30', { managers: ['da303'] });
      // and one due for deletion the same night, which Ben manages
      await licence('Orphan gone cold', 'gl909', '2027-04-30', { status: 'cold', managers: ['bm202'] });
      await t.database.db.updateTable('people').set({ status: 'left' }).where('crsid', '=', 'da303').execute();

      expect(await run('2027-12-01')).toMatchObject({ suspended: 3, deletable: 1, emails: 3 });
      const sent = await toPeople();
      expect(sent.map((email) => [email.to_addresses, email.template])).toEqual([
        [[emails.ar101], 'licence-suspended'],
        [[emails.bm202], 'licence-suspended'],
        [[emails.bm202], 'licence-deletable'],
      ]);
      const told = ' (you are told as a Data Manager: its Data Owner has left the University)';
      const [alice] = textTo(sent, emails.ar101);
      expect(alice).toContain(
        'This storage licence you look after as a Data Manager passed its end date without a renewal',
      );
      expect(alice).toContain(
        `“Orphan” (ended 30 November 2027)${told}: ${t.config.publicUrl}/storage/licence/${orphan}/`,
      );
      expect(alice).toContain("Renew from the licence's page to use it again.");
      const [benSuspended, benDeletable] = textTo(sent, emails.bm202);
      expect(benSuspended).toContain(
        'These storage licences you own or look after as a Data Manager passed their end date without a renewal',
      );
      expect(benSuspended).toContain(`“Orphan” (ended 30 November 2027)${told}`);
      expect(benSuspended).toContain("“Ben's own” (ended 30 November 2027):");
      expect(benSuspended).not.toContain(`“Ben's own” (ended 30 November 2027)${told}`);
      expect(benDeletable).toContain(`“Orphan gone cold” (ended 30 April 2027)${told}`);
      expect(sent.map((email) => email.text_body).join('\n')).not.toContain('Nobody left');
      // a second run tells nobody again
      expect(await run('2027-12-01')).toMatchObject({ suspended: 0, deletable: 0, emails: 0 });
    });

    it('says of a licence due for deletion whose recovery is waiting that approving it brings it back, in the email and on its page', async () => {
      await restartOn('2027-10-31');
      const recovering = await licence('Recovery waiting', 'ar101', '2027-04-30', { status: 'cold' });
      const { reference } = await insertOrder(t.database.db, recovering, {
        kind: 'recovery',
        status: 'awaiting-approval',
        startsOn: '2027-05-01',
        endsOn: '2028-04-30',
      });
      expect(await run('2027-10-31')).toMatchObject({ deletable: 1, emails: 1 });
      const [email] = await toPeople();
      expect(email?.text_body).toContain(
        `“Recovery waiting” (ended 30 April 2027): recovery ${reference} is waiting for approval, and approving it brings the licence back`,
      );
      expect(email?.text_body).toContain(
        'This storage licence you own was not renewed within 6 months of its end date, so it is now due for deletion, unless its recovery is approved.',
      );
      expect(email?.text_body).not.toMatch(/can now be deleted|straight away/);

      const page = pageText((await (await signedIn('ar101')).get(`/storage/licence/${recovering}/`)).body);
      expect(page).toContain('Due for deletion');
      expect(page).not.toContain('The data will be deleted once the storage team confirms');
      expect(page).toContain(
        `Nothing is deleted while recovery ${reference} waits for approval: approving it brings the licence back.`,
      );
    });

    it('says of a licence suspended with more space waiting that the order can no longer be carried out, in the email and on its page', async () => {
      await restartOn('2027-12-01');
      const growing = await licence('Growing too late', 'ar101', '2027-11-30');
      const { reference } = await insertOrder(t.database.db, growing, {
        kind: 'increase',
        status: 'awaiting-approval',
        sizeTb: 2,
      });
      const alice = await signedIn('ar101');
      // before the night, the licence is still active: the order may still be approved, the page says wait
      const before = pageText((await alice.get(`/storage/licence/${growing}/`)).body);
      expect(before).toContain(
        `Order ${reference} is already changing this licence. Wait until it is done (or cancel it) before ordering another change.`,
      );

      expect(await run('2027-12-01')).toMatchObject({ suspended: 1, emails: 1 });
      const [email] = await toPeople();
      expect(email?.text_body).toContain(
        `“Growing too late” (ended 30 November 2027): order ${reference} (more space) can no longer be carried out now that it has ended: cancel that order, then renew`,
      );
      expect(email?.text_body).not.toContain('makes it active again');

      const after = await alice.get(`/storage/licence/${growing}/`);
      const refusal = `Order ${reference} (more space) can no longer be carried out now that the licence has ended: cancel it, then renew.`;
      expect(pageText(after.body)).toContain(refusal);
      expect(pageText(after.body)).not.toContain('Wait until it is done');
      const renew = await alice.get(`/storage/licence/${growing}/change/renewal/`);
      expect(renew.statusCode).toBe(409);
      expect(pageText(renew.body)).toContain(refusal);
    });

    it('leaves the storage’s bookkeeping out of the customer’s history; the back office keeps it', async () => {
      const told = await licence('Told to the team', 'ar101', '2027-11-30');
      expect(await run('2027-12-01')).toMatchObject({ suspended: 1 });
      const actions = await t.database.db
        .selectFrom('audit_events')
        .select(['actor_label', 'action'])
        .where('licence_id', '=', told)
        .orderBy('id')
        .execute();
      expect(actions).toEqual([
        { actor_label: 'system: lifecycle', action: 'suspended (end date passed)' },
        { actor_label: 'system: provisioner (manual)', action: 'storage told: read-only' },
      ]);
      const customer = pageText((await (await signedIn('ar101')).get(`/storage/licence/${told}/`)).body);
      const history = customer.split('History')[1] ?? '';
      expect(history).toContain('suspended (end date passed)');
      expect(history).not.toMatch(/storage told|provisioner/i);
      const staff = pageText((await (await signedIn('rs501')).get(`/admin/licences/${told}/`)).body);
      expect(staff).toContain('Automatic (provisioner (manual)) Licence: storage told: read only');
    });

    it('says "their data" of several licences due for deletion', async () => {
      await licence('First gone', 'da303', '2027-04-30', { status: 'cold' });
      await licence('Second gone', 'da303', '2027-04-30', { status: 'cold' });
      expect(await run('2027-10-31')).toMatchObject({ deletable: 2, emails: 1 });
      const [email] = await toPeople();
      expect(email?.text_body).toContain(
        'These storage licences you own were not renewed within 6 months of their end date, so their data can now be deleted.',
      );
      expect(email?.text_body).toContain(
        `The storage team will delete their data once they confirm; nothing is deleted without them. Contact ${t.config.service.contactEmail} straight away if you still need any of it.`,
      );
      expect(email?.text_body).not.toContain('delete it');
    });
  });

  it('runs as the scheduled nightly-lifecycle job, as of the clock’s today, and again harmlessly', async () => {
    await t.close();
    t = await startTestApp({ clock: fixedClock('2027-12-31T02:15:00Z') });
    const soon = await licence('Due in a week', 'ar101', '2028-01-07');
    const ended = await licence('Ended yesterday', 'ar101', '2027-12-30');
    for (let i = 0; i < 2; i++) {
      await t.jobs.queue.enqueue(t.database.db, nightlyLifecycleJob, {});
      await drainJobs(t.jobs);
    }
    // its emails' job, run again, renders nothing twice
    await t.jobs.queue.enqueue(t.database.db, sendLifecycleNoticesJob, { asOf: '2027-12-31' });
    await drainJobs(t.jobs);
    expect(await reminders()).toEqual([{ licence_id: soon, end_date: '2028-01-07', days: 7, sent_on: '2027-12-31' }]);
    expect(await statusOf(ended)).toBe('suspended');
    // the night's emails and the storage-steps job's are sent by two jobs, in either order
    const sent = (await outbox()).map((email) => [email.to_addresses, email.template]);
    expect(sent.sort((a, b) => String(a[1]).localeCompare(String(b[1])))).toEqual([
      [[emails.ar101], 'licence-reminder'],
      [[emails.ar101], 'licence-suspended'],
      [['research-storage@example.ac.uk'], 'storage-steps'],
    ]);
  });
});
