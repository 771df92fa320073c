import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  costCentreAnswerSchema,
  glAnswerSchema,
  grantAnswerSchema,
  malformedSchema,
  notFoundSchema,
  projectTasksSchema,
} from '../src/modules/codes/api.schemas.ts';
import { CsvFolderConnector } from '../src/modules/import/csv-folder.connector.ts';
import { importReferenceData } from '../src/modules/import/importer.ts';
import { SAMPLE_DATA_DIR } from '../src/sample-data.ts';
import { type CufsTestApp, startCufsTestApp } from './support/cufs-test-app.ts';
import { openCufsTestDatabase } from './support/cufs-test-database.ts';

describe('the CUFS /v1 API on the sample reference data', () => {
  let t: CufsTestApp;
  beforeAll(async () => {
    t = await startCufsTestApp();
  });
  afterAll(() => t.close());

  const get = (url: string) => t.app.inject({ method: 'GET', url, headers: t.auth });
  const gl = async (code: string, on?: string) => {
    const query = new URLSearchParams({ code, ...(on ? { on } : {}) });
    const response = await get(`/v1/gl-codes/validate?${query}`);
    return { status: response.statusCode, body: response.json() };
  };
  const grant = async (award: string, project: string, task: string, on?: string) => {
    const query = new URLSearchParams({ award, project, task, ...(on ? { on } : {}) });
    const response = await get(`/v1/grants/validate?${query}`);
    return { status: response.statusCode, body: response.json() };
  };

  describe('GL codes', () => {
    it('answers valid with the names, the department and the validity window', async () => {
      const { status, body } = await gl('PHAA.GAAA');
      expect(status).toBe(200);
      expect(glAnswerSchema.parse(body)).toEqual({
        result: 'valid',
        glCode: 'PHAA.GAAA',
        asOf: '2026-11-27',
        costCentre: {
          code: 'PHAA',
          name: 'Physics: general',
          department: { code: 'PH', name: 'Department of Physics' },
        },
        sourceOfFunds: { code: 'GAAA', name: 'External trading', kind: 'G' },
        transactionCode: null,
        validFrom: '2000-08-01',
        validTo: null,
      });
    });

    it('accepts lower case, other separators and a transaction code, and answers with the canonical code', async () => {
      const { body } = await gl(' enaa-gaab-laaa ');
      expect(body).toMatchObject({ result: 'valid', glCode: 'ENAA.GAAB.LAAA', transactionCode: 'LAAA' });
    });

    it('gives the narrower window when the cost centre and the source of funds have different dates', async () => {
      const { body } = await gl('ENAB.GAAB');
      expect(body).toMatchObject({ result: 'valid', validFrom: '2019-08-01', validTo: '2027-07-31' });
    });

    it.each([
      ['ZZAA.GAAA', undefined, 'cost-centre-unknown'],
      ['PHZX.GAAA', undefined, 'cost-centre-closed'],
      ['PHAA.XAAA', undefined, 'source-of-funds-unknown'],
      ['PHAA.GAAZ', undefined, 'source-of-funds-disabled'],
      ['CHAB.GAAA', undefined, 'not-yet-valid'],
      ['PHAA.GAAC', undefined, 'no-longer-valid'],
      ['ENAB.GAAB', '2027-08-01', 'no-longer-valid'],
      ['PHAA.GAAA', '1999-12-31', 'not-yet-valid'],
    ])('answers %s (on %s) invalid: %s', async (code, on, reason) => {
      const { status, body } = await gl(code, on);
      expect(status).toBe(200);
      const answer = glAnswerSchema.parse(body);
      expect(answer).toMatchObject({ result: 'invalid', reason });
      expect(answer.result === 'invalid' && answer.message).toMatch(/\w/);
    });

    it('judges as of a given day: a code valid on its last day is invalid the day after', async () => {
      expect((await gl('PHAA.GAAC', '2025-07-31')).body.result).toBe('valid');
      expect((await gl('PHAA.GAAC', '2025-08-01')).body.reason).toBe('no-longer-valid');
    });

    it.each([
      ['', /Enter a GL code/],
      ['PHAA', /4-character cost centre/],
      ['PHAA.GAAA.LAAA.XXXX', /4-character cost centre/],
      ['PH*A.GAAA', /only letters and digits/],
      ['12AA.GAAA', /cost centre 12AA must start with 2 letters/],
      ['PHAA.1AAA', /source of funds 1AAA must start with a letter/],
    ])('answers %j malformed (400) with what is wrong', async (code, message) => {
      const { status, body } = await gl(code);
      expect(status).toBe(400);
      expect(malformedSchema.parse(body).problems[0]?.message).toMatch(message);
    });

    it('refuses a date that is not a real day, and a repeated parameter', async () => {
      const { status, body } = await gl('PHAA.GAAA', '2026-02-30');
      expect(status).toBe(400);
      expect(body.problems).toEqual([{ field: 'on', message: expect.stringMatching(/real date/) }]);
      const repeated = await get('/v1/gl-codes/validate?code=PHAA.GAAA&code=PHAB.GAAA');
      expect(repeated.statusCode).toBe(400);
      expect(malformedSchema.parse(repeated.json()).problems[0]?.field).toBe('query');
    });

    it('refuses a parameter it does not take, naming it: a misspelt `on` must not be read as today', async () => {
      for (const url of [
        '/v1/gl-codes/validate?code=ENAB.GAAB&date=2027-08-01',
        '/v1/gl-codes/validate?code=ENAB.GAAB&On=2027-08-01',
        '/v1/grants/validate?award=RG94772&project=PHAG0042&task=1.1&asOf=2027-08-01',
        '/v1/cost-centres/PHAA?day=2027-08-01',
      ]) {
        const refused = await get(url);
        expect(refused.statusCode, url).toBe(400);
        const [problem] = malformedSchema.parse(refused.json()).problems;
        const name = /[?&]([A-Za-z]+)=2027/.exec(url)?.[1];
        expect(problem, url).toEqual({
          field: name,
          message: expect.stringMatching(new RegExp(`^There is no parameter ${name}:`)),
        });
      }
    });
  });

  describe('grants', () => {
    it('answers valid with the award, project and task names and the project dates as the window', async () => {
      const { status, body } = await grant('rg94772', 'phag0042', '1.1');
      expect(status).toBe(200);
      expect(grantAnswerSchema.parse(body)).toEqual({
        result: 'valid',
        grant: { award: 'RG94772', project: 'PHAG0042', task: '1.1' },
        asOf: '2026-11-27',
        award: { number: 'RG94772', title: 'Quantum materials at scale', sponsor: 'UKRI EPSRC' },
        project: {
          number: 'PHAG0042',
          title: 'Quantum materials: data and computing',
          startDate: '2024-10-01',
          endDate: '2028-09-30',
        },
        task: { number: '1.1', name: 'Research computing and storage' },
        validFrom: '2024-10-01',
        validTo: '2028-09-30',
      });
    });

    it.each([
      ['RG11111', 'PHAG0042', '1', undefined, 'award-unknown'],
      ['RG80001', 'CHAG0003', '1', undefined, 'award-closed'],
      ['RG94772', 'XXXX0001', '1', undefined, 'project-unknown'],
      ['G100234', 'PHAG0042', '1', undefined, 'project-not-on-award'],
      ['G100234', 'GEAG0017', '1', undefined, 'project-ended'],
      ['RG94772', 'ENAG0009', '1', undefined, 'project-not-started'],
      ['RG94772', 'PHAG0042', '3', undefined, 'task-unknown'],
      ['RG94772', 'PHAG0042', '10', undefined, 'task-closed'],
      ['RG94772', 'PHAG0042', '1', '2028-10-01', 'project-ended'],
    ])('answers %s / %s / %s (on %s) invalid: %s', async (award, project, task, on, reason) => {
      const { status, body } = await grant(award, project, task, on);
      expect(status).toBe(200);
      expect(grantAnswerSchema.parse(body)).toMatchObject({ result: 'invalid', reason });
    });

    it('charges a grant on the first and the last day of its project, not the day before or after', async () => {
      expect((await grant('G100234', 'GEAG0017', '2', '2021-01-01')).body.result).toBe('valid');
      expect((await grant('G100234', 'GEAG0017', '2', '2024-12-31')).body.result).toBe('valid');
      expect((await grant('G100234', 'GEAG0017', '2', '2020-12-31')).body.reason).toBe('project-not-started');
      expect((await grant('G100234', 'GEAG0017', '2', '2025-01-01')).body.reason).toBe('project-ended');
    });

    it('answers malformed (400) naming each field that fails the format', async () => {
      const { status, body } = await grant('XY123', 'P-1', '1.a');
      expect(status).toBe(400);
      expect(malformedSchema.parse(body).problems.map((p) => p.field)).toEqual(['award', 'project', 'task']);
      const missing = await get('/v1/grants/validate?award=RG94772');
      expect(missing.statusCode).toBe(400);
      expect(missing.json().problems.map((p: { field: string }) => p.field)).toEqual(['project', 'task']);
    });
  });

  describe('cost centres and project tasks', () => {
    it('looks up an open cost centre with its department and dates', async () => {
      const response = await get('/v1/cost-centres/chaa');
      expect(response.statusCode).toBe(200);
      expect(costCentreAnswerSchema.parse(response.json())).toEqual({
        result: 'valid',
        asOf: '2026-11-27',
        costCentre: {
          code: 'CHAA',
          name: 'Chemistry: general',
          department: { code: 'CH', name: 'Yusuf Hamied Department of Chemistry' },
          status: 'open',
          validFrom: '2000-08-01',
          validTo: null,
        },
      });
    });

    it('answers a closed cost centre invalid with its details, an unknown one 404, a malformed one 400', async () => {
      const closed = costCentreAnswerSchema.parse((await get('/v1/cost-centres/PHZX')).json());
      expect(closed).toMatchObject({
        result: 'invalid',
        reason: 'cost-centre-closed',
        costCentre: { status: 'closed' },
      });
      const unknown = await get('/v1/cost-centres/ZZZZ');
      expect(unknown.statusCode).toBe(404);
      expect(costCentreAnswerSchema.parse(unknown.json())).toMatchObject({ reason: 'cost-centre-unknown' });
      const bad = await get('/v1/cost-centres/PHAAA');
      expect(bad.statusCode).toBe(400);
      expect(malformedSchema.parse(bad.json()).result).toBe('malformed');
      // however long: the router's 414 for a long path parameter is not the README's answer
      const long = await get(`/v1/cost-centres/${'A'.repeat(150)}`);
      expect(long.statusCode).toBe(400);
      expect(malformedSchema.parse(long.json()).result).toBe('malformed');
      // an answer for one caller, kept by nobody on the way, read as JSON only
      expect(unknown.headers).toMatchObject({ 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' });
    });

    // CHAB (opens 2027-08-01) used to be answered valid today, and ENAB valid after its last day.
    it('judges a cost centre by its dates as of a day, like the GL check does', async () => {
      const answer = async (url: string) => costCentreAnswerSchema.parse((await get(url)).json());
      expect(await answer('/v1/cost-centres/CHAB')).toMatchObject({
        result: 'invalid',
        asOf: '2026-11-27',
        reason: 'not-yet-valid',
        message: 'Cost centre CHAB cannot be charged before 1 August 2027.',
        costCentre: { code: 'CHAB', status: 'open', validFrom: '2027-08-01' },
      });
      expect(await answer('/v1/cost-centres/CHAB?on=2027-08-01')).toMatchObject({ result: 'valid' });
      expect(await answer('/v1/cost-centres/ENAB?on=2027-07-31')).toMatchObject({ result: 'valid' });
      expect(await answer('/v1/cost-centres/ENAB?on=2027-08-01')).toMatchObject({
        result: 'invalid',
        reason: 'no-longer-valid',
        message: 'Cost centre ENAB could be charged only until 31 July 2027.',
      });
      const bad = await get('/v1/cost-centres/ENAB?on=2027-02-29');
      expect(bad.statusCode).toBe(400);
      expect(malformedSchema.parse(bad.json()).problems).toEqual([{ field: 'on', message: expect.any(String) }]);
    });

    it('lists the tasks of a project in task order (1, 1.1, 2, 10) with their status', async () => {
      const response = await get('/v1/projects/PHAG0042/tasks');
      expect(response.statusCode).toBe(200);
      const answer = projectTasksSchema.parse(response.json());
      expect(answer.project).toMatchObject({ awardNumber: 'RG94772', startDate: '2024-10-01', status: 'active' });
      expect(answer.tasks.map((task) => [task.number, task.status])).toEqual([
        ['1', 'open'],
        ['1.1', 'open'],
        ['2', 'open'],
        ['10', 'closed'],
      ]);
      const unknown = await get('/v1/projects/NOPE0001/tasks');
      expect(unknown.statusCode).toBe(404);
      expect(notFoundSchema.parse(unknown.json()).reason).toBe('project-unknown');
      expect((await get('/v1/projects/x/tasks')).statusCode).toBe(400);
    });
  });

  describe('the API description and the operations endpoints', () => {
    it('publishes an OpenAPI 3.1 document, without a token, describing every /v1 route', async () => {
      const response = await t.app.inject('/openapi.json');
      expect(response.statusCode).toBe(200);
      const document = response.json();
      expect(document.openapi).toBe('3.1.0');
      expect(Object.keys(document.paths).sort()).toEqual([
        '/v1/cost-centres/{code}',
        '/v1/gl-codes/validate',
        '/v1/grants/validate',
        '/v1/projects/{project}/tasks',
      ]);
      const refs = JSON.stringify(document).match(/#\/components\/schemas\/\w+/g) ?? [];
      for (const ref of refs) expect(document.components.schemas, ref).toHaveProperty(ref.split('/').at(-1) as string);
      const glParameters = document.paths['/v1/gl-codes/validate'].get.parameters;
      expect(glParameters).toContainEqual(expect.objectContaining({ name: 'code', in: 'query', required: true }));
      expect(glParameters).toContainEqual(expect.objectContaining({ name: 'on', in: 'query', required: false }));
      expect(document.paths['/v1/cost-centres/{code}'].get.parameters).toContainEqual(
        expect.objectContaining({ name: 'on', in: 'query', required: false }),
      );
    });

    it('answers /healthz and /readyz without a token, ready once reference data is loaded', async () => {
      expect((await t.app.inject('/healthz')).json()).toEqual({ status: 'ok' });
      const ready = await t.app.inject('/readyz');
      expect(ready.statusCode).toBe(200);
      expect(ready.json()).toMatchObject({ status: 'ready' });
    });

    // Fastify answered these itself, before any hook: its own body shape and no request id.
    it('answers a URL with a broken %-escape 400 with the JSON error and the request id', async () => {
      const response = await t.app.inject({
        url: '/v1/cost-centres/%E0',
        headers: { ...t.auth, 'x-request-id': 'req-badurl-1' },
      });
      expect(response.statusCode).toBe(400);
      expect(response.headers['x-request-id']).toBe('req-badurl-1');
      expect(response.json()).toEqual({
        error: { status: 400, message: 'The request could not be understood', requestId: 'req-badurl-1' },
      });
    });

    it('refuses /v1 without a valid bearer token, and echoes a request id', async () => {
      const none = await t.app.inject('/v1/cost-centres/PHAA');
      expect(none.statusCode).toBe(401);
      expect(none.headers['www-authenticate']).toBe('Bearer');
      expect(none.json().error.message).toMatch(/bearer token/);
      const wrong = await t.app.inject({
        url: '/v1/cost-centres/PHAA',
        headers: { authorization: 'Bearer cufs-test-token-0123456789abcdeX', 'x-request-id': 'req-12345678' },
      });
      expect(wrong.statusCode).toBe(401);
      expect(wrong.headers['x-request-id']).toBe('req-12345678');
      expect(wrong.json().error.requestId).toBe('req-12345678');
    });
  });
});

describe('the CUFS /v1 API before any reference data is imported', () => {
  let t: CufsTestApp;
  beforeAll(async () => {
    t = await startCufsTestApp({ database: await openCufsTestDatabase({ empty: true }) });
  });
  afterAll(async () => {
    await t.close();
    await t.database.close();
  });

  // Without data every code would be "unknown": a gateway re-checking its licences' codes would
  // flag them all as closed. Unavailable is the truth, and the gateway retries later.
  it('answers 503 to every question, not "invalid", until an import has run; then answers', async () => {
    for (const url of [
      '/v1/gl-codes/validate?code=PHAA.GAAA',
      '/v1/grants/validate?award=RG94772&project=PHAG0042&task=1.1',
      '/v1/cost-centres/PHAA',
      '/v1/projects/PHAG0042/tasks',
      '/v%31/cost-centres/PHAA',
    ]) {
      const response = await t.app.inject({ method: 'GET', url, headers: t.auth });
      expect(response.statusCode, url).toBe(503);
      expect(response.headers['retry-after'], url).toBe('60');
      expect(response.json().error).toMatchObject({
        status: 503,
        message: 'No reference data has been imported yet: no finance code can be checked',
      });
    }
    // the caller's credentials are still checked first
    expect((await t.app.inject({ method: 'GET', url: '/v1/cost-centres/PHAA' })).statusCode).toBe(401);

    const imported = await importReferenceData(t.database.db, new CsvFolderConnector(SAMPLE_DATA_DIR));
    expect(imported.ok).toBe(true);
    const answer = await t.app.inject({ method: 'GET', url: '/v1/gl-codes/validate?code=PHAA.GAAA', headers: t.auth });
    expect(answer.statusCode).toBe(200);
    expect(answer.json()).toMatchObject({ result: 'valid' });
  });
});
