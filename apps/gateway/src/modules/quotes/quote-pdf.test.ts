import { extractText, getDocumentProxy, getMeta } from 'unpdf';
import { describe, expect, it } from 'vitest';
import { QUOTE_ISSUER, type QuotePdfInput, renderQuotePdf } from './quote-pdf.ts';

const internal: QuotePdfInput = {
  reference: 'Q-000042',
  issuedOn: '2028-02-10',
  validUntil: '2028-03-11',
  customer: {
    institutionName: 'Department of Physics',
    institutionId: 'PHYS',
    customerClass: 'internal',
    requesterName: 'Alice Researcher',
    requesterCrsid: 'ar101',
    requesterEmail: 'ar101@cam.ac.uk',
  },
  product: {
    code: 'RDS',
    name: 'Research Data Store',
    serviceName: 'Research storage',
    teamName: 'Research Computing Services',
  },
  licenceName: 'Dark matter survey',
  sizeTb: 5,
  termYears: 3,
  pencePerTbYear: 5_400,
  priceValidFrom: '2026-08-01',
  netPence: 81_000,
  vatPence: 0,
  totalPence: 81_000,
  siteName: 'Storage Self-Service Gateway',
  contactEmail: 'storage-support@example.ac.uk',
  change: null,
  setup: { ownerCrsid: 'ar101', managerCrsids: ['bm202', 'da303'], projectName: 'survey-2028' },
};

const external: QuotePdfInput = {
  ...internal,
  reference: 'Q-000043',
  customer: {
    ...internal.customer,
    institutionName: "King's College",
    institutionId: 'KINGS',
    customerClass: 'external',
  },
  sizeTb: 2,
  termYears: 1,
  pencePerTbYear: 6_480,
  netPence: 12_960,
  vatPence: 2_592,
  totalPence: 15_552,
};

async function readBack(pdf: Buffer): Promise<{ text: string; title: unknown; author: unknown }> {
  const document = await getDocumentProxy(new Uint8Array(pdf));
  const { text } = await extractText(document, { mergePages: true });
  const { info } = await getMeta(document);
  return { text: text.replace(/\s+/g, ' '), title: info.Title, author: info.Author };
}

describe('the quotation PDF', () => {
  it('is a PDF with a title, saying who issues it, what is quoted and how to pay', async () => {
    const pdf = await renderQuotePdf(internal);
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    const { text, title, author } = await readBack(pdf);
    expect(title).toBe('Quotation Q-000042');
    expect(author).toContain('University Information Services');
    expect(text).toContain(QUOTE_ISSUER);
    expect(text).toContain('Quotation Q-000042');
    expect(text).toContain('10 February 2028');
    expect(text).toContain('11 March 2028');
    expect(text).toContain('Department of Physics (PHYS)');
    expect(text).toContain('Alice Researcher (ar101)');
    expect(text).toContain('Research Data Store (RDS)');
    // who the storage is for, as the order made with it will have
    expect(text).toContain('Data Owner: ar101');
    expect(text).toContain('Data Managers: bm202, da303');
    expect(text).toContain('First storage project: survey-2028');
    expect(text).toContain('Research Computing Services');
    expect(text).toContain('5 TB × £54.00 per TB per year × 3 years');
    expect(text).toContain('£810.00');
    expect(text).toContain('VAT: none (internal customer)');
    expect(text).toMatch(/Total £810\.00/);
    expect(text).toContain(
      'Raise a purchase order to University Information Services quoting Q-000042; upload the PO when you buy',
    );
    expect(text).toContain('storage-support@example.ac.uk');
  });

  it('charges external customers VAT at 20%', async () => {
    const { text } = await readBack(await renderQuotePdf(external));
    expect(text).toContain("King's College (KINGS)");
    expect(text).toContain('2 TB × £64.80 per TB per year × 1 year');
    expect(text).toMatch(/VAT at 20% £25\.92/);
    expect(text).toMatch(/Total £155\.52/);
    expect(text).not.toContain('VAT: none');
  });

  it('prints names in other alphabets and symbols as written, not as other letters', async () => {
    const { text } = await readBack(
      await renderQuotePdf({
        ...internal,
        customer: { ...internal.customer, institutionName: 'Институт Ж', requesterName: 'Zoë Ångström-Łukasz' },
        licenceName: 'Zoë’s α ✓ Ж',
      }),
    );
    expect(text).toContain('Licence name: Zoë’s α ✓ Ж');
    expect(text).toContain('Институт Ж (PHYS)');
    expect(text).toContain('Zoë Ångström-Łukasz (ar101)');
  });

  it('prints a letter the font lacks (Chinese here) as an empty box, not as another letter', async () => {
    const { text } = await readBack(await renderQuotePdf({ ...internal, licenceName: 'Zoë’s 数据 ✓ lab' }));
    // The box stands for no letter (it reads back as U+0000); Helvetica printed "Zoë’s epcn ' lab".
    expect(text).toMatch(/Licence name: Zoë’s \P{L}+ ✓ lab/u);
  });

  it('says what a quote for a change of a licence is for: the licence, the change and its period', async () => {
    const renewal: QuotePdfInput = {
      ...internal,
      reference: 'Q-000044',
      issuedOn: '2027-03-10',
      validUntil: '2027-04-09',
      termYears: 1,
      netPence: 27_000,
      totalPence: 27_000,
      change: { licenceId: 17, kind: 'renewal', startsOn: '2027-03-01', endsOn: '2028-02-29', coldStorePence: 0 },
    };
    const { text } = await readBack(await renderQuotePdf(renewal));
    expect(text).toContain('Change quoted');
    expect(text).toContain(
      'For: A renewal of “Dark matter survey” (5 TB) for 1 year, 1 March 2027 to 29 February 2028 (back-dated: the licence ended on 28 February 2027)',
    );
    expect(text).toContain('Licence: Dark matter survey (licence number 17)');
    expect(text).toContain('Period: 1 March 2027 to 29 February 2028');
    expect(text).toContain('5 TB × £54.00 per TB per year × 1 year £270.00');
    expect(text).toMatch(/Total £270\.00/);
    expect(text).toContain('upload the PO when you order the renewal');
    expect(text).not.toContain('Storage quoted');

    const recovery = await readBack(
      await renderQuotePdf({
        ...renewal,
        netPence: 27_707,
        totalPence: 27_707,
        issuedOn: '2026-11-27',
        change: { licenceId: 17, kind: 'recovery', startsOn: '2026-10-16', endsOn: '2027-10-15', coldStorePence: 707 },
      }),
    );
    expect(recovery.text).toContain('5 TB × £54.00 per TB per year × 1 year £270.00');
    expect(recovery.text).toContain(
      'Cold-store fee: 5 TB for 43 days since the licence ended (16 October 2026 to 27 November 2026) £7.07',
    );
    expect(recovery.text).toMatch(/Total £277\.07/);
    expect(recovery.text).toContain('upload the PO when you order the recovery');
  });

  it('is a tagged PDF: marked, with headings, the price as a table with header cells, in reading order', async () => {
    const pdf = await renderQuotePdf(external);
    const document = await getDocumentProxy(new Uint8Array(pdf));
    expect(await document.getMarkInfo()).toMatchObject({ Marked: true });
    const { info } = await getMeta(document);
    expect(info.Language).toBe('en-GB');
    expect(pdf.toString('latin1')).toMatch(/\/StructTreeRoot \d+ 0 R/);
    expect(pdf.toString('latin1')).toMatch(/\/DisplayDocTitle true/);

    // The tree pdf.js reads (as a screen reader's PDF reader does): roles with their text, in order.
    const page = await document.getPage(1);
    const { items } = await page.getTextContent({ includeMarkedContent: true });
    const textOf = new Map<string, string>();
    let open: string | undefined;
    for (const item of items) {
      if ('type' in item) {
        open = item.type === 'beginMarkedContentProps' ? String(item.id) : undefined;
      } else if (open) {
        textOf.set(open, `${textOf.get(open) ?? ''}${item.str}`);
      }
    }
    type Node = { role?: string; children?: Node[]; type?: string; id?: string };
    const text = (node: Node): string =>
      node.type === 'content' ? (textOf.get(node.id ?? '') ?? '') : (node.children ?? []).map(text).join('');
    const outline: string[] = [];
    const walk = (node: Node, depth: number): void => {
      if (node.role && node.role !== 'Root') outline.push(`${'  '.repeat(depth)}${node.role}: ${text(node).trim()}`);
      for (const child of node.children ?? []) walk(child, node.role && node.role !== 'Root' ? depth + 1 : depth);
    };
    walk((await page.getStructTree()) as Node, 0);
    const roles = outline.map((line) => line.trim().split(':')[0]);
    expect(roles[0]).toBe('Document');
    expect(outline).toContain('  H1: Quotation Q-000043');
    expect(outline.filter((line) => line.startsWith('  H2: '))).toEqual([
      '  H2: Customer',
      '  H2: Storage quoted',
      '  H2: Price',
      '  H2: How to pay',
      '  H2: Questions',
    ]);
    expect(outline).toContain("  P: Department: King's College (KINGS)");
    // The price table: a header row, then each line's label a row header beside its amount.
    const start = outline.findIndex((line) => line.startsWith('  Table'));
    expect(start).toBeGreaterThan(outline.indexOf('  H2: Price'));
    expect(outline.slice(start + 1, start + 4)).toEqual([
      expect.stringMatching(/^ {4}TR: Item\s*Amount$/),
      '      TH: Item',
      '      TH: Amount',
    ]);
    expect(outline).toContain('      TH: VAT at 20%');
    expect(outline).toContain('      TD: £25.92');
    expect(outline).toContain('      TH: Total');
    expect(outline).toContain('      TD: £155.52');
    // Reading order: the issuer, the title, then the sections in the order they are printed.
    expect(outline[1]).toBe(`  P: ${QUOTE_ISSUER}`);
    expect(outline[2]).toBe('  H1: Quotation Q-000043');
    expect(outline.indexOf('  H2: How to pay')).toBeGreaterThan(start);
  });

  it('gives the same bytes for the same quote, whenever it is downloaded', async () => {
    const first = await renderQuotePdf(internal);
    const second = await renderQuotePdf(internal);
    expect(second.equals(first)).toBe(true);
  });
});
