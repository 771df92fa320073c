import { Temporal } from 'temporal-polyfill';
import { UNIVERSITY_TIME_ZONE } from '../../platform/clock.ts';
import { coldFrom, deletableFrom, type LifecycleSettings } from '../lifecycle/lifecycle-dates.ts';
import type { PersonWithRoles } from '../people/people.repository.ts';
import type { ServiceCode } from '../people/people.tables.ts';
import { isServiceStaff } from '../people/staff-access.ts';
import type { QuotedSetup } from './quotes.repository.ts';
import type { QuotedChangeKind } from './quotes.tables.ts';

/** How long a quote's price holds: a department raises its purchase order within this many days. */
export const QUOTE_VALID_DAYS = 30;

/**
 * The last day a quote issued on `issuedOn` (YYYY-MM-DD) can be bought from: 30 calendar days
 * later, or `lastDay` when that is sooner (a change of a licence cannot be ordered after
 * `lastDayToOrder`), but never before `issuedOn`: a licence whose day to move on has come but which
 * the night has not moved yet can still be changed that day, so its quote holds that day.
 */
export function quoteValidUntil(issuedOn: string, lastDay?: string): string {
  const issued = Temporal.PlainDate.from(issuedOn);
  const thirtyDays = issued.add({ days: QUOTE_VALID_DAYS });
  if (!lastDay) return thirtyDays.toString();
  const last = Temporal.PlainDate.from(lastDay);
  if (Temporal.PlainDate.compare(last, issued) < 0) return issuedOn;
  return Temporal.PlainDate.compare(last, thirtyDays) < 0 ? last.toString() : thirtyDays.toString();
}

/**
 * The last day a change of a licence ending on `endDate` can be ordered, as the nightly job moves
 * an unrenewed licence on (lifecycle-dates.ts, with the lifecycle settings): more space up to its
 * end date; a renewal (active or read-only) up to the day before it moves to the cold store; a
 * recovery (in the cold store) up to the day before it becomes due for deletion. A quote for the
 * change holds no longer (quoteValidUntil).
 */
export function lastDayToOrder(kind: QuotedChangeKind, endDate: string, settings: LifecycleSettings): string {
  if (kind === 'increase') return endDate;
  const movesOn = kind === 'renewal' ? coldFrom(endDate, settings) : deletableFrom(endDate, settings);
  return Temporal.PlainDate.from(movesOn).subtract({ days: 1 }).toString();
}

/** Why a change quote holds less than QUOTE_VALID_DAYS: its last day is the last day the change can be ordered. */
const LAST_DAY_WORDS: Record<QuotedChangeKind, string> = {
  renewal: 'the last day this licence can be renewed before it moves to the cold store',
  recovery: 'the last day this licence can be recovered before it becomes due for deletion',
  increase: 'the licence’s end date: more space is sold only up to it',
};

/**
 * A quote's last day for people to read, saying why it is that day: "27 December 2026 (30 days
 * from issue)", or, for a change that cannot be ordered that long (quoteValidUntil capped it at
 * lastDayToOrder), "14 December 2026, the last day this licence can be renewed before it moves to
 * the cold store".
 */
export function quoteValidUntilWords(quote: {
  issuedOn: string;
  validUntil: string;
  change: { kind: QuotedChangeKind } | null;
}): string {
  const day = formatDay(quote.validUntil);
  if (quote.change && quote.validUntil < quoteValidUntil(quote.issuedOn))
    return `${day}, ${LAST_DAY_WORDS[quote.change.kind]}`;
  return `${day} (${QUOTE_VALID_DAYS} days from issue)`;
}

/** Valid through its last day inclusive; `today` is a calendar date from the injected clock. */
export function quoteIsValid(quote: { validUntil: string }, today: string | Temporal.PlainDate): boolean {
  return Temporal.PlainDate.compare(Temporal.PlainDate.from(today), Temporal.PlainDate.from(quote.validUntil)) <= 0;
}

/** Why a quote's price no longer holds, whatever it is used for (it expired), or null while it does. */
export function quoteExpiry(quote: { reference: string; validUntil: string }, today: string): string | null {
  return quoteIsValid(quote, today) ? null : `Quote ${quote.reference} expired on ${formatDay(quote.validUntil)}`;
}

/** Why a quote cannot price another order (one was placed with it and not rejected or cancelled), or null. */
export function quoteUsed(quote: { reference: string; usedBy: string | null }): string | null {
  return quote.usedBy
    ? `Quote ${quote.reference} was used for order ${quote.usedBy}: a quote pays for one order`
    : null;
}

/**
 * Who may read a quote: the person who asked for it, and the staff of the product's service (its
 * team, Finance, superusers); a quote for a change of a licence also its Data Owner and Data
 * Managers (`licencePeople`, their ids, as they are now), as for the licence's change orders
 * (orders.service.ts canSeeOrder). Everyone else is told it does not exist.
 */
export function canSeeQuote(
  person: PersonWithRoles | undefined,
  quote: { personId: number; service: ServiceCode; change?: { licenceId: number } | null },
  licencePeople: readonly number[] = [],
): boolean {
  if (!person) return false;
  if (person.id === quote.personId || isServiceStaff(person, quote.service)) return true;
  return quote.change ? licencePeople.includes(person.id) : false;
}

/**
 * Who may order with a quote (canSeeQuote says who may read it): for new storage, the person who
 * asked for it; for a change, the licence's Data Owner and Data Managers (`licencePeople`), who
 * alone order its changes. The storage team reads every quote of its service but orders with none.
 */
export function canOrderWithQuote(
  person: { id: number },
  quote: { personId: number; change?: { licenceId: number } | null },
  licencePeople: readonly number[] = [],
): boolean {
  return quote.change ? licencePeople.includes(person.id) : person.id === quote.personId;
}

/** Why someone who may read a quote for new storage cannot buy with it. */
export function notYourQuote(quote: { reference: string; requester: { displayName: string } }): string {
  return `Quote ${quote.reference} was asked for by ${quote.requester.displayName}: only they can buy with it`;
}

/** The names and people an order for new storage asks for, as its configuration was checked (CRSids). */
export interface AskedNames {
  licenceName: string;
  ownerCrsid: string;
  managerCrsids: readonly string[];
  projectName: string;
}

/**
 * What an order placed with a quote for new storage asks for that differs from what the quote was
 * asked for, by field, in the API's names (licenceName, ownerCrsid, managerCrsids, projectName):
 * nothing when it asks for the same. The quote keeps its whole configuration so that an order
 * placed with it has exactly that (docs/api.md); the purchase pages fill the quote's in. A quote
 * issued before it kept its people and project (`setup` null) has only its licence name to compare.
 * CRSids are compared ignoring case, Data Managers in any order.
 */
export function quoteNameDifferences(
  quote: { reference: string; licenceName: string; setup: QuotedSetup | null },
  asked: AskedNames,
): Partial<Record<keyof AskedNames, string>> {
  const was = `Quote ${quote.reference} was for`;
  const differences: Partial<Record<keyof AskedNames, string>> = {};
  if (quote.licenceName !== asked.licenceName)
    differences.licenceName = `${was} the licence name “${quote.licenceName}”, not “${asked.licenceName}”`;
  const setup = quote.setup;
  if (!setup) return differences;
  const crsid = (value: string) => value.toLowerCase();
  if (crsid(setup.ownerCrsid) !== crsid(asked.ownerCrsid))
    differences.ownerCrsid = `${was} ${setup.ownerCrsid} as Data Owner, not ${asked.ownerCrsid}`;
  const quoted = new Set(setup.managerCrsids.map(crsid));
  const askedManagers = new Set(asked.managerCrsids.map(crsid));
  if (quoted.size !== askedManagers.size || [...askedManagers].some((manager) => !quoted.has(manager))) {
    const others = asked.managerCrsids.length > 0 ? asked.managerCrsids.join(', ') : 'none';
    differences.managerCrsids =
      setup.managerCrsids.length === 0
        ? `${was} no Data Managers, not ${others}`
        : `${was} ${setup.managerCrsids.join(', ')} as Data Manager${setup.managerCrsids.length === 1 ? '' : 's'}, not ${others}`;
  }
  if (setup.projectName !== asked.projectName)
    differences.projectName = `${was} the storage project “${setup.projectName}”, not “${asked.projectName}”`;
  return differences;
}

const dayFormat = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });

/** A calendar date for people to read: 2026-11-27 → 27 November 2026. */
export function formatDay(day: string): string {
  const date = Temporal.PlainDate.from(day);
  return dayFormat.format(Date.UTC(date.year, date.month - 1, date.day));
}

const instantFormat = new Intl.DateTimeFormat('en-GB', {
  dateStyle: 'long',
  timeStyle: 'short',
  timeZone: UNIVERSITY_TIME_ZONE,
});

/** A moment for people to read, in the University's time zone: 27 November 2026 at 10:04. */
export function formatInstant(at: Date): string {
  return instantFormat.format(at);
}
