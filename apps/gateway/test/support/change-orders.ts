import type { InjectOptions } from 'fastify';
import { type Clock, fixedClock } from '../../src/platform/clock.ts';
import type { Executor } from '../../src/platform/db/database.ts';
import { createAccessToken } from '../../src/platform/identity/access-tokens.ts';
import { insertStorage, type StorageFixtureOptions } from './storage-fixtures.ts';
import { TEST_TODAY, type TestApp } from './test-app.ts';

/**
 * What the tests of changing a licence share (change orders and their quotes): a clock they move,
 * the licence they change, the change pages' addresses and JSON API calls as a person.
 */

/**
 * A clock that starts on TEST_TODAY; `at(day)` moves it to 10:00 UTC that day, `advanceDays(n)`
 * on by whole days from where it is, `reset()` back to TEST_TODAY.
 */
export function movableClock(): {
  clock: Clock;
  at: (day: string) => void;
  advanceDays: (days: number) => void;
  reset: () => void;
} {
  let now = new Date(TEST_TODAY);
  return {
    clock: { now: () => new Date(now), today: () => fixedClock(now).today() },
    at: (day) => {
      now = new Date(`${day}T10:00:00Z`);
    },
    advanceDays: (days) => {
      now = new Date(now.getTime() + days * 24 * 60 * 60 * 1000);
    },
    reset: () => {
      now = new Date(TEST_TODAY);
    },
  };
}

/**
 * An RDS licence of Alice's (Ben a Data Manager, Chloe a member of its one project), 5 TB,
 * bought on 1 August 2026 for a year, its order done; `options` change any of it.
 */
export async function changeableLicence(
  db: Executor,
  names: { licence: string; project: string },
  options: Partial<StorageFixtureOptions> = {},
): Promise<number> {
  const { licenceId } = await insertStorage(db, {
    name: names.licence,
    owner: 'ar101',
    managers: ['bm202'],
    sizeTb: 5,
    status: 'active',
    startDate: '2026-08-01',
    endDate: '2027-07-31',
    projects: [{ name: names.project, status: 'active', members: [{ crsid: 'cb404', role: 'project-data-user' }] }],
    order: { status: 'completed' },
    ...options,
  });
  return licenceId;
}

/** A step of a change of a licence: /storage/licence/<id>/change/<kind>/<step>. */
export const changeStepPath = (id: number, kind: string, step = '') => `/storage/licence/${id}/change/${kind}/${step}`;

/** A JSON API call with a fresh access token of the person's, valid on the clock's day. */
export async function apiAs(
  t: TestApp,
  crsid: string,
  method: 'GET' | 'POST',
  url: string,
  payload?: InjectOptions['payload'],
) {
  const person = await t.database.db
    .selectFrom('people')
    .select(['id', 'crsid'])
    .where('crsid', '=', crsid)
    .executeTakeFirstOrThrow();
  const { token } = await createAccessToken(t.database.db, t.clock, person, { name: 'tests', lifetime: 30 });
  return t.app.inject({ method, url, headers: { authorization: `Bearer ${token}` }, payload });
}
