import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FastifyInstance, FastifyServerOptions, InjectOptions, LightMyRequestResponse } from 'fastify';
import pino from 'pino';
import { inject } from 'vitest';
import { buildApp } from '../../src/app.ts';
import { createJobRegistry } from '../../src/jobs.ts';
import { cufsClientFromConfig } from '../../src/modules/payments/cufs-client.ts';
import { type Clock, fixedClock } from '../../src/platform/clock.ts';
import { type Config, loadConfig, siteLinks } from '../../src/platform/config.ts';
import { listenForDataChanges } from '../../src/platform/db/data-changes.ts';
import type { DatabaseHandle } from '../../src/platform/db/database.ts';
import { createDirectory, type Directory } from '../../src/platform/directory/index.ts';
import type { DocumentStore } from '../../src/platform/documents/document-store.ts';
import { createDocumentStore } from '../../src/platform/documents/index.ts';
import { type BackgroundJobs, startBackgroundJobs } from '../../src/platform/jobs/background-jobs.ts';
import type { TaskDispatcher } from '../../src/platform/jobs/cloud-tasks-queue.ts';
import type { JobRegistry } from '../../src/platform/jobs/jobs.ts';
import { createMailTransport } from '../../src/platform/mail/mail-transport.ts';
import { createProvisioner } from '../../src/platform/provisioner/index.ts';
import { openTestDatabase } from './test-database.ts';

export interface TestApp {
  app: FastifyInstance;
  database: DatabaseHandle;
  config: Config;
  clock: Clock;
  /** The job queue, enqueue side only: run jobs with drainJobs() from ./jobs.ts. */
  jobs: BackgroundJobs;
  /** Where this app keeps uploads (a temporary folder of its own). */
  documents: DocumentStore;
  /** The directory the app finds people in (DIRECTORY: the seeded table unless a test says otherwise). */
  directory: Directory;
  close(): Promise<void>;
}

/** The test day: the catalogue's demo prices apply from 2026-08-01. */
export const TEST_TODAY = '2026-11-27T10:00:00Z';

export function testConfig(overrides: Record<string, string> = {}): Config {
  // Tests sign in and send forms many times a minute from one address; the rate-limit tests set their own limits.
  return loadConfig({
    NODE_ENV: 'test',
    DATA_DIR: '/nonexistent-test-data',
    LOG_LEVEL: 'silent',
    SIGN_IN_RATE_LIMIT_PER_MINUTE: '1000',
    FORM_RATE_LIMIT_PER_MINUTE: '100000',
    // Sessions end by the injected clock, which tests move by days and years with one browser
    // signed in: here they outlast that (ten years), unless a test sets its own limits.
    SESSION_IDLE_MINUTES: String(10 * 365 * 24 * 60),
    SESSION_LIFETIME_HOURS: String(10 * 365 * 24),
    ...overrides,
  });
}

/** The whole web app on its own fresh database, answering through `inject` or a real port. */
export async function startTestApp(
  options: {
    env?: Record<string, string>;
    clock?: Clock;
    /** Job handlers to use instead of src/jobs.ts. */
    jobRegistry?: JobRegistry;
    /** Where Cloud Tasks pushes go when JOBS_DRIVER=cloud-tasks. */
    taskDispatcher?: TaskDispatcher;
    /** Log options, for tests that read the log lines. */
    logger?: FastifyServerOptions['logger'];
    /** Routes a test adds before the app is ready. */
    extend?: (app: FastifyInstance) => void;
  } = {},
): Promise<TestApp> {
  const database = await openTestDatabase(inject('databaseTemplate'));
  // Each app keeps its uploads in a folder of its own, removed when it closes.
  const documentsDir = await mkdtemp(path.join(tmpdir(), 'ssgw-documents-'));
  const config = testConfig({ DOCUMENTS_DIR: documentsDir, ...options.env });
  const documents = createDocumentStore(config.documents);
  const clock = options.clock ?? fixedClock(TEST_TODAY);
  const registry = options.jobRegistry ?? defaultJobRegistry(config, documents);
  // Enqueue only (role web): a test runs jobs when it chooses, with drainJobs().
  const jobs = await startBackgroundJobs({
    config: { ...config, role: 'web' },
    database,
    clock,
    log: pino({ level: 'silent' }),
    registry,
    dispatcher: options.taskDispatcher,
  });
  const changes = await listenForDataChanges(database);
  const directory = createDirectory(config.directory, database.db);
  const app = await buildApp({
    config,
    db: database.db,
    clock,
    changes,
    sessionSecret: randomBytes(32).toString('hex'),
    logger: options.logger ?? false,
    jobs: jobs.queue,
    jobRegistry: registry,
    documents,
    cufs: cufsClientFromConfig(config.cufs),
    directory,
  });
  options.extend?.(app);
  await app.ready();
  return {
    app,
    database,
    config,
    clock,
    jobs,
    documents,
    directory,
    close: async () => {
      await app.close();
      await jobs.stop();
      await changes.close();
      await database.close();
      await documents.close();
      await rm(documentsDir, { recursive: true, force: true });
    },
  };
}

/** A cookie jar for `inject`, so a test can act as one browser across requests. */
export class Browser {
  private cookies = new Map<string, string>();

  constructor(private readonly app: FastifyInstance) {}

  async get(url: string): Promise<LightMyRequestResponse> {
    return this.remember(await this.app.inject({ method: 'GET', url, headers: this.headers() }));
  }

  async post(url: string, form: Record<string, string>): Promise<LightMyRequestResponse> {
    return this.remember(
      await this.app.inject({
        method: 'POST',
        url,
        headers: { ...this.headers(), 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams(form).toString(),
      }),
    );
  }

  /** Any request (a JSON API call with its own headers) from this browser, cookies included. */
  async inject(options: InjectOptions): Promise<LightMyRequestResponse> {
    return this.remember(await this.app.inject({ ...options, headers: { ...this.headers(), ...options.headers } }));
  }

  /** Posts a multipart form (a file upload), as a browser does with enctype="multipart/form-data". */
  async postMultipart(url: string, form: FormData): Promise<LightMyRequestResponse> {
    const encoded = new Request('http://localhost/', { method: 'POST', body: form });
    return this.remember(
      await this.app.inject({
        method: 'POST',
        url,
        headers: { ...this.headers(), 'content-type': encoded.headers.get('content-type') ?? '' },
        payload: Buffer.from(await encoded.arrayBuffer()),
      }),
    );
  }

  /** The CSRF token of the last form on a page. */
  async csrfFrom(url: string): Promise<string> {
    const page = await this.get(url);
    const match = page.body.match(/name="_csrf" value="([^"]+)"/);
    if (!match?.[1]) throw new Error(`no CSRF token on ${url}`);
    return match[1];
  }

  /** Signs in through the dev sign-in page as the person with this CRSid. */
  async signInAs(crsid: string): Promise<void> {
    const page = await this.get('/dev/sign-in');
    const row = page.body.split('<tr>').find((chunk) => chunk.includes(`(${crsid})`));
    const personId = row?.match(/name="personId" value="(\d+)"/)?.[1];
    const csrf = row?.match(/name="_csrf" value="([^"]+)"/)?.[1];
    if (!personId || !csrf) throw new Error(`${crsid} is not on the dev sign-in page`);
    const response = await this.post('/dev/sign-in', { personId, _csrf: csrf, returnTo: '/' });
    if (response.statusCode !== 303) throw new Error(`sign-in as ${crsid} failed: ${response.statusCode}`);
  }

  private headers(): Record<string, string> {
    const cookie = [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
    return cookie ? { cookie } : {};
  }

  private remember(response: LightMyRequestResponse): LightMyRequestResponse {
    for (const cookie of response.cookies) {
      if (cookie.maxAge === 0 || cookie.value === '') this.cookies.delete(cookie.name);
      else this.cookies.set(cookie.name, cookie.value);
    }
    return response;
  }
}

/** The gateway's own handlers, with mail written to the (unused) outbox folder of the test config. */
export function defaultJobRegistry(config: Config, documents = createDocumentStore(config.documents)) {
  return createJobRegistry({
    mail: { transport: createMailTransport(config.mail), from: config.mail.from },
    cufs: cufsClientFromConfig(config.cufs),
    documents,
    site: siteLinks(config),
    provisioner: createProvisioner(config.provisioner),
  });
}
