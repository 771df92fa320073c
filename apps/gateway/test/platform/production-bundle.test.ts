import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, readdir, readFile, stat, writeFile } from 'node:fs/promises';
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

  it('keeps a V8 code cache of the bundle once it has served, starts from it the next time, and replaces one it cannot use', async () => {
    // Where Node keeps its compile cache; the bundle's code cache goes in the directory Node makes there.
    const cacheRoot = await mkdtemp(path.join(tmpdir(), 'ssgw-code-cache-'));
    const cacheFile = async () => {
      const files = await readdir(cacheRoot, { recursive: true });
      const name = files.find((file) => /^v[^/]*\/gateway\.bundle-[A-Z0-9]+\.cjs\.v8cache$/.test(file));
      return name ? path.join(cacheRoot, name) : undefined;
    };
    const startAndStop = async (settings: Record<string, string> = {}) => {
      const port = await freePort();
      const base = `http://127.0.0.1:${port}`;
      const gateway = await startGateway(database.url as string, port, 1, BUNDLE, {
        NODE_COMPILE_CACHE: cacheRoot,
        ...settings,
      });
      try {
        await untilReady(base);
        expect((await fetch(`${base}/`)).status).toBe(200);
        gateway.kill('SIGTERM');
        expect(await exitOf(gateway)).toBe(0);
      } finally {
        gateway.kill('SIGKILL');
      }
    };

    await startAndStop();
    const file = await cacheFile();
    if (!file)
      throw new Error(`no code cache in ${cacheRoot}: ${(await readdir(cacheRoot, { recursive: true })).join(', ')}`);
    // The code of a start and a request, not the few functions V8 compiles before running a file.
    expect((await stat(file)).size).toBeGreaterThan(1_000_000);

    // V8 took it: the next start leaves it as it is.
    const saved = await stat(file);
    await startAndStop();
    expect((await stat(file)).mtimeMs).toBe(saved.mtimeMs);

    // One V8 refuses (here, not a cache at all) is written anew, and an earlier build's goes.
    const earlierBuild = path.join(path.dirname(file), 'gateway.bundle-EARLIER1.cjs.v8cache');
    await writeFile(earlierBuild, 'the cache of an earlier build');
    await writeFile(file, 'not a code cache');
    await startAndStop();
    expect((await readFile(file)).byteLength).toBeGreaterThan(1_000_000);
    expect(await readdir(path.dirname(file))).not.toContain(path.basename(earlierBuild));

    // With stack traces mapped to the sources (a revision's NODE_OPTIONS, deployment.md) it starts
    // too: then the bundle is loaded as a CommonJS file, which Node maps, rather than through node:vm.
    await startAndStop({ NODE_OPTIONS: '--enable-source-maps' });
  }, 120_000);

  it('leaves a code cache when it stops on missing settings, as the image is built', async () => {
    const cacheRoot = await mkdtemp(path.join(tmpdir(), 'ssgw-code-cache-image-'));
    const gateway = spawn(process.execPath, BUNDLE, {
      cwd: repositoryRoot,
      env: { PATH: process.env.PATH, NODE_ENV: 'production', NODE_COMPILE_CACHE: cacheRoot },
      stdio: 'ignore',
    });
    expect(await exitOf(gateway)).toBe(1);
    const files = await readdir(cacheRoot, { recursive: true });
    const cache = files.find((file) => file.endsWith('.cjs.v8cache'));
    if (!cache) throw new Error(`no code cache in ${cacheRoot}: ${files.join(', ')}`);
    expect((await stat(path.join(cacheRoot, cache))).size).toBeGreaterThan(500_000);
  });

  it('is Latin-1 text, which V8 keeps as one byte per character (a character beyond it doubles what each start takes in)', async () => {
    const dist = path.join(repositoryRoot, 'apps/gateway/dist');
    const [bundle] = (await readdir(dist)).filter((file) => /^gateway\.bundle-[A-Z0-9]+\.cjs$/.test(file));
    if (!bundle) throw new Error(`no gateway bundle in ${dist}`);
    const beyond = [...(await readFile(path.join(dist, bundle), 'utf8')).matchAll(/.{0,40}[\u0100-\u{10ffff}]/gu)];
    expect(beyond.map(([around]) => around)).toEqual([]);
  });
});
