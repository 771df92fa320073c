import { describe, expect, it } from 'vitest';
import type { Quote } from '../quotes/quotes.repository.ts';
import type { PricedConfiguration } from './purchase-configuration.service.ts';
import { quoteFormValues, quoteProblem, startedAfresh, withQuotePrice } from './purchase-draft.ts';

const physics = { id: 'PHYS', name: 'Department of Physics', kind: 'department', customerClass: 'internal' } as const;
const kings = { id: 'KINGS', name: "King's College", kind: 'college', customerClass: 'external' } as const;

const quote: Quote = {
  id: 20,
  reference: 'Q-000020',
  personId: 1,
  requester: { crsid: 'ar101', displayName: 'Alice Researcher', email: 'ar101@cam.ac.uk' },
  productCode: 'RDS',
  productName: 'Research Data Store',
  service: 'research',
  serviceName: 'Research storage',
  team: { name: 'Research Computing Services', email: 'storage-support@example.ac.uk' },
  institution: { id: kings.id, name: kings.name },
  customerClass: 'external',
  licenceName: 'College archive',
  sizeTb: 5,
  termYears: 3,
  pencePerTbYear: 6_480,
  priceValidFrom: '2026-08-01',
  netPence: 97_200,
  vatPence: 19_440,
  totalPence: 116_640,
  issuedOn: '2026-11-27',
  validUntil: '2026-12-27',
  change: null,
  setup: { ownerCrsid: 'cb404', managerCrsids: ['da303', 'bm202'], projectName: 'archive' },
  usedBy: null,
};

function configuration(overrides: Partial<PricedConfiguration> = {}): PricedConfiguration {
  return {
    product: { code: 'RDS' } as PricedConfiguration['product'],
    sizeTb: 5,
    termYears: 3,
    institution: kings,
    licenceName: 'College archive',
    owner: { id: 4, crsid: 'cb404', displayName: 'Chloe Bursar', email: 'cb404@cam.ac.uk', status: 'active' },
    managers: [],
    projectName: 'archive',
    price: { pencePerTbYear: 6_480, validFrom: '2026-08-01', netPence: 97_200, vatPence: 19_440, totalPence: 116_640 },
    ...overrides,
  } as PricedConfiguration;
}

describe('whether a quote’s price applies to an order', () => {
  it('applies to the same product, size, term and department while it is valid', () => {
    expect(quoteProblem(quote, configuration(), '2026-12-27')).toBeNull();
  });

  it('names the departments as people know them, not by their codes', () => {
    const problem = quoteProblem(quote, configuration({ institution: physics }), '2026-11-27');
    expect(problem).toBe("Quote Q-000020 is for another order: King's College (not Department of Physics)");
    expect(problem).not.toContain('KINGS');
    expect(problem).not.toContain('PHYS');
  });

  it('lists every difference, and says when it expired', () => {
    expect(quoteProblem(quote, configuration({ sizeTb: 6, termYears: 1 }), '2026-11-27')).toBe(
      'Quote Q-000020 is for another order: 5 TB (not 6 TB), 3 years (not 1 year)',
    );
    expect(quoteProblem(quote, configuration(), '2026-12-28')).toBe('Quote Q-000020 expired on 27 December 2026');
  });
});

describe('the price of an order placed with its quote', () => {
  const todayAt = (pencePerTbYear: number) => {
    const netPence = pencePerTbYear * 5 * 3;
    const price = {
      pencePerTbYear,
      validFrom: '2026-12-01',
      netPence,
      vatPence: netPence / 5,
      totalPence: netPence + netPence / 5,
    };
    return configuration({ price });
  };

  it('is the quote’s when today’s price is higher', () => {
    const priced = withQuotePrice(todayAt(7_000), quote, '2026-12-08');
    expect(priced).toMatchObject({ quoteId: quote.id, quoteProblem: null, todayIsLower: false });
    expect(priced.configuration.price).toEqual({
      pencePerTbYear: 6_480,
      validFrom: '2026-08-01',
      netPence: 97_200,
      vatPence: 19_440,
      totalPence: 116_640,
    });
  });

  it('is today’s when that is lower: a quote never makes a buyer pay more, and the order is still placed with it', () => {
    const priced = withQuotePrice(todayAt(6_000), quote, '2026-12-08');
    expect(priced).toMatchObject({ quoteId: quote.id, quoteProblem: null, todayIsLower: true });
    expect(priced.configuration.price.totalPence).toBe(108_000);
  });
});

describe('the purchase form filled in from a quote', () => {
  it('is exactly what the quote was asked for', () => {
    expect(quoteFormValues(quote)).toEqual({
      sizeTb: '5',
      termYears: '3',
      institutionId: 'KINGS',
      licenceName: 'College archive',
      ownerCrsid: 'cb404',
      managerCrsids: 'da303, bm202',
      projectName: 'archive',
    });
  });

  it('for a quote issued before it recorded the people, has the one who asked as Data Owner and nothing else', () => {
    expect(quoteFormValues({ ...quote, setup: null })).toMatchObject({
      ownerCrsid: 'ar101',
      managerCrsids: '',
      projectName: '',
    });
  });
});

describe('a purchase started afresh from the product’s page', () => {
  it('keeps its answers, payment and key but leaves behind the quote an earlier “Buy this storage” followed', () => {
    const draft = {
      product: 'IFS',
      configuration: { sizeTb: '3' },
      quoteReference: 'Q-000001',
      payment: { method: 'voucher' as const, voucherCode: 'IFS-CHEM-2026' },
      submissionKey: 'key',
    };
    const fresh = startedAfresh(draft);
    expect(fresh).toEqual({
      product: 'IFS',
      configuration: { sizeTb: '3' },
      payment: draft.payment,
      submissionKey: 'key',
    });
    expect('quoteReference' in fresh).toBe(false);
  });
});
