import path from 'node:path';
import { fileURLToPath } from 'node:url';
import formbody from '@fastify/formbody';
import rateLimit from '@fastify/rate-limit';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { accountApi } from './modules/account/account.api.ts';
import { accountRoutes } from './modules/account/account.routes.tsx';
import { adminRoutes } from './modules/admin/admin.routes.tsx';
import { failedEmailsRoutes } from './modules/admin/failed-emails.routes.tsx';
import { failedJobsRoutes } from './modules/admin/failed-jobs.routes.tsx';
import { viewAsRoutes } from './modules/admin/view-as.routes.tsx';
import { auditRoutes } from './modules/audit/audit.routes.tsx';
import { billingRoutes } from './modules/billing/billing.routes.tsx';
import { catalogueAdminRoutes } from './modules/catalogue/catalogue.admin.routes.tsx';
import { catalogueApi } from './modules/catalogue/catalogue.api.ts';
import { catalogueRoutes } from './modules/catalogue/catalogue.routes.tsx';
import { healthRoutes } from './modules/health/health.routes.ts';
import { helpRoutes } from './modules/help/help.routes.tsx';
import { licencesAdminRoutes } from './modules/licences/licences.admin.routes.tsx';
import { licencesApi } from './modules/licences/licences.api.ts';
import { licencesRoutes } from './modules/licences/licences.routes.tsx';
import { changeOrderRoutes } from './modules/orders/change-orders.routes.tsx';
import { ordersAdminRoutes } from './modules/orders/orders.admin.routes.tsx';
import { changeOrdersApi, documentsApi, ordersApi } from './modules/orders/orders.api.ts';
import { ordersRoutes } from './modules/orders/orders.routes.tsx';
import { purchaseRoutes } from './modules/orders/purchase.routes.tsx';
import type { FinanceCodeChecker } from './modules/payments/finance-code-check.ts';
import { vouchersAdminRoutes } from './modules/payments/vouchers.admin.routes.tsx';
import { peopleAdminRoutes } from './modules/people/people.admin.routes.tsx';
import { provisioningRoutes } from './modules/provisioning/provisioning.routes.tsx';
import { quotesApi } from './modules/quotes/quotes.api.ts';
import { quotesRoutes } from './modules/quotes/quotes.routes.tsx';
import { siteRoutes } from './modules/site/site.routes.tsx';
import { usageAdminRoutes } from './modules/usage/usage.admin.routes.tsx';
import { usageApi } from './modules/usage/usage.api.ts';
import type { Clock } from './platform/clock.ts';
import { type Config, siteLinks } from './platform/config.ts';
import type { DataChanges } from './platform/db/data-changes.ts';
import type { Executor } from './platform/db/database.ts';
import type { Directory } from './platform/directory/index.ts';
import type { DocumentStore } from './platform/documents/document-store.ts';
import identityPlugin, { sessionCookieName } from './platform/identity/identity.plugin.ts';
import { oidcRoutes } from './platform/identity/oidc.routes.tsx';
import { OidcClient } from './platform/identity/oidc.ts';
import { signInRoutes } from './platform/identity/sign-in.routes.tsx';
import { jobEndpoints } from './platform/jobs/job-endpoints.routes.ts';
import type { JobQueue, JobRegistry } from './platform/jobs/jobs.ts';
import { withCorrelationId } from './platform/logging/correlation.ts';
import { requestId } from './platform/logging/logger.ts';
import { mailOutboxRoutes } from './platform/mail/mail-outbox.routes.tsx';
import metricsPlugin from './platform/metrics/metrics.ts';
import { createProvisioner } from './platform/provisioner/index.ts';
import { assetRoutes } from './platform/web/assets.ts';
import {
  answerUnreadableAddress,
  registerErrorHandling,
  unreadableAddressRequestId,
  unreadableAddressRoutes,
} from './platform/web/error-handler.tsx';
import formRateLimit from './platform/web/form-rate-limit.ts';
import apiPlugin from './platform/web/openapi.ts';
import { schemaCompilersOnDemand } from './platform/web/schema-compilers.ts';
import { registerSecurityHeaders } from './platform/web/security.ts';
import { refuseUnstorableCharacters } from './platform/web/unstorable-characters.ts';

/** What the web app is built from: plain objects, so tests can hand in their own. */
export interface AppDependencies {
  config: Config;
  db: Executor;
  clock: Clock;
  sessionSecret: string;
  /** pino options (JSON lines), or false in tests that do not read logs. */
  logger: FastifyServerOptions['logger'];
  /** Where background work is enqueued (pg-boss, or the Cloud Tasks outbox). */
  jobs: JobQueue;
  /** The handlers /cloud_tasks/ and /cron/ run (src/jobs.ts, or a test's own). */
  jobRegistry: JobRegistry;
  /** Where uploaded purchase orders are kept. */
  documents: DocumentStore;
  /** The CUFS API service, which says whether a finance code is open. */
  cufs: FinanceCodeChecker;
  /** The University directory, where someone given a place who has not signed in yet is found. */
  directory: Directory;
  /** False while `jobs` is still starting (a web process listens first); /readyz says so. */
  jobsStarted?: () => boolean;
  /** Commits of other processes (LISTEN), so page requests may use recent sessions from memory. */
  changes?: DataChanges;
}

const publicDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../public');

export async function buildApp(deps: AppDependencies): Promise<FastifyInstance> {
  const { config, db, clock } = deps;
  const https = config.publicUrl.startsWith('https:');
  const app = Fastify({
    logger: deps.logger,
    // A request routed again because its address could not be read keeps its id (error-handler.tsx).
    genReqId: (raw) => unreadableAddressRequestId(raw) ?? requestId(raw),
    // An address the router cannot read (/%ff): answered as any bad request, not as Fastify's bare JSON.
    frameworkErrors: answerUnreadableAddress,
    trustProxy: trustedHops(config.trustProxy),
    bodyLimit: 1_048_576,
    // Let in-flight requests finish on shutdown, but stop taking new ones.
    return503OnClosing: true,
    schemaController: { compilersFactory: schemaCompilersOnDemand },
  });
  app.decorate('site', {
    serviceName: config.service.name,
    contactEmail: config.service.contactEmail,
    devTools: config.identity.devSignIn,
  });
  // Who sets up approved storage; the staff order page reads it to show its provisioning section.
  const provisioner = createProvisioner(config.provisioner);
  app.decorate('provisioner', provisioner);
  // While shutting down, answers close their connection so that keep-alive sockets do not hold
  // the process open after the last request in flight has finished.
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  // The rest of the request runs knowing its id, which calls to CUFS send on (correlation.ts).
  app.addHook('onRequest', (request, _reply, done) => withCorrelationId(request.id, done));
  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
    if (closing) reply.header('connection', 'close');
  });

  registerErrorHandling(app);
  const oidc = config.identity.oidc ? new OidcClient(config.identity.oidc, config.publicUrl) : undefined;
  // Sign-out is a form whose answer redirects to the provider, so forms may go there.
  await registerSecurityHeaders(app, { https, formActionOrigins: oidc ? [oidc.issuer.origin] : [] });
  await app.register(rateLimit, { global: false });
  await app.register(formbody);
  await app.register(assetRoutes, { dir: publicDir, maxAgeSeconds: 3600 });
  await app.register(identityPlugin, {
    db,
    secret: deps.sessionSecret,
    idleMinutes: config.identity.sessionIdleMinutes,
    lifetimeHours: config.identity.sessionLifetimeHours,
    secureCookies: https,
    clock,
    changes: deps.changes,
  });
  // After the session is read (so the refusal's page shows who is signed in), before any route.
  refuseUnstorableCharacters(app);
  await app.register(formRateLimit, { perMinute: config.formRateLimitPerMinute });
  await app.register(apiPlugin, {
    publicUrl: config.publicUrl,
    serviceName: config.service.name,
    sessionCookieName: sessionCookieName(https),
    rateLimitPerMinute: config.apiRateLimitPerMinute,
  });

  await app.register(metricsPlugin, { token: config.metricsToken, production: config.env === 'production' });
  await app.register(healthRoutes, { db, jobsStarted: deps.jobsStarted });
  await app.register(siteRoutes);
  await app.register(signInRoutes, {
    db,
    devSignIn: config.identity.devSignIn,
    oidcEnabled: Boolean(config.identity.oidc),
    rateLimitPerMinute: config.identity.signInRateLimitPerMinute,
  });
  if (oidc) {
    await app.register(oidcRoutes, { db, oidc, rateLimitPerMinute: config.identity.signInRateLimitPerMinute });
  }
  await app.register(catalogueRoutes, { db, clock });
  await app.register(catalogueApi, { db, clock });
  await app.register(accountRoutes, {
    db,
    clock,
    publicUrl: config.publicUrl,
    reminderDays: config.lifecycle.reminderDays,
  });
  await app.register(accountApi, { db });
  const orders = { db, clock, jobs: deps.jobs, cufs: deps.cufs, site: siteLinks(config) };
  await app.register(purchaseRoutes, { orders, documents: deps.documents, directory: deps.directory });
  await app.register(ordersRoutes, { orders, documents: deps.documents });
  await app.register(changeOrderRoutes, { orders, documents: deps.documents, lifecycle: config.lifecycle });
  await app.register(ordersApi, { orders, directory: deps.directory });
  await app.register(changeOrdersApi, { orders, lifecycle: config.lifecycle });
  await app.register(documentsApi, { orders, documents: deps.documents });
  await app.register(quotesRoutes, { db, clock, directory: deps.directory, lifecycle: config.lifecycle });
  await app.register(quotesApi, { db, clock, directory: deps.directory, lifecycle: config.lifecycle });
  await app.register(helpRoutes);
  const { warningPercent } = config.usage;
  const members = { directory: deps.directory, jobs: deps.jobs, site: orders.site, provisioner };
  await app.register(licencesRoutes, {
    db,
    clock,
    ...members,
    cufs: deps.cufs,
    warningPercent,
    lifecycle: config.lifecycle,
  });
  await app.register(licencesApi, { db, clock, ...members, warningPercent });
  await app.register(failedJobsRoutes, { db, failedJobs: deps.jobs.failedJobs });
  await app.register(failedEmailsRoutes, { db, jobs: deps.jobs });
  await app.register(auditRoutes, { db });
  await app.register(viewAsRoutes, { db, clock, viewAsMinutes: config.identity.viewAsMinutes });
  await app.register(adminRoutes, { db, clock });
  await app.register(ordersAdminRoutes, { orders });
  await app.register(provisioningRoutes, { provisioning: { ...orders, provisioner } });
  await app.register(licencesAdminRoutes, {
    db,
    clock,
    jobs: deps.jobs,
    cufs: deps.cufs,
    site: orders.site,
    provisioner,
    directory: deps.directory,
    warningPercent,
  });
  await app.register(catalogueAdminRoutes, { db, clock });
  await app.register(vouchersAdminRoutes, { db, clock });
  await app.register(billingRoutes, { db, clock });
  await app.register(peopleAdminRoutes, { db });
  await app.register(usageAdminRoutes, { db, clock });
  await app.register(usageApi, { db, clock });
  await app.register(jobEndpoints, { config, db, clock, queue: deps.jobs, registry: deps.jobRegistry });
  // The outbox viewer shows anyone's mail, so it lives only where dev sign-in already lets anyone be anyone.
  if (config.identity.devSignIn) {
    const registry = deps.jobRegistry;
    await app.register(mailOutboxRoutes, { db, mail: config.mail, jobs: deps.jobs, registry });
  }
  // Last, after every hook the app adds (headers, session, request id, timing), so that each runs
  // for a request whose address could not be read (error-handler.tsx).
  await app.register(unreadableAddressRoutes);
  return app;
}

/**
 * A number of proxies as Fastify takes it: a function trusting the first that many hops (the
 * socket's peer, then X-Forwarded-For from its end), as proxy-addr does for a number, which
 * Fastify's types do not list.
 */
function trustedHops(setting: boolean | number): boolean | ((address: string, hop: number) => boolean) {
  return typeof setting === 'number' ? (_address, hop) => hop < setting : setting;
}
