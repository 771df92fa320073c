import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertStorage } from '../support/storage-fixtures.ts';
import { startTestApp, type TestApp } from '../support/test-app.ts';
import { auditRows, expectFieldError, flashOf, people } from './manage-support.ts';

/** The rows of the audit page's results table, newest first. */
function auditTableRows(body: string): string[] {
  const tbody = body.match(/<table class="audit-trail">[\s\S]*?<tbody>([\s\S]*?)<\/tbody>/)?.[1];
  return tbody === undefined ? [] : tbody.split('<tr>').slice(1);
}

/** The changes an audit row lists, one a line. */
function changesOf(row: string): string[] {
  return [...row.matchAll(/<li>([^<]*)<\/li>/g)].map((match) => match[1] as string);
}

describe('back office: people and staff roles', () => {
  let t: TestApp;
  const as = people(() => t);
  let researchLicence: number;
  let institutionalLicence: number;

  beforeAll(async () => {
    t = await startTestApp();
    const db = t.database.db;
    researchLicence = (await insertStorage(db, { name: 'Alice’s RDS', owner: 'ar101', order: null })).licenceId;
    institutionalLicence = (
      await insertStorage(db, {
        name: 'Physics office share',
        productCode: 'IFS',
        owner: 'bm202',
        projects: [{ name: 'office', quotaTb: 1, members: [{ crsid: 'ar101', role: 'project-data-user' }] }],
        order: null,
      })
    ).licenceId;
    await sql`INSERT INTO people (crsid, display_name, email, institution_id)
      SELECT 'tp' || lpad(n::text, 3, '0'), 'Test Person ' || lpad(n::text, 2, '0'), 'tp' || n || '@example.ac.uk', 'ENG'
      FROM generate_series(1, 30) AS n`.execute(db);
  });
  afterAll(() => t?.close());

  async function rolesOf(crsid: string) {
    return t.database.db
      .selectFrom('staff_roles')
      .innerJoin('people', 'people.id', 'staff_roles.person_id')
      .select(['staff_roles.id', 'staff_roles.role', 'staff_roles.service'])
      .where('people.crsid', '=', crsid)
      .orderBy('staff_roles.id')
      .execute();
  }

  const grant = { role: 'finance', reason: 'Joined the Finance team' };

  describe('who may see people and change roles', () => {
    it('refuses customers every people route', async () => {
      const alice = await as('ar101');
      expect((await alice.get('/admin/people/')).statusCode).toBe(403);
      expect((await alice.get('/admin/people/ar101/')).statusCode).toBe(403);
      expect((await alice.post('/admin/people/ar101/roles', { ...grant, role: 'superuser' })).statusCode).toBe(403);
      const [role] = await rolesOf('su701');
      expect(
        (await alice.post(`/admin/people/su701/roles/${role?.id}/remove`, { [`reason-${role?.id}`]: 'x' })).statusCode,
      ).toBe(403);
      expect(await rolesOf('ar101')).toEqual([]);
      expect(await rolesOf('su701')).toHaveLength(1);
    });

    it.each(['rs501', 'if502', 'fn601'])('lets %s look people up but not change roles', async (crsid) => {
      const staff = await as(crsid);
      expect((await staff.get('/admin/people/')).statusCode).toBe(200);
      const page = await staff.get('/admin/people/su701/');
      expect(page.statusCode).toBe(200);
      expect(page.body).toContain('Superuser');
      expect(page.body).toContain('Only superusers can grant and remove staff roles.');
      expect(page.body).not.toContain('action="/admin/people/su701/roles');
      const refused = await staff.post('/admin/people/ar101/roles', grant);
      expect(refused.statusCode).toBe(403);
      expect(refused.body).toContain('Only superusers can grant and remove staff roles.');
      const [role] = await rolesOf('su701');
      const remove = await staff.post(`/admin/people/su701/roles/${role?.id}/remove`, { [`reason-${role?.id}`]: 'x' });
      expect(remove.statusCode).toBe(403);
      expect(await rolesOf('ar101')).toEqual([]);
      expect(await rolesOf('su701')).toHaveLength(1);
      expect(await auditRows(t.database.db, 'staff-role')).toEqual([]);
    });

    it('answers 404 for a CRSid nobody has', async () => {
      const sam = await as('su701');
      expect((await sam.get('/admin/people/zz999/')).statusCode).toBe(404);
      expect((await sam.post('/admin/people/zz999/roles', grant)).statusCode).toBe(404);
    });
  });

  describe('search', () => {
    function names(body: string): string[] {
      return [...body.matchAll(/<a href="\/admin\/people\/[a-z0-9]+\/">([^<]+)<\/a>/g)].map(
        (match) => match[1] as string,
      );
    }

    it('finds people by the start of a CRSid or part of a name, with their staff roles', async () => {
      const rosa = await as('rs501');
      const byCrsid = await rosa.get('/admin/people/?q=rs5');
      expect(names(byCrsid.body)).toEqual(['Rosa Storage']);
      expect(byCrsid.body).toContain('Research storage team');
      expect(names((await rosa.get('/admin/people/?q=FILES')).body)).toEqual(['Ifan Files']);
      expect(names((await rosa.get('/admin/people/?q=s701')).body)).toEqual([]);
    });

    it('pages 25 at a time, by name, keeping the search', async () => {
      const rosa = await as('rs501');
      const first = await rosa.get('/admin/people/?q=test+person');
      expect(names(first.body)).toHaveLength(25);
      expect(names(first.body)[0]).toBe('Test Person 01');
      expect(first.body).toContain('Page 1 of 2 (30 people)');
      expect(first.body).toContain('href="/admin/people/?q=test+person&amp;page=2"');
      const second = await rosa.get('/admin/people/?q=test+person&page=2');
      expect(names(second.body)).toEqual([
        'Test Person 26',
        'Test Person 27',
        'Test Person 28',
        'Test Person 29',
        'Test Person 30',
      ]);
      // Past the last page: the real count (not "Page 1 of 1 (0 people)") and a link to the last page.
      const past = await rosa.get('/admin/people/?q=test+person&page=3');
      expect(past.statusCode).toBe(200);
      expect(names(past.body)).toEqual([]);
      expect(past.body).toContain('There is no page 3: there are 2 pages (30 people).');
      expect(past.body).toContain('<a href="/admin/people/?q=test+person&amp;page=2">Go to the last page (page 2)</a>');
      expect(past.body).not.toContain('Nobody matches this search.');
      // One found is "1 person", not "1 people".
      expect((await rosa.get('/admin/people/?q=rs5')).body).toContain('Page 1 of 1 (1 person)');
    });

    it('says that someone has left as a word apart from their name', async () => {
      await t.database.db.updateTable('people').set({ status: 'left' }).where('crsid', '=', 'tp030').execute();
      try {
        const body = (await (await as('rs501')).get('/admin/people/?q=tp030')).body;
        // A screen reader heard "Test Person 30Left" when the tag followed the link with no space.
        expect(body).toMatch(/>Test Person 30<\/a> <span class="tag tag--grey">Left<\/span>/);
      } finally {
        await t.database.db.updateTable('people').set({ status: 'current' }).where('crsid', '=', 'tp030').execute();
      }
    });
  });

  describe('a person’s page', () => {
    it('describes each role as it is: Finance reads and changes nothing', async () => {
      const form = (await (await as('su701')).get('/admin/people/ar101/')).body;
      expect(form).toContain('Reads every order, payment and licence; changes nothing');
      expect(form).not.toContain('changes only charges');
    });

    it('pages the licences a person holds a place on, and says the truth past the last page', async () => {
      const past = await (await as('su701')).get('/admin/people/ar101/?page=4');
      expect(past.statusCode).toBe(200);
      expect(past.body).not.toContain('holds no place on a licence');
      expect(past.body).toContain('There is no page 4: there is 1 page (2 licences).');
      expect(past.body).toContain('<a href="/admin/people/ar101/">Go to the last page (page 1)</a>');
    });

    it('lists the licences they hold a place on, of the viewer’s services only, with links', async () => {
      const rosa = await as('rs501');
      const research = (await rosa.get('/admin/people/ar101/')).body;
      expect(research).toContain(`<a href="/admin/licences/${researchLicence}/">Alice’s RDS</a>`);
      expect(research).toContain('Data Owner');
      expect(research).not.toContain('Physics office share');
      const sam = await as('su701');
      const all = (await sam.get('/admin/people/ar101/')).body;
      expect(all).toContain(`<a href="/admin/licences/${researchLicence}/">`);
      expect(all).toContain(`<a href="/admin/licences/${institutionalLicence}/">Physics office share</a>`);
      expect(all).toContain('Project Data User');
    });
  });

  describe('granting and removing roles', () => {
    it('grants a role with a reason, audited, and it takes effect at once', async () => {
      const sam = await as('su701');
      const answer = await sam.post('/admin/people/ar101/roles', grant);
      expect(answer.statusCode, answer.body.slice(0, 300)).toBe(303);
      expect(flashOf((await sam.get('/admin/people/ar101/')).body)).toBe('Alice Researcher now has the role Finance.');
      const [role] = await rolesOf('ar101');
      expect(role).toMatchObject({ role: 'finance', service: null });
      expect(await auditRows(t.database.db, 'staff-role', role?.id)).toMatchObject([
        {
          actor_label: 'su701',
          action: 'granted',
          before: { crsid: 'ar101', kind: 'finance', service: null, held: false },
          after: {
            crsid: 'ar101',
            kind: 'finance',
            service: null,
            held: true,
            person: 'Alice Researcher (ar101)',
            role: 'Finance',
            reason: 'Joined the Finance team',
          },
        },
      ]);
      const alice = await as('ar101');
      expect((await alice.get('/admin/licences/')).statusCode).toBe(200);
    });

    it.each([
      [{ role: 'finance' }, 'role', 'Alice Researcher already has the role Finance'],
      [{ role: 'service-admin' }, 'role', 'Choose the role to grant'],
      [{ role: 'superuser', reason: ' ' }, 'reason', 'Enter why the role is granted'],
    ])('refuses %j beside its field, and grants nothing', async (change, field, message) => {
      const sam = await as('su701');
      const before = await rolesOf('ar101');
      expectFieldError(await sam.post('/admin/people/ar101/roles', { ...grant, ...change }), field, message);
      expect(await rolesOf('ar101')).toEqual(before);
    });

    it('removes a role with a reason, audited, and access goes at once', async () => {
      const sam = await as('su701');
      const [role] = await rolesOf('ar101');
      const path = `/admin/people/ar101/roles/${role?.id}/remove`;
      expectFieldError(
        await sam.post(path, { [`reason-${role?.id}`]: '' }),
        `reason-${role?.id}`,
        'Enter why the role is removed',
      );
      expect(await rolesOf('ar101')).toHaveLength(1);
      expect((await sam.post(path, { [`reason-${role?.id}`]: 'Left Finance' })).statusCode).toBe(303);
      expect(await rolesOf('ar101')).toEqual([]);
      const audits = await auditRows(t.database.db, 'staff-role', role?.id);
      expect(audits[1]).toMatchObject({
        action: 'removed',
        before: { crsid: 'ar101', kind: 'finance', held: true },
        after: {
          crsid: 'ar101',
          kind: 'finance',
          held: false,
          person: 'Alice Researcher (ar101)',
          role: 'Finance',
          reason: 'Left Finance',
        },
      });
      expect((await sam.post(path, { [`reason-${role?.id}`]: 'Again' })).statusCode).toBe(404);
      const alice = await as('ar101');
      expect((await alice.get('/admin/licences/')).statusCode).toBe(403);
    });

    it('names the person and the role in the audit trail’s entries, found by the role’s number', async () => {
      const sam = await as('su701');
      const granted = await sam.post('/admin/people/bm202/roles', {
        role: 'service-admin:research',
        reason: 'Cover for Rosa',
      });
      expect(granted.statusCode, granted.body.slice(0, 300)).toBe(303);
      const [role] = await rolesOf('bm202');
      const removed = await sam.post(`/admin/people/bm202/roles/${role?.id}/remove`, {
        [`reason-${role?.id}`]: 'Rosa is back',
      });
      expect(removed.statusCode).toBe(303);

      const page = await sam.get(`/admin/audit/?entityType=staff-role&entityId=${role?.id}`);
      expect(page.statusCode).toBe(200);
      const rows = auditTableRows(page.body);
      expect(rows).toHaveLength(2);
      // The changes in the order the database keeps an entry's fields (jsonb: shorter names first).
      const [removal, grant] = rows as [string, string];
      expect(changesOf(grant)).toEqual([
        'role held: no → yes',
        'role: Research storage team',
        'person: Ben Manager (bm202)',
        'reason: Cover for Rosa',
      ]);
      expect(changesOf(removal)).toEqual([
        'role held: yes → no',
        'role: Research storage team',
        'person: Ben Manager (bm202)',
        'reason: Rosa is back',
      ]);
      expect(grant).toContain(`Staff role ${role?.id}`);
      expect(grant).toContain('Granted');
      expect(removal).toContain('Removed');
      // Every staff-role entry is found by its kind too, this one among them.
      const all = auditTableRows((await sam.get('/admin/audit/?entityType=staff-role')).body);
      expect(all.filter((row) => row.includes('person: Ben Manager (bm202)'))).toHaveLength(2);
    });

    it('still reads an entry recorded before the person and role were named, as it did', async () => {
      const sam = await as('su701');
      await t.database.db
        .insertInto('audit_events')
        .values({
          actor_person_id: null,
          actor_label: 'su701',
          entity_type: 'staff-role',
          entity_id: '99001',
          action: 'granted',
          before: JSON.stringify({ person: 'bm202', role: 'service-admin', service: 'research', held: false }),
          after: JSON.stringify({
            person: 'bm202',
            role: 'service-admin',
            service: 'research',
            held: true,
            reason: 'Old cover',
          }),
        })
        .execute();
      const rows = auditTableRows((await sam.get('/admin/audit/?entityType=staff-role&entityId=99001')).body);
      expect(rows.map(changesOf)).toEqual([['role held: no → yes', 'reason: Old cover']]);
    });

    it('refuses a superuser removing their own superuser role, so there is always one', async () => {
      const sam = await as('su701');
      const [own] = await rolesOf('su701');
      const page = await sam.get('/admin/people/su701/');
      expect(page.body).toContain('You cannot remove your own superuser role: another superuser can.');
      expect(page.body).not.toContain(`roles/${own?.id}/remove`);
      const refused = await sam.post(`/admin/people/su701/roles/${own?.id}/remove`, { [`reason-${own?.id}`]: 'Bye' });
      expect(refused.statusCode).toBe(409);
      expect(refused.body).toContain('You cannot remove your own superuser role');
      expect(await rolesOf('su701')).toEqual([own]);
    });

    it('lets another superuser remove it; the one removed can then change no roles', async () => {
      const sam = await as('su701');
      expect((await sam.post('/admin/people/if502/roles', { role: 'superuser', reason: 'Cover' })).statusCode).toBe(
        303,
      );
      const ifan = await as('if502');
      const [own] = await rolesOf('su701');
      const removed = await ifan.post(`/admin/people/su701/roles/${own?.id}/remove`, {
        [`reason-${own?.id}`]: 'Moved on',
      });
      expect(removed.statusCode).toBe(303);
      expect(await rolesOf('su701')).toEqual([]);
      expect((await sam.post('/admin/people/ar101/roles', grant)).statusCode).toBe(403);
      expect(await rolesOf('if502')).toMatchObject([{ role: 'service-admin' }, { role: 'superuser' }]);
    });
  });
});
