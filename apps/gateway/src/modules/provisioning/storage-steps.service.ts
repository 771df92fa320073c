import type { Executor } from '../../platform/db/database.ts';
import type { JobQueue } from '../../platform/jobs/jobs.ts';
import { renderEmail } from '../../platform/mail/email-template.tsx';
import type { LicenceStorageState, Provisioner } from '../../platform/provisioner/provisioner.ts';
import type { LicenceStatus } from '../licences/licences.tables.ts';
import type { SiteLinks } from '../lifecycle/lifecycle.service.ts';
import { queueEmails } from '../lifecycle/lifecycle-mail.ts';
import { formatDay } from '../quotes/quote-rules.ts';
import { storageStepsEmail } from './storage-steps.emails.tsx';
import { tellStorageStepsJob } from './storage-steps.jobs.ts';
import { markStorageStepsTold, type UntoldLicence, untoldLicences } from './storage-steps.repository.ts';

/**
 * The nightly lifecycle's steps told to the storage (issue 6, point 4): a licence made read-only
 * at expiry, or moved to the cold store, must change on the storage system too. The nightly job
 * records the licences of each step (recordStorageStepsOf, in its statement) and enqueues one job
 * per run; the job tells an automated provisioner each step a batch at a time (applyLicenceState),
 * or, with the manual provisioner, emails each service team one email for the run, with a list per
 * step of what to do. A licence that has moved on before it is told (renewed meanwhile) is skipped.
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

/** The storage's steps in the order a licence takes them, and each team's email lists them. */
const STORAGE_STATES = ['read-only', 'cold-store'] as const;

/**
 * For the nightly job, in its transaction, once it has recorded the storage steps it took
 * (recordStorageStepsOf): enqueues the one job of the run that tells the storage (none when no
 * step was added).
 */
export async function queueStorageSteps(
  tx: Executor,
  jobs: JobQueue,
  asOf: string,
  added: Partial<Record<string, number>>,
): Promise<void> {
  if (STORAGE_STATES.some((state) => (added[state] ?? 0) > 0))
    await jobs.enqueue(tx, tellStorageStepsJob, { asOf }, { singletonKey: asOf });
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

interface Told {
  told: number;
  skipped: number;
  emails: number;
}

/** The job: tells the storage of every licence of the day not told yet, step by step. */
export async function tellStorageSteps(context: StorageStepsContext, asOf: string): Promise<Told> {
  if (!context.provisioner.automatic) return emailServiceTeams(context, asOf);
  const sum: Told = { told: 0, skipped: 0, emails: 0 };
  for (const state of STORAGE_STATES) {
    const result = await tellProvisioner(context, state, asOf);
    sum.told += result.told;
    sum.skipped += result.skipped;
  }
  return sum;
}

/** An automated provisioner: the step's licences a batch at a time, each batch marked told once applied. */
async function tellProvisioner(context: StorageStepsContext, state: LicenceStorageState, asOf: string): Promise<Told> {
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

const WORDS: Record<LicenceStorageState, { headline: string; todo: string; todoRenewing?: string; status: string }> = {
  'read-only': {
    headline: 'to make read-only',
    todo: 'expired without a renewal: make their storage read-only (the data stays readable)',
    // When a licence of the list has a renewal in progress: renewed, but not in time.
    todoRenewing:
      'expired without a renewal in place: make their storage read-only (the data stays readable); a renewal marked waiting makes its licence active again once it is approved and carried out',
    status: 'suspended',
  },
  'cold-store': {
    headline: 'to move to the cold store',
    todo: 'expired and were not renewed in time: move their data to the cold store (tape)',
    status: 'cold',
  },
};

interface TeamList {
  first: UntoldLicence;
  /** Per step: the licences listed (STORAGE_STEP_EMAIL_LIST at most), how many in all, and how many with a renewal waiting. */
  steps: Map<LicenceStorageState, { listed: UntoldLicence[]; total: number; renewing: number }>;
}

/**
 * The manual provisioner: one email per service team for the run, a list per step, all marked
 * told in one transaction (so a second job finds nothing and sends nothing).
 */
async function emailServiceTeams(context: StorageStepsContext, asOf: string): Promise<Told> {
  return context.db.transaction().execute(async (tx) => {
    const teams = new Map<string, TeamList>();
    let told = 0;
    let skipped = 0;
    for (const state of STORAGE_STATES) {
      for (;;) {
        const batch = await untoldLicences(tx, state, asOf, context.batchSize ?? STORAGE_STEP_BATCH);
        if (batch.length === 0) break;
        const { current, movedOn } = split(batch, state);
        for (const licence of current) listForTeam(teams, state, licence);
        told += await markStorageStepsTold(tx, state, asOf, ids(current), 'manual', context.now());
        skipped += await markStorageStepsTold(tx, state, asOf, ids(movedOn), 'skipped', context.now());
      }
    }
    const messages = [...teams.values()].map((team) => teamEmail(context.site, asOf, team));
    await queueEmails(tx, messages, context.jobs);
    return { told, skipped, emails: messages.length };
  });
}

function listForTeam(teams: Map<string, TeamList>, state: LicenceStorageState, licence: UntoldLicence): void {
  const team = teams.get(licence.service) ?? { first: licence, steps: new Map() };
  teams.set(licence.service, team);
  const step = team.steps.get(state) ?? { listed: [], total: 0, renewing: 0 };
  team.steps.set(state, step);
  step.total += 1;
  if (renewalWaiting(state, licence)) step.renewing += 1;
  if (step.listed.length < STORAGE_STEP_EMAIL_LIST) step.listed.push(licence);
}

const count = (total: number) => `${total} ${total === 1 ? 'licence' : 'licences'}`;

/**
 * The renewal in progress of a licence to make read-only, which (approved) makes it active again;
 * none for the cold store, which a renewal no longer undoes (change-in-progress.ts).
 */
function renewalWaiting(state: LicenceStorageState, licence: UntoldLicence): string | null {
  return state === 'read-only' ? licence.renewalWaiting : null;
}

/** A team's email: its steps' lists, each under a heading that says how many and what to do. */
function teamEmail(site: SiteLinks, asOf: string, { first, steps }: TeamList) {
  const sections = [...steps].map(([state, { listed, total, renewing }]) => {
    const words = WORDS[state];
    const more = total - listed.length;
    return {
      heading: `${count(total)} ${words.headline}`,
      todo: renewing > 0 && words.todoRenewing ? words.todoRenewing : words.todo,
      licences: listed.map((licence) => {
        const renewal = renewalWaiting(state, licence);
        const waiting = renewal ? ` (renewal ${renewal} waiting)` : '';
        return {
          line: `Licence ${licence.id} “${licence.name}” (${licence.product}, ended ${formatDay(licence.endDate)})${waiting}`,
          url: `${site.publicUrl}/admin/licences/${licence.id}/`,
        };
      }),
      more:
        more > 0
          ? `And ${more} more: ${site.publicUrl}/admin/licences/?status=${words.status} lists them all.`
          : undefined,
    };
  });
  return renderEmail(
    storageStepsEmail,
    {
      serviceName: site.serviceName,
      contactEmail: site.contactEmail,
      headline: sections.map((section) => section.heading).join(', '),
      greeting: `Hello ${first.teamName},`,
      intro: `As of ${formatDay(asOf)} the gateway has changed the status of these licences; the storage is yours to change, as provisioning is manual.`,
      sections,
      closing: 'This email goes out after each nightly run that changes licences.',
    },
    { to: first.teamEmail },
  );
}
