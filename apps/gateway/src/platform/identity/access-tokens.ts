import { personActor, recordAudit } from '../../modules/audit/audit.repository.ts';
import { findPersonWithRoles, type PersonWithRoles } from '../../modules/people/people.repository.ts';
import type { Clock } from '../clock.ts';
import type { Executor } from '../db/database.ts';
import { AppError } from '../web/errors.ts';
import {
  expiryDate,
  generateToken,
  hashToken,
  LAST_USED_RESOLUTION_MS,
  looksLikeToken,
  shouldRecordUse,
  type TokenLifetime,
  type TokenStatus,
  tokenHint,
  tokenStatus,
} from './access-token-rules.ts';

/** How many working tokens one person may hold at once: enough for every script, few enough to keep track of. */
export const MAX_ACTIVE_TOKENS = 20;

export interface AccessTokenSummary {
  id: number;
  name: string;
  hint: string;
  createdAt: Date;
  expiresOn: string;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
  status: TokenStatus;
}

export interface CreatedAccessToken {
  /** The token itself: shown to its owner once, never stored, never logged. */
  token: string;
  summary: AccessTokenSummary;
}

type Owner = Pick<PersonWithRoles, 'id' | 'crsid'>;

const summaryColumns = [
  'id',
  'name',
  'token_hint',
  'created_at',
  'expires_on',
  'last_used_at',
  'revoked_at',
] as const satisfies ReadonlyArray<string>;

interface SummaryRow {
  id: number;
  name: string;
  token_hint: string;
  created_at: Date;
  expires_on: string;
  last_used_at: Date | null;
  revoked_at: Date | null;
}

function toSummary(row: SummaryRow, today: string): AccessTokenSummary {
  return {
    id: row.id,
    name: row.name,
    hint: row.token_hint,
    createdAt: row.created_at,
    expiresOn: row.expires_on,
    lastUsedAt: row.last_used_at,
    revokedAt: row.revoked_at,
    status: tokenStatus({ expiresOn: row.expires_on, revokedAt: row.revoked_at }, today),
  };
}

/** A person's tokens, newest first, with whether each still works today. */
export async function listAccessTokens(db: Executor, clock: Clock, personId: number): Promise<AccessTokenSummary[]> {
  const today = clock.today().toString();
  const rows = await db
    .selectFrom('personal_access_tokens')
    .select(summaryColumns)
    .where('person_id', '=', personId)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .execute();
  return rows.map((row) => toSummary(row, today));
}

/**
 * Makes a token for the signed-in person. The token is returned once; only its hash and hint are
 * kept. A person with too many working tokens must revoke one first.
 */
export async function createAccessToken(
  db: Executor,
  clock: Clock,
  owner: Owner,
  input: { name: string; lifetime: TokenLifetime },
): Promise<CreatedAccessToken> {
  if (!db.isTransaction) return db.transaction().execute((tx) => createAccessToken(tx, clock, owner, input));
  const today = clock.today();
  const active = await db
    .selectFrom('personal_access_tokens')
    .select(({ fn }) => fn.countAll<number>().as('count'))
    .where('person_id', '=', owner.id)
    .where('revoked_at', 'is', null)
    .where('expires_on', '>=', today.toString())
    .executeTakeFirstOrThrow();
  if (Number(active.count) >= MAX_ACTIVE_TOKENS) {
    throw new AppError(
      'unprocessable',
      `You already have ${MAX_ACTIVE_TOKENS} working tokens. Revoke one you no longer use, then create a new one.`,
    );
  }
  const token = generateToken();
  const row = await db
    .insertInto('personal_access_tokens')
    .values({
      person_id: owner.id,
      name: input.name,
      token_hash: hashToken(token),
      token_hint: tokenHint(token),
      expires_on: expiryDate(today, input.lifetime),
    })
    .returning(summaryColumns)
    .executeTakeFirstOrThrow();
  await recordAudit(db, {
    actor: personActor(owner),
    entityType: 'personal-access-token',
    entityId: row.id,
    action: 'create',
    after: { name: row.name, hint: row.token_hint, expiresOn: row.expires_on },
  });
  return { token, summary: toSummary(row, today.toString()) };
}

/**
 * Revokes one of the owner's tokens at once. Someone else's token, or one that does not exist,
 * is not found: the answer never tells whether another person's token id exists.
 */
export async function revokeAccessToken(
  db: Executor,
  clock: Clock,
  owner: Owner,
  tokenId: number,
): Promise<AccessTokenSummary> {
  if (!db.isTransaction) return db.transaction().execute((tx) => revokeAccessToken(tx, clock, owner, tokenId));
  const today = clock.today().toString();
  const revoked = await db
    .updateTable('personal_access_tokens')
    .set({ revoked_at: clock.now() })
    .where('id', '=', tokenId)
    .where('person_id', '=', owner.id)
    .where('revoked_at', 'is', null)
    .returning(summaryColumns)
    .executeTakeFirst();
  if (revoked) {
    await recordAudit(db, {
      actor: personActor(owner),
      entityType: 'personal-access-token',
      entityId: revoked.id,
      action: 'revoke',
      after: { name: revoked.name, hint: revoked.token_hint },
    });
    return toSummary(revoked, today);
  }
  // Already revoked (a second click): the same answer, nothing written twice.
  const existing = await db
    .selectFrom('personal_access_tokens')
    .select(summaryColumns)
    .where('id', '=', tokenId)
    .where('person_id', '=', owner.id)
    .executeTakeFirst();
  if (!existing) throw new AppError('not-found', 'There is no such token among yours.');
  return toSummary(existing, today);
}

/** Why a presented token does not work, in words for whoever runs the script that sent it. */
export interface TokenRefusal {
  refused: string;
}

export const UNKNOWN_TOKEN_MESSAGE = 'The access token is not valid; create a new one at /account/.';

/**
 * The person a presented token acts for, or why it does not work: it is not a token of ours, is
 * revoked, has expired, or belongs to someone who is no longer current (told apart only to whoever
 * holds the token itself). Its last use is written at most once a minute.
 */
export async function authenticateAccessToken(
  db: Executor,
  clock: Clock,
  token: string,
): Promise<PersonWithRoles | TokenRefusal> {
  if (!looksLikeToken(token)) return { refused: UNKNOWN_TOKEN_MESSAGE };
  const row = await db
    .selectFrom('personal_access_tokens')
    .select(['id', 'person_id', 'expires_on', 'revoked_at', 'last_used_at'])
    .where('token_hash', '=', hashToken(token))
    .executeTakeFirst();
  if (!row) return { refused: UNKNOWN_TOKEN_MESSAGE };
  const today = clock.today().toString();
  const status = tokenStatus({ expiresOn: row.expires_on, revokedAt: row.revoked_at }, today);
  if (status === 'revoked') return { refused: 'The access token has been revoked; create a new one at /account/.' };
  if (status === 'expired') {
    return {
      refused: `The access token has expired (${row.expires_on} was its last day); create a new one at /account/.`,
    };
  }
  const person = await findPersonWithRoles(db, row.person_id);
  if (!person) {
    return {
      refused:
        'The access token belongs to someone who has left the University, so it no longer works: use a token of someone current.',
    };
  }
  const now = clock.now();
  if (shouldRecordUse(row.last_used_at, now)) {
    await db
      .updateTable('personal_access_tokens')
      .set({ last_used_at: now })
      .where('id', '=', row.id)
      .where((eb) =>
        eb.or([
          eb('last_used_at', 'is', null),
          eb('last_used_at', '<=', new Date(now.getTime() - LAST_USED_RESOLUTION_MS)),
        ]),
      )
      .execute();
  }
  return person;
}
