import { Temporal } from 'temporal-polyfill';

/**
 * The date rules of a licence's life after purchase, pure so they can be tested on their own; the
 * nightly job's SQL (lifecycle.repository.ts) applies the same rules to every licence at once.
 *
 * An end date is the last day the storage may be used. With the defaults:
 * - reminders go 60, 30 and 7 days before it (end date − days);
 * - it can be renewed from 60 days before it, the first reminder's day (RENEWAL_OPENS_DAYS_BEFORE_END;
 *   orders/renewal-window.ts);
 * - the licence is suspended (read-only) the day after it (end date + 1 + SUSPEND_AFTER_DAYS);
 * - it moves to the cold store 30 days after it (end date + COLD_AFTER_DAYS);
 * - it becomes deletable 6 months after it (end date + DELETABLE_AFTER_MONTHS; a day of the month
 *   that month lacks becomes its last day: 31 August + 6 months is 28 or 29 February).
 */
export interface LifecycleSettings {
  /** Days before the end date, largest first. */
  reminderDays: readonly number[];
  /**
   * Days before the end date from which a renewal can be ordered (and quoted): so renewals cannot
   * be stacked years ahead at today's price. By default the first reminder's, which invites renewal.
   */
  renewalOpensDaysBeforeEnd: number;
  suspendAfterDays: number;
  coldAfterDays: number;
  deletableAfterMonths: number;
}

export const DEFAULT_LIFECYCLE_SETTINGS: LifecycleSettings = {
  reminderDays: [60, 30, 7],
  renewalOpensDaysBeforeEnd: 60,
  suspendAfterDays: 0,
  coldAfterDays: 30,
  deletableAfterMonths: 6,
};

const date = (text: string) => Temporal.PlainDate.from(text);

/** The first day a licence ending on `endDate` is read-only. */
export function suspendedFrom(endDate: string, settings: LifecycleSettings): string {
  return date(endDate)
    .add({ days: 1 + settings.suspendAfterDays })
    .toString();
}

/** The first day its data is in the cold store. */
export function coldFrom(endDate: string, settings: LifecycleSettings): string {
  return date(endDate).add({ days: settings.coldAfterDays }).toString();
}

/** The first day the service team may confirm its deletion. */
export function deletableFrom(endDate: string, settings: LifecycleSettings): string {
  return date(endDate).add({ months: settings.deletableAfterMonths }).toString();
}

export type ExpiryStatus = 'active' | 'suspended' | 'cold' | 'deletable';

/** Where an unrenewed, unlocked licence ending on `endDate` stands as of `asOf`. */
export function expiryStatus(endDate: string, asOf: string, settings: LifecycleSettings): ExpiryStatus {
  const reached = (day: string) => Temporal.PlainDate.compare(date(asOf), date(day)) >= 0;
  if (reached(deletableFrom(endDate, settings))) return 'deletable';
  if (reached(coldFrom(endDate, settings))) return 'cold';
  if (reached(suspendedFrom(endDate, settings))) return 'suspended';
  return 'active';
}

/**
 * The reminder a run as of `asOf` sends for a licence ending on `endDate`, or null.
 *
 * A threshold is crossed on end date − days. A run covers the days since the previous run
 * (`previousRun`, exclusive) up to `asOf`; with no previous run, just `asOf`. So a job that missed
 * a few nights sends a reminder whose day it missed, once: of the thresholds crossed in that span,
 * only the latest (fewest days), and none once the end date has passed. Never the same twice:
 * the caller also records each one sent (licence, end date, days) and skips those already there.
 */
export function reminderDue(
  endDate: string,
  asOf: string,
  previousRun: string | null,
  settings: Pick<LifecycleSettings, 'reminderDays'>,
): number | null {
  const end = date(endDate);
  const today = date(asOf);
  if (Temporal.PlainDate.compare(end, today) < 0) return null;
  const from = previousRun === null ? today.subtract({ days: 1 }) : date(previousRun);
  const crossed = settings.reminderDays.filter((days) => {
    const day = end.subtract({ days });
    return Temporal.PlainDate.compare(day, from) > 0 && Temporal.PlainDate.compare(day, today) <= 0;
  });
  return crossed.length === 0 ? null : Math.min(...crossed);
}
