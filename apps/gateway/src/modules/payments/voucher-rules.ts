import { randomInt } from 'node:crypto';
import type { FieldErrors } from '../../platform/web/components.tsx';
import { compareDays, DATE_HINT, parseCalendarDate, parseWholeNumber } from '../admin/manage-forms.ts';
import { sizeText } from '../catalogue/sizes.ts';
import { MAXIMUM_TB } from '../orders/purchase-configuration.ts';
import { formatDay } from '../quotes/quote-rules.ts';

/**
 * Vouchers as the service team issues them (pure): the code, what state a voucher is in, and the
 * issue form's rules. Whether a voucher can pay for an order is voucherProblem in
 * vouchers.repository.ts, which the purchase uses.
 */

/** Letters and digits that cannot be mistaken for one another when read out or typed: no 0/O, 1/I/L. */
export const VOUCHER_CODE_ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';

/**
 * A new code such as IFS-7KQM-X3TD: the product, then 8 characters drawn uniformly from the
 * alphabet by a cryptographic random source (31^8, about 8.5 × 10^11 codes per product).
 */
export function generateVoucherCode(productCode: string, pick: (below: number) => number = randomInt): string {
  const characters = Array.from({ length: 8 }, () => {
    const index = pick(VOUCHER_CODE_ALPHABET.length);
    const character = VOUCHER_CODE_ALPHABET[index];
    if (character === undefined) throw new RangeError(`no character at ${index}`);
    return character;
  });
  return `${productCode.toUpperCase()}-${characters.slice(0, 4).join('')}-${characters.slice(4).join('')}`;
}

export type VoucherStatus = 'unused' | 'used' | 'revoked' | 'expired';

export const VOUCHER_STATUSES: readonly VoucherStatus[] = ['unused', 'used', 'revoked', 'expired'];

export const VOUCHER_STATUS_WORDS: Record<VoucherStatus, string> = {
  unused: 'Unused',
  used: 'Used',
  revoked: 'Withdrawn',
  expired: 'Expired',
};

/** Withdrawn before anything else, then used, then past its expiry day; otherwise still unused. */
export function voucherStatus(
  voucher: { revokedAt: Date | null; redeemedAt: Date | null; expiresOn: string | null },
  today: string,
): VoucherStatus {
  if (voucher.revokedAt) return 'revoked';
  if (voucher.redeemedAt) return 'used';
  if (voucher.expiresOn && compareDays(voucher.expiresOn, today) < 0) return 'expired';
  return 'unused';
}

export interface VoucherIssue {
  productCode: string;
  sizeTb: number;
  institutionId: string | null;
  expiresOn: string | null;
  note: string;
}

function text(raw: Record<string, unknown>, key: string): string {
  const value = raw[key];
  return typeof value === 'string' ? value.trim() : '';
}

export const NOTE_MAX_LENGTH = 200;

/**
 * The issue form: one of the products the person may issue vouchers for, a size from the
 * product's minimum, an optional department from the directory, an optional expiry day that is
 * not in the past, and a note.
 */
export function parseVoucherIssue(
  raw: Record<string, unknown>,
  allowed: {
    products: ReadonlyArray<{ code: string; minimumTb: number }>;
    institutionIds: readonly string[];
    today: string;
  },
): { ok: true; value: VoucherIssue } | { ok: false; errors: FieldErrors } {
  const errors: FieldErrors = {};
  const code = text(raw, 'productCode').toUpperCase();
  const product = allowed.products.find((candidate) => candidate.code === code);
  if (!product) errors.productCode = 'Choose the product the voucher pays for';

  const sizeInput = text(raw, 'sizeTb');
  const size = parseWholeNumber(sizeInput);
  if (!sizeInput) errors.sizeTb = 'Enter the most TB the voucher pays for';
  else if (size === undefined || size < 1) errors.sizeTb = 'Enter the size as a whole number of TB, for example 2';
  else if (product && size < product.minimumTb)
    errors.sizeTb = `The size must be at least ${sizeText(product.minimumTb)}, the product’s minimum`;
  else if (size > MAXIMUM_TB) errors.sizeTb = `The size must be at most ${sizeText(MAXIMUM_TB)}`;

  const institution = text(raw, 'institutionId');
  if (institution && !allowed.institutionIds.includes(institution)) {
    errors.institutionId = 'Choose a department from the list, or any department';
  }

  const expiresText = text(raw, 'expiresOn');
  const expiresOn = expiresText ? parseCalendarDate(expiresText) : null;
  if (expiresOn === undefined) errors.expiresOn = `Enter the expiry day as a real date: ${DATE_HINT.toLowerCase()}`;
  else if (expiresOn && compareDays(expiresOn, allowed.today) < 0) {
    errors.expiresOn = `The expiry day cannot be in the past (before today, ${formatDay(allowed.today)})`;
  }

  const note = text(raw, 'note');
  if (note.length > NOTE_MAX_LENGTH) errors.note = `The note must be ${NOTE_MAX_LENGTH} characters or fewer`;

  if (Object.keys(errors).length > 0 || !product || size === undefined || expiresOn === undefined) {
    return { ok: false, errors };
  }
  return {
    ok: true,
    value: { productCode: product.code, sizeTb: size, institutionId: institution || null, expiresOn, note },
  };
}
