import type { SessionStore } from '@fastify/session';
import type { Session } from 'fastify';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { DatabaseHandle } from '../../src/platform/db/database.ts';
import { databaseSessionStore } from '../../src/platform/identity/session-store.ts';
import { openTestDatabase } from '../support/test-database.ts';

const IDLE_MINUTES = 60;
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
    database.db.selectFrom('sessions').select(['data', 'expires_at']).where('id', '=', id).executeTakeFirst();

  beforeAll(async () => {
    database = await openTestDatabase(inject('databaseTemplate'));
    store = databaseSessionStore(database.db, IDLE_MINUTES, { now: () => clock, refreshMs: 60_000 });
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

  it('answers no session once the idle timeout has passed', async () => {
    clock = T0;
    await set(store, 's3', { personId: 7 });
    clock = T0 + IDLE_MINUTES * 60_000 + 1;
    expect(await get(store, 's3')).toBeNull();
  });
});
