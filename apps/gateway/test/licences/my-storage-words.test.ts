import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertStorage } from '../support/storage-fixtures.ts';
import { Browser, startTestApp, type TestApp } from '../support/test-app.ts';

/**
 * My storage and a licence's page as a tester of Institutional File Storage found them: a licence
 * whose new order was rejected read as "Cancelled" and was counted for ever; a Project Data User's
 * annual cost counted the licence of another department they only use a project of.
 */
describe('My storage', () => {
  let t: TestApp;
  const text = (html: string) =>
    html
      .replace(/<[^>]+>/g, ' ')
      .replace(/&amp;/g, '&')
      .replace(/&#x27;|&#39;/g, "'")
      .replace(/\s+/g, ' ');
  const rowOf = (html: string, what: string) =>
    text(html.match(new RegExp(`<tr>(?:(?!</tr>).)*${what}(?:(?!</tr>).)*</tr>`, 's'))?.[0] ?? '');
  const totals = (html: string) => text(html.match(/<p id="licence-totals">[\s\S]*?<\/p>/)?.[0] ?? '');

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  describe('a licence whose new order was rejected', () => {
    let dana: Browser;
    let licenceId: number;
    let reference: string;

    beforeAll(async () => {
      await insertStorage(t.database.db, {
        name: 'Chemistry shared drive',
        productCode: 'IFS',
        institutionId: 'CHEM',
        owner: 'da303',
        sizeTb: 3,
        status: 'active',
        startDate: '2026-03-01',
        endDate: '2027-02-28',
        projects: [{ name: 'chem-admin', quotaTb: 3, status: 'active' }],
        order: { status: 'completed' },
      });
      const rejected = await insertStorage(t.database.db, {
        name: 'Chem voucher test',
        productCode: 'IFS',
        institutionId: 'CHEM',
        owner: 'da303',
        sizeTb: 1,
        status: 'cancelled',
        startDate: null,
        endDate: null,
        projects: [{ name: 'chem-voucher', quotaTb: 1, status: 'pending' }],
        order: { status: 'rejected', statusReason: 'The voucher is for another department.' },
      });
      licenceId = rejected.licenceId;
      reference = rejected.order?.reference ?? '';
      dana = new Browser(t.app);
      await dana.signInAs('da303');
    });

    it('reads "Not approved" with the order and its reason on My storage, and is not counted', async () => {
      const page = (await dana.get('/storage/')).body;
      const row = rowOf(page, 'Chem voucher test');
      expect(row).toContain('Not approved');
      expect(row).toContain(`The storage team did not approve order ${reference}`);
      expect(row).toContain('Reason: The voucher is for another department.');
      expect(row).not.toContain('Cancelled');
      expect(row).not.toContain('was cancelled');
      expect(totals(page)).toContain('In all: 1 licence, 3 TB');
      expect(totals(page)).not.toContain('cancelled or deleted');
    });

    it('reads "Not approved" on its page, never set up rather than ended', async () => {
      const page = await dana.get(`/storage/licence/${licenceId}/`);
      expect(page.statusCode).toBe(200);
      const body = text(page.body);
      expect(body).not.toContain('Ended: the licence was cancelled');
      expect(body).toContain('Ends Never: its order was not approved');
      expect(body).toContain('Not approved');
      expect(body).toContain(`The storage team did not approve order ${reference}`);
      expect(body).toContain('Reason: The voucher is for another department.');
    });

    it('is "Not approved" in the JSON API too, its status still cancelled', async () => {
      const answer = (await dana.get(`/api/licences/${licenceId}`)).json();
      expect(answer).toMatchObject({ status: 'cancelled', statusLabel: 'Not approved' });
      const listed = (await dana.get('/api/licences')).json().licences;
      expect(listed.find((licence: { id: number }) => licence.id === licenceId)).toMatchObject({
        statusLabel: 'Not approved',
      });
    });
  });

  describe("a person's annual cost", () => {
    let alice: Browser;

    beforeAll(async () => {
      await insertStorage(t.database.db, {
        name: 'Chemistry finance drive',
        productCode: 'IFS',
        institutionId: 'CHEM',
        owner: 'da303',
        sizeTb: 5,
        status: 'active',
        startDate: '2026-03-01',
        endDate: '2027-02-28',
        projects: [
          {
            name: 'chem-finance',
            quotaTb: 5,
            status: 'active',
            members: [{ crsid: 'ar101', role: 'project-data-user' }],
          },
        ],
        order: { status: 'completed' },
      });
      await insertStorage(t.database.db, {
        name: 'Alice spectra',
        owner: 'ar101',
        sizeTb: 2,
        status: 'active',
        startDate: '2026-03-01',
        endDate: '2027-02-28',
        projects: [{ name: 'spectra', quotaTb: 2, status: 'active' }],
        order: { status: 'completed' },
      });
      alice = new Browser(t.app);
      await alice.signInAs('ar101');
    });

    it("counts only the licences they own or manage, and says another's is paid by its Data Owner", async () => {
      const page = (await alice.get('/storage/')).body;
      const used = rowOf(page, 'Chemistry finance drive');
      expect(used).toContain('Paid by its Data Owner');
      expect(used).not.toContain('£');
      const own = rowOf(page, 'Alice spectra');
      const ownCost = own.match(/£[\d,]+\.\d\d/)?.[0];
      expect(ownCost).toBeDefined();
      const line = totals(page);
      expect(line).toContain('In all: 2 licences, 7 TB');
      expect(line).toContain(`annual cost at your current price ${ownCost}`);
      expect(text(page)).toContain(
        'The annual cost counts only the licences you own or manage: one whose storage project you only use is paid for by its Data Owner.',
      );
    });
  });
});
