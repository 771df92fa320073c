import type { ColumnType, Generated } from 'kysely';

export type MailStatus = 'pending' | 'sending' | 'sent' | 'failed';

export interface MailOutboxTable {
  id: Generated<number>;
  to_addresses: string[];
  cc_addresses: Generated<string[]>;
  subject: string;
  text_body: string;
  html_body: string | null;
  /** The name of the template that rendered the message. */
  template: string;
  status: Generated<MailStatus>;
  attempts: Generated<number>;
  last_error: string | null;
  /** The Message-ID header, fixed at the first attempt and reused by every retry. */
  message_id: string | null;
  created_at: ColumnType<Date, never, never>;
  sending_since: Date | null;
  sent_at: Date | null;
}

export interface MailTables {
  mail_outbox: MailOutboxTable;
}
