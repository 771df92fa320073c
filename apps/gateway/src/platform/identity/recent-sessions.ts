import type { PersonWithRoles } from '../../modules/people/people.repository.ts';
import type { DataChanges } from '../db/data-changes.ts';

/** How long a web process may answer a page's session from memory before reading it again. */
export const RECENT_SESSION_MS = 2_000;
const MAX_SESSIONS = 10_000;

/** What the session's statement read besides the session: its person and the page data version. */
export interface LoadedWithSession {
  /** The session's signed-in person, if still current; undefined when nobody is signed in or they have left. */
  person: PersonWithRoles | undefined;
  /** page_data_version.version when the session was read (platform/web/page-cache.ts). */
  pageDataVersion: string;
}

export interface RecentSession {
  /** The session's data as JSON, parsed afresh for each request so none can change another's. */
  data: string;
  expiresMs: number;
  loaded: LoadedWithSession;
}

interface Kept extends RecentSession {
  readAtMs: number;
  stamp: string;
}

/** A page request's claim on its session: from memory (hit), or to be kept once read. */
export interface SessionTicket {
  stamp: string;
  hit?: RecentSession;
  generation: number;
}

/**
 * Sessions a web process read in the last RECENT_SESSION_MS, so that reloading a page needs no
 * database round trip. Only GET and HEAD requests use them (a form's POST always reads its session
 * and person afresh), and only while the process hears every change (DataChanges.live):
 * - any commit that moved the page data version (a person left, a role changed, a licence
 *   changed), and any ended session, makes the process forget them all;
 * - the browser that changed its own session (signed in, sent a form, got a flash message) is
 *   given a new change stamp cookie (identity.plugin.ts), and a session is answered from memory
 *   only to a request with the stamp it was read with: that browser's next page reads it afresh,
 *   in whichever web process, even before the notification arrives.
 */
export class RecentSessions {
  readonly #kept = new Map<string, Kept>();
  readonly #tickets = new Map<string, SessionTicket>();
  // Moves on every change: a read that started before a change must not be kept after it.
  #generation = 0;

  constructor(
    private readonly changes: DataChanges | undefined,
    private readonly now: () => number,
    private readonly ttlMs = RECENT_SESSION_MS,
  ) {
    changes?.subscribe(() => this.forgetAll());
  }

  /** A page request with this session id and change stamp is about to read its session. */
  expect(id: string, stamp: string): void {
    const kept = this.#kept.get(id);
    const now = this.now();
    const fresh =
      kept && this.changes?.live && kept.stamp === stamp && now - kept.readAtMs < this.ttlMs && kept.expiresMs > now;
    bounded(this.#tickets).set(id, { stamp, hit: fresh ? kept : undefined, generation: this.#generation });
  }

  /** The ticket expect() gave this session id, once. */
  take(id: string): SessionTicket | undefined {
    const ticket = this.#tickets.get(id);
    this.#tickets.delete(id);
    return ticket;
  }

  /** Keeps what a ticketed request read, unless something changed since its ticket was given. */
  keep(id: string, ticket: SessionTicket | undefined, session: RecentSession): void {
    if (!ticket || !this.changes?.live || ticket.generation !== this.#generation) return;
    this.#kept.delete(id);
    bounded(this.#kept).set(id, { ...session, readAtMs: this.now(), stamp: ticket.stamp });
  }

  forget(id: string): void {
    this.#generation++;
    this.#kept.delete(id);
  }

  forgetAll(): void {
    this.#generation++;
    this.#kept.clear();
  }
}

/** The map, with its oldest entry dropped when full. */
export function bounded<V>(map: Map<string, V>): Map<string, V> {
  if (map.size >= MAX_SESSIONS) map.delete(map.keys().next().value as string);
  return map;
}
