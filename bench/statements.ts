import { CompiledQuery, Kysely, PGliteDialect, PostgresDialect } from 'kysely';
import type pg from 'pg';
import type { Database } from '../apps/gateway/src/database.ts';
import type { DatabaseHandle } from '../apps/gateway/src/platform/db/database.ts';

/**
 * What the benchmarks share to say how long a repository call takes and why: a Kysely on the same
 * database that records each statement it sends, EXPLAIN ANALYZE of those statements, and the
 * percentiles of repeated calls.
 */

/** The same database through a Kysely that records every statement it sends into `sent`. */
export function recordingDb(handle: DatabaseHandle, sent: CompiledQuery[]): Kysely<Database> {
  const dialect = handle.pglite
    ? new PGliteDialect({ pglite: handle.pglite })
    : new PostgresDialect({ pool: handle.pool as pg.Pool });
  return new Kysely<Database>({
    dialect,
    log: (event) => {
      if (event.level === 'query') sent.push(event.query);
    },
  });
}

export interface ExplainedStatement {
  /** The statement's first words, to tell a page query from a count. */
  sql: string;
  /** "Execution Time: 1.234 ms". */
  execution: string;
  /** The plan's node lines, without their detail lines. */
  nodes: string[];
}

/** EXPLAIN ANALYZE of each statement, run again with its parameters. */
export async function explainStatements(
  db: Kysely<Database>,
  statements: readonly CompiledQuery[],
): Promise<ExplainedStatement[]> {
  const explained: ExplainedStatement[] = [];
  for (const statement of statements) {
    const result = await db.executeQuery<{ 'QUERY PLAN': string }>(
      CompiledQuery.raw(`EXPLAIN (ANALYZE, COSTS OFF) ${statement.sql}`, [...statement.parameters]),
    );
    const lines = result.rows.map((row) => row['QUERY PLAN']);
    explained.push({
      sql: statement.sql,
      execution: lines.find((line) => line.startsWith('Execution Time')) ?? '',
      nodes: lines.filter((line) => /->|^\S/.test(line) && !/^(Planning|Execution)/.test(line)),
    });
  }
  return explained;
}

/** The p-th percentile of ascending `sorted`. */
export function percentile(sorted: readonly number[], p: number): number {
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index] ?? Number.NaN;
}

/** Calls `call` `runs` times, one after another: the p50 and p95 of its time in milliseconds. */
export async function timeCalls(runs: number, call: () => Promise<unknown>): Promise<{ p50: number; p95: number }> {
  const timings: number[] = [];
  for (let run = 0; run < runs; run++) {
    const begin = performance.now();
    await call();
    timings.push(performance.now() - begin);
  }
  timings.sort((a, b) => a - b);
  return { p50: percentile(timings, 50), p95: percentile(timings, 95) };
}
