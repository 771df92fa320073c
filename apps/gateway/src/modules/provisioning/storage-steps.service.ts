import type { Executor } from '../../platform/db/database.ts';
import type { JobQueue } from '../../platform/jobs/jobs.ts';
import { renderEmail } from '../../platform/mail/email-template.tsx';
import type { LicenceStorageState, Provisioner } from '../../platform/provisioner/provisioner.ts';
import type { LicenceStatus } from '../licences/licences.tables.ts';
import { storageStepsEmail } from '../lifecycle/lifecycle.emails.tsx';
import type { SiteLinks } from '../lifecycle/lifecycle.service.ts';
import { queueEmails } from '../lifecycle/lifecycle-mail.ts';
import { formatDay } from '../quotes/quote-rules.ts';
import { tellStorageStepsJob } from './storage-steps.jobs.ts';
import { markStorageStepsTold, type UntoldLicence, untoldLicences } from './storage-steps.repository.ts';

/**
 * The nightly lifecycle's steps told to the storage (issue 6, point 4): a licence made read-only
 * at expiry, or moved to the cold store, must change on the storage system too. The nightly job
 * records the licences of each step (recordStorageStepsOf, in its statement) and enqueues one job
 * per run and step; the job tells an automated provisioner a batch at a time (applyLicenceState),
 * or, with the manual provisioner, emails each service team one list of what to do. A licence
 * that has moved on before it is told (renewed meanwhile) is skipped.
 */
export const STORAGE_STEP_BATCH = 500;
/** A team's email lists this many licences at most, then how many more and where to find them. */
export const STORAGE_STEP_EMAIL_LIST = 200;

/** The nightly job's expiry step → the storage's step (deletable changes nothing on the storage). */
export const STORAGE_STATE_OF_STEP: Record<string, LicenceStorageState | null> = {
  suspend: 'read-only',
  cold: 'cold-store',
  deletable: null,
};

/** The statuses a licence has while its storage should be in that state (one due for deletion stays in the cold store). */
const STATUS_OF: Record<LicenceStorageState, readonly LicenceStatus[]> = {
  'read-only': ['suspended'],
  'cold-store': ['cold', 'deletable'],
};

/** The words in the nightly job's audit rows: what happens next on the storage. */
export const PROVISIONER_TOLD_AFTER =
  'told after this run: an automated provisioner by the tell-storage-steps job, or else the service team by email';

/**
 * For the nightly job, in its transaction, once it has recorded the storage steps it took
 * (recordStorageStepsOf): enqueues the one job per storage state that tells the storage (none for
 * a state with no new step).
 */
export async function queueStorageSteps(
  tx: Executor,
  jobs: JobQueue,
  asOf: string,
  added: Partial<Record<string, number>>,
): Promise<void> {
  for (const state of ['read-only', 'cold-store'] as const) {
    if ((added[state] ?? 0) > 0)
      await jobs.enqueue(tx, tellStorageStepsJob, { asOf, state }, { singletonKey: `${state}-${asOf}` });
  }
}

export interface StorageStepsContext {
  db: Executor;
  jobs: JobQueue;
  provisioner: Provisioner;
  site: SiteLinks;
  now: () => Date;
  /** Licences per batch: STORAGE_STEP_BATCH unless a test says otherwise. */
  batchSize?: number;
}

/** The job: tells the storage of every licence of the day and step not told yet. */
export async function tellStorageSteps(
  context: StorageStepsContext,
  state: LicenceStorageState,
  asOf: string,
): Promise<{ told: number; skipped: number; emails: number }> {
  if (!context.provisioner.automatic) return emailServiceTeams(context, state, asOf);
  const { provisioner } = context;
  let told = 0;
  let skipped = 0;
  for (;;) {
    const batch = await untoldLicences(context.db, state, asOf, context.batchSize ?? STORAGE_STEP_BATCH);
    if (batch.length === 0) break;
    const { current, movedOn } = split(batch, state);
    if (current.length > 0) {
      await provisioner.applyLicenceState({
        state,
        asOf,
        licences: current.map((licence) => ({
          id: licence.id,
          name: licence.name,
          product: licence.product,
          endDate: licence.endDate,
        })),
      });
    }
    await context.db.transaction().execute(async (tx) => {
      told += await markStorageStepsTold(tx, state, asOf, ids(current), provisioner.kind, context.now());
      skipped += await markStorageStepsTold(tx, state, asOf, ids(movedOn), 'skipped', context.now());
    });
  }
  return { told, skipped, emails: 0 };
}

function split(batch: UntoldLicence[], state: LicenceStorageState) {
  return {
    current: batch.filter((licence) => STATUS_OF[state].includes(licence.status)),
    movedOn: batch.filter((licence) => !STATUS_OF[state].includes(licence.status)),
  };
}

const ids = (licences: readonly UntoldLicence[]) => licences.map((licence) => licence.id);

const WORDS: Record<LicenceStorageState, { headline: string; todo: string; status: string }> = {
  'read-only': {
    headline: 'to make read-only',
    todo: 'expired without a renewal: make their storage read-only (the data stays readable)',
    status: 'suspended',
  },
  'cold-store': {
    headline: 'to move to the cold store',
    todo: 'expired and were not renewed in time: move their data to the cold store (tape)',
    status: 'cold',
  },
};

/** The manual provisioner: one email per service team with licences of the step, all marked told in one transaction. */
async function emailServiceTeams(
  context: StorageStepsContext,
  state: LicenceStorageState,
  asOf: string,
): Promise<{ told: number; skipped: number; emails: number }> {
  return context.db.transaction().execute(async (tx) => {
    const byService = new Map<string, { first: UntoldLicence; listed: UntoldLicence[]; total: number }>();
    let told = 0;
    let skipped = 0;
    for (;;) {
      const batch = await untoldLicences(tx, state, asOf, context.batchSize ?? STORAGE_STEP_BATCH);
      if (batch.length === 0) break;
      const { current, movedOn } = split(batch, state);
      for (const licence of current) {
        const team = byService.get(licence.service) ?? { first: licence, listed: [], total: 0 };
        team.total += 1;
        if (team.listed.length < STORAGE_STEP_EMAIL_LIST) team.listed.push(licence);
        byService.set(licence.service, team);
      }
      told += await markStorageStepsTold(tx, state, asOf, ids(current), 'manual', context.now());
      skipped += await markStorageStepsTold(tx, state, asOf, ids(movedOn), 'skipped', context.now());
    }
    const { site } = context;
    const words = WORDS[state];
    const messages = [...byService.values()].map(({ first, listed, total }) =>
      renderEmail(
        storageStepsEmail,
        {
          serviceName: site.serviceName,
          contactEmail: site.contactEmail,
          headline: `${total} ${total === 1 ? 'licence' : 'licences'} ${words.headline}`,
          greeting: `Hello ${first.teamName},`,
          paragraphs: [
            `As of ${formatDay(asOf)} these licences ${words.todo}. The gateway has changed their status; the storage is yours to change, as provisioning is manual:`,
          ],
          licences: listed.map((licence) => ({
            line: `Licence ${licence.id} “${licence.name}” (${licence.product}, ended ${formatDay(licence.endDate)})`,
            url: `${site.publicUrl}/admin/licences/${licence.id}/`,
          })),
          closing: [
            ...(total > listed.length
              ? [
                  `And ${total - listed.length} more: ${site.publicUrl}/admin/licences/?status=${words.status} lists them all.`,
                ]
              : []),
            'This email goes out after each nightly run that changes licences.',
          ],
        },
        { to: first.teamEmail },
      ),
    );
    await queueEmails(tx, messages, context.jobs);
    return { told, skipped, emails: messages.length };
  });
}
