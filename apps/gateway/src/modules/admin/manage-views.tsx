import { UNIVERSITY_TIME_ZONE } from '../../platform/clock.ts';
import type { FieldErrors } from '../../platform/web/components.tsx';
import { TextField } from '../../platform/web/form-fields.tsx';
import { formatDay } from '../quotes/quote-rules.ts';

/** Small view pieces the back office's MANAGE pages share. */

const instantFormat = new Intl.DateTimeFormat('en-GB', {
  day: 'numeric',
  month: 'short',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  timeZone: UNIVERSITY_TIME_ZONE,
});

/** A calendar date (YYYY-MM-DD) as people read it, marked up as a date. */
export function Day({ date }: { date: string }) {
  return <time dateTime={date}>{formatDay(date)}</time>;
}

/** A moment, in the University's time zone. */
export function Instant({ at }: { at: Date }) {
  return <time dateTime={at.toISOString()}>{instantFormat.format(at)}</time>;
}

export function hasErrors(errors: FieldErrors | undefined): boolean {
  return Boolean(errors && Object.values(errors).some(Boolean));
}

/** A page whose form failed says so first in its title. */
export function titleFor(title: string, errors: FieldErrors | undefined): string {
  return hasErrors(errors) ? `Error: ${title}` : title;
}

/** A range of days, both included, for a back-office filter: "From (first day)" and "To (last day)". */
export function DayRangeFields({ values, errors }: { values: { from?: string; to?: string }; errors: FieldErrors }) {
  return (
    <>
      <TextField
        name="from"
        label="From (first day)"
        hint="For example, 2026-11-01"
        value={values.from}
        error={errors.from}
        width="medium"
      />
      <TextField
        name="to"
        label="To (last day)"
        hint="For example, 2026-11-30"
        value={values.to}
        error={errors.to}
        width="medium"
      />
    </>
  );
}
