import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { unknownFields } from './unknown-fields.ts';

describe('unknownFields', () => {
  const payment = z.discriminatedUnion('method', [
    z.object({ method: z.literal('finance-code'), financeCode: z.string() }),
    z.object({ method: z.literal('voucher'), voucherCode: z.string() }),
  ]);
  const body = z.object({
    sizeTb: z.int(),
    quoteReference: z.string().optional(),
    managerCrsids: z.array(z.string()).default([]),
    payment,
    readings: z.array(z.object({ path: z.string() })).optional(),
    labels: z.record(z.string(), z.object({ text: z.string() })).optional(),
    count: z.coerce.number().pipe(z.int()).optional(),
  });

  it('names each key no object declares, at any depth, as a dotted path', () => {
    expect(
      unknownFields(body, {
        sizeTb: 5,
        quoteRef: 'Q-000001',
        managerCrsid: ['bm202'],
        payment: { method: 'finance-code', financeCode: 'PHAA.GAAA', finance: 'x' },
        readings: [{ path: '/a' }, { path: '/b', pth: '/c' }],
        labels: { one: { text: 'a', colour: 'red' } },
      }),
    ).toEqual(['quoteRef', 'managerCrsid', 'payment.finance', 'readings.1.pth', 'labels.one.colour']);
  });

  it('finds nothing in an input that uses only declared fields, or that is not an object', () => {
    expect(unknownFields(body, { sizeTb: 5, payment: { method: 'voucher', voucherCode: 'V' }, count: '3' })).toEqual(
      [],
    );
    expect(unknownFields(body, undefined)).toEqual([]);
    expect(unknownFields(body, 'text')).toEqual([]);
    expect(unknownFields(z.looseObject({ a: z.string() }), { a: 'x', b: 'y' })).toEqual([]);
  });

  it('reads a union the value fits by that option, and one it fits no option of by all of them', () => {
    // Fits the voucher option: its financeCode is not that option's.
    expect(unknownFields(payment, { method: 'voucher', voucherCode: 'V', financeCode: 'x' })).toEqual(['financeCode']);
    // Fits neither (a misspelt required field): what no option declares.
    expect(unknownFields(payment, { method: 'finance-code', financecode: 'x', voucherCode: 'V' })).toEqual([
      'financecode',
    ]);
    expect(
      unknownFields(z.intersection(z.object({ a: z.string() }), z.object({ b: z.string() })), { a: '', b: '', c: '' }),
    ).toEqual(['c']);
  });
});
