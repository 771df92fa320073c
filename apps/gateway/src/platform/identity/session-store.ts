import type { SessionStore } from '@fastify/session';
import type { Session } from 'fastify';
import type { Executor } from '../db/database.ts';

/** Sessions kept in PostgreSQL: staff can end them, and every replica sees the same ones. */
export function databaseSessionStore(db: Executor, idleMinutes: number): SessionStore {
  return {
    set(id, session, callback) {
      const expires = new Date(Date.now() + idleMinutes * 60_000);
      const { cookie: _cookie, ...data } = session as Session & { cookie?: unknown };
      const personId = (session as Session).personId ?? null;
      db.insertInto('sessions')
        .values({ id, data: JSON.stringify(data), expires_at: expires, person_id: personId })
        .onConflict((oc) =>
          oc.column('id').doUpdateSet({ data: JSON.stringify(data), expires_at: expires, person_id: personId }),
        )
        .execute()
        .then(() => callback(), callback);
    },
    get(id, callback) {
      db.selectFrom('sessions')
        .select('data')
        .where('id', '=', id)
        .where('expires_at', '>', new Date())
        .executeTakeFirst()
        .then((row) => callback(null, (row?.data ?? null) as unknown as Session), callback);
    },
    destroy(id, callback) {
      db.deleteFrom('sessions')
        .where('id', '=', id)
        .execute()
        .then(() => callback(), callback);
    },
  };
}

/** Removes sessions past their idle timeout; run by a schedule. */
export async function deleteExpiredSessions(db: Executor, now: Date): Promise<number> {
  const result = await db.deleteFrom('sessions').where('expires_at', '<=', now).executeTakeFirst();
  return Number(result.numDeletedRows);
}
