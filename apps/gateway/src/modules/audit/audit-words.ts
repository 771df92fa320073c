import { formatPence } from '../catalogue/money.ts';
import { PROJECT_ROLE_LABELS } from '../licences/licence-members.ts';
import {
  LICENCE_STATUS_WORDS,
  STORAGE_PROJECT_STATUS_WORDS,
  type StorageProjectStatus,
} from '../licences/licence-status.ts';
import type { LicenceStatus, ProjectRole } from '../licences/licences.tables.ts';
import { ORDER_KIND_WORDS, ORDER_STATUS_WORDS, type OrderKind, type OrderStatus } from '../orders/order-status.ts';
import { PAYMENT_METHOD_NAMES } from '../payments/payment-details.ts';
import type { PaymentMethod } from '../payments/payments.tables.ts';
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

/** A field's label inside a sentence: "size TB", "finance code". */
function fieldLabel(key: string): string {
  const words = humanise(key);
  const first = words.split(' ')[0] ?? '';
  // Keep an acronym's capitals ("TB used", "CRSid"); lower-case an ordinary first word ("status").
  const acronym = first.length > 1 && first.slice(0, 2) === first.slice(0, 2).toUpperCase();
  return acronym ? words : words.charAt(0).toLowerCase() + words.slice(1);
}

/**
 * A value in the words people read elsewhere on the site: statuses, kinds of order and payment
 * methods by their labels, calendar dates in words, money in pounds.
 */
export function valueWords(entity: string, key: string, value: unknown): string {
  if (value === null || value === undefined || value === '') return 'none';
  if (key === 'status' && typeof value === 'string') {
    if (entity === 'licence' && value in LICENCE_STATUS_WORDS) {
      return LICENCE_STATUS_WORDS[value as LicenceStatus].label;
    }
    if (entity === 'order' && value in ORDER_STATUS_WORDS) return ORDER_STATUS_WORDS[value as OrderStatus].label;
    if (entity === 'storage-project' && value in STORAGE_PROJECT_STATUS_WORDS) {
      return STORAGE_PROJECT_STATUS_WORDS[value as StorageProjectStatus].label;
    }
  }
  if (typeof value === 'string') {
    // A change order's entry names the licence as it was priced (licenceStatus), its kind and
    // its payment method: each in the words its pages use, not as codes.
    if (key === 'licenceStatus' && value in LICENCE_STATUS_WORDS)
      return LICENCE_STATUS_WORDS[value as LicenceStatus].label;
    if (entity === 'order' && key === 'kind' && value in ORDER_KIND_WORDS) return ORDER_KIND_WORDS[value as OrderKind];
    // A storage project's people by their roles' names ("Project Data User"), as its page names them.
    if (key === 'role' && value in PROJECT_ROLE_LABELS) return PROJECT_ROLE_LABELS[value as ProjectRole];
    if (entity === 'order' && key === 'payment' && value in PAYMENT_METHOD_NAMES) {
      return PAYMENT_METHOD_NAMES[value as PaymentMethod];
    }
    const day = calendarDayWords(value);
    if (day) return day;
  }
  if (/pence/i.test(key) && typeof value === 'number' && Number.isSafeInteger(value)) return formatPence(value);
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  if (typeof value === 'string' || typeof value === 'number') return String(value);
  if (Array.isArray(value)) {
    if (value.length === 0) return 'none';
    return value
      .map((item) => (isPlain(item) ? String(item) : (personWithRole(item) ?? JSON.stringify(item))))
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

/** A project's member as a removed project's entry keeps them, `{crsid, role}`: "nc888 (Project Data User)". */
function personWithRole(item: unknown): string | undefined {
  if (typeof item !== 'object' || item === null) return undefined;
  const { crsid, role } = item as { crsid?: unknown; role?: unknown };
  if (typeof crsid !== 'string' || typeof role !== 'string' || !(role in PROJECT_ROLE_LABELS)) return undefined;
  return `${crsid} (${PROJECT_ROLE_LABELS[role as ProjectRole]})`;
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
 * before's fields first, then any new ones.
 */
export function describeChanges(
  before: Record<string, unknown> | null | undefined,
  after: Record<string, unknown> | null | undefined,
  entity = '',
): string[] {
  const old = before ?? {};
  const now = after ?? {};
  const keys = [...new Set([...Object.keys(old), ...Object.keys(now)])];
  return keys
    .filter((key) => !same(old[key], now[key]))
    .map((key) => {
      const label = fieldLabel(key);
      const to = valueWords(entity, key, now[key]);
      return key in old ? `${label}: ${valueWords(entity, key, old[key])} → ${to}` : `${label}: ${to}`;
    });
}

/** Who acted: a person by CRSid (with their name when known), or the system job that did it. */
export function actorWords(label: string, name?: string | null): string {
  if (label.startsWith('system: ')) return `Automatic (${label.slice('system: '.length)})`;
  return name ? `${name} (${label})` : label;
}
