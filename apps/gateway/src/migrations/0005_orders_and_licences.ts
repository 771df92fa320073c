// Schema: buying storage. Licences with their people and storage projects; quotes; orders with
// the price and terms frozen on them; payments (finance code, purchase order, voucher) and the
// uploaded PO documents; vouchers; the terms each service publishes; personal access tokens for
// the API; and the audit trail every state change writes in its own transaction.
import { type Kysely, sql } from 'kysely';
import { runStatements } from './statements.ts';

export async function up(db: Kysely<unknown>): Promise<void> {
  await runStatements(db, [
    `CREATE TABLE audit_events (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      occurred_at timestamptz NOT NULL DEFAULT now(),
      -- empty when the system acted (a background job); actor_label says which
      actor_person_id bigint REFERENCES people (id),
      actor_label text NOT NULL,
      entity_type text NOT NULL,
      entity_id text NOT NULL,
      action text NOT NULL,
      before jsonb,
      after jsonb,
      -- so a customer's licence page can show the part of the trail about their licence
      licence_id bigint
    )`,
    `CREATE INDEX audit_events_entity_idx ON audit_events (entity_type, entity_id, id)`,
    `CREATE INDEX audit_events_licence_idx ON audit_events (licence_id, id) WHERE licence_id IS NOT NULL`,

    `CREATE TABLE terms_versions (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      service text NOT NULL REFERENCES services (code),
      version text NOT NULL,
      title text NOT NULL,
      -- the terms themselves, as paragraphs separated by blank lines
      body text NOT NULL,
      published_on date NOT NULL,
      UNIQUE (service, version)
    )`,

    `CREATE TABLE licences (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      product_code text NOT NULL REFERENCES products (code),
      name text NOT NULL,
      institution_id text NOT NULL REFERENCES institutions (id),
      owner_person_id bigint NOT NULL REFERENCES people (id),
      size_tb integer NOT NULL CHECK (size_tb > 0),
      -- set when the storage is provisioned
      start_date date,
      end_date date,
      status text NOT NULL DEFAULT 'pending'
        CHECK (status IN ('pending', 'active', 'suspended', 'cold', 'deletable', 'deleted', 'cancelled')),
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      CHECK (end_date IS NULL OR start_date IS NULL OR end_date > start_date)
    )`,
    `CREATE INDEX licences_owner_idx ON licences (owner_person_id)`,
    `CREATE INDEX licences_institution_idx ON licences (institution_id)`,
    `CREATE INDEX licences_status_end_idx ON licences (status, end_date)`,
    `CREATE TABLE licence_managers (
      licence_id bigint NOT NULL REFERENCES licences (id) ON DELETE CASCADE,
      person_id bigint NOT NULL REFERENCES people (id),
      added_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (licence_id, person_id)
    )`,
    `CREATE INDEX licence_managers_person_idx ON licence_managers (person_id)`,
    `CREATE TABLE storage_projects (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      licence_id bigint NOT NULL REFERENCES licences (id) ON DELETE CASCADE,
      name text NOT NULL,
      quota_tb integer NOT NULL CHECK (quota_tb > 0),
      status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'active', 'removed')),
      created_at timestamptz NOT NULL DEFAULT now()
    )`,
    `CREATE UNIQUE INDEX storage_projects_name_idx ON storage_projects (licence_id, lower(name))`,
    `CREATE TABLE storage_project_members (
      project_id bigint NOT NULL REFERENCES storage_projects (id) ON DELETE CASCADE,
      person_id bigint NOT NULL REFERENCES people (id),
      role text NOT NULL CHECK (role IN ('project-data-manager', 'project-data-user')),
      added_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (project_id, person_id, role)
    )`,
    `CREATE INDEX storage_project_members_person_idx ON storage_project_members (person_id)`,

    `CREATE SEQUENCE quote_reference_seq`,
    `CREATE TABLE quotes (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      reference text NOT NULL UNIQUE DEFAULT ('Q-' || lpad(nextval('quote_reference_seq')::text, 6, '0')),
      person_id bigint NOT NULL REFERENCES people (id),
      product_code text NOT NULL REFERENCES products (code),
      institution_id text NOT NULL REFERENCES institutions (id),
      customer_class text NOT NULL CHECK (customer_class IN ('internal', 'external')),
      licence_name text NOT NULL,
      size_tb integer NOT NULL CHECK (size_tb > 0),
      term_years integer NOT NULL CHECK (term_years > 0),
      pence_per_tb_year bigint NOT NULL CHECK (pence_per_tb_year >= 0),
      price_valid_from date NOT NULL,
      net_pence bigint NOT NULL CHECK (net_pence >= 0),
      vat_pence bigint NOT NULL CHECK (vat_pence >= 0),
      total_pence bigint NOT NULL CHECK (total_pence = net_pence + vat_pence),
      issued_on date NOT NULL,
      valid_until date NOT NULL CHECK (valid_until >= issued_on),
      created_at timestamptz NOT NULL DEFAULT now()
    )`,
    `CREATE INDEX quotes_person_idx ON quotes (person_id, id DESC)`,

    `CREATE TABLE uploaded_documents (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      -- who uploaded it: until an order uses it, only they may use or read it
      person_id bigint NOT NULL REFERENCES people (id),
      storage_key text NOT NULL UNIQUE,
      file_name text NOT NULL,
      content_type text NOT NULL,
      size_bytes bigint NOT NULL CHECK (size_bytes > 0),
      sha256 text NOT NULL,
      uploaded_at timestamptz NOT NULL DEFAULT now()
    )`,
    `CREATE INDEX uploaded_documents_person_idx ON uploaded_documents (person_id)`,

    `CREATE TABLE vouchers (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      code text NOT NULL UNIQUE,
      product_code text NOT NULL REFERENCES products (code),
      -- the most TB it pays for
      size_tb integer NOT NULL CHECK (size_tb > 0),
      -- the department it was issued to; empty means any department
      institution_id text REFERENCES institutions (id),
      note text NOT NULL DEFAULT '',
      expires_on date,
      issued_at timestamptz NOT NULL DEFAULT now(),
      redeemed_at timestamptz,
      revoked_at timestamptz
    )`,

    `CREATE SEQUENCE order_reference_seq`,
    `CREATE TABLE orders (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      reference text NOT NULL UNIQUE DEFAULT ('ORD-' || lpad(nextval('order_reference_seq')::text, 6, '0')),
      kind text NOT NULL CHECK (kind IN ('new', 'increase', 'renewal', 'recovery', 'cancellation')),
      status text NOT NULL CHECK (status IN ('submitted', 'awaiting-payment-check', 'awaiting-approval', 'approved',
        'provisioning', 'completed', 'rejected', 'cancelled', 'provisioning-failed')),
      -- what the buyer sees beside the status: a rejection or cancellation reason
      status_reason text,
      licence_id bigint NOT NULL REFERENCES licences (id),
      buyer_person_id bigint NOT NULL REFERENCES people (id),
      product_code text NOT NULL REFERENCES products (code),
      institution_id text NOT NULL REFERENCES institutions (id),
      customer_class text NOT NULL CHECK (customer_class IN ('internal', 'external')),
      size_tb integer NOT NULL CHECK (size_tb > 0),
      term_years integer NOT NULL CHECK (term_years > 0),
      -- the price frozen at submission: a later price change never alters a submitted order
      pence_per_tb_year bigint NOT NULL CHECK (pence_per_tb_year >= 0),
      price_valid_from date NOT NULL,
      net_pence bigint NOT NULL CHECK (net_pence >= 0),
      vat_pence bigint NOT NULL CHECK (vat_pence >= 0),
      total_pence bigint NOT NULL CHECK (total_pence = net_pence + vat_pence),
      quote_id bigint REFERENCES quotes (id),
      terms_version_id bigint NOT NULL REFERENCES terms_versions (id),
      terms_accepted_at timestamptz NOT NULL,
      -- one per check-your-answers page: a form submitted twice makes one order
      submission_key uuid NOT NULL UNIQUE,
      submitted_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    )`,
    `CREATE INDEX orders_buyer_idx ON orders (buyer_person_id, id DESC)`,
    `CREATE INDEX orders_licence_idx ON orders (licence_id, id DESC)`,
    `CREATE INDEX orders_status_idx ON orders (status, submitted_at)`,

    `CREATE TABLE payments (
      order_id bigint PRIMARY KEY REFERENCES orders (id),
      method text NOT NULL CHECK (method IN ('finance-code', 'purchase-order', 'voucher')),
      finance_code text,
      po_number text,
      po_document_id uuid UNIQUE REFERENCES uploaded_documents (id),
      -- not unique: a cancelled order gives its voucher back (vouchers.redeemed_at is the single-use guard)
      voucher_id bigint REFERENCES vouchers (id),
      -- the CUFS answer for a finance code; not-needed for the other methods
      check_status text NOT NULL CHECK (check_status IN ('not-needed', 'pending', 'valid', 'invalid')),
      check_message text,
      checked_at timestamptz,
      check_attempts integer NOT NULL DEFAULT 0,
      CHECK ((method = 'finance-code') = (finance_code IS NOT NULL)),
      CHECK ((method = 'purchase-order') = (po_number IS NOT NULL AND po_document_id IS NOT NULL)),
      CHECK ((method = 'voucher') = (voucher_id IS NOT NULL))
    )`,
    `CREATE INDEX payments_po_number_idx ON payments (lower(po_number)) WHERE po_number IS NOT NULL`,
    `CREATE INDEX payments_check_idx ON payments (check_status) WHERE check_status IN ('pending', 'invalid')`,

    `CREATE TABLE personal_access_tokens (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      person_id bigint NOT NULL REFERENCES people (id) ON DELETE CASCADE,
      name text NOT NULL,
      -- SHA-256 of the token: the token itself is shown once and never stored
      token_hash text NOT NULL UNIQUE,
      -- the last characters, so a person can tell their tokens apart
      token_hint text NOT NULL,
      expires_on date NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      last_used_at timestamptz,
      revoked_at timestamptz
    )`,
    `CREATE INDEX personal_access_tokens_person_idx ON personal_access_tokens (person_id)`,
  ]);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE personal_access_tokens, payments, orders, vouchers, uploaded_documents, quotes,
    storage_project_members, storage_projects, licence_managers, licences, terms_versions, audit_events`.execute(db);
  await sql`DROP SEQUENCE order_reference_seq, quote_reference_seq`.execute(db);
}
