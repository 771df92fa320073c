import { describe, expect, it } from 'vitest';
import { type CufsConfigError, DEV_API_TOKEN, loadCufsConfig } from './config.ts';

const strongToken = 'a-long-random-token-0123456789abcdef';

describe('the CUFS service configuration', () => {
  it('runs embedded with nothing set: port 3001, PGlite under ./data/cufs, the dev token, sample data', () => {
    const config = loadCufsConfig({});
    expect(config.port).toBe(3001);
    expect(config.database).toMatchObject({ kind: 'pglite' });
    expect(config.database.kind === 'pglite' && config.database.dataDir).toMatch(/data\/cufs\/pglite$/);
    expect(config.access.apiTokens).toEqual([DEV_API_TOKEN]);
    expect(config.loadSampleData).toBe(true);
  });

  it('takes CUFS_PORT before PORT, and DATABASE_URL means PostgreSQL without sample data', () => {
    expect(loadCufsConfig({ PORT: '8080' }).port).toBe(8080);
    expect(loadCufsConfig({ PORT: '8080', CUFS_PORT: '3101' }).port).toBe(3101);
    const config = loadCufsConfig({ DATABASE_URL: 'postgres://db/cufs' });
    expect(config.database).toMatchObject({ kind: 'postgres', url: 'postgres://db/cufs' });
    expect(config.loadSampleData).toBe(false);
  });

  it('refuses the dev token, an embedded database and no way to authenticate in production', () => {
    const refusal = (env: Record<string, string>) => {
      try {
        loadCufsConfig({ NODE_ENV: 'production', DATABASE_URL: 'postgres://db/cufs', ...env });
        return [];
      } catch (error) {
        return (error as CufsConfigError).problems;
      }
    };
    expect(refusal({})).toEqual([expect.stringMatching(/no way for callers to authenticate/)]);
    expect(refusal({ CUFS_API_TOKENS: DEV_API_TOKEN })).toEqual([
      expect.stringMatching(/development token is refused/),
    ]);
    expect(refusal({ CUFS_API_TOKENS: strongToken })).toEqual([]);
    expect(refusal({ CUFS_TOKEN: strongToken })).toEqual([]);
    expect(refusal({ CUFS_API_TOKENS: strongToken, DATABASE_URL: '' })).toEqual([
      expect.stringMatching(/embedded PGlite database is not durable/),
    ]);
    expect(refusal({ CUFS_ID_TOKEN_AUDIENCE: 'https://cufs.example' })).toEqual([
      expect.stringMatching(/CUFS_ALLOWED_SERVICE_ACCOUNTS: required/),
    ]);
    // Used to be ignored: the accounts were named, and every ID token of theirs refused (401).
    expect(refusal({ CUFS_TOKEN: strongToken, CUFS_ALLOWED_SERVICE_ACCOUNTS: 'gw@p.iam.gserviceaccount.com' })).toEqual(
      [expect.stringMatching(/CUFS_ID_TOKEN_AUDIENCE: required with CUFS_ALLOWED_SERVICE_ACCOUNTS/)],
    );
    expect(
      refusal({
        CUFS_ID_TOKEN_AUDIENCE: 'https://cufs.example',
        CUFS_ALLOWED_SERVICE_ACCOUNTS: 'gw@p.iam.gserviceaccount.com',
      }),
    ).toEqual([]);
  });

  it('names the variable that does not parse, and refuses short tokens', () => {
    expect(() => loadCufsConfig({ CUFS_PORT: 'abc' })).toThrow(/CUFS_PORT/);
    expect(() => loadCufsConfig({ CUFS_API_TOKENS: 'short' })).toThrow(/at least 24 characters/);
  });
});
