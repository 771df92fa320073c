import { deleteExpiredSessionsHandler, deleteExpiredSessionsSchedule } from './platform/identity/sessions.jobs.ts';
import type { AnyJobHandler, JobRegistry, ScheduledJob } from './platform/jobs/jobs.ts';

/**
 * Every background job the gateway runs, and its timetable. A module adds its handlers here;
 * the worker starts a loop per handler, and each queue is created with its type's retry policy.
 */
const handlers: AnyJobHandler[] = [deleteExpiredSessionsHandler];

const schedules: ScheduledJob[] = [deleteExpiredSessionsSchedule];

export const jobRegistry: JobRegistry = { handlers, schedules };
