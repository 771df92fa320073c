// Schema: a new order records the period it pays for, as a change order does (orders.starts_on and
// ends_on): its licence's first term as its set-up gave it (provisioning.service.ts). Finance's
// export read a new order's period from its licence's dates as they are now, which a licence edit
// or a renewal moves on, so a file downloaded again said another period for a charge already
// billed. The new orders set up before this migration get their licence's start date for the
// order's term, ending the day before the same date `term_years` later, as the licence's end date
// is set (licence-dates.ts licenceEndDate: 29 February plus a year is 28 February, less a day).
import type { Kysely } from 'kysely';
import { runStatements } from './statements.ts';

export async function up(db: Kysely<unknown>): Promise<void> {
  await runStatements(db, [
    `UPDATE orders o
       SET starts_on = l.start_date,
           ends_on = (l.start_date + make_interval(years => o.term_years))::date - 1
     FROM licences l
     WHERE l.id = o.licence_id AND o.kind = 'new' AND o.status = 'completed'
       AND o.starts_on IS NULL AND l.start_date IS NOT NULL`,
  ]);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await runStatements(db, [`UPDATE orders SET starts_on = NULL, ends_on = NULL WHERE kind = 'new'`]);
}
