// Schema: the directory (institutions, people), staff roles, and the catalogue with dated prices.
import { type Kysely, sql } from 'kysely';
import { runStatements } from './statements.ts';

export async function up(db: Kysely<unknown>): Promise<void> {
  await runStatements(db, [
    `CREATE TABLE institutions (
      id text PRIMARY KEY,
      name text NOT NULL,
      kind text NOT NULL CHECK (kind IN ('department', 'college', 'external')),
      customer_class text NOT NULL CHECK (customer_class IN ('internal', 'external'))
    )`,
    `CREATE TABLE people (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      crsid text NOT NULL UNIQUE,
      display_name text NOT NULL,
      email text NOT NULL,
      institution_id text REFERENCES institutions (id),
      status text NOT NULL DEFAULT 'current' CHECK (status IN ('current', 'left')),
      created_at timestamptz NOT NULL DEFAULT now()
    )`,
    `CREATE INDEX people_institution_idx ON people (institution_id)`,
    `CREATE INDEX people_display_name_idx ON people (lower(display_name))`,
    `CREATE TABLE staff_roles (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      person_id bigint NOT NULL REFERENCES people (id) ON DELETE CASCADE,
      role text NOT NULL CHECK (role IN ('service-admin', 'finance', 'superuser')),
      service text CHECK (service IN ('research', 'institutional')),
      granted_at timestamptz NOT NULL DEFAULT now(),
      -- a service admin works for exactly one service, the other roles span all of them
      CHECK ((role = 'service-admin') = (service IS NOT NULL))
    )`,
    `CREATE UNIQUE INDEX staff_roles_unique_idx ON staff_roles (person_id, role, coalesce(service, ''))`,
    `CREATE TABLE services (
      code text PRIMARY KEY CHECK (code IN ('research', 'institutional')),
      name text NOT NULL,
      team_name text NOT NULL,
      team_email text NOT NULL
    )`,
    `CREATE TABLE products (
      code text PRIMARY KEY,
      service text NOT NULL REFERENCES services (code),
      name text NOT NULL,
      summary text NOT NULL,
      description text NOT NULL,
      minimum_tb integer NOT NULL CHECK (minimum_tb >= 1),
      files_per_tb integer CHECK (files_per_tb > 0),
      terms_years integer[] NOT NULL CHECK (cardinality(terms_years) > 0),
      sort_order integer NOT NULL,
      active boolean NOT NULL DEFAULT true
    )`,
    `CREATE TABLE prices (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      product_code text NOT NULL REFERENCES products (code),
      customer_class text NOT NULL CHECK (customer_class IN ('internal', 'external')),
      pence_per_tb_year bigint NOT NULL CHECK (pence_per_tb_year >= 0),
      valid_from date NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (product_code, customer_class, valid_from)
    )`,
  ]);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE prices, products, services, staff_roles, people, institutions`.execute(db);
}
