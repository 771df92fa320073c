import { existsSync, mkdirSync, readdirSync, renameSync } from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { Kysely, PGliteDialect, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { Database } from '../database.ts';

/** A database handle or an open transaction: repositories take whichever they are given. */
export type Executor = Kysely<Database>;

export type DatabaseTarget =
  | { kind: 'postgres'; url: string; poolSize?: number }
  | { kind: 'pglite'; dataDir?: string; loadDataDir?: Blob };

export interface DatabaseHandle {
  db: Executor;
  kind: DatabaseTarget['kind'];
  pglite?: PGlite;
  close(): Promise<void>;
}

const INT8 = 20;
const DATE = 1082;

// int8 carries counts: a number, never silently imprecise. date stays 'YYYY-MM-DD' text.
function parseInt8(text: string): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value)) throw new RangeError(`int8 value ${text} is beyond safe integer range`);
  return value;
}
const parseDate = (text: string): string => text;

export async function openDatabase(target: DatabaseTarget): Promise<DatabaseHandle> {
  if (target.kind === 'postgres') {
    const pool = new pg.Pool({
      connectionString: target.url,
      max: target.poolSize ?? 5,
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
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    return { db, kind: 'postgres', close: () => db.destroy() };
  }
  if (target.dataDir) prepareDataDir(target.dataDir);
  const pglite = await PGlite.create({
    dataDir: target.dataDir,
    loadDataDir: target.loadDataDir,
    parsers: { [INT8]: parseInt8, [DATE]: parseDate },
  });
  const db = new Kysely<Database>({ dialect: new PGliteDialect({ pglite }) });
  return {
    db,
    kind: 'pglite',
    pglite,
    close: async () => {
      await db.destroy();
      if (!pglite.closed) await pglite.close();
    },
  };
}

/** An interrupted first start leaves a folder PGlite cannot open; nothing in it can be real data. */
function prepareDataDir(dataDir: string): void {
  mkdirSync(path.dirname(dataDir), { recursive: true });
  if (!existsSync(dataDir)) return;
  const half = readdirSync(dataDir).length > 0 && !existsSync(path.join(dataDir, 'PG_VERSION'));
  if (half) renameSync(dataDir, `${dataDir}.broken-${Date.now()}`);
}
