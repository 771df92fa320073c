import type { ColumnType, Generated } from 'kysely';

export type PaymentMethod = 'finance-code' | 'purchase-order' | 'voucher';
export type PaymentCheckStatus = 'not-needed' | 'pending' | 'valid' | 'invalid';

export interface PaymentsTable {
  order_id: number;
  method: PaymentMethod;
  /** The code the order was paid (and is billed) with. */
  finance_code: string | null;
  /**
   * The code given for `finance_code` once it closed, paying for the order's licence from then on
   * (finance-recheck.repository.ts); `finance_code` keeps the code a billed charge was billed with.
   */
  replaced_by_code: Generated<string | null>;
  po_number: string | null;
  po_document_id: string | null;
  voucher_id: number | null;
  check_status: PaymentCheckStatus;
  check_message: string | null;
  checked_at: Date | null;
  check_attempts: Generated<number>;
}

export interface UploadedDocumentsTable {
  id: Generated<string>;
  person_id: number;
  storage_key: string;
  file_name: string;
  content_type: string;
  size_bytes: number;
  sha256: string;
  uploaded_at: ColumnType<Date, never, never>;
}

export interface VouchersTable {
  id: Generated<number>;
  code: string;
  product_code: string;
  size_tb: number;
  institution_id: string | null;
  note: Generated<string>;
  expires_on: string | null;
  issued_at: ColumnType<Date, never, never>;
  redeemed_at: Date | null;
  revoked_at: Date | null;
  revoke_reason: ColumnType<string | null, never, string | null>;
  /** The issue form's key (migration 0018): one voucher per form sent, however often. */
  issue_key: ColumnType<string | null, string | null | undefined, never>;
}

export interface PaymentsTables {
  payments: PaymentsTable;
  uploaded_documents: UploadedDocumentsTable;
  vouchers: VouchersTable;
}
