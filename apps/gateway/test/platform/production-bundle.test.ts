import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { BUNDLE, exitOf, freePort, repositoryRoot, startGateway } from '../support/gateway-process.ts';
import { openTestDatabase, type TestDatabase, testEngine } from '../support/test-database.ts';

/**
 * The rest of the suite runs the sources; production runs the esbuild bundle (scripts/bundle-gateway.js),
 * whose module loading differs (CommonJS interop, chunks loaded on first use, files found beside
 * the bundle). This builds it and starts it as the image does, on PostgreSQL, and asks for what
 * loads late: a page, the assets, the OpenAPI document, the metrics.
 */
/** Waits for the gateway at `base` to answer /readyz with 200 (its job queue started). */
async function untilReady(base: string): Promise<void> {
  await expect
    .poll(
      () =>
        fetch(`${base}/readyz`).then(
          (response) => response.status,
          () => 0,
        ),
      { timeout: 60_000, interval: 100 },
    )
    .toBe(200);
}

describe.runIf(testEngine === 'postgres')('the production bundle', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    const build = spawnSync(process.execPath, ['scripts/bundle-gateway.js'], { cwd: repositoryRoot, encoding: 'utf8' });
    if (build.status !== 0) throw new Error(`the bundle did not build: ${build.stderr}`);
    database = await openTestDatabase(inject('databaseTemplate'));
  }, 120_000);
  afterAll(async () => {
    await database?.close();
  });

  it('starts, serves a page, the style sheet and scripts, the API document and the metrics, and stops on SIGTERM', async () => {
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const metricsToken = 'production-bundle-metrics-token';
    const gateway = await startGateway(database.url as string, port, 1, BUNDLE, { METRICS_TOKEN: metricsToken });
    try {
      await untilReady(base);
      const home = await fetch(`${base}/`);
      expect(home.status).toBe(200);
      expect(await home.text()).toContain('<main');
      for (const [name, type] of [
        ['site.css', 'text/css; charset=utf-8'],
        ['price.js', 'text/javascript; charset=utf-8'],
      ]) {
        const asset = await fetch(`${base}/assets/${name}`);
        expect(asset.status, name).toBe(200);
        expect(asset.headers.get('content-type'), name).toBe(type);
        expect(asset.headers.get('etag'), name).toMatch(/^W\//);
      }
      const api = await fetch(`${base}/api/openapi.json`);
      expect(api.status).toBe(200);
      expect(((await api.json()) as { openapi: string }).openapi).toMatch(/^3\./);
      expect((await fetch(`${base}/metrics`)).status).toBe(401);
      const metrics = await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${metricsToken}` } });
      expect(metrics.status).toBe(200);
      expect(await metrics.text()).toContain('http_request_duration_seconds_bucket{');
      const signIn = await fetch(`${base}/storage/`, { redirect: 'manual' });
      expect(signIn.status).toBe(302);
      expect(signIn.headers.get('location')).toContain('sign-in');
      gateway.kill('SIGTERM');
      expect(await exitOf(gateway)).toBe(0);
    } finally {
      gateway.kill('SIGKILL');
    }
  }, 120_000);

  it('starts as `npm start` starts it, with no settings: embedded PGlite migrated and seeded, every role, the demo pages', async () => {
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    // A fresh machine's environment: nothing set but where to listen and keep its data.
    const gateway = spawn(process.execPath, BUNDLE, {
      cwd: repositoryRoot,
      env: {
        PATH: process.env.PATH,
        PORT: String(port),
        DATA_DIR: await mkdtemp(path.join(tmpdir(), 'ssgw-bundle-embedded-')),
        LOG_LEVEL: 'fatal',
      },
      stdio: 'ignore',
    });
    try {
      await untilReady(base);
      const home = await fetch(`${base}/`);
      expect(home.status).toBe(200);
      expect(await home.text()).toContain('Sign in');
      expect((await fetch(`${base}/dev/sign-in`)).status).toBe(200);
      // Outside production the metrics need no token.
      const metrics = await fetch(`${base}/metrics`);
      expect(metrics.status).toBe(200);
      expect(await metrics.text()).toContain('process_cpu_seconds_total');
      gateway.kill('SIGTERM');
      expect(await exitOf(gateway)).toBe(0);
    } finally {
      gateway.kill('SIGKILL');
    }
  }, 120_000);
});
