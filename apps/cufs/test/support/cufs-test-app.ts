import type { FastifyInstance } from 'fastify';
import { buildCufsApp, type CufsAppDependencies } from '../../src/app.ts';
import { type CufsConfig, loadCufsConfig } from '../../src/config.ts';
import type { DatabaseHandle } from '../../src/platform/database.ts';
import { openCufsTestDatabase } from './cufs-test-database.ts';

/** The test day: the sample grant PHAG0042 runs 2024-10-01 to 2028-09-30. */
export const CUFS_TEST_TODAY = '2026-11-27';
export const TEST_TOKEN = 'cufs-test-token-0123456789abcdef';

export interface CufsTestApp {
  app: FastifyInstance;
  database: DatabaseHandle;
  config: CufsConfig;
  /** The Authorization header of a known caller. */
  auth: { authorization: string };
  close(): Promise<void>;
}

export function cufsTestConfig(overrides: Record<string, string> = {}): CufsConfig {
  return loadCufsConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    CUFS_DATA_DIR: '/nonexistent-cufs-test-data',
    CUFS_API_TOKENS: TEST_TOKEN,
    ...overrides,
  });
}

/** The CUFS service on its own fresh database with the sample data, through `inject` or a real port. */
export async function startCufsTestApp(
  options: { env?: Record<string, string>; logger?: CufsAppDependencies['logger']; database?: DatabaseHandle } = {},
): Promise<CufsTestApp> {
  const database = options.database ?? (await openCufsTestDatabase());
  const config = cufsTestConfig(options.env);
  const app = await buildCufsApp({
    config,
    db: database.db,
    today: () => CUFS_TEST_TODAY,
    logger: options.logger ?? false,
  });
  await app.ready();
  return {
    app,
    database,
    config,
    auth: { authorization: `Bearer ${TEST_TOKEN}` },
    close: async () => {
      await app.close();
      if (!options.database) await database.close();
    },
  };
}
