import { sql } from 'kysely';
import type { Executor } from '../../platform/db/database.ts';
import type { ServiceCode } from '../people/people.tables.ts';
import type { AuditEvent } from './audit.repository.ts';
import type { AuditEntity } from './audit.tables.ts';
import { type AuditScope, PEOPLE_ENTITIES, SERVICES_ENTITIES } from './audit-access.ts';

export interface AuditSearch {
  entityType?: string;
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
 * Audit entries matching a search that the staff member may read, newest first. Paged by offset
 * with one row more than the page, so no count of a large table is needed. Each filter has an
 * index: (entity_type, entity_id, id), (actor_label, id), (occurred_at, id); with none, the
 * primary key is walked backwards.
 */
export async function searchAudit(
  db: Executor,
  search: AuditSearch,
  scope: AuditScope,
  page: { limit: number; offset: number },
): Promise<AuditPage> {
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
    )
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
    ]);
  if (search.entityType) query = query.where('a.entity_type', '=', search.entityType as AuditEntity);
  const entityId = search.entityId;
  if (entityId && search.entityType === 'voucher') {
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
  const rows = await query
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
