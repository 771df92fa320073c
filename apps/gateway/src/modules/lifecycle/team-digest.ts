import { Temporal } from 'temporal-polyfill';

/**
 * The rules of the weekly digest to each service team (the orders waiting for it are those the
 * order queue counts as needing action, NEEDS_ACTION_STATUSES): for how long they have waited,
 * which week a run belongs to, and how many the email lists.
 */

/** An order is in the digest once it has waited more than this many whole days. */
export const DIGEST_WAITING_DAYS = 7;

/** The email lists at most this many orders, oldest first, then says how many more wait. */
export const DIGEST_MAX_LISTED = 50;

/** The Monday of the week `asOf` falls in: a run records its week so a second run sends nothing. */
export function weekStart(asOf: string): string {
  const day = Temporal.PlainDate.from(asOf);
  return day.subtract({ days: day.dayOfWeek - 1 }).toString();
}

/** "and 3 more orders wait" after the listed ones; empty when all are listed. */
export function moreWaitingLine(total: number, listed: number): string | undefined {
  const more = total - listed;
  if (more <= 0) return undefined;
  return `… and ${more} more ${more === 1 ? 'order waits' : 'orders wait'}: see the orders queue.`;
}
