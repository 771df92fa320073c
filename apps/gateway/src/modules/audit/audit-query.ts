import { Temporal } from 'temporal-polyfill';
import { parseDay } from '../../platform/calendar-day.ts';
import { UNIVERSITY_TIME_ZONE } from '../../platform/clock.ts';
import type { FieldErrors } from '../../platform/web/components.tsx';
import type { AuditEntity } from './audit.tables.ts';
import type { AuditSearch } from './audit-search.repository.ts';
import { ENTITY_WORDS } from './audit-words.ts';

/** What the audit search form sends (GET query), as text. */
export interface AuditQueryValues {
  entityType: string;
  entityId: string;
  actor: string;
  from: string;
  to: string;
}

export type ParsedAuditQuery =
  | { ok: true; search: AuditSearch; values: AuditQueryValues }
  | { ok: false; errors: FieldErrors; values: AuditQueryValues };

const REFERENCE_PREFIX: Record<string, string> = { order: 'ORD', payment: 'ORD', quote: 'Q' };

/**
 * The kinds of record an id's reference prefix names, for an id searched without its kind:
 * "ORD-000012" (or "ord-12", "ord12") an order and its payment, "Q-7" a quote; none for an id
 * without a known prefix (a licence's number, a voucher's code).
 */
export function kindsOfReference(entityId: string): AuditEntity[] {
  const prefix = entityId.match(/^([a-z]+)-?\d{1,12}$/i)?.[1]?.toUpperCase();
  if (!prefix) return [];
  return Object.entries(REFERENCE_PREFIX)
    .filter(([, each]) => each === prefix)
    .map(([kind]) => kind as AuditEntity);
}

function text(query: Record<string, unknown>, key: string): string {
  const value = query[key];
  return typeof value === 'string' ? value.trim() : '';
}

/** "12", "ord-12" or "ORD-000012" → "ORD-000012" for orders and payments (both are named by the order). */
export function normaliseEntityId(entityType: string, entityId: string): string {
  // A voucher is found by its code (kept in capitals) or its number.
  if (entityType === 'voucher') return entityId.toUpperCase();
  const prefix = REFERENCE_PREFIX[entityType];
  if (!prefix) return entityId;
  const match = entityId.match(new RegExp(`^(?:${prefix}-?)?(\\d{1,12})$`, 'i'));
  return match?.[1] ? `${prefix}-${match[1].padStart(6, '0')}` : entityId.toUpperCase();
}

/** The first instant of a calendar day in the University's time zone (midnight in London, BST or not). */
export function startOfLondonDay(date: Temporal.PlainDate): Date {
  return new Date(date.toZonedDateTime({ timeZone: UNIVERSITY_TIME_ZONE }).epochMilliseconds);
}

/** The last day whose next day PostgreSQL can be sent as a moment: a year of five digits cannot. */
const LAST_DAY_ENDED = Temporal.PlainDate.from('9999-12-30');

/**
 * The instant a range of days ending on `date` (included) ends: the next day's first instant in
 * London. A range to 31 December 9999 (a form's "no end") ends with 30 December 9999: nothing in
 * the service happens after it, and the year 10000 is no moment PostgreSQL takes.
 */
export function endOfLondonDay(date: Temporal.PlainDate): Date {
  const last = Temporal.PlainDate.compare(date, LAST_DAY_ENDED) > 0 ? LAST_DAY_ENDED : date;
  return startOfLondonDay(last.add({ days: 1 }));
}

/**
 * The audit search form: a kind of record and its id (an id needs its kind, unless its reference's
 * prefix says it: kindsOfReference), who acted (a CRSid), and a range of days in London time, both
 * days included.
 */
export function parseAuditQuery(query: Record<string, unknown>): ParsedAuditQuery {
  const values: AuditQueryValues = {
    entityType: text(query, 'entityType'),
    entityId: text(query, 'entityId'),
    actor: text(query, 'actor'),
    from: text(query, 'from'),
    to: text(query, 'to'),
  };
  const errors: FieldErrors = {};
  // An id searched without its kind: its reference's prefix may say (an order's, a quote's).
  const kinds = values.entityType
    ? [values.entityType as AuditEntity]
    : values.entityId
      ? kindsOfReference(values.entityId)
      : [];
  if (values.entityType && !(values.entityType in ENTITY_WORDS)) {
    errors.entityType = 'Choose a kind of record from the list';
  } else if (values.entityId && kinds.length === 0) {
    errors.entityType = `Choose what kind of record ${values.entityId} is`;
  }
  if (values.entityId.length > 100) errors.entityId = 'A record’s id is 100 characters or fewer';
  if (values.actor.length > 100) errors.actor = 'A CRSid is 100 characters or fewer';
  const from = values.from ? parseDay(values.from) : undefined;
  const to = values.to ? parseDay(values.to) : undefined;
  if (values.from && !from) errors.from = 'Enter the first day as a date, for example 2026-11-01';
  if (values.to && !to) errors.to = 'Enter the last day as a date, for example 2026-11-30';
  if (from && to && Temporal.PlainDate.compare(from, to) > 0) {
    errors.to = 'The last day must be the same as or after the first day';
  }
  if (Object.keys(errors).length > 0) return { ok: false, errors, values };
  const entityId = values.entityId ? normaliseEntityId(kinds[0] ?? '', values.entityId) : undefined;
  return {
    ok: true,
    values: { ...values, entityId: entityId ?? '' },
    search: {
      entityTypes: kinds.length > 0 ? kinds : undefined,
      entityId,
      actor: values.actor ? values.actor.toLowerCase() : undefined,
      from: from ? startOfLondonDay(from) : undefined,
      until: to ? endOfLondonDay(to) : undefined,
    },
  };
}

/** The query string of a search (its non-empty fields) with a page number, for the pages' links. */
export function auditSearchHref(values: AuditQueryValues, page: number): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(values)) if (value) params.set(key, value);
  if (page > 1) params.set('page', String(page));
  const query = params.toString();
  return query ? `/admin/audit/?${query}` : '/admin/audit/';
}
