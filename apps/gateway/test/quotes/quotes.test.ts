import { extractText, getDocumentProxy } from 'unpdf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { priceConfiguration, productOnSale } from '../../src/modules/orders/purchase-configuration.service.ts';
import { createQuote, listQuotesForPerson } from '../../src/modules/quotes/quotes.service.ts';
import { fixedClock } from '../../src/platform/clock.ts';
import type { Executor } from '../../src/platform/db/database.ts';
import { apiAs } from '../support/change-orders.ts';
import { Browser, startTestApp, type TestApp } from '../support/test-app.ts';

const physRds = {
  sizeTb: '5',
  termYears: '3',
  institutionId: 'PHYS',
  licenceName: 'Dark matter survey',
  ownerCrsid: 'ar101',
  managerCrsids: 'bm202',
  projectName: 'dark-matter',
};

async function countQuotes(db: Executor): Promise<number> {
  const row = await db
    .selectFrom('quotes')
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

/** One signed-in browser per person and app: sign-in is rate limited, as it is for real. */
const browsers = new WeakMap<TestApp, Map<string, { browser: Browser; csrf: string }>>();

async function signedIn(t: TestApp, crsid: string): Promise<{ browser: Browser; csrf: string }> {
  const forApp = browsers.get(t) ?? new Map<string, { browser: Browser; csrf: string }>();
  browsers.set(t, forApp);
  const known = forApp.get(crsid);
  if (known) return known;
  const browser = new Browser(t.app);
  await browser.signInAs(crsid);
  const session = { browser, csrf: await browser.csrfFrom('/') };
  forApp.set(crsid, session);
  return session;
}

/** Asks for a quote and follows the redirect; returns the quote's address and reference. */
async function getQuote(
  t: TestApp,
  crsid: string,
  product: string,
  form: Record<string, string>,
): Promise<{ url: string; reference: string; browser: Browser }> {
  const { browser, csrf } = await signedIn(t, crsid);
  const response = await browser.post(`/storage/buy/${product}/quote`, { ...form, _csrf: csrf });
  expect(response.statusCode, response.body).toBe(303);
  const url = String(response.headers.location);
  const reference = url.match(/^\/storage\/quotes\/(Q-\d{6})\/$/)?.[1];
  if (!reference) throw new Error(`unexpected redirect to ${url}`);
  return { url, reference, browser };
}

async function pdfText(body: Buffer): Promise<string> {
  const { text } = await extractText(await getDocumentProxy(new Uint8Array(body)), { mergePages: true });
  return text.replace(/\s+/g, ' ');
}

describe('quotes', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('issues a numbered quote for an internal department and shows its price, validity and next steps', async () => {
    const before = await countQuotes(t.database.db);
    const { url, reference, browser } = await getQuote(t, 'ar101', 'rds', physRds);
    expect(await countQuotes(t.database.db)).toBe(before + 1);

    const page = await browser.get(url);
    expect(page.statusCode).toBe(200);
    const body = page.body;
    expect(body).toContain(`Quote ${reference}`);
    expect(body).toContain('27 November 2026');
    expect(body).toContain('27 December 2026');
    expect(body).not.toContain('This quote expired');
    expect(body).toContain('Department of Physics (PHYS)');
    expect(body).toContain('Research Data Store (RDS)');
    expect(body).toContain('Research Computing Services');
    expect(body).toContain('5 TB × £54.00 per TB per year × 3 years');
    expect(body).toContain('£810.00');
    expect(body).toContain('VAT: none (internal customer)');
    expect(body).toMatch(/<th scope="row">Total<\/th><td><strong>£810\.00<\/strong>/);
    expect(body).toContain(`href="/storage/quotes/${reference}/quote.pdf"`);
    expect(body).toContain('Download the quote (PDF)');
    expect(body).toContain('href="/help/payment-methods/"');
    expect(body).toContain(`href="/storage/buy/RDS/?quote=${reference}"`);
    expect(body).toContain('Buy this storage');
  });

  it('stores the frozen price and writes an audit row in the same request', async () => {
    const { reference } = await getQuote(t, 'ar101', 'RDS', physRds);
    const stored = await t.database.db
      .selectFrom('quotes')
      .selectAll()
      .where('reference', '=', reference)
      .executeTakeFirstOrThrow();
    expect(stored).toMatchObject({
      product_code: 'RDS',
      institution_id: 'PHYS',
      customer_class: 'internal',
      licence_name: 'Dark matter survey',
      size_tb: 5,
      term_years: 3,
      pence_per_tb_year: 5_400,
      price_valid_from: '2026-08-01',
      net_pence: 81_000,
      vat_pence: 0,
      total_pence: 81_000,
      issued_on: '2026-11-27',
      valid_until: '2026-12-27',
    });
    const audit = await t.database.db
      .selectFrom('audit_events')
      .selectAll()
      .where('entity_type', '=', 'quote')
      .where('entity_id', '=', reference)
      .execute();
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ action: 'issued', actor_label: 'ar101' });
    expect(audit[0]?.after).toMatchObject({ total_pence: 81_000, valid_until: '2026-12-27' });
  });

  it('adds VAT for an external customer (a College)', async () => {
    const { url, browser } = await getQuote(t, 'cb404', 'RDS', {
      ...physRds,
      sizeTb: '2',
      termYears: '1',
      institutionId: 'KINGS',
      ownerCrsid: 'cb404',
      managerCrsids: '',
      licenceName: 'College archive',
    });
    const body = (await browser.get(url)).body;
    expect(body).toContain("King's College (KINGS)");
    expect(body).toContain('2 TB × £64.80 per TB per year × 1 year');
    expect(body).toContain('£129.60');
    expect(body).toMatch(/VAT at 20%<\/td><td>£25\.92/);
    expect(body).toMatch(/<th scope="row">Total<\/th><td><strong>£155\.52<\/strong>/);
    expect(body).not.toContain('VAT: none');
  });

  it('downloads the quote as a PDF with its reference, total and licence name as written', async () => {
    const { url, reference, browser } = await getQuote(t, 'cb404', 'RDS', {
      ...physRds,
      sizeTb: '2',
      termYears: '1',
      institutionId: 'KINGS',
      ownerCrsid: 'cb404',
      managerCrsids: '',
      licenceName: 'Zoë’s α ✓ Ж',
    });
    const pdf = await browser.get(`${url}quote.pdf`);
    expect(pdf.statusCode).toBe(200);
    expect(pdf.headers['content-type']).toBe('application/pdf');
    expect(pdf.headers['content-disposition']).toBe(`attachment; filename="${reference}.pdf"`);
    expect(pdf.headers['cache-control']).toBe('private, no-store');
    const text = await pdfText(pdf.rawPayload);
    expect(text).toContain(`Quotation ${reference}`);
    expect(text).toContain('Chloe Bursar (cb404)');
    expect(text).toContain('Licence name: Zoë’s α ✓ Ж');
    expect(text).toMatch(/VAT at 20% £25\.92/);
    expect(text).toMatch(/Total £155\.52/);
    expect(text).toContain(`quoting ${reference}`);
    expect(text).toContain('storage-support@example.ac.uk');
  });

  it('re-shows the form with every problem for bad input, and stores no quote', async () => {
    const { browser, csrf } = await signedIn(t, 'ar101');
    const before = await countQuotes(t.database.db);

    const shape = await browser.post('/storage/buy/RDS/quote', {
      ...physRds,
      sizeTb: '0',
      termYears: '7',
      _csrf: csrf,
    });
    expect(shape.statusCode).toBe(422);
    expect(shape.body).toContain('There is a problem');
    expect(shape.body).toContain('The size must be at least 1 TB');
    expect(shape.body).toContain('Choose one of the terms offered: 1 year, 2 years, 3 years, 4 years, 5 years');
    expect(shape.body).toContain('href="#sizeTb"');
    expect(shape.body).toMatch(/<input[^>]*id="sizeTb"[^>]*aria-describedby="sizeTb-hint sizeTb-error"/);
    expect(shape.body).toMatch(/<input[^>]*id="sizeTb"[^>]*aria-invalid="true"/);
    expect(shape.body).toContain('<option value="PHYS" selected>Department of Physics</option>');
    // The configure page again, whose "Get a quote" button posts here.
    expect(shape.body).toContain('formaction="/storage/buy/RDS/quote"');
    expect(shape.body).toContain('value="Dark matter survey"');
    expect(shape.body).toMatch(/<title>Error: Buy Research Data Store/);

    const unknown = await browser.post('/storage/buy/RDS/quote', { ...physRds, ownerCrsid: 'zz999', _csrf: csrf });
    expect(unknown.statusCode).toBe(422);
    expect(unknown.body).toContain('No one with the CRSid zz999 is in the University directory');
    expect(unknown.body).toContain('value="zz999"');

    expect(await countQuotes(t.database.db)).toBe(before);
  });

  it('answers a product that is not on sale with a 404', async () => {
    const { browser, csrf } = await signedIn(t, 'ar101');
    const response = await browser.post('/storage/buy/NOPE/quote', { ...physRds, _csrf: csrf });
    expect(response.statusCode).toBe(404);
  });

  it('refuses a quote request without its CSRF token', async () => {
    const { browser } = await signedIn(t, 'ar101');
    const before = await countQuotes(t.database.db);
    const response = await browser.post('/storage/buy/RDS/quote', physRds);
    expect(response.statusCode).toBe(403);
    expect(await countQuotes(t.database.db)).toBe(before);
  });

  it('shows a quote only to the person who asked for it and the staff of its service', async () => {
    const { url } = await getQuote(t, 'ar101', 'RDS', physRds);
    const pdfUrl = `${url}quote.pdf`;
    const missing = await (await signedIn(t, 'bm202')).browser.get('/storage/quotes/Q-999999/');

    const other = (await signedIn(t, 'bm202')).browser;
    for (const address of [url, pdfUrl]) {
      const response = await other.get(address);
      expect(response.statusCode, address).toBe(404);
      expect(response.body).not.toContain('Dark matter survey');
    }
    // The same answer as for a quote that does not exist: nothing says this one does.
    expect(missing.statusCode).toBe(404);
    const main = (body: string) => body.match(/<main[\s\S]*<\/main>/)?.[0].replace(/Q-\d{6}/g, 'Q-?');
    expect(main((await other.get(url)).body)).toBe(main(missing.body));

    const researchStaff = (await signedIn(t, 'rs501')).browser;
    const staffView = await researchStaff.get(url);
    expect(staffView.statusCode).toBe(200);
    expect((await researchStaff.get(pdfUrl)).statusCode).toBe(200);
    // The team reads it, but only Alice buys with it: no button for them, and its link is refused.
    expect(staffView.body).not.toContain('Buy this storage');
    expect(staffView.body).toContain('Only Alice Researcher, who asked for it, can buy with this quote.');
    const reference = url.match(/Q-\d{6}/)?.[0];
    const buy = await researchStaff.get(`/storage/buy/RDS/?quote=${reference}`);
    expect(buy.statusCode).toBe(403);
    expect(buy.body).toContain(`Quote ${reference} was asked for by Alice Researcher: only they can buy with it.`);

    const finance = (await signedIn(t, 'fn601')).browser;
    expect((await finance.get(url)).statusCode).toBe(200);

    const institutionalStaff = (await signedIn(t, 'if502')).browser;
    expect((await institutionalStaff.get(url)).statusCode).toBe(404);
    expect((await institutionalStaff.get(pdfUrl)).statusCode).toBe(404);
  });

  it('sends people who are signed out to sign in', async () => {
    const { url } = await getQuote(t, 'ar101', 'RDS', physRds);
    const anonymous = new Browser(t.app);
    const page = await anonymous.get(url);
    expect(page.statusCode).toBe(302);
    expect(page.headers.location).toBe(`/sign-in?returnTo=${encodeURIComponent(url)}`);
    const pdf = await anonymous.get(`${url}quote.pdf`);
    expect(pdf.statusCode).toBe(302);
    expect(pdf.headers['content-type']).not.toBe('application/pdf');

    const before = await countQuotes(t.database.db);
    const csrf = await anonymous.csrfFrom('/dev/sign-in');
    const post = await anonymous.post('/storage/buy/RDS/quote', { ...physRds, _csrf: csrf });
    expect(post.statusCode).toBe(401);
    expect(await countQuotes(t.database.db)).toBe(before);
  });

  it("lists a person's quotes newest first", async () => {
    const first = await getQuote(t, 'da303', 'IFS', {
      ...physRds,
      sizeTb: '1',
      termYears: '1',
      institutionId: 'CHEM',
      ownerCrsid: 'da303',
      managerCrsids: '',
    });
    const second = await getQuote(t, 'da303', 'RCS', {
      ...physRds,
      sizeTb: '10',
      termYears: '10',
      institutionId: 'CHEM',
      ownerCrsid: 'da303',
      managerCrsids: '',
    });
    const person = await t.database.db
      .selectFrom('people')
      .select('id')
      .where('crsid', '=', 'da303')
      .executeTakeFirstOrThrow();
    const quotes = await listQuotesForPerson(t.database.db, person.id);
    expect(quotes.map((quote) => quote.reference)).toEqual([second.reference, first.reference]);
    expect(quotes[0]).toMatchObject({ productCode: 'RCS', sizeTb: 10, termYears: 10, netPence: 10 * 1_200 * 10 });
    expect(quotes[1]).toMatchObject({ productCode: 'IFS', service: 'institutional', totalPence: 15_000 });
  });

  it('fills "Buy this storage" with exactly what the quote was asked for, not an earlier attempt’s answers', async () => {
    const { browser, csrf } = await signedIn(t, 'bm202');
    // An earlier attempt, abandoned at the payment step.
    const abandoned = await browser.post('/storage/buy/RDS/', {
      ...physRds,
      sizeTb: '1',
      licenceName: 'old attempt',
      ownerCrsid: 'ar101',
      managerCrsids: 'da303',
      projectName: 'oldproj',
      intent: 'continue',
      _csrf: csrf,
    });
    expect(abandoned.statusCode).toBe(303);
    const asked = {
      ...physRds,
      sizeTb: '6',
      termYears: '3',
      licenceName: 'Real order',
      ownerCrsid: 'bm202',
      managerCrsids: 'cb404',
      projectName: 'newproj',
    };
    const { url, reference } = await getQuote(t, 'bm202', 'RDS', asked);
    const stored = await t.database.db
      .selectFrom('quotes')
      .select(['owner_crsid', 'manager_crsids', 'project_name'])
      .where('reference', '=', reference)
      .executeTakeFirstOrThrow();
    expect(stored).toEqual({ owner_crsid: 'bm202', manager_crsids: ['cb404'], project_name: 'newproj' });
    const api = await apiAs(t, 'bm202', 'GET', `/api/quotes/${reference}`);
    expect(api.json()).toMatchObject({ ownerCrsid: 'bm202', managerCrsids: ['cb404'], projectName: 'newproj' });

    const quotePage = await browser.get(url);
    expect(quotePage.body).toMatch(/Data Owner<\/dt>\s*<dd>[^<]*bm202/);
    expect(quotePage.body).toContain('newproj');

    /** The configure page filled in with the quote's answers, and nothing of the abandoned attempt. */
    const expectQuoted = (body: string) => {
      expect(body).toContain('name="sizeTb" value="6"');
      expect(body).toContain('name="licenceName" value="Real order"');
      expect(body).toContain('name="ownerCrsid" value="bm202"');
      expect(body).toContain('name="managerCrsids" value="cb404"');
      expect(body).toContain('name="projectName" value="newproj"');
      expect(body).not.toContain('da303');
      expect(body).not.toContain('oldproj');
    };
    const buy = await browser.get(`/storage/buy/RDS/?quote=${reference}`);
    expect(buy.statusCode).toBe(200);
    expectQuoted(buy.body);

    // Opened later in another browser, with no attempt behind it: the same answers.
    const elsewhere = new Browser(t.app);
    await elsewhere.signInAs('bm202');
    const fresh = await elsewhere.get(`/storage/buy/RDS/?quote=${reference}`);
    expect(fresh.statusCode).toBe(200);
    expectQuoted(fresh.body);

    // Asking for the quote kept the answers as the purchase in progress too.
    const plain = await browser.get('/storage/buy/RDS/');
    expect(plain.body).toContain('name="licenceName" value="Real order"');
    expect(plain.body).toContain('name="projectName" value="newproj"');
  });
});

describe('an expired quote', () => {
  let t: TestApp;
  // 31 days after the quotes below were issued on 2026-11-27.
  beforeAll(async () => {
    t = await startTestApp({ clock: fixedClock('2026-12-28T10:00:00Z') });
  });
  afterAll(() => t.close());

  async function issue(issuedOn: string): Promise<string> {
    const db = t.database.db;
    const person = await db
      .selectFrom('people')
      .select(['id', 'crsid'])
      .where('crsid', '=', 'ar101')
      .executeTakeFirstOrThrow();
    const product = await productOnSale(db, 'RDS', issuedOn);
    const priced = await priceConfiguration({ db, directory: t.directory }, product, physRds, issuedOn, {
      buyer: { institutionId: 'PHYS' },
    });
    if (!priced.ok) throw new Error(JSON.stringify(priced.errors));
    return (await createQuote(db, person, priced.value, issuedOn)).reference;
  }

  it('says so 31 days after it was issued, and still holds on its 30th day', async () => {
    const old = await issue('2026-11-27');
    const recent = await issue('2026-11-28');
    const { browser } = await signedIn(t, 'ar101');

    const expired = await browser.get(`/storage/quotes/${old}/`);
    expect(expired.statusCode).toBe(200);
    expect(expired.body).toContain('This quote expired on 27 December 2026.');
    expect(expired.body).not.toContain('This price holds until');

    const valid = await browser.get(`/storage/quotes/${recent}/`);
    expect(valid.body).not.toContain('This quote expired');
    expect(valid.body).toContain('This price holds until 28 December 2026');
  });
});
