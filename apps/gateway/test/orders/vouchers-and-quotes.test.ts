import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestAppWithCufs } from '../support/cufs.ts';
import { buy, type Configuration, configure, pay, RDS_CONFIGURATION, SAMPLE_PDF, submit } from '../support/purchase.ts';
import { Browser, type TestApp } from '../support/test-app.ts';

const IFS_CHEM: Configuration = {
  sizeTb: '2',
  termYears: '1',
  institutionId: 'CHEM',
  licenceName: 'Chemistry office share',
  ownerCrsid: 'da303',
  managerCrsids: '',
  projectName: 'chem-office',
};

describe('vouchers, quotes, external customers and who may touch an order', () => {
  let t: TestApp;
  const browsers = new Map<string, Browser>();

  beforeAll(async () => {
    t = await startTestAppWithCufs();
  });
  afterAll(() => t?.close());

  /** One signed-in browser per person (a second one only where a test races two). */
  async function as(crsid: string): Promise<Browser> {
    const known = browsers.get(crsid);
    if (known) return known;
    const browser = await newBrowser(crsid);
    browsers.set(crsid, browser);
    return browser;
  }

  /** The text of an order's confirmation email ("Order … received"). */
  async function confirmation(reference: string): Promise<string> {
    const mail = await t.database.db
      .selectFrom('mail_outbox')
      .select('text_body')
      .where('subject', '=', `Order ${reference} received`)
      .executeTakeFirstOrThrow();
    return mail.text_body.replace(/\s+/g, ' ');
  }

  async function newBrowser(crsid: string): Promise<Browser> {
    const browser = new Browser(t.app);
    await browser.signInAs(crsid);
    return browser;
  }

  async function counts() {
    const db = t.database.db;
    const count = async (table: 'orders' | 'licences' | 'payments' | 'storage_projects') =>
      Number(
        (
          await db
            .selectFrom(table)
            .select((eb) => eb.fn.countAll().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );
    return {
      orders: await count('orders'),
      licences: await count('licences'),
      payments: await count('payments'),
      projects: await count('storage_projects'),
    };
  }

  async function voucher(code: string) {
    return t.database.db
      .selectFrom('vouchers')
      .select(['id', 'redeemed_at'])
      .where('code', '=', code)
      .executeTakeFirstOrThrow();
  }

  async function order(reference: string) {
    return t.database.db
      .selectFrom('orders')
      .innerJoin('payments', 'payments.order_id', 'orders.id')
      .select([
        'orders.status',
        'orders.customer_class',
        'orders.size_tb',
        'orders.pence_per_tb_year',
        'orders.price_valid_from',
        'orders.net_pence',
        'orders.vat_pence',
        'orders.total_pence',
        'orders.quote_id',
        'payments.method',
        'payments.voucher_id',
        'payments.check_status',
      ])
      .where('orders.reference', '=', reference)
      .executeTakeFirstOrThrow();
  }

  /** Configures and answers the payment step; returns the payment step's answer. */
  async function payWith(browser: Browser, product: string, configuration: Configuration, voucherCode: string) {
    expect((await configure(browser, product, configuration)).statusCode).toBe(303);
    return pay(browser, product, { method: 'voucher', voucherCode });
  }

  describe('vouchers for the Institutional File Store', () => {
    it('starts the institutional purchase at /storage/IFS/, with a voucher among the ways to pay', async () => {
      const dana = await as('da303');
      const page = await dana.get('/storage/IFS/');
      expect(page.statusCode).toBe(200);
      expect(page.body).toContain('Buy Institutional File Store');
      expect(page.body).toMatch(/<option value="CHEM" selected/);
      expect(page.body).toContain('action="/storage/buy/IFS/"');
      expect((await configure(dana, 'IFS', IFS_CHEM)).statusCode).toBe(303);
      const payment = await dana.get('/storage/buy/IFS/payment');
      expect(payment.body).toContain('value="voucher"');
      expect(payment.body).toContain('£300.00');
    });

    it.each([
      ['da303', { ...IFS_CHEM, sizeTb: '3' }, 'IFS-CHEM-2026', 'This voucher pays for up to 2 TB'],
      ['da303', IFS_CHEM, 'IFS-USED-0001', 'This voucher has already been used'],
      ['da303', IFS_CHEM, 'IFS-NONE-0000', 'There is no voucher with that code'],
      [
        'ar101',
        { ...IFS_CHEM, institutionId: 'PHYS', ownerCrsid: 'ar101' },
        'IFS-CHEM-2026',
        'This voucher was issued to a different department',
      ],
    ])('as %s, refuses %j paid with %s: %s', async (crsid, configuration, code, message) => {
      const browser = await as(crsid);
      const before = await counts();
      const refused = await payWith(browser, 'IFS', configuration, code);
      expect(refused.statusCode).toBe(422);
      expect(refused.body).toContain(`<a href="#voucherCode">${message}`);
      expect(refused.body).toContain('id="voucherCode-error"');
      expect(await counts()).toEqual(before);
      expect((await voucher('IFS-CHEM-2026')).redeemed_at).toBeNull();
    });

    it('takes a voucher on its expiry day and refuses it the day after, saying when it expired', async () => {
      await t.database.db
        .insertInto('vouchers')
        .values([
          { code: 'IFS-LAST-DAY1', product_code: 'IFS', size_tb: 2, institution_id: null, expires_on: '2026-11-27' },
          { code: 'IFS-PAST-DAY1', product_code: 'IFS', size_tb: 2, institution_id: null, expires_on: '2026-11-26' },
        ])
        .execute();
      const dana = await newBrowser('da303');
      const before = await counts();
      const expired = await payWith(dana, 'IFS', IFS_CHEM, 'IFS-PAST-DAY1');
      expect(expired.statusCode).toBe(422);
      expect(expired.body).toContain('<a href="#voucherCode">This voucher expired on 26 November 2026</a>');
      expect(await counts()).toEqual(before);
      expect((await payWith(dana, 'IFS', IFS_CHEM, 'IFS-LAST-DAY1')).statusCode).toBe(303);
    });

    it('says on the check page, before submitting, that the voucher no longer covers an order made bigger after the payment step', async () => {
      const dana = await newBrowser('da303');
      expect((await payWith(dana, 'IFS', IFS_CHEM, 'IFS-CHEM-2026')).statusCode).toBe(303);
      expect((await dana.get('/storage/buy/IFS/check')).body).toContain('Your voucher pays this in full');
      // Back to the first step: 3 TB, which the 2 TB voucher does not cover; the payment answer is kept.
      expect((await configure(dana, 'IFS', { ...IFS_CHEM, sizeTb: '3' })).statusCode).toBe(303);
      const check = await dana.get('/storage/buy/IFS/check');
      expect(check.statusCode).toBe(200);
      expect(check.body).toContain('<a href="#voucherCode">This voucher pays for up to 2 TB; reduce the size');
      expect(check.body).not.toContain('Your voucher pays this in full');
      expect(check.body).toContain('£450.00');
      const before = await counts();
      const { response } = await submit(dana, 'IFS');
      expect(response.statusCode).toBe(422);
      expect(response.body).toContain('This voucher pays for up to 2 TB');
      expect(await counts()).toEqual(before);
    });

    it('pays for the whole order once; a second order cannot use it; cancelling gives it back', async () => {
      const dana = await as('da303');
      const reference = await buy(dana, 'IFS', IFS_CHEM, { method: 'voucher', voucherCode: 'ifs-chem-2026' });
      const chem = await voucher('IFS-CHEM-2026');
      // Redeemed as of the app's clock (the test day), not the machine's.
      expect(chem.redeemed_at && new Date(chem.redeemed_at)).toEqual(t.clock.now());
      expect(await order(reference)).toMatchObject({
        status: 'awaiting-approval',
        pence_per_tb_year: 15_000,
        net_pence: 0,
        vat_pence: 0,
        total_pence: 0,
        method: 'voucher',
        voucher_id: chem.id,
        check_status: 'not-needed',
      });
      // Its use is in its history, in the order's transaction, naming the order (as its release is):
      // the audit trail found nothing for the voucher while the vouchers page said "Used by".
      const used = await t.database.db
        .selectFrom('audit_events')
        .select(['actor_label', 'licence_id', 'before', 'after'])
        .where('entity_type', '=', 'voucher')
        .where('entity_id', '=', String(chem.id))
        .where('action', '=', 'used')
        .execute();
      const licence = await t.database.db
        .selectFrom('orders')
        .select('licence_id')
        .where('reference', '=', reference)
        .executeTakeFirstOrThrow();
      expect(used).toEqual([
        {
          actor_label: 'da303',
          licence_id: licence.licence_id,
          before: { redeemedBy: null },
          after: { code: 'IFS-CHEM-2026', redeemedBy: reference },
        },
      ]);
      const trail = await (await as('if502')).get('/admin/audit/?entityType=voucher&entityId=IFS-CHEM-2026');
      expect(trail.statusCode).toBe(200);
      expect(trail.body).toContain(`<li>used by order: none → ${reference}</li><li>code: IFS-CHEM-2026</li>`);
      const page = await dana.get(`/orders/${reference}/`);
      expect(page.body).toContain('List price £300.00, paid in full by voucher');
      expect(page.body).toContain('IFS-CHEM-2026');

      const again = await payWith(dana, 'IFS', IFS_CHEM, 'IFS-CHEM-2026');
      expect(again.statusCode).toBe(422);
      expect(again.body).toContain('This voucher has already been used');

      const confirm = await dana.get(`/orders/${reference}/cancel`);
      expect(confirm.body).toContain('Voucher IFS-CHEM-2026 can be used again.');
      const csrf = await dana.csrfFrom(`/orders/${reference}/cancel`);
      expect((await dana.post(`/orders/${reference}/cancel`, { _csrf: csrf })).statusCode).toBe(303);
      expect((await voucher('IFS-CHEM-2026')).redeemed_at).toBeNull();
      expect((await order(reference)).status).toBe('cancelled');
      // Why it can be used again is in its history, as when an order it paid for is rejected.
      const released = await t.database.db
        .selectFrom('audit_events')
        .select(['actor_label', 'before', 'after'])
        .where('entity_type', '=', 'voucher')
        .where('entity_id', '=', String(chem.id))
        .where('action', '=', 'released')
        .execute();
      expect(released).toEqual([
        {
          actor_label: 'da303',
          before: { redeemedBy: reference },
          after: { redeemedBy: null, reason: `Order ${reference} was cancelled` },
        },
      ]);
      // Given back, it pays for a new order.
      expect((await payWith(dana, 'IFS', IFS_CHEM, 'IFS-CHEM-2026')).statusCode).toBe(303);
    });

    it('two browsers ready to submit with one voucher: the second is refused beside the voucher, nothing stored', async () => {
      expect((await voucher('IFS-CHEM-2026')).redeemed_at).toBeNull();
      const first = await newBrowser('da303');
      const second = await newBrowser('da303');
      for (const browser of [first, second]) {
        expect((await payWith(browser, 'IFS', IFS_CHEM, 'IFS-CHEM-2026')).statusCode).toBe(303);
        expect((await browser.get('/storage/buy/IFS/check')).body).toContain('Your voucher pays this in full');
      }

      const { response: won } = await submit(first, 'IFS');
      expect(won.statusCode).toBe(303);
      const before = await counts();
      const { response: lost } = await submit(second, 'IFS');
      expect(lost.statusCode).toBe(422);
      expect(lost.body).toContain('Check your order');
      expect(lost.body).toContain('<a href="#voucherCode">This voucher has already been used</a>');
      // The message sits beside the voucher, where the summary's link lands.
      expect(lost.body).toMatch(
        /<div class="form-group form-group--error" id="voucherCode"><span class="field-error" id="voucherCode-error"><span class="visually-hidden">Error:<\/span> This voucher has already been used<\/span>IFS-CHEM-2026<\/div>/,
      );
      expect(await counts()).toEqual(before);
    });

    it('two submissions at the same moment with one voucher: exactly one order', async () => {
      const one = { ...IFS_CHEM, sizeTb: '1', licenceName: 'Welcome share' };
      const first = await newBrowser('da303');
      const second = await newBrowser('da303');
      for (const browser of [first, second]) {
        expect((await payWith(browser, 'IFS', one, 'IFS-WELCOME-01')).statusCode).toBe(303);
      }
      const before = await counts();
      const answers = await Promise.all([submit(first, 'IFS'), submit(second, 'IFS')]);
      expect(answers.map(({ response }) => response.statusCode).sort()).toEqual([303, 422]);
      expect(await counts()).toEqual({
        orders: before.orders + 1,
        licences: before.licences + 1,
        payments: before.payments + 1,
        projects: before.projects + 1,
      });
      expect((await voucher('IFS-WELCOME-01')).redeemed_at).not.toBeNull();
    });

    it('offers no voucher for research storage, and refuses one posted anyway', async () => {
      const alice = await as('ar101');
      expect((await configure(alice, 'RDS', RDS_CONFIGURATION)).statusCode).toBe(303);
      const page = await alice.get('/storage/buy/RDS/payment');
      expect(page.statusCode).toBe(200);
      expect(page.body).toContain('value="finance-code"');
      expect(page.body).not.toContain('value="voucher"');
      expect(page.body).not.toContain('name="voucherCode"');
      const refused = await pay(alice, 'RDS', { method: 'voucher', voucherCode: 'IFS-WELCOME-01' });
      expect(refused.statusCode).toBe(422);
      expect(refused.body).toContain(
        '<a href="#method">A voucher cannot pay for this order: pay with a University finance code or a purchase order</a>',
      );
    });
  });

  describe('quotes and prices', () => {
    let quoteReference: string;
    let quoteId: number;

    it('keeps a quote’s price after the catalogue price rises, while size, term and department stay', async () => {
      const alice = await as('ar101');
      const csrf = await alice.csrfFrom('/storage/buy/RDS/');
      const quoted = await alice.post('/storage/buy/RDS/quote', { ...RDS_CONFIGURATION, _csrf: csrf } as Record<
        string,
        string
      >);
      expect(quoted.statusCode).toBe(303);
      quoteReference = String(quoted.headers.location).match(/Q-\d+/)?.[0] as string;
      const quote = await t.database.db
        .selectFrom('quotes')
        .select(['id', 'pence_per_tb_year', 'total_pence'])
        .where('reference', '=', quoteReference)
        .executeTakeFirstOrThrow();
      expect(quote).toMatchObject({ pence_per_tb_year: 5_400, total_pence: 81_000 });
      quoteId = quote.id;

      // From today RDS costs more for internal customers.
      await t.database.db
        .insertInto('prices')
        .values({ product_code: 'RDS', customer_class: 'internal', pence_per_tb_year: 6_000, valid_from: '2026-11-27' })
        .execute();
      const today = await alice.get('/storage/buy/RDS/price?sizeTb=5&termYears=3&institutionId=PHYS');
      expect(today.json()).toMatchObject({ netPence: 90_000, totalPence: 90_000 });

      // A quote is bought as the product it quotes: another product's page with it (an edited link)
      // goes there, instead of saying its price holds for storage it did not quote.
      const elsewhere = await alice.get(`/storage/buy/RFS/?quote=${quoteReference}`);
      expect(elsewhere.statusCode).toBe(303);
      expect(elsewhere.headers.location).toBe(`/storage/buy/RDS/?quote=${quoteReference}`);
      const start = await alice.get(`/storage/buy/RDS/?quote=${quoteReference}`);
      expect(start.statusCode).toBe(200);
      expect(start.body).toContain(`Buying with quote ${quoteReference}: its price holds until 27 December 2026`);
      expect(start.body).toContain('value="Quantum imaging data"');
      // The quote's price shows at once, before the people and the project are filled in.
      expect(start.body).toContain('5 TB × £54.00 per TB per year × 3 years');
      // The price as you type (price.js) and "Update price" agree with the page: the quote's price for
      // the quote's size, term and department (not today's £900.00), and today's for another size.
      const typed = await alice.get('/storage/buy/RDS/price?sizeTb=5&termYears=3&institutionId=PHYS');
      expect(typed.json()).toMatchObject({ netPence: 81_000, totalPence: 81_000 });
      expect(typed.json().lines[0]).toEqual(['Calculation', '5 TB × £54.00 per TB per year × 3 years']);
      const bigger = await alice.get('/storage/buy/RDS/price?sizeTb=6&termYears=3&institutionId=PHYS');
      expect(bigger.json()).toMatchObject({ totalPence: 108_000 });
      const updateCsrf = await alice.csrfFrom('/storage/buy/RDS/');
      const updated = await alice.post('/storage/buy/RDS/', {
        ...RDS_CONFIGURATION,
        projectName: '',
        _csrf: updateCsrf,
        intent: 'price',
      } as Record<string, string>);
      expect(updated.statusCode).toBe(200);
      expect(updated.body).toContain('5 TB × £54.00 per TB per year × 3 years');
      expect((await configure(alice, 'RDS', RDS_CONFIGURATION)).statusCode).toBe(303);
      expect((await pay(alice, 'RDS', { method: 'finance-code', financeCode: 'PHAA.GAAA' })).statusCode).toBe(303);
      const check = await alice.get('/storage/buy/RDS/check');
      expect(check.body).toContain(`At the price of quote ${quoteReference}.`);
      expect(check.body).toContain('5 TB × £54.00 per TB per year × 3 years');
      expect(check.body).toContain('£810.00');
      const { response } = await submit(alice, 'RDS');
      expect(response.statusCode).toBe(303);
      const reference = String(response.headers.location).match(/ORD-\d+/)?.[0] as string;
      expect(await order(reference)).toMatchObject({
        quote_id: quoteId,
        pence_per_tb_year: 5_400,
        price_valid_from: '2026-08-01',
        net_pence: 81_000,
        total_pence: 81_000,
      });
      expect((await alice.get(`/orders/${reference}/`)).body).toContain(`At the price of quote ${quoteReference}.`);

      // Another size is another offer: today's price, and no quote on the order.
      expect((await alice.get(`/storage/buy/RDS/?quote=${quoteReference}`)).statusCode).toBe(200);
      const reference2 = await buy(
        alice,
        'RDS',
        { ...RDS_CONFIGURATION, sizeTb: '6' },
        { method: 'finance-code', financeCode: 'PHAA.GAAA' },
      );
      expect(await order(reference2)).toMatchObject({
        quote_id: null,
        pence_per_tb_year: 6_000,
        price_valid_from: '2026-11-27',
        net_pence: 108_000,
        total_pence: 108_000,
      });
      expect((await alice.get(`/orders/${reference2}/`)).body).not.toContain('At the price of quote');
    });

    it('does not let anyone else buy with Alice’s quote', async () => {
      const ben = await as('bm202');
      const refused = await ben.get(`/storage/buy/RDS/?quote=${quoteReference}`);
      expect(refused.statusCode).toBe(404);
      expect(refused.body).not.toContain('Quantum imaging data');
    });

    it('lets a quote pay for one order: a second placed with it is refused, also from a second tab open at the same time', async () => {
      // Today RDS costs £60.00 for internal customers (the test above): a quote at that price.
      const alice = await as('ar101');
      const csrf = await alice.csrfFrom('/storage/buy/RDS/');
      const configuration = { ...RDS_CONFIGURATION, sizeTb: '2', licenceName: 'One quote, one order' };
      const quoted = await alice.post('/storage/buy/RDS/quote', { ...configuration, _csrf: csrf } as Record<
        string,
        string
      >);
      const reference = String(quoted.headers.location).match(/Q-\d+/)?.[0] as string;
      const payment = { method: 'finance-code', financeCode: 'PHAA.GAAA' } as const;
      // Two tabs (two sessions of Alice's) both reach "check your answers" with the quote.
      const tabs = [alice, await newBrowser('ar101')];
      for (const tab of tabs) {
        expect((await tab.get(`/storage/buy/RDS/?quote=${reference}`)).statusCode).toBe(200);
        expect((await configure(tab, 'RDS', configuration)).statusCode).toBe(303);
        expect((await pay(tab, 'RDS', payment)).statusCode).toBe(303);
        expect((await tab.get('/storage/buy/RDS/check')).body).toContain(`At the price of quote ${reference}.`);
      }
      const first = await submit(tabs[0] as Browser, 'RDS');
      expect(first.response.statusCode).toBe(303);
      const used = String(first.response.headers.location).match(/ORD-\d+/)?.[0] as string;
      const second = await submit(tabs[1] as Browser, 'RDS');
      expect(second.response.statusCode).toBe(409);
      expect(second.response.body).toContain(
        `Quote ${reference} was used for order ${used}: a quote pays for one order. Get a new quote, or order at today’s price.`,
      );
      const placed = await t.database.db
        .selectFrom('orders')
        .select('reference')
        .where(
          'quote_id',
          '=',
          (
            await t.database.db
              .selectFrom('quotes')
              .select('id')
              .where('reference', '=', reference)
              .executeTakeFirstOrThrow()
          ).id,
        )
        .execute();
      expect(placed.map((row) => row.reference)).toEqual([used]);

      // The quote says so, and following it again starts at today's price.
      const page = await alice.get(`/storage/quotes/${reference}/`);
      expect(page.body).toContain(`This quote was used for order ${used}.`);
      expect(page.body).toContain(`<a class="button" href="/orders/${used}/">Go to order ${used}</a>`);
      const again = await alice.get(`/storage/buy/RDS/?quote=${reference}`);
      expect(again.body).toContain(
        `Quote ${reference} was used for order ${used}: a quote pays for one order, so today’s price applies.`,
      );

      // Once that order is cancelled, the quote can pay for another.
      const cancelCsrf = await alice.csrfFrom(`/orders/${used}/`);
      expect((await alice.post(`/orders/${used}/cancel`, { _csrf: cancelCsrf })).statusCode).toBe(303);
      expect((await alice.get(`/storage/quotes/${reference}/`)).body).not.toContain('was used for order');
    });

    it('charges today’s price when it has fallen below a quote’s, and says so', async () => {
      const dana = await as('da303');
      const configuration = {
        ...RDS_CONFIGURATION,
        institutionId: 'CHEM',
        ownerCrsid: 'da303',
        sizeTb: '3',
        licenceName: 'Falling price',
      };
      const csrf = await dana.csrfFrom('/storage/buy/RDS/');
      const quoted = await dana.post('/storage/buy/RDS/quote', { ...configuration, _csrf: csrf } as Record<
        string,
        string
      >);
      const reference = String(quoted.headers.location).match(/Q-\d+/)?.[0] as string;
      // The quote was issued when RDS cost £70.00: today's £60.00 is lower.
      await t.database.db
        .updateTable('quotes')
        .set({ pence_per_tb_year: 7_000, net_pence: 63_000, total_pence: 63_000 })
        .where('reference', '=', reference)
        .execute();
      expect((await dana.get(`/storage/buy/RDS/?quote=${reference}`)).statusCode).toBe(200);
      expect((await configure(dana, 'RDS', configuration)).statusCode).toBe(303);
      expect((await pay(dana, 'RDS', { method: 'finance-code', financeCode: 'CHAA.GAAA' })).statusCode).toBe(303);
      const check = await dana.get('/storage/buy/RDS/check');
      expect(check.body).toContain(`Today’s price is lower than quote ${reference}’s, so you pay today’s.`);
      expect(check.body).toContain('3 TB × £60.00 per TB per year × 3 years');
      const { response } = await submit(dana, 'RDS');
      expect(response.statusCode).toBe(303);
      const placed = String(response.headers.location).match(/ORD-\d+/)?.[0] as string;
      expect(await order(placed)).toMatchObject({ pence_per_tb_year: 6_000, net_pence: 54_000, total_pence: 54_000 });
      expect((await dana.get(`/orders/${placed}/`)).body).toContain(
        `Ordered with quote ${reference}, at the day’s price, which was lower than the quote’s.`,
      );
      expect(await confirmation(placed)).toContain(
        `Price: £540.00 (no VAT: an internal customer). Ordered with quote ${reference}, at the day’s price, which was lower than the quote’s.`,
      );
    });

    it('charges an external customer (a College) the external price plus VAT', async () => {
      const chloe = await as('cb404');
      const configuration: Configuration = {
        sizeTb: '2',
        termYears: '1',
        institutionId: 'KINGS',
        licenceName: 'College archive',
        ownerCrsid: 'cb404',
        managerCrsids: '',
        projectName: 'archive',
      };
      const reference = await buy(chloe, 'RDS', configuration, {
        method: 'purchase-order',
        poNumber: 'K-2026-001',
        file: { bytes: SAMPLE_PDF, name: 'po.pdf' },
      });
      expect(await order(reference)).toMatchObject({
        customer_class: 'external',
        pence_per_tb_year: 6_480,
        net_pence: 12_960,
        vat_pence: 2_592,
        total_pence: 15_552,
        quote_id: null,
      });
      const page = await chloe.get(`/orders/${reference}/`);
      expect(page.body).toContain('£129.60');
      expect(page.body).toContain('£25.92');
      expect(page.body).toContain('£155.52');
      // The confirmation gives whoever matches the purchase order every figure.
      expect(await confirmation(reference)).toContain('Price: £155.52: £129.60 plus VAT of £25.92.');
    });
  });

  describe('anyone but the buyer', () => {
    it('hides an order from someone with no part in it, and lets a Data Manager see but not cancel it', async () => {
      const alice = await as('ar101');
      const reference = await buy(
        alice,
        'RDS',
        { ...RDS_CONFIGURATION, ownerCrsid: 'ar101', managerCrsids: 'da303' },
        { method: 'finance-code', financeCode: 'PHAA.GAAA' },
      );
      const before = await order(reference);

      const ben = await as('bm202');
      const benCsrf = await ben.csrfFrom('/storage/');
      expect((await ben.get(`/orders/${reference}/`)).statusCode).toBe(404);
      expect((await ben.get(`/orders/${reference}/cancel`)).statusCode).toBe(404);
      expect((await ben.post(`/orders/${reference}/cancel`, { _csrf: benCsrf })).statusCode).toBe(404);
      expect(
        (await ben.post(`/orders/${reference}/payment`, { _csrf: benCsrf, financeCode: 'PHAA.GAAB' })).statusCode,
      ).toBe(404);

      const dana = await as('da303');
      const page = await dana.get(`/orders/${reference}/`);
      expect(page.statusCode).toBe(200);
      expect(page.body).toContain('Quantum imaging data');
      expect(page.body).not.toContain('Cancel this order');
      expect((await dana.get(`/orders/${reference}/cancel`)).statusCode).toBe(403);
      const danaCsrf = await dana.csrfFrom(`/orders/${reference}/`);
      expect((await dana.post(`/orders/${reference}/cancel`, { _csrf: danaCsrf })).statusCode).toBe(403);

      expect(await order(reference)).toEqual(before);
      expect((await alice.get(`/orders/${reference}/`)).body).toContain('Cancel this order');
    });
  });
});
