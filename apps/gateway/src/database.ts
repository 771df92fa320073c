import type { AuditTables } from './modules/audit/audit.tables.ts';
import type { CatalogueTables } from './modules/catalogue/catalogue.tables.ts';
import type { LicencesTables } from './modules/licences/licences.tables.ts';
import type { LifecycleTables } from './modules/lifecycle/lifecycle.tables.ts';
import type { OrdersTables } from './modules/orders/orders.tables.ts';
import type { PaymentsTables } from './modules/payments/payments.tables.ts';
import type { PeopleTables } from './modules/people/people.tables.ts';
import type { QuotesTables } from './modules/quotes/quotes.tables.ts';
import type { UsageTables } from './modules/usage/usage.tables.ts';
import type { DirectoryTables } from './platform/directory/directory.tables.ts';
import type { IdentityTables } from './platform/identity/identity.tables.ts';
import type { JobsTables } from './platform/jobs/jobs.tables.ts';
import type { MailTables } from './platform/mail/mail.tables.ts';

/** The whole schema as Kysely sees it: each module declares its own tables. */
export interface Database
  extends PeopleTables,
    CatalogueTables,
    IdentityTables,
    MailTables,
    JobsTables,
    AuditTables,
    LicencesTables,
    QuotesTables,
    OrdersTables,
    PaymentsTables,
    LifecycleTables,
    DirectoryTables,
    UsageTables {}
