// Schema: the transactional mail outbox. An email is a row written in the same transaction as the
// change that causes it; a `send-email` job delivers it and records the outcome on the row, so
// nothing is lost when SMTP is down and nothing is sent twice when a job runs again.
import { type Kysely, sql } from 'kysely';
import { runStatements } from './statements.ts';

export async function up(db: Kysely<unknown>): Promise<void> {
  await runStatements(db, [
    `CREATE TABLE mail_outbox (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      to_addresses text[] NOT NULL CHECK (cardinality(to_addresses) > 0),
      cc_addresses text[] NOT NULL DEFAULT '{}',
      subject text NOT NULL,
      text_body text NOT NULL,
      html_body text,
      -- the template that rendered it, for reports and the outbox viewer
      template text NOT NULL,
      status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sending', 'sent', 'failed')),
      attempts integer NOT NULL DEFAULT 0,
      last_error text,
      -- fixed at the first attempt and reused on every retry, so a receiver can drop a duplicate
      message_id text UNIQUE,
      created_at timestamptz NOT NULL DEFAULT now(),
      -- when the current claim was taken: a claim older than the lease is a crashed sender's
      sending_since timestamptz,
      sent_at timestamptz,
      CHECK ((status = 'sent') = (sent_at IS NOT NULL))
    )`,
    `CREATE INDEX mail_outbox_created_idx ON mail_outbox (created_at DESC, id DESC)`,
    // the back office's "mail not yet delivered" list stays small and fast
    `CREATE INDEX mail_outbox_unsent_idx ON mail_outbox (status, created_at) WHERE status <> 'sent'`,
  ]);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE mail_outbox`.execute(db);
}
