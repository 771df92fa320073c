import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertRun } from '../../src/modules/provisioning/provisioning.repository.ts';
import { runProvisioning } from '../../src/modules/provisioning/provisioning.service.ts';
import { siteLinks } from '../../src/platform/config.ts';
import { createAccessToken } from '../../src/platform/identity/access-tokens.ts';
import { createProvisioner, SIGNATURE_HEADER, verifySignature } from '../../src/platform/provisioner/index.ts';
import type { GroupSyncRequest } from '../../src/platform/provisioner/provisioner.ts';
import { drainJobs } from '../support/jobs.ts';
import { personIdOf } from '../support/storage-fixtures.ts';
import type { TestApp } from '../support/test-app.ts';
import {
  type ApprovedOrder,
  appForTests,
  approvedOrder,
  callsIn,
  changedAt,
  page,
  signedIn,
  snapshot,
  startCommandApp,
  startProvisioningApp,
} from './provisioning-support.ts';

type ProvisioningApp = Awaited<ReturnType<typeof startProvisioningApp>>;

async function runsOf(t: TestApp, order: ApprovedOrder) {
  return t.database.db
    .selectFrom('provisioning_runs')
    .selectAll()
    .where('order_id', '=', order.orderId)
    .orderBy('id')
    .execute();
}

async function statusOf(t: TestApp, order: ApprovedOrder) {
  return (
    await t.database.db.selectFrom('orders').select('status').where('id', '=', order.orderId).executeTakeFirstOrThrow()
  ).status;
}

describe('a command provisioner that fails part-way, then succeeds on retry', () => {
  let app: Awaited<ReturnType<typeof startCommandApp>>;
  let t: TestApp;
  beforeAll(async () => {
    app = await startCommandApp('fail-first');
    t = app.t;
  });
  afterAll(() => app?.close());

  it('starts on approval, undoes what it made, shows the error to staff only, and retries', async () => {
    const order = await approvedOrder(t);
    await drainJobs(t.jobs);

    // The approval's job started a run; the command made the share, failed on the groups, and was undone.
    expect(await statusOf(t, order)).toBe('provisioning-failed');
    const partial = {
      quotaTb: 5,
      projects: [
        {
          id: order.projectId,
          path: '/rds/project/imaging-2026',
          shareName: 'imaging-2026',
          groups: [],
          quotaTb: 5,
        },
      ],
    };
    const [failed] = await runsOf(t, order);
    expect(failed).toMatchObject({
      provisioner: 'command',
      outcome: 'failed',
      started_by_person_id: null,
      error: 'The provisioning command exited with status 3: could not create the groups: directory service refused',
      details: partial,
      undone: partial,
    });
    const calls = await callsIn(app.logFile);
    expect(calls.map((call) => call.action)).toEqual(['provision', 'undo']);
    expect(calls[0]?.message).toMatchObject({
      action: 'provision',
      request: {
        run: { id: failed?.id },
        order: { id: order.orderId, reference: order.reference, kind: 'new' },
        product: { code: 'RDS', service: 'research' },
        licence: {
          id: order.licenceId,
          name: 'Quantum imaging data',
          sizeTb: 5,
          termYears: 3,
          department: { id: 'PHYS', name: 'Department of Physics' },
          owner: 'ar101',
          managers: ['bm202'],
        },
        projects: [{ id: order.projectId, name: 'imaging-2026', quotaTb: 5, members: [] }],
      },
    });
    expect(calls[1]?.message).toMatchObject({ action: 'undo', details: partial });

    const state = await snapshot(t, order);
    expect(state.licence).toEqual([{ status: 'pending', start_date: null, end_date: null }]);
    expect(state.projects[0]).toMatchObject({ status: 'pending', path: null });
    expect(state.order).toEqual([{ status: 'provisioning-failed', status_reason: null }]);

    // Staff see the error and a retry button; the customer reads "delayed", never the error.
    const rosa = await signedIn(t, 'rs501');
    const staffPage = await rosa.get(page(order));
    expect(staffPage.body).toContain('could not create the groups: directory service refused');
    expect(staffPage.body).toContain('What it had made was undone: /rds/project/imaging-2026, share imaging-2026.');
    expect(staffPage.body).toContain('Retry provisioning');
    expect(staffPage.body).toContain('Or record what you made by hand');
    const alice = await signedIn(t, 'ar101');
    const customerPage = await alice.get(`/orders/${order.reference}/`);
    expect(customerPage.body).toContain('Being set up (delayed)');
    expect(customerPage.body).not.toContain('directory service');
    const api = await alice.get(`/api/orders/${order.reference}`);
    expect(api.body).not.toContain('directory service');
    const customerAudit = await t.database.db
      .selectFrom('audit_events')
      .select(['action', 'after'])
      .where('licence_id', '=', order.licenceId)
      .where('action', '=', 'provisioning failed')
      .execute();
    expect(customerAudit).toEqual([
      { action: 'provisioning failed', after: { status: 'provisioning-failed', run: failed?.id, undone: true } },
    ]);
    // The team is told, with the error.
    const teamMail = await t.database.db
      .selectFrom('mail_outbox')
      .select(['to_addresses', 'text_body'])
      .where('subject', '=', `Provisioning of order ${order.reference} failed`)
      .execute();
    expect(teamMail).toHaveLength(1);
    expect(teamMail[0]?.to_addresses).toEqual(['research-storage@example.ac.uk']);
    expect(teamMail[0]?.text_body).toContain('directory service refused');
    expect(teamMail[0]?.text_body).toContain('What it had made was undone.');

    // Retry: provisioning-failed → provisioning with a new run, which succeeds.
    const retried = await rosa.post(page(order, '/retry'), { _csrf: await rosa.csrfFrom(page(order)) });
    expect(retried.statusCode).toBe(303);
    expect(retried.headers.location).toBe(`/admin/orders/${order.reference}/`);
    expect((await rosa.get(`/admin/orders/${order.reference}/`)).body).toMatch(
      /Provisioning of order ORD-\d+ is running again \(run \d+\)\./,
    );
    expect(await statusOf(t, order)).toBe('provisioning');
    const running = await rosa.get(page(order));
    expect(running.body).toContain('Being set up</strong> by the provisioning command');
    expect(running.body).not.toContain('Retry provisioning');
    // Only one run at a time: a second retry, or a start, is refused while it runs.
    const csrf = await rosa.csrfFrom(page(order));
    expect((await rosa.post(page(order, '/retry'), { _csrf: csrf })).statusCode).toBe(409);
    expect((await rosa.post(page(order, '/start'), { _csrf: csrf })).statusCode).toBe(409);
    await expect(
      t.database.db.transaction().execute((tx) =>
        insertRun(tx, {
          orderId: order.orderId,
          provisioner: 'command',
          startedByPersonId: null,
          startedAt: t.clock.now(),
        }),
      ),
    ).rejects.toThrow(/provisioning_runs_running_idx|duplicate key/);

    await drainJobs(t.jobs);
    expect(await statusOf(t, order)).toBe('completed');
    const runs = await runsOf(t, order);
    expect(runs.map((run) => run.outcome)).toEqual(['failed', 'succeeded']);
    const now = t.clock.now();
    const run = { started: now, finished: now };
    expect(await changedAt(t, order)).toEqual({ order: now, licence: now, runs: [run, run] });
    expect(runs[1]?.started_by_person_id).not.toBeNull();
    const done = await snapshot(t, order);
    expect(done.licence).toEqual([{ status: 'active', start_date: '2026-11-27', end_date: '2029-11-26' }]);
    expect(done.projects).toEqual([
      {
        status: 'active',
        path: '/rds/project/imaging-2026',
        share_name: 'imaging-2026',
        group_names: ['imaging-2026-managers', 'imaging-2026-users'],
        quota_tb: 5,
      },
    ]);
    const ready = await t.database.db
      .selectFrom('mail_outbox')
      .select(['to_addresses'])
      .where('subject', 'like', 'Your storage is ready%')
      .execute();
    expect(ready).toHaveLength(1);
    const audit = await t.database.db
      .selectFrom('audit_events')
      .select(['actor_label', 'entity_type', 'action'])
      .where('licence_id', '=', order.licenceId)
      .where('action', 'in', ['provisioning started', 'provisioning failed', 'provisioned', 'activated'])
      .orderBy('id')
      .execute();
    expect(audit).toEqual([
      { actor_label: 'system: provisioning', entity_type: 'order', action: 'provisioning started' },
      { actor_label: 'system: provisioner (command)', entity_type: 'order', action: 'provisioning failed' },
      { actor_label: 'rs501', entity_type: 'order', action: 'provisioning started' },
      { actor_label: 'system: provisioner (command)', entity_type: 'order', action: 'provisioned' },
      { actor_label: 'system: provisioner (command)', entity_type: 'licence', action: 'activated' },
      { actor_label: 'system: provisioner (command)', entity_type: 'storage-project', action: 'provisioned' },
    ]);

    // The job is idempotent: running it again for either finished run changes nothing.
    const before = await snapshot(t, order);
    const context = {
      db: t.database.db,
      jobs: t.jobs.queue,
      clock: t.clock,
      site: siteLinks(t.config),
      provisioner: createProvisioner(t.config.provisioner),
    };
    for (const run of runs) {
      const outcome = await runProvisioning(
        context,
        { orderId: order.orderId, runId: run.id },
        pino({ level: 'silent' }),
      );
      expect(outcome).toBe('skipped');
    }
    expect(await snapshot(t, order)).toEqual(before);
    expect((await callsIn(app.logFile)).map((call) => call.action)).toEqual(['provision', 'undo', 'provision']);
  });
});

/**
 * Recorded by hand after a failed run: nothing but the team's record completes the set-up, so the
 * licence's groups are sent then, with any change of its people made while it was being set up
 * (its own group sync found the licence pending and sent nothing).
 */
describe('a command provisioner that failed, then the team records what they made by hand', () => {
  const app = appForTests(() => startCommandApp('partial'));

  it('sends the licence’s groups once it is recorded, with the Data Manager added meanwhile', async () => {
    const { t, logFile } = app();
    const order = await approvedOrder(t);
    await drainJobs(t.jobs);
    expect(await statusOf(t, order)).toBe('provisioning-failed');

    const alice = { id: await personIdOf(t.database.db, 'ar101'), crsid: 'ar101' };
    const token = (await createAccessToken(t.database.db, t.clock, alice, { name: 'tests', lifetime: 90 })).token;
    const added = await t.app.inject({
      method: 'POST',
      url: `/api/licences/${order.licenceId}/managers`,
      headers: { authorization: `Bearer ${token}` },
      payload: { crsid: 'cb404' },
    });
    expect(added.statusCode).toBe(201);
    await drainJobs(t.jobs);
    const syncs = async () =>
      (await callsIn(logFile))
        .filter((call) => call.action === 'sync-groups')
        .map((call) => (call.message as { request: GroupSyncRequest }).request.licence);
    expect(await syncs()).toEqual([]);

    const rosa = await signedIn(t, 'rs501');
    const done = await rosa.post(page(order), {
      _csrf: await rosa.csrfFrom(page(order)),
      [`project-${order.projectId}-path`]: '/rds/project/imaging-2026',
    });
    expect(done.statusCode, done.body.slice(0, 300)).toBe(303);
    expect(await statusOf(t, order)).toBe('completed');
    await drainJobs(t.jobs);
    expect((await syncs()).map((licence) => [licence.id, licence.managers])).toEqual([
      [order.licenceId, ['bm202', 'cb404']],
    ]);
  });
});

describe('a command provisioner started by hand', () => {
  let app: Awaited<ReturnType<typeof startCommandApp>>;
  let t: TestApp;
  beforeAll(async () => {
    app = await startCommandApp('succeed');
    t = app.t;
  });
  afterAll(() => app?.close());

  it('offers "Start provisioning" on an approved order, not the form, and completes it', async () => {
    // Approved without the approval's job: as for an order approved before the provisioner was set.
    const order = await approvedOrder(t, { approve: false });
    await t.database.db.updateTable('orders').set({ status: 'approved' }).where('id', '=', order.orderId).execute();
    const rosa = await signedIn(t, 'rs501');
    const view = await rosa.get(page(order));
    expect(view.body).toContain('Start provisioning');
    expect(view.body).not.toContain('Mark as provisioned');
    // Finance sees the state but no button.
    expect((await (await signedIn(t, 'fn601')).get(page(order))).body).not.toContain('Start provisioning');

    const started = await rosa.post(page(order, '/start'), { _csrf: await rosa.csrfFrom(page(order)) });
    expect(started.statusCode).toBe(303);
    expect(await statusOf(t, order)).toBe('provisioning');
    await drainJobs(t.jobs);
    expect(await statusOf(t, order)).toBe('completed');
    expect((await snapshot(t, order)).licence).toEqual([
      { status: 'active', start_date: '2026-11-27', end_date: '2029-11-26' },
    ]);
    expect((await callsIn(app.logFile)).map((call) => call.action)).toEqual(['provision']);
  });

  it('does not call the provisioner for a licence the team has locked: the run fails saying so', async () => {
    const order = await approvedOrder(t, { approve: false });
    await t.database.db
      .updateTable('licences')
      .set({ locked_at: new Date(), lock_reason: 'Migration' })
      .where('id', '=', order.licenceId)
      .execute();
    const calls = (await callsIn(app.logFile)).length;
    const rosa = await signedIn(t, 'rs501');
    const staffPage = `/admin/orders/${order.reference}/`;
    expect((await rosa.post(`${staffPage}approve`, { _csrf: await rosa.csrfFrom(staffPage) })).statusCode).toBe(303);
    await drainJobs(t.jobs);
    expect(await statusOf(t, order)).toBe('provisioning-failed');
    const [run] = await runsOf(t, order);
    expect(run?.error).toBe(
      `Order ${order.reference} cannot be completed: This licence is locked (Migration). Unlock it before changing it.`,
    );
    expect((await snapshot(t, order)).licence[0]?.status).toBe('pending');
    expect(await callsIn(app.logFile)).toHaveLength(calls);
  });

  it('starts by itself when the team approves the order on the staff order page', async () => {
    const order = await approvedOrder(t, { approve: false });
    const rosa = await signedIn(t, 'rs501');
    const staffPage = `/admin/orders/${order.reference}/`;
    const approved = await rosa.post(`${staffPage}approve`, { _csrf: await rosa.csrfFrom(staffPage) });
    expect(approved.statusCode).toBe(303);
    expect(await statusOf(t, order)).toBe('approved');
    await drainJobs(t.jobs);
    expect(await statusOf(t, order)).toBe('completed');
    const [run] = await runsOf(t, order);
    expect(run).toMatchObject({ provisioner: 'command', outcome: 'succeeded', started_by_person_id: null });
  });
});

describe('a command provisioner that runs past its timeout', () => {
  let app: Awaited<ReturnType<typeof startCommandApp>>;
  let t: TestApp;
  beforeAll(async () => {
    app = await startCommandApp('sleep', { PROVISIONER_TIMEOUT_SECONDS: '1' });
    t = app.t;
  });
  afterAll(() => app?.close());

  it('is stopped, and the order is provisioning-failed with nothing to undo', async () => {
    const order = await approvedOrder(t);
    await drainJobs(t.jobs);
    expect(await statusOf(t, order)).toBe('provisioning-failed');
    const [run] = await runsOf(t, order);
    expect(run).toMatchObject({
      outcome: 'failed',
      error: 'The provisioning command did not finish within 1 s.',
      details: null,
      undone: null,
    });
    expect((await callsIn(app.logFile)).map((call) => call.action)).toEqual(['provision']);
    const staffPage = await (await signedIn(t, 'rs501')).get(page(order));
    expect(staffPage.body).toContain('The provisioning command did not finish within 1 s.');
  });
});

describe('a webhook provisioner', () => {
  const secret = 'the-webhook-secret-shared-with-the-provisioner';
  let server: Server;
  const received: Array<{ verified: boolean; action: string }> = [];
  /** What the receiving end checks signatures with: the real secret, or a wrong one. */
  const receiver = { secret };
  let app: ProvisioningApp;
  let t: TestApp;

  beforeAll(async () => {
    server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const verified = verifySignature(
          receiver.secret,
          body,
          request.headers[SIGNATURE_HEADER] as string | undefined,
        );
        const message = JSON.parse(body);
        received.push({ verified, action: message.action });
        const json = (status: number, value: unknown) =>
          response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(value));
        if (!verified) return json(401, { error: 'bad signature' });
        if (message.action === 'undo') return json(200, {});
        const projects = message.request.projects.map((project: { id: number; name: string; quotaTb: number }) => ({
          id: project.id,
          path: `/rfs/${project.name}`,
          shareName: `${project.name}$`,
          groups: [`rfs-${project.name}`],
        }));
        return json(200, { quotaTb: message.request.licence.sizeTb, projects });
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/provision`;
    app = await startProvisioningApp({
      PROVISIONER: 'webhook',
      PROVISIONER_WEBHOOK_URL: url,
      PROVISIONER_WEBHOOK_SECRET: secret,
    });
    t = app.t;
  });
  afterAll(async () => {
    await app?.close();
    server?.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('POSTs a signed request, and records the details it answers', async () => {
    const order = await approvedOrder(t);
    await drainJobs(t.jobs);
    expect(received).toEqual([{ verified: true, action: 'provision' }]);
    expect(await statusOf(t, order)).toBe('completed');
    expect((await snapshot(t, order)).projects).toEqual([
      {
        status: 'active',
        path: '/rfs/imaging-2026',
        share_name: 'imaging-2026$',
        group_names: ['rfs-imaging-2026'],
        quota_tb: 5,
      },
    ]);
    const [run] = await runsOf(t, order);
    expect(run).toMatchObject({ provisioner: 'webhook', outcome: 'succeeded', error: null });
  });

  it('fails on a refusal (here: a signature the receiver does not accept), with its answer as the error', async () => {
    received.length = 0;
    receiver.secret = 'a different secret';
    try {
      const order = await approvedOrder(t);
      await drainJobs(t.jobs);
      expect(received).toEqual([{ verified: false, action: 'provision' }]);
      expect(await statusOf(t, order)).toBe('provisioning-failed');
      const [run] = await runsOf(t, order);
      expect(run).toMatchObject({
        outcome: 'failed',
        error: 'The provisioning webhook answered HTTP 401: bad signature',
        undone: null,
      });
    } finally {
      receiver.secret = secret;
    }
  });
});
