import type { ServiceCode } from '../people/people.tables.ts';
import { ORDER_STATUSES, type OrderStatus } from './order-status.ts';

/**
 * The service team's order queue as pure rules: which orders need the team, how the queue's GET
 * form (its query string) becomes a filter, and how old an order is. No I/O: the repository turns
 * a QueueFilter into SQL.
 */

/** The statuses in which an order waits for the service team (the queue's default, and the home page's counts). */
export const NEEDS_ACTION_STATUSES = [
  'awaiting-payment-check',
  'awaiting-approval',
  'approved',
  'provisioning-failed',
] as const satisfies readonly OrderStatus[];

/** What staff read for each status (plainer for the team than the customer's words). */
export const STAFF_STATUS_LABELS: Record<OrderStatus, string> = {
  submitted: 'Submitted',
  'awaiting-payment-check': 'Awaiting payment check',
  'awaiting-approval': 'Awaiting approval',
  approved: 'Approved, to provision',
  provisioning: 'Provisioning',
  completed: 'Completed',
  rejected: 'Rejected',
  cancelled: 'Cancelled',
  'provisioning-failed': 'Provisioning failed',
};

/** Rows on one page of the queue. */
export const QUEUE_PAGE_SIZE = 25;
/** The furthest page the queue goes to; narrower filters find anything further back. */
export const QUEUE_MAX_PAGE = 4_000;
/** Longest search text taken (a reference, CRSid, name or PO number is far shorter). */
export const QUEUE_SEARCH_MAX = 100;
/** The largest "waiting more than N days" accepted: ten years. */
export const QUEUE_MAX_AGE_DAYS = 3_650;

export type QueueStatusChoice = 'needs-action' | 'all' | OrderStatus;
export type QueueSort = 'oldest' | 'newest';

/** What the search box was given, with the forms it is matched in. */
export interface QueueSearch {
  /** As typed, trimmed. */
  text: string;
  /** The order reference it could be (ORD-000123 from "ORD-123", "ord-000123" or "123"), if any. */
  reference: string | null;
  /** Lower-cased, for CRSids, names and PO numbers. */
  lower: string;
}

export interface QueueFilter {
  service: ServiceCode;
  /** 'needs-action', 'all', or the chosen statuses. */
  statusChoice: QueueStatusChoice[];
  /** The statuses the query keeps (never empty). */
  statuses: OrderStatus[];
  product: string | null;
  department: string | null;
  /** Orders submitted more than this many whole days ago. */
  olderThanDays: number | null;
  search: QueueSearch | null;
  sort: QueueSort;
  page: number;
}

export interface QueueFilterResult {
  filter: QueueFilter;
  /** Messages for fields the person got wrong; the filter leaves those fields out. */
  errors: Record<string, string>;
}

type QueryValue = string | string[] | undefined;

function values(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.filter((item): item is string => typeof item === 'string');
  return [];
}

function first(value: unknown): string {
  return (values(value)[0] ?? '').trim();
}

const isStatus = (value: string): value is OrderStatus => (ORDER_STATUSES as readonly string[]).includes(value);

/** Reads an order reference out of a search: "ORD-000123", "ord-123" or "123" → ORD-000123. */
export function referenceFrom(text: string): string | null {
  const match = text.trim().match(/^(?:ord-?)?(\d{1,9})$/i);
  if (!match?.[1]) return null;
  const digits = match[1].replace(/^0+(?=\d)/, '');
  return `ORD-${digits.padStart(6, '0')}`;
}

/**
 * The queue's query string as a filter. The service must be one the person may see (else the first
 * of theirs); unknown statuses, products and sorts are ignored; an age that is not a whole number
 * of days is reported against its field.
 */
export function parseQueueFilter(
  query: Record<string, QueryValue> | undefined,
  allowed: {
    services: readonly ServiceCode[];
    /** Each service's product codes: a product filter must belong to the chosen service. */
    productsByService: Partial<Record<ServiceCode, readonly string[]>>;
    departments: readonly string[];
  },
): QueueFilterResult {
  const q = query ?? {};
  const errors: Record<string, string> = {};
  const requestedService = first(q.service);
  const service = (allowed.services as readonly string[]).includes(requestedService)
    ? (requestedService as ServiceCode)
    : allowed.services[0];
  if (!service) throw new Error('parseQueueFilter needs at least one service the person may see');

  const chosen = values(q.status).map((value) => value.trim());
  let statusChoice: QueueStatusChoice[];
  if (chosen.includes('all')) statusChoice = ['all'];
  else {
    const statuses = [...new Set(chosen.filter(isStatus))];
    statusChoice = statuses.length > 0 ? statuses : ['needs-action'];
  }
  const statuses: OrderStatus[] =
    statusChoice[0] === 'all'
      ? [...ORDER_STATUSES]
      : statusChoice[0] === 'needs-action'
        ? [...NEEDS_ACTION_STATUSES]
        : (statusChoice as OrderStatus[]);

  const productText = first(q.product).toUpperCase();
  const product = (allowed.productsByService[service] ?? []).includes(productText) ? productText : null;
  const departmentText = first(q.department).toUpperCase();
  const department = allowed.departments.includes(departmentText) ? departmentText : null;

  const ageText = first(q.olderThan);
  let olderThanDays: number | null = null;
  if (ageText !== '') {
    if (!/^\d{1,5}$/.test(ageText) || Number(ageText) > QUEUE_MAX_AGE_DAYS) {
      errors.olderThan = `Enter the number of days as a whole number from 0 to ${QUEUE_MAX_AGE_DAYS}, like 7`;
    } else {
      olderThanDays = Number(ageText);
    }
  }

  const searchText = first(q.q);
  let search: QueueSearch | null = null;
  if (searchText.length > QUEUE_SEARCH_MAX) {
    errors.q = `Search for at most ${QUEUE_SEARCH_MAX} characters: a reference, a CRSid, a name or a PO number`;
  } else if (searchText !== '') {
    search = { text: searchText, reference: referenceFrom(searchText), lower: searchText.toLowerCase() };
  }

  const sort: QueueSort = first(q.sort) === 'newest' ? 'newest' : 'oldest';
  const pageText = first(q.page);
  const page = /^\d{1,6}$/.test(pageText) ? Math.min(Math.max(Number(pageText), 1), QUEUE_MAX_PAGE) : 1;

  return {
    filter: { service, statusChoice, statuses, product, department, olderThanDays, search, sort, page },
    errors,
  };
}

/**
 * The filter back as query parameters (for links that keep it: pages, service tabs). Defaults are
 * left out, so the plain queue is /admin/orders/.
 */
export function queueQuery(filter: QueueFilter, changes: Partial<QueueFilter> = {}): Array<[string, string]> {
  const f = { ...filter, ...changes };
  const params: Array<[string, string]> = [['service', f.service]];
  if (f.statusChoice[0] !== 'needs-action') for (const status of f.statusChoice) params.push(['status', status]);
  if (f.product) params.push(['product', f.product]);
  if (f.department) params.push(['department', f.department]);
  if (f.olderThanDays !== null) params.push(['olderThan', String(f.olderThanDays)]);
  if (f.search) params.push(['q', f.search.text]);
  if (f.sort !== 'oldest') params.push(['sort', f.sort]);
  if (f.page > 1) params.push(['page', String(f.page)]);
  return params;
}

export function queueHref(filter: QueueFilter, changes: Partial<QueueFilter> = {}): string {
  return `/admin/orders/${queryString(queueQuery(filter, changes))}`;
}

/** The queue's own query parameters, in the order queueQuery writes them. */
const QUEUE_PARAMS = ['service', 'status', 'product', 'department', 'olderThan', 'q', 'sort', 'page'] as const;
/** Longest value carried: a search the queue would refuse is longer than this. */
const CARRIED_VALUE_MAX = QUEUE_SEARCH_MAX * 2;

/**
 * The queue's filters out of the query string of a page opened from the queue (the staff order
 * page), to carry on to its forms and lead back to the same queue: only the queue's own
 * parameters, as text, none empty or overlong, each status once. The queue checks the values
 * themselves when it is opened; these are only ever put after a fixed path, encoded (queryString).
 */
export function queueParamsFrom(query: unknown): Array<[string, string]> {
  const q = (query && typeof query === 'object' ? query : {}) as Record<string, unknown>;
  const params: Array<[string, string]> = [];
  for (const name of QUEUE_PARAMS) {
    const given = [...new Set(values(q[name]).map((value) => value.trim()))].filter(
      (value) => value !== '' && value.length <= CARRIED_VALUE_MAX,
    );
    for (const value of given.slice(0, name === 'status' ? ORDER_STATUSES.length + 1 : 1)) params.push([name, value]);
  }
  return params;
}

/** "?service=research&status=…": the query string of `params`, encoded, to append to a path ('' for none). */
export function queryString(params: Array<[string, string]>): string {
  return params.length > 0 ? `?${new URLSearchParams(params).toString()}` : '';
}

/**
 * The queue an order page leads back to: the one it was opened from (queueParamsFrom), else the
 * order's service's. Its service is the order's when the filters carried name none.
 */
export function queueBackHref(carried: Array<[string, string]>, service: ServiceCode): string {
  const params = carried.some(([name]) => name === 'service')
    ? carried
    : [['service', service] as [string, string], ...carried];
  return `/admin/orders/${queryString(params)}`;
}

const DAY_MS = 86_400_000;

/** Whole days an order has waited since it was submitted, as of `now` (never negative). */
export function ageInDays(submittedAt: Date, now: Date): number {
  return Math.max(0, Math.floor((now.getTime() - submittedAt.getTime()) / DAY_MS));
}

/** "waiting more than N days": orders submitted before this instant. */
export function submittedBefore(olderThanDays: number, now: Date): Date {
  return new Date(now.getTime() - olderThanDays * DAY_MS);
}

/** "3 days", "1 day", "less than a day". */
export function describeAge(days: number): string {
  if (days === 0) return 'less than a day';
  return days === 1 ? '1 day' : `${days.toLocaleString('en-GB')} days`;
}

/** "Showing 26–50 of 1,234 orders" for page `page` of `total` rows. */
export function showingRange(page: number, total: number, pageSize = QUEUE_PAGE_SIZE): { from: number; to: number } {
  if (total === 0) return { from: 0, to: 0 };
  const from = (page - 1) * pageSize + 1;
  return { from: Math.min(from, total + 1), to: Math.min(page * pageSize, total) };
}
