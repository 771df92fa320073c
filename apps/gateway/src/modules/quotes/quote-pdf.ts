import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { Temporal } from 'temporal-polyfill';
import { formatPence } from '../catalogue/money.ts';
import { VAT_PERCENT } from '../catalogue/pricing.ts';
import { sizeText } from '../catalogue/sizes.ts';
import { describeChange } from '../orders/change-orders.service.ts';
import { daysInclusive } from '../orders/change-pricing.ts';
import { paymentMethodsFor } from '../payments/payment-details.ts';
import type { CustomerClass, ServiceCode } from '../people/people.tables.ts';
import { formatDay, quoteValidUntilWords } from './quote-rules.ts';
import type { Quote, QuotedChange, QuotedSetup } from './quotes.repository.ts';

/** Everything printed on a quotation, as plain data: the PDF is a function of this alone. */
export interface QuotePdfInput {
  reference: string;
  issuedOn: string;
  validUntil: string;
  customer: {
    institutionName: string;
    institutionId: string;
    customerClass: CustomerClass;
    requesterName: string;
    requesterCrsid: string;
    requesterEmail: string;
  };
  /** `service`: which ways of paying other than a purchase order the quote offers (paymentMethodsFor); research storage's when left out. */
  product: { code: string; name: string; serviceName: string; teamName: string; service?: ServiceCode };
  licenceName: string;
  sizeTb: number;
  termYears: number;
  pencePerTbYear: number;
  priceValidFrom: string;
  netPence: number;
  vatPence: number;
  totalPence: number;
  /** The gateway's name and contact address, from the site settings. */
  siteName: string;
  contactEmail: string;
  /** A quote for a change of a licence (its id, kind, period, cold-store fee); null for new storage. */
  change: QuotedChange | null;
  /** New storage: the Data Owner, Data Managers and first project it was asked for (null if not kept). */
  setup: QuotedSetup | null;
}

/** The team and its service, once when they are the same name (Institutional File Storage). */
function soldBy(product: { teamName: string; serviceName: string }): string {
  return product.teamName.toLowerCase() === product.serviceName.toLowerCase()
    ? product.teamName
    : `${product.teamName} (${product.serviceName})`;
}

/** The quote's other ways to pay, as the service takes them: a finance code, and for IFS a voucher. */
function otherWaysToPay(service: ServiceCode = 'research'): string {
  const words = { 'finance-code': 'a University finance code', voucher: 'a voucher' } as const;
  return paymentMethodsFor(service)
    .filter((method) => method !== 'purchase-order')
    .map((method) => words[method as keyof typeof words])
    .join(' or ');
}

export const QUOTE_ISSUER = 'University of Cambridge — University Information Services';

export function quotePdfInput(quote: Quote, site: { serviceName: string; contactEmail: string }): QuotePdfInput {
  return {
    reference: quote.reference,
    issuedOn: quote.issuedOn,
    validUntil: quote.validUntil,
    customer: {
      institutionName: quote.institution.name,
      institutionId: quote.institution.id,
      customerClass: quote.customerClass,
      requesterName: quote.requester.displayName,
      requesterCrsid: quote.requester.crsid,
      requesterEmail: quote.requester.email,
    },
    product: {
      code: quote.productCode,
      name: quote.productName,
      serviceName: quote.serviceName,
      teamName: quote.team.name,
      service: quote.service,
    },
    licenceName: quote.licenceName,
    sizeTb: quote.sizeTb,
    termYears: quote.termYears,
    pencePerTbYear: quote.pencePerTbYear,
    priceValidFrom: quote.priceValidFrom,
    netPence: quote.netPence,
    vatPence: quote.vatPence,
    totalPence: quote.totalPence,
    siteName: site.serviceName,
    contactEmail: site.contactEmail,
    change: quote.change,
    setup: quote.setup,
  };
}

type Quoted = Pick<QuotePdfInput, 'licenceName' | 'sizeTb' | 'termYears' | 'issuedOn' | 'change'> & {
  productName: string;
};

/**
 * What a quote is for, in one line, on its page, in its PDF and in the quotes list: new storage
 * ("Research Data Store, 5 TB for 3 years") or a change of a licence, worded as its order is
 * (describeChange): "A renewal of “Dark matter” (5 TB) for 2 years, 1 March 2027 to 29 February
 * 2029", saying when it is back-dated (the licence had ended before the quote was issued).
 */
export function quoteSubject(quote: Quoted): string {
  const { change } = quote;
  if (!change) return `${quote.productName}, ${sizeText(quote.sizeTb)} for ${years(quote.termYears)}`;
  const described = describeChange({ ...change, ...quote, licence: { name: quote.licenceName } });
  const backDated =
    change.kind !== 'increase' && change.startsOn < quote.issuedOn
      ? ` (back-dated: the licence ended on ${formatDay(Temporal.PlainDate.from(change.startsOn).subtract({ days: 1 }).toString())})`
      : '';
  return `${described.charAt(0).toUpperCase()}${described.slice(1)}${backDated}`;
}

/** What a change quote's order is called in "how to pay": "order the renewal". */
const CHANGE_ORDER_WORDS: Record<QuotedChange['kind'], string> = {
  renewal: 'the renewal',
  recovery: 'the recovery',
  increase: 'the extra space',
};

const REGULAR = 'Body';
const BOLD = 'Body-Bold';

const years = (count: number): string => (count === 1 ? '1 year' : `${count} years`);

/** The lines of the price, as label and amount; the same words the quote page uses. */
export function quotePriceLines(input: {
  sizeTb: number;
  termYears: number;
  pencePerTbYear: number;
  netPence: number;
  vatPence: number;
  totalPence: number;
  customerClass: CustomerClass;
  issuedOn: string;
  change: QuotedChange | null;
}): Array<[string, string]> {
  const vat: [string, string] =
    input.customerClass === 'external'
      ? [`VAT at ${VAT_PERCENT}%`, formatPence(input.vatPence)]
      : ['VAT: none (internal customer)', formatPence(0)];
  const unit = `${sizeText(input.sizeTb)} × ${formatPence(input.pencePerTbYear)} per TB per year`;
  const { change } = input;
  const net: Array<[string, string]> = [];
  if (change?.kind === 'increase') {
    const days = daysInclusive(change.startsOn, change.endsOn);
    net.push([
      `${unit} × ${days.toLocaleString('en-GB')} days (${formatDay(change.startsOn)} to ${formatDay(change.endsOn)}, both included) ÷ 365`,
      formatPence(input.netPence),
    ]);
  } else {
    const coldStorePence = change?.coldStorePence ?? 0;
    net.push([`${unit} × ${years(input.termYears)}`, formatPence(input.netPence - coldStorePence)]);
    if (change?.kind === 'recovery') {
      const days = daysInclusive(change.startsOn, input.issuedOn);
      net.push([
        // From the day after the end date, read-only days included: not only the days in the cold store.
        `Cold-store fee: ${sizeText(input.sizeTb)} for ${days.toLocaleString('en-GB')} days since the licence ended (${formatDay(change.startsOn)} to ${formatDay(input.issuedOn)})`,
        formatPence(coldStorePence),
      ]);
    }
  }
  return [...net, vat, ['Total', formatPence(input.totalPence)]];
}

/**
 * The quotation's typeface: DejaVu Sans from the dejavu-fonts-ttf package, embedded (only the glyphs
 * used). pdfkit's built-in Helvetica knows only the WinAnsi letters and printed others as wrong ones
 * ("Zoë’s 数据 ✓" came out as "Zoë’s epcn '"); DejaVu Sans has Latin, Greek, Cyrillic and many
 * symbols. A letter it lacks (Chinese, Japanese, Korean, …) prints as its empty box, never as
 * another letter. Found in node_modules at run time: the bundle leaves pdfkit and the fonts out,
 * and the image keeps only these two of the package's files (infra/docker/gateway.Dockerfile).
 */
const FONT_FILES = {
  [REGULAR]: 'dejavu-fonts-ttf/ttf/DejaVuSans.ttf',
  [BOLD]: 'dejavu-fonts-ttf/ttf/DejaVuSans-Bold.ttf',
} as const;

let fonts: Promise<Array<[string, Buffer]>> | undefined;

/** The font files, read on the first quotation and kept: each PDF embeds the glyphs it uses. */
function loadFonts(): Promise<Array<[string, Buffer]>> {
  const { resolve } = createRequire(import.meta.url);
  fonts ??= Promise.all(
    Object.entries(FONT_FILES).map(async ([name, file]) => [name, await readFile(resolve(file))] as [string, Buffer]),
  );
  return fonts;
}

/**
 * Renders the quotation as an A4 PDF in DejaVu Sans (FONT_FILES); no network. pdfkit and the fonts
 * are loaded on the first quotation, not at start-up: loading pdfkit takes ~0.4 s (npm run bench's cold start).
 *
 * A tagged PDF (WCAG 1.3.1, 1.3.2): it goes to a department's purchasing office, whose staff may read
 * it with a screen reader. Every piece of text is marked content inside a structure element (the
 * title an H1, each section's heading an H2, each line a P, the price a Table whose labels are row
 * headers), added to the tree in the order it is printed, which is the reading order; rules are
 * artifacts.
 */
export async function renderQuotePdf(input: QuotePdfInput): Promise<Buffer> {
  const [{ default: PDFDocument }, fontFiles] = await Promise.all([import('pdfkit'), loadFonts()]);
  const issued = Temporal.PlainDate.from(input.issuedOn);
  const doc = new PDFDocument({
    size: 'A4',
    margin: 56,
    lang: 'en-GB',
    displayTitle: true,
    // Structure trees need PDF 1.4 or later; 1.5 as pdfkit's accessibility guide asks.
    pdfVersion: '1.5',
    tagged: true,
    info: {
      Title: `Quotation ${input.reference}`,
      Author: 'University Information Services, University of Cambridge',
      Subject: quoteSubject({ ...input, productName: input.product.name }),
      Creator: input.siteName,
      // The issue date, not the moment of download: the same quote always gives the same document.
      CreationDate: new Date(Date.UTC(issued.year, issued.month - 1, issued.day)),
    },
  });
  for (const [name, file] of fontFiles) doc.registerFont(name, file);
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('data', (chunk: Buffer) => chunks.push(chunk));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  const root = doc.struct('Document');
  doc.addStructure(root);
  const pdf: Tagged = { doc, root };

  const left = doc.page.margins.left;
  const width = doc.page.width - left - doc.page.margins.right;

  tag(pdf, 'P', () => doc.font(BOLD).fontSize(11).fillColor('#171717').text(QUOTE_ISSUER));
  doc.moveDown(1.5);
  tag(pdf, 'H1', () => doc.font(BOLD).fontSize(22).text(`Quotation ${input.reference}`));
  doc.moveDown(0.5);
  field(pdf, 'Issued on', formatDay(input.issuedOn));
  field(pdf, 'Valid until', quoteValidUntilWords(input));

  heading(pdf, 'Customer');
  field(pdf, 'Department', `${input.customer.institutionName} (${input.customer.institutionId})`);
  field(
    pdf,
    'Customer type',
    input.customer.customerClass === 'external' ? 'External (VAT is charged)' : 'Internal (University department)',
  );
  field(
    pdf,
    'Requested by',
    `${input.customer.requesterName} (${input.customer.requesterCrsid}), ${input.customer.requesterEmail}`,
  );

  const { change } = input;
  heading(pdf, change ? 'Change quoted' : 'Storage quoted');
  if (change) field(pdf, 'For', quoteSubject({ ...input, productName: input.product.name }));
  field(pdf, 'Product', `${input.product.name} (${input.product.code})`);
  field(pdf, 'Sold by', soldBy(input.product));
  if (change) {
    field(pdf, 'Licence', `${input.licenceName} (licence number ${change.licenceId})`);
    field(pdf, change.kind === 'increase' ? 'Space added' : 'Size', sizeText(input.sizeTb));
    field(pdf, 'Period', `${formatDay(change.startsOn)} to ${formatDay(change.endsOn)}`);
  } else {
    field(pdf, 'Licence name', input.licenceName);
    field(pdf, 'Size and term', `${sizeText(input.sizeTb)} for ${years(input.termYears)}`);
    // Who the storage is for, as asked: the order made with this quote has the same.
    if (input.setup) {
      field(pdf, 'Data Owner', input.setup.ownerCrsid);
      field(pdf, 'Data Managers', input.setup.managerCrsids.join(', ') || 'None');
      field(pdf, 'First storage project', input.setup.projectName);
    }
  }
  field(
    pdf,
    'Unit price',
    `${formatPence(input.pencePerTbYear)} per TB per year (price in force from ${formatDay(input.priceValidFrom)})`,
  );

  heading(pdf, 'Price');
  const lines = quotePriceLines({ ...input, customerClass: input.customer.customerClass });
  const ordering = change ? `order ${CHANGE_ORDER_WORDS[change.kind]}` : 'buy';
  const amountWidth = 110;
  const table = doc.struct('Table');
  root.add(table);
  // The header cells' scope (pdfkit writes it as the Table attribute Scope; its types lack it).
  const scope = (of: 'Column' | 'Row') => ({ scope: of }) as PDFKit.Mixins.StructureElementOptions;
  // One row: its label (a header cell, bold for the header row and the total) and its amount.
  const row = (label: string, amount: string, header: 'column' | 'row', bold: boolean): void => {
    const tr = doc.struct('TR');
    table.add(tr);
    const y = doc.y;
    doc.font(bold ? BOLD : REGULAR).fontSize(11);
    tr.add(
      doc.struct('TH', scope(header === 'column' ? 'Column' : 'Row'), () =>
        doc.text(label, left, y, { width: width - amountWidth - 10 }),
      ),
    );
    const after = doc.y;
    tr.add(
      doc.struct(header === 'column' ? 'TH' : 'TD', header === 'column' ? scope('Column') : {}, () =>
        doc.text(amount, left + width - amountWidth, y, { width: amountWidth, align: 'right' }),
      ),
    );
    tr.end();
    doc.x = left;
    doc.y = Math.max(after, doc.y) + 4;
  };
  row('Item', 'Amount', 'column', true);
  for (const [index, [label, amount]] of lines.entries()) {
    const isTotal = index === lines.length - 1;
    if (isTotal) {
      // A rule above the total: decoration, not content (an artifact, which readers skip).
      doc.markContent('Artifact', { type: 'Layout' });
      doc
        .moveTo(left, doc.y)
        .lineTo(left + width, doc.y)
        .lineWidth(1)
        .stroke('#171717');
      doc.endMarkedContent();
      doc.moveDown(0.3);
    }
    row(label, amount, 'row', isTotal);
  }
  table.end();

  heading(pdf, 'How to pay');
  tag(pdf, 'P', () =>
    doc
      .font(REGULAR)
      .fontSize(11)
      .text(
        `Raise a purchase order to University Information Services quoting ${input.reference}; upload the PO when you ${ordering}.`,
      ),
  );
  doc.moveDown(0.5);
  tag(pdf, 'P', () =>
    doc.text(
      `${change ? `Order ${CHANGE_ORDER_WORDS[change.kind]}` : 'Buy the storage'} on the ${input.siteName} by ${formatDay(input.validUntil)} to keep this price. ` +
        `You can also pay with ${otherWaysToPay(input.product.service)} instead of a purchase order.`,
    ),
  );

  heading(pdf, 'Questions');
  tag(pdf, 'P', () => doc.font(REGULAR).fontSize(11).text(`Email ${input.contactEmail} and quote ${input.reference}.`));

  root.end();
  doc.end();
  return done;
}

/** The document being written and the root of its structure tree, to which each element is added in turn. */
interface Tagged {
  doc: PDFKit.PDFDocument;
  root: PDFKit.PDFStructureElement;
}

/** Prints what `draw` prints as one structure element of the given type, next in reading order. */
function tag(pdf: Tagged, type: string, draw: () => void): void {
  pdf.root.add(pdf.doc.struct(type, {}, draw));
}

function heading(pdf: Tagged, text: string): void {
  const { doc } = pdf;
  doc.moveDown(1);
  tag(pdf, 'H2', () => doc.font(BOLD).fontSize(14).text(text, doc.page.margins.left));
  doc.moveDown(0.3);
}

function field(pdf: Tagged, label: string, value: string): void {
  const { doc } = pdf;
  tag(pdf, 'P', () => {
    doc.font(BOLD).fontSize(11).text(`${label}: `, doc.page.margins.left, doc.y, { continued: true });
    doc.font(REGULAR).text(value);
  });
}
