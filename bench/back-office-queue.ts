/**
 * The service teams' order queue with 100,000 orders: how long a page of the queue (its page query
 * and its count) and the back-office home's counts take for typical filters.
 *
 *   npx tsx bench/back-office-queue.ts                   # embedded PGlite (in memory)
 *   TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test npx tsx bench/back-office-queue.ts
 *
 * On PostgreSQL it creates a database of its own (ssgw_bench_<pid>) and drops it at the end.
 * Options (environment): BENCH_ORDERS (default 100000), BENCH_RUNS (default 50).
 *
 * Each case runs the real repository function (listOrderQueue / countOrdersNeedingAction) BENCH_RUNS
 * times and prints p50 and p95 of the whole call, then EXPLAIN ANALYZE of each SQL statement it sent
 * (the plan's node lines and the execution time).
 */
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { type CompiledQuery, type Kysely, sql } from 'kysely';
import type { Database } from '../apps/gateway/src/database.ts';
import { parseQueueFilter } from '../apps/gateway/src/modules/orders/order-queue.ts';
import {
  countOrdersNeedingAction,
  listOrderQueue,
  listQueueChoices,
} from '../apps/gateway/src/modules/orders/orders.admin.repository.ts';
import type { ServiceCode } from '../apps/gateway/src/modules/people/people.tables.ts';
import { type DatabaseHandle, openDatabase } from '../apps/gateway/src/platform/db/database.ts';
import { migrateToLatest } from '../apps/gateway/src/platform/db/migrate.ts';
import { seedDemoData } from '../apps/gateway/src/seed.ts';
import { generateOrders, generatePeople } from '../apps/gateway/test/support/order-fixtures.ts';
import { admin, databaseUrl } from './harness.ts';
import { explainStatements, percentile, recordingDb } from './statements.ts';

const ORDERS = Number(process.env.BENCH_ORDERS ?? 100_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 50);
const BATCH = 10_000;
const PEOPLE = 5_000;
const DEPARTMENTS = 150;
const serverUrl = process.env.TEST_DATABASE_URL;

function log(message: string): void {
  process.stdout.write(`${message}\n`);
}

async function openBenchDatabase(): Promise<{ handle: DatabaseHandle; engine: string; drop(): Promise<void> }> {
  if (serverUrl) {
    const name = `ssgw_bench_${process.pid}_${randomBytes(3).toString('hex')}`;
    await admin(`CREATE DATABASE ${name}`, serverUrl);
    const handle = await openDatabase({ kind: 'postgres', url: databaseUrl(name, serverUrl), poolSize: 2 });
    const version = await sql<{ v: string }>`SELECT current_setting('server_version') AS v`.execute(handle.db);
    return {
      handle,
      engine: `PostgreSQL ${version.rows[0]?.v} (database ${name})`,
      drop: () => admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`, serverUrl),
    };
  }
  const handle = await openDatabase({ kind: 'pglite' });
  const version = await sql<{ v: string }>`SELECT current_setting('server_version') AS v`.execute(handle.db);
  return { handle, engine: `PGlite (PostgreSQL ${version.rows[0]?.v}, in memory)`, drop: async () => {} };
}

async function main(): Promise<void> {
  const { handle, engine, drop } = await openBenchDatabase();
  const db = handle.db;
  try {
    log(`Back-office queue benchmark on ${engine}`);
    let started = performance.now();
    await migrateToLatest(db);
    await seedDemoData(db);
    await sql`
      INSERT INTO institutions (id, name, kind, customer_class)
      SELECT 'D' || lpad(g::text, 3, '0'), 'Generated department ' || g,
             CASE WHEN g % 10 = 0 THEN 'college' ELSE 'department' END,
             CASE WHEN g % 10 = 0 THEN 'external' ELSE 'internal' END
        FROM generate_series(1, ${DEPARTMENTS}::int) AS g`.execute(db);
    const personIds = await generatePeople(db, PEOPLE);
    const institutionIds = (await db.selectFrom('institutions').select('id').orderBy('id').execute()).map((i) => i.id);
    log(`schema, demo data, ${PEOPLE} people, ${institutionIds.length} departments: ${seconds(started)}`);

    const now = new Date();
    started = performance.now();
    for (let done = 0; done < ORDERS; done += BATCH) {
      const count = Math.min(BATCH, ORDERS - done);
      await generateOrders(db, { count, now, personIds, institutionIds, firstRow: done + 1 });
      log(
        `  generated ${(done + count).toLocaleString('en-GB')} / ${ORDERS.toLocaleString('en-GB')} orders (${seconds(started)})`,
      );
    }
    // As autovacuum would have left a table this size: statistics and the visibility map up to date.
    await sql`VACUUM ANALYZE`.execute(db);
    const spread = await sql<{ status: string; n: number }>`
      SELECT status, count(*)::int AS n FROM orders GROUP BY status ORDER BY n DESC`.execute(db);
    log(`orders by status: ${spread.rows.map((row) => `${row.status} ${row.n}`).join(', ')}`);

    const services: ServiceCode[] = ['research', 'institutional'];
    const choices = await listQueueChoices(db, services);
    const productsByService: Partial<Record<ServiceCode, string[]>> = {
      research: choices.products.filter((p) => p.service === 'research').map((p) => p.code),
      institutional: choices.products.filter((p) => p.service === 'institutional').map((p) => p.code),
    };
    const allowed = { services, productsByService, departments: choices.departments.map((d) => d.id) };

    // Real values to search for: an order waiting for approval, its buyer, and a PO number.
    const sample = await sql<{ reference: string; crsid: string; surname: string; po: string }>`
      SELECT o.reference, p.crsid, split_part(p.display_name, ' ', 2) AS surname,
             (SELECT po_number FROM payments WHERE po_number IS NOT NULL ORDER BY order_id DESC LIMIT 1) AS po
        FROM orders o JOIN people p ON p.id = o.buyer_person_id JOIN products pr ON pr.code = o.product_code
       WHERE o.status = 'awaiting-approval' AND pr.service = 'research' ORDER BY o.id LIMIT 1`.execute(db);
    const { reference, crsid, surname, po } = sample.rows[0] ?? {
      reference: 'ORD-000001',
      crsid: 'gen00001',
      surname: 'Abley',
      po: 'PO-1',
    };

    const cases: Array<[string, Record<string, string | string[]>]> = [
      ['research, needs action (the default), oldest first', { service: 'research' }],
      ['research, awaiting approval', { service: 'research', status: 'awaiting-approval' }],
      ['research, any status, page 1', { service: 'research', status: 'all' }],
      ['research, any status, page 200 (offset 4,975)', { service: 'research', status: 'all', page: '200' }],
      ['research, any status, page 1000 (offset 24,975)', { service: 'research', status: 'all', page: '1000' }],
      ['research, any status, newest first', { service: 'research', status: 'all', sort: 'newest' }],
      ['research, RDS only, completed', { service: 'research', product: 'RDS', status: 'completed' }],
      ['institutional, one department, needs action', { service: 'institutional', department: 'D007' }],
      ['institutional, one department, any status', { service: 'institutional', department: 'D007', status: 'all' }],
      ['research, waiting more than 30 days, needs action', { service: 'research', olderThan: '30' }],
      ['research, search by reference', { service: 'research', status: 'all', q: reference }],
      ['research, search by CRSid', { service: 'research', status: 'all', q: crsid }],
      [`research, search by surname ("${surname}")`, { service: 'research', status: 'all', q: surname }],
      ['research, search by a common first name ("ada", 1 in 40)', { service: 'research', status: 'all', q: 'ada' }],
      ['research, search by PO number', { service: 'research', status: 'all', q: po.toLowerCase() }],
    ];

    const sent: CompiledQuery[] = [];
    const recording = recordingDb(handle, sent);
    const results: Array<{
      name: string;
      rows: number;
      total: number;
      capped?: boolean;
      p50: number;
      p95: number;
      plans: string[];
    }> = [];
    for (const [name, query] of cases) {
      const { filter } = parseQueueFilter(query, allowed);
      const codes = productsByService[filter.service] ?? [];
      const timings: number[] = [];
      let last = { rows: 0, total: 0, capped: false };
      for (let run = 0; run < RUNS; run++) {
        const begin = performance.now();
        const page = await listOrderQueue(db, filter, codes, now);
        timings.push(performance.now() - begin);
        last = { rows: page.rows.length, total: page.total, capped: page.totalIsCapped };
      }
      sent.length = 0;
      await listOrderQueue(recording, filter, codes, now);
      const plans = await explainAll(db, sent);
      timings.sort((a, b) => a - b);
      results.push({ name, ...last, p50: percentile(timings, 50), p95: percentile(timings, 95), plans });
    }
    {
      const timings: number[] = [];
      for (let run = 0; run < RUNS; run++) {
        const begin = performance.now();
        await countOrdersNeedingAction(db, services);
        timings.push(performance.now() - begin);
      }
      sent.length = 0;
      await countOrdersNeedingAction(recording, services);
      const plans = await explainAll(db, sent);
      timings.sort((a, b) => a - b);
      results.push({
        name: 'home: needs-action counts for both services',
        rows: 0,
        total: 0,
        p50: percentile(timings, 50),
        p95: percentile(timings, 95),
        plans,
      });
    }

    log('');
    log(`${ORDERS.toLocaleString('en-GB')} orders; ${RUNS} runs each; time of the whole call (page query + count)`);
    log('');
    for (const result of results) {
      log(
        `${result.name.padEnd(56)} p50 ${result.p50.toFixed(1).padStart(7)} ms   p95 ${result.p95.toFixed(1).padStart(7)} ms   ${
          result.name.startsWith('home')
            ? ''
            : `(${result.rows} rows of ${result.capped ? 'more than ' : ''}${result.total.toLocaleString('en-GB')})`
        }`,
      );
    }
    log('');
    log('EXPLAIN ANALYZE of each statement (plan nodes and execution time):');
    for (const result of results) {
      log('');
      log(`## ${result.name}`);
      for (const plan of result.plans) log(plan);
    }
  } finally {
    await handle.close();
    await drop();
  }
}

/** EXPLAIN ANALYZE of each statement, as lines: its execution time, then its plan's nodes. */
async function explainAll(db: Kysely<Database>, statements: CompiledQuery[]): Promise<string[]> {
  return (await explainStatements(db, statements)).flatMap((statement, index) => [
    `  statement ${index + 1} (${statement.sql.startsWith('select count') ? 'count' : 'page'}): ${statement.execution}`,
    ...statement.nodes.map((node) => `    ${node}`),
  ]);
}

function seconds(since: number): string {
  return `${((performance.now() - since) / 1000).toFixed(1)} s`;
}

await main();
