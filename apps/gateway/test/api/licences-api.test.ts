import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accessTokens } from '../support/api.ts';
import { insertStorage, personIdOf } from '../support/storage-fixtures.ts';
import { startTestApp, type TestApp } from '../support/test-app.ts';

/**
 * What the licence page warns about, in the API's answers too: a Data Manager who has left, a
 * lock, the open flags, how full it is, and each project's path (which POST /api/usage-readings
 * needs). And what a client needs to order: the current terms, the departments, the quote's PDF.
 */
describe('the licences API says what the licence page says', () => {
  let t: TestApp;
  let tokens: Record<string, string>;
  let licenceId: number;
  let projectId: number;
  let orderReference: string;

  const get = (crsid: string, url: string, headers: Record<string, string> = {}) =>
    t.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${tokens[crsid]}`, ...headers } });

  beforeAll(async () => {
    t = await startTestApp();
    tokens = await accessTokens(t, ['ar101', 'bm202', 'rs501', 'da303']);
    const db = t.database.db;
    // Lee Leaver is in the seeded directory only: here, someone the directory sync found had left.
    await db
      .insertInto('people')
      .values({ crsid: 'lj909', display_name: 'Lee Leaver', email: 'lj909@cam.ac.uk', institution_id: 'PHYS' })
      .execute();
    const storage = await insertStorage(db, {
      name: 'Nearly full storage',
      owner: 'ar101',
      managers: ['lj909'],
      sizeTb: 10,
      status: 'active',
      startDate: '2026-01-01',
      endDate: '2027-12-31',
      projects: [
        { name: 'alpha', quotaTb: 10, status: 'active', members: [{ crsid: 'da303', role: 'project-data-user' }] },
      ],
      order: { status: 'completed' },
    });
    licenceId = storage.licenceId;
    projectId = storage.projectIds[0] as number;
    orderReference = storage.order?.reference as string;
    await db.updateTable('storage_projects').set({ path: '/rds/alpha' }).where('id', '=', projectId).execute();
    const leaver = await personIdOf(db, 'lj909');
    await db.updateTable('people').set({ status: 'left', left_on: '2026-11-20' }).where('id', '=', leaver).execute();
    await db
      .insertInto('licence_flags')
      .values([
        {
          licence_id: licenceId,
          kind: 'member-left',
          person_id: leaver,
          detail: 'Lee Leaver (lj909), Data Manager, has left the University.',
          raised_on: '2026-11-20',
        },
        {
          licence_id: licenceId,
          kind: 'finance-code-closed',
          detail: 'Finance code PHAA.GAAA has closed.',
          raised_on: '2026-11-21',
        },
      ])
      .execute();
    await db
      .updateTable('licences')
      .set({
        locked_at: new Date('2026-11-22T09:00:00Z'),
        locked_by_person_id: await personIdOf(db, 'rs501'),
        lock_reason: 'billing dispute',
      })
      .where('id', '=', licenceId)
      .execute();
    await db
      .insertInto('usage_readings')
      .values([
        {
          project_id: projectId,
          licence_id: licenceId,
          read_on: '2026-11-20',
          used_bytes: 9_000_000_000_000,
          source: 'test',
        },
        {
          project_id: projectId,
          licence_id: licenceId,
          read_on: '2026-11-25',
          used_bytes: 9_700_000_000_000,
          source: 'test',
        },
      ])
      .execute();
  });
  afterAll(() => t?.close());

  it('marks who has left, the lock, the open flags, the usage, the paths and the kinds of orders', async () => {
    const response = await get('ar101', `/api/licences/${licenceId}`);
    expect(response.statusCode, response.body).toBe(200);
    const licence = response.json();
    expect(licence.owner).toEqual({ crsid: 'ar101', displayName: expect.any(String), left: false });
    expect(licence.managers).toEqual([{ crsid: 'lj909', displayName: 'Lee Leaver', left: true }]);
    // The storage team's reason is theirs: customers read that it is locked and since when.
    expect(licence.locked).toEqual({ since: '2026-11-22T09:00:00.000Z', reason: null });
    expect(licence.flags).toEqual([
      {
        kind: 'member-left',
        detail: 'Lee Leaver (lj909), Data Manager, has left the University.',
        raisedOn: '2026-11-20',
      },
      { kind: 'finance-code-closed', detail: 'Finance code PHAA.GAAA has closed.', raisedOn: '2026-11-21' },
    ]);
    expect(licence.usage).toEqual({
      usedBytes: 9_700_000_000_000,
      readOn: '2026-11-25',
      percent: 97,
      warningPercent: 90,
      nearlyFull: true,
      full: false,
    });
    expect(licence.projects[0]).toMatchObject({
      id: projectId,
      path: '/rds/alpha',
      usage: { usedBytes: 9_700_000_000_000, readOn: '2026-11-25', percent: 97 },
    });
    expect(licence.projects[0].members).toEqual([
      { crsid: 'da303', displayName: expect.any(String), role: 'project-data-user', left: false },
    ]);
    expect(licence.orders).toEqual([{ reference: orderReference, kind: 'new', status: 'completed' }]);
  });

  it('gives the reason for a lock to the staff of its service only', async () => {
    const staff = (await get('rs501', `/api/licences/${licenceId}`)).json();
    expect(staff.locked).toEqual({ since: '2026-11-22T09:00:00.000Z', reason: 'billing dispute' });
    // As documented: the list is the caller's own licences, for staff too.
    expect((await get('rs501', '/api/licences')).json().total).toBe(0);
  });

  it('shows a project member the lock and their project, but not the flags or the whole usage', async () => {
    const member = (await get('da303', `/api/licences/${licenceId}`)).json();
    expect(member.locked).toEqual({ since: '2026-11-22T09:00:00.000Z', reason: null });
    expect(member.flags).toEqual([]);
    expect(member.usage).toBeNull();
    expect(member.projects[0]).toMatchObject({ path: '/rds/alpha', usage: { usedBytes: 9_700_000_000_000 } });
  });

  it('lists the lock, the flags and the usage of each licence too', async () => {
    const response = await get('ar101', '/api/licences');
    expect(response.statusCode, response.body).toBe(200);
    const listed = response.json().licences.find((licence: { id: number }) => licence.id === licenceId);
    expect(listed.locked).toEqual({ since: '2026-11-22T09:00:00.000Z', reason: null });
    expect(listed.flags.map((flag: { kind: string }) => flag.kind)).toEqual(['member-left', 'finance-code-closed']);
    expect(listed.usage).toMatchObject({ usedBytes: 9_700_000_000_000, percent: 97, nearlyFull: true });
    const asMember = (await get('da303', '/api/licences')).json().licences[0];
    expect(asMember).toMatchObject({ id: licenceId, flags: [], usage: null });
  });

  it('gives the current terms with each product, and where to read them', async () => {
    const product = (await get('ar101', '/api/products/RDS')).json();
    expect(product.terms).toEqual({
      version: '2026-08',
      title: 'Research storage terms and conditions',
      publishedOn: expect.any(String),
      url: '/api/terms/research',
    });
    const terms = await get('ar101', product.terms.url);
    expect(terms.statusCode, terms.body).toBe(200);
    expect(terms.json()).toMatchObject({ service: 'research', version: '2026-08', paragraphs: expect.any(Array) });
    expect(terms.json().paragraphs[0]).toContain('These terms are an agreement');
  });

  it('lists the departments a licence may belong to, with their customer class', async () => {
    const response = await get('ar101', '/api/institutions');
    expect(response.statusCode, response.body).toBe(200);
    const institutions = response.json().institutions;
    expect(institutions).toContainEqual({
      id: 'PHYS',
      name: 'Department of Physics',
      kind: 'department',
      customerClass: 'internal',
    });
    expect(institutions).toContainEqual({
      id: 'KINGS',
      name: "King's College",
      kind: 'college',
      customerClass: 'external',
    });
  });

  it("answers a quote's pdfUrl with the PDF for the API's bearer token, as for the page", async () => {
    const quote = await t.app.inject({
      method: 'POST',
      url: '/api/quotes',
      headers: { authorization: `Bearer ${tokens.ar101}` },
      payload: {
        product: 'RDS',
        sizeTb: 5,
        termYears: 3,
        institutionId: 'PHYS',
        licenceName: 'Quoted',
        ownerCrsid: 'ar101',
        managerCrsids: [],
        projectName: 'quoted',
      },
    });
    expect(quote.statusCode, quote.body).toBe(201);
    const { pdfUrl } = quote.json();
    const pdf = await get('ar101', pdfUrl);
    expect(pdf.statusCode, pdf.body).toBe(200);
    expect(pdf.headers['content-type']).toBe('application/pdf');
    expect(pdf.rawPayload.subarray(0, 5).toString()).toBe('%PDF-');
    // Staff of its service see it too; someone else gets the same 404 as the page's.
    expect((await get('rs501', pdfUrl)).statusCode).toBe(200);
    expect((await get('bm202', pdfUrl)).statusCode).toBe(404);
    // A token that does not work is told so, not sent to sign in.
    const refused = await t.app.inject({ method: 'GET', url: pdfUrl, headers: { authorization: 'Bearer ssgw_nope' } });
    expect(refused.statusCode).toBe(401);
    expect(refused.json().error.message).toContain('The access token is not valid');
    // A browser with no session is still sent to sign in.
    expect((await t.app.inject({ method: 'GET', url: pdfUrl })).statusCode).toBe(302);
  });
});
