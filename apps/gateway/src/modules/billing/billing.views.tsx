import { ErrorSummary, type FieldErrors, SummaryList } from '../../platform/web/components.tsx';
import { SelectField } from '../../platform/web/form-fields.tsx';
import type { PageContext } from '../../platform/web/layout.tsx';
import { AdminPage } from '../admin/admin.views.tsx';
import { DayRangeFields } from '../admin/manage-views.tsx';
import { formatPence } from '../catalogue/money.ts';
import type { ServiceCode } from '../people/people.tables.ts';
import { SERVICE_NAMES } from '../people/staff-access.ts';
import { formatDay } from '../quotes/quote-rules.ts';
import type { BillingTotals } from './billing.repository.ts';
import { type BillingQueryValues, type BillingRange, billingFileName, billingQueryString } from './billing-rules.ts';

export const BILLING_PATH = '/admin/billing/';
export const BILLING_CSV_PATH = '/admin/billing/orders.csv';

export interface BillingPageProps {
  context: PageContext;
  values: BillingQueryValues;
  errors: FieldErrors;
  /** The services this person may bill (their team's, or both for Finance and superusers). */
  services: readonly ServiceCode[];
  /** The range chosen and what it bills; undefined when the form has errors. */
  result?: { range: BillingRange; totals: BillingTotals };
}

function servicesWords(services: readonly ServiceCode[]): string {
  return services.map((service) => SERVICE_NAMES[service].toLowerCase()).join(' and ');
}

/** /admin/billing/: Finance (and each service team, for its own service) choose days and download what to bill. */
export function BillingPage({ context, values, errors, services, result }: BillingPageProps) {
  const failed = Object.values(errors).some(Boolean);
  const only = services.length === 1 ? services[0] : undefined;
  return (
    <AdminPage context={context} title={failed ? 'Error: Billing' : 'Billing'} section={BILLING_PATH}>
      <h1>Billing</h1>
      <p>
        The orders to bill: those completed in a range of days (London time, both days included) that cost something.
        You see {servicesWords(services)}.
      </p>
      <ErrorSummary errors={errors} />
      <form method="get" action={BILLING_PATH} class="billing-range" novalidate>
        <DayRangeFields values={values} errors={errors} />
        <SelectField
          name="service"
          label="Service"
          placeholder={only ? SERVICE_NAMES[only] : 'Both services'}
          value={values.service}
          options={only ? [] : services.map((service) => ({ value: service, label: SERVICE_NAMES[service] }))}
          error={errors.service}
        />
        <button type="submit">Show the orders</button>
      </form>
      {result ? <BillingResult result={result} values={values} /> : null}
    </AdminPage>
  );
}

function BillingResult({
  result,
  values,
}: {
  result: NonNullable<BillingPageProps['result']>;
  values: BillingQueryValues;
}) {
  const { range, totals } = result;
  const orders = totals.orders === 1 ? '1 order' : `${totals.orders} orders`;
  return (
    <section aria-labelledby="billing-result">
      <h2 id="billing-result">
        Completed from {formatDay(range.firstDay)} to {formatDay(range.lastDay)}
      </h2>
      <SummaryList
        rows={[
          ['Service', servicesWords(range.services)],
          ['Orders to bill', String(totals.orders)],
          ['Net', formatPence(totals.netPence)],
          ['VAT', formatPence(totals.vatPence)],
          ['Total', formatPence(totals.totalPence)],
        ]}
      />
      <p>
        <a href={`${BILLING_CSV_PATH}?${billingQueryString(values)}`} download={billingFileName(range)}>
          Download the {orders} as a CSV file
        </a>{' '}
        (one row per order, in order of completion).
      </p>
    </section>
  );
}
