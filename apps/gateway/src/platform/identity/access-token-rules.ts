import { createHash, randomBytes } from 'node:crypto';
import type { Temporal } from 'temporal-polyfill';

/**
 * Personal access tokens: `ssgw_` and 32 random bytes in base64url. Only a SHA-256 of the token
 * is stored, with its last characters as a hint, so a leaked database gives nobody a token.
 */
export const TOKEN_PREFIX = 'ssgw_';
const TOKEN_BYTES = 32;
/** 32 bytes are 43 base64url characters without padding. */
const TOKEN_PATTERN = /^ssgw_[A-Za-z0-9_-]{43}$/;

/** The lifetimes a person may choose, in days. */
export const TOKEN_LIFETIMES = [30, 90, 365] as const;
export type TokenLifetime = (typeof TOKEN_LIFETIMES)[number];

/** Last-used times are written at most this often, so a busy script is not a write per request. */
export const LAST_USED_RESOLUTION_MS = 60_000;

export function generateToken(random: (size: number) => Buffer = randomBytes): string {
  return TOKEN_PREFIX + random(TOKEN_BYTES).toString('base64url');
}

/** Whether a string could be one of our tokens at all: anything else is refused without a lookup. */
export function looksLikeToken(value: string): boolean {
  return TOKEN_PATTERN.test(value);
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** What the token list shows, so a person can tell which token a script uses. */
export function tokenHint(token: string): string {
  return token.slice(-4);
}

/** The last day a token works: created today, it works for `lifetime` more days. */
export function expiryDate(today: Temporal.PlainDate, lifetime: TokenLifetime): string {
  return today.add({ days: lifetime }).toString();
}

export type TokenStatus = 'active' | 'expired' | 'revoked';

/** A token works through its expiry day and stops the day after; a revoked one never works again. */
export function tokenStatus(token: { expiresOn: string; revokedAt: Date | null }, today: string): TokenStatus {
  if (token.revokedAt) return 'revoked';
  return token.expiresOn < today ? 'expired' : 'active';
}

/** Whether this use should be written down: never used, or last written a minute or more ago. */
export function shouldRecordUse(lastUsedAt: Date | null, now: Date): boolean {
  return lastUsedAt === null || now.getTime() - lastUsedAt.getTime() >= LAST_USED_RESOLUTION_MS;
}

/** The token from an `Authorization: Bearer …` header, or undefined when there is none. */
export function bearerToken(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const match = /^Bearer(?:[ \t]+(.*))?$/i.exec(header);
  return match ? (match[1] ?? '').trim() : undefined;
}
