import { deleteExpiredSessionsHandler, deleteExpiredSessionsSchedule } from './platform/identity/sessions.jobs.ts';
import type { JobRegistry, ScheduledJob } from './platform/jobs/jobs.ts';
import { type MailSender, sendEmailHandler } from './platform/mail/mail.jobs.ts';

/**
 * Every background job the gateway runs, and its timetable. A module adds its handlers here;
 * the worker starts a loop per handler, and each queue is created with its type's retry policy.
 */
const schedules: ScheduledJob[] = [deleteExpiredSessionsSchedule];

/** Handlers that talk to outside systems take them here, so tests can hand in their own. */
export function createJobRegistry(mail: MailSender): JobRegistry {
  return { handlers: [deleteExpiredSessionsHandler, sendEmailHandler(mail)], schedules };
}
