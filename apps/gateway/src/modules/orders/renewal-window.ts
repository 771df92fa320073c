import { Temporal } from 'temporal-polyfill';
import type { LifecycleSettings } from '../lifecycle/lifecycle-dates.ts';
import { formatDay } from '../quotes/quote-rules.ts';
import type { ChangeableLicence, ChangeKind } from './change-pricing.ts';

/**
 * When a licence can be renewed, as a pure rule. A renewal starts the day after the current end
 * date and is priced at today's price, so renewing years ahead would stack terms at a price that
 * may since have risen (a licence ending in 2027 renewed twice in 2026 to 2029 at the 2026 price).
 * As in ColdFront, a renewal can be ordered, and quoted, only from RENEWAL_OPENS_DAYS_BEFORE_END
 * days before the end date (by default the first reminder's, which asks people to renew), or once
 * the licence has ended (read-only: a renewal; in the cold store: a recovery, not limited here).
 * A renewal waiting for approval blocks another (a change in progress); once it is completed the
 * end date moves on, so the window closes by itself until the new end date nears.
 */

export type RenewalWindowSettings = Pick<LifecycleSettings, 'renewalOpensDaysBeforeEnd'>;

/** The first day a licence ending on `endDate` (its last day) can be renewed. */
export function renewalOpensOn(endDate: string, settings: RenewalWindowSettings): string {
  return Temporal.PlainDate.from(endDate).subtract({ days: settings.renewalOpensDaysBeforeEnd }).toString();
}

/**
 * Why this change of the licence cannot be ordered yet on `today`, or undefined: only a renewal of
 * an active licence before renewal opens is refused ("Renewal opens on 8 October 2027, 60 days
 * before the licence ends."). Whether the licence's status allows the change at all is
 * change-pricing.ts changeProblem's.
 */
export function renewalNotOpenYet(
  kind: ChangeKind,
  licence: ChangeableLicence,
  today: string,
  settings: RenewalWindowSettings,
): string | undefined {
  if (kind !== 'renewal' || licence.status !== 'active' || !licence.endDate) return undefined;
  const opens = renewalOpensOn(licence.endDate, settings);
  if (Temporal.PlainDate.compare(Temporal.PlainDate.from(today), Temporal.PlainDate.from(opens)) >= 0) return undefined;
  const days = settings.renewalOpensDaysBeforeEnd;
  return `Renewal opens on ${formatDay(opens)}, ${days === 1 ? '1 day' : `${days} days`} before the licence ends.`;
}
