import type {
  KyselyPlugin,
  PluginTransformQueryArgs,
  PluginTransformResultArgs,
  QueryResult,
  RootOperationNode,
  UnknownRow,
} from 'kysely';
import pg from 'pg';
import type { DatabaseHandle } from './database.ts';

/** The channel migration 0016's triggers notify when page data commits or a session ends. */
export const DATA_CHANGES_CHANNEL = 'ssgw_data_changes';
const RECONNECT_MS = 1_000;

/**
 * Tells a web process, as each commit happens, that data it may hold in memory (the sessions it
 * read recently, session-store.ts) has changed. Memory may be trusted only while `live`: from the
 * moment LISTEN is in place until the connection is lost, when every listener is told at once.
 */
export interface DataChanges {
  readonly live: boolean;
  /** Called on every change, and when the feed is lost (forget everything then). */
  subscribe(listener: () => void): void;
  close(): Promise<void>;
}

/**
 * Tells, as each statement of this process that changed rows returns, that it did: the process's
 * own writes are known at once, before the commit's notification comes back (which also follows
 * for writes of a transaction, at their commit).
 */
export class LocalWrites implements KyselyPlugin {
  readonly #listeners: Array<() => void> = [];

  subscribe(listener: () => void): void {
    this.#listeners.push(listener);
  }

  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    return args.node;
  }

  async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    if ((args.result.numAffectedRows ?? 0n) > 0n) for (const listener of this.#listeners) listener();
    return args.result;
  }
}

export async function listenForDataChanges(handle: DatabaseHandle): Promise<DataChanges> {
  const listeners: Array<() => void> = [];
  const tell = () => {
    for (const listener of listeners) listener();
  };
  handle.writes.subscribe(tell);
  if (handle.pglite) {
    const unsubscribe = await handle.pglite.listen(DATA_CHANGES_CHANNEL, tell);
    return { live: true, subscribe: (listener) => listeners.push(listener), close: unsubscribe };
  }
  if (!handle.pool) throw new Error('listenForDataChanges: no database connection');
  return postgresChanges(handle.pool.options.connectionString, listeners, tell);
}

/** A LISTEN connection of its own, opened again a second after it is lost. */
function postgresChanges(
  connectionString: string | undefined,
  listeners: Array<() => void>,
  tell: () => void,
): DataChanges {
  let client: pg.Client | undefined;
  let closed = false;
  let timer: NodeJS.Timeout | undefined;
  const state = { live: false };
  const lost = () => {
    if (!state.live && client === undefined) return;
    state.live = false;
    client = undefined;
    tell();
    if (!closed) timer = setTimeout(connect, RECONNECT_MS);
  };
  async function connect(): Promise<void> {
    const next = new pg.Client({ connectionString });
    next.on('error', () => lost());
    next.on('end', () => lost());
    next.on('notification', tell);
    try {
      await next.connect();
      await next.query(`LISTEN ${DATA_CHANGES_CHANNEL}`);
      client = next;
      state.live = true;
    } catch {
      await next.end().catch(() => {});
      if (!closed) timer = setTimeout(connect, RECONNECT_MS);
    }
  }
  // Not awaited: a process starts without it, reading every session until it is live.
  void connect();
  return {
    get live() {
      return state.live;
    },
    subscribe: (listener) => listeners.push(listener),
    close: async () => {
      closed = true;
      clearTimeout(timer);
      state.live = false;
      await client?.end().catch(() => {});
    },
  };
}
