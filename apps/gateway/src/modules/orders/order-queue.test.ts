import { describe, expect, it } from 'vitest';
import {
  ageInDays,
  describeAge,
  NEEDS_ACTION_STATUSES,
  parseQueueFilter,
  QUEUE_MAX_PAGE,
  queryString,
  queueBackHref,
  queueHref,
  queueParamsFrom,
  referenceFrom,
  showingRange,
  submittedBefore,
} from './order-queue.ts';
import { ORDER_STATUSES } from './order-status.ts';

const allowed = {
  services: ['research', 'institutional'] as const,
  productsByService: { research: ['RDS', 'RFS', 'RCS'], institutional: ['IFS'] },
  departments: ['PHYS', 'CHEM', 'KINGS'],
};

describe('parseQueueFilter', () => {
  it('defaults to the first service, the orders that need action, oldest first, page 1', () => {
    const { filter, errors } = parseQueueFilter({}, allowed);
    expect(errors).toEqual({});
    expect(filter).toMatchObject({
      service: 'research',
      statusChoice: ['needs-action'],
      statuses: [...NEEDS_ACTION_STATUSES],
      product: null,
      department: null,
      olderThanDays: null,
      search: null,
      sort: 'oldest',
      page: 1,
    });
  });

  it('never gives a service the person may not see', () => {
    expect(parseQueueFilter({ service: 'institutional' }, allowed).filter.service).toBe('institutional');
    const onlyIfs = { ...allowed, services: ['institutional'] as const };
    expect(parseQueueFilter({ service: 'research' }, onlyIfs).filter.service).toBe('institutional');
    expect(parseQueueFilter({ service: 'nonsense' }, allowed).filter.service).toBe('research');
    expect(() => parseQueueFilter({}, { ...allowed, services: [] })).toThrow();
  });

  it('takes one status, several, or any; unknown statuses fall back to needs action', () => {
    expect(parseQueueFilter({ status: 'approved' }, allowed).filter.statuses).toEqual(['approved']);
    expect(parseQueueFilter({ status: ['approved', 'rejected', 'approved'] }, allowed).filter.statuses).toEqual([
      'approved',
      'rejected',
    ]);
    const any = parseQueueFilter({ status: ['approved', 'all'] }, allowed).filter;
    expect(any.statusChoice).toEqual(['all']);
    expect(any.statuses).toEqual([...ORDER_STATUSES]);
    expect(parseQueueFilter({ status: 'DROP TABLE' }, allowed).filter.statuses).toEqual([...NEEDS_ACTION_STATUSES]);
    expect(parseQueueFilter({ status: '' }, allowed).filter.statusChoice).toEqual(['needs-action']);
  });

  it("keeps a product only if it is the chosen service's, and a known department", () => {
    expect(parseQueueFilter({ product: 'rds' }, allowed).filter.product).toBe('RDS');
    expect(parseQueueFilter({ product: 'IFS' }, allowed).filter.product).toBeNull();
    expect(parseQueueFilter({ service: 'institutional', product: 'IFS' }, allowed).filter.product).toBe('IFS');
    expect(parseQueueFilter({ department: 'phys' }, allowed).filter.department).toBe('PHYS');
    expect(parseQueueFilter({ department: 'MARS' }, allowed).filter.department).toBeNull();
  });

  it('takes an age in whole days and says what is wrong with anything else', () => {
    expect(parseQueueFilter({ olderThan: ' 7 ' }, allowed).filter.olderThanDays).toBe(7);
    expect(parseQueueFilter({ olderThan: '0' }, allowed).filter.olderThanDays).toBe(0);
    expect(parseQueueFilter({ olderThan: '' }, allowed).filter.olderThanDays).toBeNull();
    for (const bad of ['seven', '-1', '2.5', '3651', '1e3']) {
      const { filter, errors } = parseQueueFilter({ olderThan: bad }, allowed);
      expect(filter.olderThanDays, bad).toBeNull();
      expect(errors.olderThan, bad).toMatch(/whole number/);
    }
  });

  it('reads a search as a possible reference and in lower case', () => {
    expect(parseQueueFilter({ q: '  ORD-000123 ' }, allowed).filter.search).toEqual({
      text: 'ORD-000123',
      reference: 'ORD-000123',
      lower: 'ord-000123',
    });
    expect(parseQueueFilter({ q: 'Smith' }, allowed).filter.search).toEqual({
      text: 'Smith',
      reference: null,
      lower: 'smith',
    });
    const long = parseQueueFilter({ q: 'x'.repeat(101) }, allowed);
    expect(long.filter.search).toBeNull();
    expect(long.errors.q).toMatch(/at most 100/);
  });

  it('keeps the page within bounds and sorts oldest first unless told newest', () => {
    expect(parseQueueFilter({ page: '3' }, allowed).filter.page).toBe(3);
    expect(parseQueueFilter({ page: '0' }, allowed).filter.page).toBe(1);
    expect(parseQueueFilter({ page: '-2' }, allowed).filter.page).toBe(1);
    expect(parseQueueFilter({ page: 'two' }, allowed).filter.page).toBe(1);
    expect(parseQueueFilter({ page: '999999' }, allowed).filter.page).toBe(QUEUE_MAX_PAGE);
    expect(parseQueueFilter({ sort: 'newest' }, allowed).filter.sort).toBe('newest');
    expect(parseQueueFilter({ sort: 'sideways' }, allowed).filter.sort).toBe('oldest');
  });
});

describe('referenceFrom', () => {
  it('reads ORD-000123, ord-123, ORD123 and 123 as ORD-000123', () => {
    for (const text of ['ORD-000123', 'ord-123', 'ORD123', '123', '000123']) {
      expect(referenceFrom(text), text).toBe('ORD-000123');
    }
    expect(referenceFrom('ORD-1234567')).toBe('ORD-1234567');
    expect(referenceFrom('PO-123')).toBeNull();
    expect(referenceFrom('ab123')).toBeNull();
  });
});

describe('queueHref', () => {
  it('keeps every filter in the address and leaves defaults out', () => {
    const { filter } = parseQueueFilter(
      {
        service: 'research',
        status: ['approved', 'rejected'],
        product: 'RDS',
        department: 'PHYS',
        olderThan: '7',
        q: 'a b',
        sort: 'newest',
        page: '2',
      },
      allowed,
    );
    const href = queueHref(filter, { page: 3 });
    expect(href).toBe(
      '/admin/orders/?service=research&status=approved&status=rejected&product=RDS&department=PHYS&olderThan=7&q=a+b&sort=newest&page=3',
    );
    // The address parses back to the same filter.
    const back = parseQueueFilter(
      Object.fromEntries(
        [...new URLSearchParams(href.split('?')[1]).keys()].map((key) => [
          key,
          new URLSearchParams(href.split('?')[1]).getAll(key),
        ]),
      ),
      allowed,
    ).filter;
    expect(back).toEqual({ ...filter, page: 3 });
    expect(queueHref(parseQueueFilter({}, allowed).filter)).toBe('/admin/orders/?service=research');
  });
});

describe('ages', () => {
  const now = new Date('2026-11-27T10:00:00Z');

  it('counts whole days waited, never fewer than none', () => {
    expect(ageInDays(new Date('2026-11-27T09:00:00Z'), now)).toBe(0);
    expect(ageInDays(new Date('2026-11-26T10:00:00Z'), now)).toBe(1);
    expect(ageInDays(new Date('2026-11-20T10:00:01Z'), now)).toBe(6);
    expect(ageInDays(new Date('2026-11-28T10:00:00Z'), now)).toBe(0);
    // Across the change from summer time: still counted in real days.
    expect(ageInDays(new Date('2026-10-20T10:00:00Z'), now)).toBe(38);
  });

  it('waiting more than N days means submitted before N days ago', () => {
    expect(submittedBefore(7, now).toISOString()).toBe('2026-11-20T10:00:00.000Z');
    expect(submittedBefore(0, now)).toEqual(now);
  });

  it('says an age in words', () => {
    expect(describeAge(0)).toBe('less than a day');
    expect(describeAge(1)).toBe('1 day');
    expect(describeAge(1200)).toBe('1,200 days');
  });
});

describe('showingRange', () => {
  it('gives the first and last row of a page', () => {
    expect(showingRange(1, 0)).toEqual({ from: 0, to: 0 });
    expect(showingRange(1, 10)).toEqual({ from: 1, to: 10 });
    expect(showingRange(1, 60)).toEqual({ from: 1, to: 25 });
    expect(showingRange(3, 60)).toEqual({ from: 51, to: 60 });
  });
});

describe("the queue's filters carried to an order and back", () => {
  it('keeps only the queue’s own parameters, in its order', () => {
    expect(
      queueParamsFrom({
        q: ' P7654321 ',
        next: 'https://evil.example',
        status: ['awaiting-approval', 'approved'],
        page: '2',
      }),
    ).toEqual([
      ['status', 'awaiting-approval'],
      ['status', 'approved'],
      ['q', 'P7654321'],
      ['page', '2'],
    ]);
    expect(queueParamsFrom({ sort: 'newest', service: 'institutional' })).toEqual([
      ['service', 'institutional'],
      ['sort', 'newest'],
    ]);
  });

  it('drops empty, repeated and overlong values and anything that is not text', () => {
    expect(queueParamsFrom(undefined)).toEqual([]);
    expect(
      queueParamsFrom({
        q: '',
        product: 'x'.repeat(500),
        department: { nested: 'PHYS' },
        status: Array(50).fill('all'),
      }),
    ).toEqual([['status', 'all']]);
  });

  it("leads back to the queue the order was opened from, else to the order's service's", () => {
    expect(queueBackHref([], 'research')).toBe('/admin/orders/?service=research');
    expect(queueBackHref([['q', 'a&b="c"']], 'research')).toBe('/admin/orders/?service=research&q=a%26b%3D%22c%22');
    expect(queueBackHref([['service', 'institutional']], 'research')).toBe('/admin/orders/?service=institutional');
    expect(queryString([])).toBe('');
  });
});
