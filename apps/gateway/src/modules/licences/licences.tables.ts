import type { ColumnType, Generated } from 'kysely';

export type LicenceStatus = 'pending' | 'active' | 'suspended' | 'cold' | 'deletable' | 'deleted' | 'cancelled';
export type ProjectRole = 'project-data-manager' | 'project-data-user';

export interface LicencesTable {
  id: Generated<number>;
  product_code: string;
  name: string;
  institution_id: string;
  owner_person_id: number;
  size_tb: number;
  start_date: string | null;
  end_date: string | null;
  status: Generated<LicenceStatus>;
  created_at: ColumnType<Date, never, never>;
  updated_at: ColumnType<Date, never, Date>;
  locked_at: ColumnType<Date | null, never, Date | null>;
  locked_by_person_id: ColumnType<number | null, never, number | null>;
  lock_reason: ColumnType<string | null, never, string | null>;
}

export interface LicenceManagersTable {
  licence_id: number;
  person_id: number;
  added_at: ColumnType<Date, never, never>;
}

export interface StorageProjectsTable {
  id: Generated<number>;
  licence_id: number;
  name: string;
  quota_tb: number;
  status: Generated<'pending' | 'active' | 'removed'>;
  created_at: ColumnType<Date, never, never>;
  path: ColumnType<string | null, never, string | null>;
  share_name: ColumnType<string | null, never, string | null>;
  group_names: ColumnType<string[], never, string[]>;
}

export interface StorageProjectMembersTable {
  project_id: number;
  person_id: number;
  role: ProjectRole;
  added_at: ColumnType<Date, never, never>;
}

/** A licence waiting for an access change made by hand (the manual provisioner): one row per licence. */
export interface LicenceAccessChangesTable {
  licence_id: number;
  waiting_since: Date;
  last_changed_at: Date;
  version: Generated<number>;
}

export interface LicencesTables {
  licences: LicencesTable;
  licence_managers: LicenceManagersTable;
  storage_projects: StorageProjectsTable;
  storage_project_members: StorageProjectMembersTable;
  licence_access_changes: LicenceAccessChangesTable;
}
