import type { Migration } from 'kysely/migration';
import * as m0001 from './0001_people_and_catalogue.ts';
import * as m0002 from './0002_sessions.ts';
import * as m0003 from './0003_mail_outbox.ts';
import * as m0004 from './0004_task_outbox.ts';
import * as m0005 from './0005_orders_and_licences.ts';
import * as m0006 from './0006_back_office.ts';
import * as m0007 from './0007_audit_search.ts';
import * as m0008 from './0008_lifecycle.ts';
import * as m0009 from './0009_digests_and_flags.ts';
import * as m0010 from './0010_change_orders.ts';
import * as m0011 from './0011_storage_steps.ts';
import * as m0012 from './0012_directory.ts';
import * as m0013 from './0013_usage_readings.ts';
import * as m0014 from './0014_lifecycle_notices.ts';
import * as m0015 from './0015_page_data_version.ts';
import * as m0016 from './0016_data_change_notices.ts';
import * as m0017 from './0017_projects_waiting.ts';
import * as m0018 from './0018_voucher_issue_key.ts';
import * as m0020 from './0020_project_names_of_live_projects.ts';
import * as m0021 from './0021_access_changes.ts';
import * as m0022 from './0022_change_quotes.ts';
import * as m0023 from './0023_quote_people_and_project.ts';
import * as m0024 from './0024_billing_export.ts';
import * as m0025 from './0025_orders_by_quote.ts';
import * as m0026 from './0026_new_order_periods.ts';
import * as m0027 from './0027_payment_replacement_codes.ts';
import * as m0028 from './0028_session_start.ts';

/** Every migration, in the order it runs. Add new ones at the end; never edit a landed one. */
export const migrations: Record<string, Migration> = {
  '0001_people_and_catalogue': m0001,
  '0002_sessions': m0002,
  '0003_mail_outbox': m0003,
  '0004_task_outbox': m0004,
  '0005_orders_and_licences': m0005,
  '0006_back_office': m0006,
  '0007_audit_search': m0007,
  '0008_lifecycle': m0008,
  '0009_digests_and_flags': m0009,
  '0010_change_orders': m0010,
  '0011_storage_steps': m0011,
  '0012_directory': m0012,
  '0013_usage_readings': m0013,
  '0014_lifecycle_notices': m0014,
  '0015_page_data_version': m0015,
  '0016_data_change_notices': m0016,
  '0017_projects_waiting': m0017,
  '0018_voucher_issue_key': m0018,
  '0020_project_names_of_live_projects': m0020,
  '0021_access_changes': m0021,
  '0022_change_quotes': m0022,
  '0023_quote_people_and_project': m0023,
  '0024_billing_export': m0024,
  '0025_orders_by_quote': m0025,
  '0026_new_order_periods': m0026,
  '0027_payment_replacement_codes': m0027,
  '0028_session_start': m0028,
};
