import { sql } from 'kysely';
import type { ImportCounts } from '../../database.ts';
import type { Executor } from '../../platform/database.ts';
import { DATASET_COLUMNS, DATASETS, type Dataset, ExtractError, type ReferenceDataConnector } from './connector.ts';
import { DATASET_KEYS, type ReferenceRows, recordSchemas } from './record-schemas.ts';

export interface BadRow {
  source: string;
  /** 0 when the fault is the whole source (e.g. a missing file). */
  line: number;
  message: string;
}

export type ImportProgress =
  | { phase: 'reading'; source: string; rows: number; finished: boolean }
  | { phase: 'writing'; dataset: Dataset; written: number; total: number };

export type ImportOutcome = { ok: true; counts: ImportCounts } | { ok: false; badRows: BadRow[] };

const BATCH_SIZE = 500;
const PROGRESS_EVERY = 1_000;

type Located<T> = { line: number; row: T };
type LocatedRows = { [D in Dataset]: Located<ReferenceRows[D][number]>[] };

/**
 * Loads a complete set of extracts: every row of every data set is checked first, and only a set
 * with no bad rows is written, in one transaction. Rows are upserted and a row that has not changed
 * is not touched, so importing the same extracts twice changes nothing. (Rows missing from an
 * extract are kept: CUFS closes codes rather than deleting them.)
 */
export async function importReferenceData(
  db: Executor,
  connector: ReferenceDataConnector,
  onProgress: (progress: ImportProgress) => void = () => {},
): Promise<ImportOutcome> {
  const badRows: BadRow[] = [];
  const located = {} as LocatedRows;
  for (const dataset of DATASETS) {
    located[dataset] = (await readDataset(connector, dataset, badRows, onProgress)) as never;
  }
  // A reference into a data set that has bad rows cannot be judged: report those rows first.
  const faulty = new Set(badRows.map((bad) => bad.source));
  badRows.push(...(await danglingReferences(db, connector, located, faulty)));
  badRows.push(...(await emptyFirstLoads(db, connector, located, faulty)));
  if (badRows.length > 0) return { ok: false, badRows: badRows.sort(bySourceOrder(connector)) };

  const counts: ImportCounts = {};
  await db.transaction().execute(async (trx) => {
    for (const dataset of DATASETS) {
      const rows = located[dataset].map((entry) => entry.row as Record<string, unknown>);
      counts[dataset] = await upsert(trx, dataset, rows, (written) =>
        onProgress({ phase: 'writing', dataset, written, total: rows.length }),
      );
    }
    await trx
      .insertInto('import_runs')
      .values({ source: connector.description, counts: JSON.stringify(counts) })
      .execute();
  });
  return { ok: true, counts };
}

async function readDataset(
  connector: ReferenceDataConnector,
  dataset: Dataset,
  badRows: BadRow[],
  onProgress: (progress: ImportProgress) => void,
): Promise<Located<Record<string, unknown>>[]> {
  const source = connector.sourceName(dataset);
  const schema = recordSchemas[dataset];
  const keys = DATASET_KEYS[dataset] as string[];
  const firstLineOfKey = new Map<string, number>();
  const rows: Located<Record<string, unknown>>[] = [];
  let count = 0;
  try {
    for await (const record of connector.read(dataset)) {
      count++;
      if (count % PROGRESS_EVERY === 0) onProgress({ phase: 'reading', source, rows: count, finished: false });
      if (record.problem) {
        badRows.push({ source, line: record.line, message: record.problem });
        continue;
      }
      const parsed = schema.safeParse(record.values);
      if (!parsed.success) {
        for (const issue of parsed.error.issues) {
          const column = String(issue.path[0] ?? '');
          const given = record.values[column];
          const shown = given === undefined ? '' : ` (got ${given === '' ? 'nothing' : JSON.stringify(given)})`;
          badRows.push({ source, line: record.line, message: `${column} ${issue.message}${shown}` });
        }
        continue;
      }
      const row = parsed.data as Record<string, unknown>;
      const key = keys.map((column) => String(row[column])).join(' / ');
      const earlier = firstLineOfKey.get(key);
      if (earlier !== undefined) {
        badRows.push({
          source,
          line: record.line,
          message: `${keys.join(' / ')} ${key} is already on line ${earlier}`,
        });
        continue;
      }
      firstLineOfKey.set(key, record.line);
      rows.push({ line: record.line, row });
    }
  } catch (error) {
    if (!(error instanceof ExtractError)) throw error;
    badRows.push({ source: error.source, line: error.line, message: error.message });
  }
  onProgress({ phase: 'reading', source, rows: count, finished: true });
  return rows;
}

/** A project's award and a task's project must be in these extracts or already loaded. */
async function danglingReferences(
  db: Executor,
  connector: ReferenceDataConnector,
  located: LocatedRows,
  faultySources: Set<string>,
): Promise<BadRow[]> {
  const badRows: BadRow[] = [];
  const checkAwards = !faultySources.has(connector.sourceName('awards'));
  const checkProjects = !faultySources.has(connector.sourceName('projects'));
  const awards = new Set(located.awards.map(({ row }) => row.award_number));
  const projects = new Set(located.projects.map(({ row }) => row.project_number));
  const missingAwards = [...new Set(located.projects.map(({ row }) => row.award_number))].filter((a) => !awards.has(a));
  const missingProjects = [...new Set(located.tasks.map(({ row }) => row.project_number))].filter(
    (p) => !projects.has(p),
  );
  if (missingAwards.length > 0) {
    const loaded = await db
      .selectFrom('awards')
      .select('award_number')
      .where('award_number', 'in', missingAwards)
      .execute();
    for (const { award_number } of loaded) awards.add(award_number);
  }
  if (missingProjects.length > 0) {
    const loaded = await db
      .selectFrom('projects')
      .select('project_number')
      .where('project_number', 'in', missingProjects)
      .execute();
    for (const { project_number } of loaded) projects.add(project_number);
  }
  for (const { line, row } of checkAwards ? located.projects : [])
    if (!awards.has(row.award_number))
      badRows.push({
        source: connector.sourceName('projects'),
        line,
        message: `award_number ${row.award_number} is not in awards and not already loaded`,
      });
  for (const { line, row } of checkProjects ? located.tasks : [])
    if (!projects.has(row.project_number))
      badRows.push({
        source: connector.sourceName('tasks'),
        line,
        message: `project_number ${row.project_number} is not in projects and not already loaded`,
      });
  return badRows;
}

/**
 * A data set with no rows while none of it is loaded yet: the import would make the service ready
 * (it answers once an import has run) while it knows no code of that kind, so every such code
 * would be answered unknown, which a caller takes for closed. A later extract without rows is
 * harmless (rows missing from an extract are kept).
 */
async function emptyFirstLoads(
  db: Executor,
  connector: ReferenceDataConnector,
  located: LocatedRows,
  faultySources: Set<string>,
): Promise<BadRow[]> {
  const badRows: BadRow[] = [];
  for (const dataset of DATASETS) {
    const source = connector.sourceName(dataset);
    if (located[dataset].length > 0 || faultySources.has(source)) continue;
    const loaded = await db.selectFrom(dataset).select(sql<number>`1`.as('one')).limit(1).executeTakeFirst();
    if (!loaded) badRows.push({ source, line: 0, message: `${source} has no rows, and no ${dataset} are loaded yet` });
  }
  return badRows;
}

/**
 * INSERT … ON CONFLICT DO UPDATE … WHERE something differs: an unchanged row is neither rewritten
 * nor returned, and `xmax = 0` tells a fresh insert from an update among those that are.
 */
async function upsert(
  trx: Executor,
  dataset: Dataset,
  rows: Record<string, unknown>[],
  onBatch: (written: number) => void,
): Promise<{ inserted: number; updated: number; unchanged: number }> {
  const keys = DATASET_KEYS[dataset] as string[];
  const columns = [...DATASET_COLUMNS[dataset]];
  const values = columns.filter((column) => !keys.includes(column));
  const table = sql.table(dataset);
  const counts = { inserted: 0, updated: 0, unchanged: 0 };
  for (let start = 0; start < rows.length; start += BATCH_SIZE) {
    const batch = rows.slice(start, start + BATCH_SIZE);
    const result = await sql<{ inserted: boolean }>`
      INSERT INTO ${table} (${sql.join(columns.map((c) => sql.ref(c)))})
      VALUES ${sql.join(batch.map((row) => sql`(${sql.join(columns.map((c) => row[c] ?? null))})`))}
      ON CONFLICT (${sql.join(keys.map((c) => sql.ref(c)))}) DO UPDATE SET
        ${sql.join(values.map((c) => sql`${sql.ref(c)} = excluded.${sql.ref(c)}`))},
        updated_at = now()
      WHERE (${sql.join(values.map((c) => sql`${table}.${sql.ref(c)}`))})
        IS DISTINCT FROM (${sql.join(values.map((c) => sql`excluded.${sql.ref(c)}`))})
      RETURNING (xmax = 0) AS inserted`.execute(trx);
    const inserted = result.rows.filter((row) => row.inserted).length;
    counts.inserted += inserted;
    counts.updated += result.rows.length - inserted;
    counts.unchanged += batch.length - result.rows.length;
    onBatch(Math.min(start + BATCH_SIZE, rows.length));
  }
  return counts;
}

function bySourceOrder(connector: ReferenceDataConnector): (a: BadRow, b: BadRow) => number {
  const order = DATASETS.map((dataset) => connector.sourceName(dataset));
  return (a, b) => order.indexOf(a.source) - order.indexOf(b.source) || a.line - b.line;
}
