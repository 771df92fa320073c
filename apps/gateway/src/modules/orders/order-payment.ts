/**
 * The one rule for whether an order takes a payment, for its pages, the API and the service that
 * writes it: an order whose price is nothing (a cancellation) takes none. It has no payment step,
 * no payment details and no payment check, and goes straight to the service team's approval, as
 * an order a voucher pays in full does once the voucher is taken. Pure.
 */
export function takesPayment(price: { totalPence: number }): boolean {
  return price.totalPence > 0;
}

/** What the pages and emails say of an order that takes no payment. */
export const NO_PAYMENT_WORDS = 'Nothing to pay: no payment details are needed.';
