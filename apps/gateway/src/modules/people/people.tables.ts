import type { ColumnType, Generated } from 'kysely';

export type CustomerClass = 'internal' | 'external';
export type StaffRole = 'service-admin' | 'finance' | 'superuser';
export type ServiceCode = 'research' | 'institutional';

export interface InstitutionsTable {
  /** The directory's institution identifier, e.g. PHYS. */
  id: string;
  name: string;
  kind: 'department' | 'college' | 'external';
  /** Colleges and outside bodies buy at the external price and pay VAT. */
  customer_class: CustomerClass;
}

export interface PeopleTable {
  id: Generated<number>;
  /** The University identifier (CRSid), unique per person. */
  crsid: string;
  display_name: string;
  email: string;
  institution_id: string | null;
  status: Generated<'current' | 'left'>;
  /** YYYY-MM-DD: the directory sync's day that found the person had left; null while current. */
  left_on: ColumnType<string | null, never, string | null>;
  created_at: ColumnType<Date, never, never>;
}

export interface StaffRolesTable {
  id: Generated<number>;
  person_id: number;
  role: StaffRole;
  /** The service a service-admin works for; empty for finance and superuser. */
  service: ServiceCode | null;
  granted_at: ColumnType<Date, never, never>;
}

export interface PeopleTables {
  institutions: InstitutionsTable;
  people: PeopleTable;
  staff_roles: StaffRolesTable;
}
