import { Temporal } from 'temporal-polyfill';

/**
 * The last day of a licence bought for `years` starting on `start`: the day before the same date
 * `years` later, so a renewal starts the day after. The years from 29 February run to the day
 * before 1 March where that year has no 29 February (28 February), as from 1 March: constraining
 * the anniversary to 28 February would end it on 27 February, a day short of a licence started on
 * the 28th for the same price.
 */
export function licenceEndDate(start: string, years: number): string {
  const first = Temporal.PlainDate.from(start);
  const anniversary = first.add({ years });
  const leapDayLost = first.month === 2 && first.day === 29 && anniversary.day === 28;
  return (leapDayLost ? anniversary : anniversary.subtract({ days: 1 })).toString();
}
