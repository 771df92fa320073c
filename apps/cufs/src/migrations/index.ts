import type { Migration } from 'kysely/migration';
import * as m0001 from './0001_reference_data.ts';

/** Every migration, in the order it runs. Add new ones at the end; never edit a landed one. */
export const migrations: Record<string, Migration> = {
  '0001_reference_data': m0001,
};
