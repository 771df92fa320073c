import { formatPence } from '../catalogue/money.ts';
import { sizeText } from '../catalogue/sizes.ts';
import { PROJECT_ROLE_LABELS } from '../licences/licence-members.ts';
import { LICENCE_STATUS_WORDS, STORAGE_PROJECT_STATUS_WORDS } from '../licences/licence-status.ts';
import type { ProjectRole } from '../licences/licences.tables.ts';
import { FLAG_LABELS } from '../lifecycle/licence-flags.ts';
import { STAFF_STATUS_LABELS } from '../orders/order-queue.ts';
import { ORDER_KIND_WORDS, ORDER_STATUS_WORDS } from '../orders/order-status.ts';
import { PAYMENT_CHECK_WORDS, PAYMENT_METHOD_NAMES } from '../payments/payment-details.ts';
import { personWords } from '../people/person-words.ts';
import { PROVISIONER_NAMES } from '../provisioning/provisioning-rules.ts';
import { formatDay } from '../quotes/quote-rules.ts';
import type { AuditEntity } from './audit.tables.ts';

/**
 * The audit trail in words: what kind of record an entry is about, who acted, and what changed.
 * Pure functions shared by the customer's licence page and the back office's audit pages.
 */

/** Entity types missing here read as their own words (humanised), so a new type never breaks a page. */
export const ENTITY_WORDS: Partial<Record<AuditEntity, string>> = {
  order: 'Order',
  licence: 'Licence',
  payment: 'Payment',
  'storage-project': 'Storage project',
  voucher: 'Voucher',
  'staff-role': 'Staff role',
  quote: 'Quote',
  'personal-access-token': 'Access token',
  product: 'Product',
  price: 'Price',
  'view-as': 'Viewing as a customer',
  'usage-import': 'Usage import',
  'billing-export': 'Billing export',
  'failed-job': 'Failed job',
  person: 'Person',
};

/** "Order", "Storage project"; an entity type this build does not know reads as its own words. */
export function entityWords(entity: string): string {
  return (ENTITY_WORDS as Record<string, string | undefined>)[entity] ?? humanise(entity);
}

/** "finance code changed" → "Finance code changed"; "sizeTb" → "Size TB"; "po_number" → "Po number". */
export function humanise(text: string): string {
  const words = text
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/[-_.]+/g, ' ')
    .trim()
    .split(/\s+/)
    .map((word, index) => {
      if (/^crsids?$/i.test(word)) return `CRSid${word.length > 5 ? 's' : ''}`;
      if (/^(tb|gb|po|id|vat|url)$/i.test(word)) return word.toUpperCase();
      return index === 0 ? word : word.toLowerCase();
    })
    .join(' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/**
 * Who reads a history: a customer (the licence page) or staff (the back office), each in the words
 * of their own pages: an order that is "Done" for its customer is "Completed" on the staff's pages.
 */
export type AuditAudience = 'customer' | 'staff';

/**
 * Every key the code records in an audit row's before or after, as a label inside a sentence
 * ("size: 5 TB → 8 TB"). audit-keys.test.ts reads the source for the keys recorded and fails on any
 * without a label here. A quote's row is recorded by its columns' names (total_pence): keys are
 * looked up as camelCase. A key missing here still reads as words (fieldLabel's fallback).
 */
export const FIELD_LABELS: Record<string, string> = {
  active: 'on sale',
  addTb: 'size added',
  added: 'readings added',
  asManager: 'told as a Data Manager',
  asOf: 'as of',
  attempts: 'tries',
  changeKind: 'change',
  changeOrder: 'change order',
  changed: 'readings changed',
  checkStatus: 'finance code check',
  checked: 'finance code check',
  code: 'code',
  coldStorePence: 'cold-store fee',
  crsid: 'CRSid',
  customer: 'customer',
  customerClass: 'customer class',
  dataOwner: 'Data Owner',
  decidedBy: 'decided by',
  department: 'department',
  description: 'description',
  detail: 'detail',
  displayName: 'name',
  email: 'email address',
  endDate: 'end date',
  ended: 'ended',
  endsOn: 'ends on',
  expiresOn: 'expires on',
  financeCode: 'finance code',
  firstDay: 'first day',
  flag: 'flag',
  groups: 'groups',
  held: 'role held',
  hint: 'token ends in',
  institution: 'department',
  institutionId: 'department',
  issuedOn: 'issued on',
  kind: 'kind',
  lastDay: 'last day',
  lastError: 'last error',
  licenceEndDate: 'licence end date',
  licenceId: 'licence number',
  licenceName: 'licence name',
  licenceSizeTb: 'licence size',
  licenceStatus: 'licence status',
  licences: 'licences',
  lockReason: 'lock reason',
  locked: 'locked',
  lockedBy: 'locked by',
  managerCrsids: 'Data Managers',
  managers: 'Data Managers',
  members: 'members',
  message: 'finance code check said',
  minimumTb: 'minimum size',
  name: 'name',
  netPence: 'net price',
  note: 'note',
  oldOwnerNowManager: 'former Data Owner, now a Data Manager',
  owner: 'Data Owner',
  ownerCrsid: 'Data Owner',
  path: 'path',
  payment: 'payment method',
  pencePerTbYear: 'price per TB per year',
  percent: 'percentage used',
  person: 'person',
  personId: 'person number',
  priceValidFrom: 'price valid from',
  product: 'product',
  productCode: 'product',
  project: 'storage project',
  projectName: 'storage project',
  provisioner: 'storage',
  quotaTb: 'quota',
  quote: 'quote',
  read: 'readings read',
  readOn: 'read on',
  reason: 'reason',
  redeemedBy: 'used by order',
  reference: 'reference',
  rejected: 'rows refused',
  reminders: 'reminders',
  role: 'role',
  rows: 'orders in the file',
  run: 'provisioning run',
  service: 'service',
  services: 'services',
  shareName: 'share name',
  sizeTb: 'size',
  startDate: 'start date',
  startedAt: 'started at',
  startsOn: 'starts on',
  status: 'status',
  step: 'storage step',
  summary: 'summary',
  termYears: 'term in years',
  termsYears: 'terms in years',
  told: 'storage told',
  totalPence: 'total',
  unchanged: 'readings unchanged',
  undone: 'what was made undone',
  usedBytes: 'used',
  validFrom: 'valid from',
  validUntil: 'valid until',
  vatPence: 'VAT',
  version: 'access change',
};

/**
 * Keys the customer's history leaves out: the service's own bookkeeping (its provisioning runs and
 * provisioners, what the storage was told, the number of a person's row), and who decided an order
 * (the Who column says it).
 */
const CUSTOMER_HIDDEN = new Set(['run', 'provisioner', 'told', 'undone', 'personId', 'decidedBy']);

/**
 * Whether the customer's history shows an entry at all: not the service's own bookkeeping rows, the
 * storage told of a nightly step by its provisioner or the team (provisioning/storage-steps.repository.ts:
 * "storage told: …"), which the step's own entry ("suspended (end date passed)") already says.
 * The back office's pages show every entry.
 */
export function inCustomerHistory(entry: { actorLabel: string; entityType: string; action: string }): boolean {
  return !(
    entry.entityType === 'licence' &&
    entry.actorLabel.startsWith('system: provisioner') &&
    entry.action.startsWith('storage told:')
  );
}

/** Labels the customer reads instead: a person, by name where known, is not "CRSid: Ben Manager (bm202)". */
const CUSTOMER_LABELS: Readonly<Record<string, string>> = { crsid: 'person' };

/** Keys whose values are CRSids (one, or a list): read as "Ben Manager (bm202)" where the name is known. */
const PERSON_KEYS = new Set([
  'crsid',
  'owner',
  'ownerCrsid',
  'dataOwner',
  'oldOwnerNowManager',
  'managers',
  'managerCrsids',
  'lockedBy',
  'decidedBy',
  'person',
]);
/** Keys whose values are a department's (institution's) code, or a product's. */
const DEPARTMENT_KEYS = new Set(['department', 'institution', 'institutionId']);
const PRODUCT_KEYS = new Set(['product', 'productCode']);

/**
 * The names a history's codes read as, looked up once for all its entries (auditNames): people by
 * CRSid, departments by their code, products by theirs. Without them, the codes read as themselves.
 */
export interface AuditNames {
  people: ReadonlyMap<string, string>;
  departments: ReadonlyMap<string, string>;
  products: ReadonlyMap<string, string>;
}

/** The CRSids, department codes and product codes a history's entries (and its Who column) name. */
export function codesToName(
  entries: ReadonlyArray<{
    actorLabel: string;
    before: Record<string, unknown> | null;
    after: Record<string, unknown> | null;
  }>,
): { crsids: string[]; departments: string[]; products: string[] } {
  const crsids = new Set<string>();
  const departments = new Set<string>();
  const products = new Set<string>();
  for (const entry of entries) {
    if (!entry.actorLabel.startsWith('system: ')) crsids.add(entry.actorLabel);
    for (const [key, value] of [...Object.entries(entry.before ?? {}), ...Object.entries(entry.after ?? {})]) {
      const field = camelCase(key);
      const values = Array.isArray(value) ? value : [value];
      for (const each of values) {
        if (typeof each === 'string') {
          if (PERSON_KEYS.has(field)) crsids.add(each);
          else if (DEPARTMENT_KEYS.has(field)) departments.add(each);
          else if (PRODUCT_KEYS.has(field)) products.add(each);
        } else if (field === 'members' && typeof each === 'object' && each !== null) {
          const { crsid } = each as { crsid?: unknown };
          if (typeof crsid === 'string') crsids.add(crsid);
        }
      }
    }
  }
  return { crsids: [...crsids], departments: [...departments], products: [...products] };
}

/** "Ben Manager (bm202)" where the name is known, else the CRSid. */
function personName(crsid: string, names: AuditNames | undefined): string {
  const name = names?.people.get(crsid);
  return name ? personWords({ displayName: name, crsid }) : crsid;
}

/** "total_pence" → "totalPence". */
const camelCase = (key: string) => key.replace(/[_-]+([a-z0-9])/g, (_, letter: string) => letter.toUpperCase());

/**
 * A field's label inside a sentence: "size TB", "finance code". A key without a label reads as its
 * words, money without "pence" ("depositPence" → "deposit", "pencePerTbMonth" → "price per TB
 * month"), an id as a number ("orderId" → "order number").
 */
export function fieldLabel(key: string, audience: AuditAudience = 'staff'): string {
  const label = (audience === 'customer' ? CUSTOMER_LABELS[camelCase(key)] : undefined) ?? FIELD_LABELS[camelCase(key)];
  if (label) return label;
  let words = humanise(key);
  if (/\bpence\b/i.test(words)) {
    words = words.replace(/\s*\bpence\b\s*/i, ' ').trim();
    if (words === '' || /^per\b/i.test(words)) words = `price ${words}`.trim();
  }
  words = words.replace(/ ID$/, ' number');
  const first = words.split(' ')[0] ?? '';
  // Keep an acronym's capitals ("TB used", "CRSid"); lower-case an ordinary first word ("status").
  const acronym = first.length > 1 && first.slice(0, 2) === first.slice(0, 2).toUpperCase();
  return acronym ? words : words.charAt(0).toLowerCase() + words.slice(1);
}

/** A code's words from a table of them, if it is one of its codes. */
function wordsOf(table: Readonly<Record<string, string>>, value: string): string | undefined {
  return Object.hasOwn(table, value) ? table[value] : undefined;
}

const labels = (table: Readonly<Record<string, { label: string }>>): Record<string, string> =>
  Object.fromEntries(Object.entries(table).map(([code, words]) => [code, words.label]));
const LICENCE_STATUS_LABELS = labels(LICENCE_STATUS_WORDS);
const ORDER_STATUS_LABELS = labels(ORDER_STATUS_WORDS);
const PROJECT_STATUS_LABELS = labels(STORAGE_PROJECT_STATUS_WORDS);

/**
 * The words of a code value, by its key (and, for a status, the kind of record), each from the
 * table its pages read: statuses, kinds of order, payment methods, finance-code checks,
 * provisioners, flags and project roles.
 */
function codeWords(entity: string, key: string, value: string, audience: AuditAudience): string | undefined {
  switch (camelCase(key)) {
    case 'status':
      if (entity === 'licence') return wordsOf(LICENCE_STATUS_LABELS, value);
      if (entity === 'order') return wordsOf(audience === 'staff' ? STAFF_STATUS_LABELS : ORDER_STATUS_LABELS, value);
      if (entity === 'storage-project') return wordsOf(PROJECT_STATUS_LABELS, value);
      return undefined;
    // A change order's entry names the licence as it was priced (licenceStatus).
    case 'licenceStatus':
      return wordsOf(LICENCE_STATUS_LABELS, value);
    case 'kind':
      return entity === 'order' ? wordsOf(ORDER_KIND_WORDS, value) : undefined;
    case 'changeKind':
      return wordsOf(ORDER_KIND_WORDS, value);
    // A storage project's people by their roles' names ("Project Data User"), as its page names them.
    case 'role':
      return wordsOf(PROJECT_ROLE_LABELS, value);
    case 'payment':
      return entity === 'order' ? wordsOf(PAYMENT_METHOD_NAMES, value) : undefined;
    case 'checkStatus':
      return wordsOf(PAYMENT_CHECK_WORDS, value);
    case 'provisioner':
      return wordsOf(PROVISIONER_NAMES, value);
    case 'flag':
      return wordsOf(FLAG_LABELS, value);
    default:
      return undefined;
  }
}

/**
 * A value in the words people read elsewhere on the site: statuses (in the words of the reader's
 * pages: `audience`), kinds of order, payment methods and other codes by their labels, calendar
 * dates in words, money in pounds, bytes and sizes in TB; with `names`, people, departments and
 * products by their names.
 */
export function valueWords(
  entity: string,
  key: string,
  value: unknown,
  audience: AuditAudience = 'customer',
  names?: AuditNames,
): string {
  if (value === null || value === undefined || value === '') return 'none';
  const field = camelCase(key);
  if (names && typeof value === 'string') {
    if (PERSON_KEYS.has(field)) return personName(value, names);
    if (DEPARTMENT_KEYS.has(field)) return names.departments.get(value) ?? value;
    if (PRODUCT_KEYS.has(field)) return names.products.get(value) ?? value;
  }
  if (names && PERSON_KEYS.has(field) && Array.isArray(value) && value.every((item) => typeof item === 'string')) {
    return value.length === 0 ? 'none' : value.map((crsid) => personName(crsid, names)).join(', ');
  }
  if (typeof value === 'string') {
    const words = codeWords(entity, key, value, audience);
    if (words) return words;
    const day = calendarDayWords(value);
    if (day) return day;
  }
  if (typeof value === 'number' && Number.isFinite(value)) {
    if (/pence/i.test(key) && Number.isSafeInteger(value)) return formatPence(value);
    if (/bytes$/i.test(key)) return `${(value / 1e12).toLocaleString('en-GB', { maximumFractionDigits: 2 })} TB`;
    if (key === 'percent') return `${value}%`;
    if (/Tb$/.test(field)) return sizeText(value);
  }
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  if (typeof value === 'string' || typeof value === 'number') return String(value);
  if (Array.isArray(value)) {
    if (value.length === 0) return 'none';
    return value
      .map((item) => (isPlain(item) ? String(item) : (personWithRole(item, names) ?? JSON.stringify(item))))
      .join(', ');
  }
  return JSON.stringify(value);
}

/** A calendar date (YYYY-MM-DD) as every page writes one, "31 July 2027"; undefined for anything else. */
function calendarDayWords(value: string): string | undefined {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return undefined;
  try {
    return formatDay(value);
  } catch {
    return undefined;
  }
}

/**
 * A project's member as a removed project's entry keeps them, `{crsid, role}`: "nc888 (Project Data
 * User)"; with their name, "Nadia Current (nc888) as Project Data User".
 */
function personWithRole(item: unknown, names?: AuditNames): string | undefined {
  if (typeof item !== 'object' || item === null) return undefined;
  const { crsid, role } = item as { crsid?: unknown; role?: unknown };
  if (typeof crsid !== 'string' || typeof role !== 'string' || !(role in PROJECT_ROLE_LABELS)) return undefined;
  const label = PROJECT_ROLE_LABELS[role as ProjectRole];
  return names?.people.has(crsid) ? `${personName(crsid, names)} as ${label}` : `${crsid} (${label})`;
}

function isPlain(value: unknown): value is string | number | boolean {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}

/**
 * What an audit entry changed, one line per field that differs: "status: Waiting to be set up →
 * Active" for a change, "reason: moving labs" for a value that appeared, "lock reason: audit →
 * none" for one that went. Fields whose value did not change are left out; the order is the
 * before's fields first, then any new ones. A customer is not shown the service's bookkeeping
 * (CUSTOMER_HIDDEN); `names` names the people, departments and products (auditNames).
 */
export function describeChanges(
  before: Record<string, unknown> | null | undefined,
  after: Record<string, unknown> | null | undefined,
  entity = '',
  audience: AuditAudience = 'customer',
  names?: AuditNames,
): string[] {
  const old = before ?? {};
  const now = after ?? {};
  const keys = [...new Set([...Object.keys(old), ...Object.keys(now)])];
  return keys
    .filter((key) => !same(old[key], now[key]))
    .filter((key) => audience !== 'customer' || !CUSTOMER_HIDDEN.has(camelCase(key)))
    .map((key) => {
      const label = fieldLabel(key, audience);
      const to = valueWords(entity, key, now[key], audience, names);
      return key in old ? `${label}: ${valueWords(entity, key, old[key], audience, names)} → ${to}` : `${label}: ${to}`;
    });
}

/** Who acted: a person by CRSid (with their name when known), or the system job that did it. */
export function actorWords(label: string, name?: string | null): string {
  if (label.startsWith('system: ')) return `Automatic (${label.slice('system: '.length)})`;
  return name ? `${name} (${label})` : label;
}
