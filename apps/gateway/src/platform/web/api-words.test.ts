import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { apiIssueMessage, type InputPlace } from './api-words.ts';

/** The message of each issue, by its dotted path, as parseInput reads them. */
function messages(schema: z.ZodType, value: unknown, where: InputPlace = 'body'): Record<string, string> {
  const parsed = schema.safeParse(value, { error: (issue) => apiIssueMessage(issue, where) });
  if (parsed.success) return {};
  return Object.fromEntries(parsed.error.issues.map((issue) => [issue.path.map(String).join('.'), issue.message]));
}

describe('the API’s words for what is wrong with a request', () => {
  const order = z.strictObject({
    licenceName: z.string().max(100),
    projectName: z.string().min(1),
    code: z.string().min(3),
    managers: z.array(z.string()).min(1).max(20),
    readings: z.array(z.strictObject({ path: z.string() })).min(2),
    sizeTb: z.number().min(1).max(10_000),
    share: z.number().positive().lt(1),
    acceptTerms: z.literal(true),
    kind: z.enum(['increase', 'renewal']),
    documentId: z.uuid(),
    readOn: z.iso.date(),
    reference: z.string().regex(/^ORD-\d+$/),
    payment: z.discriminatedUnion('method', [
      z.strictObject({ method: z.literal('finance-code'), financeCode: z.string() }),
      z.strictObject({ method: z.literal('voucher'), voucherCode: z.string() }),
    ]),
    flag: z.boolean(),
    count: z.int(),
  });

  it('asks for each field left out by name', () => {
    const fields = messages(order, {});
    expect(fields.licenceName).toBe('Give licenceName: it is required');
    expect(fields.payment).toBe('Give payment: it is required');
    expect(fields.kind).toBe('Give kind: one of increase, renewal');
    expect(Object.values(fields).every((message) => message.startsWith('Give '))).toBe(true);
  });

  it('says what a field of the wrong type must be, and what it was sent', () => {
    expect(messages(order.pick({ licenceName: true }), { licenceName: 7 })).toEqual({
      licenceName: 'licenceName must be a string, not a number',
    });
    expect(messages(order.pick({ flag: true }), { flag: 'yes' })).toEqual({
      flag: 'flag must be true or false, not a string',
    });
    expect(messages(order.pick({ count: true }), { count: 1.5 })).toEqual({
      count: 'count must be a whole number, not a number with a fraction',
    });
    expect(messages(order.pick({ count: true }), { count: '2' })).toEqual({
      count: 'count must be a whole number, not a string',
    });
    expect(messages(order.pick({ managers: true }), { managers: null })).toEqual({
      managers: 'managers must be a list (a JSON array), not null',
    });
    expect(messages(order.pick({ payment: true }), { payment: [] })).toEqual({
      payment: 'payment must be an object, not a list',
    });
  });

  it('asks for a JSON object as the body, whatever else was sent', () => {
    for (const body of [undefined, null, [], 'RDS', 5]) {
      expect(messages(order, body), JSON.stringify(body)).toEqual({ '': 'Send a JSON object as the body' });
    }
  });

  it('says how long or short, how many and how large, with the bounds', () => {
    expect(
      messages(order.pick({ licenceName: true, projectName: true, code: true }), {
        licenceName: 'x'.repeat(101),
        projectName: '',
        code: 'ab',
      }),
    ).toEqual({
      licenceName: 'licenceName must be 100 characters or fewer',
      projectName: 'Give projectName: it must not be empty',
      code: 'code must be at least 3 characters',
    });
    expect(messages(order.pick({ managers: true }), { managers: [] })).toEqual({
      managers: 'managers must hold at least one item',
    });
    expect(messages(order.pick({ managers: true }), { managers: Array(21).fill('a') })).toEqual({
      managers: 'managers must hold at most 20 items',
    });
    expect(messages(order.pick({ readings: true }), { readings: [{ path: '/a' }] })).toEqual({
      readings: 'readings must hold at least 2 items',
    });
    expect(messages(order.pick({ sizeTb: true }), { sizeTb: 10_001 })).toEqual({
      sizeTb: 'sizeTb must be at most 10,000',
    });
    expect(messages(order.pick({ sizeTb: true }), { sizeTb: 0 })).toEqual({ sizeTb: 'sizeTb must be at least 1' });
    expect(messages(order.pick({ share: true }), { share: 0 })).toEqual({ share: 'share must be more than 0' });
    expect(messages(order.pick({ share: true }), { share: 1 })).toEqual({ share: 'share must be less than 1' });
  });

  it('lists the values a field takes', () => {
    expect(messages(order.pick({ kind: true }), { kind: 'upgrade' })).toEqual({
      kind: 'kind must be one of increase, renewal',
    });
    expect(messages(order.pick({ acceptTerms: true }), { acceptTerms: false })).toEqual({
      acceptTerms: 'acceptTerms must be true',
    });
    expect(messages(order.pick({ payment: true }), { payment: { method: 'cash' } })).toEqual({
      'payment.method': 'payment.method must be one of finance-code, voucher',
    });
    expect(messages(order.pick({ payment: true }), { payment: {} })).toEqual({
      'payment.method': 'Give payment.method: one of finance-code, voucher',
    });
  });

  it('says what form a formatted string takes', () => {
    expect(
      messages(order.pick({ documentId: true, readOn: true, reference: true }), {
        documentId: 'x',
        readOn: '27/11/2026',
        reference: 'ORD-x',
      }),
    ).toEqual({
      documentId: 'documentId must be a UUID, such as 0b6cb6d6-3c29-4bd4-9d6b-2e0a3c1f5e7a',
      readOn: 'readOn must be a date, YYYY-MM-DD',
      reference: 'reference must match the pattern /^ORD-\\d+$/',
    });
  });

  it('names a nested field by its dotted path', () => {
    expect(messages(order.pick({ readings: true }), { readings: [{ path: '/a' }, {}] })).toEqual({
      'readings.1.path': 'Give readings.1.path: it is required',
    });
  });

  it('keeps a schema’s own words', () => {
    const own = z.strictObject({
      name: z.string({ error: 'Enter a name' }).max(3, 'At most 3 letters'),
      size: z.int({ error: (issue) => (issue.input === undefined ? undefined : 'Enter the size in TB') }),
    });
    expect(messages(own, {})).toEqual({ name: 'Enter a name', size: 'Give size: it is required' });
    expect(messages(own, { name: 'abcd', size: 'x' })).toEqual({
      name: 'At most 3 letters',
      size: 'Enter the size in TB',
    });
  });

  it('says a query parameter is given once, and what it must be, without calling it text', () => {
    const query = z.strictObject({ q: z.string(), n: z.int() });
    expect(messages(query, { q: ['a', 'b'], n: 'x' }, 'query')).toEqual({
      q: 'Give q once',
      n: 'n must be a whole number',
    });
  });
});
