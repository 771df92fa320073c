import type { ServiceCode, StaffRole } from './people.tables.ts';

/**
 * Staff roles as superusers grant and remove them (pure). Customer roles never come from here:
 * they come from a person's place on a licence.
 */
export interface StaffRoleChoice {
  value: string;
  role: StaffRole;
  service: ServiceCode | null;
  label: string;
  hint: string;
}

export const STAFF_ROLE_CHOICES: readonly StaffRoleChoice[] = [
  {
    value: 'service-admin:research',
    role: 'service-admin',
    service: 'research',
    label: 'Research storage team',
    hint: 'Decides, provisions and manages research storage (RDS, RFS, RCS)',
  },
  {
    value: 'service-admin:institutional',
    role: 'service-admin',
    service: 'institutional',
    label: 'Institutional storage team',
    hint: 'Decides, provisions and manages institutional file storage (IFS)',
  },
  {
    value: 'finance',
    role: 'finance',
    service: null,
    label: 'Finance',
    hint: 'Reads every order, payment and licence; changes nothing',
  },
  {
    value: 'superuser',
    role: 'superuser',
    service: null,
    label: 'Superuser',
    hint: 'Everything either team can do, and grants and removes staff roles',
  },
];

export function parseRoleChoice(value: unknown): StaffRoleChoice | undefined {
  return STAFF_ROLE_CHOICES.find((choice) => choice.value === value);
}

/** "Research storage team", "Finance": a grant in words. */
export function staffRoleWords(grant: { role: StaffRole; service: ServiceCode | null }): string {
  const choice = STAFF_ROLE_CHOICES.find((item) => item.role === grant.role && item.service === grant.service);
  return choice?.label ?? (grant.service ? `${grant.role} (${grant.service})` : grant.role);
}

/**
 * Why this role cannot be removed by this person, or undefined when it can. Nobody removes their
 * own superuser role: with that rule, whoever removes a superuser role is a superuser who stays
 * one, so there is always at least one.
 */
export function roleRemovalProblem(
  actor: { id: number },
  grant: { personId: number; role: StaffRole },
): string | undefined {
  if (grant.role === 'superuser' && grant.personId === actor.id) {
    return 'You cannot remove your own superuser role: ask another superuser to do it, so that there is always at least one.';
  }
  return undefined;
}
