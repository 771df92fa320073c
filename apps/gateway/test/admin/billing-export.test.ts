import { randomUUID } from 'node:crypto';
import { parse } from 'csv-parse/sync';
import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { up as backfillNewOrderPeriods } from '../../src/migrations/0026_new_order_periods.ts';
import { billingOrderPages } from '../../src/modules/billing/billing.repository.ts';
import { parseBillingQuery } from '../../src/modules/billing/billing-rules.ts';
import { licenceEndDate } from '../../src/modules/licences/licence-dates.ts';
import type { OrderKind, OrderStatus } from '../../src/modules/orders/order-status.ts';
import { insertStorage, personIdOf } from '../support/storage-fixtures.ts';
import { Browser, startTestApp, type TestApp } from '../support/test-app.ts';
import { expectFieldError, people } from './manage-support.ts';

/**
 * Finance's billing export (/admin/billing/ and its CSV file): which orders are billed (completed,
 * costing something, completed in the range of London days), the file's rows and header, written
 * safely and streamed a page at a time, who may have it, and the audit entry of each download.
 */

const NOVEMBER = 'from=2026-11-01&to=2026-11-30';
const CSV = `/admin/billing/orders.csv?${NOVEMBER}`;

const HEADER = [
  'Order reference',
  'Completed on',
  'Service',
  'Product code',
  'Kind',
  'Licence ID',
  'Licence name',
  'Department ID',
  'Department name',
  'Customer class',
  'Size (TB)',
  'Term (years)',
  'Days',
  'Period starts on',
  'Period ends on',
  'Price per TB per year (GBP)',
  'Cold-store fee (GBP)',
  'Net (GBP)',
  'VAT (GBP)',
  'Total (GBP)',
  'Payment method',
  'Finance code',
  'PO number',
  'Voucher code',
  'Buyer CRSid',
  'Quote reference',
];

interface Billed {
  reference: string;
  licenceId: number;
}

describe('Finance’s billing export', () => {
  let t: TestApp;
  const as = people(() => t);
  /** The orders by their part in the story. */
  const o: Record<string, Billed> = {};
  let quoteReference: string;

  /** A licence with one order, then made what the story needs (status, completion instant, price, payment). */
  async function order(
    key: string,
    options: {
      name: string;
      productCode?: string;
      institutionId?: string;
      owner?: string;
      kind?: OrderKind;
      status?: OrderStatus;
      completedAt: string;
      net?: number;
      vat?: number;
      sizeTb?: number;
      termYears?: number;
      pencePerTbYear?: number;
      /** Recovery: the part of the net that is the cold-store fee. */
      coldStorePence?: number;
      period?: [string, string];
      /** The licence's dates now (start, end): 2026-01-01 to 2027-01-01 when left out. */
      licenceDates?: [string, string];
      customerClass?: 'internal' | 'external';
      payment?:
        | { method: 'finance-code'; code: string }
        | { method: 'purchase-order'; po: string }
        | { method: 'voucher'; code: string };
    },
  ): Promise<void> {
    const db = t.database.db;
    const kind = options.kind ?? 'new';
    const status = options.status ?? 'completed';
    const licenceStart = options.licenceDates?.[0] ?? '2026-01-01';
    // A new order records its licence's first term when it is set up (its completion), as a change its own.
    const period =
      options.period ??
      (kind === 'new' && status === 'completed'
        ? [licenceStart, licenceEndDate(licenceStart, options.termYears ?? 1)]
        : undefined);
    const storage = await insertStorage(db, {
      name: options.name,
      productCode: options.productCode,
      institutionId: options.institutionId,
      owner: options.owner ?? 'ar101',
      status: 'active',
      startDate: licenceStart,
      endDate: options.licenceDates?.[1] ?? '2027-01-01',
      order: {
        kind,
        status,
        sizeTb: options.sizeTb ?? 5,
        termYears: options.termYears ?? 1,
        pencePerTbYear: options.pencePerTbYear ?? 5400,
        startsOn: period?.[0] ?? null,
        endsOn: period?.[1] ?? null,
      },
    });
    const id = storage.order?.id ?? 0;
    const net = options.net ?? 27000;
    const vat = options.vat ?? 0;
    await db
      .updateTable('orders')
      .set({
        net_pence: net,
        vat_pence: vat,
        total_pence: net + vat,
        customer_class: options.customerClass ?? 'internal',
        updated_at: new Date(options.completedAt),
      })
      .where('id', '=', id)
      .execute();
    // Written once, when the order is placed: the table's type allows no update.
    await sql`UPDATE orders SET cold_store_pence = ${options.coldStorePence ?? 0} WHERE id = ${id}`.execute(db);
    const payment = options.payment ?? { method: 'finance-code', code: 'PHAA.GAAA' };
    if (payment.method === 'purchase-order') {
      const document = await db
        .insertInto('uploaded_documents')
        .values({
          person_id: await personIdOf(db, options.owner ?? 'ar101'),
          storage_key: `po/${randomUUID()}.pdf`,
          file_name: 'po.pdf',
          content_type: 'application/pdf',
          size_bytes: 100,
          sha256: 'a'.repeat(64),
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      await db
        .updateTable('payments')
        .set({ method: 'purchase-order', finance_code: null, po_number: payment.po, po_document_id: document.id })
        .where('order_id', '=', id)
        .execute();
    } else if (payment.method === 'voucher') {
      const voucher = await db
        .selectFrom('vouchers')
        .select('id')
        .where('code', '=', payment.code)
        .executeTakeFirstOrThrow();
      await db
        .updateTable('payments')
        .set({ method: 'voucher', finance_code: null, voucher_id: voucher.id, check_status: 'not-needed' })
        .where('order_id', '=', id)
        .execute();
    } else {
      await db.updateTable('payments').set({ finance_code: payment.code }).where('order_id', '=', id).execute();
    }
    o[key] = { reference: storage.order?.reference ?? '', licenceId: storage.licenceId };
  }

  async function csvOf(url: string, crsid = 'fn601'): Promise<string[][]> {
    const answer = await (await as(crsid)).get(url);
    expect(answer.statusCode, answer.body.slice(0, 300)).toBe(200);
    return parse(answer.body, { bom: true, relax_column_count: false }) as string[][];
  }

  async function downloads() {
    return t.database.db
      .selectFrom('audit_events')
      .select(['actor_label', 'action', 'entity_id', 'after'])
      .where('entity_type', '=', 'billing-export')
      .orderBy('id')
      .execute();
  }

  beforeAll(async () => {
    t = await startTestApp();
    // November 2026 is all GMT (BST ended on 25 October): London days are UTC days.
    await order('fromDay', {
      name: 'Physics imaging',
      completedAt: '2026-11-01T00:00:00Z',
      net: 27000,
      payment: { method: 'finance-code', code: 'PHAA.GAAA' },
    });
    await order('toDay', {
      name: 'Physics archive, "cold" data',
      kind: 'increase',
      completedAt: '2026-11-30T23:59:59.999Z',
      // £54.00 per TB per year × 2 TB × 33 days (30 November to 1 January, both included) / 365.
      net: 976,
      sizeTb: 2,
      period: ['2026-11-30', '2027-01-01'],
      payment: { method: 'purchase-order', po: 'P1234567' },
    });
    await order('dayBefore', { name: 'Too early', completedAt: '2026-10-31T23:59:59.999Z' });
    await order('dayAfter', { name: 'Too late', completedAt: '2026-12-01T00:00:00Z' });
    await order('external', {
      name: '=HYPERLINK("http://evil.example/","Click")',
      productCode: 'IFS',
      institutionId: 'KINGS',
      owner: 'cb404',
      kind: 'renewal',
      completedAt: '2026-11-15T12:00:00Z',
      net: 67500,
      vat: 13500,
      sizeTb: 3,
      termYears: 2,
      pencePerTbYear: 11250,
      period: ['2027-01-01', '2029-01-01'],
      customerClass: 'external',
      payment: { method: 'voucher', code: 'IFS-WELCOME-01' },
    });
    await order('recovery', {
      name: 'Genetics cold',
      institutionId: 'GEN',
      kind: 'recovery',
      completedAt: '2026-11-15T12:00:00Z',
      // A year of 1 TB at £54.00, and the cold-store fee for the days it spent there.
      sizeTb: 1,
      net: 5750,
      coldStorePence: 350,
      period: ['2026-10-01', '2027-10-01'],
      payment: { method: 'finance-code', code: '+GEAA.GAAA' },
    });
    await order('free', { name: 'Free of charge', completedAt: '2026-11-10T09:00:00Z', net: 0 });
    await order('approved', { name: 'Not done yet', status: 'approved', completedAt: '2026-11-10T09:00:00Z' });
    await order('cancelled', { name: 'Cancelled', status: 'cancelled', completedAt: '2026-11-10T09:00:00Z' });
    // A new order for two years, whose licence has been renewed since: its end date has moved on,
    // and the renewal's row bills the years after; the new order's period stays the one it paid for.
    await order('renewedSince', {
      name: 'Renewed since',
      completedAt: '2025-05-12T10:00:00Z',
      termYears: 2,
      net: 54000,
      licenceDates: ['2025-05-12', '2029-05-11'],
    });
    // In summer time: 23:30 UTC on 30 June is 00:30 on 1 July in London.
    await order('summer', { name: 'Summer', completedAt: '2026-06-30T23:30:00Z' });
    const db = t.database.db;
    const quote = await db
      .insertInto('quotes')
      .values({
        person_id: await personIdOf(db, 'ar101'),
        product_code: 'RDS',
        institution_id: 'PHYS',
        customer_class: 'internal',
        licence_name: 'Physics imaging',
        size_tb: 5,
        term_years: 1,
        pence_per_tb_year: 5400,
        price_valid_from: '2026-08-01',
        net_pence: 27000,
        vat_pence: 0,
        total_pence: 27000,
        issued_on: '2026-10-20',
        valid_until: '2026-11-19',
      })
      .returning(['id', 'reference'])
      .executeTakeFirstOrThrow();
    quoteReference = quote.reference;
    await db
      .updateTable('orders')
      .set({ quote_id: quote.id })
      .where('reference', '=', o.fromDay?.reference ?? '')
      .execute();
  });
  afterAll(() => t?.close());

  it('gives Finance every order to bill in the range, one row each in order of completion then reference, with a clear header', async () => {
    const before = (await downloads()).length;
    const answer = await (await as('fn601')).get(CSV);
    expect(answer.statusCode).toBe(200);
    expect(answer.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(answer.headers['content-disposition']).toBe('attachment; filename="billing-2026-11-01-to-2026-11-30.csv"');
    expect(answer.headers['cache-control']).toBe('private, no-store');
    // RFC 4180: CRLF after every record.
    expect(answer.body.endsWith('\r\n')).toBe(true);
    expect(answer.body.split('\r\n').filter(Boolean)).toHaveLength(5);

    const [header, ...rows] = parse(answer.body, { bom: true }) as string[][];
    expect(header).toEqual(HEADER);
    const ref = (key: string) => o[key]?.reference ?? '';
    const licence = (key: string) => String(o[key]?.licenceId);
    // The two completed at the same instant are in order of reference.
    const sameInstant = [ref('external'), ref('recovery')].sort();
    expect(rows.map((row) => row[0])).toEqual([ref('fromDay'), ...sameInstant, ref('toDay')]);
    const byReference = new Map(rows.map((row) => [row[0], row]));
    expect(byReference.get(ref('fromDay'))).toEqual([
      ref('fromDay'),
      '2026-11-01',
      'research',
      'RDS',
      'new',
      licence('fromDay'),
      'Physics imaging',
      'PHYS',
      'Department of Physics',
      'internal',
      '5',
      '1',
      // A new order pays for the licence's first term: from its start date, for the order's term.
      '',
      '2026-01-01',
      '2026-12-31',
      '54.00',
      '0.00',
      '270.00',
      '0.00',
      '270.00',
      'finance-code',
      'PHAA.GAAA',
      '',
      '',
      'ar101',
      quoteReference,
    ]);
    expect(byReference.get(ref('toDay'))).toEqual([
      ref('toDay'),
      '2026-11-30',
      'research',
      'RDS',
      'increase',
      licence('toDay'),
      'Physics archive, "cold" data',
      'PHYS',
      'Department of Physics',
      'internal',
      '2',
      // An increase is priced by the day: no term in years, 'Days' is what it pays for.
      '',
      '33',
      '2026-11-30',
      '2027-01-01',
      '54.00',
      '0.00',
      '9.76',
      '0.00',
      '9.76',
      'purchase-order',
      '',
      'P1234567',
      '',
      'ar101',
      '',
    ]);
    expect(byReference.get(ref('external'))).toEqual([
      ref('external'),
      '2026-11-15',
      'institutional',
      'IFS',
      'renewal',
      licence('external'),
      // A formula, neutralised: a spreadsheet shows it as text.
      `'=HYPERLINK("http://evil.example/","Click")`,
      'KINGS',
      "King's College",
      'external',
      '3',
      '2',
      '',
      '2027-01-01',
      '2029-01-01',
      '112.50',
      '0.00',
      '675.00',
      '135.00',
      '810.00',
      'voucher',
      '',
      '',
      'IFS-WELCOME-01',
      'cb404',
      '',
    ]);
    // A recovery's net is a renewal's plus the cold-store fee: each in its own column.
    expect(byReference.get(ref('recovery'))).toEqual([
      ref('recovery'),
      '2026-11-15',
      'research',
      'RDS',
      'recovery',
      licence('recovery'),
      'Genetics cold',
      'GEN',
      'Department of Genetics',
      'internal',
      '1',
      '1',
      '',
      '2026-10-01',
      '2027-10-01',
      '54.00',
      '3.50',
      '57.50',
      '0.00',
      '57.50',
      'finance-code',
      "'+GEAA.GAAA",
      '',
      '',
      'ar101',
      '',
    ]);
    // As written: RFC 4180 quoting, and the formula's apostrophe inside the quotes.
    expect(answer.body).toContain(`,"'=HYPERLINK(""http://evil.example/"",""Click"")",`);
    expect(answer.body).toContain(',"Physics archive, ""cold"" data",');

    // Not billed: completed the day before or after, costing nothing, not completed.
    for (const key of ['dayBefore', 'dayAfter', 'free', 'approved', 'cancelled', 'summer']) {
      expect(answer.body, key).not.toContain(ref(key));
    }

    const audited = await downloads();
    expect(audited.slice(before)).toEqual([
      {
        actor_label: 'fn601',
        action: 'downloaded',
        entity_id: 'billing-2026-11-01-to-2026-11-30.csv',
        after: { firstDay: '2026-11-01', lastDay: '2026-11-30', services: ['research', 'institutional'], rows: 4 },
      },
    ]);
  });

  it('gives a new order the period it paid for, not its licence’s end date moved on by a renewal', async () => {
    const [, ...rows] = await csvOf('/admin/billing/orders.csv?from=2025-05-01&to=2025-05-31');
    expect(rows.map((row) => [row[0], row[4], row[11], row[12], row[13], row[14], row[15]])).toEqual([
      [o.renewedSince?.reference, 'new', '2', '', '2025-05-12', '2027-05-11', '54.00'],
    ]);
  });

  it('reads the days in London time: an order completed at 23:30 UTC on 30 June was completed on 1 July', async () => {
    const [, ...rows] = await csvOf('/admin/billing/orders.csv?from=2026-07-01&to=2026-07-01');
    expect(rows.map((row) => [row[0], row[1]])).toEqual([[o.summer?.reference, '2026-07-01']]);
    const [, ...june] = await csvOf('/admin/billing/orders.csv?from=2026-06-01&to=2026-06-30');
    expect(june).toEqual([]);
  });

  it('reads the file a page at a time, each page after the last one’s final order (keyset paging)', async () => {
    const parsed = parseBillingQuery({ from: '2026-06-01', to: '2026-12-31' }, ['research', 'institutional']);
    if (!parsed.ok) throw new Error('the range should parse');
    const pages: string[][] = [];
    for await (const page of billingOrderPages(t.database.db, parsed.range, 2)) {
      pages.push(page.map((row) => row.reference));
    }
    const all: string[] = [];
    for await (const page of billingOrderPages(t.database.db, parsed.range)) all.push(...page.map((r) => r.reference));
    expect(pages.map((page) => page.length)).toEqual([2, 2, 2, 1]);
    expect(pages.flat()).toEqual(all);
    expect(new Set(all).size).toBe(7);
  });

  it('takes a range to 31 December 9999 (no end) on the page, in the file and in the audit search', async () => {
    const [, ...rows] = await csvOf('/admin/billing/orders.csv?from=2026-06-01&to=9999-12-31');
    expect(rows).toHaveLength(7);
    const fn = await as('fn601');
    const page = await fn.get('/admin/billing/?from=2026-06-01&to=9999-12-31');
    expect(page.statusCode).toBe(200);
    expect(page.body).toMatch(/<dt>Orders to bill<\/dt>\s*<dd>7<\/dd>/);
    const audit = await fn.get('/admin/audit/?entityType=billing-export&from=2026-01-01&to=9999-12-31');
    expect(audit.statusCode).toBe(200);
    expect(audit.body).toContain('billing-2026-06-01-to-9999-12-31.csv');
  });

  it('gives the new orders set up before migration 0026 their licence’s first term, 29 February too', async () => {
    const db = t.database.db;
    const setUpBefore = async (name: string, startDate: string, termYears: number) => {
      const storage = await insertStorage(db, {
        name,
        owner: 'ar101',
        status: 'active',
        startDate,
        endDate: '2031-01-01',
        order: { kind: 'new', status: 'completed', sizeTb: 1, termYears, startsOn: null, endsOn: null },
      });
      return storage.order?.id ?? 0;
    };
    const leap = await setUpBefore('Set up on 29 February', '2028-02-29', 1);
    const three = await setUpBefore('Set up for three years', '2026-03-31', 3);
    // Migrations are written for any schema (Kysely<unknown>), as the migrator runs them.
    await backfillNewOrderPeriods(db as unknown as Kysely<unknown>);
    const periods = await db
      .selectFrom('orders')
      .select(['id', 'starts_on', 'ends_on'])
      .where('id', 'in', [leap, three])
      .orderBy('id')
      .execute();
    expect(periods).toEqual([
      { id: leap, starts_on: '2028-02-29', ends_on: '2029-02-27' },
      { id: three, starts_on: '2026-03-31', ends_on: '2029-03-30' },
    ]);
    // The backfill reads the rule of its day (PostgreSQL's year from 29 February ends on 27 February);
    // it ran over orders set up before December 2026, none of them on a 29 February.
    expect(licenceEndDate('2028-02-29', 1)).toBe('2029-02-28');
  });

  it('shows Finance how many orders and their totals, with a link to the file', async () => {
    const before = (await downloads()).length;
    const page = await (await as('fn601')).get(`/admin/billing/?${NOVEMBER}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<h1>Billing</h1>');
    expect(page.body).toMatch(/<dt>Orders to bill<\/dt>\s*<dd>4<\/dd>/);
    expect(page.body).toMatch(/<dt>Net<\/dt>\s*<dd>£1,012\.26<\/dd>/);
    expect(page.body).toMatch(/<dt>VAT<\/dt>\s*<dd>£135\.00<\/dd>/);
    expect(page.body).toMatch(/<dt>Total<\/dt>\s*<dd>£1,147\.26<\/dd>/);
    expect(page.body).toContain(`href="/admin/billing/orders.csv?from=2026-11-01&amp;to=2026-11-30"`);
    expect(page.body).toContain('href="/admin/billing/" aria-current="page"');
    // Both services to choose from.
    expect(page.body).toContain('<option value="research"');
    expect(page.body).toContain('<option value="institutional"');
    // Looking at the totals is not a download: nothing audited.
    expect((await downloads()).length).toBe(before);
  });

  it('opens on last month when nothing is chosen', async () => {
    const page = await (await as('fn601')).get('/admin/billing/');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('value="2026-10-01"');
    expect(page.body).toContain('value="2026-10-31"');
    expect(page.body).toMatch(/<dt>Orders to bill<\/dt>\s*<dd>1<\/dd>/);
  });

  it('gives a service team its own service’s orders only, and refuses it the other service', async () => {
    const [, ...research] = await csvOf(CSV, 'rs501');
    expect(research.map((row) => row[2])).toEqual(['research', 'research', 'research']);
    const [, ...chosen] = await csvOf(`${CSV}&service=research`, 'rs501');
    expect(chosen).toEqual(research);
    const [, ...ifs] = await csvOf(CSV, 'if502');
    expect(ifs.map((row) => row[0])).toEqual([o.external?.reference]);
    const rs = await as('rs501');
    expect((await rs.get(`${CSV}&service=institutional`)).statusCode).toBe(403);
    expect((await rs.get(`/admin/billing/?${NOVEMBER}&service=institutional`)).statusCode).toBe(403);
    expect((await (await as('if502')).get(`${CSV}&service=research`)).statusCode).toBe(403);
    const page = await rs.get(`/admin/billing/?${NOVEMBER}`);
    expect(page.body).toMatch(/<dt>Orders to bill<\/dt>\s*<dd>3<\/dd>/);
    expect(page.body).not.toContain('<option value="institutional"');
    // A superuser bills both, as Finance does.
    const [, ...all] = await csvOf(`${CSV}&service=institutional`, 'su701');
    expect(all.map((row) => row[0])).toEqual([o.external?.reference]);
    const audited = (await downloads()).filter((row) => row.actor_label === 'rs501');
    expect(audited.map((row) => row.after)).toEqual([
      { firstDay: '2026-11-01', lastDay: '2026-11-30', services: ['research'], rows: 3 },
      { firstDay: '2026-11-01', lastDay: '2026-11-30', services: ['research'], rows: 3 },
    ]);
  });

  it('answers a HEAD request for the file with its headers only: nothing read, nothing audited', async () => {
    const before = (await downloads()).length;
    const answer = await (await as('fn601')).browser.inject({ method: 'HEAD', url: CSV });
    expect(answer.statusCode).toBe(200);
    expect(answer.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(answer.headers['content-disposition']).toBe('attachment; filename="billing-2026-11-01-to-2026-11-30.csv"');
    expect(answer.body).toBe('');
    // A file read after the answer would be audited when it ends: give it the time to.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect((await downloads()).length).toBe(before);
  });

  it('lists each download in the audit trail for the staff of the services it billed', async () => {
    const search = '/admin/audit/?entityType=billing-export';
    const research = await (await as('rs501')).get(search);
    expect(research.statusCode).toBe(200);
    expect(research.body).toContain('Billing export');
    expect(research.body).toContain('billing-2026-11-01-to-2026-11-30.csv');
    // The institutional team sees Finance's downloads (both services) and its own, not rs501's.
    const ifs = await (await as('if502')).get(`${search}&actor=rs501`);
    expect(ifs.statusCode).toBe(200);
    expect(ifs.body).toContain('No entries match this search.');
    const finance = await (await as('if502')).get(`${search}&actor=fn601`);
    expect(finance.body).toContain('billing-2026-11-01-to-2026-11-30.csv');
  });

  it('refuses customers, and sends someone signed out to sign in', async () => {
    const alice = await as('ar101');
    expect((await alice.get(CSV)).statusCode).toBe(403);
    expect((await alice.get(`/admin/billing/?${NOVEMBER}`)).statusCode).toBe(403);
    const stranger = new Browser(t.app);
    for (const url of [CSV, `/admin/billing/?${NOVEMBER}`]) {
      const answer = await stranger.get(url);
      expect(answer.statusCode).toBe(302);
      expect(answer.headers.location).toBe(`/sign-in?returnTo=${encodeURIComponent(url)}`);
    }
  });

  it.each([
    ['from=2026-02-30&to=2026-03-01', 'from', 'Enter the first day as a date, for example 2026-11-01'],
    ['from=1%2F11%2F2026&to=2026-11-30', 'from', 'Enter the first day as a date, for example 2026-11-01'],
    ['from=2026-11-01&to=', 'to', 'Enter the last day, for example 2026-11-30'],
    ['from=&to=2026-11-30', 'from', 'Enter the first day, for example 2026-11-01'],
    ['from=2026-11-30&to=2026-11-01', 'to', 'The last day must be the same as or after the first day'],
    ['from=2026-11-01&to=2026-11-30&service=tape', 'service', 'Choose a service from the list'],
  ])('says what is wrong with %s, beside the field, on the page and for the file', async (query, field, message) => {
    const fn = await as('fn601');
    const before = (await downloads()).length;
    for (const url of [`/admin/billing/?${query}`, `/admin/billing/orders.csv?${query}`]) {
      const answer = await fn.get(url);
      expect(answer.headers['content-type'], url).toMatch(/^text\/html/);
      expect(answer.body).toContain('<title>Error: Billing');
      expectFieldError(answer, field, message);
    }
    expect((await downloads()).length).toBe(before);
  });
});
