import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findPriceInForce, listProducts } from '../../src/modules/catalogue/catalogue.repository.ts';
import { RDS_CONFIGURATION } from '../support/purchase.ts';
import { startTestApp, type TestApp } from '../support/test-app.ts';
import { auditRows, expectFieldError, flashOf, people } from './manage-support.ts';

const TODAY = '2026-11-27';

describe('back office: products and prices', () => {
  let t: TestApp;
  const as = people(() => t);

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t?.close());

  async function prices(code: string) {
    return t.database.db
      .selectFrom('prices')
      .select(['customer_class', 'pence_per_tb_year', 'valid_from'])
      .where('product_code', '=', code)
      .orderBy('customer_class')
      .orderBy('valid_from')
      .execute();
  }

  async function product(code: string) {
    return t.database.db
      .selectFrom('products')
      .select(['name', 'summary', 'description', 'minimum_tb', 'terms_years', 'active'])
      .where('code', '=', code)
      .executeTakeFirstOrThrow();
  }

  const priceForm = { customerClass: 'internal', pounds: '60.00', validFrom: '2027-08-01' };
  const editForm = {
    name: 'Research Data Store',
    summary: 'Fast project storage',
    description: 'Disk storage for research data.',
    minimumTb: '1',
    termsYears: '1, 2, 3',
    active: 'yes',
  };

  describe('who may see and change the catalogue', () => {
    it('refuses customers every catalogue route', async () => {
      const alice = await as('ar101');
      expect((await alice.get('/admin/catalogue/')).statusCode).toBe(403);
      expect((await alice.get('/admin/catalogue/RDS/')).statusCode).toBe(403);
      expect((await alice.post('/admin/catalogue/RDS/edit', editForm)).statusCode).toBe(403);
      expect((await alice.post('/admin/catalogue/RDS/prices', priceForm)).statusCode).toBe(403);
      expect(await prices('RDS')).toHaveLength(2);
    });

    it('shows each team only its own service’s products, and refuses it the other’s', async () => {
      const rosa = await as('rs501');
      const ifan = await as('if502');
      const research = (await rosa.get('/admin/catalogue/')).body;
      expect(research).toContain('Research Data Store (RDS)');
      expect(research).toContain('Research Cold Store (RCS)');
      expect(research).not.toContain('(IFS)');
      const institutional = (await ifan.get('/admin/catalogue/')).body;
      expect(institutional).toContain('Institutional File Store (IFS)');
      expect(institutional).not.toContain('(RDS)');

      expect((await ifan.get('/admin/catalogue/RDS/')).statusCode).toBe(403);
      expect((await rosa.get('/admin/catalogue/IFS/')).statusCode).toBe(403);
      expect((await ifan.post('/admin/catalogue/RDS/prices', priceForm)).statusCode).toBe(403);
      expect((await ifan.post('/admin/catalogue/RDS/edit', editForm)).statusCode).toBe(403);
      expect((await rosa.post('/admin/catalogue/IFS/prices', priceForm)).statusCode).toBe(403);
      expect((await rosa.post('/admin/catalogue/IFS/edit', { ...editForm, name: 'Mine' })).statusCode).toBe(403);
      expect(await prices('RDS')).toHaveLength(2);
      expect(await prices('IFS')).toHaveLength(2);
      expect((await product('IFS')).name).toBe('Institutional File Store');
    });

    it('lets Finance read every product but change nothing', async () => {
      const farah = await as('fn601');
      const list = (await farah.get('/admin/catalogue/')).body;
      expect(list).toContain('(RDS)');
      expect(list).toContain('(IFS)');
      const page = await farah.get('/admin/catalogue/IFS/');
      expect(page.statusCode).toBe(200);
      expect(page.body).not.toContain('action="/admin/catalogue/IFS/prices"');
      expect((await farah.post('/admin/catalogue/IFS/prices', priceForm)).statusCode).toBe(403);
      expect((await farah.post('/admin/catalogue/IFS/edit', editForm)).statusCode).toBe(403);
      expect(await prices('IFS')).toHaveLength(2);
      expect(await auditRows(t.database.db, 'price')).toEqual([]);
    });

    it('answers 404 for a product that does not exist', async () => {
      const rosa = await as('rs501');
      expect((await rosa.get('/admin/catalogue/NOPE/')).statusCode).toBe(404);
      expect((await rosa.post('/admin/catalogue/NOPE/prices', priceForm)).statusCode).toBe(404);
    });
  });

  describe('prices', () => {
    it('marks the price in force today', async () => {
      const rosa = await as('rs501');
      const page = await rosa.get('/admin/catalogue/RDS/');
      expect(page.statusCode).toBe(200);
      expect(page.body).toContain('£54.00');
      expect(page.body).toMatch(
        /£54\.00<\/td><td><strong class="tag tag--green">In force today<\/strong> since <time dateTime="2026-08-01">/i,
      );
      expect(page.body).toContain('Quotes and orders keep the price they were made with');
    });

    it('adds a future price that leaves today’s price alone, shown as "from" its day, audited', async () => {
      const rosa = await as('rs501');
      const answer = await rosa.post('/admin/catalogue/RDS/prices', priceForm);
      expect(answer.statusCode, answer.body.slice(0, 300)).toBe(303);
      expect(answer.headers.location).toBe('/admin/catalogue/RDS/');
      const page = await rosa.get('/admin/catalogue/RDS/');
      expect(flashOf(page.body)).toBe('The new internal price for RDS applies from 1 August 2027.');
      expect(page.body).toMatch(
        /£60\.00<\/td><td><strong class="tag">Future<\/strong> from <time dateTime="2027-08-01">/i,
      );

      const db = t.database.db;
      const [rds] = await listProducts(db, TODAY, 'RDS');
      expect(rds?.prices).toEqual({ internal: 5400, external: 6480 });
      expect(await findPriceInForce(db, 'RDS', 'internal', TODAY)).toEqual({
        pencePerTbYear: 5400,
        validFrom: '2026-08-01',
      });
      expect(await findPriceInForce(db, 'RDS', 'internal', '2027-08-01')).toEqual({
        pencePerTbYear: 6000,
        validFrom: '2027-08-01',
      });
      const [audit] = await auditRows(db, 'price');
      expect(audit).toMatchObject({
        actor_label: 'rs501',
        action: 'added',
        after: { product: 'RDS', customerClass: 'internal', pencePerTbYear: 6000, validFrom: '2027-08-01' },
      });
    });

    it('refuses a second price for the same product, customers and day', async () => {
      const rosa = await as('rs501');
      const before = await prices('RDS');
      const answer = await rosa.post('/admin/catalogue/RDS/prices', { ...priceForm, pounds: '61.00' });
      expectFieldError(
        answer,
        'validFrom',
        'RDS already has an internal price from 1 August 2027: a price is never changed once set, so choose another day',
      );
      expect(await prices('RDS')).toEqual(before);
    });

    it.each([
      [
        { validFrom: '2026-11-26' },
        'validFrom',
        'A price cannot start in the past (before today, 27 November 2026): existing quotes and orders keep their price',
      ],
      [
        { validFrom: '2027-02-29' },
        'validFrom',
        'Enter the day as a real date: as year-month-day, for example 2027-08-01',
      ],
      [{ pounds: '-54.00' }, 'pounds', 'The price cannot be negative'],
      [{ pounds: '54.001' }, 'pounds', 'Enter the price to the nearest penny: no more than 2 digits after the point'],
      [{ pounds: 'lots' }, 'pounds', 'Enter the price in pounds and pence, for example 54.00'],
      [{ customerClass: '' }, 'customerClass', 'Choose who pays this price: internal or external customers'],
    ])('refuses %j beside its field, and adds nothing', async (change, field, message) => {
      const rosa = await as('rs501');
      const before = await prices('RDS');
      expectFieldError(await rosa.post('/admin/catalogue/RDS/prices', { ...priceForm, ...change }), field, message);
      expect(await prices('RDS')).toEqual(before);
    });

    it('withdraws a price whose first day is still to come (a mistyped one), audited; never one in force', async () => {
      const rosa = await as('rs501');
      const future = { customerClass: 'external', pounds: '6.50', validFrom: '2028-03-01' };
      expect((await rosa.post('/admin/catalogue/RDS/prices', future)).statusCode).toBe(303);
      const db = t.database.db;
      const idOf = async (validFrom: string, customerClass: 'internal' | 'external') =>
        (
          await db
            .selectFrom('prices')
            .select('id')
            .where('product_code', '=', 'RDS')
            .where('customer_class', '=', customerClass)
            .where('valid_from', '=', validFrom)
            .executeTakeFirstOrThrow()
        ).id;
      const id = await idOf('2028-03-01', 'external');
      const page = await rosa.get('/admin/catalogue/RDS/');
      expect(page.body).toContain(`action="/admin/catalogue/RDS/prices/${id}/withdraw"`);
      // The price in force has no such button.
      const inForce = await idOf('2026-08-01', 'internal');
      expect(page.body).not.toContain(`prices/${inForce}/withdraw`);
      // Not another service's team, nor Finance.
      for (const crsid of ['if502', 'fn601']) {
        expect((await (await as(crsid)).post(`/admin/catalogue/RDS/prices/${id}/withdraw`)).statusCode, crsid).toBe(
          403,
        );
      }
      const answer = await rosa.post(`/admin/catalogue/RDS/prices/${id}/withdraw`);
      expect(answer.statusCode).toBe(303);
      expect(flashOf((await rosa.get('/admin/catalogue/RDS/')).body)).toBe(
        'The external price for RDS from 1 March 2028 is withdrawn.',
      );
      expect(await findPriceInForce(db, 'RDS', 'external', '2028-03-01')).toEqual({
        pencePerTbYear: 6480,
        validFrom: '2026-08-01',
      });
      const audit = (await auditRows(db, 'price', id)).at(-1);
      expect(audit).toMatchObject({
        actor_label: 'rs501',
        action: 'withdrawn',
        before: { product: 'RDS', customerClass: 'external', pencePerTbYear: 650, validFrom: '2028-03-01' },
      });
      // The price in force is never withdrawn, nor one already gone.
      for (const refused of [inForce, id]) {
        const again = await rosa.post(`/admin/catalogue/RDS/prices/${refused}/withdraw`);
        expect(again.statusCode).toBe(409);
        expect(again.body).toContain('only a price whose first day is still to come can be');
      }
      expect(await findPriceInForce(db, 'RDS', 'internal', TODAY)).toEqual({
        pencePerTbYear: 5400,
        validFrom: '2026-08-01',
      });
    });

    it('a price from today changes today’s price, and a quote already given keeps its own', async () => {
      const alice = await as('ar101');
      const quoted = await alice.post('/storage/buy/RFS/quote', { ...RDS_CONFIGURATION });
      expect(quoted.statusCode).toBe(303);
      const quoteUrl = String(quoted.headers.location);
      const quote = () =>
        t.database.db
          .selectFrom('quotes')
          .select(['pence_per_tb_year', 'price_valid_from', 'total_pence'])
          .where('reference', '=', quoteUrl.match(/Q-\d+/)?.[0] as string)
          .executeTakeFirstOrThrow();
      const quotedPrice = await quote();
      expect(quotedPrice).toMatchObject({ pence_per_tb_year: 13_900, price_valid_from: '2026-08-01' });

      const rosa = await as('rs501');
      const answer = await rosa.post('/admin/catalogue/RFS/prices', { ...priceForm, pounds: '150', validFrom: TODAY });
      expect(answer.statusCode).toBe(303);
      const [rfs] = await listProducts(t.database.db, TODAY, 'RFS');
      expect(rfs?.prices.internal).toBe(15_000);
      expect((await alice.get('/storage/buy/RFS/price?sizeTb=5&termYears=3&institutionId=PHYS')).json()).toMatchObject({
        netPence: 225_000,
      });
      expect(await quote()).toEqual(quotedPrice);
      expect((await alice.get(quoteUrl)).body).toContain('£139.00');
    });
  });

  describe('editing a product', () => {
    it('changes details with messages beside wrong fields and nothing changed, then saves and audits', async () => {
      const rosa = await as('rs501');
      const before = await product('RDS');
      const refused = await rosa.post('/admin/catalogue/RDS/edit', {
        ...editForm,
        minimumTb: '0',
        termsYears: '1, 11',
      });
      expectFieldError(refused, 'minimumTb', 'Enter the minimum size as a whole number of TB, at least 1');
      expectFieldError(
        refused,
        'termsYears',
        'Enter each term as a whole number of years from 1 to 10, separated by commas',
      );
      expect(refused.body).toContain('value="1, 11"');
      expect(await product('RDS')).toEqual(before);

      const { active: _, ...withdrawn } = editForm;
      const saved = await rosa.post('/admin/catalogue/RDS/edit', { ...withdrawn, minimumTb: '2' });
      expect(saved.statusCode).toBe(303);
      expect(await product('RDS')).toEqual({
        name: 'Research Data Store',
        summary: 'Fast project storage',
        description: 'Disk storage for research data.',
        minimum_tb: 2,
        terms_years: [1, 2, 3],
        active: false,
      });
      const [audit] = await auditRows(t.database.db, 'product', 'RDS');
      expect(audit).toMatchObject({
        actor_label: 'rs501',
        action: 'edited',
        before: { minimumTb: 1, termsYears: [1, 2, 3, 4, 5], active: true },
        after: { minimumTb: 2, termsYears: [1, 2, 3], active: false },
      });
      expect((await rosa.get('/admin/catalogue/RDS/')).body).toContain('minimum size: 1 TB → 2 TB');
      // Withdrawn: gone from the customers' catalogue, still in the back office.
      const alice = await as('ar101');
      expect((await alice.get('/catalogue/')).body).not.toContain('Research Data Store');
      expect((await rosa.get('/admin/catalogue/')).body).toContain('Withdrawn');
      expect((await rosa.post('/admin/catalogue/RDS/edit', editForm)).statusCode).toBe(303);
      expect((await product('RDS')).active).toBe(true);
    });
  });
});
