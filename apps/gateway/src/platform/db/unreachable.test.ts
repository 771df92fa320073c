import { describe, expect, it } from 'vitest';
import { isDatabaseUnreachable } from './unreachable.ts';

const withCode = (message: string, code: string) => Object.assign(new Error(message), { code });

describe('isDatabaseUnreachable', () => {
  it('is true for a database that cannot be reached, however the failure is worded or wrapped', () => {
    expect(isDatabaseUnreachable(withCode('connect ECONNREFUSED 10.0.0.5:5432', 'ECONNREFUSED'))).toBe(true);
    expect(isDatabaseUnreachable(new Error('timeout exceeded when trying to connect'))).toBe(true);
    expect(isDatabaseUnreachable(new Error('Connection terminated unexpectedly'))).toBe(true);
    expect(isDatabaseUnreachable(withCode('the database system is shutting down', '57P03'))).toBe(true);
    expect(isDatabaseUnreachable(withCode('sorry, too many clients already', '53300'))).toBe(true);
    expect(isDatabaseUnreachable(withCode('connection failure', '08006'))).toBe(true);
    expect(isDatabaseUnreachable(new Error('wrapped', { cause: new Error('PGlite is closed') }))).toBe(true);
  });

  it('is false for a statement the database refused, and for anything else', () => {
    expect(isDatabaseUnreachable(withCode('insert violates foreign key constraint', '23503'))).toBe(false);
    expect(isDatabaseUnreachable(withCode('relation "sessions" does not exist', '42P01'))).toBe(false);
    expect(isDatabaseUnreachable(new Error('boom'))).toBe(false);
    expect(isDatabaseUnreachable(undefined)).toBe(false);
    expect(isDatabaseUnreachable('ECONNREFUSED')).toBe(false);
  });
});
