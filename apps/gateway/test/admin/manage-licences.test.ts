import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PG_BOSS_SCHEMA } from '../../src/platform/jobs/pg-boss-queue.ts';
import { insertOrder, insertStorage, personIdOf, type StorageFixture } from '../support/storage-fixtures.ts';
import { startTestApp, type TestApp } from '../support/test-app.ts';
import { auditRows, escapeHtml, expectFieldError, flashOf, people } from './manage-support.ts';

describe('back office: licences', () => {
  let t: TestApp;
  const as = people(() => t);
  let research: StorageFixture;
  let institutional: StorageFixture;

  beforeAll(async () => {
    t = await startTestApp();
    const db = t.database.db;
    research = await insertStorage(db, {
      name: 'Quantum imaging data',
      owner: 'ar101',
      managers: ['bm202'],
      sizeTb: 10,
      status: 'active',
      startDate: '2026-08-01',
      endDate: '2029-07-31',
      projects: [
        { name: 'imaging-raw', quotaTb: 6, status: 'active', members: [{ crsid: 'bm202', role: 'project-data-user' }] },
        { name: 'imaging-results', quotaTb: 2, status: 'active' },
        { name: 'old-stuff', quotaTb: 5, status: 'removed' },
      ],
      order: { status: 'completed' },
    });
    await db
      .updateTable('storage_projects')
      .set({ path: '/rds/project/imaging-raw', share_name: 'imaging-raw$', group_names: ['rds-imaging-raw-users'] })
      .where('id', '=', research.projectIds[0] as number)
      .execute();
    institutional = await insertStorage(db, {
      name: 'Chemistry office share',
      productCode: 'IFS',
      institutionId: 'CHEM',
      owner: 'da303',
      sizeTb: 2,
      status: 'active',
      startDate: '2026-09-01',
      endDate: '2027-08-31',
      projects: [{ name: 'chem-office', quotaTb: 2, status: 'active' }],
      order: null,
    });
    // Thirty more research licences for search and pagination, in one statement.
    const owner = await personIdOf(db, 'cb404');
    await sql`INSERT INTO licences (product_code, name, institution_id, owner_person_id, size_tb, status)
      SELECT 'RCS', 'Archive ' || lpad(n::text, 2, '0'), 'KINGS', ${owner}, 1, 'pending'
      FROM generate_series(1, 30) AS n`.execute(db);
  });
  afterAll(() => t?.close());

  const path = (fixture: StorageFixture, rest = '') => `/admin/licences/${fixture.licenceId}/${rest}`;

  async function licenceRow(fixture: StorageFixture) {
    return t.database.db
      .selectFrom('licences')
      .select([
        'size_tb',
        'start_date',
        'end_date',
        'owner_person_id',
        'locked_at',
        'lock_reason',
        'locked_by_person_id',
      ])
      .where('id', '=', fixture.licenceId)
      .executeTakeFirstOrThrow();
  }

  const validEdit = { sizeTb: '12', startDate: '2026-08-01', endDate: '2029-07-31', ownerCrsid: 'ar101' };

  describe('who may see and change licences', () => {
    it('refuses customers every licence route, even for their own licence', async () => {
      const alice = await as('ar101');
      expect((await alice.get('/admin/licences/')).statusCode).toBe(403);
      expect((await alice.get(path(research))).statusCode).toBe(403);
      for (const action of ['edit', 'lock', 'unlock']) {
        const answer = await alice.post(path(research, action), { ...validEdit, reason: 'Mine', lockReason: 'x' });
        expect(answer.statusCode, action).toBe(403);
      }
      expect(await licenceRow(research)).toMatchObject({ size_tb: 10, locked_at: null });
    });

    it('refuses the other service’s team: research to the institutional team and back', async () => {
      const ifan = await as('if502');
      const rosa = await as('rs501');
      expect((await ifan.get(path(research))).statusCode).toBe(403);
      expect((await rosa.get(path(institutional))).statusCode).toBe(403);
      for (const action of ['edit', 'lock']) {
        const form = { ...validEdit, reason: 'Not mine', lockReason: 'Not mine' };
        expect((await ifan.post(path(research, action), form)).statusCode).toBe(403);
        expect((await rosa.post(path(institutional, action), { ...form, sizeTb: '3' })).statusCode).toBe(403);
      }
      expect(await licenceRow(research)).toMatchObject({ size_tb: 10, locked_at: null });
      expect(await licenceRow(institutional)).toMatchObject({ size_tb: 2, locked_at: null });
    });

    it('lets Finance read both services’ licences but change nothing', async () => {
      const farah = await as('fn601');
      expect((await farah.get(path(research))).statusCode).toBe(200);
      const page = await farah.get(path(institutional));
      expect(page.statusCode).toBe(200);
      expect(page.body).not.toContain('action="/admin/licences/');
      for (const action of ['edit', 'lock', 'unlock']) {
        const form = { ...validEdit, sizeTb: '3', reason: 'Finance', lockReason: 'Finance', unlockReason: 'x' };
        expect((await farah.post(path(institutional, action), form)).statusCode, action).toBe(403);
      }
      expect(await licenceRow(institutional)).toMatchObject({ size_tb: 2, locked_at: null });
      expect(await auditRows(t.database.db, 'licence', institutional.licenceId)).toEqual([]);
    });

    it('answers 404 for a licence that does not exist, and for an id that is not a number', async () => {
      const rosa = await as('rs501');
      expect((await rosa.get('/admin/licences/999999/')).statusCode).toBe(404);
      expect((await rosa.get('/admin/licences/abc/')).statusCode).toBe(404);
      expect((await rosa.post('/admin/licences/999999/edit', { ...validEdit, reason: 'x' })).statusCode).toBe(404);
    });
  });

  it('tells each team on the back-office home how many of its licences wait for a deletion to be confirmed', async () => {
    const rosa = await as('rs501');
    expect((await rosa.get('/admin/')).body).toContain('No licences are due for deletion.');
    const owner = await personIdOf(t.database.db, 'ar101');
    const made = await sql<{
      id: number;
    }>`INSERT INTO licences (product_code, name, institution_id, owner_person_id, size_tb, status, start_date, end_date)
      SELECT 'RDS', 'Old data ' || n, 'PHYS', ${owner}, 1, 'deletable', '2024-01-01', '2025-01-01'
      FROM generate_series(1, 2) AS n RETURNING id`.execute(t.database.db);
    try {
      const home = (await rosa.get('/admin/')).body;
      expect(home).toContain('<a href="/admin/licences/?status=deletable">2 licences are due for deletion');
      const listed = await rosa.get('/admin/licences/?status=deletable');
      expect(listed.body).toContain('Old data 1');
      expect(listed.body).toContain('(2 licences)');
      // The institutional team has none of them.
      expect((await (await as('if502')).get('/admin/')).body).toContain('No licences are due for deletion.');
    } finally {
      await t.database.db
        .deleteFrom('licences')
        .where(
          'id',
          'in',
          made.rows.map((row) => row.id),
        )
        .execute();
    }
  });

  describe('search', () => {
    function names(body: string): string[] {
      return [...body.matchAll(/<a href="\/admin\/licences\/\d+\/">([^<]+)<\/a>/g)].map((match) => match[1] as string);
    }

    it('lists only the licences of the person’s own service', async () => {
      const ifan = await as('if502');
      const page = await ifan.get('/admin/licences/');
      expect(page.statusCode).toBe(200);
      expect(names(page.body)).toEqual(['Chemistry office share']);
      expect(page.body).toContain('aria-current="page"');
      const rosa = await as('rs501');
      expect(names((await rosa.get('/admin/licences/?q=chemistry')).body)).toEqual([]);
    });

    it('finds a licence by id, part of its name, its Data Owner’s CRSid or name, and department', async () => {
      const rosa = await as('rs501');
      // A number finds the licence with that id first (and any whose name holds the number after it).
      expect(names((await rosa.get(`/admin/licences/?q=${research.licenceId}`)).body)[0]).toBe('Quantum imaging data');
      expect(names((await rosa.get('/admin/licences/?q=IMAGING')).body)).toEqual(['Quantum imaging data']);
      expect(names((await rosa.get('/admin/licences/?q=ar101')).body)).toEqual(['Quantum imaging data']);
      expect(names((await rosa.get('/admin/licences/?q=alice')).body)).toEqual(['Quantum imaging data']);
      expect(names((await rosa.get('/admin/licences/?q=physics')).body)).toEqual(['Quantum imaging data']);
      expect(names((await rosa.get('/admin/licences/?q=%25')).body)).toEqual([]);
      expect(names((await rosa.get('/admin/licences/?q=Archive%2007')).body)).toEqual(['Archive 07']);
    });

    it('counts what a search finds, whichever way it matched, and pages it', async () => {
      const rosa = await as('rs501');
      // By name, by the Data Owner (cb404 owns the thirty archives) and by department (King's).
      for (const q of ['archive', 'cb404', 'chloe', 'kings', "king's college", 'King\u2019s']) {
        const first = await rosa.get(`/admin/licences/?q=${encodeURIComponent(q)}`);
        expect(first.body, q).toContain('Page 1 of 2 (30 licences)');
        expect(names(first.body), q).toHaveLength(25);
      }
      const second = await rosa.get('/admin/licences/?q=archive&page=2');
      expect(names(second.body)).toEqual(['Archive 26', 'Archive 27', 'Archive 28', 'Archive 29', 'Archive 30']);
      expect((await rosa.get('/admin/licences/?q=archive&status=active')).body).toContain('(0 licences)');
      // One is "1 licence"; a page past the last says so ("Page 1 of 1 (6 licences)" before), with a link to the last.
      expect((await rosa.get('/admin/licences/?q=archive+07')).body).toContain('Page 1 of 1 (1 licence)');
      const past = await rosa.get('/admin/licences/?q=archive&page=5');
      expect(names(past.body)).toEqual([]);
      expect(past.body).toContain('There is no page 5: there are 2 pages (30 licences).');
      expect(past.body).toContain('<a href="/admin/licences/?q=archive&amp;page=2">Go to the last page (page 2)</a>');
      expect(past.body).not.toContain('No licences match this search.');
      expect(past.body).not.toContain('Page 1 of');
    });

    it('filters by product, status and department, and pages 25 at a time keeping the filters', async () => {
      const rosa = await as('rs501');
      const first = await rosa.get('/admin/licences/?product=RCS&status=pending&institution=KINGS');
      expect(names(first.body)).toHaveLength(25);
      expect(names(first.body)[0]).toBe('Archive 01');
      expect(first.body).toContain('Page 1 of 2 (30 licences)');
      expect(first.body).toContain(
        'href="/admin/licences/?product=RCS&amp;status=pending&amp;institution=KINGS&amp;page=2"',
      );
      const second = await rosa.get('/admin/licences/?product=RCS&status=pending&institution=KINGS&page=2');
      expect(names(second.body)).toEqual(['Archive 26', 'Archive 27', 'Archive 28', 'Archive 29', 'Archive 30']);
      expect(names((await rosa.get('/admin/licences/?status=active')).body)).toEqual(['Quantum imaging data']);
      expect(names((await rosa.get('/admin/licences/?product=RDS')).body)).toEqual(['Quantum imaging data']);
      expect(names((await rosa.get('/admin/licences/?institution=PHYS')).body)).toEqual(['Quantum imaging data']);
      // A product of another service is no filter at all for this team: it is ignored.
      expect(names((await rosa.get('/admin/licences/?product=IFS')).body)).toHaveLength(25);
    });
  });

  describe('flagged licences in the list', () => {
    const names = (body: string): string[] =>
      [...body.matchAll(/<a href="\/admin\/licences\/\d+\/">([^<]+)<\/a>/g)].map((match) => match[1] as string);

    it('shows each licence’s open flags and finds the licences with a flag of a kind', async () => {
      const db = t.database.db;
      const alice = await personIdOf(db, 'ar101');
      const flags = await db
        .insertInto('licence_flags')
        .values([
          {
            licence_id: research.licenceId,
            kind: 'finance-code-closed',
            detail: 'The finance code PHZX.GAAA has closed.',
            raised_on: '2026-11-20',
          },
          // cleared: history, not shown
          {
            licence_id: research.licenceId,
            kind: 'member-left',
            person_id: alice,
            detail: 'Alice has left.',
            raised_on: '2026-11-01',
            cleared_on: '2026-11-02',
          },
        ])
        .returning('id')
        .execute();
      try {
        const rosa = await as('rs501');
        const list = await rosa.get('/admin/licences/?status=active');
        expect(list.statusCode).toBe(200);
        const row = list.body.slice(list.body.indexOf('Quantum imaging data'));
        expect(row.slice(0, row.indexOf('</tr>'))).toContain(
          '<strong class="tag tag--red">Finance code closed</strong>',
        );
        expect(list.body).not.toContain('tag--red">Member has left<');
        // the filter, kept by the pages' links
        expect(list.body).toContain('<select id="flag" name="flag"');
        expect(names((await rosa.get('/admin/licences/?flag=finance-code-closed')).body)).toEqual([
          'Quantum imaging data',
        ]);
        const none = await rosa.get('/admin/licences/?flag=member-left');
        expect(names(none.body)).toEqual([]);
        expect(none.body).toContain('No licences match this search.');
        const paged = await rosa.get('/admin/licences/?flag=finance-code-closed&q=archive');
        expect(paged.body).toContain('(0 licences)');
        // an unknown kind is no filter at all
        expect(names((await rosa.get('/admin/licences/?flag=nonsense&product=RCS')).body)).toHaveLength(25);
        expect((await rosa.get('/admin/licences/?product=RCS&flag=finance-code-closed')).body).toContain(
          'No licences match this search.',
        );
        // the other service's team does not see this one at all
        const ifan = await as('if502');
        expect(names((await ifan.get('/admin/licences/?flag=finance-code-closed')).body)).toEqual([]);
        // the back-office home counts the team's flagged licences, by kind, linking to them (a cleared flag does not count)
        const home = (await rosa.get('/admin/')).body;
        expect(home).toContain(
          '<a href="/admin/licences/?flag=finance-code-closed">1 licence is paid by a finance code that has closed',
        );
        expect(home).not.toContain('flag=member-left');
        expect((await ifan.get('/admin/')).body).not.toContain('flag=');
        // "Any flag": the licences with an open flag of either kind (a cleared one does not count)
        expect(list.body).toContain('<option value="any">Any flag</option>');
        expect(names((await rosa.get('/admin/licences/?flag=any')).body)).toEqual(['Quantum imaging data']);
        const archive = await db
          .selectFrom('licences')
          .select('id')
          .where('name', '=', 'Archive 07')
          .executeTakeFirstOrThrow();
        const left = await db
          .insertInto('licence_flags')
          .values({
            licence_id: archive.id,
            kind: 'member-left',
            person_id: alice,
            detail: 'Alice has left.',
            raised_on: '2026-11-03',
          })
          .returning('id')
          .executeTakeFirstOrThrow();
        flags.push(left);
        expect(names((await rosa.get('/admin/licences/?flag=any')).body)).toEqual([
          'Archive 07',
          'Quantum imaging data',
        ]);
        expect((await rosa.get('/admin/licences/?flag=any&product=RCS')).body).toContain('(1 licence)');
        expect(names((await ifan.get('/admin/licences/?flag=any')).body)).toEqual([]);
      } finally {
        await db
          .deleteFrom('licence_flags')
          .where(
            'id',
            'in',
            flags.map((flag) => flag.id),
          )
          .execute();
      }
    });
  });

  describe('a licence’s page', () => {
    it('shows the owner, managers, projects with where they live and who is on them, and orders', async () => {
      const rosa = await as('rs501');
      const page = await rosa.get(path(research));
      expect(page.statusCode).toBe(200);
      const body = page.body;
      expect(body).toContain('Quantum imaging data');
      expect(body).toContain('Alice Researcher');
      expect(body).toContain('Ben Manager');
      expect(body).toContain('<code>/rds/project/imaging-raw</code>');
      expect(body).toContain('<code>imaging-raw$</code>');
      expect(body).toContain('<code>rds-imaging-raw-users</code>');
      expect(body).toContain("Quotas add up to 8 TB of the licence's 10 TB.");
      expect(body).toContain(`href="/admin/orders/${research.order?.reference}/"`);
      expect(body).toContain('1 August 2026');
      expect(body).toContain('31 July 2029');
      expect(body).toContain(`action="${path(research, 'edit')}"`);
    });
  });

  describe('editing', () => {
    it('changes size, dates and Data Owner with a reason in one audited step, before and after kept', async () => {
      const rosa = await as('rs501');
      const answer = await rosa.post(path(research, 'edit'), {
        sizeTb: '12',
        startDate: '2026-08-01',
        endDate: '2030-07-31',
        ownerCrsid: 'BM202',
        reason: 'Grant extended by a year; PI moved',
      });
      expect(answer.statusCode, answer.body.slice(0, 300)).toBe(303);
      expect(answer.headers.location).toBe(path(research));
      expect(await licenceRow(research)).toMatchObject({
        size_tb: 12,
        start_date: '2026-08-01',
        end_date: '2030-07-31',
        owner_person_id: await personIdOf(t.database.db, 'bm202'),
      });
      const [row, ...more] = await auditRows(t.database.db, 'licence', research.licenceId);
      expect(more).toEqual([]);
      expect(row).toMatchObject({
        actor_label: 'rs501',
        action: 'edited',
        licence_id: research.licenceId,
        before: { sizeTb: 10, endDate: '2029-07-31', dataOwner: 'ar101' },
        after: { sizeTb: 12, endDate: '2030-07-31', dataOwner: 'bm202', reason: 'Grant extended by a year; PI moved' },
      });
      const page = await rosa.get(path(research));
      expect(flashOf(page.body)).toContain('The licence is changed');
      expect(page.body).toContain('Grant extended by a year; PI moved');
      // The customer's own page shows the same history.
      const ben = await as('bm202');
      expect((await ben.get(`/storage/licence/${research.licenceId}/`)).body).toContain('Grant extended by a year');
    });

    it('changes only what a form opened before another change changed, and refuses to overwrite a change unseen', async () => {
      const rosa = await as('rs501');
      // Two tabs open on the licence as it is: the edit form's hidden "shown" values, as a browser sends them.
      const opened = (await rosa.get(path(research))).body;
      const shown = Object.fromEntries(
        [...opened.matchAll(/<input type="hidden" name="(shown\w+)" value="([^"]*)"/g)].map((m) => [m[1], m[2]]),
      );
      expect(Object.keys(shown)).toEqual(['shownSizeTb', 'shownStartDate', 'shownEndDate', 'shownOwnerCrsid']);
      const asOpened = {
        ...shown,
        sizeTb: shown.shownSizeTb ?? '',
        startDate: shown.shownStartDate ?? '',
        endDate: shown.shownEndDate ?? '',
        ownerCrsid: shown.shownOwnerCrsid ?? '',
      };
      const [size, endDate] = [Number(asOpened.sizeTb), asOpened.endDate];
      const newOwner = asOpened.ownerCrsid === 'bm202' ? 'ar101' : 'bm202';
      const handOver = await rosa.post(path(research, 'edit'), {
        ...asOpened,
        ownerCrsid: newOwner,
        reason: 'PI moved',
      });
      expect(handOver.statusCode).toBe(303);
      // The second tab still shows the Data Owner before; it changes the end date only.
      const extend = await rosa.post(path(research, 'edit'), {
        ...asOpened,
        endDate: '2031-07-31',
        reason: 'Extended',
      });
      expect(extend.statusCode, extend.body.slice(0, 300)).toBe(303);
      expect(await licenceRow(research)).toMatchObject({
        end_date: '2031-07-31',
        owner_person_id: await personIdOf(t.database.db, newOwner),
      });
      const latest = (await auditRows(t.database.db, 'licence', research.licenceId)).at(-1);
      expect(latest).toMatchObject({ before: { endDate }, after: { endDate: '2031-07-31' } });
      expect(latest?.before).not.toHaveProperty('dataOwner');
      // A value it changed that another change changed too is refused beside the field, and the
      // form shows the licence as it is now where its person changed nothing.
      await rosa.post(path(research, 'edit'), { ...asOpened, sizeTb: String(size + 1), reason: 'More' });
      const before = await licenceRow(research);
      const clash = await rosa.post(path(research, 'edit'), {
        ...asOpened,
        sizeTb: String(size + 2),
        reason: 'Even more',
      });
      expectFieldError(
        clash,
        'sizeTb',
        `This licence's size was changed to ${size + 1} TB since this page was opened: check it, then save again`,
      );
      expect(clash.body).toContain(`name="ownerCrsid" value="${newOwner}"`);
      expect(await licenceRow(research)).toEqual(before);
    });

    it.each([
      [{ sizeTb: '7' }, 'sizeTb', 'The size must be at least 8 TB: the quotas of its storage projects add up to that'],
      [{ sizeTb: 'ten' }, 'sizeTb', 'Enter the size as a whole number of TB, for example 5'],
      [{ endDate: '2026-07-01' }, 'endDate', 'The end date must be after the start date'],
      [
        { startDate: '2026-02-30' },
        'startDate',
        'Enter the start date as a real day: as year-month-day, for example 2027-08-01',
      ],
      [{ ownerCrsid: 'zz999' }, 'ownerCrsid', 'There is no current member of the University with the CRSid zz999'],
      [{ reason: '' }, 'reason', 'Enter the reason for this change'],
    ])('refuses %j with a message beside the field, and changes nothing', async (change, field, message) => {
      const rosa = await as('rs501');
      const before = await licenceRow(research);
      const audits = (await auditRows(t.database.db, 'licence', research.licenceId)).length;
      const answer = await rosa.post(path(research, 'edit'), {
        sizeTb: '20',
        startDate: '2026-08-01',
        endDate: '2030-07-31',
        ownerCrsid: 'bm202',
        reason: 'Testing',
        ...change,
      });
      expectFieldError(answer, field, message);
      // What was typed is put back.
      const typed = Object.values(change)[0] as string;
      if (typed) expect(answer.body).toContain(`value="${escapeHtml(typed)}"`);
      expect(await licenceRow(research)).toEqual(before);
      expect(await auditRows(t.database.db, 'licence', research.licenceId)).toHaveLength(audits);
    });

    it('makes a new Data Owner that role only, syncs the groups, clears a replaced leaver’s flag and tells the new owner', async () => {
      const db = t.database.db;
      await db
        .insertInto('people')
        .values({ crsid: 'lo808', display_name: 'Lou Oldowner', email: 'lo808@cam.ac.uk', status: 'left' })
        .execute();
      const left = await insertStorage(db, {
        name: 'Owner has left',
        owner: 'lo808',
        managers: ['bm202'],
        sizeTb: 4,
        status: 'active',
        startDate: '2026-01-01',
        endDate: '2027-12-31',
        order: null,
      });
      const oldOwner = await personIdOf(db, 'lo808');
      await db
        .insertInto('licence_flags')
        .values({
          licence_id: left.licenceId,
          kind: 'member-left',
          person_id: oldOwner,
          detail: 'Lou Oldowner (lo808): Data Owner',
          raised_on: '2026-11-20',
        })
        .execute();
      const rosa = await as('rs501');
      const answer = await rosa.post(path(left, 'edit'), {
        sizeTb: '4',
        startDate: '2026-01-01',
        endDate: '2027-12-31',
        ownerCrsid: 'bm202',
        reason: 'The Data Owner has left',
      });
      expect(answer.statusCode, answer.body.slice(0, 300)).toBe(303);
      // Ben is the Data Owner, and no longer listed (and stuck) as a Data Manager too.
      expect(
        await db.selectFrom('licence_managers').select('person_id').where('licence_id', '=', left.licenceId).execute(),
      ).toEqual([]);
      const flags = await db
        .selectFrom('licence_flags')
        .select(['person_id', 'cleared_on'])
        .where('licence_id', '=', left.licenceId)
        .execute();
      expect(flags).toEqual([{ person_id: oldOwner, cleared_on: expect.any(String) }]);
      // cleared by Rosa's edit, as the trail says, not by a directory sync
      const clearedBy = await db
        .selectFrom('audit_events')
        .select(['actor_label', 'actor_person_id'])
        .where('licence_id', '=', left.licenceId)
        .where('action', 'like', 'flag cleared%')
        .execute();
      expect(clearedBy).toEqual([{ actor_label: 'rs501', actor_person_id: await personIdOf(db, 'rs501') }]);
      const boss = t.jobs.boss;
      if (!boss) throw new Error('needs pg-boss');
      const { rows } = await boss
        .getDb()
        .executeSql(
          `SELECT count(*)::int AS n FROM ${PG_BOSS_SCHEMA}.job WHERE name = 'sync-licence-groups' AND data->>'licenceId' = $1`,
          [String(left.licenceId)],
        );
      expect(rows).toEqual([{ n: 1 }]);
      const emails = await db
        .selectFrom('mail_outbox')
        .select(['to_addresses', 'text_body'])
        .where('subject', '=', 'You are now the Data Owner of “Owner has left”')
        .execute();
      expect(emails.map((email) => email.to_addresses)).toEqual([['bm202@cam.ac.uk']]);
      expect(emails[0]?.text_body).toContain(`/storage/licence/${left.licenceId}/`);
      // The old owner has left the University: not told.
      const toLou = await db
        .selectFrom('mail_outbox')
        .select('subject')
        .where(sql<boolean>`'lo808@cam.ac.uk' = ANY(to_addresses)`)
        .execute();
      expect(toLou).toEqual([]);
    });

    it('tells the old Data Owner who the new one is, that the service team made the change, and what they lost', async () => {
      const db = t.database.db;
      const licence = await insertStorage(db, {
        name: 'Handed on by the team',
        owner: 'cb404',
        managers: ['bm202'],
        sizeTb: 4,
        status: 'active',
        startDate: '2026-01-01',
        endDate: '2027-12-31',
        order: null,
      });
      const kept = await insertStorage(db, {
        name: 'Still a project user',
        owner: 'cb404',
        sizeTb: 4,
        status: 'active',
        startDate: '2026-01-01',
        endDate: '2027-12-31',
        projects: [{ name: 'kept-place', members: [{ crsid: 'cb404', role: 'project-data-user' }] }],
        order: null,
      });
      const rosa = await as('rs501');
      for (const fixture of [licence, kept]) {
        const answer = await rosa.post(path(fixture, 'edit'), {
          sizeTb: '4',
          startDate: '2026-01-01',
          endDate: '2027-12-31',
          ownerCrsid: 'da303',
          reason: 'The department asked for a new Data Owner',
        });
        expect(answer.statusCode, answer.body.slice(0, 300)).toBe(303);
      }
      const told = await db
        .selectFrom('mail_outbox')
        .select(['to_addresses', 'subject', 'text_body'])
        .where('subject', 'in', [
          'You are no longer the Data Owner of “Handed on by the team”',
          'You are no longer the Data Owner of “Still a project user”',
        ])
        .orderBy('id')
        .execute();
      expect(told.map((email) => [email.to_addresses, email.subject])).toEqual([
        [['cb404@cam.ac.uk'], 'You are no longer the Data Owner of “Handed on by the team”'],
        [['cb404@cam.ac.uk'], 'You are no longer the Data Owner of “Still a project user”'],
      ]);
      expect(told[0]?.text_body).toContain(
        'The storage team has made Dana Administrator (da303) the Data Owner of the storage licence “Handed on by the team” in your place: you are no longer its Data Owner, and no longer have access to it through that role.',
      );
      // Nothing left on that licence: the link is to My storage, not to a page they can no longer see.
      expect(told[0]?.text_body).toMatch(/See it: \S+\/storage\/\n/);
      expect(told[0]?.text_body).not.toContain(`/storage/licence/${licence.licenceId}/`);
      expect(told[0]?.text_body).not.toContain('storage projects stay');
      // Still in one of its projects: they still see it.
      expect(told[1]?.text_body).toContain('Your places in its storage projects stay as they are.');
      expect(told[1]?.text_body).toContain(`/storage/licence/${kept.licenceId}/`);
      // Its Data Manager answers to the new owner now, and is told so once.
      const managers = await db
        .selectFrom('mail_outbox')
        .select(['to_addresses', 'text_body'])
        .where('subject', '=', 'Dana Administrator is now the Data Owner of “Handed on by the team”')
        .execute();
      expect(managers.map((email) => email.to_addresses)).toEqual([['bm202@cam.ac.uk']]);
      expect(managers[0]?.text_body).toContain(
        'The storage team has made Dana Administrator (da303) the Data Owner of the storage licence “Handed on by the team”, in place of Chloe Bursar (cb404). You stay on as a Data Manager until the Data Owner removes you.',
      );
    });

    // The edit looked only among the gateway's people, so a Data Owner the hand-over page finds in
    // the directory (someone who has not signed in yet) was "no current member of the University".
    it('finds a new Data Owner in the University directory as the hand-over does, and refuses a leaver it finds there', async () => {
      const db = t.database.db;
      await db
        .insertInto('directory_people')
        .values({
          crsid: 'ql909',
          display_name: 'Quin Leftlong',
          email: 'ql909@cam.ac.uk',
          institution_id: 'PHYS',
          status: 'left',
        })
        .execute();
      const licence = await insertStorage(db, {
        name: 'Owner from the directory',
        owner: 'cb404',
        sizeTb: 4,
        status: 'active',
        startDate: '2026-01-01',
        endDate: '2027-12-31',
        order: null,
      });
      const form = { sizeTb: '4', startDate: '2026-01-01', endDate: '2027-12-31', reason: 'New head of group' };
      expect(await db.selectFrom('people').select('crsid').where('crsid', 'in', ['nn808', 'ql909']).execute()).toEqual(
        [],
      );
      const rosa = await as('rs501');
      const before = await licenceRow(licence);
      // Someone the directory says has left is refused as such, and not added.
      const leaver = await rosa.post(path(licence, 'edit'), { ...form, ownerCrsid: 'ql909' });
      expectFieldError(
        leaver,
        'ownerCrsid',
        'Quin Leftlong (ql909) has left the University, so cannot be the Data Owner',
      );
      expect(await licenceRow(licence)).toEqual(before);
      // Nobody in the directory either: as before.
      const nobody = await rosa.post(path(licence, 'edit'), { ...form, ownerCrsid: 'zz998' });
      expectFieldError(nobody, 'ownerCrsid', 'There is no current member of the University with the CRSid zz998');

      const answer = await rosa.post(path(licence, 'edit'), { ...form, ownerCrsid: 'NN808' });
      expect(answer.statusCode, answer.body.match(/<a href="#[^"]+">([^<]+)/)?.[1]).toBe(303);
      expect((await licenceRow(licence)).owner_person_id).toBe(await personIdOf(db, 'nn808'));
      expect(
        await db.selectFrom('people').select(['crsid', 'status']).where('crsid', 'in', ['nn808', 'ql909']).execute(),
      ).toEqual([{ crsid: 'nn808', status: 'current' }]);
      const [edited] = (await auditRows(db, 'licence', licence.licenceId)).filter((row) => row.action === 'edited');
      expect(edited).toMatchObject({ before: { dataOwner: 'cb404' }, after: { dataOwner: 'nn808' } });
      const told = await db
        .selectFrom('mail_outbox')
        .select('to_addresses')
        .where('subject', '=', 'You are now the Data Owner of “Owner from the directory”')
        .execute();
      expect(told.map((email) => email.to_addresses)).toEqual([['nn808@cam.ac.uk']]);
    });
  });

  describe('a licence that has ended', () => {
    it('takes a new Data Owner for the record without telling them they are responsible for it', async () => {
      const ended = await insertStorage(t.database.db, {
        name: 'Cancelled long ago',
        owner: 'ar101',
        sizeTb: 2,
        status: 'cancelled',
        startDate: '2025-01-01',
        endDate: '2025-12-31',
        order: null,
      });
      const rosa = await as('rs501');
      const answer = await rosa.post(path(ended, 'edit'), {
        sizeTb: '2',
        startDate: '2025-01-01',
        endDate: '2025-12-31',
        ownerCrsid: 'da303',
        reason: 'Records tidy-up',
      });
      expect(answer.statusCode).toBe(303);
      expect((await licenceRow(ended)).owner_person_id).toBe(await personIdOf(t.database.db, 'da303'));
      const told = await t.database.db
        .selectFrom('mail_outbox')
        .select('id')
        .where('subject', '=', 'You are now the Data Owner of “Cancelled long ago”')
        .execute();
      expect(told).toEqual([]);
    });
  });

  describe('an expired licence', () => {
    it('keeps its end date in the past: giving it more time is a renewal, not an edit', async () => {
      const expired = await insertStorage(t.database.db, {
        name: 'Expired, read-only',
        owner: 'ar101',
        sizeTb: 5,
        status: 'suspended',
        startDate: '2025-08-01',
        endDate: '2026-07-31',
        order: null,
      });
      const rosa = await as('rs501');
      const before = await licenceRow(expired);
      const form = { sizeTb: '5', startDate: '2025-08-01', ownerCrsid: 'ar101', reason: 'Goodwill' };
      const refused = await rosa.post(path(expired, 'edit'), { ...form, endDate: '2027-07-31' });
      expectFieldError(
        refused,
        'endDate',
        'This licence has expired, so its end date must stay before today (27 November 2026): to give it more time its Data Owner renews it (or recovers it from the cold store), which also brings its storage back into use',
      );
      expect(refused.body).toContain('value="2027-07-31"');
      expect(await licenceRow(expired)).toEqual(before);

      const corrected = await rosa.post(path(expired, 'edit'), { ...form, endDate: '2026-08-31' });
      expect(corrected.statusCode).toBe(303);
      expect((await licenceRow(expired)).end_date).toBe('2026-08-31');
    });
  });

  describe('while a change order waits', () => {
    it('refuses to change the size or end date a renewal was priced on, beside the field; the Data Owner may change', async () => {
      const db = t.database.db;
      const renewing = await insertStorage(db, {
        name: 'Renewal waiting',
        owner: 'ar101',
        sizeTb: 5,
        status: 'active',
        startDate: '2026-03-01',
        endDate: '2027-02-28',
        order: null,
      });
      const renewal = await insertOrder(db, renewing.licenceId, {
        kind: 'renewal',
        status: 'awaiting-approval',
        startsOn: '2027-03-01',
        endsOn: '2028-02-29',
      });
      const rosa = await as('rs501');
      const before = await licenceRow(renewing);
      const refused = await rosa.post(path(renewing, 'edit'), {
        sizeTb: '5',
        startDate: '2026-03-01',
        endDate: '2027-03-31',
        ownerCrsid: 'ar101',
        reason: 'End date entered wrongly',
      });
      expectFieldError(
        refused,
        'endDate',
        `Order ${renewal.reference} (renewal) was priced on this licence's end date and is not done yet: complete it, or cancel it, before changing the end date`,
      );
      expect(refused.body).toContain('value="2027-03-31"');
      expect(await licenceRow(renewing)).toEqual(before);

      const owner = await rosa.post(path(renewing, 'edit'), {
        sizeTb: '5',
        startDate: '2026-03-01',
        endDate: '2027-02-28',
        ownerCrsid: 'bm202',
        reason: 'PI moved',
      });
      expect(owner.statusCode).toBe(303);
      expect((await licenceRow(renewing)).owner_person_id).toBe(await personIdOf(db, 'bm202'));
    });
  });

  describe('locking', () => {
    it('locks with a reason, refuses edits while locked, and unlocks with a reason, each audited', async () => {
      const ifan = await as('if502');
      const missing = await ifan.post(path(institutional, 'lock'), { lockReason: ' ' });
      expectFieldError(missing, 'lockReason', 'Enter why the licence is locked');
      expect((await licenceRow(institutional)).locked_at).toBeNull();

      const locked = await ifan.post(path(institutional, 'lock'), { lockReason: 'Ownership dispute' });
      expect(locked.statusCode).toBe(303);
      expect(await licenceRow(institutional)).toMatchObject({
        lock_reason: 'Ownership dispute',
        locked_by_person_id: await personIdOf(t.database.db, 'if502'),
      });
      expect((await licenceRow(institutional)).locked_at).not.toBeNull();
      const page = await ifan.get(path(institutional));
      expect(page.body).toContain('This licence is locked');
      expect(page.body).toContain(`action="${path(institutional, 'unlock')}"`);
      expect(page.body).not.toContain(`action="${path(institutional, 'edit')}"`);

      const refused = await ifan.post(path(institutional, 'edit'), {
        sizeTb: '3',
        startDate: '2026-09-01',
        endDate: '2027-08-31',
        ownerCrsid: 'da303',
        reason: 'More room',
      });
      expect(refused.statusCode).toBe(409);
      expect(refused.body).toContain('This licence is locked (Ownership dispute). Unlock it before changing it.');
      expect(refused.body).toContain(`<a href="${path(institutional)}">Go back to the licence</a>`);
      expect((await licenceRow(institutional)).size_tb).toBe(2);
      expect((await ifan.post(path(institutional, 'lock'), { lockReason: 'Again' })).statusCode).toBe(409);
      // A lock from a page shown before the licence was locked: the state is checked before the
      // reason, whose field the page no longer shows, and the answer says what the licence is now.
      const staleLock = await ifan.post(path(institutional, 'lock'), { lockReason: ' ' });
      expect(staleLock.statusCode).toBe(409);
      // Ifan locked it himself, a moment ago but with another reason: told so, not thanked again.
      expect(staleLock.body).toMatch(
        /This licence was already locked by you on \d+ \w+ 20\d\d at \d\d:\d\d \(Ownership dispute\)\. Nothing was changed\./,
      );
      expect(staleLock.body).not.toContain('reload');
      // The refusal leads back to the licence as it is now, not only to the home page.
      expect(staleLock.body).toContain(`<a href="${path(institutional)}">Go back to the licence</a>`);
      expect(staleLock.body).not.toContain('Enter why the licence is locked');

      const unlocked = await ifan.post(path(institutional, 'unlock'), { unlockReason: 'Dispute settled' });
      expect(unlocked.statusCode).toBe(303);
      expect(await licenceRow(institutional)).toMatchObject({ locked_at: null, lock_reason: null });
      expect((await ifan.post(path(institutional, 'unlock'), { unlockReason: 'Again' })).statusCode).toBe(409);
      const staleUnlock = await ifan.post(path(institutional, 'unlock'), { unlockReason: '' });
      expect(staleUnlock.statusCode).toBe(409);
      expect(staleUnlock.body).toMatch(
        /This licence was already unlocked by you on \d+ \w+ 20\d\d at \d\d:\d\d\. Nothing was changed/,
      );
      expect(staleUnlock.body).not.toContain('Enter why the licence is unlocked');
      const edited = await ifan.post(path(institutional, 'edit'), {
        sizeTb: '3',
        startDate: '2026-09-01',
        endDate: '2027-08-31',
        ownerCrsid: 'da303',
        reason: 'More room',
      });
      expect(edited.statusCode).toBe(303);
      expect((await licenceRow(institutional)).size_tb).toBe(3);

      expect(await auditRows(t.database.db, 'licence', institutional.licenceId)).toMatchObject([
        { action: 'locked', before: { locked: false }, after: { locked: true, reason: 'Ownership dispute' } },
        {
          action: 'unlocked',
          before: { locked: true, lockReason: 'Ownership dispute' },
          after: { locked: false, reason: 'Dispute settled' },
        },
        { action: 'edited', before: { sizeTb: 2 }, after: { sizeTb: 3, reason: 'More room' } },
      ]);
      // History on the page, oldest first.
      const history = (await ifan.get(path(institutional))).body;
      const order = ['Ownership dispute', 'Dispute settled', 'More room'].map((text) => history.lastIndexOf(text));
      expect(order).toEqual([...order].sort((a, b) => a - b));
      // The Data Owner reads that it was locked and unlocked, but the team's reasons are for staff only.
      const owners = (await (await as('da303')).get(`/storage/licence/${institutional.licenceId}/`)).body;
      expect(owners).toContain('Licence: locked');
      expect(owners).toContain('Licence: unlocked');
      expect(owners).toContain('More room');
      expect(owners).not.toContain('Ownership dispute');
      expect(owners).not.toContain('Dispute settled');
    });

    it('locks and unlocks once when the button is pressed twice, and tells anyone else who did it', async () => {
      const db = t.database.db;
      const twice = await insertStorage(db, {
        name: 'Chemistry teaching share',
        productCode: 'IFS',
        institutionId: 'CHEM',
        owner: 'da303',
        sizeTb: 1,
        status: 'active',
        startDate: '2026-09-01',
        endDate: '2027-08-31',
        projects: [],
        order: null,
      });
      const ifan = await as('if502');
      const both = await Promise.all(
        [1, 2].map(() => ifan.post(path(twice, 'lock'), { lockReason: 'Audit of shares' })),
      );
      expect(both.map((answer) => answer.statusCode)).toEqual([303, 303]);
      expect(both.map((answer) => answer.headers.location)).toEqual([path(twice), path(twice)]);
      expect(flashOf((await ifan.get(path(twice))).body)).toBe(
        'The licence is locked: nobody can change it until it is unlocked.',
      );
      const again = await ifan.post(path(twice, 'lock'), { lockReason: 'Audit of shares' });
      expect(again.statusCode).toBe(303);
      // A superuser's lock is refused, naming who locked it.
      const sam = await as('su701');
      const samLock = await sam.post(path(twice, 'lock'), { lockReason: 'Audit of shares' });
      expect(samLock.statusCode).toBe(409);
      expect(samLock.body).toMatch(
        /This licence was already locked by Ifan Files on \d+ \w+ 20\d\d at \d\d:\d\d \(Audit of shares\)\. Nothing was changed\./,
      );

      for (const _ of [1, 2]) {
        const unlocked = await ifan.post(path(twice, 'unlock'), { unlockReason: 'Audit done' });
        expect(unlocked.statusCode).toBe(303);
        expect(flashOf((await ifan.get(path(twice))).body)).toBe('The licence is unlocked: it can be changed again.');
      }
      const samUnlock = await sam.post(path(twice, 'unlock'), { unlockReason: 'Audit done' });
      expect(samUnlock.statusCode).toBe(409);
      expect(samUnlock.body).toContain('This licence was already unlocked by Ifan Files on');
      // The same unlock a day later is no button pressed twice.
      await db
        .updateTable('audit_events')
        .set({ occurred_at: sql`occurred_at - interval '1 day'` })
        .where('licence_id', '=', twice.licenceId)
        .execute();
      const later = await ifan.post(path(twice, 'unlock'), { unlockReason: 'Audit done' });
      expect(later.statusCode).toBe(409);
      expect(later.body).toContain('This licence was already unlocked by you on');
      expect((await auditRows(db, 'licence', twice.licenceId)).map((row) => row.action)).toEqual([
        'locked',
        'unlocked',
      ]);
    });

    it('lets a superuser lock either service’s licence', async () => {
      const sam = await as('su701');
      expect((await sam.post(path(research, 'lock'), { lockReason: 'Audit' })).statusCode).toBe(303);
      expect((await sam.post(path(research, 'unlock'), { unlockReason: 'Audit done' })).statusCode).toBe(303);
    });
  });
});
