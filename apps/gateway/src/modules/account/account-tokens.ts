import { sql } from 'kysely';
import type { Clock } from '../../platform/clock.ts';
import type { Executor } from '../../platform/db/database.ts';
import { expiryDate, type TokenLifetime } from '../../platform/identity/access-token-rules.ts';
import {
  type AccessTokenSummary,
  type CreatedAccessToken,
  createAccessToken,
  listAccessTokens,
} from '../../platform/identity/access-tokens.ts';
import { isJustNow } from '../licences/pressed-twice.ts';
import type { PersonWithRoles } from '../people/people.repository.ts';

/**
 * A token made from the /account/ form, once: the form sent twice (a double click, the browser
 * sending it again) makes one token, not two with the same name. A request that asks for a token
 * with the name and lifetime of one the person made a moment ago (pressed-twice.ts) gets that one
 * back, as `again`, instead of a new one; its value was shown once, to the first request, and is
 * not kept. A person's token requests take turns (a lock of theirs for the transaction), so two
 * sent at once cannot both find none.
 */
export async function createTokenOnce(
  db: Executor,
  clock: Clock,
  person: PersonWithRoles,
  input: { name: string; lifetime: TokenLifetime },
): Promise<{ created: CreatedAccessToken } | { again: AccessTokenSummary }> {
  return db.transaction().execute(async (tx) => {
    await sql`SELECT pg_advisory_xact_lock(hashtext('personal-access-tokens'), ${person.id}::int)`.execute(tx);
    // created_at is the database's clock: "a moment ago" by that clock too.
    const { rows } = await sql<{ now: Date }>`SELECT now() AS now`.execute(tx);
    const now = rows[0]?.now ?? new Date();
    const expiresOn = expiryDate(clock.today(), input.lifetime);
    const again = (await listAccessTokens(tx, clock, person.id)).find(
      (token) =>
        token.status === 'active' &&
        token.name === input.name &&
        token.expiresOn === expiresOn &&
        isJustNow(token.createdAt, now),
    );
    if (again) return { again };
    return { created: await createAccessToken(tx, clock, person, input) };
  });
}
