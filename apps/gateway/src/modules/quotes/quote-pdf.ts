import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { Temporal } from 'temporal-polyfill';
import { formatPence } from '../catalogue/money.ts';
import { VAT_PERCENT } from '../catalogue/pricing.ts';
import { sizeText } from '../catalogue/sizes.ts';
import { describeChange } from '../orders/change-orders.service.ts';
import { daysInclusive } from '../orders/change-pricing.ts';
import type { CustomerClass } from '../people/people.tables.ts';
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
  product: { code: string; name: string; serviceName: string; teamName: string };
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
 */
export async function renderQuotePdf(input: QuotePdfInput): Promise<Buffer> {
  const [{ default: PDFDocument }, fontFiles] = await Promise.all([import('pdfkit'), loadFonts()]);
  const issued = Temporal.PlainDate.from(input.issuedOn);
  const doc = new PDFDocument({
    size: 'A4',
    margin: 56,
    lang: 'en-GB',
    displayTitle: true,
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

  const left = doc.page.margins.left;
  const width = doc.page.width - left - doc.page.margins.right;

  doc.font(BOLD).fontSize(11).fillColor('#171717').text(QUOTE_ISSUER);
  doc.moveDown(1.5);
  doc.font(BOLD).fontSize(22).text(`Quotation ${input.reference}`);
  doc.moveDown(0.5);
  field(doc, 'Issued on', formatDay(input.issuedOn));
  field(doc, 'Valid until', quoteValidUntilWords(input));

  heading(doc, 'Customer');
  field(doc, 'Department', `${input.customer.institutionName} (${input.customer.institutionId})`);
  field(
    doc,
    'Customer type',
    input.customer.customerClass === 'external' ? 'External (VAT is charged)' : 'Internal (University department)',
  );
  field(
    doc,
    'Requested by',
    `${input.customer.requesterName} (${input.customer.requesterCrsid}), ${input.customer.requesterEmail}`,
  );

  const { change } = input;
  heading(doc, change ? 'Change quoted' : 'Storage quoted');
  if (change) field(doc, 'For', quoteSubject({ ...input, productName: input.product.name }));
  field(doc, 'Product', `${input.product.name} (${input.product.code})`);
  field(doc, 'Sold by', `${input.product.teamName} (${input.product.serviceName})`);
  if (change) {
    field(doc, 'Licence', `${input.licenceName} (licence number ${change.licenceId})`);
    field(doc, change.kind === 'increase' ? 'Space added' : 'Size', sizeText(input.sizeTb));
    field(doc, 'Period', `${formatDay(change.startsOn)} to ${formatDay(change.endsOn)}`);
  } else {
    field(doc, 'Licence name', input.licenceName);
    field(doc, 'Size and term', `${sizeText(input.sizeTb)} for ${years(input.termYears)}`);
    // Who the storage is for, as asked: the order made with this quote has the same.
    if (input.setup) {
      field(doc, 'Data Owner', input.setup.ownerCrsid);
      field(doc, 'Data Managers', input.setup.managerCrsids.join(', ') || 'None');
      field(doc, 'First storage project', input.setup.projectName);
    }
  }
  field(
    doc,
    'Unit price',
    `${formatPence(input.pencePerTbYear)} per TB per year (price in force from ${formatDay(input.priceValidFrom)})`,
  );

  heading(doc, 'Price');
  const lines = quotePriceLines({ ...input, customerClass: input.customer.customerClass });
  const ordering = change ? `order ${CHANGE_ORDER_WORDS[change.kind]}` : 'buy';
  const amountWidth = 110;
  for (const [index, [label, amount]] of lines.entries()) {
    const isTotal = index === lines.length - 1;
    if (isTotal) {
      doc
        .moveTo(left, doc.y)
        .lineTo(left + width, doc.y)
        .lineWidth(1)
        .stroke('#171717');
      doc.moveDown(0.3);
    }
    const y = doc.y;
    doc.font(isTotal ? BOLD : REGULAR).fontSize(11);
    doc.text(label, left, y, { width: width - amountWidth - 10 });
    const after = doc.y;
    doc.text(amount, left + width - amountWidth, y, { width: amountWidth, align: 'right' });
    doc.x = left;
    doc.y = Math.max(after, doc.y) + 4;
  }

  heading(doc, 'How to pay');
  doc
    .font(REGULAR)
    .fontSize(11)
    .text(
      `Raise a purchase order to University Information Services quoting ${input.reference}; upload the PO when you ${ordering}.`,
    );
  doc.moveDown(0.5);
  doc.text(
    `${change ? `Order ${CHANGE_ORDER_WORDS[change.kind]}` : 'Buy the storage'} on the ${input.siteName} by ${formatDay(input.validUntil)} to keep this price. ` +
      'You can also pay with a University finance code instead of a purchase order.',
  );

  heading(doc, 'Questions');
  doc.font(REGULAR).fontSize(11).text(`Email ${input.contactEmail} and quote ${input.reference}.`);

  doc.end();
  return done;
}

function heading(doc: PDFKit.PDFDocument, text: string): void {
  doc.moveDown(1);
  doc.font(BOLD).fontSize(14).text(text, doc.page.margins.left);
  doc.moveDown(0.3);
}

function field(doc: PDFKit.PDFDocument, label: string, value: string): void {
  doc.font(BOLD).fontSize(11).text(`${label}: `, doc.page.margins.left, doc.y, { continued: true });
  doc.font(REGULAR).text(value);
}
