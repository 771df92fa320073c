import type { PersonWithRoles } from '../../modules/people/people.repository.ts';
import type { ServiceCode } from '../../modules/people/people.tables.ts';
import { SERVICES, servicesVisibleTo } from '../../modules/people/staff-access.ts';
import { UNIVERSITY_TIME_ZONE } from '../clock.ts';

/**
 * The pure rules of viewing the site as a customer (view-as.ts applies them).
 *
 * What a view shows is what the customer and the member of staff may both see: the customer's own
 * licences, orders, quotes and documents, but only those of the services the member of staff works
 * on. A service team's member helping a customer sees nothing of the other service's records that
 * they could not read as themselves; Finance and superusers, who read both services' records
 * anyway, see everything the customer sees.
 */

/** The services a view by this member of staff shows; undefined when it shows every service. */
export function viewServices(staff: PersonWithRoles): readonly ServiceCode[] | undefined {
  const services = servicesVisibleTo(staff);
  return services.length === SERVICES.length ? undefined : services;
}

/** Whether a record of `service` is shown in a view of `services` (viewServices; undefined: all). */
export function shownInView(services: readonly ServiceCode[] | undefined, service: ServiceCode): boolean {
  return services === undefined || services.includes(service);
}

/** When a view started at `start` ends on its own (VIEW_AS_MINUTES later). */
export function viewEndsAt(start: Date, minutes: number): Date {
  return new Date(start.getTime() + minutes * 60_000);
}

/** When a view in the session ends: undefined for one without an end (started before views had one). */
export function viewEnd(view: { endsAt?: string }): Date | undefined {
  const endsAt = view.endsAt === undefined ? Number.NaN : Date.parse(view.endsAt);
  return Number.isNaN(endsAt) ? undefined : new Date(endsAt);
}

/** Whether a view ending at `end` (viewEnd) has run its time; one without an end has, so it ends at once. */
export function viewHasEnded(end: Date | undefined, now: Date): boolean {
  return end === undefined || now.getTime() >= end.getTime();
}

const timeOfDayFormat = new Intl.DateTimeFormat('en-GB', {
  hour: '2-digit',
  minute: '2-digit',
  timeZone: UNIVERSITY_TIME_ZONE,
});

/** A time of day as the banner says it, in the University's time zone: 14:32. */
export function timeOfDay(at: Date): string {
  return timeOfDayFormat.format(at);
}
