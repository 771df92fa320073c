import type { SessionStore } from '@fastify/session';
import type { Session } from 'fastify';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { DatabaseHandle } from '../../src/platform/db/database.ts';
import { databaseSessionStore } from '../../src/platform/identity/session-store.ts';
import { openTestDatabase } from '../support/test-database.ts';

const IDLE_MINUTES = 60;
const LIFETIME_MINUTES = 180;
const T0 = Date.parse('2026-11-27T10:00:00Z');

const set = (store: SessionStore, id: string, data: Record<string, unknown>) =>
  new Promise<void>((resolve, reject) =>
    store.set(id, { ...data, cookie: { maxAge: 1 } } as unknown as Session, (error) =>
      error ? reject(error) : resolve(),
    ),
  );
const get = (store: SessionStore, id: string) =>
  new Promise<Session | null>((resolve, reject) =>
    store.get(id, (error, session) => (error ? reject(error) : resolve(session ?? null))),
  );
const destroy = (store: SessionStore, id: string) =>
  new Promise<void>((resolve, reject) => store.destroy(id, (error) => (error ? reject(error) : resolve())));

describe('the database session store', () => {
  let database: DatabaseHandle;
  let clock = T0;
  let store: SessionStore;

  const stored = async (id: string) =>
    database.db
      .selectFrom('sessions')
      .select(['data', 'expires_at', 'started_at'])
      .where('id', '=', id)
      .executeTakeFirst();

  beforeAll(async () => {
    database = await openTestDatabase(inject('databaseTemplate'));
    store = databaseSessionStore(
      database.db,
      { idleMinutes: IDLE_MINUTES, lifetimeMinutes: LIFETIME_MINUTES },
      { now: () => clock, refreshMs: 60_000 },
    );
  });
  afterAll(async () => {
    await database?.close();
  });

  it('fails a session it cannot write with its own words, the database’s kept as the cause', async () => {
    // No such person: the sessions table's foreign key refuses it.
    const failed = await set(store, 's-nobody', { personId: 999_999 }).catch((error: Error) => error);
    expect(failed).toBeInstanceOf(Error);
    expect((failed as Error).message).toBe('The session could not be saved.');
    expect(String((failed as Error).cause)).toMatch(/foreign key|violates/);
    expect(await stored('s-nobody')).toBeUndefined();
  });

  it('does not write a session again when a request changed nothing, until its expiry is a minute old', async () => {
    clock = T0;
    await set(store, 's1', { personId: 7, csrf: 'a' });
    expect((await stored('s1'))?.expires_at.getTime()).toBe(T0 + IDLE_MINUTES * 60_000);

    // The next request 30 s later reads it and saves it unchanged (a rolling session): no write.
    clock = T0 + 30_000;
    expect(await get(store, 's1')).toMatchObject({ personId: 7, csrf: 'a' });
    await set(store, 's1', { csrf: 'a', personId: 7 });
    expect((await stored('s1'))?.expires_at.getTime()).toBe(T0 + IDLE_MINUTES * 60_000);

    // A minute after the stored expiry was written, the idle timeout moves on.
    clock = T0 + 61_000;
    await get(store, 's1');
    await set(store, 's1', { personId: 7, csrf: 'a' });
    expect((await stored('s1'))?.expires_at.getTime()).toBe(T0 + 61_000 + IDLE_MINUTES * 60_000);
  });

  it('writes a changed session at once, and forgets an ended one', async () => {
    clock = T0;
    await set(store, 's2', { personId: 7 });
    await get(store, 's2');
    clock = T0 + 1_000;
    await set(store, 's2', { personId: 8 });
    expect((await stored('s2'))?.data).toEqual({ personId: 8 });
    expect((await stored('s2'))?.expires_at.getTime()).toBe(T0 + 1_000 + IDLE_MINUTES * 60_000);

    await destroy(store, 's2');
    expect(await get(store, 's2')).toBeNull();
    // Saved again after being ended (sign-in again with the same id): written, not skipped.
    await set(store, 's2', { personId: 8 });
    expect((await stored('s2'))?.data).toEqual({ personId: 8 });
  });

  it('ends a session in constant use at its lifetime from when it began, whichever process wrote it last', async () => {
    clock = T0;
    await set(store, 's4', { personId: 7 });
    expect((await stored('s4'))?.started_at.getTime()).toBe(T0);
    // Used every 50 minutes: the idle timeout keeps moving on, but never past T0 + the lifetime.
    for (let minute = 50; minute < LIFETIME_MINUTES; minute += 50) {
      clock = T0 + minute * 60_000;
      expect(await get(store, 's4'), `at ${minute} minutes`).toMatchObject({ personId: 7 });
      await set(store, 's4', { personId: 7, seen: minute });
      const expiresAt = Math.min(clock + IDLE_MINUTES * 60_000, T0 + LIFETIME_MINUTES * 60_000);
      expect((await stored('s4'))?.expires_at.getTime()).toBe(expiresAt);
    }
    // Another process, which never read it, saves it: the database keeps the cap.
    const other = databaseSessionStore(
      database.db,
      { idleMinutes: IDLE_MINUTES, lifetimeMinutes: LIFETIME_MINUTES },
      { now: () => clock },
    );
    await set(other, 's4', { personId: 7, seen: 'other' });
    expect((await stored('s4'))?.expires_at.getTime()).toBe(T0 + LIFETIME_MINUTES * 60_000);
    expect((await stored('s4'))?.started_at.getTime()).toBe(T0);

    clock = T0 + LIFETIME_MINUTES * 60_000;
    expect(await get(store, 's4')).toBeNull();
  });

  it('answers no session once the idle timeout has passed', async () => {
    clock = T0;
    await set(store, 's3', { personId: 7 });
    clock = T0 + IDLE_MINUTES * 60_000 + 1;
    expect(await get(store, 's3')).toBeNull();
  });
});
