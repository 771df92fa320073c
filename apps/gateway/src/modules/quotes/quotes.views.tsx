import type { ComponentChildren } from 'preact';
import { CsrfField, ErrorSummary, type FieldErrors, SummaryList } from '../../platform/web/components.tsx';
import { Page, type PageContext } from '../../platform/web/layout.tsx';
import type { CatalogueProduct } from '../catalogue/catalogue.repository.ts';
import { formatPence } from '../catalogue/money.ts';
import type { Institution } from '../people/people.repository.ts';
import { quotePriceLines } from './quote-pdf.ts';
import { formatDay, QUOTE_VALID_DAYS } from './quote-rules.ts';
import type { Quote } from './quotes.repository.ts';

const years = (count: number): string => (count === 1 ? '1 year' : `${count} years`);

export const quotePath = (reference: string): string => `/storage/quotes/${reference}/`;
export const quotePdfPath = (reference: string): string => `/storage/quotes/${reference}/quote.pdf`;

/**
 * The quote request that failed its checks: the configure page's fields again, each with its
 * message, posting back to the same address. The configure page (orders) is where people
 * normally start; this page exists so that a quote request is never lost to a bad field.
 */
export function QuoteFormPage({
  context,
  product,
  institutions,
  values,
  errors,
}: {
  context: PageContext;
  product: CatalogueProduct;
  institutions: Institution[];
  values: Record<string, string>;
  errors: FieldErrors;
}) {
  const field = (name: string, hint?: string): FieldState => ({
    name,
    id: name,
    value: values[name] ?? '',
    error: errors[name],
    hint,
  });
  const sizeTb = field('sizeTb', `Whole TB, at least ${product.minimumTb} TB.`);
  const termYears = field('termYears');
  const institutionId = field('institutionId');
  const licenceName = field('licenceName', 'For example, the research group or project.');
  const ownerCrsid = field('ownerCrsid', 'Usually the principal investigator.');
  const managerCrsids = field('managerCrsids', 'Separate CRSids with commas, for example ab123, cd456.');
  const projectName = field('projectName', 'Letters, numbers, hyphens and underscores.');
  return (
    <Page
      context={context}
      title={Object.values(errors).some(Boolean) ? 'Error: Get a quote' : 'Get a quote'}
      crumbs={[
        { label: 'Home', href: '/' },
        { label: 'Storage we offer', href: '/catalogue/' },
        { label: product.name, href: `/catalogue/${product.code}/` },
      ]}
    >
      <ErrorSummary errors={errors} />
      <h1>
        Get a quote <span class="caption">for {product.name}</span>
      </h1>
      <p>
        A quote fixes today’s price for {QUOTE_VALID_DAYS} days, so that your department can raise a purchase order
        against it.
      </p>
      <form method="post" action={`/storage/buy/${product.code}/quote`} novalidate>
        <CsrfField token={context.csrfToken} />
        <Field {...sizeTb} label="Size in TB">
          <input type="text" inputMode="numeric" {...inputProps(sizeTb)} />
        </Field>
        <Field {...termYears} label="How long the licence lasts">
          <select {...inputProps(termYears)}>
            <option value="">Choose a term</option>
            {product.termsYears.map((term) => (
              <option key={term} value={String(term)} selected={termYears.value === String(term)}>
                {years(term)}
              </option>
            ))}
          </select>
        </Field>
        <Field {...institutionId} label="Department that pays">
          <select {...inputProps(institutionId)}>
            <option value="">Choose a department</option>
            {institutions.map((institution) => (
              <option key={institution.id} value={institution.id} selected={institutionId.value === institution.id}>
                {institution.name}
              </option>
            ))}
          </select>
        </Field>
        <Field {...licenceName} label="Licence name">
          <input type="text" {...inputProps(licenceName)} />
        </Field>
        <Field {...ownerCrsid} label="Data Owner’s CRSid">
          <input type="text" autoComplete="off" {...inputProps(ownerCrsid)} />
        </Field>
        <Field {...managerCrsids} label="Data Managers’ CRSids (optional)">
          <input type="text" autoComplete="off" {...inputProps(managerCrsids)} />
        </Field>
        <Field {...projectName} label="Name of the first storage project">
          <input type="text" {...inputProps(projectName)} />
        </Field>
        <button type="submit">Get a quote</button>
      </form>
    </Page>
  );
}

interface FieldState {
  name: string;
  id: string;
  value: string;
  error?: string;
  hint?: string;
}

function inputProps({ name, id, value, error, hint }: FieldState) {
  const describedBy = [hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ');
  return {
    name,
    id,
    value,
    'aria-describedby': describedBy || undefined,
    'aria-invalid': error ? ('true' as const) : undefined,
  };
}

function Field({ id, label, hint, error, children }: FieldState & { label: string; children: ComponentChildren }) {
  return (
    <div class={error ? 'form-group form-group--error' : 'form-group'}>
      <label for={id}>{label}</label>
      {hint ? (
        <span class="hint" id={`${id}-hint`}>
          {hint}
        </span>
      ) : null}
      {error ? (
        <span class="field-error" id={`${id}-error`}>
          <span class="visually-hidden">Error:</span> {error}
        </span>
      ) : null}
      {children}
    </div>
  );
}

/** One quote: the offer, whether it still holds, the PDF, and the ways on to buying. */
export function QuotePage({ context, quote, expired }: { context: PageContext; quote: Quote; expired: boolean }) {
  const priceLines = quotePriceLines(quote);
  return (
    <Page
      context={context}
      title={`Quote ${quote.reference}`}
      crumbs={[
        { label: 'Home', href: '/' },
        { label: 'My storage', href: '/storage/' },
      ]}
    >
      <h1>
        Quote {quote.reference}{' '}
        <span class="caption">
          {quote.productName}, {quote.sizeTb} TB for {years(quote.termYears)}
        </span>
      </h1>
      {expired ? (
        <div class="notice notice--warning">
          <p>
            <strong>This quote expired on {formatDay(quote.validUntil)}.</strong> You can still buy this storage, at
            today’s price. Do not raise a purchase order against this quote: get a new one.
          </p>
        </div>
      ) : (
        <p class="lead">
          This price holds until {formatDay(quote.validUntil)}. Buy the storage by then to pay the price on this quote.
        </p>
      )}
      <SummaryList
        rows={[
          ['Reference', quote.reference],
          ['Issued on', formatDay(quote.issuedOn)],
          ['Valid until', formatDay(quote.validUntil)],
          ['Department', `${quote.institution.name} (${quote.institution.id})`],
          [
            'Customer type',
            quote.customerClass === 'external' ? 'External: VAT is charged' : 'Internal: University department',
          ],
          ['Asked for by', `${quote.requester.displayName} (${quote.requester.crsid})`],
          ['Product', `${quote.productName} (${quote.productCode})`],
          ['Sold by', quote.team.name],
          ['Licence name', quote.licenceName],
          ['Size', `${quote.sizeTb} TB`],
          ['Term', years(quote.termYears)],
          ['Price per TB per year', formatPence(quote.pencePerTbYear)],
        ]}
      />
      <table>
        <caption>Price</caption>
        <thead>
          <tr>
            <th scope="col">Item</th>
            <th scope="col">Amount</th>
          </tr>
        </thead>
        <tbody>
          {priceLines.map(([label, amount], index) =>
            index === priceLines.length - 1 ? (
              <tr key={label}>
                <th scope="row">{label}</th>
                <td>
                  <strong>{amount}</strong>
                </td>
              </tr>
            ) : (
              <tr key={label}>
                <td>{index === 0 ? `Net: ${label}` : label}</td>
                <td>{amount}</td>
              </tr>
            ),
          )}
        </tbody>
      </table>
      <p>
        <a href={quotePdfPath(quote.reference)} download={`${quote.reference}.pdf`}>
          Download the quote (PDF)
        </a>
      </p>
      <h2>How to pay with a purchase order</h2>
      <p>
        Raise a purchase order to University Information Services quoting {quote.reference}, for{' '}
        {formatPence(quote.totalPence)}. When you buy the storage, choose “purchase order”, enter the PO number and
        upload the PO as a PDF. You can also pay with a University finance code.{' '}
        <a href="/help/payment-methods/">How to pay, step by step</a>.
      </p>
      <p>
        <a class="button" href={`/storage/buy/${quote.productCode}/?quote=${encodeURIComponent(quote.reference)}`}>
          Buy this storage
        </a>
      </p>
    </Page>
  );
}
