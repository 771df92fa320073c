import type { FastifyBaseLogger } from 'fastify';
import type { Executor } from '../../platform/db/database.ts';
import { personActor, recordAudit } from '../audit/audit.repository.ts';
import type { PersonWithRoles } from '../people/people.repository.ts';
import { billingOrderPages, orderInBillingExport } from './billing.repository.ts';
import {
  BILLING_EXPORT_ENTITY,
  type BillingRange,
  billingFileName,
  billingHeaderLine,
  billingOrderLine,
} from './billing-rules.ts';

/** A byte-order mark first, so that a spreadsheet opens the file as UTF-8 (a licence name's "é" stays one). */
const UTF8_BOM = '\uFEFF';

/**
 * The billing CSV file as it is written, a page of orders at a time (billingOrderPages): the header
 * row, then one row per order. When the file ends (sent whole, or the download stopped part-way),
 * the download is recorded in the audit trail (who, the range, the services, how many orders it
 * held), as staff viewing the site as a customer is: a read of note, not a change.
 */
export async function* billingCsv(
  db: Executor,
  person: Pick<PersonWithRoles, 'id' | 'crsid'>,
  range: BillingRange,
  log: FastifyBaseLogger,
): AsyncGenerator<string> {
  let rows = 0;
  let whole = false;
  try {
    yield UTF8_BOM + billingHeaderLine();
    for await (const page of billingOrderPages(db, range)) {
      yield page.map(billingOrderLine).join('');
      rows += page.length;
    }
    whole = true;
  } finally {
    await auditDownload(db, person, range, rows, whole, log);
  }
}

async function auditDownload(
  db: Executor,
  person: Pick<PersonWithRoles, 'id' | 'crsid'>,
  range: BillingRange,
  rows: number,
  whole: boolean,
  log: FastifyBaseLogger,
): Promise<void> {
  try {
    await recordAudit(db, {
      actor: personActor(person),
      entityType: BILLING_EXPORT_ENTITY,
      entityId: billingFileName(range),
      action: whole ? 'downloaded' : 'download stopped',
      after: { firstDay: range.firstDay, lastDay: range.lastDay, services: range.services, rows },
    });
  } catch (error) {
    // The file has gone: a trail that cannot be written now is logged, not thrown at a closed response.
    log.error(
      { err: error, crsid: person.crsid, ...range, rows, whole },
      'billing export: the download could not be audited',
    );
  }
}

/**
 * Whether the order has been billed: a billing file downloaded so far held it (orderInBillingExport).
 * Its charge is then frozen, its payment's finance code included: a code given later for its
 * licence pays for what comes next (finance-code-replacement.service.ts).
 */
export function orderBilledAlready(db: Executor, orderId: number): Promise<boolean> {
  return orderInBillingExport(db, orderId);
}
