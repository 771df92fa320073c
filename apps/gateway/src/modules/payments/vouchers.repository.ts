import type { Executor } from '../../platform/db/database.ts';
import { sizeText } from '../catalogue/sizes.ts';
import { formatDay } from '../quotes/quote-rules.ts';

export interface Voucher {
  id: number;
  code: string;
  productCode: string;
  sizeTb: number;
  institutionId: string | null;
  expiresOn: string | null;
  redeemed: boolean;
  revoked: boolean;
}

export async function findVoucher(db: Executor, code: string): Promise<Voucher | undefined> {
  const row = await db.selectFrom('vouchers').selectAll().where('code', '=', code.toUpperCase()).executeTakeFirst();
  if (!row) return undefined;
  return {
    id: row.id,
    code: row.code,
    productCode: row.product_code,
    sizeTb: row.size_tb,
    institutionId: row.institution_id,
    expiresOn: row.expires_on,
    redeemed: row.redeemed_at !== null,
    revoked: row.revoked_at !== null,
  };
}

/**
 * Why this voucher cannot pay for this storage, in words for the buyer; undefined if it can.
 * `licenceSize`: the TB are the licence's own (a renewal or recovery), not a size the buyer chose.
 */
export function voucherProblem(
  voucher: Voucher | undefined,
  order: { productCode: string; sizeTb: number; institutionId: string; today: string; licenceSize?: boolean },
): string | undefined {
  if (!voucher) return 'There is no voucher with that code; check it against the email it came in';
  if (voucher.redeemed) return 'This voucher has already been used';
  if (voucher.revoked) return 'This voucher has been withdrawn; contact us for a new one';
  if (voucher.expiresOn && voucher.expiresOn < order.today)
    return `This voucher expired on ${formatDay(voucher.expiresOn)}`;
  if (voucher.productCode !== order.productCode) return `This voucher is for ${voucher.productCode} storage only`;
  if (voucher.institutionId && voucher.institutionId !== order.institutionId)
    return 'This voucher was issued to a different department';
  if (order.sizeTb > voucher.sizeTb) {
    // A renewal or recovery is for the licence's whole size, which the buyer cannot reduce.
    return order.licenceSize
      ? `This voucher pays for up to ${sizeText(voucher.sizeTb)} and this licence is ${sizeText(order.sizeTb)}: pay another way`
      : `This voucher pays for up to ${sizeText(voucher.sizeTb)}; reduce the size or pay another way`;
  }
  return undefined;
}

/**
 * Marks the voucher used, if it still is unused: the conditional update is what makes a voucher
 * single-use when two orders race for it. False means someone else used it first.
 */
export async function redeemVoucher(tx: Executor, voucherId: number, now: Date): Promise<boolean> {
  const result = await tx
    .updateTable('vouchers')
    .set({ redeemed_at: now })
    .where('id', '=', voucherId)
    .where('redeemed_at', 'is', null)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return result.numUpdatedRows === 1n;
}

/** Gives a voucher back when the order it paid for is cancelled, so it can be used again. */
export async function releaseVoucher(tx: Executor, voucherId: number): Promise<void> {
  await tx.updateTable('vouchers').set({ redeemed_at: null }).where('id', '=', voucherId).execute();
}
