import { describe, expect, it } from 'vitest';
import type { DataChanges } from '../db/data-changes.ts';
import { RECENT_SESSION_MS, type RecentSession, RecentSessions } from './recent-sessions.ts';

function feed(): DataChanges & { change(): void; live: boolean } {
  const listeners: Array<() => void> = [];
  return {
    live: true,
    subscribe: (listener) => listeners.push(listener),
    change: () => {
      for (const listener of listeners) listener();
    },
    close: async () => {},
  };
}

const session: RecentSession = {
  data: '{"personId":7}',
  expiresMs: 10 * 60_000,
  loaded: { person: undefined, pageDataVersion: '3' },
};

function setUp() {
  const changes = feed();
  let now = 1_000;
  const recent = new RecentSessions(changes, () => now);
  /** A page request: its ticket, and whether it was answered from memory. */
  const read = (id: string, stamp: string) => {
    recent.expect(id, stamp);
    const ticket = recent.take(id);
    if (!ticket?.hit) recent.keep(id, ticket, session);
    return ticket?.hit !== undefined;
  };
  return { changes, recent, read, later: (ms: number) => (now += ms) };
}

describe('recent sessions', () => {
  it('answers a reload with the same stamp from memory, until RECENT_SESSION_MS have passed', () => {
    const { read, later } = setUp();
    expect(read('a', 's1')).toBe(false);
    expect(read('a', 's1')).toBe(true);
    later(RECENT_SESSION_MS - 1);
    expect(read('a', 's1')).toBe(true);
    later(RECENT_SESSION_MS);
    expect(read('a', 's1')).toBe(false);
  });

  it('reads afresh for a browser with a new stamp (it sent a form, or its session changed)', () => {
    const { read } = setUp();
    read('a', 's1');
    expect(read('a', 's2')).toBe(false);
    expect(read('a', 's2')).toBe(true);
    expect(read('a', 's1')).toBe(false);
  });

  it('forgets every session at any change, and one when it is written or ended here', () => {
    const { read, changes, recent } = setUp();
    read('a', 's');
    read('b', 's');
    changes.change();
    expect(read('a', 's')).toBe(false);
    expect(read('b', 's')).toBe(false);
    recent.forget('a');
    expect(read('a', 's')).toBe(false);
    expect(read('b', 's')).toBe(true);
  });

  it('does not keep a read that began before a change: it may hold what the change replaced', () => {
    const { recent, changes, read } = setUp();
    recent.expect('a', 's');
    const ticket = recent.take('a');
    changes.change();
    recent.keep('a', ticket, session);
    expect(read('a', 's')).toBe(false);
  });

  it('keeps nothing while the change feed is down, nor without one, nor for a request without a ticket', () => {
    const { read, changes, recent } = setUp();
    read('a', 's');
    changes.live = false;
    expect(read('a', 's')).toBe(false);
    changes.live = true;
    recent.keep('b', undefined, session);
    expect(read('b', 's')).toBe(false);

    const none = new RecentSessions(undefined, () => 0);
    none.expect('a', 's');
    none.keep('a', none.take('a'), session);
    none.expect('a', 's');
    expect(none.take('a')?.hit).toBeUndefined();
  });

  it('never answers an expired session from memory', () => {
    const { recent } = setUp();
    recent.expect('a', 's');
    recent.keep('a', recent.take('a'), { ...session, expiresMs: 1_500 });
    recent.expect('a', 's');
    expect(recent.take('a')?.hit).toBeDefined();
    const late = new RecentSessions(feed(), () => 1_600);
    late.expect('a', 's');
    late.keep('a', late.take('a'), { ...session, expiresMs: 1_500 });
    late.expect('a', 's');
    expect(late.take('a')?.hit).toBeUndefined();
  });
});
