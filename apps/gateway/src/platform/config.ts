import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import * as z from 'zod';

// Zod without its code generation: an object schema's first parse no longer compiles a validator
// with new Function, which cost more than it saved where schemas are parsed a few times each
// (this file's first parse at start-up: 5-14 → 3-4 ms); later parses take about as long.
// Every process loads this file before it parses anything.
z.config({ jitless: true });

/**
 * Every setting the gateway reads, parsed once at start-up. A value that does not parse stops the
 * process with a message naming the variable; a production profile that would quietly run on an
 * embedded default stops it too (see `productionRefusals`).
 */
const flag = z.stringbool().default(false);
const optionalText = z
  .string()
  .trim()
  .transform((value) => (value === '' ? undefined : value))
  .optional();

/**
 * TRUST_PROXY: false; the number of proxies in front of the app (the client's address is the one
 * that many hops back in X-Forwarded-For: what the nearest proxies saw, which a client cannot
 * write); or true, every proxy (the first X-Forwarded-For entry, which a client can write, so
 * per-address rate limits can be dodged).
 */
const trustProxySetting = z
  .string()
  .trim()
  .toLowerCase()
  .default('false')
  .transform((value, context): boolean | number => {
    if (/^\d{1,2}$/.test(value)) return Number(value);
    if (['true', 'yes', 'on'].includes(value)) return true;
    if (['false', 'no', 'off', ''].includes(value)) return false;
    context.addIssue({
      code: 'custom',
      message: 'TRUST_PROXY is false, the number of proxies in front of the app (such as 2), or true',
    });
    return z.NEVER;
  });

const environmentSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  APP_ROLE: z.enum(['all', 'web', 'worker']).default('all'),
  HOST: z.string().default('127.0.0.1'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  PUBLIC_URL: z.url().optional(),
  TRUST_PROXY: trustProxySetting,
  DATA_DIR: z.string().default('./data'),

  DATABASE_URL: optionalText.pipe(z.url({ protocol: /^postgres(ql)?$/ }).optional()),
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(100).default(10),
  /** Seconds to wait for a new PostgreSQL connection: a paused or failed-over server is reported, not waited on. */
  DATABASE_CONNECT_TIMEOUT_SECONDS: z.coerce.number().int().min(1).max(300).default(5),
  /** Seconds a gateway process's statement may run (0: no limit); commands (migrations, nightly) have none. */
  DATABASE_STATEMENT_TIMEOUT_SECONDS: z.coerce.number().int().min(0).max(3600).default(30),
  /** Web processes sharing the port (APP_ROLE=web on PostgreSQL); by default one per CPU in production. */
  WEB_CONCURRENCY: z.coerce.number().int().min(1).max(64).optional(),

  JOBS_DRIVER: z.enum(['pg-boss', 'cloud-tasks']).default('pg-boss'),
  SCHEDULES_DRIVER: z.enum(['in-process', 'cloud-scheduler']).default('in-process'),
  CLOUD_TASKS_QUEUE: optionalText,
  CLOUD_TASKS_SERVICE_ACCOUNT: optionalText,
  TASKS_AUDIENCE: optionalText,
  TASKS_ALLOWED_CALLERS: optionalText,
  TASKS_JWKS_URL: z.url().default('https://www.googleapis.com/oauth2/v3/certs'),
  TASKS_ISSUER: z.string().default('https://accounts.google.com'),

  DOCUMENTS_DRIVER: z.enum(['local', 'gcs', 's3']).default('local'),
  DOCUMENTS_DIR: optionalText,
  DOCUMENTS_BUCKET: optionalText,
  S3_REGION: optionalText,
  S3_ENDPOINT: optionalText,
  /** A Cloud Storage emulator's address; no credentials are sent to it. Unset in deployments. */
  GCS_API_ENDPOINT: optionalText.pipe(z.url().optional()),

  MAIL_DRIVER: z.enum(['outbox', 'smtp']).default('outbox'),
  MAIL_OUTBOX_DIR: optionalText,
  // Checked here, not by the mail transport at its first message: a wrong one is a start-up
  // problem. The message never repeats the value, which may carry a password.
  SMTP_URL: optionalText.pipe(
    z
      .url({
        protocol: /^smtps?$/,
        error: 'expected smtp://host:port, or smtps://user:password@host:port (with the smtp:// or smtps:// in front)',
      })
      .optional(),
  ),
  MAIL_FROM: z.string().default('Storage Self-Service Gateway <no-reply@storage.example.ac.uk>'),

  DEV_SIGN_IN: z.stringbool().optional(),
  OIDC_ISSUER: optionalText.pipe(z.url().optional()),
  OIDC_CLIENT_ID: optionalText,
  OIDC_CLIENT_SECRET: optionalText,
  OIDC_SCOPES: z.string().default('openid email profile'),
  /** The claim that carries the CRSid; a cam.ac.uk email is the fallback. */
  OIDC_CRSID_CLAIM: z.string().trim().min(1).default('preferred_username'),
  SESSION_SECRET: optionalText,
  SESSION_IDLE_MINUTES: z.coerce.number().int().min(5).default(120),
  /** However busy a session, it ends this long after its sign-in: a shared computer is not signed in for days. */
  SESSION_LIFETIME_HOURS: z.coerce.number().int().min(1).default(12),
  /** A member of staff viewing the site as a customer sees it so for this long, then as themselves again. */
  VIEW_AS_MINUTES: z.coerce.number().int().min(1).default(30),
  SIGN_IN_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).default(10),
  API_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).default(300),
  FORM_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).default(60),

  SERVICE_NAME: z.string().default('Storage Self-Service Gateway'),
  SERVICE_CONTACT_EMAIL: z.email().default('storage-support@example.ac.uk'),

  CUFS_URL: z.url().default('http://localhost:3001'),
  CUFS_TOKEN: optionalText,
  /**
   * On Cloud Run, where only named accounts may invoke the CUFS service: the audience (its run.app
   * URL) of the Google ID token the gateway sends for that check. Unset elsewhere.
   */
  CUFS_ID_TOKEN_AUDIENCE: optionalText.pipe(z.url().optional()),

  DIRECTORY: z.enum(['seeded', 'lookup']).default('seeded'),
  LOOKUP_URL: z.url({ protocol: /^https?$/ }).default('https://www.lookup.cam.ac.uk/api/v1'),
  LOOKUP_USERNAME: optionalText,
  LOOKUP_PASSWORD: optionalText,

  PROVISIONER: z.enum(['manual', 'command', 'webhook']).default('manual'),
  /** An executable and fixed arguments, split at spaces (no shell, no quoting). */
  PROVISIONER_COMMAND: optionalText,
  PROVISIONER_WEBHOOK_URL: optionalText.pipe(z.url({ protocol: /^https?$/ }).optional()),
  PROVISIONER_WEBHOOK_SECRET: optionalText,
  // provision and undo each get this long, and both must fit in one job (Cloud Tasks allows 10 minutes)
  PROVISIONER_TIMEOUT_SECONDS: z.coerce.number().int().min(1).max(240).default(120),

  /** Days before a licence's end date that its Data Owner and Data Managers are reminded, e.g. "60,30,7". */
  REMINDER_DAYS: z
    .string()
    .default('60,30,7')
    .transform((text) => [...new Set(text.split(',').map((part) => Number(part.trim())))].sort((a, b) => b - a))
    .refine((days) => days.length > 0 && days.every((d) => Number.isInteger(d) && d > 0 && d <= 366), {
      message: 'a comma-separated list of whole numbers of days from 1 to 366',
    }),
  /** Days before a licence's end date from which it can be renewed; by default the first (largest) REMINDER_DAYS. */
  RENEWAL_OPENS_DAYS_BEFORE_END: z.coerce.number().int().min(1).max(366).optional(),
  /** Days after the end date a licence stays writable; 0 makes it read-only the day after its end date. */
  SUSPEND_AFTER_DAYS: z.coerce.number().int().min(0).max(365).default(0),
  COLD_AFTER_DAYS: z.coerce.number().int().min(1).max(3650).default(30),
  DELETABLE_AFTER_MONTHS: z.coerce.number().int().min(1).max(120).default(6),
  /** A licence whose latest usage is at least this percentage of its size gets a near-quota warning. */
  USAGE_WARNING_PERCENT: z.coerce.number().int().min(1).max(100).default(90),
  /** A licence's usage counts for warnings only while its newest reading is from the last this many days. */
  USAGE_READING_MAX_AGE_DAYS: z.coerce.number().int().min(1).max(366).default(7),

  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  LOG_FORMAT: z.enum(['json', 'gcp']).default('json'),
  METRICS_TOKEN: optionalText,

  ALLOW_DEV_SIGN_IN: flag,
  ALLOW_EMBEDDED_DATABASE: flag,
  ALLOW_OUTBOX_MAILER: flag,
  ALLOW_LOCAL_DOCUMENTS: flag,
});

export type Environment = z.infer<typeof environmentSchema>;

/** The name of every environment variable the gateway reads (a test holds the deployment's to these). */
export const settingNames: readonly string[] = Object.keys(environmentSchema.shape);

export interface Config {
  env: Environment['NODE_ENV'];
  role: Environment['APP_ROLE'];
  host: string;
  port: number;
  publicUrl: string;
  /** Fastify's trustProxy: false, a number of hops, or true (every proxy). */
  trustProxy: boolean | number;
  dataDir: string;
  database:
    | {
        kind: 'postgres';
        url: string;
        poolSize: number;
        connectTimeoutMs: number;
        /** Undefined: no limit (commands clear it, since migrations and the nightly run may take long). */
        statementTimeoutMs?: number;
      }
    | { kind: 'pglite'; dataDir: string };
  /** How many web processes share the port (platform/web/web-processes.ts). */
  webProcesses: number;
  jobs: {
    driver: Environment['JOBS_DRIVER'];
    schedules: Environment['SCHEDULES_DRIVER'];
    cloudTasksQueue?: string;
    cloudTasksServiceAccount?: string;
    /** Who may call /cloud_tasks/ and /cron/: audience, issuer, key set and allowed service accounts. */
    callers: { audience: string; issuer: string; jwksUrl: string; allowed: string[] };
  };
  documents:
    | { driver: 'local'; dir: string }
    | { driver: 'gcs'; bucket: string; apiEndpoint?: string }
    | { driver: 's3'; bucket: string; region?: string; endpoint?: string };
  mail: { driver: 'outbox'; dir: string; from: string } | { driver: 'smtp'; url: string; from: string };
  identity: {
    devSignIn: boolean;
    oidc?: { issuer: string; clientId: string; clientSecret?: string; scopes: string; crsidClaim: string };
    sessionSecret?: string;
    sessionIdleMinutes: number;
    /** A session's absolute lifetime from its sign-in, however busy (session-store.ts). */
    sessionLifetimeHours: number;
    /** How long a view of the site as a customer lasts before it ends on its own (view-as.ts). */
    viewAsMinutes: number;
    signInRateLimitPerMinute: number;
  };
  service: { name: string; contactEmail: string };
  cufs: { url: string; token?: string; idTokenAudience?: string };
  /** Where the directory sync reads people from (platform/directory): the seeded table, or the Lookup API. */
  directory: { kind: 'seeded' } | { kind: 'lookup'; url: string; username?: string; password?: string };
  /** Who provisions approved orders: a person (manual), a command, or a webhook (platform/provisioner). */
  provisioner:
    | { kind: 'manual' }
    | { kind: 'command'; command: string[]; timeoutSeconds: number }
    | { kind: 'webhook'; url: string; secret?: string; timeoutSeconds: number };
  /** When reminders go out and when an unrenewed licence is suspended, moved to cold store and becomes deletable. */
  lifecycle: {
    reminderDays: number[];
    renewalOpensDaysBeforeEnd: number;
    suspendAfterDays: number;
    coldAfterDays: number;
    deletableAfterMonths: number;
  };
  /** The near-quota warnings' threshold, and how fresh a usage reading must be to count. */
  usage: { warningPercent: number; readingMaxAgeDays: number };
  logging: { level: Environment['LOG_LEVEL']; format: Environment['LOG_FORMAT'] };
  metricsToken?: string;
  /** JSON API requests per minute per person (per address when not signed in). */
  apiRateLimitPerMinute: number;
  /** Forms (page POSTs) one person, or one address when signed out, may send a minute. */
  formRateLimitPerMinute: number;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`The gateway's configuration is not valid:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Reads `.env` in the working directory if there is one; real environment variables win. */
export function loadDotEnv(file = '.env'): void {
  if (existsSync(file)) process.loadEnvFile(file);
}

export function loadConfig(source: Record<string, string | undefined> = process.env): Config {
  const parsed = environmentSchema.safeParse(source);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => `${issue.path.join('.') || 'environment'}: ${issue.message}`),
    );
  }
  const config = toConfig(parsed.data);
  const problems = [...missingSettings(parsed.data), ...productionRefusals(parsed.data, config)];
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

function toConfig(e: Environment): Config {
  const dataDir = path.resolve(e.DATA_DIR);
  const publicUrl = (e.PUBLIC_URL ?? `http://localhost:${e.PORT}`).replace(/\/$/, '');
  const oidc =
    e.OIDC_ISSUER && e.OIDC_CLIENT_ID
      ? {
          issuer: e.OIDC_ISSUER,
          clientId: e.OIDC_CLIENT_ID,
          clientSecret: e.OIDC_CLIENT_SECRET,
          scopes: e.OIDC_SCOPES,
          crsidClaim: e.OIDC_CRSID_CLAIM,
        }
      : undefined;
  return {
    env: e.NODE_ENV,
    role: e.APP_ROLE,
    host: e.HOST,
    port: e.PORT,
    publicUrl,
    trustProxy: e.TRUST_PROXY,
    dataDir,
    database: e.DATABASE_URL
      ? {
          kind: 'postgres',
          url: e.DATABASE_URL,
          poolSize: e.DATABASE_POOL_SIZE,
          connectTimeoutMs: e.DATABASE_CONNECT_TIMEOUT_SECONDS * 1000,
          statementTimeoutMs:
            e.DATABASE_STATEMENT_TIMEOUT_SECONDS > 0 ? e.DATABASE_STATEMENT_TIMEOUT_SECONDS * 1000 : undefined,
        }
      : { kind: 'pglite', dataDir: path.join(dataDir, 'pglite') },
    webProcesses:
      e.WEB_CONCURRENCY ?? (canRunWebProcesses(e) && e.NODE_ENV === 'production' ? availableParallelism() : 1),
    jobs: {
      driver: e.JOBS_DRIVER,
      schedules: e.SCHEDULES_DRIVER,
      cloudTasksQueue: e.CLOUD_TASKS_QUEUE,
      cloudTasksServiceAccount: e.CLOUD_TASKS_SERVICE_ACCOUNT,
      callers: {
        audience: e.TASKS_AUDIENCE ?? publicUrl,
        issuer: e.TASKS_ISSUER,
        jwksUrl: e.TASKS_JWKS_URL,
        allowed: splitList(e.TASKS_ALLOWED_CALLERS),
      },
    },
    documents:
      e.DOCUMENTS_DRIVER === 'local'
        ? { driver: 'local', dir: path.resolve(e.DOCUMENTS_DIR ?? path.join(dataDir, 'documents')) }
        : e.DOCUMENTS_DRIVER === 'gcs'
          ? { driver: 'gcs', bucket: e.DOCUMENTS_BUCKET ?? '', apiEndpoint: e.GCS_API_ENDPOINT }
          : { driver: 's3', bucket: e.DOCUMENTS_BUCKET ?? '', region: e.S3_REGION, endpoint: e.S3_ENDPOINT },
    mail:
      e.MAIL_DRIVER === 'outbox'
        ? { driver: 'outbox', dir: path.resolve(e.MAIL_OUTBOX_DIR ?? path.join(dataDir, 'mail')), from: e.MAIL_FROM }
        : { driver: 'smtp', url: e.SMTP_URL ?? '', from: e.MAIL_FROM },
    identity: {
      // Dev sign-in is the default only where no identity provider is configured.
      devSignIn: e.DEV_SIGN_IN ?? !oidc,
      oidc,
      sessionSecret: e.SESSION_SECRET,
      sessionIdleMinutes: e.SESSION_IDLE_MINUTES,
      sessionLifetimeHours: e.SESSION_LIFETIME_HOURS,
      viewAsMinutes: e.VIEW_AS_MINUTES,
      signInRateLimitPerMinute: e.SIGN_IN_RATE_LIMIT_PER_MINUTE,
    },
    service: { name: e.SERVICE_NAME, contactEmail: e.SERVICE_CONTACT_EMAIL },
    cufs: {
      url: e.CUFS_URL.replace(/\/$/, ''),
      // The embedded CUFS service's dev token (apps/cufs/src/config.ts), which it refuses in production.
      token: e.CUFS_TOKEN ?? (e.NODE_ENV === 'production' ? undefined : 'cufs-dev-token-not-for-production'),
      idTokenAudience: e.CUFS_ID_TOKEN_AUDIENCE,
    },
    directory:
      e.DIRECTORY === 'lookup'
        ? {
            kind: 'lookup',
            url: e.LOOKUP_URL.replace(/\/$/, ''),
            username: e.LOOKUP_USERNAME,
            password: e.LOOKUP_PASSWORD,
          }
        : { kind: 'seeded' },
    provisioner:
      e.PROVISIONER === 'command'
        ? {
            kind: 'command',
            command: (e.PROVISIONER_COMMAND ?? '').split(/\s+/).filter(Boolean),
            timeoutSeconds: e.PROVISIONER_TIMEOUT_SECONDS,
          }
        : e.PROVISIONER === 'webhook'
          ? {
              kind: 'webhook',
              url: e.PROVISIONER_WEBHOOK_URL ?? '',
              secret: e.PROVISIONER_WEBHOOK_SECRET,
              timeoutSeconds: e.PROVISIONER_TIMEOUT_SECONDS,
            }
          : { kind: 'manual' },
    lifecycle: {
      reminderDays: e.REMINDER_DAYS,
      // The first reminder invites renewal, so by default renewal opens that day (renewal-window.ts).
      renewalOpensDaysBeforeEnd: e.RENEWAL_OPENS_DAYS_BEFORE_END ?? Math.max(...e.REMINDER_DAYS),
      suspendAfterDays: e.SUSPEND_AFTER_DAYS,
      coldAfterDays: e.COLD_AFTER_DAYS,
      deletableAfterMonths: e.DELETABLE_AFTER_MONTHS,
    },
    usage: { warningPercent: e.USAGE_WARNING_PERCENT, readingMaxAgeDays: e.USAGE_READING_MAX_AGE_DAYS },
    logging: { level: e.LOG_LEVEL, format: e.LOG_FORMAT },
    metricsToken: e.METRICS_TOKEN,
    apiRateLimitPerMinute: e.API_RATE_LIMIT_PER_MINUTE,
    formRateLimitPerMinute: e.FORM_RATE_LIMIT_PER_MINUTE,
  };
}

/** Only web processes on PostgreSQL can be many: the embedded database and in-process schedules are one process's. */
function canRunWebProcesses(e: Environment): boolean {
  return e.APP_ROLE === 'web' && Boolean(e.DATABASE_URL);
}

function missingSettings(e: Environment): string[] {
  const problems: string[] = [];
  if ((e.WEB_CONCURRENCY ?? 1) > 1 && !canRunWebProcesses(e))
    problems.push(
      'WEB_CONCURRENCY: more than one process needs APP_ROLE=web and a DATABASE_URL (schedules and the embedded database run in one process)',
    );
  if (e.DOCUMENTS_DRIVER !== 'local' && !e.DOCUMENTS_BUCKET)
    problems.push(`DOCUMENTS_BUCKET: required when DOCUMENTS_DRIVER is ${e.DOCUMENTS_DRIVER}`);
  if (e.MAIL_DRIVER === 'smtp' && !e.SMTP_URL) problems.push('SMTP_URL: required when MAIL_DRIVER is smtp');
  if (e.PROVISIONER === 'command' && !e.PROVISIONER_COMMAND)
    problems.push('PROVISIONER_COMMAND: required when PROVISIONER is command');
  if (e.PROVISIONER === 'webhook' && !e.PROVISIONER_WEBHOOK_URL)
    problems.push('PROVISIONER_WEBHOOK_URL: required when PROVISIONER is webhook');
  if (e.OIDC_ISSUER && !e.OIDC_CLIENT_ID) problems.push('OIDC_CLIENT_ID: required when OIDC_ISSUER is set');
  if (e.RENEWAL_OPENS_DAYS_BEFORE_END !== undefined && e.RENEWAL_OPENS_DAYS_BEFORE_END < Math.max(...e.REMINDER_DAYS))
    problems.push(
      'RENEWAL_OPENS_DAYS_BEFORE_END: at least the first of REMINDER_DAYS, whose reminder asks people to renew',
    );
  if (e.LOOKUP_USERNAME && !e.LOOKUP_PASSWORD) problems.push('LOOKUP_PASSWORD: required when LOOKUP_USERNAME is set');
  if (e.JOBS_DRIVER === 'cloud-tasks' && !e.CLOUD_TASKS_QUEUE)
    problems.push('CLOUD_TASKS_QUEUE: required when JOBS_DRIVER is cloud-tasks (projects/P/locations/L/queues/Q)');
  if (e.JOBS_DRIVER === 'cloud-tasks' && !e.CLOUD_TASKS_SERVICE_ACCOUNT)
    problems.push(
      'CLOUD_TASKS_SERVICE_ACCOUNT: required when JOBS_DRIVER is cloud-tasks (the service account whose token each task carries)',
    );
  if ((e.JOBS_DRIVER === 'cloud-tasks' || e.SCHEDULES_DRIVER === 'cloud-scheduler') && !e.TASKS_ALLOWED_CALLERS)
    problems.push(
      'TASKS_ALLOWED_CALLERS: required for Cloud Tasks or Cloud Scheduler (the service accounts that call)',
    );
  return problems;
}

/** A production deployment must say out loud that it wants each embedded default. */
function productionRefusals(e: Environment, config: Config): string[] {
  if (e.NODE_ENV !== 'production') return [];
  const problems: string[] = [];
  if (!e.PUBLIC_URL)
    problems.push(
      'PUBLIC_URL: required in production (such as https://storage.example.ac.uk): without it links in emails point at localhost and cookies are not marked Secure',
    );
  if (config.identity.devSignIn && !e.ALLOW_DEV_SIGN_IN)
    problems.push('dev sign-in is on in production: set OIDC_ISSUER and OIDC_CLIENT_ID, or ALLOW_DEV_SIGN_IN=true');
  if (config.database.kind === 'pglite' && !e.ALLOW_EMBEDDED_DATABASE)
    problems.push(
      'no DATABASE_URL in production: the embedded PGlite database is not durable (ALLOW_EMBEDDED_DATABASE=true to insist)',
    );
  if (config.mail.driver === 'outbox' && !e.ALLOW_OUTBOX_MAILER)
    problems.push(
      'MAIL_DRIVER is outbox in production: no email would reach anyone (ALLOW_OUTBOX_MAILER=true to insist)',
    );
  if (config.documents.driver === 'local' && !e.ALLOW_LOCAL_DOCUMENTS)
    problems.push(
      'DOCUMENTS_DRIVER is local in production: documents would be lost with the container (ALLOW_LOCAL_DOCUMENTS=true to insist)',
    );
  if (!e.SESSION_SECRET || e.SESSION_SECRET.length < 32)
    problems.push('SESSION_SECRET: required in production, at least 32 characters');
  if (!e.CUFS_TOKEN)
    problems.push(
      'CUFS_TOKEN: required in production: the CUFS API answers every call without its token with a 401, so no finance code could be checked',
    );
  if (e.PROVISIONER === 'webhook' && (!e.PROVISIONER_WEBHOOK_SECRET || e.PROVISIONER_WEBHOOK_SECRET.length < 32))
    problems.push(
      'PROVISIONER_WEBHOOK_SECRET: required in production with the webhook provisioner, at least 32 characters',
    );
  return problems;
}

function splitList(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
}

/** What emails and pages need to name the service and link back to it. */
export function siteLinks(config: Config): { serviceName: string; contactEmail: string; publicUrl: string } {
  return { serviceName: config.service.name, contactEmail: config.service.contactEmail, publicUrl: config.publicUrl };
}
