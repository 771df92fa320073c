import { existsSync } from 'node:fs';
import path from 'node:path';
import * as z from 'zod';
import type { LoggingSettings } from './platform/logger.ts';

/**
 * The token the embedded default accepts and the gateway sends by default, so that `npm start`
 * works with nothing configured. Refused in production. (The gateway repeats this literal: the two
 * apps deploy separately and share no code.)
 */
export const DEV_API_TOKEN = 'cufs-dev-token-not-for-production';

const GOOGLE_JWKS_URL = 'https://www.googleapis.com/oauth2/v3/certs';

const optionalText = z
  .string()
  .trim()
  .transform((value) => (value === '' ? undefined : value))
  .optional();

const port = z
  .string()
  .trim()
  .optional()
  .transform((value) => (value ? Number(value) : undefined))
  .pipe(z.number().int().min(0).max(65535).optional());

/**
 * TRUST_PROXY: false; the number of proxies in front (the client's address is the one that many
 * hops back in X-Forwarded-For, which a client cannot write); or true, every proxy (the first
 * entry, which a client can write, so the rate limit can be dodged).
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
      message: 'TRUST_PROXY is false, the number of proxies in front of the service (such as 2), or true',
    });
    return z.NEVER;
  });

const environmentSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  HOST: z.string().default('127.0.0.1'),
  CUFS_PORT: port,
  PORT: port,
  TRUST_PROXY: trustProxySetting,
  CUFS_DATA_DIR: z.string().default('./data/cufs'),
  CUFS_DATABASE_URL: optionalText.pipe(z.url({ protocol: /^postgres(ql)?$/ }).optional()),
  DATABASE_URL: optionalText.pipe(z.url({ protocol: /^postgres(ql)?$/ }).optional()),
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(100).default(5),
  CUFS_LOAD_SAMPLE_DATA: z.stringbool().optional(),

  CUFS_API_TOKENS: optionalText,
  /** The one token the deployment shares with the gateway (the gateway's CUFS_TOKEN secret). */
  CUFS_TOKEN: optionalText,
  CUFS_ID_TOKEN_AUDIENCE: optionalText,
  CUFS_ID_TOKEN_JWKS_URL: z.url().default(GOOGLE_JWKS_URL),
  CUFS_ID_TOKEN_ISSUERS: z.string().default('https://accounts.google.com,accounts.google.com'),
  CUFS_ALLOWED_SERVICE_ACCOUNTS: optionalText,
  CUFS_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).default(600),

  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  LOG_FORMAT: z.enum(['json', 'gcp']).default('json'),
  ALLOW_EMBEDDED_DATABASE: z.stringbool().default(false),
});

type Environment = z.infer<typeof environmentSchema>;

/** The name of every environment variable the service reads (a test holds the deployment's to these). */
export const settingNames: readonly string[] = Object.keys(environmentSchema.shape);

export interface CufsConfig {
  env: Environment['NODE_ENV'];
  host: string;
  port: number;
  /** false, a number of hops, or true (every proxy). */
  trustProxy: boolean | number;
  database: { kind: 'postgres'; url: string; poolSize: number } | { kind: 'pglite'; dataDir: string };
  /** Load the sample extracts into an empty embedded database on start. */
  loadSampleData: boolean;
  access: {
    /** Static bearer tokens; any one of them is accepted. */
    apiTokens: string[];
    /** Google-signed ID tokens (Cloud Run service to service), when an audience is set. */
    idTokens?: { audience: string; jwksUrl: string; issuers: string[]; allowedServiceAccounts: string[] };
  };
  rateLimitPerMinute: number;
  logging: LoggingSettings;
}

export class CufsConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`The CUFS service's configuration is not valid:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'CufsConfigError';
  }
}

export function loadDotEnv(file = '.env'): void {
  if (existsSync(file)) process.loadEnvFile(file);
}

export function loadCufsConfig(source: Record<string, string | undefined> = process.env): CufsConfig {
  const parsed = environmentSchema.safeParse(source);
  if (!parsed.success) {
    throw new CufsConfigError(
      parsed.error.issues.map((issue) => `${issue.path.join('.') || 'environment'}: ${issue.message}`),
    );
  }
  const e = parsed.data;
  const production = e.NODE_ENV === 'production';
  const databaseUrl = e.CUFS_DATABASE_URL ?? e.DATABASE_URL;
  const configuredTokens = [...new Set([...splitList(e.CUFS_API_TOKENS), ...splitList(e.CUFS_TOKEN)])];
  const config: CufsConfig = {
    env: e.NODE_ENV,
    host: e.HOST,
    port: e.CUFS_PORT ?? e.PORT ?? 3001,
    trustProxy: e.TRUST_PROXY,
    database: databaseUrl
      ? { kind: 'postgres', url: databaseUrl, poolSize: e.DATABASE_POOL_SIZE }
      : { kind: 'pglite', dataDir: path.join(path.resolve(e.CUFS_DATA_DIR), 'pglite') },
    loadSampleData: e.CUFS_LOAD_SAMPLE_DATA ?? (!databaseUrl && !production),
    access: {
      apiTokens: configuredTokens.length > 0 || production ? configuredTokens : [DEV_API_TOKEN],
      idTokens: e.CUFS_ID_TOKEN_AUDIENCE
        ? {
            audience: e.CUFS_ID_TOKEN_AUDIENCE,
            jwksUrl: e.CUFS_ID_TOKEN_JWKS_URL,
            issuers: splitList(e.CUFS_ID_TOKEN_ISSUERS),
            allowedServiceAccounts: splitList(e.CUFS_ALLOWED_SERVICE_ACCOUNTS).map((a) => a.toLowerCase()),
          }
        : undefined,
    },
    rateLimitPerMinute: e.CUFS_RATE_LIMIT_PER_MINUTE,
    logging: { level: e.LOG_LEVEL, format: e.LOG_FORMAT },
  };
  const problems = [...inconsistencies(e), ...(production ? productionRefusals(e, config) : [])];
  if (problems.length > 0) throw new CufsConfigError(problems);
  return config;
}

function inconsistencies(e: Environment): string[] {
  const problems: string[] = [];
  if (e.CUFS_ID_TOKEN_AUDIENCE && !e.CUFS_ALLOWED_SERVICE_ACCOUNTS)
    problems.push(
      'CUFS_ALLOWED_SERVICE_ACCOUNTS: required with CUFS_ID_TOKEN_AUDIENCE (the service accounts that may call)',
    );
  if (e.CUFS_ALLOWED_SERVICE_ACCOUNTS && !e.CUFS_ID_TOKEN_AUDIENCE)
    problems.push(
      'CUFS_ID_TOKEN_AUDIENCE: required with CUFS_ALLOWED_SERVICE_ACCOUNTS (without it no ID token is accepted)',
    );
  for (const token of [...splitList(e.CUFS_API_TOKENS), ...splitList(e.CUFS_TOKEN)])
    if (token.length < 24 && token !== DEV_API_TOKEN)
      problems.push('CUFS_API_TOKENS, CUFS_TOKEN: each token must be at least 24 characters');
  return problems;
}

function productionRefusals(e: Environment, config: CufsConfig): string[] {
  const problems: string[] = [];
  if (config.access.apiTokens.includes(DEV_API_TOKEN))
    problems.push('CUFS_API_TOKENS, CUFS_TOKEN: the development token is refused in production');
  if (config.access.apiTokens.length === 0 && !config.access.idTokens)
    problems.push('no way for callers to authenticate: set CUFS_API_TOKENS or CUFS_ID_TOKEN_AUDIENCE');
  if (config.database.kind === 'pglite' && !e.ALLOW_EMBEDDED_DATABASE)
    problems.push(
      'no DATABASE_URL in production: the embedded PGlite database is not durable (ALLOW_EMBEDDED_DATABASE=true to insist)',
    );
  return problems;
}

function splitList(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
}
