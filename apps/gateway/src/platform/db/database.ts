import { existsSync, mkdirSync, readdirSync, renameSync } from 'node:fs';
import path from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import { Kysely, PGliteDialect, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { Database } from '../../database.ts';
import { LocalWrites } from './data-changes.ts';
import { preparedStatementName } from './prepared.ts';

/** A database handle or an open transaction: repositories take whichever they are given. */
export type Executor = Kysely<Database>;

export type DatabaseTarget =
  | {
      kind: 'postgres';
      url: string;
      poolSize?: number;
      /** How long to wait for a new connection before the query fails (default 5 s). */
      connectTimeoutMs?: number;
      /** How long one statement may run; none if undefined. */
      statementTimeoutMs?: number;
    }
  | { kind: 'pglite'; dataDir?: string; loadDataDir?: Blob };

export interface DatabaseHandle {
  db: Kysely<Database>;
  kind: DatabaseTarget['kind'];
  /** The PGlite instance in the embedded default, for the job queue's adapter. */
  pglite?: PGlite;
  /** The pool on PostgreSQL, for the job queue. */
  pool?: pg.Pool;
  /** Statements of this process that changed rows (data-changes.ts). */
  writes: LocalWrites;
  close(): Promise<void>;
}

const INT8 = 20;
const DATE = 1082;

/**
 * int8 carries pence and counts: read it as a number, but never silently lose precision.
 * date carries calendar dates: keep the 'YYYY-MM-DD' text so no time zone can shift it.
 */
function parseInt8(text: string): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value)) throw new RangeError(`int8 value ${text} is beyond safe integer range`);
  return value;
}
const parseDate = (text: string): string => text;

export async function openDatabase(target: DatabaseTarget): Promise<DatabaseHandle> {
  if (target.kind === 'postgres') {
    const statementTimeoutMs = target.statementTimeoutMs;
    const pool = new pg.Pool({
      connectionString: target.url,
      max: target.poolSize ?? 10,
      // Without these a server that stops answering (a failover, a paused proxy) holds every
      // request, and /readyz, for as long as TCP takes to give up: minutes.
      connectionTimeoutMillis: target.connectTimeoutMs ?? 5_000,
      // The server cancels a statement that runs too long; the client stops waiting a little later,
      // for a connection that went silent mid-query (a late answer is then discarded by pg).
      ...(statementTimeoutMs
        ? { statement_timeout: statementTimeoutMs, query_timeout: statementTimeoutMs + 5_000 }
        : {}),
      keepAlive: true,
      types: {
        getTypeParser: ((oid: number, format?: 'text' | 'binary') => {
          if (oid === INT8) return parseInt8;
          if (oid === DATE) return parseDate;
          return pg.types.getTypeParser(oid, format);
        }) as typeof pg.types.getTypeParser,
      },
    });
    // When the server drops an idle connection (restart, failover, DROP DATABASE … WITH (FORCE)
    // while the pool is still ending), pg-pool discards the client and emits 'error'; with no
    // listener that would crash the process. The next query simply opens a new connection.
    pool.on('error', () => {});
    pool.on('connect', runPreparedQueriesAsNamedStatements);
    const writes = new LocalWrites();
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }), plugins: [writes] });
    return { db, kind: 'postgres', pool, writes, close: () => db.destroy() };
  }
  if (target.dataDir) prepareDataDir(target.dataDir);
  // Loaded only here: a process on PostgreSQL (every deployed one, and the nightly job's) never
  // needs PGlite's ~1 MB of JavaScript at start.
  const { PGlite } = await import('@electric-sql/pglite');
  const pglite = await PGlite.create({
    dataDir: target.dataDir,
    loadDataDir: target.loadDataDir,
    parsers: { [INT8]: parseInt8, [DATE]: parseDate },
  });
  const writes = new LocalWrites();
  const db = new Kysely<Database>({ dialect: new PGliteDialect({ pglite }), plugins: [writes] });
  return {
    db,
    kind: 'pglite',
    pglite,
    writes,
    close: async () => {
      await db.destroy();
      if (!pglite.closed) await pglite.close();
    },
  };
}

/**
 * Opens pool connections in the background until the pool holds `count` (PostgreSQL, up to its
 * size), for a web process while it builds its app: its first page reads side by side, and each
 * read would otherwise wait for a connection of its own to be opened. All are asked for before any
 * comes back, so that the idle ones are taken and the rest opened. A connection that cannot be
 * opened is left to the queries that follow, which report it.
 */
export function openConnectionsAhead(handle: DatabaseHandle, count: number): void {
  for (let asked = 0; asked < count; asked++) {
    handle.pool?.connect().then(
      (client) => client.release(),
      () => {},
    );
  }
}

/**
 * The SQL of a preparedQuery() goes to the server as a named prepared statement: parsed and planned
 * on a connection's first run, only bound and executed after that. Any other statement is unchanged.
 */
function runPreparedQueriesAsNamedStatements(client: pg.PoolClient): void {
  const query = client.query as (...args: unknown[]) => unknown;
  client.query = function (this: pg.PoolClient, config: unknown, ...rest: unknown[]) {
    const name = typeof config === 'string' ? preparedStatementName(config) : undefined;
    if (name === undefined) return query.call(this, config, ...rest);
    return query.call(this, { name, text: config, values: rest[0] }, ...rest.slice(1));
  } as typeof client.query;
}

/**
 * An interrupted first start leaves a folder without PG_VERSION that PGlite cannot open.
 * Nothing in it can be real data, so set it aside and start again.
 */
function prepareDataDir(dataDir: string): void {
  mkdirSync(path.dirname(dataDir), { recursive: true });
  if (!existsSync(dataDir)) return;
  const half = readdirSync(dataDir).length > 0 && !existsSync(path.join(dataDir, 'PG_VERSION'));
  if (half) renameSync(dataDir, `${dataDir}.broken-${Date.now()}`);
}
