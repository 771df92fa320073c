import type { Executor } from '../../platform/db/database.ts';
import type { JobQueue } from '../../platform/jobs/jobs.ts';
import { renderEmail } from '../../platform/mail/email-template.tsx';
import { quoted } from '../../platform/mail/quoted.ts';
import { type Actor, recordAudit } from '../audit/audit.repository.ts';
import { sizeText } from '../catalogue/sizes.ts';
import { nearQuotaEmail } from '../lifecycle/lifecycle.emails.tsx';
import type { SiteLinks } from '../lifecycle/lifecycle.service.ts';
import { queueEmails } from '../lifecycle/lifecycle-mail.ts';
import { changePath } from '../orders/change-orders.views.tsx';
import type { ServiceCode } from '../people/people.tables.ts';
import { formatDay } from '../quotes/quote-rules.ts';
import {
  licenceReadings,
  type NearQuotaRecipient,
  rearmWarnings,
  recordNearQuotaWarnings,
  writeReadings,
} from './usage.repository.ts';
import {
  BYTES_PER_TB,
  chartStart,
  formatTb,
  type ProjectReading,
  type RawReading,
  type ReadingFieldNames,
  type Rejection,
  type UsagePoint,
  type UsageSettings,
  usageSeries,
  usedPercent,
  validateReadings,
} from './usage-readings.ts';

/** Readings per INSERT statement. */
export const WRITE_BATCH_SIZE = 1000;

export interface ImportOptions {
  /** YYYY-MM-DD: readings after this day are refused. */
  today: string;
  /** Recorded on each reading: 'csv upload by rs501', 'api: rs501', 'cli: readings.csv'. */
  source: string;
  actor: Actor;
  /** The services whose storage projects may be read: a path of another service's project is unknown. */
  services: readonly ServiceCode[];
  /** What rejections call a reading's day and bytes: the CSV's column names unless given (the API's fields). */
  fieldNames?: ReadingFieldNames;
  /** Called after each batch is written, with the readings written so far and how many to write. */
  onProgress?: (written: number, total: number) => void;
}

export interface ImportResult {
  /** Rows (CSV) or readings (API) received. */
  read: number;
  /** New readings stored. */
  added: number;
  /** Readings that replaced another value for the same project and day. */
  changed: number;
  /** Readings already stored with the same value. */
  unchanged: number;
  /** The readings refused, by line, each with its reason. */
  rejected: Rejection[];
}

/**
 * Imports readings from any source (the back-office upload, the API, the command line): each is
 * validated, then the good ones stored in batches of WRITE_BATCH_SIZE, one statement each, in one
 * transaction with one audit row. A bad reading is reported with its line and reason and the rest
 * are stored; importing the same readings again stores nothing new (its project and day are
 * unique), and a new value for a day replaces the old one.
 */
export async function importUsageReadings(
  db: Executor,
  raws: readonly RawReading[],
  options: ImportOptions,
): Promise<ImportResult> {
  const { readings, rejected } = validateReadings(raws, options.today, options.fieldNames);
  // the path itself, as the other reasons give their value: the upload's result page does not show the file
  const pathOf = new Map(readings.map((reading) => [reading.line, reading.path]));
  const unknownReason = (line: number) =>
    `unknown path "${pathOf.get(line) ?? ''}": no storage project ${options.services.length > 1 ? '' : 'of your service '}has this path`;
  return db.transaction().execute(async (tx) => {
    let added = 0;
    let changed = 0;
    const unknown: Rejection[] = [];
    for (let start = 0; start < readings.length; start += WRITE_BATCH_SIZE) {
      const batch = readings.slice(start, start + WRITE_BATCH_SIZE);
      const written = await writeReadings(tx, batch, options.source, options.services);
      added += written.added;
      changed += written.changed;
      for (const line of written.unknownLines) unknown.push({ line, reason: unknownReason(line) });
      options.onProgress?.(start + batch.length, readings.length);
    }
    const result: ImportResult = {
      read: raws.length,
      added,
      changed,
      unchanged: readings.length - unknown.length - added - changed,
      rejected: [...rejected, ...unknown].sort((a, b) => a.line - b.line),
    };
    await recordAudit(tx, {
      actor: options.actor,
      entityType: 'usage-import',
      entityId: options.source,
      action: 'usage readings imported',
      after: {
        read: result.read,
        added: result.added,
        changed: result.changed,
        unchanged: result.unchanged,
        rejected: result.rejected.length,
        // The services whose projects it could write: their staff find the import in the audit trail.
        services: [...options.services],
      },
    });
    return result;
  });
}

export interface NearQuotaResult {
  asOf: string;
  /** Open warnings closed because usage dropped below the threshold or the size grew. */
  rearmed: number;
  /** Licences warned now. */
  warned: number;
  /** One per person. */
  emails: number;
}

/**
 * The nightly near-quota warnings as of `asOf`: first re-arms the warnings of licences whose size
 * has grown or whose usage has dropped below the threshold, then warns every active licence whose
 * latest usage is at least the threshold and that has no open warning. Each Data Owner and Data
 * Manager (not those who have left) gets one email listing all their licences warned in this run.
 * In one transaction: a second run as of the same day changes nothing and sends nothing.
 */
export async function runNearQuotaWarnings(
  db: Executor,
  jobs: JobQueue,
  asOf: string,
  settings: UsageSettings,
  site: SiteLinks,
): Promise<NearQuotaResult> {
  return db.transaction().execute(async (tx) => {
    const rearmed = await rearmWarnings(tx, asOf, settings);
    const rows = await recordNearQuotaWarnings(tx, asOf, settings);
    const byPerson = new Map<number, NearQuotaRecipient[]>();
    for (const row of rows) {
      const list = byPerson.get(row.personId);
      if (list) list.push(row);
      else byPerson.set(row.personId, [row]);
    }
    const messages = [...byPerson.values()].flatMap((licences) => {
      const [first] = licences;
      return first ? [renderEmail(nearQuotaEmail, nearQuotaProps(site, settings, licences), { to: first.email })] : [];
    });
    await queueEmails(tx, messages, jobs);
    return { asOf, rearmed, warned: new Set(rows.map((row) => row.licenceId)).size, emails: messages.length };
  });
}

/** "9.2 TB of 10 TB used (92%) on 20 November 2026": the licence page says the same. */
export function usageSentence(usedBytes: number, sizeTb: number, readOn: string): string {
  return `${formatTb(usedBytes)} of ${sizeText(sizeTb)} used (${usedPercent(usedBytes, sizeTb)}%) on ${formatDay(readOn)}`;
}

function nearQuotaProps(site: SiteLinks, settings: UsageSettings, licences: NearQuotaRecipient[]) {
  const [first] = licences;
  const many = licences.length > 1;
  return {
    serviceName: site.serviceName,
    contactEmail: site.contactEmail,
    headline: many ? 'Your storage licences are nearly full' : 'Your storage licence is nearly full',
    greeting: `Hello ${first?.displayName ?? ''},`,
    paragraphs: [
      `${many ? `${licences.length} storage licences` : 'A storage licence'} you look after as Data Owner or a Data Manager ${many ? 'have' : 'has'} used ${settings.warningPercent}% or more of ${many ? 'their' : 'its'} size:`,
    ],
    licences: licences.map((licence) => ({
      line: `${quoted(licence.licenceName)}: ${usageSentence(licence.usedBytes, licence.sizeTb, licence.readOn)}`,
      url: `${site.publicUrl}${changePath(licence.licenceId, 'increase')}`,
    })),
    closing: [
      'When a licence is full, nothing more can be written to it. Each link above increases the size of its licence (priced for the rest of its term); or make room by removing data.',
      'You will not be told again about a licence until its usage has dropped below the threshold or its size has grown.',
    ],
  };
}

/** A licence's usage over the 12 months to `to`, as its pages show it. */
export interface LicenceUsage {
  /** YYYY-MM-DD, the first and last day of the chart. */
  from: string;
  to: string;
  points: UsagePoint[];
  /** Each project's latest reading in those 12 months, by project id. */
  projects: Map<number, ProjectReading>;
  /** The near-quota threshold (USAGE_WARNING_PERCENT), drawn on the chart. */
  warningPercent: number;
}

/** The licence's usage over the 12 months up to `asOf`, from one indexed read of its readings. */
export async function licenceUsage(
  db: Executor,
  licenceId: number,
  asOf: string,
  warningPercent: number,
): Promise<LicenceUsage> {
  const from = chartStart(asOf);
  const readings = await licenceReadings(db, licenceId, from, asOf);
  // oldest first, so each project's last reading is its latest
  const projects = new Map(readings.map((reading) => [reading.projectId, reading]));
  return { from, to: asOf, points: usageSeries(readings), projects, warningPercent };
}

/** "The near-quota warning is sent at 90% (9.0 TB)": the chart's caption, description and table say it. */
export function warningSentence(warningPercent: number, sizeTb: number): string {
  return `The near-quota warning is sent at ${warningPercent}% (${formatTb((sizeTb * BYTES_PER_TB * warningPercent) / 100)})`;
}
