import { randomUUID } from 'node:crypto';
import { extractText, getDocumentProxy } from 'unpdf';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { apiAs, changeableLicence, changeStepPath, movableClock } from '../support/change-orders.ts';
import { startTestAppWithCufs } from '../support/cufs.ts';
import { payAt, SAMPLE_PDF, submitAt } from '../support/purchase.ts';
import type { StorageFixtureOptions } from '../support/storage-fixtures.ts';
import { Browser, type TestApp } from '../support/test-app.ts';

/**
 * A quote for a change of a licence (a renewal, a recovery, more space), to raise a purchase order
 * against: asked for on the change's first page by the licence's Data Owner or a Data Manager, seen
 * by them and the storage team only, priced as the change order would be that day, and honoured
 * when the change is ordered with it, or refused when the licence has moved on.
 */
describe('quotes for a change of a licence', () => {
  let t: TestApp;
  const { clock, at, reset } = movableClock();
  let licenceNumber = 0;

  beforeAll(async () => {
    // These tests renew licences months before their end date (31 July 2027 from 27 November 2026):
    // renewal opens a year ahead here; when it opens by default is renewal-window.test.ts's.
    t = await startTestAppWithCufs({ clock, env: { RENEWAL_OPENS_DAYS_BEFORE_END: '366' } });
  }, 180_000);
  afterAll(() => t?.close());
  beforeEach(reset);

  /** An RDS licence of Alice's (Ben a Data Manager, Chloe a project member), 5 TB, to 31 July 2027. */
  async function licence(options: Partial<StorageFixtureOptions> = {}) {
    licenceNumber += 1;
    return changeableLicence(
      t.database.db,
      { licence: `Quoted ${licenceNumber}`, project: `q${licenceNumber}` },
      options,
    );
  }

  const path = changeStepPath;

  async function signedIn(crsid: string) {
    const browser = new Browser(t.app);
    await browser.signInAs(crsid);
    return browser;
  }

  /** Presses a button of the change's first page with these answers. */
  async function press(browser: Browser, id: number, kind: string, values: Record<string, string>, intent: string) {
    const csrf = await browser.csrfFrom(path(id, kind));
    return browser.post(path(id, kind), { ...values, _csrf: csrf, intent });
  }

  /** "Get a quote"; returns the quote's reference. */
  async function getQuote(browser: Browser, id: number, kind: string, values: Record<string, string>) {
    const response = await press(browser, id, kind, values, 'quote');
    expect(response.statusCode, response.body.match(/<a href="#[^"]+">([^<]+)/)?.[1]).toBe(303);
    const reference = String(response.headers.location).match(/^\/storage\/quotes\/(Q-\d{6})\/$/)?.[1];
    if (!reference) throw new Error(`no quote in ${response.headers.location}`);
    return reference;
  }

  function quoteRow(reference: string) {
    return t.database.db.selectFrom('quotes').selectAll().where('reference', '=', reference).executeTakeFirstOrThrow();
  }

  const api = (crsid: string, method: 'GET' | 'POST', url: string, payload?: object) =>
    apiAs(t, crsid, method, url, payload);

  async function apiPrice(crsid: string, id: number, payload: object) {
    const response = await api(crsid, 'POST', `/api/licences/${id}/changes/price`, payload);
    expect(response.statusCode, response.body).toBe(200);
    return response.json() as { netPence: number; vatPence: number; totalPence: number };
  }

  async function pdfText(body: Buffer): Promise<string> {
    const { text } = await extractText(await getDocumentProxy(new Uint8Array(body)), { mergePages: true });
    return text.replace(/\s+/g, ' ');
  }

  const text = (html: string) => html.replace(/<[^>]+>/g, '').replace(/\s+/g, ' ');

  const PO = {
    method: 'purchase-order',
    poNumber: 'P1234567',
    file: { bytes: SAMPLE_PDF, name: 'po.pdf' },
  } as const;

  /** Orders the change from its quote page's link with the answers the form shows, paying by purchase order. */
  async function orderWithQuote(
    browser: Browser,
    id: number,
    kind: string,
    reference: string,
    values: Record<string, string>,
  ) {
    expect((await browser.get(`${path(id, kind)}?quote=${reference}`)).statusCode).toBe(303);
    const chosen = await press(browser, id, kind, values, 'continue');
    expect(chosen.statusCode, chosen.body.match(/<a href="#[^"]+">([^<]+)/)?.[1]).toBe(303);
    expect((await payAt(browser, path(id, kind, 'payment'), PO)).statusCode).toBe(303);
    const check = await browser.get(path(id, kind, 'check'));
    return { check, ...(await submitAt(browser, path(id, kind, 'check'))) };
  }

  describe('who may ask for one and see it', () => {
    it('the Data Owner and a Data Manager get one; a project member may not; others and strangers are told it does not exist', async () => {
      const id = await licence();
      const alice = await signedIn('ar101');
      const form = await alice.get(path(id, 'renewal'));
      expect(form.body).toMatch(/<button type="submit" name="intent" value="quote"[^>]*>\s*Get a quote/);
      const reference = await getQuote(alice, id, 'renewal', { termYears: '2' });

      const page = await alice.get(`/storage/quotes/${reference}/`);
      expect(page.statusCode).toBe(200);
      const words = text(page.body);
      expect(words).toContain(
        `A renewal of “Quoted ${licenceNumber}” (5 TB) for 2 years, 1 August 2027 to 31 July 2029`,
      );
      expect(words).toContain(`Quoted ${licenceNumber} (licence number ${id})`);
      expect(words).toContain('Issued on27 November 2026');
      expect(words).toContain('Valid until27 December 2026');
      expect(words).toContain('5 TB × £54.00 per TB per year × 2 years');
      expect(words).toContain('£540.00');
      expect(page.body).toContain(`href="${path(id, 'renewal')}?quote=${reference}"`);
      expect(words).toContain('Renew with this quote');

      // In Alice's quotes on My storage, saying what it is for.
      const mine = text((await alice.get('/storage/')).body);
      expect(mine).toContain(`${reference}A renewal of “Quoted ${licenceNumber}” (5 TB) for 2 years`);

      // Ben, a Data Manager, sees it and may ask for his own.
      const ben = await signedIn('bm202');
      expect((await ben.get(`/storage/quotes/${reference}/`)).statusCode).toBe(200);
      expect((await ben.get(`/storage/quotes/${reference}/quote.pdf`)).statusCode).toBe(200);
      const bens = await getQuote(ben, id, 'renewal', { termYears: '1' });
      // Both are on the licence's page, for each of them, saying who asked (My storage lists only
      // one's own): Ben found Alice's only by its link.
      for (const keeper of [alice, ben]) {
        const licencePage = await keeper.get(`/storage/licence/${id}/`);
        expect(licencePage.body).toContain('<h2 id="licence-quotes">Quotes for changes</h2>');
        const listed = text(licencePage.body);
        expect(listed).toContain(
          `${bens}A renewal of “Quoted ${licenceNumber}” (5 TB) for 1 year, 1 August 2027 to 31 July 2028Ben Manager (bm202)£270.00`,
        );
        expect(listed).toContain(
          `${reference}A renewal of “Quoted ${licenceNumber}” (5 TB) for 2 years, 1 August 2027 to 31 July 2029Alice Researcher (ar101)£540.00`,
        );
        expect(licencePage.body).toContain(`href="/storage/quotes/${reference}/"`);
      }

      // The storage team sees it, there too.
      const rosa = await signedIn('rs501');
      expect((await rosa.get(`/storage/quotes/${reference}/`)).statusCode).toBe(200);
      expect((await rosa.get(`/storage/licence/${id}/`)).body).toContain(`href="/storage/quotes/${reference}/"`);

      // Chloe, a project member, sees the licence but may not ask for a quote, nor read Alice's.
      const chloe = await signedIn('cb404');
      const csrf = await chloe.csrfFrom('/');
      const refused = await chloe.post(path(id, 'renewal'), { termYears: '1', intent: 'quote', _csrf: csrf });
      expect(refused.statusCode).toBe(403);
      expect((await chloe.get(`/storage/quotes/${reference}/`)).statusCode).toBe(404);
      expect((await chloe.get(`/storage/quotes/${reference}/quote.pdf`)).statusCode).toBe(404);
      const chloesView = await chloe.get(`/storage/licence/${id}/`);
      expect(chloesView.statusCode).toBe(200);
      expect(chloesView.body).not.toContain('Quotes for changes');
      expect(chloesView.body).not.toContain(reference);

      // Dana, who has nothing to do with the licence, gets 404 for it and its quote.
      const dana = await signedIn('da303');
      const danaCsrf = await dana.csrfFrom('/');
      expect(
        (await dana.post(path(id, 'renewal'), { termYears: '1', intent: 'quote', _csrf: danaCsrf })).statusCode,
      ).toBe(404);
      expect((await dana.get(`/storage/quotes/${reference}/`)).statusCode).toBe(404);

      // A Data Manager who stops managing the licence no longer sees its quotes, but still sees
      // the one he asked for (as the buyer of an order still sees it).
      const benQuote = await getQuote(ben, id, 'renewal', { termYears: '3' });
      await t.database.db.deleteFrom('licence_managers').where('licence_id', '=', id).execute();
      expect((await ben.get(`/storage/quotes/${reference}/`)).statusCode).toBe(404);
      expect((await ben.get(`/storage/quotes/${benQuote}/`)).statusCode).toBe(200);
      expect((await alice.get(`/storage/quotes/${benQuote}/`)).statusCode).toBe(200);
    });

    it('a wrong term is a problem next to the field, and no quote is issued', async () => {
      const id = await licence();
      const alice = await signedIn('ar101');
      const before = await t.database.db.selectFrom('quotes').select('id').execute();
      const response = await press(alice, id, 'renewal', { termYears: '9' }, 'quote');
      expect(response.statusCode).toBe(422);
      expect(response.body).toContain('Choose a term from 1 to 5 years');
      expect(response.body).toContain('href="#termYears"');
      expect(await t.database.db.selectFrom('quotes').select('id').execute()).toHaveLength(before.length);
    });
  });

  describe('its figures are the change order’s that day', () => {
    it('a renewal of a licence that ended on 28 February 2027 is back-dated to 1 March and runs to 29 February 2028', async () => {
      at('2027-03-10');
      const id = await licence({ status: 'suspended', startDate: '2026-03-01', endDate: '2027-02-28' });
      const alice = await signedIn('ar101');
      const reference = await getQuote(alice, id, 'renewal', { termYears: '1' });
      expect(await quoteRow(reference)).toMatchObject({
        licence_id: id,
        change_kind: 'renewal',
        size_tb: 5,
        term_years: 1,
        starts_on: '2027-03-01',
        ends_on: '2028-02-29',
        pence_per_tb_year: 5_400,
        net_pence: 27_000,
        vat_pence: 0,
        total_pence: 27_000,
        issued_on: '2027-03-10',
        // Not 9 April: the licence moves to the cold store on 30 March, 30 days after its end date.
        valid_until: '2027-03-29',
      });
      const price = await apiPrice('ar101', id, { kind: 'renewal', termYears: 1 });
      expect(price).toMatchObject({ netPence: 27_000, totalPence: 27_000 });

      const words = text((await alice.get(`/storage/quotes/${reference}/`)).body);
      expect(words).toContain(
        `A renewal of “Quoted ${licenceNumber}” (5 TB) for 1 year, 1 March 2027 to 29 February 2028 (back-dated: the licence ended on 28 February 2027)`,
      );
      const pdf = await alice.get(`/storage/quotes/${reference}/quote.pdf`);
      expect(pdf.headers['content-type']).toBe('application/pdf');
      const printed = await pdfText(pdf.rawPayload);
      expect(printed).toContain(`Quotation ${reference}`);
      expect(printed).toContain('Change quoted');
      expect(printed).toContain('1 March 2027 to 29 February 2028 (back-dated: the licence ended on 28 February 2027)');
      expect(printed).toContain(`Licence: Quoted ${licenceNumber} (licence number ${id})`);
      expect(printed).toContain('5 TB × £54.00 per TB per year × 1 year');
      expect(printed).toMatch(/Total £270\.00/);
      expect(printed).toContain('upload the PO when you order the renewal');
    });

    it('issued on 31 January 2028, a quote is valid until 1 March (29 days in February); a licence ending 29 February renews from 1 March', async () => {
      at('2028-01-31');
      const id = await licence({ startDate: '2027-03-01', endDate: '2028-02-29', institutionId: 'KINGS' });
      const alice = await signedIn('ar101');
      const reference = await getQuote(alice, id, 'renewal', { termYears: '2' });
      expect(await quoteRow(reference)).toMatchObject({
        starts_on: '2028-03-01',
        ends_on: '2030-02-28',
        customer_class: 'external',
        pence_per_tb_year: 6_480,
        net_pence: 64_800,
        vat_pence: 12_960,
        total_pence: 77_760,
        valid_until: '2028-03-01',
      });
      expect(await apiPrice('ar101', id, { kind: 'renewal', termYears: 2 })).toMatchObject({ totalPence: 77_760 });
    });

    it('a recovery adds the cold-store fee to the day it is quoted; more space is priced by the day to the end date', async () => {
      const cold = await licence({ status: 'cold', startDate: '2025-10-16', endDate: '2026-10-15' });
      const alice = await signedIn('ar101');
      const recovery = await getQuote(alice, cold, 'recovery', { termYears: '1' });
      // 16 October to 27 November 2026 is 43 days: 5 TB × £12 × 43 / 365 = £7.07
      expect(await quoteRow(recovery)).toMatchObject({
        change_kind: 'recovery',
        starts_on: '2026-10-16',
        ends_on: '2027-10-15',
        cold_store_pence: 707,
        net_pence: 27_707,
        total_pence: 27_707,
      });
      const recoveryPage = text((await alice.get(`/storage/quotes/${recovery}/`)).body);
      // The fee runs from the day after the end date, read-only days included, not only the days in the cold store.
      expect(recoveryPage).toContain(
        'Cold-store fee: 5 TB for 43 days since the licence ended (16 October 2026 to 27 November 2026)',
      );
      expect(recoveryPage).not.toContain('in the cold store (');
      expect(recoveryPage).toContain('£7.07');
      const form = text((await press(alice, cold, 'recovery', { termYears: '1' }, 'price')).body);
      expect(form).toContain(
        '£7.07: 5 TB × £12.00 per TB per year × 43 days since the licence ended (16 October 2026 to 27 November 2026, both included) ÷ 365',
      );
      expect(form).toContain(
        'The cold-store fee is charged for every day from the day after the end date to today, the days the licence was read-only before it moved to the cold store included.',
      );
      expect(form).not.toContain('days in the cold store');
      expect(form).not.toContain('spent in the cold store');
      const recoveryPdf = await pdfText((await alice.get(`/storage/quotes/${recovery}/quote.pdf`)).rawPayload);
      expect(recoveryPdf).toContain(
        'Cold-store fee: 5 TB for 43 days since the licence ended (16 October 2026 to 27 November 2026) £7.07',
      );

      const active = await licence();
      const increase = await getQuote(alice, active, 'increase', { addTb: '2' });
      // 27 November 2026 to 31 July 2027 is 247 days: 2 TB × £54 × 247 / 365 = £73.08
      const price = await apiPrice('ar101', active, { kind: 'increase', addTb: 2 });
      expect(await quoteRow(increase)).toMatchObject({
        change_kind: 'increase',
        size_tb: 2,
        starts_on: '2026-11-27',
        ends_on: '2027-07-31',
        total_pence: price.totalPence,
      });
      expect(price.totalPence).toBe(7_308);
      expect(text((await alice.get(`/storage/quotes/${increase}/`)).body)).toContain(
        '2 TB × £54.00 per TB per year × 247 days (27 November 2026 to 31 July 2027, both included) ÷ 365',
      );
    });
  });

  describe('how long it holds: no longer than the change can be ordered', () => {
    it('a renewal of a read-only licence: until the day before it moves to the cold store, and says why', async () => {
      at('2026-12-08');
      // Ended 15 November: read-only, and in the cold store from 15 December (30 days after).
      const id = await licence({ status: 'suspended', startDate: '2025-11-16', endDate: '2026-11-15' });
      const alice = await signedIn('ar101');
      const reference = await getQuote(alice, id, 'renewal', { termYears: '1' });
      expect(await quoteRow(reference)).toMatchObject({ issued_on: '2026-12-08', valid_until: '2026-12-14' });
      const words = text((await alice.get(`/storage/quotes/${reference}/`)).body);
      expect(words).toContain('Valid until14 December 2026');
      expect(words).toContain('This price holds until 14 December 2026');
      expect(words).not.toContain('7 January 2027');
      const printed = await pdfText((await alice.get(`/storage/quotes/${reference}/quote.pdf`)).rawPayload);
      expect(printed).toContain(
        'Valid until: 14 December 2026, the last day this licence can be renewed before it moves to the cold store',
      );
      expect(printed).not.toContain('30 days from issue');
      expect(printed).toContain('Order the renewal on the');
      expect(printed).toContain('by 14 December 2026 to keep this price');

      // Usable to its last day; the day after, expired (even before the night has moved the licence on).
      at('2026-12-14');
      expect((await alice.get(`${path(id, 'renewal')}?quote=${reference}`)).statusCode).toBe(303);
      at('2026-12-15');
      const late = await alice.get(`${path(id, 'renewal')}?quote=${reference}`);
      expect(late.statusCode).toBe(409);
      expect(text(late.body)).toContain(`Quote ${reference} expired on 14 December 2026. Its price cannot be used`);
    });

    it('a renewal of an active licence on its end date: 29 days, its cold-store day being the 30th', async () => {
      const id = await licence({ startDate: '2025-11-28', endDate: '2026-11-27' });
      const alice = await signedIn('ar101');
      const reference = await getQuote(alice, id, 'renewal', { termYears: '1' });
      expect(await quoteRow(reference)).toMatchObject({ issued_on: '2026-11-27', valid_until: '2026-12-26' });
      // Through the API too.
      const created = await api('ar101', 'POST', `/api/licences/${id}/changes/quote`, {
        kind: 'renewal',
        termYears: 1,
      });
      expect(created.statusCode, created.body).toBe(201);
      expect(created.json()).toMatchObject({ issuedOn: '2026-11-27', validUntil: '2026-12-26', valid: true });
      // A day later its end date and the quote's 30 days agree.
      const later = await licence({ startDate: '2025-11-29', endDate: '2026-11-28' });
      const full = await getQuote(alice, later, 'renewal', { termYears: '1' });
      expect(await quoteRow(full)).toMatchObject({ valid_until: '2026-12-27' });
      const printed = await pdfText((await alice.get(`/storage/quotes/${full}/quote.pdf`)).rawPayload);
      expect(printed).toContain('Valid until: 27 December 2026 (30 days from issue)');
    });

    it('a recovery: until the day before the licence becomes due for deletion, and says why', async () => {
      // Ended 10 June 2026: due for deletion from 10 December, 6 months after.
      const id = await licence({ status: 'cold', startDate: '2025-06-11', endDate: '2026-06-10' });
      const alice = await signedIn('ar101');
      const reference = await getQuote(alice, id, 'recovery', { termYears: '1' });
      expect(await quoteRow(reference)).toMatchObject({ issued_on: '2026-11-27', valid_until: '2026-12-09' });
      const printed = await pdfText((await alice.get(`/storage/quotes/${reference}/quote.pdf`)).rawPayload);
      expect(printed).toContain(
        'Valid until: 9 December 2026, the last day this licence can be recovered before it becomes due for deletion',
      );
      const created = await api('ar101', 'POST', `/api/licences/${id}/changes/quote`, {
        kind: 'recovery',
        termYears: 1,
      });
      expect(created.json()).toMatchObject({ validUntil: '2026-12-09' });
    });

    it('more space: until the licence’s end date, and says why', async () => {
      const id = await licence({ startDate: '2025-12-16', endDate: '2026-12-15' });
      const alice = await signedIn('ar101');
      const reference = await getQuote(alice, id, 'increase', { addTb: '1' });
      expect(await quoteRow(reference)).toMatchObject({ valid_until: '2026-12-15' });
      const printed = await pdfText((await alice.get(`/storage/quotes/${reference}/quote.pdf`)).rawPayload);
      expect(printed).toContain(
        'Valid until: 15 December 2026, the licence’s end date: more space is sold only up to it',
      );
    });

    it('the change’s page says a quote may hold for less than 30 days', async () => {
      const id = await licence();
      const alice = await signedIn('ar101');
      const words = text((await alice.get(path(id, 'renewal'))).body);
      expect(words).toContain(
        '“Get a quote” gives a numbered quote at today’s price, valid for 30 days or until the last day this change can be ordered if that is sooner (the quote says which day),',
      );
    });
  });

  describe('ordering the change with the quote', () => {
    it('honours the quoted price within its validity, after the price has gone up', async () => {
      at('2029-06-01');
      const id = await licence({ startDate: '2028-08-01', endDate: '2029-07-31' });
      const alice = await signedIn('ar101');
      const reference = await getQuote(alice, id, 'renewal', { termYears: '1' });
      await t.database.db
        .insertInto('prices')
        .values({ product_code: 'RDS', customer_class: 'internal', pence_per_tb_year: 6_000, valid_from: '2029-06-10' })
        .execute();
      at('2029-06-20');
      // Without the quote the renewal costs today's price.
      expect(await apiPrice('ar101', id, { kind: 'renewal', termYears: 1 })).toMatchObject({ totalPence: 30_000 });

      const { check, response } = await orderWithQuote(alice, id, 'renewal', reference, { termYears: '1' });
      expect(text(check?.body ?? '')).toContain(`At the price of quote ${reference}, which holds until 1 July 2029.`);
      expect(response.statusCode).toBe(303);
      const order = String(response.headers.location).match(/\/orders\/(ORD-\d+)\//)?.[1] ?? '';
      const row = await t.database.db
        .selectFrom('orders')
        .innerJoin('quotes', 'quotes.id', 'orders.quote_id')
        .select([
          'orders.kind',
          'orders.starts_on',
          'orders.ends_on',
          'orders.pence_per_tb_year',
          'orders.total_pence',
          'quotes.reference',
        ])
        .where('orders.reference', '=', order)
        .executeTakeFirstOrThrow();
      expect(row).toEqual({
        kind: 'renewal',
        starts_on: '2029-08-01',
        ends_on: '2030-07-31',
        pence_per_tb_year: 5_400,
        total_pence: 27_000,
        reference,
      });
      expect(text((await alice.get(`/orders/${order}/`)).body)).toContain(`At the price of quote ${reference}.`);
    });

    it('holds a quote’s price for more space, paid from the day it is ordered; and a recovery’s figures as quoted', async () => {
      at('2026-12-01');
      const active = await licence();
      const cold = await licence({ status: 'cold', startDate: '2025-10-16', endDate: '2026-10-15' });
      const alice = await signedIn('ar101');
      const increase = await getQuote(alice, active, 'increase', { addTb: '2' });
      const recovery = await getQuote(alice, cold, 'recovery', { termYears: '1' });
      expect(await quoteRow(increase)).toMatchObject({ starts_on: '2026-12-01', total_pence: 7_190 });
      await t.database.db
        .insertInto('prices')
        .values({ product_code: 'RDS', customer_class: 'internal', pence_per_tb_year: 6_000, valid_from: '2026-12-05' })
        .execute();
      at('2026-12-11');
      // Ten days later the price has gone up, and the cold-store fee has grown.
      expect((await apiPrice('ar101', cold, { kind: 'recovery', termYears: 1 })).totalPence).toBeGreaterThan(
        (await quoteRow(recovery)).total_pence,
      );
      const ordered = async (
        id: number,
        kind: 'increase' | 'recovery',
        reference: string,
        values: Record<string, string>,
      ) => {
        const { check, response } = await orderWithQuote(alice, id, kind, reference, values);
        expect(text(check?.body ?? '')).toContain(`At the price of quote ${reference}`);
        expect(response.statusCode).toBe(303);
        const order = String(response.headers.location).match(/\/orders\/(ORD-\d+)\//)?.[1] ?? '';
        return t.database.db
          .selectFrom('orders')
          .select(['kind', 'starts_on', 'ends_on', 'pence_per_tb_year', 'total_pence', 'cold_store_pence', 'quote_id'])
          .where('reference', '=', order)
          .executeTakeFirstOrThrow();
      };
      // More space at the quote's £54.00 per TB per year, for the 233 days from 11 December to 31 July
      // (2 × £54.00 × 233 ÷ 365 = £68.94): not for the ten days gone by since the quote (£71.90).
      expect(await ordered(active, 'increase', increase, { addTb: '2' })).toEqual({
        kind: 'increase',
        starts_on: '2026-12-11',
        ends_on: '2027-07-31',
        pence_per_tb_year: 5_400,
        total_pence: 6_894,
        cold_store_pence: 0,
        quote_id: (await quoteRow(increase)).id,
      });
      const quote = await quoteRow(recovery);
      expect(await ordered(cold, 'recovery', recovery, { termYears: '1' })).toMatchObject({
        kind: 'recovery',
        pence_per_tb_year: 5_400,
        total_pence: quote.total_pence,
        cold_store_pence: quote.cold_store_pence,
        quote_id: quote.id,
      });
    });

    it('a term other than the quote’s is a problem next to the field', async () => {
      const id = await licence();
      const alice = await signedIn('ar101');
      const reference = await getQuote(alice, id, 'renewal', { termYears: '1' });
      expect((await alice.get(`${path(id, 'renewal')}?quote=${reference}`)).statusCode).toBe(303);
      const page = await alice.get(path(id, 'renewal'));
      expect(text(page.body)).toContain(`Ordering with quote ${reference}`);
      const other = await press(alice, id, 'renewal', { termYears: '2' }, 'continue');
      expect(other.statusCode).toBe(422);
      expect(text(other.body)).toContain(`Quote ${reference} is for 1 year: choose 1 year to pay its price`);
      // Ordering without the quote is at today's price, as for any order.
      expect((await alice.get(`${path(id, 'renewal')}?quote=`)).statusCode).toBe(303);
      expect((await press(alice, id, 'renewal', { termYears: '2' }, 'continue')).statusCode).toBe(303);
    });

    it('refuses a quote for a licence renewed since, with a clear message, and orders nothing', async () => {
      const id = await licence();
      const alice = await signedIn('ar101');
      const reference = await getQuote(alice, id, 'renewal', { termYears: '1' });
      expect((await alice.get(`${path(id, 'renewal')}?quote=${reference}`)).statusCode).toBe(303);
      expect((await press(alice, id, 'renewal', { termYears: '1' }, 'continue')).statusCode).toBe(303);
      expect((await payAt(alice, path(id, 'renewal', 'payment'), PO)).statusCode).toBe(303);
      const check = await alice.get(path(id, 'renewal', 'check'));
      expect(check.statusCode).toBe(200);
      // Meanwhile the licence is renewed (another way), so a renewal would now start a year later.
      await t.database.db.updateTable('licences').set({ end_date: '2028-07-31' }).where('id', '=', id).execute();
      const ordersBefore = await t.database.db.selectFrom('orders').select('id').where('licence_id', '=', id).execute();
      const response = await alice.post(path(id, 'renewal', 'check'), {
        _csrf:
          check.body
            .match(/name="_csrf" value="([^"]+)"/g)
            ?.pop()
            ?.match(/value="([^"]+)"/)?.[1] ?? '',
        submissionKey: check.body.match(/name="submissionKey" value="([^"]+)"/)?.[1] ?? '',
        acceptTerms: 'yes',
      });
      expect(response.statusCode).toBe(409);
      // Renewed to 31 July 2028, it cannot be renewed again until renewal opens (renewal-window.ts):
      // that is said rather than a way to renew at today's price, which would be refused too.
      const words = text(response.body);
      expect(words).toContain('Renewal opens on 31 July 2027, 366 days before the licence ends.');
      expect(response.body).not.toContain(`href="${path(id, 'renewal')}?quote="`);
      expect(await t.database.db.selectFrom('orders').select('id').where('licence_id', '=', id).execute()).toEqual(
        ordersBefore,
      );
    });

    it('refuses a renewal quote for a licence now in the cold store, and an expired quote', async () => {
      const id = await licence();
      const alice = await signedIn('ar101');
      const reference = await getQuote(alice, id, 'renewal', { termYears: '1' });
      await t.database.db.updateTable('licences').set({ status: 'cold' }).where('id', '=', id).execute();
      // Refused as it is followed, and not kept (a plain renewal of a licence in the cold store is refused on its own).
      const cold = await alice.get(`${path(id, 'renewal')}?quote=${reference}`);
      expect(cold.statusCode).toBe(409);
      expect(text(cold.body)).toContain(
        `Quote ${reference} no longer applies: only an active or expired (read-only) licence can be renewed; one in the cold store is recovered instead: this one is in the cold store. Its price cannot be used`,
      );

      const other = await licence();
      const old = await getQuote(alice, other, 'renewal', { termYears: '1' });
      at('2026-12-28');
      const expired = await alice.get(`${path(other, 'renewal')}?quote=${old}`);
      expect(expired.statusCode).toBe(409);
      expect(text(expired.body)).toContain(`Quote ${old} expired on 27 December 2026. Its price cannot be used`);
    });
  });

  describe('a quote the licence has moved on from', () => {
    /** The row of the quote in a table of quotes (My storage, the licence's page), as text. */
    const rowOf = (html: string, reference: string) =>
      text(html.match(new RegExp(`<tr>(?:(?!</tr>).)*${reference}(?:(?!</tr>).)*</tr>`, 's'))?.[0] ?? '');

    it('is shown as unusable wherever it is listed, saying why, with the way to today’s price', async () => {
      const id = await licence();
      const alice = await signedIn('ar101');
      const reference = await getQuote(alice, id, 'increase', { addTb: '3' });
      const why = `Quote ${reference} priced more space up to 31 July 2027, but the licence now ends on 31 July 2029`;
      // Renewed since (another way): the space the quote priced up to 31 July 2027 would now run two years longer.
      await t.database.db.updateTable('licences').set({ end_date: '2029-07-31' }).where('id', '=', id).execute();

      const page = await alice.get(`/storage/quotes/${reference}/`);
      expect(page.statusCode).toBe(200);
      const words = text(page.body);
      expect(words).not.toContain('This price holds until');
      expect(words).toContain(`This quote can no longer be used. ${why}.`);
      expect(words).toContain('You can still order the change, at today’s price');
      expect(page.body).toContain(`href="${path(id, 'increase')}?quote="`);
      expect(page.body).not.toContain(`?quote=${reference}`);
      expect(words).toContain('Increase the size at today’s price');

      for (const listing of [`/storage/licence/${id}/`, '/storage/']) {
        const row = rowOf((await alice.get(listing)).body, reference);
        expect(row, listing).toContain(reference);
        expect(row, listing).not.toContain('You can order at this price until then');
        expect(row, listing).toContain(`Can no longer be used: ${why}.`);
      }

      const json = await api('ar101', 'GET', `/api/quotes/${reference}`);
      expect(json.json()).toMatchObject({ reference, valid: false, notValidBecause: why });
    });

    it('is not kept by the change it was followed to: the plain link starts a plain change', async () => {
      const id = await licence();
      const alice = await signedIn('ar101');
      const reference = await getQuote(alice, id, 'increase', { addTb: '3' });
      await t.database.db.updateTable('licences').set({ end_date: '2029-07-31' }).where('id', '=', id).execute();

      const followed = await alice.get(`${path(id, 'increase')}?quote=${reference}`);
      expect(followed.statusCode).toBe(409);
      expect(text(followed.body)).toContain(
        `Quote ${reference} priced more space up to 31 July 2027, but the licence now ends on 31 July 2029. Its price cannot be used`,
      );
      const plain = await alice.get(path(id, 'increase'));
      expect(plain.statusCode).toBe(200);
      expect(text(plain.body)).not.toContain(`Ordering with quote ${reference}`);
      // At today's price: the form has no quote to keep to.
      expect(text(plain.body)).not.toContain('Order without the quote');
    });

    it('is no price for new storage: the buy page sends its link on to the change it quotes', async () => {
      const id = await licence();
      const alice = await signedIn('ar101');
      const reference = await getQuote(alice, id, 'increase', { addTb: '2' });
      const buy = await alice.get(`/storage/buy/RDS/?quote=${reference}`);
      expect(buy.statusCode).toBe(303);
      expect(buy.headers.location).toBe(`${path(id, 'increase')}?quote=${reference}`);
      // nothing of it is kept for new storage
      expect(JSON.stringify((await alice.get('/storage/buy/RDS/')).body)).not.toContain(reference);
    });
  });

  describe('through the JSON API', () => {
    const order = (crsid: string, id: number, extra: object) =>
      api(crsid, 'POST', `/api/licences/${id}/changes`, {
        kind: 'renewal',
        termYears: 1,
        payment: { method: 'finance-code', financeCode: 'PHAA.GAAA' },
        acceptTerms: true,
        termsVersion: '2026-08',
        submissionKey: randomUUID(),
        ...extra,
      });

    it('lets a quote pay for one change: once ordered (and done), it cannot order the same change again', async () => {
      at('2026-12-01');
      const id = await licence();
      const created = await api('ar101', 'POST', `/api/licences/${id}/changes/quote`, { kind: 'increase', addTb: 2 });
      const reference = created.json().reference as string;
      const increase = { kind: 'increase', addTb: 2, termYears: undefined, quoteReference: reference };
      const first = await order('ar101', id, increase);
      expect(first.statusCode, first.body).toBe(201);
      // Its order done (the licence made bigger, the same end date): the quote still describes a change
      // the licence could take, but it has paid for one.
      await t.database.db
        .updateTable('orders')
        .set({ status: 'completed' })
        .where('reference', '=', first.json().reference)
        .execute();
      const again = await order('ar101', id, increase);
      expect(again.statusCode).toBe(409);
      expect(again.json().error.message).toBe(
        `Quote ${reference} was used for order ${first.json().reference}: a quote pays for one order. Its price cannot be used: get a new quote, or order at today’s price.`,
      );
      // Its link on the pages is refused at once, not after choosing how to pay.
      const link = await (await signedIn('ar101')).get(`${path(id, 'increase')}?quote=${reference}`);
      expect(link.statusCode).toBe(409);
      expect(text(link.body)).toContain(`Quote ${reference} was used for order ${first.json().reference}`);
      const shown = await api('ar101', 'GET', `/api/quotes/${reference}`);
      expect(shown.json()).toMatchObject({
        valid: false,
        notValidBecause: `Quote ${reference} was used for order ${first.json().reference}: a quote pays for one order`,
      });
      // Without the quote, the same change is ordered at today's price.
      const plain = await order('ar101', id, { ...increase, quoteReference: undefined });
      expect(plain.statusCode, plain.body).toBe(201);
    });

    it('issues a quote for a change to its Data Owner and Data Managers only, at the change’s price', async () => {
      const id = await licence({ institutionId: 'KINGS' });
      const created = await api('bm202', 'POST', `/api/licences/${id}/changes/quote`, {
        kind: 'renewal',
        termYears: 2,
      });
      expect(created.statusCode, created.body).toBe(201);
      const price = await apiPrice('bm202', id, { kind: 'renewal', termYears: 2 });
      expect(created.json()).toMatchObject({
        licenceName: `Quoted ${licenceNumber}`,
        customerClass: 'external',
        sizeTb: 5,
        termYears: 2,
        pencePerTbYear: 6_480,
        netPence: price.netPence,
        vatPence: price.vatPence,
        totalPence: price.totalPence,
        issuedOn: '2026-11-27',
        validUntil: '2026-12-27',
        valid: true,
        change: { licenceId: id, kind: 'renewal', startsOn: '2027-08-01', endsOn: '2029-07-31', coldStorePence: 0 },
      });
      const reference = created.json().reference as string;
      expect((await api('ar101', 'GET', `/api/quotes/${reference}`)).statusCode).toBe(200);
      expect((await api('cb404', 'GET', `/api/quotes/${reference}`)).statusCode).toBe(404);
      // A project member is refused (403), a stranger told there is no such licence (404).
      expect(
        (await api('cb404', 'POST', `/api/licences/${id}/changes/quote`, { kind: 'renewal', termYears: 1 })).statusCode,
      ).toBe(403);
      expect(
        (await api('da303', 'POST', `/api/licences/${id}/changes/quote`, { kind: 'renewal', termYears: 1 })).statusCode,
      ).toBe(404);
      const cancellation = await api('ar101', 'POST', `/api/licences/${id}/changes/quote`, { kind: 'cancellation' });
      expect(cancellation.statusCode).toBe(422);
      // New storage's quotes say they are for no change.
      const list = await api('bm202', 'GET', '/api/quotes');
      expect(list.json().quotes[0]).toMatchObject({ reference, change: { kind: 'renewal' } });
    });

    it('orders the change at the quote’s price, refuses another term, a licence renewed since and a quote not found', async () => {
      at('2029-09-01');
      const id = await licence({ startDate: '2028-10-01', endDate: '2029-09-30' });
      const created = await api('ar101', 'POST', `/api/licences/${id}/changes/quote`, {
        kind: 'renewal',
        termYears: 1,
      });
      const reference = created.json().reference as string;
      await t.database.db
        .insertInto('prices')
        .values({ product_code: 'RDS', customer_class: 'internal', pence_per_tb_year: 7_000, valid_from: '2029-09-05' })
        .execute();
      at('2029-09-10');
      expect(await apiPrice('ar101', id, { kind: 'renewal', termYears: 1 })).toMatchObject({ totalPence: 35_000 });
      // Priced with the quote, it has the quote's figures, as ordering with it charges them.
      expect(await apiPrice('ar101', id, { kind: 'renewal', termYears: 1, quoteReference: reference })).toMatchObject({
        totalPence: created.json().totalPence,
        pencePerTbYear: created.json().pencePerTbYear,
        period: { startsOn: '2029-10-01', endsOn: '2030-09-30' },
      });
      const pricedOtherTerm = await api('ar101', 'POST', `/api/licences/${id}/changes/price`, {
        kind: 'renewal',
        termYears: 2,
        quoteReference: reference,
      });
      expect(pricedOtherTerm.statusCode).toBe(422);
      expect(pricedOtherTerm.json().error.fields.termYears).toBe(
        `Quote ${reference} is for 1 year: choose 1 year to pay its price`,
      );
      const pricedMissing = await api('ar101', 'POST', `/api/licences/${id}/changes/price`, {
        kind: 'renewal',
        termYears: 1,
        quoteReference: 'Q-999999',
      });
      expect(pricedMissing.statusCode).toBe(422);
      expect(pricedMissing.json().error.fields.quoteReference).toContain('We could not find quote Q-999999');

      const otherTerm = await order('ar101', id, { termYears: 2, quoteReference: reference });
      expect(otherTerm.statusCode).toBe(422);
      expect(otherTerm.json().error.fields.termYears).toBe(
        `Quote ${reference} is for 1 year: choose 1 year to pay its price`,
      );
      const missing = await order('ar101', id, { quoteReference: 'Q-999999' });
      expect(missing.statusCode).toBe(422);
      expect(missing.json().error.fields.quoteReference).toContain('We could not find quote Q-999999');

      // Quoted at the price before 5 September 2029, ordered after it rose to £70.00.
      const quotedTotal = created.json().totalPence as number;
      expect(quotedTotal).toBeLessThan(35_000);
      const submissionKey = randomUUID();
      const ordered = await order('ar101', id, {
        quoteReference: reference,
        expectedTotalPence: quotedTotal,
        submissionKey,
      });
      expect(ordered.statusCode, ordered.body).toBe(201);
      expect(ordered.json()).toMatchObject({
        kind: 'renewal',
        price: { totalPence: quotedTotal },
        quoteReference: reference,
      });
      // Its key sent again is the retry it is, the quote's reference in any case; the same key
      // without the quote, or with another, orders something else and is refused, not answered
      // with this order as though it were that one.
      const retried = await order('ar101', id, { quoteReference: reference.toLowerCase(), submissionKey });
      expect(retried.statusCode, retried.body).toBe(201);
      expect(retried.json().reference).toBe(ordered.json().reference);
      for (const quoteReference of [undefined, 'Q-999999']) {
        const reused = await order('ar101', id, { quoteReference, submissionKey });
        expect(reused.statusCode, reused.body).toBe(422);
        expect(reused.json().error.fields.submissionKey).toContain(
          `This submission key was used for ${ordered.json().reference}`,
        );
      }

      // Another licence's quote, once that licence has been renewed by other means, is refused.
      at('2029-09-01');
      const other = await licence({ startDate: '2028-10-01', endDate: '2029-09-30' });
      const stale = (
        await api('ar101', 'POST', `/api/licences/${other}/changes/quote`, { kind: 'renewal', termYears: 1 })
      ).json().reference as string;
      await t.database.db.updateTable('licences').set({ end_date: '2030-09-30' }).where('id', '=', other).execute();
      const refused = await order('ar101', other, { quoteReference: stale });
      expect(refused.statusCode).toBe(409);
      // Renewed to 30 September 2030, it cannot be renewed again until renewal opens (renewal-window.ts).
      expect(refused.json().error.message).toBe(
        'Renewal opens on 29 September 2029, 366 days before the licence ends.',
      );
      expect(
        await t.database.db.selectFrom('orders').select('id').where('licence_id', '=', other).execute(),
      ).toHaveLength(1);
    });
  });
});
