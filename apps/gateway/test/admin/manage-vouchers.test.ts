import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueVoucher } from '../../src/modules/payments/vouchers.admin.service.ts';
import { findPersonWithRoles } from '../../src/modules/people/people.repository.ts';
import { buy, type Configuration, configure, pay } from '../support/purchase.ts';
import { personIdOf } from '../support/storage-fixtures.ts';
import { startTestApp, type TestApp } from '../support/test-app.ts';
import { auditRows, expectFieldError, flashOf, people } from './manage-support.ts';

const IFS_CHEM: Configuration = {
  sizeTb: '2',
  termYears: '1',
  institutionId: 'CHEM',
  licenceName: 'Chemistry teaching share',
  ownerCrsid: 'da303',
  managerCrsids: '',
  projectName: 'chem-teaching',
};

describe('back office: vouchers', () => {
  let t: TestApp;
  const as = people(() => t);
  let chemId: number;

  beforeAll(async () => {
    t = await startTestApp();
    const db = t.database.db;
    chemId = (
      await db.selectFrom('vouchers').select('id').where('code', '=', 'IFS-CHEM-2026').executeTakeFirstOrThrow()
    ).id;
    await db
      .insertInto('vouchers')
      .values({ code: 'IFS-OLD-0001', product_code: 'IFS', size_tb: 1, institution_id: null, expires_on: '2026-11-01' })
      .execute();
  });
  afterAll(() => t?.close());

  const issueForm = {
    productCode: 'IFS',
    sizeTb: '2',
    institutionId: 'CHEM',
    expiresOn: '2027-01-31',
    note: 'Start-up quota',
  };

  async function voucherRow(code: string) {
    return t.database.db
      .selectFrom('vouchers')
      .select([
        'id',
        'product_code',
        'size_tb',
        'institution_id',
        'expires_on',
        'note',
        'redeemed_at',
        'revoked_at',
        'revoke_reason',
      ])
      .where('code', '=', code)
      .executeTakeFirstOrThrow();
  }

  async function count(): Promise<number> {
    const row = await t.database.db
      .selectFrom('vouchers')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /** Issues a voucher through the page; returns its code and address. */
  async function issue(crsid: string, form: Record<string, string> = issueForm) {
    const staff = await as(crsid);
    const answer = await staff.post('/admin/vouchers/', form);
    expect(answer.statusCode, answer.body.slice(0, 400)).toBe(303);
    const url = String(answer.headers.location);
    const page = await staff.get(url);
    const code = flashOf(page.body)?.match(/Voucher (IFS-[A-Z0-9]{4}-[A-Z0-9]{4}) is issued/)?.[1];
    if (!code) throw new Error(`no code on ${url}`);
    expect(page.body).toContain(`<code>${code}</code>`);
    return { code, url };
  }

  describe('who may see, issue and withdraw vouchers', () => {
    it('refuses customers every voucher route', async () => {
      const dana = await as('da303');
      const before = await count();
      expect((await dana.get('/admin/vouchers/')).statusCode).toBe(403);
      expect((await dana.get('/admin/vouchers/new')).statusCode).toBe(403);
      expect((await dana.get(`/admin/vouchers/${chemId}/`)).statusCode).toBe(403);
      expect((await dana.post('/admin/vouchers/', issueForm)).statusCode).toBe(403);
      expect((await dana.post(`/admin/vouchers/${chemId}/revoke`, { reason: 'Mine' })).statusCode).toBe(403);
      expect(await count()).toBe(before);
      expect((await voucherRow('IFS-CHEM-2026')).revoked_at).toBeNull();
    });

    it('refuses the research team the institutional service’s vouchers', async () => {
      const rosa = await as('rs501');
      const before = await count();
      const list = await rosa.get('/admin/vouchers/');
      expect(list.statusCode).toBe(200);
      expect(list.body).not.toContain('IFS-CHEM-2026');
      expect(list.body).not.toContain('Issue a voucher');
      expect((await rosa.get('/admin/vouchers/new')).statusCode).toBe(403);
      expect((await rosa.get(`/admin/vouchers/${chemId}/`)).statusCode).toBe(403);
      expect((await rosa.post('/admin/vouchers/', issueForm)).statusCode).toBe(403);
      expect((await rosa.post(`/admin/vouchers/${chemId}/revoke`, { reason: 'Not mine' })).statusCode).toBe(403);
      expect(await count()).toBe(before);
      expect((await voucherRow('IFS-CHEM-2026')).revoked_at).toBeNull();
    });

    it('lets Finance read vouchers but neither issue nor withdraw one', async () => {
      const farah = await as('fn601');
      expect((await farah.get('/admin/vouchers/')).body).toContain('IFS-CHEM-2026');
      const page = await farah.get(`/admin/vouchers/${chemId}/`);
      expect(page.statusCode).toBe(200);
      expect(page.body).not.toContain('/revoke"');
      expect((await farah.get('/admin/vouchers/new')).statusCode).toBe(403);
      const before = await count();
      expect((await farah.post('/admin/vouchers/', issueForm)).statusCode).toBe(403);
      expect((await farah.post(`/admin/vouchers/${chemId}/revoke`, { reason: 'Finance' })).statusCode).toBe(403);
      expect(await count()).toBe(before);
      expect((await voucherRow('IFS-CHEM-2026')).revoked_at).toBeNull();
    });

    it('answers 404 for a voucher that does not exist', async () => {
      const ifan = await as('if502');
      expect((await ifan.get('/admin/vouchers/999999/')).statusCode).toBe(404);
      expect((await ifan.post('/admin/vouchers/999999/revoke', { reason: 'x' })).statusCode).toBe(404);
    });
  });

  describe('issuing', () => {
    it('issues a readable code that pays for an order at /storage/IFS/, then shows which order used it', async () => {
      const { code, url } = await issue('if502');
      expect(await voucherRow(code)).toMatchObject({
        product_code: 'IFS',
        size_tb: 2,
        institution_id: 'CHEM',
        expires_on: '2027-01-31',
        note: 'Start-up quota',
        redeemed_at: null,
      });
      const [audit] = (await auditRows(t.database.db, 'voucher')).filter((row) => row.after?.code === code);
      expect(audit).toMatchObject({
        actor_label: 'if502',
        action: 'issued',
        after: { code, product: 'IFS', sizeTb: 2, department: 'CHEM', expiresOn: '2027-01-31', note: 'Start-up quota' },
      });

      const dana = await as('da303');
      expect((await dana.get('/storage/IFS/')).statusCode).toBe(200);
      const reference = await buy(dana.browser, 'IFS', IFS_CHEM, {
        method: 'voucher',
        voucherCode: code.toLowerCase(),
      });
      expect((await voucherRow(code)).redeemed_at).not.toBeNull();

      const ifan = await as('if502');
      const page = await ifan.get(url);
      expect(page.body).toContain(`Used</strong> by <a href="/admin/orders/${reference}/">${reference}</a>`);
      expect(page.body).not.toContain('/revoke"');
      const refused = await ifan.post(`${url}revoke`, { reason: 'Too late' });
      expect(refused.statusCode).toBe(409);
      expect(refused.body).toContain(`Voucher ${code} has been used by order ${reference}, so it cannot be withdrawn.`);
      expect((await voucherRow(code)).revoked_at).toBeNull();
    });

    it.each([
      [
        { expiresOn: '2026-11-26' },
        'expiresOn',
        'The expiry day cannot be in the past (before today, 27 November 2026)',
      ],
      [
        { expiresOn: '2026-13-01' },
        'expiresOn',
        'Enter the expiry day as a real date: as year-month-day, for example 2027-08-01',
      ],
      [{ sizeTb: '0' }, 'sizeTb', 'Enter the size as a whole number of TB, for example 2'],
      [{ productCode: 'RDS' }, 'productCode', 'Choose the product the voucher pays for'],
      [{ institutionId: 'NOWHERE' }, 'institutionId', 'Choose a department from the list, or any department'],
    ])('refuses %j beside its field, and issues nothing', async (change, field, message) => {
      const sam = await as('su701');
      const before = await count();
      expectFieldError(await sam.post('/admin/vouchers/', { ...issueForm, ...change }), field, message);
      expect(await count()).toBe(before);
    });

    it('issues one voucher for a form sent twice (a double click), answering both with it', async () => {
      const ifan = await as('if502');
      const form = await ifan.get('/admin/vouchers/new');
      const issueKey = form.body.match(/name="issueKey" value="([0-9a-f-]{36})"/)?.[1];
      if (!issueKey) throw new Error('the issue form carries no key');
      const before = await count();
      const sent = { ...issueForm, note: 'Sent twice', issueKey };
      const first = await ifan.post('/admin/vouchers/', sent);
      const second = await ifan.post('/admin/vouchers/', sent);
      expect(first.statusCode).toBe(303);
      expect(second.statusCode).toBe(303);
      expect(second.headers.location).toBe(first.headers.location);
      expect(await count()).toBe(before + 1);
      const issued = await t.database.db
        .selectFrom('audit_events')
        .select('entity_id')
        .where('entity_type', '=', 'voucher')
        .where('action', '=', 'issued')
        .where(sql<boolean>`after->>'note' = 'Sent twice'`)
        .execute();
      expect(issued).toHaveLength(1);
      // A new form is a new voucher.
      const again = await ifan.get('/admin/vouchers/new');
      expect(again.body).not.toContain(issueKey);
    });

    it('draws another code when the first one is taken', async () => {
      const codes = ['IFS-CHEM-2026', 'IFS-TEST-0002'];
      const person = await findPersonWithRoles(t.database.db, await personIdOf(t.database.db, 'if502'));
      if (!person) throw new Error('no if502');
      const issued = await issueVoucher(
        { db: t.database.db, clock: t.clock, generateCode: () => codes.shift() as string },
        person,
        { productCode: 'IFS', sizeTb: '1' },
      );
      expect(issued.ok && issued.voucher.code).toBe('IFS-TEST-0002');
      expect(await voucherRow('IFS-CHEM-2026')).toMatchObject({ size_tb: 2, institution_id: 'CHEM' });
    });
  });

  describe('withdrawing', () => {
    it('withdraws an unused voucher with a reason; the purchase then refuses it', async () => {
      const { code, url } = await issue('if502', { ...issueForm, institutionId: '', expiresOn: '' });
      const ifan = await as('if502');
      expectFieldError(await ifan.post(`${url}revoke`, { reason: '' }), 'reason', 'Enter why the voucher is withdrawn');
      expect((await voucherRow(code)).revoked_at).toBeNull();

      expect((await ifan.post(`${url}revoke`, { reason: 'Sent to the wrong person' })).statusCode).toBe(303);
      expect(await voucherRow(code)).toMatchObject({ revoke_reason: 'Sent to the wrong person' });
      expect((await voucherRow(code)).revoked_at).not.toBeNull();
      const page = await ifan.get(url);
      expect(page.body).toContain('Withdrawn</strong>: Sent to the wrong person');
      expect(page.body).toContain('Voucher: revoked');
      expect(page.body).toContain('Voucher: issued');
      const [audit] = (await auditRows(t.database.db, 'voucher')).filter((row) => row.action === 'revoked');
      expect(audit).toMatchObject({
        actor_label: 'if502',
        before: { code, status: 'unused' },
        after: { code, status: 'revoked', reason: 'Sent to the wrong person' },
      });
      expect((await ifan.post(`${url}revoke`, { reason: 'Again' })).statusCode).toBe(409);

      const dana = await as('da303');
      expect((await configure(dana.browser, 'IFS', IFS_CHEM)).statusCode).toBe(303);
      const refused = await pay(dana.browser, 'IFS', { method: 'voucher', voucherCode: code });
      expect(refused.statusCode).toBe(422);
      expect(refused.body).toContain('This voucher has been withdrawn');
      expect((await voucherRow(code)).redeemed_at).toBeNull();
    });
  });

  describe('the list', () => {
    function codes(body: string): string[] {
      return [...body.matchAll(/<a href="\/admin\/vouchers\/\d+\/"><code>([^<]+)<\/code><\/a>/g)].map(
        (match) => match[1] as string,
      );
    }

    it('filters by status', async () => {
      const ifan = await as('if502');
      const used = codes((await ifan.get('/admin/vouchers/?status=used')).body);
      expect(used).toContain('IFS-USED-0001');
      expect(used).not.toContain('IFS-CHEM-2026');
      expect(codes((await ifan.get('/admin/vouchers/?status=expired')).body)).toEqual(['IFS-OLD-0001']);
      const unused = codes((await ifan.get('/admin/vouchers/?status=unused')).body);
      expect(unused).toContain('IFS-CHEM-2026');
      expect(unused).not.toContain('IFS-OLD-0001');
      expect(unused).not.toContain('IFS-USED-0001');
      const revoked = await ifan.get('/admin/vouchers/?status=revoked');
      expect(codes(revoked.body)).toHaveLength(1);
      expect(revoked.body).toContain('Sent to the wrong person');
    });

    it('pages 25 at a time, newest first, keeping the filter', async () => {
      await sql`INSERT INTO vouchers (code, product_code, size_tb, issued_at)
        SELECT 'IFS-BULK-' || lpad(n::text, 4, '0'), 'IFS', 1, now() + n * interval '1 minute'
        FROM generate_series(1, 30) AS n`.execute(t.database.db);
      const ifan = await as('if502');
      const first = await ifan.get('/admin/vouchers/?status=unused');
      expect(codes(first.body)).toHaveLength(25);
      expect(codes(first.body)[0]).toBe('IFS-BULK-0030');
      expect(first.body).toContain('href="/admin/vouchers/?status=unused&amp;page=2"');
      const second = await ifan.get('/admin/vouchers/?status=unused&page=2');
      expect(codes(second.body)).toContain('IFS-BULK-0001');
      expect(codes(second.body)).toContain('IFS-CHEM-2026');
    });
  });
});
