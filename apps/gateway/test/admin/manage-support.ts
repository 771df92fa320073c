import type { LightMyRequestResponse } from 'fastify';
import { expect } from 'vitest';
import type { AuditEntity } from '../../src/modules/audit/audit.tables.ts';
import type { Executor } from '../../src/platform/db/database.ts';
import { Browser, type TestApp } from '../support/test-app.ts';

/** Helpers the back office's MANAGE tests share (licences, catalogue, vouchers, people). */

export interface SignedIn {
  browser: Browser;
  /** A CSRF token of this browser's session, for posting forms. */
  csrf: string;
  get(url: string): Promise<LightMyRequestResponse>;
  post(url: string, form?: Record<string, string>): Promise<LightMyRequestResponse>;
}

/** One signed-in browser per person and app: sign-in is rate limited, as it is for real. */
export function people(t: () => TestApp) {
  const known = new Map<string, SignedIn>();
  return async function as(crsid: string): Promise<SignedIn> {
    const existing = known.get(crsid);
    if (existing) return existing;
    const browser = new Browser(t().app);
    await browser.signInAs(crsid);
    const csrf = await browser.csrfFrom('/');
    const session: SignedIn = {
      browser,
      csrf,
      get: (url) => browser.get(url),
      post: (url, form = {}) => browser.post(url, { _csrf: csrf, ...form }),
    };
    known.set(crsid, session);
    return session;
  };
}

export interface AuditRow {
  actor_label: string;
  action: string;
  entity_id: string;
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
  licence_id: number | null;
}

export async function auditRows(
  db: Executor,
  entityType: AuditEntity,
  entityId?: string | number,
): Promise<AuditRow[]> {
  let query = db
    .selectFrom('audit_events')
    .select(['actor_label', 'action', 'entity_id', 'before', 'after', 'licence_id'])
    .where('entity_type', '=', entityType);
  if (entityId !== undefined) query = query.where('entity_id', '=', String(entityId));
  return query.orderBy('id').execute();
}

/** A page answered 422 with the error summary and the message beside the field, and "Error:" in its title. */
export function expectFieldError(response: LightMyRequestResponse, field: string, message: string): void {
  expect(response.statusCode, response.body.slice(0, 500)).toBe(422);
  expect(response.body).toMatch(/<title>Error: /);
  expect(response.body).toContain(`<a href="#${field}">${escapeHtml(message)}</a>`);
  expect(response.body).toContain(
    `id="${field}-error"><span class="visually-hidden">Error:</span> ${escapeHtml(message)}</span>`,
  );
}

export function escapeHtml(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;');
}

/** The text of the flash notice on a page, if any. */
export function flashOf(body: string): string | undefined {
  return body.match(/<div class="notice notice--success" role="status">([^<]*)<\/div>/)?.[1];
}
