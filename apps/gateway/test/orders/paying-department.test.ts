import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accessTokens, rowCount } from '../support/api.ts';
import { startTestAppWithCufs } from '../support/cufs.ts';
import { configure } from '../support/purchase.ts';
import { Browser, type TestApp } from '../support/test-app.ts';

/**
 * The department that pays decides the price class (internal, or external with VAT) and whose
 * budget and vouchers pay: a buyer may name only their own department or the Data Owner's, as the
 * directory has them, on the pages, in the API and for quotes alike.
 */
describe('which department may pay for new storage', () => {
  let t: TestApp;
  let tokens: Record<string, string> = {};

  beforeAll(async () => {
    t = await startTestAppWithCufs();
    // Someone the directory puts in no department (a visitor, say) may choose any.
    await t.database.db
      .insertInto('people')
      .values({ crsid: 'nd111', display_name: 'Nadia Nodept', email: 'nd111@cam.ac.uk', institution_id: null })
      .execute();
    tokens = await accessTokens(t, ['ar101', 'cb404', 'da303', 'nd111']);
  });
  afterAll(() => t?.close());

  function call(crsid: string, method: 'GET' | 'POST', url: string, payload?: object) {
    return t.app.inject({
      method,
      url,
      headers: { authorization: `Bearer ${tokens[crsid]}` },
      ...(payload === undefined ? {} : { payload }),
    });
  }

  async function browserFor(crsid: string): Promise<Browser> {
    const browser = new Browser(t.app);
    await browser.signInAs(crsid);
    return browser;
  }

  const collegeRds = {
    product: 'RDS',
    sizeTb: 5,
    termYears: 2,
    institutionId: 'KINGS',
    licenceName: 'College archive',
    ownerCrsid: 'cb404',
    managerCrsids: [],
    projectName: 'archive',
  };
  const order = (configuration: object) => ({
    ...configuration,
    payment: { method: 'finance-code', financeCode: 'PHAA.GAAA' },
    acceptTerms: true,
    termsVersion: '2026-08',
    submissionKey: randomUUID(),
  });
  const KINGS_ONLY = "Choose your department, King's College (KINGS), which is also the Data Owner’s";

  it('prices a College buyer at the external price only: another department is refused, beside the field', async () => {
    const price = await call('cb404', 'POST', '/api/prices', collegeRds);
    expect(price.statusCode, price.body).toBe(200);
    expect(price.json()).toMatchObject({
      customerClass: 'external',
      netPence: 64_800,
      vatPence: 12_960,
      totalPence: 77_760,
    });
    const before = await rowCount(t.database.db, 'orders');
    for (const [method, url, body] of [
      ['POST', '/api/prices', { ...collegeRds, institutionId: 'PHYS' }],
      ['POST', '/api/quotes', { ...collegeRds, institutionId: 'PHYS' }],
      ['POST', '/api/orders', order({ ...collegeRds, institutionId: 'PHYS' })],
    ] as const) {
      const refused = await call('cb404', method, url, body);
      expect(refused.statusCode, `${url}: ${refused.body}`).toBe(422);
      expect(refused.json().error.fields).toEqual({ institutionId: KINGS_ONLY });
    }
    expect(await rowCount(t.database.db, 'orders')).toBe(before);
    const quotes = await t.database.db.selectFrom('quotes').select('id').execute();
    expect(quotes).toEqual([]);
  });

  it('lets a buyer pay from the Data Owner’s department, and from no other', async () => {
    const chemistryShare = {
      product: 'IFS',
      sizeTb: 2,
      termYears: 1,
      institutionId: 'CHEM',
      licenceName: 'Chemistry office share',
      ownerCrsid: 'ar101',
      managerCrsids: [],
      projectName: 'chem-office',
    };
    const voucherOrder = { ...order(chemistryShare), payment: { method: 'voucher', voucherCode: 'IFS-CHEM-2026' } };
    const refused = await call('ar101', 'POST', '/api/orders', voucherOrder);
    expect(refused.statusCode, refused.body).toBe(422);
    expect(refused.json().error.fields).toEqual({
      institutionId: 'Choose your department, Department of Physics (PHYS), which is also the Data Owner’s',
    });
    const voucher = await t.database.db
      .selectFrom('vouchers')
      .select('redeemed_at')
      .where('code', '=', 'IFS-CHEM-2026')
      .executeTakeFirstOrThrow();
    expect(voucher.redeemed_at).toBeNull();

    // With a Chemist as the Data Owner, Chemistry may pay.
    const forDana = await call('ar101', 'POST', '/api/prices', { ...chemistryShare, ownerCrsid: 'da303' });
    expect(forDana.statusCode, forDana.body).toBe(200);
    // Neither the buyer's nor the Data Owner's: the message names both.
    const genetics = await call('ar101', 'POST', '/api/prices', {
      ...chemistryShare,
      institutionId: 'GEN',
      ownerCrsid: 'da303',
    });
    expect(genetics.statusCode).toBe(422);
    expect(genetics.json().error.fields).toEqual({
      institutionId:
        'Choose your department, Department of Physics (PHYS), or the Data Owner’s: Yusuf Hamied Department of Chemistry (CHEM)',
    });
  });

  it('lets someone with no department in the directory choose any', async () => {
    for (const institutionId of ['PHYS', 'KINGS']) {
      const price = await call('nd111', 'POST', '/api/prices', { ...collegeRds, institutionId, ownerCrsid: 'nd111' });
      expect(price.statusCode, price.body).toBe(200);
    }
  });

  it('says the rule on the configure page, lists the buyer’s department first, and refuses another there and for a quote', async () => {
    const chloe = await browserFor('cb404');
    const page = await chloe.get('/storage/buy/RDS/');
    expect(page.body).toContain("Your department, King's College (KINGS), or the Data Owner’s");
    const options = [...page.body.matchAll(/<option value="([A-Z]+)"/g)].map((match) => match[1]);
    expect(options[0]).toBe('KINGS');
    expect(page.body).toMatch(/<option value="KINGS" selected/);
    // Every department is still offered: the Data Owner, chosen in the same form, may be in any.
    expect(options).toEqual(expect.arrayContaining(['PHYS', 'CHEM', 'GEN', 'TRIN']));

    const form = {
      sizeTb: '5',
      termYears: '2',
      institutionId: 'PHYS',
      licenceName: 'College archive',
      ownerCrsid: 'cb404',
      managerCrsids: '',
      projectName: 'archive',
    };
    const refused = await configure(chloe, 'RDS', form);
    expect(refused.statusCode).toBe(422);
    const message = "Choose your department, King's College (KINGS), which is also the Data Owner’s";
    expect(refused.body).toContain(`<a href="#institutionId">${message}</a>`);
    expect(refused.body).toContain('id="institutionId-error"');

    const csrf = await chloe.csrfFrom('/storage/buy/RDS/');
    const quote = await chloe.post('/storage/buy/RDS/quote', { ...form, _csrf: csrf });
    expect(quote.statusCode).toBe(422);
    expect(quote.body).toContain(`<a href="#institutionId">${message}</a>`);
    expect(await t.database.db.selectFrom('quotes').select('id').execute()).toEqual([]);

    expect((await configure(chloe, 'RDS', { ...form, institutionId: 'KINGS' })).statusCode).toBe(303);
  });

  it('takes a department the buyer shares with the Data Owner through the pages', async () => {
    const alice = await browserFor('ar101');
    const chemistry = {
      sizeTb: '2',
      termYears: '1',
      institutionId: 'CHEM',
      licenceName: 'Chemistry office share',
      ownerCrsid: 'da303',
      managerCrsids: '',
      projectName: 'chem-office',
    };
    expect((await configure(alice, 'IFS', chemistry)).statusCode).toBe(303);
    const own = await configure(alice, 'IFS', { ...chemistry, ownerCrsid: 'ar101' });
    expect(own.statusCode).toBe(422);
    expect(own.body).toContain(
      '<a href="#institutionId">Choose your department, Department of Physics (PHYS), which is also the Data Owner’s</a>',
    );
  });

  it('shows the staff who is buying for which department', async () => {
    const created = await call(
      'ar101',
      'POST',
      '/api/orders',
      order({
        product: 'RDS',
        sizeTb: 2,
        termYears: 1,
        institutionId: 'CHEM',
        licenceName: 'Shared spectra',
        ownerCrsid: 'da303',
        managerCrsids: [],
        projectName: 'spectra',
      }),
    );
    expect(created.statusCode, created.body).toBe(201);
    const rosa = await browserFor('rs501');
    const page = await rosa.get(`/admin/orders/${created.json().reference}/`);
    expect(page.statusCode).toBe(200);
    const text = page.body.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');
    expect(text).toContain('Department Yusuf Hamied Department of Chemistry (CHEM), internal customer');
    expect(text).toContain('Buyer’s department Department of Physics (PHYS)');
    expect(text).toContain('Data Owner’s department Yusuf Hamied Department of Chemistry (CHEM)');
    expect(text).not.toContain('neither the buyer’s nor the Data Owner’s');

    // An order placed before the rule (or since someone moved) may name another: the approver is told.
    await t.database.db
      .updateTable('orders')
      .set({ institution_id: 'GEN' })
      .where('reference', '=', created.json().reference)
      .execute();
    const other = await rosa.get(`/admin/orders/${created.json().reference}/`);
    expect(other.body.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ')).toContain(
      'The licence’s department is neither the buyer’s nor the Data Owner’s: check who pays before approving.',
    );
  });

  it('refuses an unknown product with a 422 for product, with the other fields’ problems', async () => {
    const body = { ...collegeRds, product: 'XYZ', institutionId: 'NOPE', ownerCrsid: 'zz999' };
    for (const [url, payload] of [
      ['/api/prices', body],
      ['/api/quotes', body],
      ['/api/orders', order(body)],
    ] as const) {
      const refused = await call('cb404', 'POST', url, payload);
      expect(refused.statusCode, `${url}: ${refused.body}`).toBe(422);
      expect(refused.json().error.fields).toEqual({
        product: 'There is no product called XYZ on sale: choose one of RDS, RFS, RCS, IFS',
        institutionId: 'Choose a department from the list',
        ownerCrsid: 'No one with the CRSid zz999 is in the University directory',
      });
    }
  });
});
