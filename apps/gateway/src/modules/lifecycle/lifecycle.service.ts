import { Temporal } from 'temporal-polyfill';
import type { Executor } from '../../platform/db/database.ts';
import type { JobQueue } from '../../platform/jobs/jobs.ts';
import type { EmailTemplate, RenderedEmail } from '../../platform/mail/email-template.tsx';
import { renderEmail } from '../../platform/mail/email-template.tsx';
import { quoted } from '../../platform/mail/quoted.ts';
import type { ChangeKind } from '../provisioning/licence-changes.ts';
import {
  PROVISIONER_TOLD_AFTER,
  queueStorageSteps,
  STORAGE_STATE_OF_STEP,
} from '../provisioning/storage-steps.service.ts';
import { formatDay } from '../quotes/quote-rules.ts';
import { changeAfterStep, type ExpiredStatus } from './change-in-progress.ts';
import {
  type LifecycleEmailProps,
  licenceColdEmail,
  licenceDeletableEmail,
  licenceDeletedEmail,
  licenceReminderEmail,
  licenceSuspendedEmail,
} from './lifecycle.emails.tsx';
import {
  type ExpiryStepDetails,
  type LifecycleNotice,
  previousRunDay,
  recordDueReminders,
  recordRun,
  takeExpirySteps,
  takeNotices,
  writeReminderNotices,
} from './lifecycle.repository.ts';
import type { LifecycleNoticeData, LifecycleNoticeLicence } from './lifecycle.tables.ts';
import { coldFrom, deletableFrom, type LifecycleSettings, suspendedFrom } from './lifecycle-dates.ts';
import { INSERT_CHUNK_SIZE, queueEmails, sendLifecycleNoticesJob } from './lifecycle-mail.ts';

export interface SiteLinks {
  serviceName: string;
  contactEmail: string;
  publicUrl: string;
}

export interface NightlyLifecycleResult {
  asOf: string;
  /** Reminders recorded (one per licence). */
  reminders: number;
  suspended: number;
  cold: number;
  deletable: number;
  /** Emails queued, reminders and expiry steps together. */
  emails: number;
}

/**
 * The nightly job for one day: the reminders due, then each expiry step (active → suspended →
 * cold → deletable), all in one transaction with their audit rows and emails. A licence can take
 * more than one step in a run (one that ended 40 days ago and was never suspended is moved to the
 * cold store at once: one audit row naming both steps, one email, the storage told to move it), so
 * a second run as of the same day finds nothing to do and sends nothing.
 * Locked licences are left alone. Nothing is ever deleted: the service team confirms a deletion.
 *
 * The reminders are one statement; the expiry steps another, which updates each licence once (to
 * the status it ends the night in) and writes an audit row per step taken. Emails are written by
 * these statements as notices (data, one per person and email); the send-lifecycle-notices job enqueued here
 * renders them into the outbox (sendLifecycleNotices), so the night holds no licence in memory.
 */
export async function runNightlyLifecycle(
  db: Executor,
  jobs: JobQueue,
  asOf: string,
  settings: LifecycleSettings,
  now: Date,
): Promise<NightlyLifecycleResult> {
  const day = Temporal.PlainDate.from(asOf).toString();
  return db.transaction().execute(async (tx) => {
    const previous = await previousRunDay(tx, day);
    const recorded = await recordDueReminders(tx, day, previous, settings.reminderDays);
    const reminded = await writeReminderNotices(
      tx,
      recorded.map((reminder) => reminder.licenceId),
      day,
      licenceReminderEmail.name,
    );
    const taken = await takeExpirySteps(tx, day, settings, now, EXPIRY_DETAILS);
    const emails = reminded.notices + taken.notices;
    await queueStorageSteps(tx, jobs, day, taken.storageSteps);
    if (emails > 0) await jobs.enqueue(tx, sendLifecycleNoticesJob, { asOf: day });
    await recordRun(tx, day);
    return {
      asOf: day,
      reminders: recorded.length,
      suspended: taken.moved.suspend,
      cold: taken.moved.cold,
      deletable: taken.moved.deletable,
      emails,
    };
  });
}

/**
 * Renders the day's notices into the mail outbox, a chunk per transaction (so a retry after a
 * failure goes on where it stopped, and no chunk is rendered twice), with the site's links and
 * the lifecycle settings. Returns how many emails it queued.
 */
export async function sendLifecycleNotices(
  db: Executor,
  jobs: JobQueue,
  asOf: string,
  settings: LifecycleSettings,
  site: SiteLinks,
): Promise<number> {
  let queued = 0;
  for (;;) {
    const count = await db.transaction().execute(async (tx) => {
      const notices = await takeNotices(tx, asOf, INSERT_CHUNK_SIZE);
      return queueEmails(
        tx,
        notices.map((notice) => renderNotice(notice, settings, site)),
        jobs,
      );
    });
    queued += count;
    if (count < INSERT_CHUNK_SIZE) return queued;
  }
}

/** A notice's email: a reminder, or the news of one expiry step. */
export function renderNotice(notice: LifecycleNotice, settings: LifecycleSettings, site: SiteLinks): RenderedEmail {
  const recipients = { to: notice.to };
  if (notice.template === licenceReminderEmail.name) {
    return renderEmail(licenceReminderEmail, reminderProps(site, settings, notice.asOf, notice), recipients);
  }
  const step = EXPIRY_STEPS.find((candidate) => EXPIRY_TEMPLATES[candidate].name === notice.template);
  if (!step) throw new Error(`lifecycle notice ${notice.id}: no template ${notice.template}`);
  return renderEmail(EXPIRY_TEMPLATES[step], expiryProps(step, site, settings, notice), recipients);
}

const EXPIRY_STEPS = ['suspend', 'cold', 'deletable'] as const;
const EXPIRY_TEMPLATES: Record<'suspend' | 'cold' | 'deletable', EmailTemplate<LifecycleEmailProps>> = {
  suspend: licenceSuspendedEmail,
  cold: licenceColdEmail,
  deletable: licenceDeletableEmail,
};

/** Each step's email, its audit note (who tells the storage) and the storage's state. */
const EXPIRY_DETAILS: ExpiryStepDetails = {
  suspend: {
    template: licenceSuspendedEmail.name,
    note: { provisioner: PROVISIONER_TOLD_AFTER },
    storageState: STORAGE_STATE_OF_STEP.suspend ?? null,
  },
  cold: {
    template: licenceColdEmail.name,
    note: { provisioner: PROVISIONER_TOLD_AFTER },
    storageState: STORAGE_STATE_OF_STEP.cold ?? null,
  },
  deletable: { template: licenceDeletableEmail.name, note: {}, storageState: null },
};

const licenceUrl = (site: SiteLinks, id: number) => `${site.publicUrl}/storage/licence/${id}/`;
const plural = (count: number, one: string, many: string) => (count === 1 ? one : many);
const daysWords = (days: number) => (days === 1 ? '1 day' : `${days} days`);
const monthsWords = (months: number) => (months === 1 ? '1 month' : `${months} months`);

/** The email a licence's steps are told in: a reminder before it ends, or the news of a step taken. */
type StepsAfter = 'reminder' | 'suspend' | 'cold';

/**
 * The days an unrenewed licence ending on `endDate` takes the steps still to come after `after`
 * (lifecycle-dates.ts, with the settings the nightly job takes them by), in words.
 */
function stepDays(endDate: string, settings: LifecycleSettings, after: StepsAfter) {
  return {
    readOnly: after === 'reminder' ? formatDay(suspendedFrom(endDate, settings)) : undefined,
    cold: after === 'cold' ? undefined : formatDay(coldFrom(endDate, settings)),
    deletable: formatDay(deletableFrom(endDate, settings)),
  };
}

/** What is left to do to stop the steps: renew, or once in the cold store, recover. */
const stopWord = (after: StepsAfter) => (after === 'cold' ? 'recovered' : 'renewed');

/** A licence's days beside it, in an email of licences that end on different days. */
function stepDaysOnLine(endDate: string, settings: LifecycleSettings, after: StepsAfter): string {
  const days = stepDays(endDate, settings, after);
  const steps = [
    days.readOnly ? `read-only from ${days.readOnly}` : undefined,
    days.cold ? `in the cold store from ${days.cold}` : undefined,
    `can be deleted from ${days.deletable}`,
  ].filter(Boolean);
  return `; if not ${stopWord(after)}: ${steps.join(', ')}`;
}

/**
 * What becomes of the email's licences if they are not renewed (or recovered), naming the days
 * when they all end on the same day; else in general, each licence's days being on its line
 * (stepDaysOnLine).
 */
function whatHappens(settings: LifecycleSettings, licences: readonly { endDate: string }[], after: StepsAfter): string {
  const ends = [...new Set(licences.map((licence) => licence.endDate))];
  const [endDate] = ends;
  if (ends.length === 1 && endDate) {
    const days = stepDays(endDate, settings, after);
    const many = licences.length > 1;
    const [it, its, is] = many ? ['they', 'their', 'are'] : ['it', 'its', 'is'];
    const unless = `If ${it} ${is} not ${stopWord(after)}`;
    if (after === 'reminder') {
      return `${unless}, ${it} ${many ? 'become' : 'becomes'} read-only on ${days.readOnly} (${its} data can be read but not changed), ${its} data moves to the cold store (tape) on ${days.cold}, and ${it} can be deleted from ${days.deletable}.`;
    }
    if (after === 'suspend') {
      return `${unless}, ${its} data moves to the cold store (tape) on ${days.cold}, and ${it} can be deleted from ${days.deletable}.`;
    }
    return `${unless}, ${its} data can be deleted from ${days.deletable}.`;
  }
  if (after === 'cold') {
    return `${monthsWords(settings.deletableAfterMonths)} after its end date, the data of a licence that is not recovered can be deleted: the day is beside each licence above.`;
  }
  const readOnly =
    settings.suspendAfterDays === 0
      ? 'the day after its end date'
      : `${daysWords(settings.suspendAfterDays + 1)} after its end date`;
  return `A licence that has not been renewed becomes read-only ${readOnly}: its data can be read but not changed. ${daysWords(settings.coldAfterDays)} after the end date the data moves to the cold store (tape), and ${monthsWords(settings.deletableAfterMonths)} after the end date it can be deleted: the days are beside each licence above.`;
}

/** Whether the email's licences end on different days, so each line names its own days. */
const endOnDifferentDays = (licences: readonly { endDate: string }[]) =>
  new Set(licences.map((licence) => licence.endDate)).size > 1;

function reminderProps(
  site: SiteLinks,
  settings: LifecycleSettings,
  asOf: string,
  { displayName, licences }: LifecycleNoticeData,
): LifecycleEmailProps {
  const today = Temporal.PlainDate.from(asOf);
  return {
    serviceName: site.serviceName,
    contactEmail: site.contactEmail,
    headline: plural(licences.length, 'Your storage licence ends soon', 'Your storage licences end soon'),
    greeting: `Hello ${displayName},`,
    paragraphs: [
      plural(
        licences.length,
        'A storage licence you look after as its Data Owner or a Data Manager ends soon:',
        `${licences.length} storage licences you look after as Data Owner or a Data Manager end soon:`,
      ),
    ],
    licences: licences.map((licence) => {
      const left = today.until(Temporal.PlainDate.from(licence.endDate)).days;
      const days = endOnDifferentDays(licences) ? stepDaysOnLine(licence.endDate, settings, 'reminder') : '';
      return {
        line: `${quoted(licence.licenceName)} ends on ${formatDay(licence.endDate)} (${left === 0 ? 'today' : `in ${daysWords(left)}`})${days}`,
        url: licenceUrl(site, licence.licenceId),
      };
    }),
    closing: [
      whatHappens(settings, licences, 'reminder'),
      'To keep the storage, renew the licence from its page before the end date.',
      `To stop these reminders, change your reminder setting at ${site.publicUrl}/account/.`,
    ],
  };
}

function expiryProps(
  step: 'suspend' | 'cold' | 'deletable',
  site: SiteLinks,
  settings: LifecycleSettings,
  { displayName, licences }: LifecycleNoticeData,
): LifecycleEmailProps {
  const many = licences.length > 1;
  const changes = licences.map(changeOf);
  // Suspended while a renewal waits for approval: that renewal makes it active again, so no "renew".
  const allRenewing = changes.every((change) => change?.kind === 'renewal');
  // Due for deletion while a recovery waits for approval: approving it brings the licence back.
  const recovering = changes.filter((change) => change?.kind === 'recovery').length;
  const allRecovering = recovering === licences.length;
  const [its, their] = [many ? 'their' : 'its', many ? 'their data' : 'its data'];
  const words = {
    suspend: {
      headline: many ? 'Your storage licences have expired' : 'Your storage licence has expired',
      what: `passed ${its} end date ${allRenewing ? `before ${many ? 'their renewals were' : 'its renewal was'} approved` : 'without a renewal'}, so ${many ? 'they are' : 'it is'} now read-only: the data can be read but not changed.`,
      next: allRenewing
        ? `Once approved, ${many ? 'the renewals make them' : 'the renewal makes it'} active again, from the day after ${its} end date. ${whatHappens(settings, licences, 'suspend')}`
        : `${many ? 'Renew them from their pages to use them again.' : "Renew from the licence's page to use it again."} ${whatHappens(settings, licences, 'suspend')}`,
    },
    cold: {
      headline: 'Your expired storage has moved to the cold store',
      // "within": a night that catches up after an outage takes this step later than its day
      what: `${many ? 'were' : 'was'} not renewed within ${daysWords(settings.coldAfterDays)} of ${its} end date, so ${their} is moving to the cold store (tape).`,
      next: `Order a recovery from the licence's page if you need the data back (a fee applies). ${whatHappens(settings, licences, 'cold')}`,
    },
    deletable: {
      headline: 'Your expired storage is due for deletion',
      what: allRecovering
        ? `${many ? 'were' : 'was'} not renewed within ${monthsWords(settings.deletableAfterMonths)} of ${its} end date, so ${many ? 'they are' : 'it is'} now due for deletion, unless ${many ? 'their recoveries are' : 'its recovery is'} approved.`
        : `${many ? 'were' : 'was'} not renewed within ${monthsWords(settings.deletableAfterMonths)} of ${its} end date, so ${their} can now be deleted.`,
      next: [
        recovering > 0
          ? 'Nothing is deleted while a recovery waits for approval: the storage team decides it first.'
          : undefined,
        allRecovering
          ? undefined
          : `The storage team will delete ${recovering > 0 ? 'the data of the others' : many ? 'their data' : 'it'} once they confirm; nothing is deleted without them. Contact ${site.contactEmail} straight away if you still need ${many ? 'any of it' : 'it'}.`,
      ]
        .filter(Boolean)
        .join(' '),
    },
  }[step];
  const managed = licences.filter((licence) => licence.asManager).length;
  const yours =
    managed === 0
      ? 'you own'
      : managed === licences.length
        ? 'you look after as a Data Manager'
        : 'you own or look after as a Data Manager';
  return {
    serviceName: site.serviceName,
    contactEmail: site.contactEmail,
    headline: words.headline,
    greeting: `Hello ${displayName},`,
    paragraphs: [`${many ? 'These storage licences' : 'This storage licence'} ${yours} ${words.what}`],
    licences: licences.map((licence) => {
      const ended = endedLicenceLine(site, licence, step);
      // Each one's days beside it when they differ (a deletion notice has none to come).
      return step !== 'deletable' && endOnDifferentDays(licences)
        ? { ...ended, line: `${ended.line}${stepDaysOnLine(licence.endDate, settings, step)}` }
        : ended;
    }),
    closing: [words.next],
  };
}

/** A notice's change order in progress: its own fields, or a renewal as an earlier build wrote it. */
function changeOf(licence: LifecycleNoticeLicence): { reference: string; kind: ChangeKind } | undefined {
  if (licence.changeOrder && licence.changeKind) return { reference: licence.changeOrder, kind: licence.changeKind };
  return licence.renewalOrder ? { reference: licence.renewalOrder, kind: 'renewal' } : undefined;
}

const STATUS_AFTER: Record<'suspend' | 'cold' | 'deletable', ExpiredStatus> = {
  suspend: 'suspended',
  cold: 'cold',
  deletable: 'deletable',
};

/**
 * A licence that ended, as a line of an expiry or deletion notice, with a link to its page; said to
 * a Data Manager told because its Data Owner has left; and what becomes of its change order in
 * progress (changeAfterStep): a renewal restores a suspended licence, but cannot renew one in the
 * cold store (completion refuses it), so it must make way for a recovery, nor one due for deletion;
 * a recovery brings back one due for deletion; more space cannot be added once it has ended.
 */
function endedLicenceLine(site: SiteLinks, licence: LifecycleNoticeLicence, step?: 'suspend' | 'cold' | 'deletable') {
  const change = changeOf(licence);
  const told = licence.asManager ? ' (you are told as a Data Manager: its Data Owner has left the University)' : '';
  const waiting = change && step ? `: ${changeAfterStep(change, STATUS_AFTER[step])}` : '';
  return {
    line: `${quoted(licence.licenceName)} (ended ${formatDay(licence.endDate)})${told}${waiting}`,
    url: licenceUrl(site, licence.licenceId),
  };
}

/**
 * The last step of an unrenewed licence, which no job takes: once its service team has deleted
 * the data and confirmed it, its Data Owner is told, so that nothing is deleted silently; or, when
 * the Data Owner has left the University, its current Data Managers (`owner` undefined), as the
 * expiry steps before it told them.
 */
export function licenceDeletedNotice(
  site: SiteLinks,
  to: { owner: { displayName: string; email: string } } | { managerEmails: readonly string[] },
  licence: { licenceId: number; licenceName: string; endDate: string },
): RenderedEmail {
  const owner = 'owner' in to ? to.owner : undefined;
  return renderEmail(
    licenceDeletedEmail,
    {
      serviceName: site.serviceName,
      contactEmail: site.contactEmail,
      headline: 'Your expired storage has been deleted',
      greeting: owner ? `Hello ${owner.displayName},` : 'Hello,',
      paragraphs: [
        `This storage licence you ${owner ? 'own' : 'look after as a Data Manager'} ended without a renewal, and the storage team has now deleted its data:`,
      ],
      licences: [endedLicenceLine(site, { ...licence, asManager: !owner })],
      closing: ['The licence stays in My storage as deleted. Buy new storage there if you need some again.'],
    },
    { to: 'owner' in to ? to.owner.email : [...to.managerEmails] },
  );
}
