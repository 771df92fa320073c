import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accessTokens, rowCount } from '../support/api.ts';
import { changeableLicence } from '../support/change-orders.ts';
import { startTestAppWithCufs } from '../support/cufs.ts';
import { openApiReader, type Schema } from '../support/openapi-document.ts';
import { configure, RDS_CONFIGURATION } from '../support/purchase.ts';
import { insertStorage } from '../support/storage-fixtures.ts';
import { Browser, type TestApp } from '../support/test-app.ts';

/** The largest whole number a JavaScript number holds exactly: z.int()'s bounds were ± this. */
const SAFE = Number.MAX_SAFE_INTEGER;

// The pages' words for each field (purchase-configuration.ts, change-pricing.ts, licence-members.ts).
const SIZE_NOT_WHOLE = 'Enter the size as a whole number of TB, for example 5';
const SIZE_TOO_SMALL = 'The size must be at least 1 TB';
const SIZE_TOO_LARGE = 'The size must be at most 10,000 TB; contact us for more';
const RDS_TERMS = 'Choose one of the terms offered: 1 year, 2 years, 3 years, 4 years, 5 years';
const ADD_NOT_WHOLE = 'Enter the TB to add as a whole number, for example 2';
const ADD_TOO_SMALL = 'Add at least 1 TB';
const ADD_TOO_LARGE = 'A licence can be at most 10,000 TB: add at most 9,995 TB, or contact us for more';
const RENEWAL_TERMS = 'Choose a term from 1 to 5 years';
const QUOTA_NOT_WHOLE = 'Enter the quota as a whole number of TB, like 2';
const QUOTA_TOO_SMALL = 'The quota must be at least 1 TB';
const QUOTA_TOO_LARGE = 'The licence has 5 TB not given to its other storage projects: choose at most 5 TB';
// The API's own, where the page's words name the product's terms, which a body's schema cannot know.
const TERM_NOT_WHOLE = 'Choose one of the terms offered, as a whole number of years (the product’s termsYears)';
const RENEWAL_NOT_WHOLE = 'Choose a term as a whole number of years, from 1 to the product’s longest';
// No page asks for it: a script sends it.
const PENCE_NOT_WHOLE =
  'Give expectedTotalPence as a whole number of pence, such as 81000: the totalPence you agreed to';
const PENCE_TOO_SMALL = 'expectedTotalPence is at least 0: the totalPence you agreed to';
const PENCE_TOO_LARGE = `expectedTotalPence is at most ${SAFE}: the totalPence you agreed to`;

/**
 * Every whole number a request body sends (sizeTb, termYears, addTb, quotaTb, expectedTotalPence)
 * is read as JSON: a number without a fraction. A fraction, a string, true or null is refused (422)
 * for the field in the words its page uses, never zod's ("Invalid input: expected int, received
 * number"), and a number too small or too large (1e21 as 10,001) with the field's own message, as
 * the page gives it. The document states the real bounds, in the requests and the answers.
 */
describe('the JSON API reads whole numbers as its pages do', () => {
  let t: TestApp;
  let tokens: Record<string, string> = {};

  beforeAll(async () => {
    t = await startTestAppWithCufs();
    tokens = await accessTokens(t, ['ar101']);
  });
  afterAll(() => t?.close());

  function call(method: 'POST' | 'PATCH', url: string, payload: object) {
    return t.app.inject({ method, url, headers: { authorization: `Bearer ${tokens.ar101}` }, payload });
  }

  /** Sends each value of `field` in turn and expects a 422 naming only that field, with its message. */
  async function expectRefusals(
    method: 'POST' | 'PATCH',
    url: string,
    body: (value: unknown) => object,
    field: string,
    cases: ReadonlyArray<readonly [unknown, string]>,
  ) {
    for (const [value, message] of cases) {
      const response = await call(method, url, body(value));
      const sent = `${method} ${url} ${field}: ${JSON.stringify(value) ?? 'left out'}`;
      expect(response.statusCode, `${sent}: ${response.body}`).toBe(422);
      expect(response.json().error.fields, sent).toEqual({ [field]: message });
    }
  }

  const configuration = {
    product: 'RDS',
    sizeTb: 5,
    termYears: 3,
    institutionId: 'PHYS',
    licenceName: 'Whole numbers',
    ownerCrsid: 'ar101',
    managerCrsids: [],
    projectName: 'whole-numbers',
  };
  const finance = { method: 'finance-code', financeCode: 'PHAA.GAAA' };
  const ordering = { payment: finance, acceptTerms: true, termsVersion: '2026-08' };
  const LEFT_OUT = Symbol('left out');
  /** The body with `field` set to `value`, or without it for LEFT_OUT. */
  const withField = (base: object, field: string, value: unknown) => {
    const body: Record<string, unknown> = { ...base };
    if (value === LEFT_OUT) delete body[field];
    else body[field] = value;
    return body;
  };

  it('refuses a size or term of new storage that is not a whole number, or out of bounds, in the pages’ words', async () => {
    const before = await rowCount(t.database.db, 'orders');
    const sizes = [
      [1.5, SIZE_NOT_WHOLE],
      ['5', SIZE_NOT_WHOLE],
      [true, SIZE_NOT_WHOLE],
      [null, SIZE_NOT_WHOLE],
      [0, SIZE_TOO_SMALL],
      [-1, SIZE_TOO_SMALL],
      [-1e21, SIZE_TOO_SMALL],
      [10_001, SIZE_TOO_LARGE],
      [1e21, SIZE_TOO_LARGE],
      [LEFT_OUT, 'Enter the size in TB'],
    ] as const;
    const terms = [
      [2.5, TERM_NOT_WHOLE],
      ['3', TERM_NOT_WHOLE],
      [null, TERM_NOT_WHOLE],
      [0, RDS_TERMS],
      [-3, RDS_TERMS],
      [6, RDS_TERMS],
      [1e21, RDS_TERMS],
      [LEFT_OUT, 'Choose how long the licence lasts'],
    ] as const;
    const bodies = {
      '/api/prices': (extra: object) => ({ ...configuration, ...extra }),
      '/api/quotes': (extra: object) => ({ ...configuration, ...extra }),
      '/api/orders': (extra: object) => ({ ...configuration, ...ordering, submissionKey: randomUUID(), ...extra }),
    };
    for (const [url, body] of Object.entries(bodies)) {
      await expectRefusals('POST', url, (value) => withField(body({}), 'sizeTb', value), 'sizeTb', sizes);
      await expectRefusals('POST', url, (value) => withField(body({}), 'termYears', value), 'termYears', terms);
    }
    expect(await rowCount(t.database.db, 'orders')).toBe(before);
  });

  it('refuses an expectedTotalPence that is not a whole number of pence, 0 or more, and orders nothing', async () => {
    const { licenceId } = await insertStorage(t.database.db, {
      name: 'Expected totals',
      owner: 'ar101',
      status: 'active',
      startDate: '2026-08-01',
      endDate: '2027-07-31',
      order: { status: 'completed' },
    });
    const before = await rowCount(t.database.db, 'orders');
    const cases = [
      [1.5, PENCE_NOT_WHOLE],
      ['81000', PENCE_NOT_WHOLE],
      [null, PENCE_NOT_WHOLE],
      [-1, PENCE_TOO_SMALL],
      [-1e21, PENCE_TOO_SMALL],
      [1e21, PENCE_TOO_LARGE],
      [SAFE + 1, PENCE_TOO_LARGE],
    ] as const;
    await expectRefusals(
      'POST',
      '/api/orders',
      (value) => ({ ...configuration, ...ordering, submissionKey: randomUUID(), expectedTotalPence: value }),
      'expectedTotalPence',
      cases,
    );
    await expectRefusals(
      'POST',
      `/api/licences/${licenceId}/changes`,
      (value) => ({
        kind: 'renewal',
        termYears: 1,
        ...ordering,
        submissionKey: randomUUID(),
        expectedTotalPence: value,
      }),
      'expectedTotalPence',
      cases,
    );
    expect(await rowCount(t.database.db, 'orders')).toBe(before);
  });

  it('refuses a change’s TB to add or term that is not a whole number, or out of bounds, in the pages’ words', async () => {
    // Ending within 60 days, so that a renewal's term is what is refused (renewal-window.ts).
    const licenceId = await changeableLicence(
      t.database.db,
      { licence: 'Whole changes', project: 'whole-changes' },
      { startDate: '2026-01-16', endDate: '2027-01-15' },
    );
    const before = await rowCount(t.database.db, 'orders');
    const additions = [
      [1.5, ADD_NOT_WHOLE],
      ['2', ADD_NOT_WHOLE],
      [false, ADD_NOT_WHOLE],
      [null, ADD_NOT_WHOLE],
      [0, ADD_TOO_SMALL],
      [-2, ADD_TOO_SMALL],
      [-1e21, ADD_TOO_SMALL],
      [9_996, ADD_TOO_LARGE],
      [10_001, ADD_TOO_LARGE],
      [1e21, ADD_TOO_LARGE],
    ] as const;
    const renewals = [
      [1.5, RENEWAL_NOT_WHOLE],
      ['1', RENEWAL_NOT_WHOLE],
      [null, RENEWAL_NOT_WHOLE],
      [0, RENEWAL_TERMS],
      [-1, RENEWAL_TERMS],
      [6, RENEWAL_TERMS],
      [1e21, RENEWAL_TERMS],
    ] as const;
    for (const path of ['changes/price', 'changes/quote', 'changes']) {
      const url = `/api/licences/${licenceId}/${path}`;
      const extra = path === 'changes' ? { ...ordering, submissionKey: randomUUID() } : {};
      await expectRefusals('POST', url, (addTb) => ({ kind: 'increase', addTb, ...extra }), 'addTb', additions);
      const renewal = (termYears: unknown) => ({ kind: 'renewal', termYears, ...extra });
      await expectRefusals('POST', url, renewal, 'termYears', renewals);
    }
    expect(await rowCount(t.database.db, 'orders')).toBe(before);
  });

  it('refuses a storage project’s quota that is not a whole number, or out of bounds, in the pages’ words', async () => {
    const { licenceId, projectIds } = await insertStorage(t.database.db, {
      name: 'Whole quotas',
      owner: 'ar101',
      status: 'active',
      startDate: '2026-08-01',
      endDate: '2027-07-31',
      sizeTb: 10,
      projects: [{ name: 'first', quotaTb: 5, status: 'active' }],
    });
    const quotas = [
      [1.5, QUOTA_NOT_WHOLE],
      ['2', QUOTA_NOT_WHOLE],
      [null, QUOTA_NOT_WHOLE],
      [0, QUOTA_TOO_SMALL],
      [-1, QUOTA_TOO_SMALL],
      [-1e21, QUOTA_TOO_SMALL],
      [10_001, QUOTA_TOO_LARGE],
      [1e21, QUOTA_TOO_LARGE],
    ] as const;
    await expectRefusals(
      'POST',
      `/api/licences/${licenceId}/projects`,
      (quotaTb) => withField({ name: 'second' }, 'quotaTb', quotaTb),
      'quotaTb',
      [...quotas, [LEFT_OUT, 'Enter the quota in TB']],
    );
    // The project itself is not among the others: the licence's whole 10 TB may be its.
    const patched = quotas.map(
      ([value, message]) =>
        [value, message === QUOTA_TOO_LARGE ? QUOTA_TOO_LARGE.replaceAll('5 TB', '10 TB') : message] as const,
    );
    await expectRefusals('PATCH', `/api/projects/${projectIds[0]}`, (quotaTb) => ({ quotaTb }), 'quotaTb', patched);
    const projects = await t.database.db
      .selectFrom('storage_projects')
      .select(['name', 'quota_tb'])
      .where('licence_id', '=', licenceId)
      .execute();
    expect(projects).toEqual([{ name: 'first', quota_tb: 5 }]);
  });

  it('says what the pages say for the same numbers', async () => {
    const alice = new Browser(t.app);
    await alice.signInAs('ar101');
    const page = async (sizeTb: string) => (await configure(alice, 'RDS', { ...RDS_CONFIGURATION, sizeTb })).body;
    const api = async (sizeTb: number) =>
      (await call('POST', '/api/prices', { ...configuration, sizeTb })).json().error.fields.sizeTb;
    for (const [typed, sent] of [
      ['1.5', 1.5],
      ['0', 0],
      ['1000000000000000000000', 1e21],
    ] as const) {
      expect(await page(typed)).toContain(await api(sent));
    }

    const licenceId = await changeableLicence(t.database.db, { licence: 'Page words', project: 'page-words' });
    const changePage = `/storage/licence/${licenceId}/change/increase/`;
    for (const [typed, sent] of [
      ['1.5', 1.5],
      ['1000000000000000000000', 1e21],
    ] as const) {
      const answer = await alice.post(changePage, { _csrf: await alice.csrfFrom(changePage), addTb: typed });
      const refused = await call('POST', `/api/licences/${licenceId}/changes/price`, { kind: 'increase', addTb: sent });
      expect(answer.body).toContain(refused.json().error.fields.addTb);
    }
  });

  it('states the real bounds of every whole number in the document, of requests and answers', async () => {
    const document = (await t.app.inject('/api/openapi.json')).json();
    // Not one integer anywhere may be any integer z.int() takes, negative ones included.
    const integers: Array<{ at: string; schema: Schema }> = [];
    const visit = (node: unknown, at: string): void => {
      if (!node || typeof node !== 'object') return;
      const schema = node as Schema;
      if (schema.type === 'integer') integers.push({ at, schema });
      for (const [key, child] of Object.entries(node)) visit(child, `${at}/${key}`);
    };
    visit(document, '');
    expect(integers.length).toBeGreaterThan(50);
    const unbounded = integers.filter(({ schema }) => schema.minimum === -SAFE || schema.maximum === undefined);
    expect(unbounded.map(({ at }) => at)).toEqual([]);
    expect(
      integers.filter(({ schema }) => schema.minimum === undefined && schema.exclusiveMinimum === undefined),
    ).toEqual([]);

    const { resolve, bodyFields } = openApiReader(document);
    const bounds = (schema: Schema | undefined) => ({ minimum: schema?.minimum, maximum: schema?.maximum });
    const fields = (path: string, name: string, method = 'post') => bodyFields(path, name, method).map(bounds);

    const TB = { minimum: 1, maximum: 10_000 };
    const YEARS = { minimum: 1, maximum: 10 };
    for (const path of ['/api/prices', '/api/quotes', '/api/orders']) {
      expect(fields(path, 'sizeTb'), path).toEqual([TB]);
      expect(fields(path, 'termYears'), path).toEqual([YEARS]);
    }
    expect(fields('/api/orders', 'expectedTotalPence')).toEqual([{ minimum: 0, maximum: SAFE }]);
    for (const path of ['/api/licences/{id}/changes', '/api/licences/{id}/changes/price']) {
      expect(fields(path, 'addTb'), path).toEqual([TB]);
      expect(fields(path, 'termYears'), path).toEqual([YEARS, YEARS]);
    }
    expect(fields('/api/licences/{id}/changes/quote', 'addTb')).toEqual([TB]);
    expect(fields('/api/licences/{id}/projects', 'quotaTb')).toEqual([TB]);
    expect(fields('/api/projects/{id}', 'quotaTb', 'patch')).toEqual([TB]);

    // The answers: sizes and quotas as sold, terms of a year or more, ids from 1, pages as asked for.
    const schemas = document.components.schemas as Record<string, Schema>;
    const property = (schema: Schema, name: string) => bounds(resolve(schema).properties?.[name]);
    for (const name of ['Order', 'Quote', 'ChangePrice', 'LicenceListing']) {
      expect(property(schemas[name] as Schema, 'sizeTb'), name).toEqual(TB);
    }
    expect(property(schemas.Quote as Schema, 'termYears').minimum).toBe(1);
    // An order's or a change price's is null for the kinds that buy no term (more space, a cancellation).
    for (const name of ['Order', 'ChangePrice']) {
      const termYears = resolve(schemas[name] as Schema).properties?.termYears;
      const whole = termYears?.anyOf?.find((branch) => branch.type === 'integer');
      expect(
        termYears?.anyOf?.map((branch) => branch.type),
        name,
      ).toEqual(['integer', 'null']);
      expect(whole?.minimum, name).toBe(1);
    }
    expect(property(schemas.LicenceListing as Schema, 'id')).toEqual({ minimum: 1, maximum: SAFE });
    expect(property(schemas.StorageProjectChanged as Schema, 'quotaTb')).toEqual(TB);
    const list = (path: string): Schema =>
      resolve(document.paths[path].get.responses['200'].content['application/json'].schema);
    for (const path of ['/api/orders', '/api/licences', '/api/quotes']) {
      expect(property(list(path), 'total').minimum, path).toBe(0);
      expect(property(list(path), 'limit'), path).toEqual({ minimum: 1, maximum: 100 });
      expect(property(list(path), 'offset').minimum, path).toBe(0);
    }
    const error = (schemas.Error as Schema).properties?.error as Schema;
    expect(property(error, 'status')).toEqual({ minimum: 400, maximum: 599 });
  });

  it('reads usage readings’ usedBytes of 1e21 as too large, and documents it as 0 or more', async () => {
    const staff = await accessTokens(t, ['rs501']);
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/usage-readings',
      headers: { authorization: `Bearer ${staff.rs501}` },
      payload: { readings: [{ path: '/rds/nowhere', readOn: '2026-11-01', usedBytes: 1e21 }] },
    });
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json().rejected).toEqual([
      { line: 1, reason: expect.stringMatching(/^usedBytes "1000000000000000000000" is too large: at most /) },
    ]);
    const document = (await t.app.inject('/api/openapi.json')).json();
    const reading =
      document.paths['/api/usage-readings'].post.requestBody.content['application/json'].schema.properties.readings
        .items;
    const [number] = (reading.properties.usedBytes.anyOf as Schema[]).filter((option) => option.type !== 'string');
    expect(number).toMatchObject({ minimum: 0, maximum: SAFE });
  });
});
