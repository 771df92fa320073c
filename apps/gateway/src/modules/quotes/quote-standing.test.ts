import { describe, expect, it } from 'vitest';
import { quoteNextStep, quoteStanding, quoteStandingHint } from './quote-standing.ts';

describe('a quote’s standing', () => {
  const used = 'Quote Q-000001 was used for order ORD-000002: a quote pays for one order';
  const gone =
    'Quote Q-000003 no longer applies: only a licence in the cold store can be recovered: this one is deleted';
  const expired = 'Quote Q-000003 expired on 30 October 2027';
  const none = { used: null, licence: null, expired: null, changeOpen: true };

  it('tells the reason that matters most: used, then the licence, then the date', () => {
    expect(quoteStanding({ ...none, used, licence: gone, expired })).toMatchObject({ because: 'used', refusal: used });
    expect(quoteStanding({ ...none, licence: gone, expired })).toMatchObject({ because: 'licence', refusal: gone });
    expect(quoteStanding({ ...none, expired })).toMatchObject({ because: 'expired', refusal: expired });
    expect(quoteStanding(none)).toEqual({ usable: true, refusal: null, because: null, todaysPrice: true });
  });

  const storage = { reference: 'Q-000001', productCode: 'IFS', licenceName: 'Chemistry shared drive', change: null };
  const recovery = {
    reference: 'Q-000003',
    productCode: 'RDS',
    licenceName: 'Old spectra',
    usedBy: null,
    change: { licenceId: 5, kind: 'recovery' as const },
  };

  it('offers only a way on that can work: never the same storage twice, nor a change the licence refuses', () => {
    const usedStanding = quoteStanding({ ...none, used, expired });
    expect(quoteNextStep({ ...storage, usedBy: 'ORD-000002' }, usedStanding)).toMatchObject({
      href: '/orders/ORD-000002/',
      words: 'Go to order ORD-000002',
    });
    expect(usedStanding.todaysPrice).toBe(false);
    expect(
      quoteNextStep(recovery, quoteStanding({ ...none, licence: gone, expired, changeOpen: false })),
    ).toMatchObject({
      href: '/storage/licence/5/',
      words: 'Go to the licence “Old spectra”',
    });
    expect(quoteNextStep(recovery, quoteStanding({ ...none, expired }))).toMatchObject({
      href: '/storage/licence/5/change/recovery/?quote=',
    });
    expect(quoteNextStep(recovery, quoteStanding(none))).toMatchObject({
      href: '/storage/licence/5/change/recovery/?quote=Q-000003',
    });
    expect(quoteNextStep({ ...storage, usedBy: null }, quoteStanding({ ...none, expired }))).toMatchObject({
      href: '/storage/buy/IFS/?quote=Q-000001',
      words: 'Buy this storage',
    });
  });

  it('words it for lists as the quote’s page does', () => {
    expect(quoteStandingHint({ usedBy: 'ORD-000002' }, quoteStanding({ ...none, used, expired }))).toBe(
      'Used for order ORD-000002: a quote pays for one order.',
    );
    expect(
      quoteStandingHint({ usedBy: null }, quoteStanding({ ...none, licence: gone, expired, changeOpen: false })),
    ).toBe(`Can no longer be used: ${gone}.`);
    expect(quoteStandingHint({ usedBy: null }, quoteStanding({ ...none, expired }))).toBe(
      "Expired: ask for a new quote to order at today's price.",
    );
  });
});
