import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { PRODUCTION_READY, problemsOf } from '../../test/support/production-settings.ts';
import { loadConfig } from './config.ts';

describe('configuration', () => {
  it('runs with no settings at all on the embedded defaults', () => {
    const config = loadConfig({});
    expect(config.database.kind).toBe('pglite');
    expect(config.mail.driver).toBe('outbox');
    expect(config.documents.driver).toBe('local');
    expect(config.identity.devSignIn).toBe(true);
    expect(config.publicUrl).toBe('http://localhost:3000');
    expect(config.port).toBe(3000);
  });

  it('selects PostgreSQL when DATABASE_URL is set', () => {
    const config = loadConfig({ DATABASE_URL: 'postgres://u@127.0.0.1:5432/test' });
    expect(config.database).toEqual({
      kind: 'postgres',
      url: 'postgres://u@127.0.0.1:5432/test',
      poolSize: 10,
      connectTimeoutMs: 5_000,
      statementTimeoutMs: 30_000,
    });
  });

  it('takes the database timeouts in seconds, 0 meaning no statement timeout', () => {
    const config = loadConfig({
      DATABASE_URL: 'postgres://u@127.0.0.1:5432/test',
      DATABASE_CONNECT_TIMEOUT_SECONDS: '2',
      DATABASE_STATEMENT_TIMEOUT_SECONDS: '0',
    });
    expect(config.database).toMatchObject({ connectTimeoutMs: 2_000, statementTimeoutMs: undefined });
  });

  it('turns dev sign-in off by default once an identity provider is configured', () => {
    const config = loadConfig({ OIDC_ISSUER: 'https://login.example.ac.uk', OIDC_CLIENT_ID: 'gateway' });
    expect(config.identity.devSignIn).toBe(false);
    expect(config.identity.oidc?.issuer).toBe('https://login.example.ac.uk');
  });

  it('takes TRUST_PROXY as off, a number of proxies in front, or every proxy', () => {
    expect(loadConfig({}).trustProxy).toBe(false);
    expect(loadConfig({ TRUST_PROXY: '2' }).trustProxy).toBe(2);
    expect(loadConfig({ TRUST_PROXY: 'true' }).trustProxy).toBe(true);
    expect(loadConfig({ TRUST_PROXY: 'no' }).trustProxy).toBe(false);
    expect(() => loadConfig({ TRUST_PROXY: 'sometimes' })).toThrow(/TRUST_PROXY is false, the number of proxies/);
  });

  it('names each variable that does not parse', () => {
    const problems = problemsOf({ PORT: 'eighty', DATABASE_URL: 'mysql://x/y', SERVICE_CONTACT_EMAIL: 'nobody' });
    expect(problems.some((p) => p.startsWith('PORT:'))).toBe(true);
    expect(problems.some((p) => p.startsWith('DATABASE_URL:'))).toBe(true);
    expect(problems.some((p) => p.startsWith('SERVICE_CONTACT_EMAIL:'))).toBe(true);
  });

  it('asks for what a chosen driver needs', () => {
    expect(problemsOf({ MAIL_DRIVER: 'smtp' })).toEqual(['SMTP_URL: required when MAIL_DRIVER is smtp']);
    expect(problemsOf({ DOCUMENTS_DRIVER: 's3' })).toEqual(['DOCUMENTS_BUCKET: required when DOCUMENTS_DRIVER is s3']);
    // Found at start-up, not by the first push a second after "gateway ready".
    expect(
      problemsOf({
        JOBS_DRIVER: 'cloud-tasks',
        CLOUD_TASKS_QUEUE: 'projects/p/locations/l/queues/q',
        TASKS_ALLOWED_CALLERS: 'tasks@p.iam.gserviceaccount.com',
      }),
    ).toEqual([
      'CLOUD_TASKS_SERVICE_ACCOUNT: required when JOBS_DRIVER is cloud-tasks (the service account whose token each task carries)',
    ]);
  });

  it('takes SMTP_URL only as an smtp:// or smtps:// URL, without repeating it (it may hold a password)', () => {
    for (const url of ['relay.example.ac.uk:25', 'http://relay.example.ac.uk', 'not a url']) {
      const problems = problemsOf({ MAIL_DRIVER: 'smtp', SMTP_URL: url });
      expect(problems).toEqual([
        'SMTP_URL: expected smtp://host:port, or smtps://user:password@host:port (with the smtp:// or smtps:// in front)',
      ]);
    }
    expect(problemsOf({ MAIL_DRIVER: 'smtp', SMTP_URL: 'smtps://u:p@relay.example.ac.uk:465' })).toEqual([]);
  });

  it('reads people from the seeded directory unless the Lookup API is chosen, with its credentials', () => {
    expect(loadConfig({}).directory).toEqual({ kind: 'seeded' });
    expect(
      loadConfig({
        DIRECTORY: 'lookup',
        LOOKUP_URL: 'https://lookup-test.srv.uis.cam.ac.uk/api/v1/',
        LOOKUP_USERNAME: 'storage-gateway',
        LOOKUP_PASSWORD: 'secret',
      }).directory,
    ).toEqual({
      kind: 'lookup',
      url: 'https://lookup-test.srv.uis.cam.ac.uk/api/v1',
      username: 'storage-gateway',
      password: 'secret',
    });
    expect(loadConfig({ DIRECTORY: 'lookup' }).directory).toMatchObject({
      url: 'https://www.lookup.cam.ac.uk/api/v1',
      username: undefined,
    });
    expect(problemsOf({ DIRECTORY: 'lookup', LOOKUP_USERNAME: 'storage-gateway' })).toEqual([
      'LOOKUP_PASSWORD: required when LOOKUP_USERNAME is set',
    ]);
    expect(problemsOf({ DIRECTORY: 'ldap' })[0]).toMatch(/^DIRECTORY:/);
  });

  it('runs a web process per CPU for the web role in production, and one everywhere else', () => {
    const cpus = availableParallelism();
    expect(loadConfig({}).webProcesses).toBe(1);
    expect(loadConfig(PRODUCTION_READY).webProcesses).toBe(1);
    expect(loadConfig({ ...PRODUCTION_READY, APP_ROLE: 'web' }).webProcesses).toBe(cpus);
    expect(loadConfig({ ...PRODUCTION_READY, APP_ROLE: 'web', WEB_CONCURRENCY: '3' }).webProcesses).toBe(3);
    expect(loadConfig({ APP_ROLE: 'web', DATABASE_URL: PRODUCTION_READY.DATABASE_URL }).webProcesses).toBe(1);
    expect(problemsOf({ WEB_CONCURRENCY: '2' })).toEqual([
      'WEB_CONCURRENCY: more than one process needs APP_ROLE=web and a DATABASE_URL (schedules and the embedded database run in one process)',
    ]);
    expect(problemsOf({ ...PRODUCTION_READY, APP_ROLE: 'worker', WEB_CONCURRENCY: '2' })).toHaveLength(1);
    expect(problemsOf({ ...PRODUCTION_READY, APP_ROLE: 'web', WEB_CONCURRENCY: '0' })[0]).toMatch(/^WEB_CONCURRENCY:/);
  });

  it('starts in production when every part is real', () => {
    expect(problemsOf(PRODUCTION_READY)).toEqual([]);
  });

  it('refuses to run production on any embedded default, naming each one', () => {
    const problems = problemsOf({ NODE_ENV: 'production' });
    expect(problems).toHaveLength(7);
    // Without it email links point at localhost and cookies are not Secure.
    expect(problems.join('\n')).toMatch(/^PUBLIC_URL: required in production/m);
    expect(problems.join('\n')).toMatch(/dev sign-in/);
    expect(problems.join('\n')).toMatch(/DATABASE_URL/);
    expect(problems.join('\n')).toMatch(/MAIL_DRIVER is outbox/);
    expect(problems.join('\n')).toMatch(/DOCUMENTS_DRIVER is local/);
    expect(problems.join('\n')).toMatch(/SESSION_SECRET/);
    // Without it CUFS refuses every check, and every order paid by finance code would wait for ever.
    expect(problems.join('\n')).toMatch(/^CUFS_TOKEN: required in production/m);
  });

  it('lets production keep an embedded default only when it is allowed explicitly', () => {
    const { DATABASE_URL: _database, ...withoutDatabase } = PRODUCTION_READY;
    expect(problemsOf(withoutDatabase)).toHaveLength(1);
    expect(problemsOf({ ...withoutDatabase, ALLOW_EMBEDDED_DATABASE: 'true' })).toEqual([]);
    expect(problemsOf({ ...PRODUCTION_READY, DEV_SIGN_IN: 'true' })).toHaveLength(1);
    expect(problemsOf({ ...PRODUCTION_READY, DEV_SIGN_IN: 'true', ALLOW_DEV_SIGN_IN: 'true' })).toEqual([]);
  });
});
