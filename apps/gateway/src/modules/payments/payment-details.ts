import type { FieldErrors } from '../../platform/web/components.tsx';
import { describeFinanceCode, type FinanceCode, parseGlCode, parseGrant } from './finance-code.ts';
import type { PaymentCheckStatus, PaymentMethod } from './payments.tables.ts';

/**
 * The payment step's answers, checked for shape only (pure). Whether a finance code is open is
 * CUFS's answer; whether a voucher is unused is the database's; whether a file is a PDF is its bytes'.
 */
export type PaymentDetails =
  | { method: 'finance-code'; code: FinanceCode; text: string }
  | { method: 'purchase-order'; poNumber: string }
  | { method: 'voucher'; voucherCode: string };

export const PAYMENT_METHOD_NAMES: Record<PaymentMethod, string> = {
  'finance-code': 'University finance code',
  'purchase-order': 'Purchase order',
  voucher: 'Voucher',
};

/** Vouchers are issued for institutional storage only. */
export function paymentMethodsFor(service: 'research' | 'institutional'): PaymentMethod[] {
  return service === 'institutional'
    ? ['purchase-order', 'finance-code', 'voucher']
    : ['finance-code', 'purchase-order'];
}

const PO_NUMBER = /^[A-Z0-9][A-Z0-9/-]{3,19}$/;
const VOUCHER_CODE = /^[A-Z0-9][A-Z0-9-]{5,39}$/;
/** An award, a project and a task: "RG94772 / PHAG0042 / 1.1", or separated by spaces. */
const GRANT_SHAPE = /^\s*(R?G\d+)\s*[/\s]\s*([A-Za-z0-9]+)\s*[/\s]\s*([\d.]+)\s*$/i;

export interface RawPaymentDetails {
  method?: string;
  financeCode?: string;
  poNumber?: string;
  voucherCode?: string;
}

export type ParsedPayment = { ok: true; value: PaymentDetails } | { ok: false; errors: FieldErrors };

/** A payment method in a sentence: "a University finance code". */
const PAYMENT_METHOD_PHRASES: Record<PaymentMethod, string> = {
  'finance-code': 'a University finance code',
  'purchase-order': 'a purchase order',
  voucher: 'a voucher',
};

/** A method that exists but not for this order (a voucher for research storage): say so, and what can pay. */
function methodProblem(method: string | undefined, allowed: PaymentMethod[]): string {
  const known = (Object.keys(PAYMENT_METHOD_PHRASES) as PaymentMethod[]).find((candidate) => candidate === method);
  if (!known || allowed.length === 0) return 'Choose how you will pay';
  const phrase = PAYMENT_METHOD_PHRASES[known];
  const others = allowed.map((candidate) => PAYMENT_METHOD_PHRASES[candidate]);
  return `${phrase[0]?.toUpperCase()}${phrase.slice(1)} cannot pay for this order: pay with ${others.join(' or ')}`;
}

export function parsePaymentDetails(raw: RawPaymentDetails, allowed: PaymentMethod[]): ParsedPayment {
  const method = allowed.find((candidate) => candidate === raw.method);
  if (!method) return { ok: false, errors: { method: methodProblem(raw.method, allowed) } };
  if (method === 'finance-code') return parseFinanceCodeText(raw.financeCode ?? '');
  if (method === 'purchase-order') {
    const poNumber = (raw.poNumber ?? '').trim().toUpperCase();
    if (!poNumber) return { ok: false, errors: { poNumber: 'Enter the purchase order number' } };
    if (!PO_NUMBER.test(poNumber))
      return {
        ok: false,
        errors: {
          poNumber: 'A purchase order number is 4 to 20 letters, digits, hyphens or slashes, for example P1234567',
        },
      };
    return { ok: true, value: { method, poNumber } };
  }
  const voucherCode = (raw.voucherCode ?? '').trim().toUpperCase();
  if (!voucherCode) return { ok: false, errors: { voucherCode: 'Enter the voucher code' } };
  if (!VOUCHER_CODE.test(voucherCode))
    return {
      ok: false,
      errors: { voucherCode: 'Enter the voucher code as it was given to you, for example IFS-CHEM-2026' },
    };
  return { ok: true, value: { method, voucherCode } };
}

/** A GL code (PHAA.GAAA) or a grant (RG94772 / PHAG0042 / 1.1), in one field as people copy them. */
export function parseFinanceCodeText(text: string): ParsedPayment {
  const trimmed = text.trim();
  if (!trimmed) return { ok: false, errors: { financeCode: 'Enter the finance code that pays for the storage' } };
  const grant = GRANT_SHAPE.exec(trimmed);
  if (grant) {
    const parsed = parseGrant({ award: grant[1], project: grant[2], task: grant[3] });
    if (!parsed.ok) return { ok: false, errors: { financeCode: parsed.problems.map((p) => p.message).join('. ') } };
    const code: FinanceCode = { kind: 'grant', ...parsed.value };
    return { ok: true, value: { method: 'finance-code', code, text: describeFinanceCode(code) } };
  }
  const parsed = parseGlCode(trimmed);
  if (!parsed.ok) return { ok: false, errors: { financeCode: parsed.problems.map((p) => p.message).join('. ') } };
  const code: FinanceCode = { kind: 'gl', ...parsed.value };
  return { ok: true, value: { method: 'finance-code', code, text: describeFinanceCode(code) } };
}

/** What a customer reads for a payment's finance-code check: the order page's words and its history's. */
export const PAYMENT_CHECK_WORDS: Record<PaymentCheckStatus, string> = {
  'not-needed': 'No check needed',
  pending: 'Waiting to be checked with the University Financial System',
  valid: 'Checked and open',
  invalid: 'Refused',
};
