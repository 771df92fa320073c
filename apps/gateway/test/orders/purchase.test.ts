import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rowCount } from '../support/api.ts';
import { startTestAppWithCufs } from '../support/cufs.ts';
import { buy, configure, pay, RDS_CONFIGURATION, SAMPLE_PDF, submit } from '../support/purchase.ts';
import { Browser, type TestApp } from '../support/test-app.ts';

describe('buying research storage through the pages', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestAppWithCufs();
  });
  afterAll(() => t?.close());

  const count = (table: 'orders' | 'licences' | 'payments' | 'uploaded_documents') => rowCount(t.database.db, table);

  it('prices a configuration on the server as the buyer goes, and asks for sign-in first', async () => {
    const anonymous = await t.app.inject('/storage/buy/RDS/');
    expect(anonymous.statusCode).toBe(302);
    expect(anonymous.headers.location).toBe('/sign-in?returnTo=%2Fstorage%2Fbuy%2FRDS%2F');

    const alice = new Browser(t.app);
    await alice.signInAs('ar101');
    const page = await alice.get('/storage/buy/RDS/');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Buy Research Data Store');
    // The buyer's own department and CRSid are filled in to start with.
    expect(page.body).toMatch(/<option value="PHYS" selected/);
    expect(page.body).toContain('value="ar101"');

    const csrf = await alice.csrfFrom('/storage/buy/RDS/');
    const priced = await alice.post('/storage/buy/RDS/', { ...RDS_CONFIGURATION, _csrf: csrf, intent: 'price' });
    expect(priced.statusCode).toBe(200);
    expect(priced.body).toContain('5 TB × £54.00 per TB per year × 3 years');
    expect(priced.body).toContain('£810.00');
    expect(priced.body).toContain('None (internal customer)');

    const json = await alice.get('/storage/buy/RDS/price?sizeTb=2&termYears=1&institutionId=KINGS');
    expect(json.json()).toMatchObject({ netPence: 12_960, vatPence: 2_592, totalPence: 15_552 });
    const bad = await alice.get('/storage/buy/RDS/price?sizeTb=0&termYears=1&institutionId=PHYS');
    expect(bad.statusCode).toBe(422);
    expect(bad.json()).toEqual({ errors: { sizeTb: 'The size must be at least 1 TB' } });
  });

  it('"Update price" needs only the size, the term and the department, as the price as you type does', async () => {
    const alice = new Browser(t.app);
    await alice.signInAs('ar101');
    const csrf = await alice.csrfFrom('/storage/buy/RDS/');
    const partial = {
      sizeTb: '5',
      termYears: '3',
      institutionId: 'PHYS',
      licenceName: '',
      ownerCrsid: '',
      projectName: '',
    };
    const priced = await alice.post('/storage/buy/RDS/', { ...partial, _csrf: csrf, intent: 'price' });
    expect(priced.statusCode).toBe(200);
    expect(priced.body).toContain('5 TB × £54.00 per TB per year × 3 years');
    expect(priced.body).toContain('£810.00');
    expect(priced.body).not.toContain('There is a problem');
    const bad = await alice.post('/storage/buy/RDS/', { ...partial, sizeTb: '0', _csrf: csrf, intent: 'price' });
    expect(bad.statusCode).toBe(422);
    expect(bad.body).toContain('<a href="#sizeTb">The size must be at least 1 TB</a>');
    expect(bad.body).not.toContain('href="#licenceName"');
    // Continuing with the rest still missing is refused as before, and the price is still shown.
    const onwards = await alice.post('/storage/buy/RDS/', { ...partial, _csrf: csrf, intent: 'continue' });
    expect(onwards.statusCode).toBe(422);
    expect(onwards.body).toContain('<a href="#licenceName">Enter a name for the licence</a>');
    expect(onwards.body).toContain('£810.00');
  });

  it.each([
    [{ sizeTb: '0' }, 'sizeTb', 'The size must be at least 1 TB'],
    [{ sizeTb: '-2' }, 'sizeTb', 'The size must be at least 1 TB'],
    [{ sizeTb: '1.5' }, 'sizeTb', 'Enter the size as a whole number of TB, for example 5'],
    [{ termYears: '7' }, 'termYears', 'Choose one of the terms offered: 1 year, 2 years, 3 years, 4 years, 5 years'],
    [{ institutionId: '' }, 'institutionId', 'Choose the department that pays for the storage'],
    [{ institutionId: 'NOPE' }, 'institutionId', 'Choose a department from the list'],
    [{ ownerCrsid: '' }, 'ownerCrsid', 'Enter the CRSid of the Data Owner'],
    [{ ownerCrsid: 'zz999' }, 'ownerCrsid', 'No one with the CRSid zz999 is in the University directory'],
  ])('refuses %j with a message next to the field and stores nothing', async (change, field, message) => {
    const alice = new Browser(t.app);
    await alice.signInAs('ar101');
    const before = await count('licences');
    const response = await configure(alice, 'RDS', { ...RDS_CONFIGURATION, ...change });
    expect(response.statusCode).toBe(422);
    expect(response.body).toContain('There is a problem');
    expect(response.body).toContain(`<a href="#${field}">${message.replaceAll("'", '&#39;')}</a>`);
    expect(response.body).toContain(`id="${field}-error"`);
    expect(await count('licences')).toBe(before);
  });

  it('takes a Data Owner and Data Manager who have not signed in yet from the University directory', async () => {
    await t.database.db
      .insertInto('directory_people')
      .values([
        {
          crsid: 'pi555',
          display_name: 'Priya Investigator',
          email: 'pi555@cam.ac.uk',
          institution_id: 'PHYS',
          status: 'current',
        },
        {
          crsid: 'pd666',
          display_name: 'Piet Doc',
          email: 'pd666@cam.ac.uk',
          institution_id: 'PHYS',
          status: 'current',
        },
      ])
      .execute();
    const alice = new Browser(t.app);
    await alice.signInAs('ar101');
    const configured = await configure(alice, 'RDS', {
      ...RDS_CONFIGURATION,
      ownerCrsid: 'pi555',
      managerCrsids: 'pd666',
    });
    expect(configured.statusCode).toBe(303);
    expect(
      await t.database.db
        .selectFrom('people')
        .select(['crsid', 'display_name'])
        .where('crsid', 'in', ['pi555', 'pd666'])
        .orderBy('crsid')
        .execute(),
    ).toEqual([
      { crsid: 'pd666', display_name: 'Piet Doc' },
      { crsid: 'pi555', display_name: 'Priya Investigator' },
    ]);
  });

  it('refuses a closed finance code with the reason CUFS gives', async () => {
    const alice = new Browser(t.app);
    await alice.signInAs('ar101');
    await configure(alice, 'RDS', RDS_CONFIGURATION);
    const refused = await pay(alice, 'RDS', { method: 'finance-code', financeCode: 'PHZX.GAAA' });
    expect(refused.statusCode).toBe(422);
    expect(refused.body).toContain('This finance code cannot be used');
    expect(refused.body).toContain('PHZX');
    const malformed = await pay(alice, 'RDS', { method: 'finance-code', financeCode: 'PH.GA' });
    expect(malformed.statusCode).toBe(422);
    expect(malformed.body).toMatch(/cost centre/i);
  });

  it('submits an order paid by a finance code: one order, the licence and project pending, an email to buyer and owner', async () => {
    const alice = new Browser(t.app);
    await alice.signInAs('ar101');
    expect(
      (await configure(alice, 'RDS', { ...RDS_CONFIGURATION, ownerCrsid: 'bm202', managerCrsids: 'da303' })).statusCode,
    ).toBe(303);
    expect((await pay(alice, 'RDS', { method: 'finance-code', financeCode: 'phaa gaaa' })).statusCode).toBe(303);

    const check = await alice.get('/storage/buy/RDS/check');
    expect(check.body).toContain('Check your order');
    expect(check.body).toContain('Checked: Physics: general');
    expect(check.body).toContain('version 2026-08');
    // The end date is the last day the storage can be used, as the lifecycle's emails say.
    expect(check.body).toContain(
      'The end date is the last day the storage can be used: storage that is not renewed becomes read-only the day after the end date',
    );
    expect(check.body).not.toContain('read-only at the end date');

    const notAccepted = await submit(alice, 'RDS', { acceptTerms: false });
    expect(notAccepted.response.statusCode).toBe(422);
    expect(notAccepted.response.body).toContain('Accept the terms and conditions to submit the order');

    const ordersBefore = await count('orders');
    const { response, form } = await submit(alice, 'RDS');
    expect(response.statusCode).toBe(303);
    const location = String(response.headers.location);
    expect(location).toMatch(/^\/orders\/ORD-\d{6}\/$/);
    // The same form sent again (a double click, a resubmitted page) leads to the same order.
    const again = await alice.post('/storage/buy/RDS/check', form);
    expect(again.statusCode).toBe(303);
    expect(again.headers.location).toBe(location);
    expect(await count('orders')).toBe(ordersBefore + 1);

    const page = await alice.get(location);
    expect(page.body).toContain('submitted. We have emailed a confirmation.');
    expect(page.body).toContain('Waiting for approval');
    expect(page.body).toContain('PHAA.GAAA');
    expect(page.body).toContain('£810.00');

    const reference = location.split('/')[2] as string;
    // Alice bought it for Ben and holds no place on the licence, whose page is not found for her:
    // her order names the licence without a link to it. Ben, its Data Owner, has the link.
    const licenceLink = /<a href="(\/storage\/licence\/\d+\/)">Quantum imaging data<\/a>/;
    expect(page.body).toContain('<dt>Licence</dt><dd>Quantum imaging data</dd>');
    // Who it was ordered for, as the check page showed them.
    expect(page.body).toContain('<dt>Data Managers</dt><dd>Dana Administrator (da303)</dd>');
    expect(page.body).not.toMatch(licenceLink);
    const ben = new Browser(t.app);
    await ben.signInAs('bm202');
    const licencePath = (await ben.get(location)).body.match(licenceLink)?.[1];
    expect(licencePath).toBeDefined();
    expect((await ben.get(String(licencePath))).statusCode).toBe(200);
    expect((await alice.get(String(licencePath))).statusCode).toBe(404);
    const order = await t.database.db
      .selectFrom('orders')
      .innerJoin('licences', 'licences.id', 'orders.licence_id')
      .innerJoin('payments', 'payments.order_id', 'orders.id')
      .innerJoin('terms_versions', 'terms_versions.id', 'orders.terms_version_id')
      .select([
        'orders.status',
        'orders.total_pence',
        'licences.status as licence_status',
        'licences.id as licence_id',
        'payments.check_status',
        'terms_versions.version',
      ])
      .where('orders.reference', '=', reference)
      .executeTakeFirstOrThrow();
    expect(order).toMatchObject({
      status: 'awaiting-approval',
      total_pence: 81_000,
      licence_status: 'pending',
      check_status: 'valid',
      version: '2026-08',
    });
    const project = await t.database.db
      .selectFrom('storage_projects')
      .select(['name', 'quota_tb'])
      .where('licence_id', '=', order.licence_id)
      .execute();
    expect(project).toEqual([{ name: 'imaging-2026', quota_tb: 5 }]);
    const audit = await t.database.db
      .selectFrom('audit_events')
      .select(['action', 'actor_label'])
      .where('licence_id', '=', order.licence_id)
      .orderBy('id')
      .execute();
    expect(audit).toEqual([
      { action: 'requested', actor_label: 'ar101' },
      { action: 'submitted', actor_label: 'ar101' },
    ]);
    const mail = await t.database.db
      .selectFrom('mail_outbox')
      .select(['to_addresses', 'subject', 'text_body'])
      .where('subject', 'like', `%${reference}%`)
      .execute();
    expect(mail).toHaveLength(1);
    expect(mail[0]?.to_addresses.sort()).toEqual(['ar101@cam.ac.uk', 'bm202@cam.ac.uk']);
    // Everyone by name and CRSid, the licence's name in the site's curly quotes.
    expect(mail[0]?.text_body).toContain(
      ': “Quantum imaging data”, for Department of Physics, with Ben Manager (bm202) as Data Owner, and Dana Administrator (da303) as its Data Manager.',
    );
  });

  it('takes a purchase order with its PDF, checked by content, and only the right people can download it', async () => {
    const alice = new Browser(t.app);
    await alice.signInAs('ar101');
    await configure(alice, 'RDS', RDS_CONFIGURATION);
    const documentsBefore = await count('uploaded_documents');
    const noFile = await pay(alice, 'RDS', { method: 'purchase-order', poNumber: 'P1234567' });
    expect(noFile.statusCode).toBe(422);
    expect(noFile.body).toContain('Upload the purchase order as a PDF');
    const notPdf = await pay(alice, 'RDS', {
      method: 'purchase-order',
      poNumber: 'P1234567',
      file: { bytes: Buffer.from('GIF89a not really a pdf'), name: 'order.pdf', type: 'application/pdf' },
    });
    expect(notPdf.statusCode).toBe(422);
    expect(notPdf.body).toContain('The purchase order must be a PDF');
    expect(await count('uploaded_documents')).toBe(documentsBefore);

    const reference = await buy(alice, 'RDS', RDS_CONFIGURATION, {
      method: 'purchase-order',
      poNumber: 'p1234567',
      file: { bytes: SAMPLE_PDF, name: '../../evil "name".pdf' },
    });
    const page = await alice.get(`/orders/${reference}/`);
    expect(page.body).toContain('P1234567');
    const download = await alice.get(`/orders/${reference}/purchase-order`);
    expect(download.statusCode).toBe(200);
    expect(download.headers['content-type']).toBe('application/pdf');
    // The name is cleaned of paths and quotes before it is stored or sent back.
    expect(download.headers['content-disposition']).toMatch(/^attachment; filename="evil [\w .()-]+\.pdf"$/);
    expect(download.rawPayload.equals(SAMPLE_PDF)).toBe(true);

    for (const [crsid, status] of [
      ['bm202', 200],
      ['da303', 404],
      ['rs501', 200],
      ['fn601', 200],
      ['if502', 404],
    ] as const) {
      const someone = new Browser(t.app);
      await someone.signInAs(crsid);
      expect((await someone.get(`/orders/${reference}/purchase-order`)).statusCode, crsid).toBe(status);
      expect((await someone.get(`/orders/${reference}/`)).statusCode, crsid).toBe(status);
    }

    // A PDF is taken by its content whatever it is called, and is named as one: it downloads as
    // 'scan.txt.pdf', which opens as a PDF, not as 'scan.txt' in a text editor.
    const named = await buy(alice, 'RDS', RDS_CONFIGURATION, {
      method: 'purchase-order',
      poNumber: 'P7654321',
      file: { bytes: SAMPLE_PDF, name: 'scan.txt', type: 'text/plain' },
    });
    expect((await alice.get(`/orders/${named}/`)).body).toContain('scan.txt.pdf (PDF)');
    const renamed = await alice.get(`/orders/${named}/purchase-order`);
    expect(renamed.headers['content-disposition']).toBe('attachment; filename="scan.txt.pdf"');
    expect(renamed.rawPayload.equals(SAMPLE_PDF)).toBe(true);
  });

  it('keeps the PO file when the form is refused for another answer, so it is not chosen again', async () => {
    const alice = new Browser(t.app);
    await alice.signInAs('ar101');
    await configure(alice, 'RDS', RDS_CONFIGURATION);
    const documentsBefore = await count('uploaded_documents');
    const badNumber = await pay(alice, 'RDS', {
      method: 'purchase-order',
      poNumber: 'P 12',
      file: { bytes: SAMPLE_PDF, name: 'order.pdf' },
    });
    expect(badNumber.statusCode).toBe(422);
    expect(badNumber.body).toContain('A purchase order number is 4 to 20 letters');
    expect(badNumber.body).not.toContain('<a href="#poDocument">');
    expect(badNumber.body).toContain('order.pdf uploaded — choose another file to replace it');
    expect(badNumber.body).toContain('value="P 12"');
    // Checked and kept as Alice's upload (po-upload-kept.test.ts: the next answer uses it).
    expect(await count('uploaded_documents')).toBe(documentsBefore + 1);
  });

  it('lets the buyer cancel until provisioning starts, once, and nobody else outside the order', async () => {
    const alice = new Browser(t.app);
    await alice.signInAs('ar101');
    const reference = await buy(alice, 'RDS', RDS_CONFIGURATION, { method: 'finance-code', financeCode: 'PHAA.GAAA' });

    const dana = new Browser(t.app);
    await dana.signInAs('da303');
    const danaCsrf = await dana.csrfFrom('/storage/');
    expect((await dana.post(`/orders/${reference}/cancel`, { _csrf: danaCsrf })).statusCode).toBe(404);
    // Finance reads every order but changes only charges (DESIGN.md §3): no cancelling.
    const farah = new Browser(t.app);
    await farah.signInAs('fn601');
    expect((await farah.get(`/orders/${reference}/`)).body).not.toContain(`href="/orders/${reference}/cancel"`);
    expect((await farah.get(`/orders/${reference}/cancel`)).statusCode).toBe(403);
    const farahCsrf = await farah.csrfFrom('/storage/');
    expect((await farah.post(`/orders/${reference}/cancel`, { _csrf: farahCsrf })).statusCode).toBe(403);
    expect((await alice.get(`/orders/${reference}/`)).body).not.toContain('Cancelled');

    const confirm = await alice.get(`/orders/${reference}/cancel`);
    expect(confirm.body).toContain('Yes, cancel the order');
    const csrf = await alice.csrfFrom(`/orders/${reference}/cancel`);
    const cancelled = await alice.post(`/orders/${reference}/cancel`, { _csrf: csrf });
    expect(cancelled.statusCode).toBe(303);
    expect((await alice.get(`/orders/${reference}/`)).body).toContain('Cancelled');
    const again = await alice.post(`/orders/${reference}/cancel`, { _csrf: csrf });
    expect(again.statusCode).toBe(409);
    expect(again.body).toContain('can no longer be cancelled: it is cancelled');
    const licence = await t.database.db
      .selectFrom('orders')
      .innerJoin('licences', 'licences.id', 'orders.licence_id')
      .innerJoin('payments', 'payments.order_id', 'orders.id')
      .select([
        'licences.status',
        'licences.updated_at as licenceUpdated',
        'orders.updated_at as orderUpdated',
        'payments.checked_at',
      ])
      .where('orders.reference', '=', reference)
      .executeTakeFirstOrThrow();
    expect(licence.status).toBe('cancelled');
    // Checked and cancelled as of the app's clock (the test day), not the machine's.
    expect([licence.checked_at, licence.orderUpdated, licence.licenceUpdated].map((at) => at && new Date(at))).toEqual([
      t.clock.now(),
      t.clock.now(),
      t.clock.now(),
    ]);
  });

  it('does not submit at a price the buyer was not shown: a price that came into force after the check page asks to check again', async () => {
    const alice = new Browser(t.app);
    await alice.signInAs('ar101');
    const rfs = {
      ...RDS_CONFIGURATION,
      sizeTb: '2',
      termYears: '1',
      licenceName: 'Shared drive',
      projectName: 'share',
    };
    expect((await configure(alice, 'RFS', rfs)).statusCode).toBe(303);
    expect((await pay(alice, 'RFS', { method: 'finance-code', financeCode: 'PHAA.GAAA' })).statusCode).toBe(303);
    const check = await alice.get('/storage/buy/RFS/check');
    expect(check.body).toContain('2 TB × £139.00 per TB per year × 1 year');
    // The form the buyer submits: every hidden field of the check page, and the terms accepted.
    const form: Record<string, string> = Object.fromEntries(
      [...check.body.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"/g)].map((m) => [m[1], m[2]]),
    ) as Record<string, string>;
    form.acceptTerms = 'yes';

    // While the buyer reads the terms, a new price comes into force today.
    await t.database.db
      .insertInto('prices')
      .values({ product_code: 'RFS', customer_class: 'internal', pence_per_tb_year: 9_999, valid_from: '2026-11-27' })
      .execute();
    const ordersBefore = await count('orders');
    const refused = await alice.post('/storage/buy/RFS/check', form);
    expect(refused.statusCode).toBe(422);
    expect(refused.body).toContain('There is a problem');
    expect(refused.body).toContain('The price has changed since you checked your order: the total is now £199.98');
    expect(refused.body).toContain('2 TB × £99.99 per TB per year × 1 year');
    expect(await count('orders')).toBe(ordersBefore);

    // Accepting again on the page that shows the new price submits it.
    const { response } = await submit(alice, 'RFS');
    expect(response.statusCode).toBe(303);
    const reference = String(response.headers.location).match(/ORD-\d+/)?.[0] as string;
    const order = await t.database.db
      .selectFrom('orders')
      .select(['pence_per_tb_year', 'total_pence'])
      .where('reference', '=', reference)
      .executeTakeFirstOrThrow();
    expect(order).toEqual({ pence_per_tb_year: 9_999, total_pence: 19_998 });
  });

  it('does not submit answers changed in another tab after the check page was shown: it asks to check them again', async () => {
    // One browser, two tabs: they share the session, and so the purchase in progress.
    const alice = new Browser(t.app);
    await alice.signInAs('ar101');
    const tabOne = { ...RDS_CONFIGURATION, sizeTb: '1', termYears: '1', licenceName: 'Tab one', projectName: 'one' };
    expect((await configure(alice, 'RDS', tabOne)).statusCode).toBe(303);
    expect((await pay(alice, 'RDS', { method: 'finance-code', financeCode: 'PHAA.GAAA' })).statusCode).toBe(303);
    const check = await alice.get('/storage/buy/RDS/check');
    expect(check.body).toContain('Tab one');
    const form: Record<string, string> = Object.fromEntries(
      [...check.body.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"/g)].map((m) => [m[1], m[2]]),
    ) as Record<string, string>;
    form.acceptTerms = 'yes';

    // The second tab gives the same size, term and department, but another name, Data Owner and payment.
    const tabTwo = { ...tabOne, licenceName: 'Tab two', ownerCrsid: 'cb404', projectName: 'two' };
    expect((await configure(alice, 'RDS', tabTwo)).statusCode).toBe(303);
    expect(
      (
        await pay(alice, 'RDS', {
          method: 'purchase-order',
          poNumber: 'P7654321',
          file: { bytes: SAMPLE_PDF, name: 'po.pdf' },
        })
      ).statusCode,
    ).toBe(303);
    const ordersBefore = await count('orders');
    const refused = await alice.post('/storage/buy/RDS/check', form);
    expect(refused.statusCode).toBe(422);
    expect(refused.body).toContain(
      'Your answers were changed in another tab or window after this page was shown: check them again and accept the terms to submit',
    );
    // The page now shows what would be ordered.
    expect(refused.body).toContain('Tab two');
    expect(refused.body).toContain('Chloe Bursar (cb404)');
    expect(refused.body).toContain('P7654321');
    expect(await count('orders')).toBe(ordersBefore);

    const { response } = await submit(alice, 'RDS');
    expect(response.statusCode).toBe(303);
  });

  it('keeps a purchase in progress while another product is bought in another tab', async () => {
    const alice = new Browser(t.app);
    await alice.signInAs('ar101');
    const rfs = { ...RDS_CONFIGURATION, sizeTb: '1', termYears: '1', licenceName: 'First tab', projectName: 'first' };
    expect((await configure(alice, 'RFS', rfs)).statusCode).toBe(303);
    expect((await pay(alice, 'RFS', { method: 'finance-code', financeCode: 'PHAA.GAAA' })).statusCode).toBe(303);
    expect((await alice.get('/storage/buy/RFS/check')).body).toContain('First tab');
    // Another tab starts buying another product: the first purchase is still there to submit.
    const rds = { ...RDS_CONFIGURATION, licenceName: 'Second tab', projectName: 'second' };
    expect((await configure(alice, 'RDS', rds)).statusCode).toBe(303);
    const { response } = await submit(alice, 'RFS');
    expect(response.statusCode).toBe(303);
    expect(String(response.headers.location)).toMatch(/^\/orders\/ORD-\d+\/$/);
    // And the second is kept too.
    expect((await alice.get('/storage/buy/RDS/')).body).toContain('value="Second tab"');
  });

  it('refuses a form posted without its CSRF token', async () => {
    const alice = new Browser(t.app);
    await alice.signInAs('ar101');
    const response = await alice.post('/storage/buy/RDS/', { ...RDS_CONFIGURATION, intent: 'continue' } as Record<
      string,
      string
    >);
    expect(response.statusCode).toBe(403);
  });
});
