/**
 * The original technology on this machine, now: `npm run bench`'s "original" measure. WORKLOAD.md
 * gives the original's figures (Django 3.2, gunicorn with 2 sync workers) as measured once on a
 * machine of this kind; machines of the kind differ by up to 3× in how fast they start a process,
 * so the same workload on the same machine in the same run is the fair comparison. bench/original/
 * is that workload as a Django 3.2 project would serve it (models on reference-dataset.sql's
 * tables, the "My storage" view and template, the nightly job as a management command); Debian's
 * python3-django (3.2), gunicorn and python3-psycopg2 run it.
 */

import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import {
  admin,
  COLD_RUNS,
  DURATION,
  databaseUrl,
  ensureInstalled,
  fmt,
  freePort,
  log,
  median,
  runWrk,
  type ServerProcess,
  startProcess,
  waitFor200,
} from './harness.ts';

const PROJECT = path.join(path.dirname(new URL(import.meta.url).pathname), 'original');
/** Debian's Python, where apt puts Django (a pyenv or venv python3 on the PATH would not see it). */
const PYTHON = process.env.BENCH_PYTHON ?? '/usr/bin/python3';
const PACKAGES = ['python3-django', 'gunicorn', 'python3-psycopg2'];
const AS_OF = '2026-11-01';

export interface OriginalFigures {
  page: string;
  cold: string;
  nightly: string;
}

/** Django's own settings for a run: the database, a secret, bench01's password. */
function djangoEnv(url: string, password: string): Record<string, string> {
  return {
    DATABASE_URL: url,
    DJANGO_SECRET_KEY: randomBytes(24).toString('hex'),
    BENCH_PASSWORD: password,
    DJANGO_SETTINGS_MODULE: 'original.settings',
  };
}

function manage(env: Record<string, string>, args: string[]): { out: string; ms: number } {
  const started = performance.now();
  const run = spawnSync(PYTHON, ['manage.py', ...args], {
    cwd: PROJECT,
    env: { ...process.env, ...env },
    encoding: 'utf8',
  });
  const ms = performance.now() - started;
  if (run.status !== 0) throw new Error(`manage.py ${args.join(' ')} failed: ${run.stderr.slice(-2000)}`);
  return { out: run.stdout, ms };
}

const gunicorn = (env: Record<string, string>, port: number): ServerProcess =>
  startProcess(
    PYTHON,
    ['-m', 'gunicorn', '--workers', '2', '--bind', `127.0.0.1:${port}`, 'original.wsgi'],
    env,
    PROJECT,
  );

/** Signs bench01 in through Django's login form, as a browser would; answers the cookies. */
async function signIn(base: string, password: string): Promise<string> {
  const cookies = new Map<string, string>();
  const remember = (response: Response) => {
    for (const line of response.headers.getSetCookie()) {
      const [name, ...value] = (line.split(';')[0] ?? '').split('=');
      if (name) cookies.set(name.trim(), value.join('='));
    }
  };
  const header = () => [...cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  const page = await fetch(`${base}/accounts/login/`);
  remember(page);
  const csrf = (await page.text()).match(/name="csrfmiddlewaretoken" value="([^"]+)"/)?.[1];
  if (!csrf) throw new Error('no CSRF token on the login page');
  const response = await fetch(`${base}/accounts/login/`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: header() },
    body: new URLSearchParams({ csrfmiddlewaretoken: csrf, username: 'bench01', password, next: '/storage/' }),
  });
  remember(response);
  if (response.status !== 302) throw new Error(`sign-in as bench01 failed: ${response.status}`);
  return header();
}

/** The nightly command once: its result, wall time from launch to exit, peak RSS. */
function nightly(env: Record<string, string>): { reminders: number; suspended: number; ms: number; mib: number } {
  const { out, ms } = manage(env, ['nightly', '--as-of', AS_OF]);
  const result = JSON.parse(out) as { reminders: number; suspended: number; maxRssKiB: number };
  return { ...result, ms, mib: result.maxRssKiB / 1024 };
}

/**
 * Loads the data set into a database of its own (`name`), then measures what `measures` asks
 * for as run.ts does ours: the page with wrk, cold starts, the nightly job on a fresh copy.
 */
export async function benchOriginal(
  name: string,
  measures: { page: boolean; cold: boolean; nightly: boolean },
  keep: boolean,
): Promise<OriginalFigures> {
  const notMeasured = (why: string) => ({ page: why, cold: why, nightly: why });
  const here = () =>
    spawnSync(PYTHON, ['-c', 'import django, gunicorn, psycopg2; assert django.VERSION[:2] == (3, 2)']).status === 0;
  if (!ensureInstalled('Django 3.2 with gunicorn and psycopg2', here, PACKAGES))
    return notMeasured(`not measured (apt-get install -y ${PACKAGES.join(' ')})`);
  const password = randomBytes(12).toString('hex');
  const env = djangoEnv(databaseUrl(name), password);
  await admin(`CREATE DATABASE ${name}`);
  const servers: ServerProcess[] = [];
  try {
    log(`migrate: ${fmt(manage(env, ['migrate', '-v0']).ms)} ms; load reference-dataset.sql …`);
    log(`loaded in ${fmt(manage(env, ['load_bench_data']).ms / 1000, 1)} s`);
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const server = gunicorn(env, port);
    servers.push(server);
    await waitFor200(`${base}/accounts/login/`, '', server, 30_000);
    const cookie = await signIn(base, password);
    const html = await (await fetch(`${base}/storage/`, { headers: { cookie } })).text();
    if (!html.includes('In all: 20 licences, 625 TB'))
      throw new Error("the original's /storage/ is not bench01's full page");
    log(`GET /storage/: ${fmt(Buffer.byteLength(html) / 1024, 1)} KB, bench01's 20 licences, 625 TB`);
    const figures = notMeasured('not measured');
    if (measures.page) {
      log('gunicorn, 2 sync workers; warm-up: 5 s …');
      await runWrk(`${base}/storage/`, cookie, 5);
      const wrk = await runWrk(`${base}/storage/`, cookie, DURATION);
      log(wrk.raw.trimEnd());
      figures.page = `${fmt(wrk.requestsPerSecond)} req/s, p50 ${fmt(wrk.p50Ms, 1)} ms, p99 ${fmt(wrk.p99Ms, 1)} ms${wrk.errors ? ' (with errors)' : ''}`;
    }
    await server.stop();
    if (measures.cold) figures.cold = await coldStarts(env, base, cookie, port, servers);
    if (measures.nightly) figures.nightly = await nightlyOnCopy(name, password);
    return figures;
  } finally {
    for (const server of servers) await server.stop();
    if (keep) log(`kept database ${name}`);
    else await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  }
}

/** COLD_RUNS launches of gunicorn, each polled as ours is, after one unmeasured launch. */
async function coldStarts(
  env: Record<string, string>,
  base: string,
  cookie: string,
  port: number,
  servers: ServerProcess[],
): Promise<string> {
  const times: number[] = [];
  for (let run = 0; run <= COLD_RUNS; run++) {
    const server = gunicorn(env, port);
    servers.push(server);
    const ms = await waitFor200(`${base}/storage/`, cookie, server, 30_000);
    if (run > 0) {
      times.push(ms);
      log(`  cold start ${run}: ${fmt(ms)} ms`);
    }
    await server.stop();
  }
  return `${fmt(median(times))} ms (${fmt(Math.min(...times))}–${fmt(Math.max(...times))})`;
}

/** The nightly job on a fresh copy of the data, twice (the second must change nothing). */
async function nightlyOnCopy(source: string, password: string): Promise<string> {
  const copy = `${source}_nightly`;
  await admin(`CREATE DATABASE ${copy} TEMPLATE ${source}`);
  try {
    const env = djangoEnv(databaseUrl(copy), password);
    const first = nightly(env);
    const second = nightly(env);
    log(
      `first run: ${first.reminders} reminders, ${first.suspended} suspended; ${fmt(first.ms)} ms wall, peak RSS ${fmt(first.mib, 1)} MiB`,
    );
    log(`second run: ${second.reminders} reminders, ${second.suspended} suspended; ${fmt(second.ms)} ms wall`);
    const holds = first.suspended === 16_993 && first.reminders === 143 && second.suspended + second.reminders === 0;
    return `${fmt(first.ms / 1000, 2)} s, ${fmt(first.mib)} MiB${holds ? '' : ' — CHECKS FAILED'}`;
  } finally {
    await admin(`DROP DATABASE IF EXISTS ${copy} WITH (FORCE)`);
  }
}
