import type { Executor } from '../../platform/db/database.ts';
import type { GroupSyncRequest } from '../../platform/provisioner/provisioner.ts';
import { AppError } from '../../platform/web/errors.ts';
import { personActor, recordAudit } from '../audit/audit.repository.ts';
import { groupSyncRequestFor } from '../licences/licence-groups.jobs.ts';
import type { PersonWithRoles } from '../people/people.repository.ts';
import type { ServiceCode } from '../people/people.tables.ts';
import { type AccessChangeWaiting, findAccessChange, markAccessChangeDone } from './access-changes.repository.ts';

/** What the licence's access-change page shows. */
export interface LicenceAccessChange {
  licence: { id: number; name: string; service: ServiceCode };
  /** The state its storage's groups should have: what an automated provisioner is sent. */
  state: GroupSyncRequest | undefined;
  waiting: AccessChangeWaiting | undefined;
}

/** The licence, with its service (whose staff may read and act): not found if there is none. */
export async function accessChangeLicence(db: Executor, licenceId: number): Promise<LicenceAccessChange['licence']> {
  const licence = await db
    .selectFrom('licences')
    .innerJoin('products', 'products.code', 'licences.product_code')
    .select(['licences.id', 'licences.name', 'products.service'])
    .where('licences.id', '=', licenceId)
    .executeTakeFirst();
  if (!licence) throw new AppError('not-found', 'We could not find that licence.');
  return licence;
}

export async function loadAccessChange(db: Executor, licenceId: number): Promise<LicenceAccessChange> {
  const licence = await accessChangeLicence(db, licenceId);
  const [state, waiting] = await Promise.all([groupSyncRequestFor(db, licenceId), findAccessChange(db, licenceId)]);
  return { licence, state, waiting };
}

/**
 * "Mark as done": the licence's team made its storage's groups match the change that the page
 * showed (`version`, from the form). Audited as 'access change made'. A second press, or a press on
 * a page older than the licence's last change, changes nothing and says why.
 */
export async function markAccessChangeMade(
  db: Executor,
  person: PersonWithRoles,
  licenceId: number,
  version: number,
): Promise<'done' | 'changed' | 'none'> {
  return db.transaction().execute(async (tx) => {
    const outcome = await markAccessChangeDone(tx, licenceId, version);
    if (outcome === 'done') {
      await recordAudit(tx, {
        actor: personActor(person),
        entityType: 'licence',
        entityId: licenceId,
        action: 'access change made',
        after: { version },
        licenceId,
      });
    }
    return outcome;
  });
}
