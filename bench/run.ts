/**
 * `npm run bench`: the workload of ../shared/bench/WORKLOAD.md on the project's own schema, each
 * figure printed beside the original technology's (Django 3.2 + PostgreSQL 15 on this kind of machine).
 *
 *   npm run bench
 *   DATABASE_URL=postgres://user@host:5432/x npm run bench      # another PostgreSQL server
 *
 * 1. Creates a database of its own (ssgw_bench_<pid>) on the server of DATABASE_URL or
 *    TEST_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test), migrates and seeds it, and
 *    loads the deterministic data set (bench/dataset.ts); checks bench01's 20 licences, 36 storage
 *    projects and 625 TB, and stops if they differ.
 * 2. Prints EXPLAIN ANALYZE of the statements "My storage" sends for bench01; then times the back
 *    office's lists of licences (a service's list with its filters and searches, a person's page)
 *    on the data set, 30 calls each, with the plans of their statements.
 * 3. Builds and bundles the gateway (apps/gateway/dist/main.bundle.js) and starts it as production
 *    does: its own process, APP_ROLE=web, NODE_ENV=production (so a web process per CPU:
 *    WEB_CONCURRENCY), on that database;
 *    signs bench01 in through /dev/sign-in and keeps the cookie; checks GET /storage/ is the full
 *    page (bench01's 20 licences and the totals line); 5 s of warm-up, then
 *    `wrk -t2 -c32 -d20s --latency` with the cookie; then the same with one web process
 *    (WEB_CONCURRENCY=1), as wrk shares the 2 cores with the server here.
 * 4. Cold start: BENCH_COLD_RUNS (default 5) launches, each polling GET /storage/ every 10 ms until
 *    the first 200; then the same for bench/floor-server.js, the least a server on our stack does
 *    before that page (one route on Fastify, or node:http alone, with pg): the floor on this machine.
 * 5. The nightly lifecycle job (modules/lifecycle runNightlyLifecycle) as of 2026-11-01 on a copy of
 *    the database (CREATE DATABASE … TEMPLATE), in a process of its own on the built JavaScript: wall
 *    time and peak RSS; checks 16,993 suspended and 143 reminders, and that a second run changes
 *    nothing; then the night after (as of 2026-11-02), which has one day's licences to move, as a
 *    night in service has. Until the job is built it prints "not yet measured".
 * 6. The original technology on this machine, now (bench/original.ts): the same page, cold start and
 *    nightly job on Django 3.2 + gunicorn (bench/original/, Debian's python3-django, gunicorn and
 *    python3-psycopg2, installed as wrk is), in a column of its own beside ours: WORKLOAD.md's figures
 *    for the original were taken once, on a machine whose speed this one need not share.
 *
 * The machine's load average is printed before each measure: other work on the 2 cores skews them.
 *
 * Drops its database at the end. Results (the table and wrk's output) go to bench/results/ (not in git).
 * Options (environment): BENCH_DURATION (wrk seconds, default 20), BENCH_COLD_RUNS (default 5),
 * BENCH_KEEP_DATABASE=1 (do not drop it, to look at it afterwards), BENCH_DATABASE=<name> (measure
 * on a database a run kept instead of creating and loading one; it is checked, and never dropped),
 * BENCH_ONLY=page,lists,cold,nightly,original (any of them, comma-separated: only those measures;
 * default all; original measures those of page, cold and nightly that are asked for).
 */
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { type CompiledQuery, Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import pino from 'pino';
import type { Database } from '../apps/gateway/src/database.ts';
import { ADMIN_PAGE_SIZE } from '../apps/gateway/src/modules/admin/paging.tsx';
import { listLicencesHeldBy, searchLicences } from '../apps/gateway/src/modules/licences/licences.admin.repository.ts';
import { listLicencesForPerson } from '../apps/gateway/src/modules/licences/licences.repository.ts';
import { listOrdersForPerson } from '../apps/gateway/src/modules/orders/orders.queries.ts';
import type { ServiceCode } from '../apps/gateway/src/modules/people/people.tables.ts';
import { listQuotesForPerson } from '../apps/gateway/src/modules/quotes/quotes.service.ts';
import { type DatabaseHandle, openDatabase } from '../apps/gateway/src/platform/db/database.ts';
import { migrateToLatest } from '../apps/gateway/src/platform/db/migrate.ts';
import { installJobQueueSchema } from '../apps/gateway/src/platform/jobs/pg-boss-queue.ts';
import { seedDemoData } from '../apps/gateway/src/seed.ts';
import { BUNDLE } from '../apps/gateway/test/support/gateway-process.ts';
import { BENCH_PERSON_ID, DATASET_TODAY, datasetFacts, generateDataset, invariantProblems } from './dataset.ts';
import {
  admin,
  COLD_RUNS,
  cpuTimeMs,
  DURATION,
  databaseUrl,
  ensureInstalled,
  fmt,
  freePort,
  loadAverage,
  log,
  median,
  output,
  runWrk,
  type ServerProcess,
  serverUrl,
  startProcess,
  step,
  waitFor200,
} from './harness.ts';
import { benchOriginal, type OriginalFigures } from './original.ts';
import { explainStatements, recordingDb, timeCalls } from './statements.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const startGateway = (env: Record<string, string>, args: string[] = BUNDLE) =>
  startProcess(process.execPath, args, env, root);
const resultsDir = path.join(root, 'bench', 'results');
const MEASURES = ['page', 'lists', 'cold', 'nightly', 'original'] as const;
const ONLY = (process.env.BENCH_ONLY ?? MEASURES.join(','))
  .split(',')
  .map((word) => word.trim())
  .filter(Boolean);
const unknownMeasures = ONLY.filter((word) => !(MEASURES as readonly string[]).includes(word));
if (unknownMeasures.length > 0)
  throw new Error(`BENCH_ONLY: unknown ${unknownMeasures.join(', ')} (${MEASURES.join(', ')})`);
const measuring = (measure: (typeof MEASURES)[number]) => ONLY.includes(measure);
const KEPT_DATABASE = process.env.BENCH_DATABASE;

// ---------------------------------------------------------------------------------------------
// wrk

const PAGE_LABEL = 'page: GET /storage/';
const PAGE_ORIGINAL = '271 req/s, p50 117 ms, p99 136 ms';
const PAGE_TARGET = '≥ 4,000 req/s, p99 < 20 ms';

/** 5 s of warm-up, then wrk against the page: the summary's row for this many web processes. */
async function measurePage(
  url: string,
  cookie: string,
  processes: number,
  why: string,
): Promise<[string, string, string, string]> {
  log(`web processes: ${processes} (${why}); load average ${loadAverage()}; warm-up: 5 s …`);
  await runWrk(url, cookie, 5);
  log(`wrk -t2 -c32 -d${DURATION}s --latency …`);
  const result = await runWrk(url, cookie, DURATION);
  log(result.raw.trimEnd());
  if (result.errors) log(`errors: ${result.errors}`);
  return [
    `${PAGE_LABEL}, ${processes === 1 ? '1 web process' : `${processes} web processes`}`,
    `${fmt(result.requestsPerSecond)} req/s, p50 ${fmt(result.p50Ms, 1)} ms, p99 ${fmt(result.p99Ms, 1)} ms${result.errors ? ' (with errors)' : ''}`,
    PAGE_ORIGINAL,
    PAGE_TARGET,
  ];
}

// ---------------------------------------------------------------------------------------------
// The gateway process

/** Signs bench01 in through the dev sign-in form, as a browser would, and answers the session cookie. */
async function signIn(base: string): Promise<string> {
  const cookies = new Map<string, string>();
  const remember = (response: Response) => {
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const [name, ...value] = (pair ?? '').split('=');
      if (name) cookies.set(name.trim(), value.join('='));
    }
  };
  const header = () => [...cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  const page = await fetch(`${base}/dev/sign-in`, { redirect: 'manual' });
  remember(page);
  const csrf = (await page.text()).match(/name="_csrf" value="([^"]+)"/)?.[1];
  if (!csrf) throw new Error('no CSRF token on /dev/sign-in');
  const response = await fetch(`${base}/dev/sign-in`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: header() },
    body: new URLSearchParams({ personId: String(BENCH_PERSON_ID), _csrf: csrf, returnTo: '/storage/' }).toString(),
  });
  remember(response);
  if (response.status !== 303) throw new Error(`sign-in as bench01 failed: ${response.status}`);
  return header();
}

// ---------------------------------------------------------------------------------------------
// EXPLAIN of the page's statements

async function explainPage(handle: DatabaseHandle): Promise<void> {
  const sent: CompiledQuery[] = [];
  const recording = recordingDb(handle, sent);
  const cases: Array<[string, () => Promise<unknown>]> = [
    ['listLicencesForPerson', () => listLicencesForPerson(recording, BENCH_PERSON_ID, DATASET_TODAY)],
    ['listOrdersForPerson', () => listOrdersForPerson(recording, BENCH_PERSON_ID)],
    ['listQuotesForPerson', () => listQuotesForPerson(recording, BENCH_PERSON_ID)],
  ];
  for (const [name, run] of cases) {
    sent.length = 0;
    await run();
    for (const statement of await explainStatements(handle.db, sent)) {
      log(`  ${name}: ${statement.execution}`);
      for (const node of statement.nodes) log(`    ${node}`);
    }
  }
}

// ---------------------------------------------------------------------------------------------

// ---------------------------------------------------------------------------------------------
// The back office's lists of licences

const LIST_RUNS = 30;

/**
 * The back office's list of a service's licences (searchLicences: a page of 25 and how many match)
 * for its usual filters and searches, and the licences a person holds as their page in the back
 * office lists them (listLicencesHeldBy): each called LIST_RUNS times on the data set, p50 and p95
 * of the whole call, then EXPLAIN ANALYZE of the statements each sends.
 */
async function measureLists(handle: DatabaseHandle): Promise<[string, string, string, string]> {
  const research: ServiceCode[] = ['research'];
  const first = { limit: ADMIN_PAGE_SIZE, offset: 0 };
  const search = (text: string) => (db: Kysely<Database>) => searchLicences(db, { services: research, text, ...first });
  const cases: Array<[string, (db: Kysely<Database>) => Promise<{ total: number }>]> = [
    ['research licences, page 1', (db) => searchLicences(db, { services: research, ...first })],
    [
      'research licences, page 1,000',
      (db) => searchLicences(db, { services: research, limit: ADMIN_PAGE_SIZE, offset: 999 * ADMIN_PAGE_SIZE }),
    ],
    [
      'active RDS licences of one department',
      (db) =>
        searchLicences(db, {
          services: research,
          status: 'active',
          productCode: 'RDS',
          institutionId: 'INST07',
          ...first,
        }),
    ],
    ['search: a licence number', search('42424')],
    ["search: a Data Owner's CRSid", search('u00042')],
    ['search: a surname (1 person in 32)', search('wright')],
    ['search: a text no licence has', search('no such licence')],
    [
      "a person's page: what bench01 holds",
      (db) => listLicencesHeldBy(db, BENCH_PERSON_ID, ['research', 'institutional'], first),
    ],
  ];
  const sent: CompiledQuery[] = [];
  const recording = recordingDb(handle, sent);
  const p95s: number[] = [];
  for (const [label, call] of cases) {
    const { p50, p95 } = await timeCalls(LIST_RUNS, () => call(handle.db));
    p95s.push(p95);
    sent.length = 0;
    const { total } = await call(recording);
    log(
      `${label.padEnd(40)} p50 ${fmt(p50, 1).padStart(6)} ms   p95 ${fmt(p95, 1).padStart(6)} ms   (${fmt(total)} found)`,
    );
    for (const statement of await explainStatements(handle.db, sent)) {
      log(`    ${statement.sql.startsWith('select count') ? 'count' : 'page'}: ${statement.execution}`);
      for (const node of statement.nodes) log(`      ${node}`);
    }
  }
  return [
    'back office: licence list and search',
    `p95 ${fmt(Math.min(...p95s), 1)}–${fmt(Math.max(...p95s), 1)} ms (${cases.length} cases, 25 a page)`,
    '—',
    '—',
  ];
}

// ---------------------------------------------------------------------------------------------
// The nightly job

const NIGHTLY_EXPECTED = { suspended: 16_993, reminders: 143 };
const NEXT_NIGHT = '2026-11-02';

/**
 * One run of the nightly job as a scheduled or by-hand run does it: `npm run nightly`'s bundled
 * command (apps/gateway/dist/nightly.bundle.js, src/cli/nightly.ts) in a process of its own, as of
 * `asOf`, configured with the Cloud Tasks outbox as its job queue (a row per job, no queue to
 * start). A preloaded module reports the process's CPU time and peak RSS as it exits. Answers what
 * the job returned, the job's own time, the process's wall time (launch to exit), CPU and peak RSS.
 */
async function nightlyProcess(
  url: string,
  asOf = DATASET_TODAY,
): Promise<{ result: Record<string, number>; wallMs: number; jobMs: number; maxRssKiB: number; cpuMs: number }> {
  const usage = `process.on('exit', () => { const u = process.resourceUsage(); process.stderr.write('\\nBENCH_USAGE ' + JSON.stringify({ maxRssKiB: u.maxRSS, cpuMs: (u.userCPUTime + u.systemCPUTime) / 1000 }) + '\\n'); });`;
  const started = performance.now();
  const child = spawn(
    process.execPath,
    [
      '--import',
      `data:text/javascript,${encodeURIComponent(usage)}`,
      path.join(root, 'apps/gateway/dist/nightly.bundle.js'),
      '--as-of',
      asOf,
      '--json',
    ],
    {
      cwd: root,
      env: {
        ...process.env,
        DATABASE_URL: url,
        DATABASE_POOL_SIZE: '2',
        JOBS_DRIVER: 'cloud-tasks',
        CLOUD_TASKS_QUEUE: 'projects/bench/locations/here/queues/nightly',
        CLOUD_TASKS_SERVICE_ACCOUNT: 'bench@example.org',
        TASKS_ALLOWED_CALLERS: 'bench@example.org',
        LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  let err = '';
  child.stdout.on('data', (chunk: Buffer) => {
    out += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    err += chunk.toString();
  });
  const status = await new Promise<number | null>((resolve) => child.on('close', resolve));
  const wallMs = performance.now() - started;
  if (status !== 0) throw new Error(`the nightly job failed (exit ${status}): ${err.slice(-2000)}`);
  const { ms: jobMs, ...result } = JSON.parse(out) as Record<string, number> & { ms: number };
  const reported = /BENCH_USAGE (.*)/.exec(err)?.[1];
  if (!reported) throw new Error(`the nightly command did not report its resource usage: ${err.slice(-2000)}`);
  return { result, jobMs, wallMs, ...(JSON.parse(reported) as { maxRssKiB: number; cpuMs: number }) };
}

/** What a run could change: the licences' statuses, and the rows the job writes. */
async function nightlyFingerprint(db: Kysely<Database>): Promise<string> {
  const result = await sql<{ f: string }>`
    SELECT concat_ws(' ', (SELECT md5(string_agg(id || ':' || status, ',' ORDER BY id)) FROM licences),
      (SELECT count(*) FROM audit_events), (SELECT count(*) FROM mail_outbox),
      (SELECT count(*) FROM licence_reminders), (SELECT count(*) FROM lifecycle_notices),
      (SELECT count(*) FROM task_outbox)) AS f`.execute(db);
  return result.rows[0]?.f ?? '';
}

async function benchNightly(handle: DatabaseHandle, source: string): Promise<[string, string, string, string]> {
  const label = 'nightly job';
  const original = '0.49 s, 47 MiB';
  const target = '< 0.4 s, < 96 MiB';
  if (!existsSync(path.join(root, 'apps/gateway/dist/nightly.bundle.js'))) {
    log('not yet measured: the nightly job is not built');
    return [label, 'not yet measured: the nightly job is not built', original, target];
  }
  // CREATE DATABASE … TEMPLATE needs the source to have no other connection: close ours first.
  await handle.close();
  const copy = `${source}_nightly`;
  await admin(`CREATE DATABASE ${copy} TEMPLATE ${source}`);
  const url = databaseUrl(copy);
  const db = new Kysely<Database>({
    dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: url, max: 1 }) }),
  });
  try {
    const first = await nightlyProcess(url);
    const mib = (kib: number) => kib / 1024;
    log(`first run: ${JSON.stringify(first.result)}`);
    log(
      `  process ${fmt(first.wallMs)} ms wall (the job itself ${fmt(first.jobMs)} ms), ${fmt(first.cpuMs)} ms CPU, peak RSS ${fmt(mib(first.maxRssKiB), 1)} MiB; load average ${loadAverage()}`,
    );
    const before = await nightlyFingerprint(db);
    const second = await nightlyProcess(url);
    const after = await nightlyFingerprint(db);
    log(`second run: ${JSON.stringify(second.result)} (${fmt(second.wallMs)} ms wall)`);
    const problems: string[] = [];
    if (first.result.suspended !== NIGHTLY_EXPECTED.suspended)
      problems.push(`suspended ${first.result.suspended}, expected ${NIGHTLY_EXPECTED.suspended}`);
    if (first.result.reminders !== NIGHTLY_EXPECTED.reminders)
      problems.push(`reminders ${first.result.reminders}, expected ${NIGHTLY_EXPECTED.reminders}`);
    const changed = Object.entries(second.result).filter(([key, value]) => key !== 'asOf' && value !== 0);
    if (changed.length > 0 || before !== after)
      problems.push(`the second run changed something (${changed.map(([k, v]) => `${k} ${v}`).join(', ') || 'rows'})`);
    log(
      problems.length === 0
        ? `checks hold: 16,993 suspended, 143 reminders; a second run changes nothing`
        : `CHECKS FAILED: ${problems.join('; ')}`,
    );
    // The data set's first night takes years of unrenewed licences through every step at once; a
    // night after that has one day's worth, as every night in service does. Between two nights in
    // service autovacuum has analysed the licences (the first night changes 19,000 of 100,000 rows,
    // past its 10% threshold for ANALYZE within a minute), but need not have vacuumed them (below its
    // 20% threshold for VACUUM): the night after reads the dead row versions the first night left.
    await sql`ANALYZE`.execute(db);
    const nextNight = await nightlyProcess(url, NEXT_NIGHT);
    log(
      `the night after (${NEXT_NIGHT}): ${JSON.stringify(nextNight.result)}; process ${fmt(nextNight.wallMs)} ms wall (the job itself ${fmt(nextNight.jobMs)} ms), ${fmt(nextNight.cpuMs)} ms CPU, peak RSS ${fmt(mib(nextNight.maxRssKiB), 1)} MiB`,
    );
    return [
      label,
      `${fmt(first.wallMs / 1000, 2)} s, ${fmt(mib(first.maxRssKiB))} MiB (job ${fmt(first.jobMs / 1000, 2)} s); the night after ${fmt(nextNight.wallMs / 1000, 2)} s, ${fmt(mib(nextNight.maxRssKiB))} MiB${problems.length ? ' — CHECKS FAILED' : ''}`,
      original,
      target,
    ];
  } finally {
    await db.destroy();
    await admin(`DROP DATABASE IF EXISTS ${copy} WITH (FORCE)`);
  }
}

const FLOOR_LAYERS = ['fastify', 'http'] as const;

/**
 * The floor of a cold start on this machine: bench/floor-server.js (Node, pg and one query of
 * bench01's licences, on Fastify or on node:http alone) launched and polled as the gateway is,
 * COLD_RUNS times each, alternately, after one unmeasured launch each to fill the compile cache.
 * Whatever the machine, the gateway's cold start can come no nearer the target than this.
 */
async function coldStartFloor(
  env: Record<string, string>,
  url: string,
  gateways: ServerProcess[],
): Promise<[string, string, string, string]> {
  const times = new Map<string, number[]>(FLOOR_LAYERS.map((layer) => [layer, []]));
  for (let run = 0; run <= COLD_RUNS; run++) {
    for (const layer of FLOOR_LAYERS) {
      const server = startGateway({ ...env, BENCH_PERSON_ID: String(BENCH_PERSON_ID) }, [
        path.join(root, 'bench/floor-server.js'),
        layer,
      ]);
      gateways.push(server);
      const ms = await waitFor200(url, '', server, 30_000);
      if (run > 0) times.get(layer)?.push(ms);
      await server.stop();
    }
  }
  const figure = (layer: string) => fmt(median(times.get(layer) ?? []));
  log(
    `floor: one-route Fastify + pg ${figure('fastify')} ms, node:http + pg ${figure('http')} ms (medians of ${COLD_RUNS})`,
  );
  return [
    'cold start floor (floor-server.js)',
    `Fastify + pg, one route: ${figure('fastify')} ms; node:http + pg: ${figure('http')} ms`,
    '—',
    '—',
  ];
}

/**
 * How fast this machine is today, by two measures that no change of ours moves: a bare Node start
 * (the floor of any cold start) and a fixed loop of arithmetic. Machines of the same kind differ
 * (the same commit's cold start was 350 ms one day and 600 ms another), so figures from different
 * runs compare only beside these.
 */
function machineSpeed(): string {
  const launches = Array.from({ length: 5 }, () => {
    const started = performance.now();
    spawnSync(process.execPath, ['-e', '0']);
    return performance.now() - started;
  });
  const loop = spawnSync(
    process.execPath,
    [
      '-e',
      'let x = 0; const t = performance.now(); for (let i = 0; i < 3e8; i++) x += i % 7; console.log(performance.now() - t, x)',
    ],
    { encoding: 'utf8' },
  );
  const loopMs = Number(loop.stdout.split(' ')[0]);
  return `machine: bare Node start ${fmt(median(launches))} ms (median of 5), fixed CPU loop ${fmt(loopMs)} ms, load average ${loadAverage()}`;
}

/**
 * The table of figures: ours, the original's as WORKLOAD.md gives them, the target; and, when the
 * original was measured here in this run, its figure beside ours (the production-default page row).
 */
function printSummary(rows: Array<[string, string, string, string]>, original: OriginalFigures | undefined): void {
  const hereNow = (label: string) =>
    label.startsWith(`${PAGE_LABEL}, ${availableParallelism()} web`)
      ? original?.page
      : label === 'cold start'
        ? original?.cold
        : label === 'nightly job'
          ? original?.nightly
          : undefined;
  const table = rows.map(([label, ours, given, target]) =>
    original ? [label, ours, hereNow(label) ?? '—', given, target] : [label, ours, given, target],
  );
  const header = original
    ? ['measure', 'ours', 'original, here now', 'original (WORKLOAD.md)', 'target']
    : ['measure', 'ours', 'original (Django 3.2)', 'target'];
  const widths = header.map((title, i) => Math.max(title.length, ...table.map((row) => row[i]?.length ?? 0)));
  const line = (cells: string[]) => `| ${cells.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  log(line(header));
  log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const row of table) log(line(row));
}

async function main(): Promise<void> {
  const rows: Array<[string, string, string, string]> = [];
  const name = KEPT_DATABASE ?? `ssgw_bench_${process.pid}_${randomBytes(3).toString('hex')}`;
  log(
    `Benchmark (../shared/bench/WORKLOAD.md) on ${new URL(serverUrl).host}, database ${name}${KEPT_DATABASE ? ' (kept from an earlier run)' : ''}; measures: ${ONLY.join(', ')}`,
  );
  const machine = machineSpeed();
  log(machine);
  const haveWrk =
    measuring('page') && ensureInstalled('wrk', () => spawnSync('wrk', ['-v']).error === undefined, ['wrk']);

  if (!KEPT_DATABASE) await admin(`CREATE DATABASE ${name}`);
  const url = databaseUrl(name);
  const opened = await openDatabase({ kind: 'postgres', url, poolSize: 2 });
  let closed = false;
  const handle: DatabaseHandle = {
    ...opened,
    close: async () => {
      if (closed) return;
      closed = true;
      await opened.close();
    },
  };
  const gateways: ServerProcess[] = [];
  try {
    step('Data set');
    const version = await sql<{ v: string }>`SELECT current_setting('server_version') AS v`.execute(handle.db);
    log(`PostgreSQL ${version.rows[0]?.v}`);
    let started = performance.now();
    await migrateToLatest(handle.db);
    if (KEPT_DATABASE) {
      log(`migrated (${((performance.now() - started) / 1000).toFixed(1)} s); the data set was loaded before`);
    } else {
      await seedDemoData(handle.db);
      await installJobQueueSchema(handle, pino({ level: 'silent' }));
      log(`migrated and seeded (${((performance.now() - started) / 1000).toFixed(1)} s)`);
      started = performance.now();
      await generateDataset(handle.db, log);
      log(`loaded in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    }
    const facts = await datasetFacts(handle.db);
    log(
      `people ${fmt(facts.people)}, licences ${fmt(facts.licences)} (${Object.entries(facts.byStatus)
        .map(([status, n]) => `${status} ${fmt(n)}`)
        .join(', ')}), Data Managers ${fmt(facts.managers)}, storage projects ${fmt(facts.projects)}`,
    );
    log(
      `bench01: ${facts.benchLicences} licences (${facts.benchOwned} owned, ${facts.benchManaged} managed), ${facts.benchProjects} storage projects, ${facts.benchTb} TB`,
    );
    const problems = invariantProblems(facts);
    if (problems.length > 0) throw new Error(`the data set is not the reference one:\n  ${problems.join('\n  ')}`);
    log('invariants hold: 20 licences (15 owned, 5 managed), 36 storage projects, 625 TB');

    if (measuring('page')) {
      step('EXPLAIN ANALYZE of what "My storage" asks for bench01');
      await explainPage(handle);
    }

    if (measuring('lists')) {
      step(`The back office's lists of licences (${LIST_RUNS} calls each)`);
      rows.push(await measureLists(handle));
    }

    step('Building the gateway (apps/gateway/dist)');
    const build = spawnSync('npx', ['tsc', '-p', 'apps/gateway/tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
    // …and bundles it as `npm run build` does: the gateway process runs the bundle.
    const bundle = spawnSync(process.execPath, ['scripts/bundle-gateway.js'], { cwd: root, stdio: 'inherit' });
    if (bundle.status !== 0 || !existsSync(path.join(root, 'apps/gateway/dist/main.bundle.js')))
      throw new Error('the gateway did not build');
    // tsc emits even with type errors (another change in progress in the work tree): say so, and go on.
    if (build.status !== 0) log('warning: the build reported type errors; measuring the JavaScript it emitted');

    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const env = {
      NODE_ENV: 'production',
      APP_ROLE: 'web',
      DATABASE_URL: url,
      HOST: '127.0.0.1',
      PORT: String(port),
      PUBLIC_URL: `http://localhost:${port}`,
      DATA_DIR: await mkdtemp(path.join(tmpdir(), 'ssgw-bench-')),
      SESSION_SECRET: 'bench-session-secret-not-for-production-0123456789',
      CUFS_TOKEN: 'not-used-here-but-required-in-production',
      DEV_SIGN_IN: 'true',
      ALLOW_DEV_SIGN_IN: 'true',
      ALLOW_OUTBOX_MAILER: 'true',
      ALLOW_LOCAL_DOCUMENTS: 'true',
      MAIL_DRIVER: 'outbox',
      DOCUMENTS_DRIVER: 'local',
      LOG_LEVEL: 'warn',
    };

    let cookie = '';
    if (measuring('page') || measuring('cold')) {
      step(measuring('page') ? 'The page: GET /storage/ as bench01' : 'Signing bench01 in (for the cold start)');
      const gateway = startGateway(env);
      gateways.push(gateway);
      await waitFor200(`${base}/healthz`, '', gateway, 30_000);
      cookie = await signIn(base);
      const page = await fetch(`${base}/storage/`, { headers: { cookie }, redirect: 'manual' });
      const html = await page.text();
      const names = await sql<{ name: string }>`
        SELECT name FROM licences WHERE owner_person_id = ${BENCH_PERSON_ID}
         UNION SELECT l.name FROM licences l JOIN licence_managers m ON m.licence_id = l.id
         WHERE m.person_id = ${BENCH_PERSON_ID}`.execute(handle.db);
      const missing = names.rows.filter((row) => !html.includes(row.name)).map((row) => row.name);
      // The summary line with the totals (WORKLOAD.md: 20 licences, 625 TB).
      if (!html.includes('In all: 20 licences, 625 TB, annual cost at your current price £'))
        missing.push('the totals line');
      const sizeKb = Buffer.byteLength(html) / 1024;
      log(
        `status ${page.status}, ${fmt(sizeKb, 1)} KB, ${names.rows.length - missing.length} of bench01's 20 licences on it`,
      );
      if (page.status !== 200 || missing.length > 0)
        throw new Error(`GET /storage/ is not the full page (status ${page.status}; missing ${missing.join(', ')})`);

      if (measuring('page') && haveWrk) {
        // Production's default (a web process per CPU) first; then one process, since here wrk's
        // two threads share the two cores with the server, and a process waiting for a core holds
        // its connections' requests (the tail of the latency).
        rows.push(
          await measurePage(
            `${base}/storage/`,
            cookie,
            availableParallelism(),
            "WEB_CONCURRENCY's production default, one per CPU",
          ),
        );
        await gateway.stop();
        const single = startGateway({ ...env, WEB_CONCURRENCY: '1' });
        gateways.push(single);
        await waitFor200(`${base}/healthz`, '', single, 30_000);
        rows.push(await measurePage(`${base}/storage/`, cookie, 1, 'WEB_CONCURRENCY=1'));
        await single.stop();
      } else if (measuring('page')) {
        log('not measured: wrk is missing (apt-get install -y wrk)');
        rows.push([PAGE_LABEL, 'not measured (no wrk)', PAGE_ORIGINAL, PAGE_TARGET]);
      }
      await gateway.stop();
    }

    if (measuring('cold')) {
      step(`Cold start: launch → first 200 from GET /storage/ (${COLD_RUNS} runs)`);
      log(`load average ${loadAverage()}`);
      const colds: number[] = [];
      const coldCpus: number[] = [];
      for (let run = 1; run <= COLD_RUNS; run++) {
        // One process, as WORKLOAD.md times it (the page runs as production does: a process per CPU).
        const cold = startGateway({ ...env, WEB_CONCURRENCY: '1' });
        gateways.push(cold);
        const ms = await waitFor200(`${base}/storage/`, cookie, cold, 30_000);
        const cpuMs = cpuTimeMs(cold.child.pid);
        colds.push(ms);
        if (cpuMs !== undefined) coldCpus.push(cpuMs);
        log(`  run ${run}: ${fmt(ms)} ms${cpuMs === undefined ? '' : ` (CPU ${fmt(cpuMs)} ms)`}`);
        await cold.stop();
      }
      rows.push([
        'cold start',
        `${fmt(median(colds))} ms (${fmt(Math.min(...colds))}–${fmt(Math.max(...colds))})${coldCpus.length > 0 ? `, CPU ${fmt(median(coldCpus))} ms` : ''}`,
        '285 ms (262–362)',
        '< 250 ms',
      ]);
      rows.push(await coldStartFloor(env, `${base}/storage/`, gateways));
    }

    if (measuring('nightly')) {
      step(`The nightly lifecycle job as of ${DATASET_TODAY}, on a fresh copy of the data`);
      rows.push(await benchNightly(handle, name));
    }

    let original: OriginalFigures | undefined;
    if (measuring('original')) {
      step('The original technology on this machine, now: Django 3.2 + gunicorn (bench/original/)');
      original = await benchOriginal(
        `ssgw_original_${process.pid}`,
        {
          page: measuring('page') && haveWrk,
          cold: measuring('cold'),
          nightly: measuring('nightly'),
        },
        Boolean(process.env.BENCH_KEEP_DATABASE),
      );
    }

    step('Summary');
    printSummary(rows, original);
    log(machine);
  } finally {
    for (const gateway of gateways) await gateway.stop();
    await handle.close();
    if (process.env.BENCH_KEEP_DATABASE || KEPT_DATABASE) log(`kept database ${name} (BENCH_DATABASE=${name})`);
    else await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await mkdir(resultsDir, { recursive: true });
    const file = path.join(resultsDir, `bench-${new Date().toISOString().replace(/[:.]/g, '-')}.txt`);
    await writeFile(file, `${output.join('\n')}\n`);
    process.stdout.write(`\n(written to ${path.relative(root, file)})\n`);
  }
}

await main();
