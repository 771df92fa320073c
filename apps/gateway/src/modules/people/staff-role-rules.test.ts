import { describe, expect, it } from 'vitest';
import { parseRoleChoice, roleRemovalProblem, STAFF_ROLE_CHOICES, staffRoleWords } from './staff-role-rules.ts';

describe('staff role choices', () => {
  it('offers a service admin role per service, Finance and superuser, each a valid grant', () => {
    expect(STAFF_ROLE_CHOICES.map((choice) => choice.value)).toEqual([
      'service-admin:research',
      'service-admin:institutional',
      'finance',
      'superuser',
    ]);
    for (const choice of STAFF_ROLE_CHOICES) {
      // The table's rule: a service admin works for exactly one service, the others for none.
      expect(choice.role === 'service-admin').toBe(choice.service !== null);
    }
    expect(parseRoleChoice('service-admin:institutional')).toMatchObject({
      role: 'service-admin',
      service: 'institutional',
    });
    expect(parseRoleChoice('service-admin')).toBeUndefined();
    expect(parseRoleChoice(undefined)).toBeUndefined();
  });

  it('names a grant in words', () => {
    expect(staffRoleWords({ role: 'service-admin', service: 'research' })).toBe('Research storage team');
    expect(staffRoleWords({ role: 'finance', service: null })).toBe('Finance');
  });
});

describe('roleRemovalProblem', () => {
  it('refuses only the removal of one’s own superuser role', () => {
    expect(roleRemovalProblem({ id: 7 }, { personId: 7, role: 'superuser' })).toContain(
      'You cannot remove your own superuser role',
    );
    expect(roleRemovalProblem({ id: 7 }, { personId: 8, role: 'superuser' })).toBeUndefined();
    expect(roleRemovalProblem({ id: 7 }, { personId: 7, role: 'finance' })).toBeUndefined();
    expect(roleRemovalProblem({ id: 7 }, { personId: 7, role: 'service-admin' })).toBeUndefined();
  });
});
