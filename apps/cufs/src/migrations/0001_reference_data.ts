// Schema: the CUFS reference data the service answers from, and a record of each import.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  // One statement per call: PGlite's query path takes a single statement.
  for (const statement of [
    `CREATE TABLE cost_centres (
      code text PRIMARY KEY CHECK (code ~ '^[A-Z]{2}[A-Z0-9]{2}$'),
      name text NOT NULL,
      department_name text NOT NULL,
      status text NOT NULL CHECK (status IN ('open', 'closed')),
      valid_from date NOT NULL,
      valid_to date CHECK (valid_to >= valid_from),
      updated_at timestamptz NOT NULL DEFAULT now()
    )`,
    `CREATE TABLE sources_of_funds (
      code text PRIMARY KEY CHECK (code ~ '^[A-Z][A-Z0-9]{3}$'),
      name text NOT NULL,
      status text NOT NULL CHECK (status IN ('enabled', 'disabled')),
      valid_from date NOT NULL,
      valid_to date CHECK (valid_to >= valid_from),
      updated_at timestamptz NOT NULL DEFAULT now()
    )`,
    `CREATE TABLE awards (
      award_number text PRIMARY KEY CHECK (award_number ~ '^(RG|G)[0-9]{3,8}$'),
      title text NOT NULL,
      sponsor text NOT NULL,
      status text NOT NULL CHECK (status IN ('active', 'closed')),
      updated_at timestamptz NOT NULL DEFAULT now()
    )`,
    `CREATE TABLE projects (
      project_number text PRIMARY KEY CHECK (project_number ~ '^[A-Z0-9]{4,12}$'),
      award_number text NOT NULL REFERENCES awards (award_number),
      title text NOT NULL,
      status text NOT NULL CHECK (status IN ('active', 'closed')),
      start_date date NOT NULL,
      end_date date NOT NULL CHECK (end_date >= start_date),
      updated_at timestamptz NOT NULL DEFAULT now()
    )`,
    `CREATE INDEX projects_award_idx ON projects (award_number)`,
    `CREATE TABLE tasks (
      project_number text NOT NULL REFERENCES projects (project_number),
      task_number text NOT NULL CHECK (task_number ~ '^[0-9]{1,3}(\\.[0-9]{1,3}){0,2}$'),
      name text NOT NULL,
      status text NOT NULL CHECK (status IN ('open', 'closed')),
      updated_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (project_number, task_number)
    )`,
    `CREATE TABLE import_runs (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      source text NOT NULL,
      finished_at timestamptz NOT NULL DEFAULT now(),
      counts jsonb NOT NULL
    )`,
  ])
    await sql.raw(statement).execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE import_runs, tasks, projects, awards, sources_of_funds, cost_centres`.execute(db);
}
