import type { CatalogueTables } from './modules/catalogue/catalogue.tables.ts';
import type { PeopleTables } from './modules/people/people.tables.ts';
import type { IdentityTables } from './platform/identity/identity.tables.ts';
import type { JobsTables } from './platform/jobs/jobs.tables.ts';
import type { MailTables } from './platform/mail/mail.tables.ts';

/** The whole schema as Kysely sees it: each module declares its own tables. */
export interface Database extends PeopleTables, CatalogueTables, IdentityTables, MailTables, JobsTables {}
