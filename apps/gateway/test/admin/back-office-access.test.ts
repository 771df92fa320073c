import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServiceCode } from '../../src/modules/people/people.tables.ts';
import { buy, type Configuration, RDS_CONFIGURATION, SAMPLE_PDF } from '../support/purchase.ts';
import { Browser, startTestApp, type TestApp } from '../support/test-app.ts';
import { people, type SignedIn } from './manage-support.ts';

/**
 * The authorisation sweep of issue 5 point 7: every route under /admin/ that the running app
 * has (read from its router, so a route added later is swept too), with real records in its
 * parameters, asked by someone who may not use it. Customers get 403 on every one (the back
 * office is no secret, and the check comes before any lookup, so an existing and a made-up
 * record answer alike); signed-out people are sent to sign in (a form sent while signed out gets
 * 401); staff of the other service get 403 on each record of this one; Finance reads both
 * services but changes nothing, except viewing the site as a customer (audited, see the last
 * test). No refused request changes a row.
 */

interface Route {
  method: 'GET' | 'POST';
  /** As registered, e.g. /admin/orders/:reference/approve. */
  url: string;
}

/** Every GET and POST route of the app whose path starts with `prefix`, from Fastify's route tree. */
export function routesOf(app: FastifyInstance, prefix: string): Route[] {
  const routes: Route[] = [];
  const stack: string[] = [];
  for (const line of app.printRoutes({ commonPrefix: false }).split('\n')) {
    const match = line.match(/^((?:[│ ] {3})*)[├└]── (.+?)(?: \(([A-Z, ]+)\))?$/);
    if (!match) continue;
    const depth = (match[1] ?? '').length / 4;
    stack.length = depth;
    stack.push(match[2] ?? '');
    const url = stack.join('');
    for (const method of (match[3] ?? '').split(', ')) {
      if ((method === 'GET' || method === 'POST') && url.startsWith(prefix)) routes.push({ method, url });
    }
  }
  return routes.sort((a, b) => `${a.url} ${a.method}`.localeCompare(`${b.url} ${b.method}`));
}

/** A route with its parameters filled in: the record it is about, and a form that would do the thing. */
interface Target {
  route: Route;
  url: string;
  /** The service of the record the URL names, if it names one. */
  service?: ServiceCode;
  form: Record<string, string>;
}

const OTHER_TEAM: Record<ServiceCode, string> = { research: 'if502', institutional: 'rs501' };
const TEAM: Record<ServiceCode, string> = { research: 'rs501', institutional: 'if502' };

/** The records the sweep puts in the routes' parameters. */
interface Records {
  researchOrder: string;
  ifsOrder: string;
  researchLicence: number;
  ifsLicence: number;
  researchProduct: string;
  ifsProduct: string;
  /** A price of each product (withdrawing needs one). */
  researchPrice: number;
  ifsPrice: number;
  voucher: number;
  financeRole: number;
}

/**
 * What staff get where the generic rule (a record's readers read it, nobody but its team changes
 * it) does not decide: routes about no record of a service. Keys are `METHOD url`.
 */
const STAFF_ANSWERS: Record<string, Partial<Record<'rs501' | 'if502' | 'fn601', number | 'allowed'>>> = {
  // Failed background jobs are for the people who run the services, not Finance.
  'GET /admin/jobs/failed': { rs501: 200, if502: 200, fn601: 403 },
  'POST /admin/jobs/failed/:queue/:id/retry': { rs501: 'allowed', if502: 'allowed', fn601: 403 },
  // Failed emails are the send-email job's failures: the same people.
  'GET /admin/emails/failed': { rs501: 200, if502: 200, fn601: 403 },
  'POST /admin/emails/failed/:id/send-again': { rs501: 'allowed', if502: 'allowed', fn601: 403 },
  // Only the institutional team issues vouchers (research storage is never paid by voucher).
  'GET /admin/vouchers/new': { rs501: 403, if502: 200, fn601: 403 },
  'POST /admin/vouchers/': { rs501: 403, if502: 'allowed', fn601: 403 },
  // Only superusers change staff roles.
  'POST /admin/people/:crsid/roles': { rs501: 403, if502: 403, fn601: 403 },
  'POST /admin/people/:crsid/roles/:roleId/remove': { rs501: 403, if502: 403, fn601: 403 },
  // Each storage team imports its own service's usage readings; Finance does not.
  'GET /admin/usage/': { rs501: 200, if502: 200, fn601: 403 },
  'POST /admin/usage/': { rs501: 'allowed', if502: 'allowed', fn601: 403 },
  // The billing file with no range is the form saying what is missing (422): nothing is downloaded.
  'GET /admin/billing/orders.csv': { rs501: 422, if502: 422, fn601: 422 },
  // Any staff may view the site as a customer (Finance included: the one thing Finance does here).
  'POST /admin/view-as': { rs501: 'allowed', if502: 'allowed', fn601: 'allowed' },
  'POST /admin/view-as/stop': { rs501: 'allowed', if502: 'allowed', fn601: 'allowed' },
};

/** What a member of staff gets: 'allowed' means the sweep does not try it (it would change something). */
function staffAnswer(target: Target, crsid: 'rs501' | 'if502' | 'fn601'): number | 'allowed' {
  const { route, service } = target;
  const known = STAFF_ANSWERS[`${route.method} ${route.url}`]?.[crsid];
  if (known !== undefined) return known;
  if (service && crsid === OTHER_TEAM[service]) return 403;
  if (route.method === 'GET') return 200;
  // Finance reads, never decides; a team changes only its own service's records.
  if (crsid === 'fn601') return 403;
  if (service) return 'allowed';
  throw new Error(`${route.method} ${route.url} is about no service's record: say in STAFF_ANSWERS who may post to it`);
}

describe('every back-office route refuses whoever may not use it', () => {
  let t: TestApp;
  const as = people(() => t);
  let routes: Route[];
  let targets: Target[];
  const records: Records = {
    researchOrder: '',
    ifsOrder: '',
    researchLicence: 0,
    ifsLicence: 0,
    researchProduct: 'RDS',
    ifsProduct: 'IFS',
    researchPrice: 0,
    ifsPrice: 0,
    voucher: 0,
    financeRole: 0,
  };
  /** Records that do not exist, in the same shapes. */
  const MISSING: Records = {
    researchOrder: 'ORD-987654',
    ifsOrder: 'ORD-987655',
    researchLicence: 987654,
    ifsLicence: 987655,
    researchProduct: 'NOPE',
    ifsProduct: 'NADA',
    researchPrice: 987654,
    ifsPrice: 987655,
    voucher: 987654,
    financeRole: 987654,
  };
  const projectOf: Record<string, number> = {};

  async function buyAs(
    crsid: string,
    product: string,
    configuration: Configuration,
    payment: Parameters<typeof buy>[3],
  ) {
    const browser = new Browser(t.app);
    await browser.signInAs(crsid);
    return buy(browser, product, configuration, payment);
  }

  async function orderRow(reference: string) {
    return t.database.db
      .selectFrom('orders')
      .innerJoin('storage_projects', 'storage_projects.licence_id', 'orders.licence_id')
      .select(['orders.licence_id', 'orders.status', 'storage_projects.id as project_id'])
      .where('orders.reference', '=', reference)
      .executeTakeFirstOrThrow();
  }

  beforeAll(async () => {
    t = await startTestApp();
    const db = t.database.db;
    records.researchOrder = await buyAs('ar101', 'RDS', RDS_CONFIGURATION, {
      method: 'purchase-order',
      poNumber: 'P1234567',
      file: { bytes: SAMPLE_PDF, name: 'po.pdf' },
    });
    records.ifsOrder = await buyAs(
      'da303',
      'IFS',
      {
        sizeTb: '2',
        termYears: '1',
        institutionId: 'CHEM',
        licenceName: 'Chemistry office share',
        ownerCrsid: 'da303',
        managerCrsids: '',
        projectName: 'chem-office',
      },
      { method: 'voucher', voucherCode: 'IFS-CHEM-2026' },
    );
    // The research order waits for a decision; the institutional one is approved, waiting to be
    // provisioned: so a leak in either the decisions or provisioning would change something.
    const ifan = await as('if502');
    const approved = await ifan.post(`/admin/orders/${records.ifsOrder}/approve`);
    expect(approved.statusCode, approved.body.slice(0, 300)).toBe(303);
    const research = await orderRow(records.researchOrder);
    const ifs = await orderRow(records.ifsOrder);
    expect([research.status, ifs.status]).toEqual(['awaiting-approval', 'approved']);
    records.researchLicence = research.licence_id;
    records.ifsLicence = ifs.licence_id;
    projectOf[records.researchOrder] = research.project_id;
    projectOf[records.ifsOrder] = ifs.project_id;
    const priceOf = async (product: string) =>
      (await db.selectFrom('prices').select('id').where('product_code', '=', product).executeTakeFirstOrThrow()).id;
    records.researchPrice = await priceOf('RDS');
    records.ifsPrice = await priceOf('IFS');
    records.voucher = (
      await db.selectFrom('vouchers').select('id').where('code', '=', 'IFS-WELCOME-01').executeTakeFirstOrThrow()
    ).id;
    records.financeRole = (
      await db
        .selectFrom('staff_roles')
        .innerJoin('people', 'people.id', 'staff_roles.person_id')
        .select('staff_roles.id')
        .where('people.crsid', '=', 'fn601')
        .executeTakeFirstOrThrow()
    ).id;
    routes = routesOf(t.app, '/admin/');
    targets = routes.flatMap((route) => targetsOf(route, records));
  });
  afterAll(() => t?.close());

  /** The records each parameter can name, by where it is in the path; every parameter must have one. */
  function targetsOf(route: Route, records: Records): Target[] {
    const { url } = route;
    const fill = (values: Record<string, string>, service?: ServiceCode): Target => {
      const filled = url.replace(/:(\w+)/g, (_, name: string) => {
        const value = values[name];
        if (value === undefined) throw new Error(`the sweep has no record for :${name} in ${url}: add one`);
        return value;
      });
      return { route, url: filled, service, form: formFor(route, values) };
    };
    if (url.startsWith('/admin/orders/:reference/')) {
      return [
        fill({ reference: records.researchOrder }, 'research'),
        fill({ reference: records.ifsOrder }, 'institutional'),
      ];
    }
    if (url.startsWith('/admin/licences/:id/')) {
      return [
        fill({ id: String(records.researchLicence) }, 'research'),
        fill({ id: String(records.ifsLicence) }, 'institutional'),
      ];
    }
    if (url.startsWith('/admin/catalogue/:code/')) {
      return [
        fill({ code: records.researchProduct, id: String(records.researchPrice) }, 'research'),
        fill({ code: records.ifsProduct, id: String(records.ifsPrice) }, 'institutional'),
      ];
    }
    if (url.startsWith('/admin/vouchers/:id/')) return [fill({ id: String(records.voucher) }, 'institutional')];
    if (url.startsWith('/admin/people/:crsid/')) {
      return [fill({ crsid: 'fn601', roleId: String(records.financeRole) })];
    }
    if (url.startsWith('/admin/jobs/failed/:queue/:id/')) {
      return [fill({ queue: 'send-email', id: '0b6c3c8e-5f0e-4d7a-9a4f-2f1d8c4b7e11' })];
    }
    if (url.startsWith('/admin/emails/failed/:id/')) return [fill({ id: '1' })];
    return [fill({})];
  }

  /** A form that would do what the route does, had the person the right to: refusal must come first. */
  function formFor(route: Route, values: Record<string, string>): Record<string, string> {
    if (route.method !== 'POST') return {};
    const project = values.reference ? (projectOf[values.reference] ?? 0) : 0;
    const forms: Array<[RegExp, Record<string, string>]> = [
      [/\/reject$/, { reason: 'Swept' }],
      [
        /\/provisioning$/,
        {
          [`project-${project}-path`]: '/rds/project/swept',
          [`project-${project}-shareName`]: 'swept',
          [`project-${project}-groups`]: 'swept-users',
          [`project-${project}-quotaTb`]: '2',
        },
      ],
      [/^\/admin\/licences\/.*\/edit$/, { sizeTb: '9', ownerCrsid: 'bm202', reason: 'Swept' }],
      [/\/lock$/, { lockReason: 'Swept' }],
      [/\/unlock$/, { unlockReason: 'Swept' }],
      [
        /^\/admin\/catalogue\/.*\/edit$/,
        { name: 'Swept', summary: 'Swept', description: 'Swept', minimumTb: '1', termsYears: '1', active: 'yes' },
      ],
      [/\/prices$/, { customerClass: 'internal', pounds: '1.00', validFrom: '2027-08-01' }],
      [/^\/admin\/vouchers\/$/, { productCode: 'IFS', sizeTb: '2', institutionId: 'CHEM', note: 'Swept' }],
      [/\/revoke$/, { reason: 'Swept' }],
      [/\/roles$/, { role: 'superuser', reason: 'Swept' }],
      [/\/remove$/, { [`reason-${values.roleId}`]: 'Swept' }],
      [/^\/admin\/view-as$/, { crsid: 'ar101', reason: 'Swept' }],
    ];
    return forms.find(([pattern]) => pattern.test(route.url))?.[1] ?? {};
  }

  /** What refused requests must not touch: the rows of every record the back office changes. */
  async function snapshot() {
    const db = t.database.db;
    const count = async (table: 'audit_events' | 'mail_outbox' | 'prices' | 'provisioning_runs' | 'vouchers') =>
      Number(
        (
          await db
            .selectFrom(table)
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );
    return {
      orders: await db
        .selectFrom('orders')
        .select(['id', 'status', 'status_reason', 'decided_by_person_id'])
        .orderBy('id')
        .execute(),
      licences: await db
        .selectFrom('licences')
        .select(['id', 'status', 'size_tb', 'start_date', 'end_date', 'owner_person_id', 'locked_at'])
        .orderBy('id')
        .execute(),
      projects: await db
        .selectFrom('storage_projects')
        .select(['id', 'status', 'path', 'share_name', 'group_names'])
        .orderBy('id')
        .execute(),
      products: await db.selectFrom('products').select(['code', 'name', 'active']).orderBy('code').execute(),
      vouchers: await db.selectFrom('vouchers').select(['id', 'revoked_at', 'redeemed_at']).orderBy('id').execute(),
      roles: await db.selectFrom('staff_roles').select(['id', 'person_id', 'role', 'service']).orderBy('id').execute(),
      counts: {
        audit: await count('audit_events'),
        mail: await count('mail_outbox'),
        prices: await count('prices'),
        runs: await count('provisioning_runs'),
        vouchers: await count('vouchers'),
      },
    };
  }

  function describeTarget(target: Target, who: string): string {
    return `${who} ${target.route.method} ${target.url}`;
  }

  it('finds every back-office route in the running app, each with real records in its parameters', () => {
    // The tree is read, not listed by hand: these are a sample that must be among what was found.
    const found = routes.map((route) => `${route.method} ${route.url}`);
    expect(found).toEqual(
      expect.arrayContaining([
        'GET /admin/',
        'GET /admin/orders/:reference/',
        'POST /admin/orders/:reference/approve',
        'POST /admin/orders/:reference/provisioning',
        'POST /admin/licences/:id/lock',
        'POST /admin/catalogue/:code/prices',
        'POST /admin/vouchers/:id/revoke',
        'POST /admin/people/:crsid/roles/:roleId/remove',
        'POST /admin/view-as',
      ]),
    );
    expect(routes.length).toBeGreaterThanOrEqual(30);
    expect(targets.filter((target) => target.url.includes(':'))).toEqual([]);
  });

  it('refuses a customer every route with 403, for records that exist and records that do not, changing nothing', async () => {
    const before = await snapshot();
    const alice = await as('ar101');
    const missing = routes.filter((route) => route.url.includes(':')).flatMap((route) => targetsOf(route, MISSING));
    expect(missing.length).toBeGreaterThan(10);
    for (const target of [...targets, ...missing]) {
      const answer =
        target.route.method === 'GET' ? await alice.get(target.url) : await alice.post(target.url, target.form);
      expect(answer.statusCode, describeTarget(target, 'ar101')).toBe(403);
    }
    expect(await snapshot()).toEqual(before);
  });

  it('sends someone signed out to sign in from every page, and answers their forms with 401, changing nothing', async () => {
    const before = await snapshot();
    const stranger = new Browser(t.app);
    // A real token of the stranger's own session: the refusal is about who they are, not the token.
    const csrf = await stranger.csrfFrom('/dev/sign-in');
    for (const target of targets) {
      if (target.route.method === 'GET') {
        const answer = await stranger.get(target.url);
        expect(answer.statusCode, describeTarget(target, 'signed out')).toBe(302);
        expect(answer.headers.location).toBe(`/sign-in?returnTo=${encodeURIComponent(target.url)}`);
      } else {
        const answer = await stranger.post(target.url, { _csrf: csrf, ...target.form });
        expect(answer.statusCode, describeTarget(target, 'signed out')).toBe(401);
      }
    }
    expect(await snapshot()).toEqual(before);
  });

  it.each([
    ['rs501', 'the research team'],
    ['if502', 'the institutional team'],
    ['fn601', 'Finance'],
  ] as const)('gives %s (%s) exactly their answer on every route, changing nothing', async (crsid, _who) => {
    const before = await snapshot();
    const staff: SignedIn = await as(crsid);
    let tried = 0;
    for (const target of targets) {
      const expected = staffAnswer(target, crsid);
      if (expected === 'allowed') continue;
      tried++;
      const answer =
        target.route.method === 'GET' ? await staff.get(target.url) : await staff.post(target.url, target.form);
      expect(answer.statusCode, `${describeTarget(target, crsid)}: ${answer.body.slice(0, 200)}`).toBe(expected);
    }
    expect(tried).toBeGreaterThan(20);
    expect(await snapshot()).toEqual(before);
  });

  it('shows no team the other service’s records in its lists, where its own team finds them', async () => {
    const cases: Array<[string, string, ServiceCode]> = [
      ['rs501', 'if502', 'institutional'],
      ['if502', 'rs501', 'research'],
    ];
    for (const [crsid, team, service] of cases) {
      const reference = service === 'research' ? records.researchOrder : records.ifsOrder;
      const licence = service === 'research' ? records.researchLicence : records.ifsLicence;
      const licenceName = service === 'research' ? RDS_CONFIGURATION.licenceName : 'Chemistry office share';
      // An order's link from the queue carries the queue's filters after its path.
      const links = [`href="/admin/orders/${reference}/`, `href="/admin/licences/${licence}/"`];
      const lists: Array<[string, string]> = [
        [`/admin/orders/?service=${service}&status=all&q=${reference}`, links[0] as string],
        [`/admin/licences/?q=${encodeURIComponent(licenceName)}`, links[1] as string],
        [`/admin/audit/?entityType=order&entityId=${reference}`, links[0] as string],
        [`/admin/people/${service === 'research' ? 'ar101' : 'da303'}/`, links[1] as string],
      ];
      const other = await as(crsid);
      const own = await as(team);
      for (const [url, link] of lists) {
        expect((await own.get(url)).body, `${team} ${url}`).toContain(link);
        const page = await other.get(url);
        expect(page.statusCode, `${crsid} ${url}`).toBe(200);
        for (const hidden of links) expect(page.body, `${crsid} ${url}`).not.toContain(hidden);
      }
    }
  });

  it('keeps the customer pages the back office links to (order, PO, licence, project) to the record’s own readers', async () => {
    for (const service of ['research', 'institutional'] as const) {
      const reference = service === 'research' ? records.researchOrder : records.ifsOrder;
      const licence = service === 'research' ? records.researchLicence : records.ifsLicence;
      const urls = [
        `/orders/${reference}/`,
        `/storage/licence/${licence}/`,
        `/storage/project/${projectOf[reference]}/`,
        ...(service === 'research' ? [`/orders/${reference}/purchase-order`] : []),
      ];
      for (const url of urls) {
        for (const crsid of [TEAM[service], 'fn601']) {
          expect((await (await as(crsid)).get(url)).statusCode, `${crsid} ${url}`).toBe(200);
        }
        // Like any record that is not theirs: the same 404 as one that does not exist.
        expect((await (await as(OTHER_TEAM[service])).get(url)).statusCode, `${OTHER_TEAM[service]} ${url}`).toBe(404);
      }
    }
  });

  it('links in the back office’s navigation only to the sections each member of staff may open', async () => {
    const navOf = (body: string) =>
      [
        ...(body.match(/<nav class="admin-nav" aria-label="Back office">([\s\S]*?)<\/nav>/)?.[1] ?? '').matchAll(
          /href="([^"]+)"/g,
        ),
      ].map((match) => match[1] as string);
    for (const crsid of ['rs501', 'if502', 'fn601', 'su701']) {
      const staff = await as(crsid);
      const links = navOf((await staff.get('/admin/')).body);
      expect(links.length, crsid).toBeGreaterThan(5);
      for (const href of links) expect((await staff.get(href)).statusCode, `${crsid} ${href}`).toBe(200);
      const teamPages = ['/admin/usage/', '/admin/jobs/failed', '/admin/emails/failed'];
      if (crsid === 'fn601') for (const href of teamPages) expect(links).not.toContain(href);
      else for (const href of teamPages) expect(links, crsid).toContain(href);
    }
  });

  it('lets Finance view the site as a customer, audited: the one back-office change Finance makes', async () => {
    const farah = new Browser(t.app);
    await farah.signInAs('fn601');
    const csrf = await farah.csrfFrom('/admin/view-as');
    const started = await farah.post('/admin/view-as', { crsid: 'ar101', reason: 'Invoice query 77', _csrf: csrf });
    expect(started.statusCode, started.body.slice(0, 300)).toBe(303);
    expect(started.headers.location).toBe('/storage/');
    const audited = await t.database.db
      .selectFrom('audit_events')
      .select(['actor_label', 'action'])
      .where('entity_type', '=', 'view-as')
      .execute();
    expect(audited).toEqual([expect.objectContaining({ action: 'started' })]);
    expect(audited[0]?.actor_label).toContain('fn601');
  });
  it('lets each record’s own team do what the others were refused (so the refusals were about who asked)', async () => {
    const rosa = await as('rs501');
    const ifan = await as('if502');
    const approve = await rosa.post(`/admin/orders/${records.researchOrder}/approve`);
    expect(approve.statusCode, approve.body.slice(0, 300)).toBe(303);
    const provisioned = await ifan.post(
      `/admin/orders/${records.ifsOrder}/provisioning`,
      formFor({ method: 'POST', url: '/admin/orders/:reference/provisioning' }, { reference: records.ifsOrder }),
    );
    expect(provisioned.statusCode, provisioned.body.slice(0, 300)).toBe(303);
    expect((await orderRow(records.researchOrder)).status).toBe('approved');
    expect((await orderRow(records.ifsOrder)).status).toBe('completed');
    const locked = await ifan.post(`/admin/licences/${records.ifsLicence}/lock`, { lockReason: 'Swept' });
    expect(locked.statusCode).toBe(303);
    const revoked = await ifan.post(`/admin/vouchers/${records.voucher}/revoke`, { reason: 'Swept' });
    expect(revoked.statusCode).toBe(303);
    const sam = await as('su701');
    const removed = await sam.post(`/admin/people/fn601/roles/${records.financeRole}/remove`, {
      [`reason-${records.financeRole}`]: 'Swept',
    });
    expect(removed.statusCode).toBe(303);
  });
});
