import { defineConfig } from 'vitest/config';
import { JourneysSpreadSequencer } from './e2e/support/test-order.ts';

/** A PostgreSQL server to run the integration tests on as well (CI sets it). */
const postgres = process.env.TEST_DATABASE_URL;
if (!postgres && !process.env.VITEST_WORKER_ID) {
  console.log(
    '\n*** integration-postgres skipped: set TEST_DATABASE_URL (e.g. postgres://postgres@127.0.0.1:5432/test) to run the integration tests on PostgreSQL too. ***\n',
  );
}

const integration = {
  include: ['apps/*/test/**/*.test.{ts,tsx}'],
  globalSetup: ['apps/gateway/test/support/global-setup.ts'],
  testTimeout: 30_000,
  hookTimeout: 60_000,
};

/**
 * unit: pure rules next to the code, no database. integration: services, repositories and HTTP
 * against a real database, on PGlite; integration-postgres: the same files again on the
 * PostgreSQL server of TEST_DATABASE_URL, when it is set (PGlite is PostgreSQL 18 and production is
 * older: this pass keeps newer features out). e2e: whole journeys in Chromium, on PGlite.
 * TEST_DATABASE_URL, per project, is what the test support reads to choose the engine.
 */
export default defineConfig({
  test: {
    // Two cores: two workers keep the machine responsive and PGlite's memory in check. All
    // projects share them, the browser journeys spread through the run (test-order.ts).
    maxWorkers: 2,
    // A worker runs its project's files one after another in one process, instead of a new process
    // per file: the app's modules are loaded, and PGlite's WebAssembly compiled, once per worker,
    // not once per file (the PGlite integration project: 320 → 162 s of CPU). So a test file
    // leaves nothing behind: servers and databases closed, stubs undone.
    isolate: false,
    sequence: { sequencer: JourneysSpreadSequencer },
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: ['apps/*/src/**/*.test.{ts,tsx}'] },
      },
      { extends: true, test: { name: 'integration', ...integration, env: { TEST_DATABASE_URL: '' } } },
      ...(postgres
        ? [
            {
              extends: true,
              test: { name: 'integration-postgres', ...integration, env: { TEST_DATABASE_URL: postgres } },
            },
          ]
        : []),
      {
        extends: true,
        test: {
          name: 'e2e',
          include: ['e2e/**/*.test.{ts,tsx}'],
          globalSetup: ['apps/gateway/test/support/global-setup.ts', 'e2e/support/global-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 90_000,
          // expect.poll's 1 s default is shorter than one locator call on a busy 2-core machine.
          expect: { poll: { timeout: 10_000 } },
          env: { TEST_DATABASE_URL: '' },
        },
      },
    ],
  },
});
