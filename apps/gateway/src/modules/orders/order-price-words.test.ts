import { describe, expect, it } from 'vitest';
import { orderPriceWords, orderQuoteWords } from './order-price-words.ts';

const recovery = {
  payment: { method: 'finance-code' as const },
  netPence: 92_401,
  vatPence: 18_480,
  totalPence: 110_881,
  coldStorePence: 1_079,
  quoteReference: null,
  belowQuote: false,
};

describe('an order’s price in its emails', () => {
  it('gives the total, its net and VAT, and a recovery’s cold-store fee within it', () => {
    expect(orderPriceWords(recovery)).toBe(
      'Price: £1,108.81: £924.01 plus VAT of £184.80, the cold-store fee of £10.79 included.',
    );
  });

  it('names the quote it was priced by, and a voucher that paid it', () => {
    const quoted = { ...recovery, vatPence: 0, totalPence: 92_401, coldStorePence: 0, quoteReference: 'Q-000005' };
    expect(orderPriceWords(quoted)).toBe(
      'Price: £924.01 (no VAT: an internal customer). At the price of quote Q-000005.',
    );
    expect(orderQuoteWords({ quoteReference: 'Q-000005', belowQuote: true })).toBe(
      'Ordered with quote Q-000005, at the day’s price, which was lower than the quote’s.',
    );
    expect(orderQuoteWords({ quoteReference: null, belowQuote: false })).toBeNull();
    const voucher = { ...recovery, payment: { method: 'voucher' as const, voucherCode: 'IFS-CHEM-2026' } };
    expect(orderPriceWords(voucher)).toBe('Paid by voucher IFS-CHEM-2026: nothing to pay.');
  });
});
