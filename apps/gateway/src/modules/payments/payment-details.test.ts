import { describe, expect, it } from 'vitest';
import { parsePaymentDetails, paymentMethodsFor } from './payment-details.ts';

const research = paymentMethodsFor('research');
const institutional = paymentMethodsFor('institutional');

describe('parsePaymentDetails', () => {
  it('needs a method the product offers: no vouchers for research storage', () => {
    expect(parsePaymentDetails({}, research)).toEqual({ ok: false, errors: { method: 'Choose how you will pay' } });
    expect(parsePaymentDetails({ method: 'voucher', voucherCode: 'IFS-CHEM-2026' }, research)).toEqual({
      ok: false,
      errors: { method: 'A voucher cannot pay for this order: pay with a University finance code or a purchase order' },
    });
    expect(parsePaymentDetails({ method: 'cheque' }, research)).toEqual({
      ok: false,
      errors: { method: 'Choose how you will pay' },
    });
    expect(parsePaymentDetails({ method: 'voucher', voucherCode: 'ifs-chem-2026' }, institutional)).toEqual({
      ok: true,
      value: { method: 'voucher', voucherCode: 'IFS-CHEM-2026' },
    });
  });

  it('reads a GL code in the ways people write it, and a grant as award / project / task', () => {
    expect(parsePaymentDetails({ method: 'finance-code', financeCode: ' phaa gaaa ' }, research)).toMatchObject({
      ok: true,
      value: { text: 'PHAA.GAAA', code: { kind: 'gl', costCentre: 'PHAA', sourceOfFunds: 'GAAA' } },
    });
    expect(
      parsePaymentDetails({ method: 'finance-code', financeCode: 'RG94772/PHAG0042/1.1' }, research),
    ).toMatchObject({
      ok: true,
      value: { text: 'RG94772 / PHAG0042 / 1.1', code: { kind: 'grant', award: 'RG94772', task: '1.1' } },
    });
  });

  it('says what is wrong with a malformed finance code, without asking CUFS', () => {
    const empty = parsePaymentDetails({ method: 'finance-code', financeCode: '' }, research);
    expect(empty).toEqual({ ok: false, errors: { financeCode: 'Enter the finance code that pays for the storage' } });
    const wrong = parsePaymentDetails({ method: 'finance-code', financeCode: 'PH.GAAA' }, research);
    expect(wrong.ok).toBe(false);
    if (!wrong.ok) expect(wrong.errors.financeCode).toMatch(/cost centre/i);
  });

  it('checks the shape of PO numbers and voucher codes', () => {
    expect(parsePaymentDetails({ method: 'purchase-order', poNumber: '' }, research)).toEqual({
      ok: false,
      errors: { poNumber: 'Enter the purchase order number' },
    });
    expect(parsePaymentDetails({ method: 'purchase-order', poNumber: 'P 1' }, research).ok).toBe(false);
    expect(parsePaymentDetails({ method: 'purchase-order', poNumber: 'p1234567' }, research)).toEqual({
      ok: true,
      value: { method: 'purchase-order', poNumber: 'P1234567' },
    });
    expect(parsePaymentDetails({ method: 'voucher', voucherCode: '' }, institutional)).toEqual({
      ok: false,
      errors: { voucherCode: 'Enter the voucher code' },
    });
  });
});
