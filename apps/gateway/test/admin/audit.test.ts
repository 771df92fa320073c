import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { personActor, recordAudit } from '../../src/modules/audit/audit.repository.ts';
import { importUsageReadings } from '../../src/modules/usage/usage.service.ts';
import { createAccessToken } from '../../src/platform/identity/access-tokens.ts';
import { buy, RDS_CONFIGURATION, SAMPLE_PDF } from '../support/purchase.ts';
import { insertStorage, personIdOf } from '../support/storage-fixtures.ts';
import { Browser, startTestApp, type TestApp } from '../support/test-app.ts';
import { expectFieldError } from './manage-support.ts';

/** The rows of the results table, one string each. */
function resultRows(body: string): string[] {
  const tbody = body.match(/<table class="audit-trail">[\s\S]*?<tbody>([\s\S]*?)<\/tbody>/)?.[1];
  if (tbody === undefined) return [];
  return tbody.split('<tr>').slice(1);
}

/** The results table's rows as one text, so the search form's own words do not count. */
function entries(body: string): string {
  return resultRows(body).join('\n');
}

describe('The audit trail in the back office', () => {
  let t: TestApp;
  let aliceOrder: string;
  let researchLicence: number;
  let institutionalLicence: number;
  let ifsVoucher: number;
  let ifsPrice: number;
  const browsers = new Map<string, Browser>();

  async function as(crsid: string): Promise<Browser> {
    let browser = browsers.get(crsid);
    if (!browser) {
      browser = new Browser(t.app);
      await browser.signInAs(crsid);
      browsers.set(crsid, browser);
    }
    return browser;
  }

  async function actor(crsid: string) {
    return personActor({ id: await personIdOf(t.database.db, crsid), crsid });
  }

  beforeAll(async () => {
    t = await startTestApp();
    const db = t.database.db;
    aliceOrder = await buy(await as('ar101'), 'RDS', RDS_CONFIGURATION, {
      method: 'purchase-order',
      poNumber: 'P1112223',
      file: { bytes: SAMPLE_PDF, name: 'po.pdf' },
    });
    const order = await db
      .selectFrom('orders')
      .select('licence_id')
      .where('reference', '=', aliceOrder)
      .executeTakeFirstOrThrow();
    researchLicence = order.licence_id;
    await recordAudit(db, {
      actor: await actor('rs501'),
      entityType: 'licence',
      entityId: researchLicence,
      licenceId: researchLicence,
      action: 'edited',
      before: { sizeTb: 5 },
      after: { sizeTb: 8, reason: 'Grant extension' },
    });

    const share = await insertStorage(db, {
      name: 'Chemistry admin share',
      productCode: 'IFS',
      institutionId: 'CHEM',
      owner: 'da303',
      order: null,
    });
    institutionalLicence = share.licenceId;
    await recordAudit(db, {
      actor: await actor('if502'),
      entityType: 'licence',
      entityId: institutionalLicence,
      licenceId: institutionalLicence,
      action: 'locked',
      before: { lockReason: null },
      after: { lockReason: 'Department audit' },
    });
    const voucher = await db
      .insertInto('vouchers')
      .values({ code: 'IFS-AUDIT-TEST', product_code: 'IFS', size_tb: 1, institution_id: 'CHEM', expires_on: null })
      .returning('id')
      .executeTakeFirstOrThrow();
    ifsVoucher = voucher.id;
    await recordAudit(db, {
      actor: await actor('if502'),
      entityType: 'voucher',
      entityId: ifsVoucher,
      action: 'issued',
      after: { code: 'IFS-AUDIT-TEST', sizeTb: 1 },
    });
    const price = await db
      .selectFrom('prices')
      .select('id')
      .where('product_code', '=', 'IFS')
      .orderBy('id')
      .executeTakeFirstOrThrow();
    ifsPrice = price.id;
    await recordAudit(db, {
      actor: await actor('if502'),
      entityType: 'price',
      entityId: ifsPrice,
      action: 'added',
      after: { product: 'IFS', pencePerTbYear: 9000 },
    });
    await recordAudit(db, {
      actor: await actor('su701'),
      entityType: 'staff-role',
      entityId: 'grant-bm202',
      action: 'granted',
      after: { crsid: 'bm202', role: 'service-admin', service: 'research' },
    });
    await createAccessToken(
      db,
      t.clock,
      { id: await personIdOf(db, 'ar101'), crsid: 'ar101' },
      {
        name: 'nightly sync',
        lifetime: 30,
      },
    );
  });

  afterAll(async () => {
    await t?.close();
  });

  it('finds an order’s entries by its reference, written any way, each linking to the order', async () => {
    const rosa = await as('rs501');
    const digits = aliceOrder.replace(/^ORD-0*/, '');
    const page = await rosa.get(`/admin/audit/?entityType=order&entityId=${digits}`);
    expect(page.statusCode).toBe(200);
    const rows = resultRows(page.body);
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) expect(row).toContain(`<a href="/admin/orders/${aliceOrder}/">Order ${aliceOrder}</a>`);
    expect(rows.some((row) => row.includes('Submitted') && row.includes('Alice Researcher (ar101)'))).toBe(true);
    // The search box shows the reference as found.
    expect(page.body).toContain(`value="${aliceOrder}"`);
  });

  it('finds an order’s entries, and its payment’s, by its reference alone: its prefix says what kind of record it is', async () => {
    const rosa = await as('rs501');
    const orderRows = resultRows((await rosa.get(`/admin/audit/?entityType=order&entityId=${aliceOrder}`)).body);
    const paymentRows = resultRows((await rosa.get(`/admin/audit/?entityType=payment&entityId=${aliceOrder}`)).body);
    expect(orderRows.length).toBeGreaterThan(0);
    for (const id of [aliceOrder, aliceOrder.toLowerCase(), aliceOrder.replace(/^ORD-0*/, 'ord-')]) {
      const page = await rosa.get(`/admin/audit/?entityId=${id}`);
      expect(page.statusCode, id).toBe(200);
      const rows = resultRows(page.body);
      expect(rows.length, id).toBe(orderRows.length + paymentRows.length);
      for (const row of rows) expect(row).toContain(`<a href="/admin/orders/${aliceOrder}/">`);
      // The reference as found; the kind stays "Any kind", as searched.
      expect(page.body).toContain(`value="${aliceOrder}"`);
    }
    // A quote's reference too; an id without a known prefix still needs its kind.
    expect((await rosa.get('/admin/audit/?entityId=q-12')).statusCode).toBe(200);
    expectFieldError(await rosa.get('/admin/audit/?entityId=12'), 'entityType', 'Choose what kind of record 12 is');
  });

  it('shows who changed a licence and each field as old → new, linking to the licence', async () => {
    const rosa = await as('rs501');
    const page = await rosa.get(`/admin/audit/?entityType=licence&entityId=${researchLicence}`);
    const edited = resultRows(page.body).find((row) => row.includes('Edited'));
    expect(edited).toBeDefined();
    expect(edited).toContain('Rosa Storage (rs501)');
    expect(edited).toContain(`<a href="/admin/licences/${researchLicence}/">Licence ${researchLicence}</a>`);
    expect(edited).toContain('<li>size: 5 TB → 8 TB</li>');
    expect(edited).toContain('<li>reason: Grant extension</li>');
    // When, in London time (27 November is GMT), with the instant in the markup.
    expect(edited).toMatch(
      /<time datetime="\d{4}-\d{2}-\d{2}T[\d:.]+Z">\d{1,2} \w{3} \d{4}, \d{2}:\d{2}:\d{2}<\/time>/,
    );
  });

  it('finds a voucher’s entries by its code, as staff know it, or by its number', async () => {
    const ifan = await as('if502');
    for (const entityId of ['ifs-audit-test', 'IFS-AUDIT-TEST', String(ifsVoucher)]) {
      const page = await ifan.get(`/admin/audit/?entityType=voucher&entityId=${entityId}`);
      expect(page.statusCode).toBe(200);
      const rows = resultRows(page.body);
      expect(rows, entityId).toHaveLength(1);
      expect(rows[0]).toContain('Issued');
      expect(rows[0]).toContain('IFS-AUDIT-TEST');
    }
  });

  it('shows a storage team the usage imports of its service, whoever reads the trail by who acted', async () => {
    await importUsageReadings(t.database.db, [], {
      today: '2026-11-27',
      source: 'csv upload by rs501: readings.csv',
      actor: await actor('rs501'),
      services: ['research'],
    });
    const imports = (body: string) => entries(body).includes('csv upload by rs501: readings.csv');
    expect(imports((await (await as('rs501')).get('/admin/audit/?actor=rs501')).body)).toBe(true);
    expect(imports((await (await as('fn601')).get('/admin/audit/?entityType=usage-import')).body)).toBe(true);
    expect(imports((await (await as('if502')).get('/admin/audit/?actor=rs501')).body)).toBe(false);
  });

  it('shows each member of staff only the services they may read; superusers everything', async () => {
    const ordersOf = (body: string) => body.includes(`/admin/orders/${aliceOrder}/`);
    const licence = (id: number) => `/admin/licences/${id}/`;

    const ifan = await as('if502');
    const ifanPage = entries((await ifan.get('/admin/audit/')).body);
    expect(ifanPage).toContain(licence(institutionalLicence));
    expect(ifanPage).toContain(`Voucher ${ifsVoucher}`);
    expect(ifanPage).toContain(`Price ${ifsPrice}`);
    expect(ifanPage).toContain('Staff role grant-bm202');
    expect(ifanPage).not.toContain(licence(researchLicence));
    expect(ordersOf(ifanPage)).toBe(false);
    expect(ifanPage).not.toContain('Access token');
    const ifanSearch = await ifan.get(`/admin/audit/?entityType=order&entityId=${aliceOrder}`);
    expect(ifanSearch.body).toContain('No entries match this search.');

    const rosaPage = entries((await (await as('rs501')).get('/admin/audit/')).body);
    expect(rosaPage).toContain(licence(researchLicence));
    expect(ordersOf(rosaPage)).toBe(true);
    expect(rosaPage).toContain('Staff role grant-bm202');
    expect(rosaPage).not.toContain(licence(institutionalLicence));
    expect(rosaPage).not.toContain(`Voucher ${ifsVoucher}`);
    expect(rosaPage).not.toContain(`Price ${ifsPrice}`);
    expect(rosaPage).not.toContain('Access token');

    const farahPage = entries((await (await as('fn601')).get('/admin/audit/')).body);
    expect(farahPage).toContain(licence(researchLicence));
    expect(farahPage).toContain(licence(institutionalLicence));
    expect(farahPage).not.toContain('Access token');

    const samPage = entries((await (await as('su701')).get('/admin/audit/')).body);
    expect(samPage).toContain(licence(researchLicence));
    expect(samPage).toContain(licence(institutionalLicence));
    expect(ordersOf(samPage)).toBe(true);
    expect(samPage).toContain('Access token');

    expect((await (await as('ar101')).get('/admin/audit/')).statusCode).toBe(403);
  });

  it('filters by who acted, whatever the case of the CRSid', async () => {
    const page = await (await as('su701')).get('/admin/audit/?actor=IF502');
    const rows = resultRows(page.body);
    expect(rows.length).toBe(3);
    for (const row of rows) expect(row).toContain('Ifan Files (if502)');
  });

  it('filters by a range of London days, both included', async () => {
    const db = t.database.db;
    // 00:30 on 1 July in London (BST) is still 30 June in UTC.
    await sql`UPDATE audit_events SET occurred_at = '2026-06-30T23:30:00Z' WHERE entity_id = 'grant-bm202'`.execute(db);
    const sam = await as('su701');
    const july = resultRows((await sam.get('/admin/audit/?from=2026-07-01&to=2026-07-01')).body);
    expect(july.length).toBe(1);
    expect(july[0]).toContain('Staff role grant-bm202');
    expect(resultRows((await sam.get('/admin/audit/?to=2026-06-30')).body)).toEqual([]);
    const later = resultRows((await sam.get('/admin/audit/?from=2026-07-02')).body);
    expect(later.length).toBeGreaterThan(0);
    expect(later.some((row) => row.includes('grant-bm202'))).toBe(false);
  });

  it('says what is wrong with a search next to its field', async () => {
    const sam = await as('su701');
    expectFieldError(
      await sam.get('/admin/audit/?from=2026-02-30'),
      'from',
      'Enter the first day as a date, for example 2026-11-01',
    );
    expectFieldError(await sam.get('/admin/audit/?entityId=5'), 'entityType', 'Choose what kind of record 5 is');
    expectFieldError(
      await sam.get('/admin/audit/?from=2026-11-02&to=2026-11-01'),
      'to',
      'The last day must be the same as or after the first day',
    );
  });

  it('pages through 50 entries at a time, newest first', async () => {
    await sql`INSERT INTO audit_events (actor_label, entity_type, entity_id, action)
      SELECT 'system: pager', 'staff-role', 'p' || g, 'granted' FROM generate_series(1, 120) AS g ORDER BY g`.execute(
      t.database.db,
    );
    const rosa = await as('rs501');
    const first = await rosa.get('/admin/audit/?actor=system%3A+pager');
    const firstRows = resultRows(first.body);
    expect(firstRows.length).toBe(50);
    expect(firstRows[0]).toContain('Staff role p120');
    expect(firstRows[0]).toContain('Automatic (pager)');
    expect(firstRows[49]).toContain('Staff role p71');
    expect(first.body).toContain('href="/admin/audit/?actor=system%3A+pager&amp;page=2" rel="next"');
    expect(first.body).not.toContain('rel="prev"');

    const last = await rosa.get('/admin/audit/?actor=system%3A+pager&page=3');
    const lastRows = resultRows(last.body);
    expect(lastRows.length).toBe(20);
    expect(lastRows[0]).toContain('Staff role p20');
    expect(lastRows[19]).toContain('Staff role p1<');
    expect(last.body).toContain('href="/admin/audit/?actor=system%3A+pager&amp;page=2" rel="prev"');
    expect(last.body).not.toContain('rel="next"');

    // A page past the last one says so, with the real count and a link to the last page, as the other lists do.
    const past = await rosa.get('/admin/audit/?actor=system%3A+pager&page=99');
    expect(past.statusCode).toBe(200);
    expect(resultRows(past.body)).toEqual([]);
    expect(past.body).toContain('There is no page 99: there are 3 pages (120 entries).');
    expect(past.body).toContain(
      '<a href="/admin/audit/?actor=system%3A+pager&amp;page=3">Go to the last page (page 3)</a>',
    );
    expect(past.body).not.toContain('No entries match this search.');
    // A search that matches nothing says that, whatever the page.
    const none = await rosa.get('/admin/audit/?actor=nobody&page=4');
    expect(none.body).toContain('No entries match this search.');
    expect(none.body).not.toContain('There is no page');
  });
});
