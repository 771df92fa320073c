import { Temporal } from 'temporal-polyfill';
import { withVat } from '../catalogue/pricing.ts';
import type { CustomerClass } from '../people/people.tables.ts';
import type { LicenceRole } from './licence-status.ts';
import type { LicenceStatus } from './licences.tables.ts';

/**
 * Whole calendar days from `today` to a licence's end date (its last day, licence-dates.ts):
 * 0 on the last day, negative once it has passed (-1 the day after). Calendar dates, so month
 * ends, leap days and the clocks changing count each day once.
 */
export function daysToExpiry(endDate: string, today: string): number {
  return Temporal.PlainDate.from(today).until(Temporal.PlainDate.from(endDate), { largestUnit: 'days' }).days;
}

/** daysToExpiry in words, for people: "30 days left", "Ends today", "Expired 2 days ago". */
export function expiryWords(days: number): string {
  const count = (n: number) => (n === 1 ? '1 day' : `${n} days`);
  if (days > 0) return `${count(days)} left`;
  if (days === 0) return 'Ends today';
  return `Expired ${count(-days)} ago`;
}

/** Licences that no longer cost anything: cancelled, or deleted with their data. */
const NO_COST: ReadonlySet<LicenceStatus> = new Set(['cancelled', 'deleted']);

/** Whether a licence still holds storage (and so costs something): not cancelled or deleted. */
export const holdsStorage = (status: LicenceStatus): boolean => !NO_COST.has(status);

/**
 * What a licence costs for a year at the price in force today for its department's customer
 * class (not the price it was bought at): size × price per TB per year, with VAT for external
 * customers (pricing.ts). Undefined when it costs nothing (cancelled or deleted) or the product
 * has no price for that class.
 */
export function annualCostPence(licence: {
  sizeTb: number;
  status: LicenceStatus;
  customerClass: CustomerClass;
  pencePerTbYear: number | null;
}): number | undefined {
  if (!holdsStorage(licence.status) || licence.pencePerTbYear === null) return undefined;
  return withVat(licence.sizeTb * licence.pencePerTbYear, licence.customerClass).totalPence;
}

/**
 * Whether a licence's cost is the person's to count (My storage's annual cost): its Data Owner's
 * and Data Managers', who pay for it and keep it; not a project member's, who only uses it, often
 * in another department.
 */
export function paysForLicence(roles: readonly LicenceRole[]): boolean {
  return roles.includes('data-owner') || roles.includes('data-manager');
}
