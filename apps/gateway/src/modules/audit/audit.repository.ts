import type { Executor } from '../../platform/db/database.ts';
import type { AuditEntity } from './audit.tables.ts';

/** Who did something: a signed-in person, or the system (a job) named by what it is. */
export type Actor = { personId: number; label: string } | { personId: null; label: string };

export function personActor(person: { id: number; crsid: string }): Actor {
  return { personId: person.id, label: person.crsid };
}

export function systemActor(what: string): Actor {
  return { personId: null, label: `system: ${what}` };
}

export interface AuditEntry {
  actor: Actor;
  entityType: AuditEntity;
  entityId: string | number;
  action: string;
  before?: Record<string, unknown> | null;
  after?: Record<string, unknown> | null;
  /** The licence this change belongs to, so its owner sees it on the licence's page. */
  licenceId?: number | null;
}

/** Writes one audit row. Pass the transaction that makes the change, so both commit or neither does. */
export async function recordAudit(tx: Executor, entry: AuditEntry): Promise<void> {
  await tx
    .insertInto('audit_events')
    .values({
      actor_person_id: entry.actor.personId,
      actor_label: entry.actor.label,
      entity_type: entry.entityType,
      entity_id: String(entry.entityId),
      action: entry.action,
      before: entry.before ? JSON.stringify(entry.before) : null,
      after: entry.after ? JSON.stringify(entry.after) : null,
      licence_id: entry.licenceId ?? null,
    })
    .execute();
}

export interface AuditEvent {
  occurredAt: Date;
  actorLabel: string;
  action: string;
  entityType: AuditEntity;
  entityId: string;
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
}

/** The trail of one licence (its orders, payments and projects included), oldest first. */
export async function listLicenceAudit(db: Executor, licenceId: number): Promise<AuditEvent[]> {
  const rows = await db
    .selectFrom('audit_events')
    .select(['occurred_at', 'actor_label', 'action', 'entity_type', 'entity_id', 'before', 'after'])
    .where('licence_id', '=', licenceId)
    .orderBy('id')
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
