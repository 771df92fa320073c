import { defineConfig } from 'vitest/config';

/**
 * unit: pure rules next to the code, no database. integration: services, repositories and HTTP
 * against a real database (PGlite, or PostgreSQL when TEST_DATABASE_URL is set). e2e: whole
 * journeys in Chromium.
 */
export default defineConfig({
  test: {
    // Two cores: two workers keep the machine responsive and PGlite's memory in check.
    maxWorkers: 2,
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: ['apps/*/src/**/*.test.{ts,tsx}'] },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['apps/*/test/**/*.test.{ts,tsx}'],
          globalSetup: ['apps/gateway/test/support/global-setup.ts'],
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
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
          maxWorkers: 1,
        },
      },
    ],
  },
});
