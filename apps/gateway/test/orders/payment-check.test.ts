import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createJobRegistry } from '../../src/jobs.ts';
import { checkOrderPaymentJob } from '../../src/modules/orders/payment-check.jobs.ts';
import { cufsClientFromConfig } from '../../src/modules/payments/cufs-client.ts';
import type { FinanceCodeChecker } from '../../src/modules/payments/finance-code-check.ts';
import { siteLinks } from '../../src/platform/config.ts';
import { createDocumentStore } from '../../src/platform/documents/index.ts';
import { PG_BOSS_SCHEMA } from '../../src/platform/jobs/pg-boss-queue.ts';
import { createMailTransport } from '../../src/platform/mail/mail-transport.ts';
import { DEAD_CUFS_URL, startCufs, startSwitchableCufs } from '../support/cufs.ts';
import { drainJobs } from '../support/jobs.ts';
import { buy, configure, pay, RDS_CONFIGURATION, submit } from '../support/purchase.ts';
import { Browser, startTestApp, type TestApp, testConfig } from '../support/test-app.ts';

type LiveCufs = Awaited<ReturnType<typeof startCufs>>;

/**
 * A test app whose web side reaches CUFS at `webCufsUrl`, and whose background jobs reach the
 * live CUFS service, or nothing at all while `jobCufs.up` is false. Mail and documents go to a folder of its own.
 */
async function startPaymentCheckApp(liveCufs: LiveCufs, webCufsUrl: string) {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'ssgw-payment-check-'));
  const env = {
    CUFS_URL: webCufsUrl,
    MAIL_OUTBOX_DIR: path.join(dataDir, 'mail'),
    DOCUMENTS_DIR: path.join(dataDir, 'documents'),
  };
  const config = testConfig(env);
  const live = cufsClientFromConfig({ url: liveCufs.url, token: config.cufs.token });
  const dead = cufsClientFromConfig({ url: DEAD_CUFS_URL, token: config.cufs.token });
  const jobCufs: { up: boolean; asked?: () => void; answerAfter?: Promise<void> } = { up: true };
  // Both are the real client; the switch only chooses which address the job's check goes to,
  // and a test may hold the answer back (CUFS being slow) to act while the job waits for it.
  const switchable: FinanceCodeChecker = {
    checkGlCode: async (code, on) => {
      jobCufs.asked?.();
      await jobCufs.answerAfter;
      return (jobCufs.up ? live : dead).checkGlCode(code, on);
    },
    checkGrant: async (input, on) => {
      jobCufs.asked?.();
      await jobCufs.answerAfter;
      return (jobCufs.up ? live : dead).checkGrant(input, on);
    },
  };
  const transport = createMailTransport(config.mail);
  const documents = createDocumentStore(config.documents);
  const jobRegistry = createJobRegistry({
    mail: { transport, from: config.mail.from },
    cufs: switchable,
    documents,
    site: siteLinks(config),
  });
  const t = await startTestApp({ env, jobRegistry });
  return {
    t,
    jobCufs,
    close: async () => {
      await t.close();
      await transport.close();
      await documents.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

function queries(t: TestApp) {
  const db = t.database.db;
  return {
    async order(reference: string) {
      return db
        .selectFrom('orders')
        .innerJoin('payments', 'payments.order_id', 'orders.id')
        .select([
          'orders.id',
          'orders.status',
          'orders.licence_id',
          'payments.finance_code',
          'payments.check_status',
          'payments.check_message',
          'payments.check_attempts',
          'payments.checked_at',
        ])
        .where('orders.reference', '=', reference)
        .executeTakeFirstOrThrow();
    },
    async checkJobs(orderId: number) {
      const boss = t.jobs.boss;
      if (!boss) throw new Error('these tests need the pg-boss driver');
      const { rows } = await boss.getDb().executeSql(
        `SELECT data, state, start_after > now() AS later, start_after > now() + interval '1 minute' AS after_a_minute
           FROM ${PG_BOSS_SCHEMA}.job
          WHERE name = $1 AND (data->>'orderId')::int = $2
          ORDER BY created_on, (data->>'attempt')::int`,
        [checkOrderPaymentJob.name, orderId],
      );
      return rows as Array<{
        data: { orderId: number; attempt: number };
        state: string;
        later: boolean;
        after_a_minute: boolean;
      }>;
    },
    async makeChecksDue(orderId: number) {
      await t.jobs.boss?.getDb().executeSql(
        `UPDATE ${PG_BOSS_SCHEMA}.job SET start_after = now()
            WHERE name = $1 AND state = 'created' AND (data->>'orderId')::int = $2`,
        [checkOrderPaymentJob.name, orderId],
      );
    },
    async mails(reference: string) {
      return db
        .selectFrom('mail_outbox')
        .select(['to_addresses', 'subject', 'text_body', 'status'])
        .where('subject', 'like', `%${reference}%`)
        .orderBy('id')
        .execute();
    },
    async audit(licenceId: number) {
      return db
        .selectFrom('audit_events')
        .select(['actor_label', 'entity_type', 'action', 'after'])
        .where('licence_id', '=', licenceId)
        .orderBy('id')
        .execute();
    },
  };
}

let liveCufs: LiveCufs;
beforeAll(async () => {
  liveCufs = await startCufs();
});
afterAll(async () => {
  await liveCufs?.close();
});

describe('a finance code that CUFS could not check at submission', () => {
  let app: Awaited<ReturnType<typeof startPaymentCheckApp>>;
  let t: TestApp;
  let q: ReturnType<typeof queries>;
  let alice: Browser;

  beforeAll(async () => {
    app = await startPaymentCheckApp(liveCufs, DEAD_CUFS_URL);
    t = app.t;
    q = queries(t);
    alice = new Browser(t.app);
    await alice.signInAs('ar101');
  });
  afterAll(async () => {
    await app?.close();
  });

  it('lets the buyer go on, and the background check moves the order on once, with one email', async () => {
    const configuration = { ...RDS_CONFIGURATION, ownerCrsid: 'bm202', managerCrsids: '' };
    expect((await configure(alice, 'RDS', configuration)).statusCode).toBe(303);
    const paid = await pay(alice, 'RDS', { method: 'finance-code', financeCode: 'PHAA.GAAA' });
    expect(paid.statusCode).toBe(303);
    expect(paid.headers.location).toBe('/storage/buy/RDS/check');
    const check = await alice.get('/storage/buy/RDS/check');
    expect(check.body).toContain('The University Financial System could not be reached just now');
    expect(check.body).toContain('You can still submit');

    const { response } = await submit(alice, 'RDS');
    expect(response.statusCode).toBe(303);
    const reference = String(response.headers.location).match(/ORD-\d+/)?.[0] as string;
    const pending = await q.order(reference);
    expect(pending).toMatchObject({
      status: 'awaiting-payment-check',
      finance_code: 'PHAA.GAAA',
      check_status: 'pending',
      check_attempts: 0,
      checked_at: null,
    });
    expect(await q.checkJobs(pending.id)).toEqual([
      { data: { orderId: pending.id, attempt: 1 }, state: 'created', later: false, after_a_minute: false },
    ]);
    const page = await alice.get(`/orders/${reference}/`);
    expect(page.body).toContain('Checking payment details');
    expect(page.body).toContain('Waiting to be checked with the University Financial System');
    expect(page.body).not.toContain('Give another finance code');

    await drainJobs(t.jobs);

    const checked = await q.order(reference);
    expect(checked).toMatchObject({ status: 'awaiting-approval', check_status: 'valid', check_attempts: 1 });
    expect(checked.check_message).toContain('Physics: general');
    expect(checked.checked_at).not.toBeNull();
    const systemRows = (await q.audit(checked.licence_id)).filter((row) => row.actor_label === 'system: payment check');
    expect(systemRows.map((row) => [row.entity_type, row.action])).toEqual([
      ['payment', 'finance code valid'],
      ['order', 'payment checked'],
    ]);
    const checkedMail = (await q.mails(reference)).filter((mail) => mail.subject.includes('payment details checked'));
    expect(checkedMail).toHaveLength(1);
    expect(checkedMail[0]?.to_addresses.sort()).toEqual(['ar101@cam.ac.uk', 'bm202@cam.ac.uk']);
    expect(checkedMail[0]?.text_body).toContain('PHAA.GAAA has been checked and is open');
    // The send-email jobs ran in the same drain: the messages left the outbox.
    expect((await q.mails(reference)).map((mail) => mail.status)).toEqual(['sent', 'sent']);
    expect((await alice.get(`/orders/${reference}/`)).body).toContain('Waiting for approval');

    // Draining again, and a duplicate delivery of the same check, change nothing and send nothing.
    const auditCount = (await q.audit(checked.licence_id)).length;
    await drainJobs(t.jobs, { includeDelayed: true });
    await t.database.db
      .transaction()
      .execute((tx) => t.jobs.queue.enqueue(tx, checkOrderPaymentJob, { orderId: checked.id, attempt: 1 }));
    await drainJobs(t.jobs, { includeDelayed: true });
    expect(await q.order(reference)).toEqual(checked);
    expect((await q.audit(checked.licence_id)).length).toBe(auditCount);
    expect(await q.mails(reference)).toHaveLength(2);
  });

  it('neither moves on nor emails about an order cancelled while CUFS was answering', async () => {
    const reference = await buy(
      alice,
      'RDS',
      { ...RDS_CONFIGURATION, managerCrsids: '' },
      { method: 'finance-code', financeCode: 'PHAA.GAAB' },
    );
    const { licence_id } = await q.order(reference);
    let answer = () => {};
    app.jobCufs.answerAfter = new Promise<void>((resolve) => {
      answer = resolve;
    });
    const asked = new Promise<void>((resolve) => {
      app.jobCufs.asked = resolve;
    });
    try {
      const draining = drainJobs(t.jobs);
      await asked;
      const csrf = await alice.csrfFrom(`/orders/${reference}/cancel`);
      expect((await alice.post(`/orders/${reference}/cancel`, { _csrf: csrf })).statusCode).toBe(303);
      answer();
      await draining;
    } finally {
      app.jobCufs.asked = undefined;
      app.jobCufs.answerAfter = undefined;
      answer();
    }

    expect((await q.order(reference)).status).toBe('cancelled');
    expect((await q.mails(reference)).map((mail) => mail.subject)).toEqual([
      `Order ${reference} received`,
      `Order ${reference} cancelled`,
    ]);
    const systemRows = (await q.audit(licence_id)).filter((row) => row.actor_label === 'system: payment check');
    expect(systemRows).toEqual([]);
  });

  it('keeps trying while CUFS stays down, waiting longer each time, and loses nothing', async () => {
    const reference = await buy(
      alice,
      'RDS',
      { ...RDS_CONFIGURATION, managerCrsids: '' },
      { method: 'finance-code', financeCode: 'PHAB.GAAB' },
    );
    const { id } = await q.order(reference);
    app.jobCufs.up = false;
    try {
      await drainJobs(t.jobs);
      expect(await q.order(reference)).toMatchObject({
        status: 'awaiting-payment-check',
        check_status: 'pending',
        check_attempts: 1,
      });
      // The first try is done; the second waits (2 minutes) rather than running at once.
      expect(await q.checkJobs(id)).toEqual([
        { data: { orderId: id, attempt: 1 }, state: 'completed', later: false, after_a_minute: false },
        { data: { orderId: id, attempt: 2 }, state: 'created', later: true, after_a_minute: true },
      ]);

      // Rather than wait out the two minutes, make the waiting try due now (draining with
      // includeDelayed would chase the chain of tries for ever while CUFS is down).
      await q.makeChecksDue(id);
      await drainJobs(t.jobs);
      // Each try ends by scheduling the next: one waiting job, and one try more counted.
      const jobs = await q.checkJobs(id);
      expect(jobs.map((job) => job.data.attempt)).toEqual([1, 2, 3]);
      expect(jobs.map((job) => job.state)).toEqual(['completed', 'completed', 'created']);
      expect(jobs[2]?.later).toBe(true);
      expect(await q.order(reference)).toMatchObject({ check_status: 'pending', check_attempts: 2 });
      expect(await q.mails(reference)).toHaveLength(1);
    } finally {
      app.jobCufs.up = true;
    }

    await drainJobs(t.jobs, { includeDelayed: true });
    expect(await q.order(reference)).toMatchObject({
      status: 'awaiting-approval',
      check_status: 'valid',
      check_attempts: 3,
    });
    expect((await q.checkJobs(id)).map((job) => job.state)).toEqual(['completed', 'completed', 'completed']);
    expect((await q.mails(reference)).map((mail) => mail.subject)).toEqual([
      `Order ${reference} received`,
      `Order ${reference}: payment details checked`,
    ]);
  });
});

describe('a finance code that the background check finds closed', () => {
  let switchable: Awaited<ReturnType<typeof startSwitchableCufs>>;
  let app: Awaited<ReturnType<typeof startPaymentCheckApp>>;
  let t: TestApp;
  let q: ReturnType<typeof queries>;

  beforeAll(async () => {
    switchable = await startSwitchableCufs(liveCufs.url, { up: false });
    app = await startPaymentCheckApp(liveCufs, switchable.url);
    t = app.t;
    q = queries(t);
  });
  afterAll(async () => {
    await app?.close();
    await switchable?.close();
  });

  it('tells the buyer what is wrong and takes another code on the order page', async () => {
    const alice = new Browser(t.app);
    await alice.signInAs('ar101');
    // PHZX.GAAA is closed: with CUFS up the payment step refuses it, so it gets in only while CUFS is down.
    switchable.state.up = false;
    const reference = await buy(
      alice,
      'RDS',
      { ...RDS_CONFIGURATION, managerCrsids: 'da303' },
      { method: 'finance-code', financeCode: 'PHZX.GAAA' },
    );
    const { id, licence_id } = await q.order(reference);
    await drainJobs(t.jobs);

    const refused = await q.order(reference);
    expect(refused).toMatchObject({
      status: 'awaiting-payment-check',
      check_status: 'invalid',
      check_message: 'This finance code cannot be used: Cost centre PHZX is closed.',
      check_attempts: 1,
    });
    const systemRows = (await q.audit(licence_id)).filter((row) => row.actor_label === 'system: payment check');
    expect(systemRows.map((row) => row.action)).toEqual(['finance code refused']);
    const mail = (await q.mails(reference)).find((message) => message.subject.includes('needs changing'));
    expect(mail?.to_addresses).toEqual(['ar101@cam.ac.uk']);
    expect(mail?.text_body).toContain('We could not accept the finance code PHZX.GAAA');
    expect(mail?.text_body).toContain('Cost centre PHZX is closed.');
    expect(mail?.text_body).not.toContain('closed..');
    expect(mail?.text_body).toContain('give another finance code; you do not need to order again');

    const page = await alice.get(`/orders/${reference}/`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Give another finance code');
    expect(page.body).toContain('Cost centre PHZX is closed.');
    expect(page.body).toContain(`action="/orders/${reference}/payment"`);
    // Its status asks for another code, on the order and in My storage: not 'Checking payment
    // details … You do not need to do anything unless we email you', which tells the buyer to wait.
    const refusedWords =
      'Finance code refused</strong> The University Financial System did not accept the finance code: the buyer or the Data Owner gives another one on this order, with no need to order again.';
    expect(page.body).toContain(refusedWords);
    expect(page.body).not.toContain('You do not need to do anything');
    const myStorage = await alice.get('/storage/');
    const listed = myStorage.body.slice(myStorage.body.indexOf(`${reference}</a>`));
    expect(listed.slice(0, listed.indexOf('</tr>'))).toContain('Finance code refused');
    expect(listed.slice(0, listed.indexOf('</tr>'))).not.toContain('Checking payment details');
    // The JSON API says the same, for the order and in the list.
    const asJson = (await alice.get(`/api/orders/${reference}`)).json();
    expect(asJson).toMatchObject({ status: 'awaiting-payment-check', statusLabel: 'Finance code refused' });
    expect(asJson.statusExplanation).toContain('gives another one on this order');
    const list = (await alice.get('/api/orders')).json();
    expect(list.orders.find((o: { reference: string }) => o.reference === reference)?.statusLabel).toBe(
      'Finance code refused',
    );

    // Only the buyer and the Data Owner are offered the form; a Data Manager sees the order without it.
    const dana = new Browser(t.app);
    await dana.signInAs('da303');
    const danaPage = await dana.get(`/orders/${reference}/`);
    expect(danaPage.statusCode).toBe(200);
    expect(danaPage.body).not.toContain('Give another finance code');
    expect(danaPage.body).toContain(refusedWords);
    // Someone with no part in the order cannot change its payment, nor learn it exists.
    const ben = new Browser(t.app);
    await ben.signInAs('bm202');
    const benCsrf = await ben.csrfFrom('/storage/');
    const benPost = await ben.post(`/orders/${reference}/payment`, { _csrf: benCsrf, financeCode: 'PHAA.GAAA' });
    expect(benPost.statusCode).toBe(404);

    const csrf = await alice.csrfFrom(`/orders/${reference}/`);
    const malformed = await alice.post(`/orders/${reference}/payment`, { _csrf: csrf, financeCode: 'PH.GA' });
    expect(malformed.statusCode).toBe(422);
    expect(malformed.body).toContain('There is a problem');
    // The title says so first, as on every form that failed, so a screen reader announces it on arrival.
    expect(malformed.body).toContain(`<title>Error: Order ${reference}`);
    expect(malformed.body).toContain('<a href="#financeCode">');
    expect(malformed.body).toContain('id="financeCode-error"');
    expect(malformed.body).toContain('value="PH.GA"');
    expect(await q.order(reference)).toEqual(refused);

    switchable.state.up = true;
    const fixed = await alice.post(`/orders/${reference}/payment`, { _csrf: csrf, financeCode: 'phaa gaaa' });
    expect(fixed.statusCode).toBe(303);
    expect(fixed.headers.location).toBe(`/orders/${reference}/`);
    expect(await q.order(reference)).toMatchObject({
      id,
      status: 'awaiting-approval',
      finance_code: 'PHAA.GAAA',
      check_status: 'valid',
    });
    const after = await alice.get(`/orders/${reference}/`);
    expect(after.body).toContain('Finance code PHAA.GAAA accepted; the order now waits for approval.');
    expect(after.body).toContain('Waiting for approval');
    expect(after.body).not.toContain('Give another finance code');
    const changes = (await q.audit(licence_id)).filter((row) => row.actor_label === 'ar101').map((row) => row.action);
    expect(changes).toEqual(['requested', 'submitted', 'finance code changed', 'payment checked']);

    // The form is gone once the code is accepted: a second change is refused, and nothing moves.
    const again = await alice.post(`/orders/${reference}/payment`, { _csrf: csrf, financeCode: 'PHAA.GAAB' });
    expect(again.statusCode).toBe(409);
    expect((await q.order(reference)).finance_code).toBe('PHAA.GAAA');
  });
});
