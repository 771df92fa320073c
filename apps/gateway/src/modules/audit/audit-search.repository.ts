import { sql } from 'kysely';
import type { Executor } from '../../platform/db/database.ts';
import type { ServiceCode } from '../people/people.tables.ts';
import type { AuditEvent } from './audit.repository.ts';
import type { AuditEntity } from './audit.tables.ts';
import { type AuditScope, PEOPLE_ENTITIES, SERVICES_ENTITIES } from './audit-access.ts';

export interface AuditSearch {
  /** The kinds of record: the one chosen, or those an id's reference prefix names (an order's: order and payment). */
  entityTypes?: readonly AuditEntity[];
  entityId?: string;
  /** actor_label: a CRSid (lower case) or a system job's label. */
  actor?: string;
  /** Entries at or after this instant. */
  from?: Date;
  /** Entries before this instant. */
  until?: Date;
}

/** One entry as the back office lists it. */
export interface AuditListing extends AuditEvent {
  id: number;
  licenceId: number | null;
  /** The acting person's name, when a person acted. */
  actorName: string | null;
  /** The service the entry belongs to (through its licence, quote, voucher, product or price), if any. */
  service: ServiceCode | null;
}

export interface AuditPage {
  events: AuditListing[];
  /** Whether older entries follow this page. */
  hasMore: boolean;
}

/**
 * The audit entries matching a search that the staff member may read, with what the scope and the
 * listing need joined: each entry's acting person, and the service it belongs to (through its
 * licence, quote, voucher, product or price). Each filter has an index: (entity_type, entity_id,
 * id), (actor_label, id), (occurred_at, id); with none, the primary key is walked backwards.
 */
function matchingEntries(db: Executor, search: AuditSearch, scope: AuditScope) {
  let query = db
    .selectFrom('audit_events as a')
    .leftJoin('people as actor', 'actor.id', 'a.actor_person_id')
    .leftJoin('licences as l', 'l.id', 'a.licence_id')
    // Entries of no licence still belong to a service through their quote, voucher, product or price.
    .leftJoin('quotes as q', (join) =>
      join.onRef('q.reference', '=', 'a.entity_id').on('a.entity_type', '=', 'quote').on('a.licence_id', 'is', null),
    )
    // A voucher's entries may name it by id or by code.
    .leftJoin('vouchers as v', (join) =>
      join
        .on('a.entity_type', '=', 'voucher')
        .on('a.licence_id', 'is', null)
        .on(sql<boolean>`(v.code = a.entity_id OR v.id::text = a.entity_id)`),
    )
    .leftJoin('prices as pr', (join) =>
      join.on('a.entity_type', '=', 'price').on(sql<boolean>`pr.id::text = a.entity_id`),
    )
    .leftJoin('products as p', (join) =>
      join.on(
        sql<boolean>`p.code = coalesce(l.product_code, q.product_code, v.product_code, pr.product_code,
          CASE WHEN a.entity_type = 'product' THEN a.entity_id END)`,
      ),
    );
  const kinds = search.entityTypes;
  if (kinds && kinds.length > 0) query = query.where('a.entity_type', 'in', [...kinds]);
  const entityId = search.entityId;
  if (entityId && kinds?.includes('voucher')) {
    // Staff know a voucher by its code; its entries name it by id.
    query = query.where((eb) =>
      eb.or([
        eb('a.entity_id', '=', entityId),
        eb(
          'a.entity_id',
          'in',
          eb.selectFrom('vouchers').select(sql<string>`id::text`.as('id')).where('code', '=', entityId),
        ),
      ]),
    );
  } else if (entityId) query = query.where('a.entity_id', '=', entityId);
  if (search.actor) query = query.where('a.actor_label', '=', search.actor);
  if (search.from) query = query.where('a.occurred_at', '>=', search.from);
  if (search.until) query = query.where('a.occurred_at', '<', search.until);
  if (!scope.all) {
    const services = scope.services;
    query = query.where((eb) =>
      eb.or([
        eb('a.entity_type', 'in', PEOPLE_ENTITIES as AuditEntity[]),
        ...(services.length > 0
          ? [
              eb('p.service', 'in', services),
              // A usage import names the services whose projects it wrote (usage.service.ts), a
              // billing export those it billed (billing.service.ts).
              eb.and([
                eb('a.entity_type', 'in', SERVICES_ENTITIES as AuditEntity[]),
                sql<boolean>`(a.after -> 'services') ?| ${`{${services.join(',')}}`}::text[]`,
              ]),
            ]
          : []),
      ]),
    );
  }
  return query;
}

/**
 * Audit entries matching a search that the staff member may read, newest first. Paged by offset
 * with one row more than the page, so no count of a large table is needed (countAudit counts, for
 * a page past the last one).
 */
export async function searchAudit(
  db: Executor,
  search: AuditSearch,
  scope: AuditScope,
  page: { limit: number; offset: number },
): Promise<AuditPage> {
  const rows = await matchingEntries(db, search, scope)
    .select([
      'a.id',
      'a.occurred_at',
      'a.actor_label',
      'actor.display_name as actor_name',
      'a.action',
      'a.entity_type',
      'a.entity_id',
      'a.before',
      'a.after',
      'a.licence_id',
      'p.service',
    ])
    .orderBy('a.id', 'desc')
    .limit(page.limit + 1)
    .offset(page.offset)
    .execute();
  return {
    events: rows.slice(0, page.limit).map((row) => ({
      id: Number(row.id),
      occurredAt: row.occurred_at,
      actorLabel: row.actor_label,
      actorName: row.actor_name,
      action: row.action,
      entityType: row.entity_type,
      entityId: row.entity_id,
      before: row.before,
      after: row.after,
      licenceId: row.licence_id,
      service: row.service,
    })),
    hasMore: rows.length > page.limit,
  };
}

/**
 * How many entries match a search that the staff member may read: only for a page past the last
 * one (an old link, a narrower search), which then says how many pages there are.
 */
export async function countAudit(db: Executor, search: AuditSearch, scope: AuditScope): Promise<number> {
  const row = await matchingEntries(db, search, scope)
    .select((eb) => eb.fn.countAll<string>().as('count'))
    .executeTakeFirst();
  return Number(row?.count ?? 0);
}

/**
 * The trail of one record for its back-office page, newest first: an order's entries are
 * `['order', 'payment']` with its reference; a licence's are `['licence']` with its id (or use
 * listLicenceAudit for everything that touched it). At most `limit` entries (200 by default); the
 * audit search has the rest.
 */
export async function listRecordAudit(
  db: Executor,
  entityTypes: readonly AuditEntity[],
  entityId: string | number,
  limit = 200,
): Promise<AuditEvent[]> {
  if (entityTypes.length === 0) return [];
  const rows = await db
    .selectFrom('audit_events')
    .select(['occurred_at', 'actor_label', 'action', 'entity_type', 'entity_id', 'before', 'after'])
    .where('entity_type', 'in', [...entityTypes])
    .where('entity_id', '=', String(entityId))
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
  return rows.map((row) => ({
    occurredAt: row.occurred_at,
    actorLabel: row.actor_label,
    action: row.action,
    entityType: row.entity_type,
    entityId: row.entity_id,
    before: row.before,
    after: row.after,
  }));
}
