import type { FieldErrors } from '../../platform/web/components.tsx';
import { CsrfField, ErrorSummary, SummaryList } from '../../platform/web/components.tsx';
import { CheckboxField, FileField, RadioGroup, SelectField, TextField } from '../../platform/web/form-fields.tsx';
import { type Crumb, Page, type PageContext } from '../../platform/web/layout.tsx';
import type { CatalogueProduct, TermsVersion } from '../catalogue/catalogue.repository.ts';
import { formatPence } from '../catalogue/money.ts';
import type { PriceBreakdown } from '../catalogue/pricing.ts';
import { sizeText } from '../catalogue/sizes.ts';
import { PAYMENT_METHOD_NAMES, paymentMethodsFor } from '../payments/payment-details.ts';
import type { PaymentMethod } from '../payments/payments.tables.ts';
import type { Institution } from '../people/people.repository.ts';
import type { ServiceCode } from '../people/people.tables.ts';
import { peopleWords } from '../people/person-words.ts';
import type { PricedConfiguration } from './purchase-configuration.service.ts';
import { departmentWords, type NamedDepartment } from './purchase-configuration.ts';
import type { DraftPayment } from './purchase-draft.ts';

export function years(count: number): string {
  return count === 1 ? '1 year' : `${count} years`;
}

export function buyPath(product: { code: string }, step = ''): string {
  return `/storage/buy/${product.code}/${step}`;
}

function crumbs(product: { code: string; name: string }) {
  return [
    { label: 'Home', href: '/' },
    { label: 'My storage', href: '/storage/' },
    { label: `Buy ${product.name}`, href: buyPath(product) },
  ];
}

/** A page whose form failed says so first in its title, so screen readers announce it on arrival. */
export function hasErrors(errors: FieldErrors): boolean {
  return Object.values(errors).some(Boolean);
}

export interface UnitPrice extends PriceBreakdown {
  pencePerTbYear: number;
}

/** The price lines shown on the configure and check pages. */
export function PriceLines({ sizeTb, termYears, price }: { sizeTb: number; termYears: number; price: UnitPrice }) {
  return (
    <SummaryList
      rows={[
        [
          'Calculation',
          `${sizeText(sizeTb)} × ${formatPence(price.pencePerTbYear)} per TB per year × ${years(termYears)}`,
        ],
        ['Price before VAT', formatPence(price.netPence)],
        ['VAT', price.vatPence > 0 ? formatPence(price.vatPence) : 'None (internal customer)'],
        ['Total', <strong key="total">{formatPence(price.totalPence)}</strong>],
      ]}
    />
  );
}

/**
 * The buy form's words that differ by service, in its customers' terms: research storage is a
 * group's, its Data Owner usually the principal investigator; institutional storage is a
 * department's, its Data Owner the person the department nominates.
 */
const BUY_FORM_WORDS: Record<ServiceCode, { owner: string; licenceExample: string; projectExample: string }> = {
  research: {
    owner: 'The person responsible for the data, usually the principal investigator.',
    licenceExample: 'Smith lab imaging data',
    projectExample: 'imaging-2026',
  },
  institutional: {
    owner: 'The person your department nominates to be responsible for its data.',
    licenceExample: 'Chemistry shared drive',
    projectExample: 'chem-admin',
  },
};

export function ConfigurePage(props: {
  context: PageContext;
  product: CatalogueProduct;
  institutions: Institution[];
  /** The buyer's department in the directory (none for some): it or the Data Owner's pays. */
  buyerDepartment: NamedDepartment | null;
  values: Record<string, string>;
  errors: FieldErrors;
  priced?: PricedConfiguration;
  quoteNote?: string;
}) {
  const { context, product, values, errors, priced } = props;
  return (
    <Page
      context={context}
      title={`${hasErrors(errors) ? 'Error: ' : ''}Buy ${product.name}`}
      crumbs={crumbs(product).slice(0, 2)}
    >
      <ErrorSummary errors={errors} />
      <h1>
        <span class="caption">{product.serviceName}</span> Buy {product.name}
      </h1>
      <p class="lead">{product.summary}</p>
      {props.quoteNote ? (
        <div class="notice" role="status">
          {props.quoteNote}
        </div>
      ) : null}
      <form method="post" action={buyPath(product)} novalidate data-price-url={buyPath(product, 'price')}>
        <CsrfField token={context.csrfToken} />
        <TextField
          name="sizeTb"
          label="Size, in TB"
          hint={`Whole TB only; at least ${sizeText(product.minimumTb)}.${product.filesPerTb ? ` Each TB includes ${product.filesPerTb.toLocaleString('en-GB')} files.` : ''}`}
          error={errors.sizeTb}
          value={values.sizeTb}
          inputMode="numeric"
          width="short"
        />
        <RadioGroup
          name="termYears"
          label="How long the licence lasts"
          hint="You pay for the whole term when you order. We remind you before it ends."
          error={errors.termYears}
          value={values.termYears}
          options={product.termsYears.map((term) => ({ value: String(term), label: years(term) }))}
        />
        <SelectField
          name="institutionId"
          label="Department that pays"
          hint={`${
            props.buyerDepartment
              ? `Your department, ${departmentWords(props.buyerDepartment)}, or the Data Owner’s, as the University directory has them.`
              : 'Any department: the University directory has none for you.'
          } Colleges and outside bodies pay the external price plus VAT.`}
          error={errors.institutionId}
          value={values.institutionId}
          placeholder="Choose a department"
          options={props.institutions.map((institution) => ({ value: institution.id, label: institution.name }))}
        />
        <TextField
          name="licenceName"
          label="Name for the licence"
          hint={`How you and the storage team will refer to it, for example “${BUY_FORM_WORDS[product.service].licenceExample}”.`}
          error={errors.licenceName}
          value={values.licenceName}
        />
        <TextField
          name="ownerCrsid"
          label="Data Owner’s CRSid"
          hint={`${BUY_FORM_WORDS[product.service].owner} For example ab123.`}
          error={errors.ownerCrsid}
          value={values.ownerCrsid}
          width="medium"
        />
        <TextField
          name="managerCrsids"
          label="Data Managers’ CRSids (optional)"
          hint="People who manage the storage with the Data Owner, separated by commas. You can add more later."
          error={errors.managerCrsids}
          value={values.managerCrsids}
        />
        <TextField
          name="projectName"
          label="Name of the first storage project"
          hint={`The folder or share inside the licence: letters, numbers, hyphens and underscores, for example ${BUY_FORM_WORDS[product.service].projectExample}.`}
          error={errors.projectName}
          value={values.projectName}
          width="medium"
        />
        <section class="price-panel" aria-labelledby="price-heading" aria-live="polite" id="price-panel">
          <h2 id="price-heading">Price</h2>
          {priced ? (
            <PriceLines sizeTb={priced.sizeTb} termYears={priced.termYears} price={priced.price} />
          ) : (
            <p>Enter the size, the term and the department, then choose “Update price”.</p>
          )}
        </section>
        <div class="button-group">
          <button type="submit" name="intent" value="continue" class="button">
            Continue to payment
          </button>
          <button type="submit" name="intent" value="price" class="button button--secondary">
            Update price
          </button>
          <button type="submit" formaction={buyPath(product, 'quote')} class="button button--secondary">
            Get a quote
          </button>
        </div>
      </form>
      <script src="/assets/price.js" defer />
    </Page>
  );
}

/** Where a payment step posts, what it is part of, and the methods it offers: a change order's own (change-orders.views.tsx). */
export interface PaymentStep {
  path: string;
  caption: string;
  crumbs: Crumb[];
  methods: PaymentMethod[];
}

export function PaymentPage(props: {
  context: PageContext;
  product: CatalogueProduct | { code: string; name: string; service: ServiceCode };
  values: Record<string, string>;
  errors: FieldErrors;
  /** The PO document uploaded already (kept from a refused answer, or the session's), carried in poDocumentId. */
  uploaded?: { id: string; fileName: string };
  totalPence: number;
  /** The step of a purchase of new storage when left out. */
  step?: PaymentStep;
}) {
  const { context, product, values, errors } = props;
  const step = props.step ?? {
    path: buyPath(product, 'payment'),
    caption: `Buy ${product.name}`,
    crumbs: crumbs(product),
    methods: paymentMethodsFor(product.service),
  };
  const methods = step.methods;
  const action = `${step.path}?_csrf=${encodeURIComponent(context.csrfToken ?? '')}`;
  const details: Record<string, { hint: string; fields: preact.ComponentChildren }> = {
    'finance-code': {
      hint: 'A GL code or a grant code; we check it with the University Financial System.',
      fields: (
        <TextField
          name="financeCode"
          label="Finance code"
          hint="A GL code such as PHAA.GAAA, or a grant as award / project / task, such as RG94772 / PHAG0042 / 1.1."
          error={errors.financeCode}
          value={values.financeCode}
          width="medium"
        />
      ),
    },
    'purchase-order': {
      hint: 'Raise a purchase order against a quote first, then upload it here.',
      fields: (
        <>
          <TextField
            name="poNumber"
            label="Purchase order number"
            error={errors.poNumber}
            value={values.poNumber}
            width="medium"
          />
          <FileField
            name="poDocument"
            label="The purchase order, as a PDF"
            hint={
              props.uploaded
                ? `${props.uploaded.fileName} uploaded — choose another file to replace it. PDF, 10 MB at most.`
                : 'PDF, 10 MB at most.'
            }
            error={errors.poDocument}
            accept="application/pdf,.pdf"
          />
          {/* A browser cannot put a file back in a file field: the upload kept goes by its id (payment-step.ts). */}
          {props.uploaded ? <input type="hidden" name="poDocumentId" value={props.uploaded.id} /> : null}
        </>
      ),
    },
    voucher: {
      hint: 'A single-use code from the IFS team that pays for free quota.',
      fields: (
        <TextField
          name="voucherCode"
          label="Voucher code"
          error={errors.voucherCode}
          value={values.voucherCode}
          width="medium"
        />
      ),
    },
  };
  return (
    <Page
      context={context}
      title={`${hasErrors(errors) ? 'Error: ' : ''}How will you pay?`}
      documentTitle={`${hasErrors(errors) ? 'Error: ' : ''}How will you pay? – ${step.caption}`}
      crumbs={step.crumbs}
    >
      <ErrorSummary errors={errors} />
      <h1>
        <span class="caption">{step.caption}</span> How will you pay?
      </h1>
      <p>
        The total is <strong>{formatPence(props.totalPence)}</strong>.{' '}
        <a href="/help/payment-methods/">Help with payment methods</a>
      </p>
      <form method="post" action={action} enctype="multipart/form-data" novalidate>
        <RadioGroup
          name="method"
          label="Payment method"
          error={errors.method}
          value={values.method}
          options={methods.map((method) => ({
            value: method,
            label: PAYMENT_METHOD_NAMES[method],
            hint: details[method]?.hint,
            children: details[method]?.fields,
          }))}
        />
        <button type="submit" class="button">
          Continue
        </button>
      </form>
    </Page>
  );
}

export function CheckAnswersPage(props: {
  context: PageContext;
  product: CatalogueProduct;
  priced: PricedConfiguration;
  payment: DraftPayment;
  terms: TermsVersion;
  submissionKey: string;
  errors: FieldErrors;
  quoteReference?: string;
  /** Today's price is charged, being lower than the quote's (withQuotePrice). */
  todayIsLower?: boolean;
  /** The fingerprint of the answers shown (answersFingerprint). */
  shownAnswers: string;
  /** Why the quote the buyer started from does not apply (quoteProblem): today's price does. */
  quoteProblem?: string;
}) {
  const { context, product, priced: c, payment, terms, errors } = props;
  const change = (step: string, what: string) => (
    <a href={buyPath(product, step)}>
      Change<span class="visually-hidden"> {what}</span>
    </a>
  );
  const voucher = payment.method === 'voucher';
  return (
    <Page
      context={context}
      title={`${hasErrors(errors) ? 'Error: ' : ''}Check your order`}
      documentTitle={`${hasErrors(errors) ? 'Error: ' : ''}Check your order – Buy ${product.name}`}
      crumbs={crumbs(product)}
    >
      <ErrorSummary errors={errors} />
      <h1>
        <span class="caption">Buy {product.name}</span> Check your order
      </h1>
      <h2>Storage</h2>
      <SummaryList
        rows={[
          ['Product', `${product.name} (${product.code})`],
          ['Size', sizeText(c.sizeTb)],
          ['Term', years(c.termYears)],
          ['Department', c.institution.name],
          ['Licence name', c.licenceName],
          ['Data Owner', `${c.owner.displayName} (${c.owner.crsid})`],
          ['Data Managers', peopleWords(c.managers) || 'None yet'],
          ['First storage project', c.projectName],
        ]}
      />
      <p>{change('', 'the storage')}</p>
      <h2>Price</h2>
      {props.quoteReference ? (
        <p>
          {props.todayIsLower
            ? `Today’s price is lower than quote ${props.quoteReference}’s, so you pay today’s.`
            : `At the price of quote ${props.quoteReference}.`}
        </p>
      ) : null}
      {props.quoteProblem ? <p>{props.quoteProblem}, so today’s price applies.</p> : null}
      <PriceLines sizeTb={c.sizeTb} termYears={c.termYears} price={c.price} />
      {voucher && !errors.voucherCode ? <p>Your voucher pays this in full: there is nothing to pay.</p> : null}
      <h2>Payment</h2>
      <SummaryList rows={paymentRows(payment, errors)} />
      <p>{change('payment', 'the payment')}</p>
      <TermsAndSubmit
        context={context}
        action={buyPath(product, 'check')}
        terms={terms}
        submissionKey={props.submissionKey}
        payer={c.institution.name}
        error={errors.acceptTerms}
        shownTotalPence={c.price.totalPence}
        shownAnswers={props.shownAnswers}
      />
    </Page>
  );
}

/** The end of every check-your-answers page: the terms in full, their acceptance, and the one submit button. */
export function TermsAndSubmit(props: {
  context: PageContext;
  action: string;
  terms: TermsVersion;
  submissionKey: string;
  /** The department accepting the terms. */
  payer: string;
  error?: string;
  /** The total this page shows: sent back with the terms' version, so a price or terms changed since are not submitted unseen. */
  shownTotalPence?: number;
  /** The fingerprint of the answers this page shows (answersFingerprint), sent back likewise. */
  shownAnswers?: string;
  /** The button, when it does more than submit an order: a cancellation's says so, in red. */
  submit?: { label: string; warning: boolean };
}) {
  const { terms } = props;
  return (
    <form method="post" action={props.action} novalidate>
      <CsrfField token={props.context.csrfToken} />
      <input type="hidden" name="submissionKey" value={props.submissionKey} />
      {props.shownTotalPence === undefined ? null : (
        <>
          <input type="hidden" name="shownTotalPence" value={String(props.shownTotalPence)} />
          <input type="hidden" name="shownTermsVersion" value={terms.version} />
        </>
      )}
      {props.shownAnswers === undefined ? null : <input type="hidden" name="shownAnswers" value={props.shownAnswers} />}
      <h2>
        {terms.title} <span class="caption">version {terms.version}</span>
      </h2>
      <div class="terms">
        {terms.paragraphs.map((paragraph) => (
          <p key={paragraph}>{paragraph}</p>
        ))}
      </div>
      <CheckboxField
        name="acceptTerms"
        label={`I accept the ${terms.title.toLowerCase()} (version ${terms.version}) on behalf of ${props.payer}`}
        error={props.error}
      />
      <button type="submit" class={props.submit?.warning ? 'button button--warning' : 'button'}>
        {props.submit?.label ?? 'Submit order'}
      </button>
    </form>
  );
}

/** The payment answers; a refusal at submission (a used voucher, a closed code) shows beside its answer. */
export function paymentRows(
  payment: DraftPayment,
  errors: FieldErrors = {},
): Array<[string, preact.ComponentChildren]> {
  const method: [string, string] = ['Method', PAYMENT_METHOD_NAMES[payment.method]];
  if (payment.method === 'finance-code') {
    return [
      method,
      ['Finance code', withError('financeCode', payment.financeCode, errors.financeCode)],
      ['Check', payment.checkNote],
    ];
  }
  if (payment.method === 'purchase-order') {
    return [
      method,
      ['PO number', withError('poNumber', payment.poNumber, errors.poNumber)],
      ['PO document', withError('poDocument', payment.documentName, errors.poDocument)],
    ];
  }
  return [method, ['Voucher', withError('voucherCode', payment.voucherCode, errors.voucherCode)]];
}

/** An answer with its error next to it, under the id the error summary links to. */
function withError(field: string, value: string, error: string | undefined): preact.ComponentChildren {
  if (!error) return value;
  return (
    <div class="form-group form-group--error" id={field}>
      <span class="field-error" id={`${field}-error`}>
        <span class="visually-hidden">Error:</span> {error}
      </span>
      {value}
    </div>
  );
}
