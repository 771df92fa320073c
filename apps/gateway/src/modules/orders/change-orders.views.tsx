import type { ComponentChildren } from 'preact';
import { Temporal } from 'temporal-polyfill';
import type { FieldErrors } from '../../platform/web/components.tsx';
import { CsrfField, ErrorSummary, SummaryList } from '../../platform/web/components.tsx';
import { RadioGroup, TextAreaField, TextField } from '../../platform/web/form-fields.tsx';
import { type Crumb, Page, type PageContext } from '../../platform/web/layout.tsx';
import type { TermsVersion } from '../catalogue/catalogue.repository.ts';
import { formatPence } from '../catalogue/money.ts';
import { sizeText } from '../catalogue/sizes.ts';
import { LICENCE_STATUS_WORDS } from '../licences/licence-status.ts';
import type { LicenceStatus } from '../licences/licences.tables.ts';
import { formatDay, QUOTE_VALID_DAYS } from '../quotes/quote-rules.ts';
import { cancellationWords } from './cancellation-words.ts';
import type { ChangeOptions, LicenceForChange } from './change-orders.service.ts';
import { type ChangeKind, type ChangePrice, longestTerm } from './change-pricing.ts';
import { isQuotableChange } from './change-quotes.ts';
import { NO_PAYMENT_WORDS, takesPayment } from './order-payment.ts';
import { hasErrors, paymentRows, TermsAndSubmit, years } from './purchase.views.tsx';
import type { DraftPayment } from './purchase-draft.ts';

/** /storage/licence/<id>/change/<kind>/<step>: the steps of a change order, under the licence's own address. */
export function changePath(licenceId: number, kind: ChangeKind, step = ''): string {
  return `/storage/licence/${licenceId}/change/${kind}/${step}`;
}

/** What each change is called where it is offered, and as the heading of its steps. */
export const CHANGE_ACTION_WORDS: Record<ChangeKind, string> = {
  increase: 'Increase the size',
  renewal: 'Renew',
  recovery: 'Recover from the cold store',
  cancellation: 'Cancel this licence',
};

/**
 * The document title of a change's steps, naming the licence (WCAG 2.4.2): "Renew “Dark matter”"
 * tells which page of which licence a tab or a screen reader's list of windows is.
 */
const CHANGE_TITLES: Record<ChangeKind, (licenceName: string) => string> = {
  increase: (name) => `Increase the size of “${name}”`,
  renewal: (name) => `Renew “${name}”`,
  recovery: (name) => `Recover “${name}” from the cold store`,
  cancellation: (name) => `Cancel “${name}”`,
};

/** What each change is, beside its offer (a cancellation's depends on the licence: cancellationWords). */
const CHANGE_ACTION_HINTS: Record<Exclude<ChangeKind, 'cancellation'>, string> = {
  increase: 'Add space for the rest of the term, priced by the day.',
  renewal: 'Another term at today’s price, from the day after the end date.',
  recovery: 'Bring the data back from the tape archive: a renewal plus the cold-store fee.',
};

function crumbs(licence: { id: number; name: string }): Crumb[] {
  return [
    { label: 'Home', href: '/' },
    { label: 'My storage', href: '/storage/' },
    { label: licence.name, href: `/storage/licence/${licence.id}/` },
  ];
}

/** The licence page's section: the changes its status allows, for its Data Owner and Data Managers. */
export function ChangeLicenceSection({ options }: { options: ChangeOptions }) {
  const { licence, kinds } = options;
  return (
    <section aria-labelledby="change-licence">
      <h2 id="change-licence">Change this licence</h2>
      {options.problem ? (
        <p>{options.problem}</p>
      ) : kinds.length === 0 ? (
        <p>
          A licence that is “{LICENCE_STATUS_WORDS[licence.status].label.toLowerCase()}” cannot be changed here. Contact
          the storage team if you need to.
        </p>
      ) : (
        <>
          <ul class="actions">
            {kinds.map((kind) => (
              <li key={kind}>
                <a href={changePath(licence.id, kind)}>{CHANGE_ACTION_WORDS[kind]}</a>
                <span class="hint">
                  {' '}
                  {kind === 'cancellation' ? cancellationWords(licence.status).hint : CHANGE_ACTION_HINTS[kind]}
                </span>
              </li>
            ))}
          </ul>
          {/* A renewal is not offered years ahead at today's price: when it opens instead (renewal-window.ts). */}
          {(options.notOpenYet ?? []).map((words) => (
            <p key={words}>{words}</p>
          ))}
        </>
      )}
    </section>
  );
}

function period(price: Pick<ChangePrice, 'startsOn' | 'endsOn'>): string {
  return price.startsOn && price.endsOn ? `from ${formatDay(price.startsOn)} to ${formatDay(price.endsOn)}` : '';
}

function days(count: number): string {
  return count === 1 ? '1 day' : `${count.toLocaleString('en-GB')} days`;
}

/**
 * The days a recovery's cold-store fee counts, " (16 October 2026 to 27 November 2026, both
 * included)": from the day after the end date (`startsOn`) to the pricing day, read-only days
 * included (change-pricing.ts).
 */
function feePeriod(startsOn: string | null, count: number): string {
  if (!startsOn || count < 1) return '';
  const to = Temporal.PlainDate.from(startsOn)
    .add({ days: count - 1 })
    .toString();
  return ` (${formatDay(startsOn)} to ${formatDay(to)}, both included)`;
}

/** A change's price, with the calculation spelled out so the buyer can check it. */
export function ChangePriceLines({
  price,
  coldStorePencePerTbYear,
  licenceStatus,
}: {
  price: Pick<
    ChangePrice,
    | 'kind'
    | 'sizeTb'
    | 'termYears'
    | 'startsOn'
    | 'endsOn'
    | 'pencePerTbYear'
    | 'coldStorePence'
    | 'netPence'
    | 'vatPence'
    | 'totalPence'
  > & { days?: number; coldStoreDays?: number };
  coldStorePencePerTbYear?: number;
  /** A cancellation's licence, as it is: one not set up yet has no term to refund (cancellationWords). */
  licenceStatus?: LicenceStatus;
}) {
  const unit = `${formatPence(price.pencePerTbYear)} per TB per year`;
  const rows: Array<[string, ComponentChildren]> = [];
  if (price.kind === 'increase') {
    rows.push([
      'Calculation',
      `${sizeText(price.sizeTb)} × ${unit} × ${price.days === undefined ? 'the days' : days(price.days)} ${period(price)} (both days included) ÷ 365, to the nearest penny`,
    ]);
  } else if (price.kind === 'renewal' || price.kind === 'recovery') {
    rows.push(['Calculation', `${sizeText(price.sizeTb)} × ${unit} × ${years(price.termYears)}, ${period(price)}`]);
    if (price.kind === 'recovery') {
      const fee =
        price.coldStoreDays !== undefined && coldStorePencePerTbYear !== undefined
          ? `${formatPence(price.coldStorePence)}: ${sizeText(price.sizeTb)} × ${formatPence(coldStorePencePerTbYear)} per TB per year × ${days(price.coldStoreDays)} since the licence ended${feePeriod(price.startsOn, price.coldStoreDays)} ÷ 365`
          : formatPence(price.coldStorePence);
      rows.push(['Cold-store fee', fee]);
    }
  } else {
    rows.push(['Calculation', cancellationWords(licenceStatus).calculation]);
  }
  rows.push(
    ['Price before VAT', formatPence(price.netPence)],
    ['VAT', price.vatPence > 0 ? formatPence(price.vatPence) : 'None (internal customer)'],
    ['Total', <strong key="total">{formatPence(price.totalPence)}</strong>],
  );
  return <SummaryList rows={rows} />;
}

/** What the licence is now, above each step. */
function LicenceNow({ licence }: { licence: LicenceForChange }) {
  return (
    <SummaryList
      rows={[
        ['Licence', licence.name],
        ['Product', `${licence.product.name} (${licence.product.code})`],
        ['Size now', sizeText(licence.sizeTb)],
        ['Ends', licence.endDate ? formatDay(licence.endDate) : 'Not set yet'],
      ]}
    />
  );
}

/** The first step: what to change (TB to add, a term, or a cancellation's confirmation and reason). */
export function ChangeConfigurePage(props: {
  context: PageContext;
  licence: LicenceForChange;
  kind: ChangeKind;
  values: Record<string, string>;
  errors: FieldErrors;
  price?: ChangePrice;
  coldStorePencePerTbYear?: number;
  /** The quote the buyer is ordering with, whose price applies. */
  quote?: { reference: string; validUntil: string };
}) {
  const { context, licence, kind, errors, price, quote } = props;
  const title = CHANGE_ACTION_WORDS[kind];
  return (
    <Page
      context={context}
      title={`${hasErrors(errors) ? 'Error: ' : ''}${title}`}
      documentTitle={`${hasErrors(errors) ? 'Error: ' : ''}${CHANGE_TITLES[kind](licence.name)}`}
      crumbs={crumbs(licence)}
    >
      <ErrorSummary errors={errors} />
      <h1>
        <span class="caption">{licence.name}</span> {title}
      </h1>
      <LicenceNow licence={licence} />
      {quote ? (
        <p class="notice">
          Ordering with quote <a href={`/storage/quotes/${quote.reference}/`}>{quote.reference}</a>: its price holds
          until {formatDay(quote.validUntil)} if you keep what it quotes.{' '}
          <a href={`${changePath(licence.id, kind)}?quote=`}>Order without the quote, at today’s price</a>
        </p>
      ) : null}
      <form method="post" action={changePath(licence.id, kind)} novalidate>
        <CsrfField token={context.csrfToken} />
        <ChangeFields {...props} />
        {kind === 'cancellation' ? null : (
          <section class="price-panel" aria-labelledby="price-heading" aria-live="polite">
            <h2 id="price-heading">Price</h2>
            {price ? (
              <ChangePriceLines price={price} coldStorePencePerTbYear={props.coldStorePencePerTbYear} />
            ) : (
              <p>{kind === 'increase' ? 'Enter the TB to add' : 'Choose the term'}, then choose “Update price”.</p>
            )}
          </section>
        )}
        <div class="button-group">
          <button type="submit" name="intent" value="continue" class="button">
            {price && !takesPayment(price) ? 'Continue' : 'Continue to payment'}
          </button>
          {kind === 'cancellation' ? null : (
            <button type="submit" name="intent" value="price" class="button button--secondary">
              Update price
            </button>
          )}
          {isQuotableChange(kind) ? (
            <button type="submit" name="intent" value="quote" class="button button--secondary">
              Get a quote
            </button>
          ) : null}
          <a href={`/storage/licence/${licence.id}/`}>Go back to the licence</a>
        </div>
        {isQuotableChange(kind) ? (
          <p class="hint">
            Paying by purchase order? “Get a quote” gives a numbered quote at today’s price, valid for{' '}
            {QUOTE_VALID_DAYS} days or until the last day this change can be ordered if that is sooner (the quote says
            which day), as a page and a PDF to raise the purchase order against. Order with the quote by then to pay its
            price.
          </p>
        ) : null}
      </form>
    </Page>
  );
}

function ChangeFields(props: {
  licence: LicenceForChange;
  kind: ChangeKind;
  values: Record<string, string>;
  errors: FieldErrors;
}) {
  const { licence, kind, values, errors } = props;
  if (kind === 'increase') {
    return (
      <>
        <p>
          You pay for the added space from today to the licence’s end date, {formatDay(licence.endDate ?? '')}: the
          yearly price per TB, for each day left (today and the end date included), divided by 365. A 29 February counts
          like any other day.
        </p>
        <TextField
          name="addTb"
          label="How many TB to add"
          hint={`Whole TB only. The licence will then be this much bigger than its ${sizeText(licence.sizeTb)}.`}
          error={errors.addTb}
          value={values.addTb}
          inputMode="numeric"
          width="short"
        />
      </>
    );
  }
  if (kind === 'cancellation') {
    return (
      <>
        <div class="notice notice--warning">
          <p>
            <strong>{cancellationWords(licence.status).cost}</strong>
          </p>
          <p>{cancellationWords(licence.status).consequences}</p>
        </div>
        <TextAreaField
          name="reason"
          label="Why are you cancelling? (optional)"
          hint="The storage team reads this with the order."
          error={errors.reason}
          value={values.reason}
        />
      </>
    );
  }
  const longest = longestTerm(licence.product);
  return (
    <>
      <p>
        {kind === 'recovery' ? 'Recovering the licence brings its data back from the tape archive and renews it. ' : ''}
        {/* The start day itself first: "the day after the current end date, 1 October" read as if 1 October were it. */}
        {licence.endDate
          ? `The new term starts on ${formatDay(Temporal.PlainDate.from(licence.endDate).add({ days: 1 }).toString())}, the day after the current end date (${formatDay(licence.endDate)})`
          : 'The new term starts the day after the current end date'}
        , even if that day has passed, and is charged at today’s price.
        {kind === 'recovery'
          ? ' The cold-store fee is charged for every day from the day after the end date to today, the days the licence was read-only before it moved to the cold store included.'
          : ''}
      </p>
      <RadioGroup
        name="termYears"
        label="How long to renew for"
        error={errors.termYears}
        value={values.termYears}
        options={Array.from({ length: longest }, (_, index) => ({
          value: String(index + 1),
          label: years(index + 1),
        }))}
      />
    </>
  );
}

/** The last step: check the change, the price and the payment, accept the terms, and submit. */
export function ChangeCheckPage(props: {
  context: PageContext;
  licence: LicenceForChange;
  kind: ChangeKind;
  price: ChangePrice;
  coldStorePencePerTbYear?: number;
  /** The quote the change is priced by, if any. */
  quote?: { reference: string; validUntil: string; todayIsLower: boolean };
  reason?: string;
  /** None for a change that takes no payment (a cancellation). */
  payment: DraftPayment | undefined;
  terms: TermsVersion;
  submissionKey: string;
  /** The fingerprint of the answers shown (purchase-configuration.ts answersFingerprint). */
  shownAnswers: string;
  errors: FieldErrors;
}) {
  const { context, licence, kind, price, errors } = props;
  const change = (step: string, what: string) => (
    <a href={changePath(licence.id, kind, step)}>
      Change<span class="visually-hidden"> {what}</span>
    </a>
  );
  const rows: Array<[string, ComponentChildren]> = [
    ['Licence', licence.name],
    ['Change', CHANGE_ACTION_WORDS[kind]],
  ];
  if (kind === 'increase') {
    rows.push([
      'Size',
      `${sizeText(licence.sizeTb)} now, ${sizeText(licence.sizeTb + price.sizeTb)} after (${sizeText(price.sizeTb)} more)`,
    ]);
  } else {
    rows.push(['Size', sizeText(licence.sizeTb)]);
  }
  if (price.startsOn && price.endsOn) rows.push(['Period paid for', period(price)]);
  if (kind === 'renewal' || kind === 'recovery') rows.push(['Term', years(price.termYears)]);
  if (kind === 'cancellation') rows.push(['Reason', props.reason || 'None given']);
  return (
    <Page
      context={context}
      title={`${hasErrors(errors) ? 'Error: ' : ''}Check your order`}
      documentTitle={`${hasErrors(errors) ? 'Error: ' : ''}Check your order – ${CHANGE_TITLES[kind](licence.name)}`}
      crumbs={crumbs(licence)}
    >
      <ErrorSummary errors={errors} />
      <h1>
        <span class="caption">{CHANGE_ACTION_WORDS[kind]}</span> Check your order
      </h1>
      <h2>Change</h2>
      <SummaryList rows={rows} />
      {kind === 'cancellation' ? <p>{cancellationWords(licence.status).consequences}</p> : null}
      <p>{change('', 'your answers')}</p>
      <h2>Price</h2>
      {props.quote ? (
        <p>
          {props.quote.todayIsLower
            ? `Today’s price is lower than quote ${props.quote.reference}’s, so you pay today’s.`
            : `At the price of quote ${props.quote.reference}, which holds until ${formatDay(props.quote.validUntil)}.`}
        </p>
      ) : null}
      <ChangePriceLines
        price={price}
        coldStorePencePerTbYear={props.coldStorePencePerTbYear}
        licenceStatus={licence.status}
      />
      {props.payment?.method === 'voucher' && !props.errors.voucherCode ? (
        <p>Your voucher pays this in full: there is nothing to pay.</p>
      ) : null}
      <h2>Payment</h2>
      {props.payment ? (
        <>
          <SummaryList rows={paymentRows(props.payment, errors)} />
          <p>{change('payment', 'the payment')}</p>
        </>
      ) : (
        <p>{NO_PAYMENT_WORDS}</p>
      )}
      <TermsAndSubmit
        context={context}
        action={changePath(licence.id, kind, 'check')}
        terms={props.terms}
        submissionKey={props.submissionKey}
        payer={licence.institutionName}
        error={errors.acceptTerms}
        shownTotalPence={price.totalPence}
        shownAnswers={props.shownAnswers}
        submit={kind === 'cancellation' ? { label: 'Cancel the licence', warning: true } : undefined}
      />
    </Page>
  );
}
