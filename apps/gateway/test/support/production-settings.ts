import { ConfigError, loadConfig } from '../../src/platform/config.ts';

/** Settings with which the gateway starts in production: every part real, every secret given. */
export const PRODUCTION_READY: Readonly<Record<string, string>> = {
  NODE_ENV: 'production',
  PUBLIC_URL: 'https://storage.example.ac.uk',
  DATABASE_URL: 'postgres://gateway@db.internal:5432/gateway',
  OIDC_ISSUER: 'https://login.example.ac.uk',
  OIDC_CLIENT_ID: 'gateway',
  MAIL_DRIVER: 'smtp',
  SMTP_URL: 'smtp://mail.internal:25',
  DOCUMENTS_DRIVER: 'gcs',
  DOCUMENTS_BUCKET: 'po-documents',
  SESSION_SECRET: 'x'.repeat(40),
  CUFS_TOKEN: 'y'.repeat(40),
};

/** What loading these settings refuses, each problem as the process would print it (none: it starts). */
export function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
}
