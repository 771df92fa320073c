import { extractText, getDocumentProxy } from 'unpdf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type QuotePdfInput, renderQuotePdf } from '../../src/modules/quotes/quote-pdf.ts';
import { Browser, startTestApp, type TestApp } from '../support/test-app.ts';

/**
 * Institutional File Storage in its own customers' words (a tester found the buy form speaking of
 * principal investigators and lab data, and the quote repeating the team's name and leaving out
 * vouchers): a department's nominee and departmental examples; "Sold by" the team once; vouchers.
 */
describe('the buy form', () => {
  let t: TestApp;
  let dana: Browser;
  beforeAll(async () => {
    t = await startTestApp();
    dana = new Browser(t.app);
    await dana.signInAs('da303');
  });
  afterAll(() => t.close());

  it("of IFS asks for the department's nominee, with departmental examples", async () => {
    const page = await dana.get('/storage/buy/IFS/');
    expect(page.statusCode).toBe(200);
    expect(page.body).not.toContain('principal investigator');
    expect(page.body).not.toContain('Smith lab imaging data');
    expect(page.body).not.toContain('imaging-2026');
    expect(page.body).toContain(
      'The person your department nominates to be responsible for its data. For example ab123.',
    );
    expect(page.body).toContain('for example “Chemistry shared drive”');
    expect(page.body).toContain('for example chem-admin');
  });

  it('of research storage still speaks of the principal investigator and research examples', async () => {
    const page = await dana.get('/storage/buy/RDS/');
    expect(page.body).toContain('usually the principal investigator');
    expect(page.body).toContain('Smith lab imaging data');
    expect(page.body).toContain('imaging-2026');
  });
});

describe('the quote PDF', () => {
  const ifs: QuotePdfInput = {
    reference: 'Q-000050',
    issuedOn: '2026-11-27',
    validUntil: '2026-12-27',
    customer: {
      institutionName: 'Yusuf Hamied Department of Chemistry',
      institutionId: 'CHEM',
      customerClass: 'internal',
      requesterName: 'Dana Administrator',
      requesterCrsid: 'da303',
      requesterEmail: 'da303@cam.ac.uk',
    },
    product: {
      code: 'IFS',
      name: 'Institutional File Store',
      serviceName: 'Institutional file storage',
      teamName: 'Institutional File Storage',
      service: 'institutional',
    },
    licenceName: 'Chemistry shared drive',
    sizeTb: 3,
    termYears: 1,
    pencePerTbYear: 5_400,
    priceValidFrom: '2026-08-01',
    netPence: 16_200,
    vatPence: 0,
    totalPence: 16_200,
    siteName: 'Storage Self-Service Gateway',
    contactEmail: 'storage-support@example.ac.uk',
    change: null,
    setup: null,
  };
  const rds: QuotePdfInput = {
    ...ifs,
    product: {
      code: 'RDS',
      name: 'Research Data Store',
      serviceName: 'Research storage',
      teamName: 'Research Computing Services',
      service: 'research',
    },
  };

  async function textOf(input: QuotePdfInput): Promise<string> {
    const document = await getDocumentProxy(new Uint8Array(await renderQuotePdf(input)));
    const { text } = await extractText(document, { mergePages: true });
    return text.replace(/\s+/g, ' ');
  }

  it('of IFS names the team once, and says vouchers can pay', async () => {
    const text = await textOf(ifs);
    expect(text).toContain('Sold by: Institutional File Storage Licence name');
    expect(text).not.toContain('Institutional File Storage (Institutional file storage)');
    expect(text).toContain('You can also pay with a University finance code or a voucher instead of a purchase order.');
  });

  it('of research storage names the team and its service, and offers no voucher', async () => {
    const text = await textOf(rds);
    expect(text).toContain('Research Computing Services (Research storage)');
    expect(text).toContain('You can also pay with a University finance code instead of a purchase order.');
  });
});
