import { Temporal } from 'temporal-polyfill';

/** The one source of "now": injected everywhere so date rules and jobs can be run as of any day. */
export interface Clock {
  now(): Date;
  /** Today's calendar date in the University's time zone. */
  today(): Temporal.PlainDate;
}

export const UNIVERSITY_TIME_ZONE = 'Europe/London';

export const systemClock: Clock = {
  now: () => new Date(),
  today: () => Temporal.Now.plainDateISO(UNIVERSITY_TIME_ZONE),
};

/** A clock stopped at one instant, for tests and "as of" runs. */
export function fixedClock(instant: Date | string): Clock {
  const at = new Date(instant);
  return {
    now: () => new Date(at),
    today: () =>
      Temporal.Instant.fromEpochMilliseconds(at.getTime()).toZonedDateTimeISO(UNIVERSITY_TIME_ZONE).toPlainDate(),
  };
}
