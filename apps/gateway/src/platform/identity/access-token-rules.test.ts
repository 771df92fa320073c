import fc from 'fast-check';
import { Temporal } from 'temporal-polyfill';
import { describe, expect, it } from 'vitest';
import {
  bearerToken,
  expiryDate,
  generateToken,
  hashToken,
  looksLikeToken,
  shouldRecordUse,
  tokenHint,
  tokenStatus,
} from './access-token-rules.ts';

describe('personal access tokens', () => {
  it('are ssgw_ and 32 random bytes in base64url, different every time', () => {
    const token = generateToken();
    expect(token).toMatch(/^ssgw_[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(token.slice(5), 'base64url')).toHaveLength(32);
    expect(generateToken()).not.toBe(token);
    expect(looksLikeToken(token)).toBe(true);
  });

  it('encode whatever bytes they are given, so any 32 bytes make a well-formed token', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), (bytes) => {
        const token = generateToken(() => Buffer.from(bytes));
        expect(looksLikeToken(token)).toBe(true);
        expect(Buffer.from(token.slice(5), 'base64url').equals(Buffer.from(bytes))).toBe(true);
      }),
    );
  });

  it('refuses strings that cannot be tokens before any lookup', () => {
    const token = generateToken();
    for (const bad of ['', 'ssgw_', token.slice(0, -1), `${token}x`, token.replace('ssgw_', 'ghp_'), `${token} `]) {
      expect(looksLikeToken(bad), bad).toBe(false);
    }
    expect(looksLikeToken(`ssgw_${'+'.repeat(43)}`)).toBe(false);
  });

  it('are stored as the SHA-256 hex of the token, with the last four characters as a hint', () => {
    expect(hashToken('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    const token = generateToken();
    expect(hashToken(token)).toMatch(/^[0-9a-f]{64}$/);
    expect(hashToken(token)).not.toContain(token.slice(5, 20));
    expect(tokenHint(token)).toBe(token.slice(-4));
    expect(tokenHint(token)).toHaveLength(4);
  });

  it('expire the chosen number of days after the day they were made', () => {
    const today = Temporal.PlainDate.from('2026-11-27');
    expect(expiryDate(today, 30)).toBe('2026-12-27');
    expect(expiryDate(today, 90)).toBe('2027-02-25');
    expect(expiryDate(today, 365)).toBe('2027-11-27');
    expect(expiryDate(Temporal.PlainDate.from('2027-03-01'), 365)).toBe('2028-02-29');
  });

  it('work through their expiry day, not after it, and never once revoked', () => {
    const token = { expiresOn: '2026-12-27', revokedAt: null };
    expect(tokenStatus(token, '2026-11-27')).toBe('active');
    expect(tokenStatus(token, '2026-12-27')).toBe('active');
    expect(tokenStatus(token, '2026-12-28')).toBe('expired');
    expect(tokenStatus({ ...token, revokedAt: new Date('2026-11-27T10:00:00Z') }, '2026-11-27')).toBe('revoked');
    expect(tokenStatus({ ...token, revokedAt: new Date('2026-11-27T10:00:00Z') }, '2027-01-01')).toBe('revoked');
  });

  it('record their last use at most once a minute', () => {
    const now = new Date('2026-11-27T10:00:00Z');
    expect(shouldRecordUse(null, now)).toBe(true);
    expect(shouldRecordUse(new Date('2026-11-27T09:59:30Z'), now)).toBe(false);
    expect(shouldRecordUse(new Date('2026-11-27T09:59:00.001Z'), now)).toBe(false);
    expect(shouldRecordUse(new Date('2026-11-27T09:59:00Z'), now)).toBe(true);
    expect(shouldRecordUse(new Date('2026-11-27T08:00:00Z'), now)).toBe(true);
  });

  it('are read from a Bearer authorization header only', () => {
    expect(bearerToken(undefined)).toBeUndefined();
    expect(bearerToken('Basic dXNlcjpwYXNz')).toBeUndefined();
    expect(bearerToken('Bearer ssgw_x')).toBe('ssgw_x');
    expect(bearerToken('bearer   ssgw_x ')).toBe('ssgw_x');
    expect(bearerToken('Bearer ')).toBe('');
    expect(bearerToken('Bearer')).toBe('');
  });
});
