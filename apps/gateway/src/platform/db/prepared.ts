import { type Compilable, CompiledQuery } from 'kysely';
import type { Executor } from './database.ts';

/** Stands for a parameter while a prepared query is built; replaced by the caller's value at each run. */
class Placeholder {
  constructor(readonly name: string) {}
}

/** The SQL of every prepared query, and the statement name PostgreSQL knows it by. */
const statementNames = new Map<string, string>();

/**
 * The name a statement is prepared under on each PostgreSQL connection, when it is the SQL of a
 * preparedQuery(); undefined for every other statement, which is parsed and planned on each run.
 */
export function preparedStatementName(sql: string): string | undefined {
  return statementNames.get(sql);
}

/**
 * A query for the pages every signed-in request asks for (the session, the person, My storage):
 * built and compiled to SQL once, on its first run, instead of on every request; and on PostgreSQL
 * run as a named prepared statement (database.ts), so each connection parses and plans it once.
 *
 * `build` receives stand-ins for the parameters: use them only as values (`where(column, '=', p.id)`,
 * `limit(p.limit)`), never to decide the shape of the query, which is fixed at the first run.
 * The statements are few and fixed (one per call of this function at module load), so neither this
 * process nor the server ever holds more than that many.
 */
export function preparedQuery<Params extends Record<string, unknown>, Row>(
  build: (db: Executor, params: Params) => Compilable<Row>,
): (db: Executor, params: Params) => Promise<Row[]> {
  let compiled: { sql: string; slots: Array<Placeholder | { value: unknown }> } | undefined;
  return async (db, params) => {
    if (!compiled) {
      const placeholders = new Proxy({} as Params, { get: (_target, name) => new Placeholder(String(name)) });
      const query = build(db, placeholders).compile();
      compiled = {
        sql: query.sql,
        slots: query.parameters.map((value) => (value instanceof Placeholder ? value : { value })),
      };
      if (!statementNames.has(query.sql)) statementNames.set(query.sql, `ssgw_${statementNames.size + 1}`);
    }
    const parameters = compiled.slots.map((slot) => (slot instanceof Placeholder ? params[slot.name] : slot.value));
    const result = await db.executeQuery<Row>(CompiledQuery.raw(compiled.sql, parameters));
    return result.rows;
  };
}
