import {
  financeCodeRecheckHandler,
  financeCodeRecheckSchedule,
  recheckLicenceFinanceCodeHandler,
} from './modules/lifecycle/finance-recheck.jobs.ts';
import {
  nightlyLifecycleHandler,
  nightlyLifecycleSchedule,
  sendLifecycleNoticesHandler,
} from './modules/lifecycle/lifecycle.jobs.ts';
import { DEFAULT_LIFECYCLE_SETTINGS, type LifecycleSettings } from './modules/lifecycle/lifecycle-dates.ts';
import { sendEmailsHandler } from './modules/lifecycle/lifecycle-mail.ts';
import { waitingOrdersDigestHandler, waitingOrdersDigestSchedule } from './modules/lifecycle/team-digest.jobs.ts';
import type { OrdersContext } from './modules/orders/orders.service.ts';
import { checkOrderPaymentHandler } from './modules/orders/payment-check.jobs.ts';
import { deleteAbandonedUploadsHandler, deleteAbandonedUploadsSchedule } from './modules/payments/uploads.jobs.ts';
import { directorySyncHandler, directorySyncSchedule } from './modules/people/directory-sync.jobs.ts';
import { provisioningJobHandlers } from './modules/provisioning/provisioning.jobs.ts';
import { nearQuotaWarningsHandler, nearQuotaWarningsSchedule } from './modules/usage/usage.jobs.ts';
import { DEFAULT_USAGE_SETTINGS, type UsageSettings } from './modules/usage/usage-readings.ts';
import type { Directory } from './platform/directory/directory.ts';
import type { DocumentStore } from './platform/documents/document-store.ts';
import { deleteExpiredSessionsHandler, deleteExpiredSessionsSchedule } from './platform/identity/sessions.jobs.ts';
import type { JobRegistry, ScheduledJob } from './platform/jobs/jobs.ts';
import { type MailSender, sendEmailHandler } from './platform/mail/mail.jobs.ts';
import { manualProvisioner, type Provisioner } from './platform/provisioner/provisioner.ts';

/**
 * Every background job the gateway runs, and its timetable. A module adds its handlers here;
 * the worker starts a loop per handler, and each queue is created with its type's retry policy.
 * With SCHEDULES_DRIVER=cloud-scheduler (production) the timetable is Terraform's `schedules`
 * (infra/terraform/variables.tf), which must list each of these at the same time.
 */
export const schedules: readonly ScheduledJob[] = [
  deleteExpiredSessionsSchedule,
  deleteAbandonedUploadsSchedule,
  nightlyLifecycleSchedule,
  waitingOrdersDigestSchedule,
  financeCodeRecheckSchedule,
  directorySyncSchedule,
  nearQuotaWarningsSchedule,
];

/** The outside systems handlers talk to, passed in so tests can hand in their own. */
export interface JobServices extends Pick<OrdersContext, 'cufs' | 'site'> {
  mail: MailSender;
  documents: DocumentStore;
  /** Who sets up approved storage (PROVISIONER); manual when not given. */
  provisioner?: Provisioner;
  /** Reminder days and expiry steps (config.lifecycle); the defaults when not given. */
  lifecycle?: LifecycleSettings;
  /** Where the directory sync reads people (DIRECTORY); the seeded table when not given. */
  directory?: Directory;
  /** The near-quota threshold and how fresh a reading must be (config.usage); the defaults when not given. */
  usage?: UsageSettings;
}

export function createJobRegistry(services: JobServices): JobRegistry {
  return {
    handlers: [
      deleteExpiredSessionsHandler,
      sendEmailHandler(services.mail),
      sendEmailsHandler(services.mail),
      checkOrderPaymentHandler(services),
      deleteAbandonedUploadsHandler(services.documents),
      nightlyLifecycleHandler({ settings: services.lifecycle ?? DEFAULT_LIFECYCLE_SETTINGS }),
      sendLifecycleNoticesHandler({ settings: services.lifecycle ?? DEFAULT_LIFECYCLE_SETTINGS, site: services.site }),
      waitingOrdersDigestHandler({ site: services.site }),
      financeCodeRecheckHandler(),
      recheckLicenceFinanceCodeHandler({ cufs: services.cufs, site: services.site }),
      directorySyncHandler({ directory: services.directory, site: services.site }),
      nearQuotaWarningsHandler({ settings: services.usage ?? DEFAULT_USAGE_SETTINGS, site: services.site }),
      ...provisioningJobHandlers({ provisioner: services.provisioner ?? manualProvisioner, site: services.site }),
    ],
    schedules,
  };
}
