import { Temporal } from 'temporal-polyfill';

/**
 * The last day of a licence bought for `years` starting on `start`: the day before the same date
 * `years` later, so a renewal starts the day after. A licence starting on 29 February ends on
 * 27 February in a common year (the day before 28 February, where Temporal constrains the 29th).
 */
export function licenceEndDate(start: string, years: number): string {
  return Temporal.PlainDate.from(start).add({ years }).subtract({ days: 1 }).toString();
}
