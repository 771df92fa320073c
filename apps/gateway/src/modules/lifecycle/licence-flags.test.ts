import { describe, expect, it } from 'vitest';
import { leaverAsk, memberLeftWarning } from './licence-flags.ts';

describe("the licence page's warning that someone in a role has left", () => {
  const detail = 'Leo Parted (lp999), a Data Manager, has left the University.';

  it('asks an active licence’s keepers to hand over or remove them', () => {
    expect(memberLeftWarning(detail, false, 'team@example.org', 'active')).toBe(
      `${detail} Hand their role over to someone still at the University, or remove them from the licence or storage project.`,
    );
  });

  it('asks first for what the licence’s state allows, since people changes are refused until then', () => {
    expect(memberLeftWarning(detail, false, 'team@example.org', 'suspended')).toBe(
      `${detail} The licence has expired and is read-only, so its people cannot be changed: renew it first, then hand their role over to someone still at the University, or remove them from the licence or storage project.`,
    );
    const cold = memberLeftWarning(detail, false, 'team@example.org', 'cold');
    expect(cold).toContain('The licence is in the cold store, so its people cannot be changed: order a recovery first');
    expect(cold).not.toContain('renew');
    // Due for deletion: no recovery can be ordered now, so the hand-over waits on one ordered before.
    expect(memberLeftWarning(detail, false, 'team@example.org', 'deletable')).toBe(
      `${detail} The licence is due for deletion, so its people cannot be changed: contact the storage team straight away if its data is still needed, as no recovery can be ordered for it any more; if a recovery ordered while it was in the cold store brings it back, hand their role over to someone still at the University, or remove them from the licence or storage project.`,
    );
  });

  it('words what the keepers are asked the same way for the service team', () => {
    expect(leaverAsk('active')).toBe(
      'hand their role over to someone still at the University, or remove them from the licence or storage project',
    );
    expect(leaverAsk('suspended')).toMatch(/^renew it first, then hand their role over/);
    expect(memberLeftWarning(detail, false, 'team@example.org', 'cold')).toContain(leaverAsk('cold'));
  });

  it('sends the keepers of a licence whose Data Owner has left to the team, whatever its state', () => {
    expect(memberLeftWarning(detail, true, 'team@example.org', 'suspended')).toContain(
      'Only the storage team can name a new Data Owner: write to team@example.org',
    );
  });
});
