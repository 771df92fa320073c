import { Temporal } from 'temporal-polyfill';
import { parseDay } from '../../platform/calendar-day.ts';
import { UNIVERSITY_TIME_ZONE } from '../../platform/clock.ts';
import { csvLine } from '../../platform/csv.ts';
import type { FieldErrors } from '../../platform/web/components.tsx';
import { endOfLondonDay, startOfLondonDay } from '../audit/audit-query.ts';
import { penceAsDecimalPounds } from '../catalogue/money.ts';
import { daysInclusive } from '../orders/change-pricing.ts';
import type { ServiceCode } from '../people/people.tables.ts';
import { SERVICES } from '../people/staff-access.ts';

/**
 * Finance's billing export, as pure rules: the form (a range of days and a service), the range as
 * instants, and each completed order as a row of the CSV file.
 *
 * The day an order completed: orders.updated_at of a completed order, read as a day in London.
 * Only a change of status sets updated_at (orders.admin.repository.ts: statusChangedAt), from the
 * injected clock, and `completed` is a final status (order-status.ts: no transition leaves it), so
 * for a completed order updated_at is the instant it completed: the same instant as its
 * `order: completed/provisioned` audit entry, without searching the audit trail's JSON, and
 * with an index (migration 0024). Its provisioning run's finished_at says the same, but orders
 * completed before runs were recorded, or loaded by hand, have none.
 */

/** What the billing form sends (GET query), as text. */
export interface BillingQueryValues {
  from: string;
  to: string;
  /** A service code, or '' for every service the person may read. */
  service: string;
}

export interface BillingRange {
  /** The first and last day, both included, as YYYY-MM-DD. */
  firstDay: string;
  lastDay: string;
  /** Orders completed at or after this instant (midnight in London on the first day)… */
  from: Date;
  /** …and before this one (midnight in London after the last day). */
  until: Date;
  /** The services whose orders are billed: one, or every one the person may read. */
  services: ServiceCode[];
}

export type ParsedBillingQuery =
  | { ok: true; range: BillingRange; values: BillingQueryValues }
  | { ok: false; errors: FieldErrors; values: BillingQueryValues }
  /** A service the person may not read: refused (403), not a form error. */
  | { ok: false; forbidden: ServiceCode; values: BillingQueryValues };

function text(query: Record<string, unknown>, key: string): string {
  const value = query[key];
  return typeof value === 'string' ? value.trim() : '';
}

/** The calendar month before `today`'s: what the page shows before anything is chosen. */
export function previousMonth(today: Temporal.PlainDate): { from: string; to: string } {
  const first = today.with({ day: 1 }).subtract({ months: 1 });
  return { from: first.toString(), to: first.with({ day: first.daysInMonth }).toString() };
}

/**
 * The billing form: a first and a last day (YYYY-MM-DD, both needed, read as the audit trail's
 * dates are: calendar-day.ts), and a service among those `visible` (the person's: servicesVisibleTo).
 * A service the person may not read is `forbidden`; an unknown one is a form error.
 */
export function parseBillingQuery(query: Record<string, unknown>, visible: readonly ServiceCode[]): ParsedBillingQuery {
  const values: BillingQueryValues = {
    from: text(query, 'from'),
    to: text(query, 'to'),
    service: text(query, 'service'),
  };
  const errors: FieldErrors = {};
  const from = values.from ? parseDay(values.from) : undefined;
  const to = values.to ? parseDay(values.to) : undefined;
  if (!values.from) errors.from = 'Enter the first day, for example 2026-11-01';
  else if (!from) errors.from = 'Enter the first day as a date, for example 2026-11-01';
  if (!values.to) errors.to = 'Enter the last day, for example 2026-11-30';
  else if (!to) errors.to = 'Enter the last day as a date, for example 2026-11-30';
  if (from && to && Temporal.PlainDate.compare(from, to) > 0) {
    errors.to = 'The last day must be the same as or after the first day';
  }
  let services: ServiceCode[] = [...visible];
  if (values.service) {
    const service = SERVICES.find((code) => code === values.service);
    if (!service) errors.service = 'Choose a service from the list';
    else if (!visible.includes(service)) return { ok: false, forbidden: service, values };
    else services = [service];
  }
  if (Object.keys(errors).length > 0 || !from || !to) return { ok: false, errors, values };
  return {
    ok: true,
    values,
    range: {
      firstDay: from.toString(),
      lastDay: to.toString(),
      from: startOfLondonDay(from),
      until: endOfLondonDay(to),
      services,
    },
  };
}

/** The query string of a range (its service only when one was chosen), for the page's and the file's links. */
export function billingQueryString(values: BillingQueryValues): string {
  const params = new URLSearchParams({ from: values.from, to: values.to });
  if (values.service) params.set('service', values.service);
  return params.toString();
}

/** The audit trail's entity of a download of the file (billing.service.ts), by its file name. */
export const BILLING_EXPORT_ENTITY = 'billing-export';

/** billing-2026-11-01-to-2026-11-30.csv */
export function billingFileName(range: Pick<BillingRange, 'firstDay' | 'lastDay' | 'services'>): string {
  // A file of one service says which, so that a research file and an institutional one of the same days differ.
  const service = range.services.length === 1 ? `${range.services[0]}-` : '';
  return `billing-${service}${range.firstDay}-to-${range.lastDay}.csv`;
}

/**
 * A completed order as the export reads it. Its period (startsOn, endsOn) is the one it pays for,
 * as the order records it (orders.starts_on/ends_on): a change order's from its pricing (an
 * increase from its pricing day to the licence's end date, a renewal or recovery from the day after
 * the old end date), a new order's the licence's first term as its set-up gave it (provisioning,
 * migration 0026 for those set up before): never the licence's dates as they are now, which an
 * edit or a renewal moves on.
 */
export interface BillingOrder {
  reference: string;
  completedAt: Date;
  service: ServiceCode;
  productCode: string;
  kind: string;
  licenceId: number;
  licenceName: string;
  departmentId: string;
  departmentName: string;
  customerClass: string;
  sizeTb: number;
  termYears: number;
  startsOn: string | null;
  endsOn: string | null;
  /** The price per TB per year the order was priced at. */
  pencePerTbYear: number;
  /** Recovery: the part of netPence that is the cold-store fee; 0 otherwise. */
  coldStorePence: number;
  netPence: number;
  vatPence: number;
  totalPence: number;
  paymentMethod: string | null;
  financeCode: string | null;
  poNumber: string | null;
  voucherCode: string | null;
  buyerCrsid: string;
  quoteReference: string | null;
}

/**
 * The days an increase pays for (its period, both days included: how it is priced,
 * change-pricing.ts), since its term in years is only their nearest whole number; none for the
 * other kinds, priced by the year.
 */
export function billedDays(order: Pick<BillingOrder, 'kind' | 'startsOn' | 'endsOn'>): number | null {
  if (order.kind !== 'increase' || !order.startsOn || !order.endsOn) return null;
  return daysInclusive(order.startsOn, order.endsOn);
}

/**
 * The file's columns, in order: the header row's words and each order's cell. Net is the price per
 * TB per year × size × term (an increase: × days / 365), plus a recovery's cold-store fee.
 */
const COLUMNS: ReadonlyArray<[string, (order: BillingOrder) => string | number | null]> = [
  ['Order reference', (o) => o.reference],
  ['Completed on', (o) => londonDay(o.completedAt)],
  ['Service', (o) => o.service],
  ['Product code', (o) => o.productCode],
  ['Kind', (o) => o.kind],
  ['Licence ID', (o) => o.licenceId],
  ['Licence name', (o) => o.licenceName],
  ['Department ID', (o) => o.departmentId],
  ['Department name', (o) => o.departmentName],
  ['Customer class', (o) => o.customerClass],
  ['Size (TB)', (o) => o.sizeTb],
  // An increase is priced by the day (Days): the whole years its order row holds mean nothing here.
  ['Term (years)', (o) => (o.kind === 'increase' ? null : o.termYears)],
  ['Days', billedDays],
  ['Period starts on', (o) => o.startsOn],
  ['Period ends on', (o) => o.endsOn],
  ['Price per TB per year (GBP)', (o) => penceAsDecimalPounds(o.pencePerTbYear)],
  ['Cold-store fee (GBP)', (o) => penceAsDecimalPounds(o.coldStorePence)],
  ['Net (GBP)', (o) => penceAsDecimalPounds(o.netPence)],
  ['VAT (GBP)', (o) => penceAsDecimalPounds(o.vatPence)],
  ['Total (GBP)', (o) => penceAsDecimalPounds(o.totalPence)],
  ['Payment method', (o) => o.paymentMethod],
  ['Finance code', (o) => o.financeCode],
  ['PO number', (o) => o.poNumber],
  ['Voucher code', (o) => o.voucherCode],
  ['Buyer CRSid', (o) => o.buyerCrsid],
  ['Quote reference', (o) => o.quoteReference],
];

export function billingHeaderLine(): string {
  return csvLine(COLUMNS.map(([header]) => header));
}

export function billingOrderLine(order: BillingOrder): string {
  return csvLine(COLUMNS.map(([, cell]) => cell(order)));
}

/** The calendar day in London of an instant, YYYY-MM-DD. */
export function londonDay(instant: Date): string {
  return Temporal.Instant.fromEpochMilliseconds(instant.getTime())
    .toZonedDateTimeISO(UNIVERSITY_TIME_ZONE)
    .toPlainDate()
    .toString();
}
