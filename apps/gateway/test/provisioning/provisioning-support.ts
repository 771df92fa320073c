import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect } from 'vitest';
import { applyOrderTransition } from '../../src/modules/orders/orders.repository.ts';
import { enqueueProvisioningIfAutomatic } from '../../src/modules/provisioning/provisioning.service.ts';
import { buy, RDS_CONFIGURATION, SAMPLE_PDF } from '../support/purchase.ts';
import { Browser, startTestApp, type TestApp } from '../support/test-app.ts';

export const FIXTURE = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'provisioner.mjs');

/** A test app whose mail outbox (and anything else) goes to a folder of its own, removed on close. */
export async function startProvisioningApp(env: Record<string, string> = {}) {
  const dir = await mkdtemp(path.join(tmpdir(), 'ssgw-provisioning-'));
  const t = await startTestApp({ env: { MAIL_OUTBOX_DIR: path.join(dir, 'mail'), ...env } });
  return {
    t,
    dir,
    close: async () => {
      await t.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** A test app whose provisioner is the fixture command in `mode`, logging what it is asked to a file of its own. */
export async function startCommandApp(mode: string, env: Record<string, string> = {}) {
  const logDir = await mkdtemp(path.join(tmpdir(), 'ssgw-provisioner-log-'));
  const logFile = path.join(logDir, 'calls.jsonl');
  const app = await startProvisioningApp({
    PROVISIONER: 'command',
    PROVISIONER_COMMAND: `${process.execPath} ${FIXTURE} ${mode} ${logFile}`,
    ...env,
  });
  return {
    ...app,
    logFile,
    close: async () => {
      await app.close();
      await rm(logDir, { recursive: true, force: true });
    },
  };
}

export async function callsIn(logFile: string): Promise<Array<{ action: string; message: Record<string, unknown> }>> {
  const text = await readFile(logFile, 'utf8').catch(() => '');
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line));
}

/**
 * Starts an app (startProvisioningApp, startCommandApp…) before the describe's tests and closes it
 * after; call the getter inside a test.
 */
export function appForTests<A extends { t: TestApp; close(): Promise<void> }>(start: () => Promise<A>): () => A {
  let app: A | undefined;
  beforeAll(async () => {
    app = await start();
  });
  afterAll(() => app?.close());
  return () => {
    if (!app) throw new Error('the app has not started');
    return app;
  };
}

export interface ApprovedOrder {
  reference: string;
  orderId: number;
  licenceId: number;
  projectId: number;
}

/**
 * An order for 5 TB of RDS for 3 years, bought through the pages by Dana (da303) for Physics with
 * Alice (ar101) as Data Owner and Ben (bm202) as Data Manager, paid by purchase order; then
 * approved. The approve action is another part of this issue: the test applies the transition
 * itself, with what the approval calls in its transaction (enqueueProvisioningIfAutomatic).
 */
export async function approvedOrder(t: TestApp, options: { approve?: boolean } = {}): Promise<ApprovedOrder> {
  const buyer = new Browser(t.app);
  await buyer.signInAs('da303');
  const reference = await buy(buyer, 'RDS', RDS_CONFIGURATION, {
    method: 'purchase-order',
    poNumber: 'P7654321',
    file: { bytes: SAMPLE_PDF, name: 'po.pdf' },
  });
  const order = await t.database.db
    .selectFrom('orders')
    .innerJoin('storage_projects', 'storage_projects.licence_id', 'orders.licence_id')
    .select(['orders.id', 'orders.licence_id', 'orders.status', 'storage_projects.id as project_id'])
    .where('orders.reference', '=', reference)
    .executeTakeFirstOrThrow();
  expect(order.status).toBe('awaiting-approval');
  if (options.approve !== false) {
    await t.database.db.transaction().execute(async (tx) => {
      expect(await applyOrderTransition(tx, order.id, 'approve', t.clock.now())).toBe(true);
      await enqueueProvisioningIfAutomatic(tx, t.jobs.queue, { id: order.id });
    });
  }
  return { reference, orderId: order.id, licenceId: order.licence_id, projectId: order.project_id };
}

export async function signedIn(t: TestApp, crsid: string): Promise<Browser> {
  const browser = new Browser(t.app);
  await browser.signInAs(crsid);
  return browser;
}

/** The state provisioning changes, to compare before and after something that must change nothing. */
export async function snapshot(t: TestApp, order: ApprovedOrder) {
  const db = t.database.db;
  return {
    order: await db.selectFrom('orders').select(['status', 'status_reason']).where('id', '=', order.orderId).execute(),
    licence: await db
      .selectFrom('licences')
      .select(['status', 'start_date', 'end_date'])
      .where('id', '=', order.licenceId)
      .execute(),
    projects: await db
      .selectFrom('storage_projects')
      .select(['status', 'path', 'share_name', 'group_names', 'quota_tb'])
      .where('licence_id', '=', order.licenceId)
      .execute(),
    runs: await db.selectFrom('provisioning_runs').selectAll().where('order_id', '=', order.orderId).execute(),
    audit: await db.selectFrom('audit_events').select(['id']).where('licence_id', '=', order.licenceId).execute(),
    mail: await db.selectFrom('mail_outbox').select(['id']).execute(),
  };
}

/** When the order and its licence were last changed, and its runs finished: the app clock's instants, not the machine's. */
export async function changedAt(t: TestApp, order: { orderId: number; licenceId: number }) {
  const db = t.database.db;
  const changed = await db
    .selectFrom('orders')
    .innerJoin('licences', 'licences.id', 'orders.licence_id')
    .select(['orders.updated_at as order', 'licences.updated_at as licence'])
    .where('orders.id', '=', order.orderId)
    .where('licences.id', '=', order.licenceId)
    .executeTakeFirstOrThrow();
  const runs = await db
    .selectFrom('provisioning_runs')
    .select(['started_at', 'finished_at'])
    .where('order_id', '=', order.orderId)
    .orderBy('id')
    .execute();
  return { ...changed, runs: runs.map((run) => ({ started: run.started_at, finished: run.finished_at })) };
}

export const page = (order: { reference: string }, rest = '') => `/admin/orders/${order.reference}/provisioning${rest}`;
