import { formatPence } from '../catalogue/money.ts';
import type { OrderDetail } from './orders.repository.ts';

/** The quote an order was placed with, as its page and its emails say it; null for an order without one. */
export function orderQuoteWords(order: Pick<OrderDetail, 'quoteReference' | 'belowQuote'>): string | null {
  if (!order.quoteReference) return null;
  return order.belowQuote
    ? `Ordered with quote ${order.quoteReference}, at the day’s price, which was lower than the quote’s.`
    : `At the price of quote ${order.quoteReference}.`;
}

/**
 * What an order costs, as its confirmation email says it: the total, its net and VAT, a recovery's
 * cold-store fee within it, and the quote it was priced by, so that whoever raises or matches the
 * purchase order has the figures; or that a voucher paid it.
 */
export function orderPriceWords(
  order: Pick<
    OrderDetail,
    'totalPence' | 'netPence' | 'vatPence' | 'coldStorePence' | 'quoteReference' | 'belowQuote'
  > & {
    payment: { method: string; voucherCode?: string | null } | null;
  },
): string {
  if (order.payment?.method === 'voucher') return `Paid by voucher ${order.payment.voucherCode ?? ''}: nothing to pay.`;
  const vat =
    order.vatPence > 0
      ? `: ${formatPence(order.netPence)} plus VAT of ${formatPence(order.vatPence)}`
      : ' (no VAT: an internal customer)';
  const fee = order.coldStorePence > 0 ? `, the cold-store fee of ${formatPence(order.coldStorePence)} included` : '';
  const quote = orderQuoteWords(order);
  return `Price: ${formatPence(order.totalPence)}${vat}${fee}.${quote ? ` ${quote}` : ''}`;
}
