/**
 * The benchmark's deterministic data set (../shared/bench/WORKLOAD.md, reference-dataset.sql) on the
 * project's own schema: 20 institutions INST01…INST20, 10,000 people u00001…u10000 and bench01,
 * 100,000 licences, their Data Managers and 1–3 storage projects each. The catalogue (RDS, RFS,
 * RCS, IFS and their prices) comes from the project's seed.
 *
 * Every "random" choice is rnd(key) = the first 32 bits of md5(key) / 2^32, with the same keys as
 * the reference script, so every load gives the same rows. All set-based: INSERT … SELECT over
 * generate_series, in slices of licence ids so the terminal shows progress.
 *
 * Ids: the reference's person i (1…10,001; 10,001 is bench01) is people.id PERSON_BASE + i, and
 * licence i is licences.id i, so the rules port unchanged and the seeded demo people keep theirs.
 */
import { performance } from 'node:perf_hooks';
import { type Kysely, sql } from 'kysely';
import type { Database } from '../apps/gateway/src/database.ts';

export const PERSON_BASE = 100_000;
export const PEOPLE = 10_000;
export const LICENCES = 100_000;
export const BENCH_CRSID = 'bench01';
export const BENCH_PERSON_ID = PERSON_BASE + PEOPLE + 1;
/** The data set's "today". */
export const DATASET_TODAY = '2026-11-01';
const SLICE = 10_000;
const BENCH_MANAGED = [10_000, 30_000, 50_000, 70_000, 90_000];

const DEPARTMENTS = [
  'Department of Physics',
  'Department of Chemistry',
  'Department of Genetics',
  'Department of Zoology',
  'Department of Plant Sciences',
  'Department of Engineering',
  'Department of Computer Science and Technology',
  'Department of Applied Mathematics and Theoretical Physics',
  'Department of Pure Mathematics and Mathematical Statistics',
  'Department of Earth Sciences',
  'Department of Geography',
  'Department of Psychology',
  'Department of Pathology',
  'Department of Pharmacology',
  'Department of Biochemistry',
  'Department of Clinical Neurosciences',
  'Department of Medicine',
  'Institute of Astronomy',
  'MRC Cancer Unit',
  'Wellcome Sanger Collaboration Unit',
];
const FIRST_NAMES =
  'Alice Ben Chloe David Emma Farhan Grace Hiro Isla James Kavya Liam Maya Noah Olivia Priya Quentin Rosa Sam Tariq Uma Victor Wen Xavier Yara Zoe Anil Beatriz Chen Dara Elena Femi'.split(
    ' ',
  );
const LAST_NAMES =
  'Smith Jones Patel Williams Brown Taylor Wilson Khan Evans Thomas Roberts Walker Wright Li Wang Zhang Hughes Green Hall Clarke Jackson Wood Turner Martin Cooper Hill Ward Morris Moore King Baker Singh'.split(
    ' ',
  );

const textArray = (items: string[]) => sql`ARRAY[${sql.join(items.map((item) => sql.lit(item)))}]::text[]`;

export type Progress = (message: string) => void;

/** A one-line bar: [#####-----] 50% licences 50,000 / 100,000 (3.1 s). */
export function bar(label: string, done: number, total: number, startedMs: number): string {
  const width = 30;
  const filled = Math.round((done / total) * width);
  const seconds = ((performance.now() - startedMs) / 1000).toFixed(1);
  return `  [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${String(Math.round((done / total) * 100)).padStart(3)}% ${label} ${done.toLocaleString('en-GB')} / ${total.toLocaleString('en-GB')} (${seconds} s)`;
}

/** Loads the data set into a migrated, seeded, otherwise empty database. */
export async function generateDataset(db: Kysely<Database>, progress: Progress): Promise<void> {
  // rnd(key), as in the reference script (a temporary function: gone with the session, so pin one connection).
  await db.connection().execute(async (conn) => {
    const started = performance.now();
    await sql`CREATE FUNCTION pg_temp.rnd(k text) RETURNS double precision LANGUAGE sql IMMUTABLE STRICT AS
      $$ SELECT ('x' || substr(md5(k), 1, 8))::bit(32)::bigint / 4294967296.0 $$`.execute(conn);

    await sql`
      INSERT INTO institutions (id, name, kind, customer_class)
      SELECT 'INST' || lpad(i::text, 2, '0'), (${textArray(DEPARTMENTS)})[i], 'department', 'internal'
        FROM generate_series(1, 20) AS i`.execute(conn);
    progress(bar('institutions', 20, 20, started));

    await sql`
      INSERT INTO people (id, crsid, display_name, email, institution_id)
      OVERRIDING SYSTEM VALUE
      SELECT ${PERSON_BASE} + i, u.crsid, u.display_name, u.crsid || '@cam.ac.uk',
             'INST' || lpad((1 + floor(pg_temp.rnd('inst' || i) * 20)::int)::text, 2, '0')
        FROM generate_series(1, ${PEOPLE + 1}::int) AS i
        CROSS JOIN LATERAL (SELECT
          CASE WHEN i = ${PEOPLE + 1} THEN ${BENCH_CRSID} ELSE 'u' || lpad(i::text, 5, '0') END AS crsid,
          CASE WHEN i = ${PEOPLE + 1} THEN 'Bench User' ELSE
            (${textArray(FIRST_NAMES)})[1 + floor(pg_temp.rnd('fn' || i) * 32)::int] || ' ' ||
            (${textArray(LAST_NAMES)})[1 + floor(pg_temp.rnd('ln' || i) * 32)::int] END AS display_name) AS u`.execute(
      conn,
    );
    await sql`SELECT setval(pg_get_serial_sequence('people', 'id'), (SELECT max(id) FROM people))`.execute(conn);
    progress(bar('people', PEOPLE + 1, PEOPLE + 1, started));

    for (let first = 1; first <= LICENCES; first += SLICE) {
      const last = Math.min(LICENCES, first + SLICE - 1);
      // Licences: 1…99,985 owned uniformly over the generated people; 99,986…100,000 by bench01.
      await sql`
        INSERT INTO licences (id, product_code, name, institution_id, owner_person_id, size_tb, start_date, end_date, status)
        OVERRIDING SYSTEM VALUE
        SELECT g.i, g.product_code, g.product_code || ' licence ' || lpad(g.i::text, 6, '0'), p.institution_id,
               g.owner_id, g.size_tb, g.start_date, (g.start_date + make_interval(years => g.years))::date, g.status
          FROM (
            SELECT i,
                   CASE WHEN r_prod < 0.40 THEN 'RDS' WHEN r_prod < 0.70 THEN 'RFS'
                        WHEN r_prod < 0.90 THEN 'RCS' ELSE 'IFS' END AS product_code,
                   ${PERSON_BASE} + CASE WHEN i > ${LICENCES - 15} THEN ${PEOPLE + 1}
                        ELSE 1 + floor(pg_temp.rnd('owner' || i) * ${PEOPLE})::int END AS owner_id,
                   1 + floor(pg_temp.rnd('size' || i) * 50)::int AS size_tb,
                   DATE '2026-11-01' - (1 + floor(pg_temp.rnd('start' || i) * 1095)::int) AS start_date,
                   1 + floor(pg_temp.rnd('years' || i) * 5)::int AS years,
                   CASE WHEN r_stat < 0.85 THEN 'active' WHEN r_stat < 0.92 THEN 'suspended'
                        WHEN r_stat < 0.97 THEN 'cold' ELSE 'cancelled' END AS status
              FROM generate_series(${first}::int, ${last}::int) AS i
              CROSS JOIN LATERAL (SELECT pg_temp.rnd('product' || i) AS r_prod,
                                         pg_temp.rnd('status' || i) AS r_stat) AS r
          ) AS g
          JOIN people AS p ON p.id = g.owner_id`.execute(conn);

      // Data Managers: 0–2 per licence, never the owner (manager k = 1 + ((owner − 1) + k·o) mod 10,000);
      // the five licences bench01 also manages get at most one other.
      await sql`
        INSERT INTO licence_managers (licence_id, person_id)
        SELECT l.id, ${PERSON_BASE} + 1 + ((l.owner_person_id - ${PERSON_BASE} - 1)
                      + k * (1 + floor(pg_temp.rnd('mgro' || l.id) * 4999)::int)) % ${PEOPLE}
          FROM licences AS l
          CROSS JOIN LATERAL generate_series(1,
              CASE WHEN l.id IN (${sql.join(BENCH_MANAGED)})
                   THEN LEAST(1, floor(pg_temp.rnd('nmgr' || l.id) * 3)::int)
                   ELSE floor(pg_temp.rnd('nmgr' || l.id) * 3)::int END) AS k
         WHERE l.id BETWEEN ${first} AND ${last}
         ORDER BY l.id, k`.execute(conn);

      // Storage projects: 1–3 per licence, quota max(1, size / n).
      await sql`
        INSERT INTO storage_projects (licence_id, name, quota_tb, status)
        SELECT l.id, lower(l.product_code) || '-proj' || l.id || '-' || k, GREATEST(1, l.size_tb / n.n), 'active'
          FROM licences AS l
          CROSS JOIN LATERAL (SELECT 1 + floor(pg_temp.rnd('nproj' || l.id) * 3)::int AS n) AS n
          CROSS JOIN LATERAL generate_series(1, n.n) AS k
         WHERE l.id BETWEEN ${first} AND ${last}
         ORDER BY l.id, k`.execute(conn);
      progress(bar('licences (with managers and projects)', last, LICENCES, started));
    }
    await sql`
      INSERT INTO licence_managers (licence_id, person_id)
      SELECT id, ${BENCH_PERSON_ID} FROM unnest(ARRAY[${sql.join(BENCH_MANAGED)}]::bigint[]) AS id`.execute(conn);
    await sql`SELECT setval(pg_get_serial_sequence('licences', 'id'), (SELECT max(id) FROM licences))`.execute(conn);
    await sql`DROP FUNCTION pg_temp.rnd(text)`.execute(conn);
  });
  // As autovacuum would have left tables this size: statistics and the visibility map up to date.
  await sql`VACUUM ANALYZE`.execute(db);
}

export interface DatasetFacts {
  people: number;
  licences: number;
  managers: number;
  projects: number;
  byStatus: Record<string, number>;
  benchOwned: number;
  benchManaged: number;
  benchLicences: number;
  benchProjects: number;
  benchTb: number;
}

export async function datasetFacts(db: Kysely<Database>): Promise<DatasetFacts> {
  const counts = await sql<{ people: number; licences: number; managers: number; projects: number }>`
    SELECT (SELECT count(*)::int FROM people WHERE id > ${PERSON_BASE}) AS people,
           (SELECT count(*)::int FROM licences) AS licences,
           (SELECT count(*)::int FROM licence_managers) AS managers,
           (SELECT count(*)::int FROM storage_projects) AS projects`.execute(db);
  const statuses = await sql<{ status: string; n: number }>`
    SELECT status, count(*)::int AS n FROM licences GROUP BY status ORDER BY n DESC`.execute(db);
  const bench = await sql<{ owned: number; managed: number; licences: number; projects: number; tb: number }>`
    WITH mine AS (
      SELECT id, size_tb, true AS owned FROM licences WHERE owner_person_id = ${BENCH_PERSON_ID}
      UNION ALL
      SELECT l.id, l.size_tb, false FROM licence_managers m JOIN licences l ON l.id = m.licence_id
       WHERE m.person_id = ${BENCH_PERSON_ID})
    SELECT count(*) FILTER (WHERE owned)::int AS owned, count(*) FILTER (WHERE NOT owned)::int AS managed,
           count(DISTINCT id)::int AS licences, coalesce(sum(size_tb), 0)::int AS tb,
           (SELECT count(*)::int FROM storage_projects WHERE licence_id IN (SELECT id FROM mine)) AS projects
      FROM mine`.execute(db);
  const c = counts.rows[0];
  const b = bench.rows[0];
  if (!c || !b) throw new Error('the data set could not be counted');
  return {
    ...c,
    byStatus: Object.fromEntries(statuses.rows.map((row) => [row.status, row.n])),
    benchOwned: b.owned,
    benchManaged: b.managed,
    benchLicences: b.licences,
    benchProjects: b.projects,
    benchTb: b.tb,
  };
}

/** WORKLOAD.md's invariants: bench01 sees exactly 20 licences (15 owned, 5 managed), 36 projects, 625 TB. */
export function invariantProblems(facts: DatasetFacts): string[] {
  const expected: Array<[string, number, number]> = [
    ['generated people', facts.people, PEOPLE + 1],
    ['licences', facts.licences, LICENCES],
    ["bench01's licences", facts.benchLicences, 20],
    ['owned by bench01', facts.benchOwned, 15],
    ['managed by bench01', facts.benchManaged, 5],
    ["bench01's storage projects", facts.benchProjects, 36],
    ["bench01's TB", facts.benchTb, 625],
  ];
  return expected
    .filter(([, actual, wanted]) => actual !== wanted)
    .map(([what, actual, wanted]) => `${what}: ${actual}, expected ${wanted}`);
}
