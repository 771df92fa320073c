import type { SessionStore } from '@fastify/session';
import type { Session } from 'fastify';
import { sql } from 'kysely';
import { LRUCache } from 'lru-cache';
import {
  PERSON_WITH_ROLES_COLUMNS,
  staffRolesJson,
  toPersonWithRoles,
} from '../../modules/people/people.repository.ts';
import type { DataChanges } from '../db/data-changes.ts';
import type { Executor } from '../db/database.ts';
import { preparedQuery } from '../db/prepared.ts';
import { isDatabaseUnreachable } from '../db/unreachable.ts';
import { AppError } from '../web/errors.ts';
import { bounded, type LoadedWithSession, RecentSessions } from './recent-sessions.ts';

/** How stale a session's expiry may get before a request that changed nothing writes it again. */
export const SESSION_REFRESH_MS = 60_000;
/** Sessions this process remembers having read or written (the most recently used). */
const REMEMBERED_SESSIONS = 10_000;

export type DatabaseSessionStore = SessionStore & {
  /**
   * What the last read of this session id also found, once: the identity plugin takes it for the
   * request that read the session, so a page needs one statement, not two, to know who is asking.
   * Undefined when another request of the same session took it first: then ask the database.
   */
  takeLoaded(id: string): LoadedWithSession | undefined;
  /** A GET or HEAD of this session, with the browser's change stamp, is about to read it (recent-sessions.ts). */
  expect(id: string, stamp: string): void;
  /** Whether a request changed this session's data since it was read: its browser then gets a new stamp. Once. */
  takeChanged(id: string): boolean;
};

export interface SessionStoreOptions {
  /** Now, in milliseconds: the injected clock's (identity.plugin.ts); the system's if not given. */
  now?: () => number;
  refreshMs?: number;
  /** Commits other processes made: without it, every request reads its session from the database. */
  changes?: DataChanges;
}

/** How long a session lasts: unused (the idle timeout), and at most however busy (from its sign-in). */
export interface SessionLimits {
  idleMinutes: number;
  lifetimeMinutes: number;
}

/**
 * Sessions kept in PostgreSQL: staff can end them, and every replica sees the same ones.
 *
 * Sessions roll (each request moves the idle timeout on), but a request that changed nothing in
 * the session does not write it again until its stored expiry is SESSION_REFRESH_MS old: without
 * that, every page view was an UPSERT of the same row, and concurrent requests of one person queued
 * on its lock (the benchmark's "My storage" page: 150 requests/s). The idle timeout is therefore
 * exact to within SESSION_REFRESH_MS.
 *
 * The expiry never rolls past the session's start plus its lifetime (started_at, written once): a
 * session in constant use on a shared computer still ends, and its person signs in again. An ended
 * session is simply not found, whichever limit ended it, so both are answered alike (a page asks
 * to sign in, a form says its sender was signed out: expired-form.ts).
 */
export function databaseSessionStore(
  db: Executor,
  limits: SessionLimits,
  options: SessionStoreOptions = {},
): DatabaseSessionStore {
  const now = options.now ?? Date.now;
  const refreshMs = options.refreshMs ?? SESSION_REFRESH_MS;
  const idleMs = limits.idleMinutes * 60_000;
  const lifetimeMs = limits.lifetimeMinutes * 60_000;
  // What this process last read or wrote for each session id: its data (as canonical JSON), expiry
  // and the end of its lifetime.
  const known = new LRUCache<string, { data: string; expiresMs: number; endsMs: number }>({ max: REMEMBERED_SESSIONS });
  // Sessions whose write failed in this request: the error page answering it would try to write
  // them again, fail again, and Fastify would then answer with its own raw JSON instead of the page.
  const notSaved = new WeakSet<object>();
  const remember = (id: string, data: string, row: { expires_at: Date | string; started_at: Date | string }) =>
    known.set(id, {
      data,
      expiresMs: new Date(row.expires_at).getTime(),
      endsMs: new Date(row.started_at).getTime() + lifetimeMs,
    });
  const recent = new RecentSessions(options.changes, now);
  // Taken within the same request (plain maps: these are set and deleted on every request; bounded
  // for requests that fail before taking theirs).
  const loaded = new Map<string, LoadedWithSession>();
  const changed = new Set<string>();
  return {
    takeLoaded(id) {
      const found = loaded.get(id);
      loaded.delete(id);
      return found;
    },
    expect: (id, stamp) => recent.expect(id, stamp),
    takeChanged: (id) => changed.delete(id),
    set(id, session, callback) {
      if (notSaved.has(session)) return callback();
      const nowMs = now();
      const { cookie: _cookie, ...data } = session as Session & { cookie?: unknown };
      const canonical = canonicalJson(data);
      const seen = known.get(id);
      // A new session ends at its lifetime at the latest; a known one at its own (the UPDATE below
      // caps it by started_at either way, for sessions this process does not know).
      const expiresMs = Math.min(nowMs + idleMs, seen ? seen.endsMs : nowMs + lifetimeMs);
      if (seen && seen.data === canonical && expiresMs - seen.expiresMs < refreshMs) return callback();
      if (seen?.data !== canonical) {
        changed.add(id);
        recent.forget(id);
      }
      const expires = new Date(expiresMs);
      const personId = (session as Session).personId ?? null;
      db.insertInto('sessions')
        .values({
          id,
          data: JSON.stringify(data),
          expires_at: expires,
          person_id: personId,
          started_at: new Date(nowMs),
        })
        .onConflict((oc) =>
          oc.column('id').doUpdateSet({
            data: JSON.stringify(data),
            expires_at: sql<Date>`least(excluded.expires_at, sessions.started_at + interval '1 minute' * ${sql.lit(limits.lifetimeMinutes)})`,
            person_id: personId,
          }),
        )
        .returning(['expires_at', 'started_at'])
        .executeTakeFirstOrThrow()
        .then(
          (row) => {
            remember(id, canonical, row);
            callback();
          },
          (error: unknown) => {
            notSaved.add(session);
            callback(sessionNotSaved(error));
          },
        );
    },
    get(id, callback) {
      const ticket = recent.take(id);
      if (ticket?.hit) {
        bounded(loaded).set(id, ticket.hit.loaded);
        return callback(null, JSON.parse(ticket.hit.data));
      }
      selectLiveSession(db, { id, now: new Date(now()) }).then(([row]) => {
        if (row) {
          const data = canonicalJson(row.data);
          const person = { person: toPersonWithRoles(row), pageDataVersion: row.page_data_version };
          remember(id, data, row);
          bounded(loaded).set(id, person);
          recent.keep(id, ticket, { data, expiresMs: new Date(row.expires_at).getTime(), loaded: person });
        } else {
          known.delete(id);
          loaded.delete(id);
        }
        callback(null, (row?.data ?? null) as unknown as Session);
      }, callback);
    },
    destroy(id, callback) {
      known.delete(id);
      loaded.delete(id);
      recent.forget(id);
      db.deleteFrom('sessions')
        .where('id', '=', id)
        .execute()
        .then(() => callback(), callback);
    },
  };
}

// Prepared: every request with a session cookie reads its session, and with it the signed-in
// person (if still current) and the page data version, in one round trip.
const selectLiveSession = preparedQuery((db, p: { id: string; now: Date }) =>
  db
    .selectFrom('sessions')
    .leftJoin('people', (join) =>
      join.onRef('people.id', '=', 'sessions.person_id').on('people.status', '=', 'current'),
    )
    .select([
      'sessions.data',
      'sessions.expires_at',
      'sessions.started_at',
      ...PERSON_WITH_ROLES_COLUMNS,
      staffRolesJson.as('staff_roles'),
      sql<string>`(SELECT version::text FROM page_data_version)`.as('page_data_version'),
    ])
    .where('sessions.id', '=', p.id)
    .where('sessions.expires_at', '>', p.now),
);

/** JSON with object keys sorted, so the same data compares equal whatever order jsonb gave its keys. */
function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, item: unknown) =>
    item && typeof item === 'object' && !Array.isArray(item)
      ? Object.fromEntries(Object.entries(item as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1)))
      : item,
  );
}

/** Removes sessions past their idle timeout or lifetime (both are expires_at); run by a schedule. */
export async function deleteExpiredSessions(db: Executor, now: Date): Promise<number> {
  const result = await db.deleteFrom('sessions').where('expires_at', '<=', now).executeTakeFirst();
  return Number(result.numDeletedRows);
}

/**
 * A session that could not be written fails the response after its page was made, with these
 * words, not the database's (which named tables and constraints); the database's error is its
 * cause, logged. A database that cannot be reached just now (down, failing over) is a 503 that
 * asks the visitor to try again shortly: nothing else they can do would help.
 */
function sessionNotSaved(error: unknown): Error {
  if (!isDatabaseUnreachable(error)) return new Error('The session could not be saved.', { cause: error });
  const unavailable = new AppError(
    'unavailable',
    'The service cannot reach its database just now. Please try again shortly.',
  );
  unavailable.cause = error;
  return unavailable;
}
