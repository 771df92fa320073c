import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { apiAs, changeStepPath, movableClock } from '../support/change-orders.ts';
import { type Configuration, configure, pay, SAMPLE_PDF } from '../support/purchase.ts';
import { insertStorage } from '../support/storage-fixtures.ts';
import { Browser, startTestApp, type TestApp } from '../support/test-app.ts';

/**
 * What a quote that can no longer be used says, and offers: the reason that matters most wins (used
 * for an order, then its licence gone or moved on, then expired), and nothing is offered that cannot
 * work or would buy the same storage twice. And a quote followed once does not follow the buyer
 * into a purchase started afresh.
 */
describe('a quote that can no longer be used', () => {
  let t: TestApp;
  const { clock, at, reset } = movableClock();

  beforeAll(async () => {
    t = await startTestApp({ clock });
  }, 180_000);
  afterAll(() => t?.close());
  beforeEach(reset);

  const IFS_3TB: Configuration = {
    sizeTb: '3',
    termYears: '1',
    institutionId: 'CHEM',
    licenceName: 'Chemistry shared drive',
    ownerCrsid: 'da303',
    managerCrsids: '',
    projectName: 'chem-shared',
  };

  async function signedIn(crsid: string) {
    const browser = new Browser(t.app);
    await browser.signInAs(crsid);
    return browser;
  }

  async function newStorageQuote(browser: Browser, configuration: Configuration): Promise<string> {
    const csrf = await browser.csrfFrom('/storage/IFS/');
    const response = await browser.post('/storage/buy/IFS/quote', { ...configuration, _csrf: csrf });
    expect(response.statusCode, response.body).toBe(303);
    const reference = String(response.headers.location).match(/(Q-\d{6})/)?.[1];
    if (!reference) throw new Error(`no quote in ${response.headers.location}`);
    return reference;
  }

  const text = (html: string) =>
    html
      .replace(/<[^>]+>/g, ' ')
      .replace(/&nbsp;|\s+/g, ' ')
      .replace(/&#x27;|&#39;/g, "'")
      .replace(/ \./g, '.');
  /** The row of the quote in a table of quotes (My storage, a licence's page), as text. */
  const rowOf = (html: string, reference: string) =>
    text(html.match(new RegExp(`<tr>(?:(?!</tr>).)*${reference}(?:(?!</tr>).)*</tr>`, 's'))?.[0] ?? '');

  it('names the order that used it, before and after it expires, and offers no second purchase', async () => {
    const dana = await signedIn('da303');
    const reference = await newStorageQuote(dana, IFS_3TB);
    const quote = await t.database.db
      .selectFrom('quotes')
      .select('id')
      .where('reference', '=', reference)
      .executeTakeFirstOrThrow();
    // The storage bought with it: its order keeps the quote.
    const { order } = await insertStorage(t.database.db, {
      name: 'Chemistry shared drive',
      productCode: 'IFS',
      institutionId: 'CHEM',
      owner: 'da303',
      sizeTb: 3,
      status: 'active',
      startDate: '2026-11-27',
      endDate: '2027-11-26',
      order: { status: 'completed', pencePerTbYear: 15_000 },
    });
    if (!order) throw new Error('no order');
    await t.database.db.updateTable('orders').set({ quote_id: quote.id }).where('id', '=', order.id).execute();

    for (const day of ['2026-11-28', '2027-01-15']) {
      at(day);
      // Signed in again: a session lasts hours, not weeks.
      const dana = await signedIn('da303');
      const page = await dana.get(`/storage/quotes/${reference}/`);
      expect(page.statusCode).toBe(200);
      const words = text(page.body);
      expect(words, day).toContain(`This quote was used for order ${order.reference}.`);
      expect(words, day).not.toContain('expired');
      expect(words, day).not.toContain('You can still buy the storage');
      expect(words, day).not.toContain('Buy this storage');
      expect(page.body, day).not.toContain(`/storage/buy/IFS/?quote=`);
      expect(page.body, day).toContain(`href="/orders/${order.reference}/"`);
      const row = rowOf((await dana.get('/storage/')).body, reference);
      expect(row, day).toContain(`Used for order ${order.reference}`);
      expect(row, day).not.toContain('Expired');
      const json = await apiAs(t, 'da303', 'GET', `/api/quotes/${reference}`);
      expect(json.json(), day).toMatchObject({
        valid: false,
        notValidBecause: `Quote ${reference} was used for order ${order.reference}: a quote pays for one order`,
      });
    }
  });

  it('says its licence has gone rather than that it expired, and offers no change that would be refused', async () => {
    // A licence in the cold store since 31 October 2026, recovered by a quote, then deleted.
    const { licenceId: id } = await insertStorage(t.database.db, {
      name: 'Old spectra',
      owner: 'ar101',
      sizeTb: 2,
      status: 'cold',
      startDate: '2025-11-01',
      endDate: '2026-10-31',
      order: { status: 'completed' },
    });
    const asked = await apiAs(t, 'ar101', 'POST', `/api/licences/${id}/changes/quote`, {
      kind: 'recovery',
      termYears: 1,
    });
    expect(asked.statusCode, asked.body).toBe(201);
    const reference: string = asked.json().reference;
    await t.database.db.updateTable('licences').set({ status: 'deleted' }).where('id', '=', id).execute();
    const why = `Quote ${reference} no longer applies: only a licence in the cold store can be recovered: this one is deleted`;

    at('2027-01-15');
    const alice = await signedIn('ar101');
    const page = await alice.get(`/storage/quotes/${reference}/`);
    expect(page.statusCode).toBe(200);
    const words = text(page.body);
    expect(words).toContain(`This quote can no longer be used. ${why}.`);
    expect(words).not.toContain('This quote expired');
    expect(words).not.toContain('You can still order the change');
    expect(page.body).not.toContain(`${changeStepPath(id, 'recovery')}?quote=`);
    expect(page.body).toContain(`href="/storage/licence/${id}/"`);

    for (const listing of [`/storage/licence/${id}/`, '/storage/']) {
      const row = rowOf((await alice.get(listing)).body, reference);
      expect(row, listing).toContain(`Can no longer be used: ${why}.`);
      expect(row, listing).not.toContain('Expired');
    }
    const json = await apiAs(t, 'ar101', 'GET', `/api/quotes/${reference}`);
    expect(json.json()).toMatchObject({ valid: false, notValidBecause: why });
  });

  it('still offers an expired quote’s storage at today’s price when nothing else is wrong', async () => {
    const reference = await newStorageQuote(await signedIn('da303'), { ...IFS_3TB, licenceName: 'Chemistry archive' });
    at('2027-01-15');
    const dana = await signedIn('da303');
    const page = await dana.get(`/storage/quotes/${reference}/`);
    const words = text(page.body);
    expect(words).toContain('This quote expired on 27 December 2026.');
    expect(words).toContain('You can still buy the storage, at today’s price');
    expect(page.body).toContain(`href="/storage/buy/IFS/?quote=${reference}"`);
    expect(rowOf((await dana.get('/storage/')).body, reference)).toContain(
      "Expired: ask for a new quote to order at today's price.",
    );
  });
});

describe('a purchase started afresh', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  }, 180_000);
  afterAll(() => t?.close());

  it('leaves behind the quote an earlier “Buy this storage” followed', async () => {
    const dana = new Browser(t.app);
    await dana.signInAs('da303');
    const csrf = await dana.csrfFrom('/storage/IFS/');
    const quoted = await dana.post('/storage/buy/IFS/quote', {
      sizeTb: '3',
      termYears: '1',
      institutionId: 'CHEM',
      licenceName: 'Chemistry shared drive',
      ownerCrsid: 'da303',
      managerCrsids: '',
      projectName: 'chem-shared',
      _csrf: csrf,
    });
    const reference = String(quoted.headers.location).match(/(Q-\d{6})/)?.[1];
    expect(reference).toBeDefined();
    // "Buy this storage", then not: a different 2 TB licence started again from the product's page.
    expect((await dana.get(`/storage/buy/IFS/?quote=${reference}`)).statusCode).toBe(200);
    expect((await dana.get('/storage/IFS/')).statusCode).toBe(200);
    const other: Configuration = {
      sizeTb: '2',
      termYears: '1',
      institutionId: 'CHEM',
      licenceName: 'Chemistry teaching share',
      ownerCrsid: 'da303',
      managerCrsids: '',
      projectName: 'chem-teaching',
    };
    expect((await configure(dana, 'IFS', other)).statusCode).toBe(303);
    const paid = await pay(dana, 'IFS', {
      method: 'purchase-order',
      poNumber: 'PO-2026-7',
      file: { bytes: SAMPLE_PDF, name: 'po.pdf' },
    });
    expect(paid.statusCode, paid.body.slice(0, 300)).toBe(303);
    const check = await dana.get('/storage/buy/IFS/check');
    expect(check.statusCode).toBe(200);
    expect(check.body).not.toContain(String(reference));
    expect(check.body).toContain('£300.00');

    // Following the quote's own button still buys with it, through the steps.
    expect((await dana.get(`/storage/buy/IFS/?quote=${reference}`)).statusCode).toBe(200);
    expect((await dana.get('/storage/buy/IFS/')).body).toContain('Chemistry shared drive');
    const withQuote = await dana.get('/storage/buy/IFS/check');
    expect(withQuote.body).toContain(String(reference));
  });
});
