import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runDirectorySync } from '../../src/modules/people/directory-sync.service.ts';
import { siteLinks } from '../../src/platform/config.ts';
import { type DirectoryEntry, DirectoryError, lookupDirectory } from '../../src/platform/directory/index.ts';
import { createAccessToken } from '../../src/platform/identity/access-tokens.ts';
import { insertStorage, personIdOf } from '../support/storage-fixtures.ts';
import { startTestApp, type TestApp } from '../support/test-app.ts';

/**
 * The University Lookup API adapter against an in-process HTTP server speaking the subset of
 * Lookup it uses: GET /api/v1/person/all-people with basic auth, `includeCancelled`, `limit`,
 * `identifier` (start after this CRSid), `fetch=email,all_insts`, answering
 * {"result": {"people": [...]}} in CRSid order.
 */
interface FakePerson {
  crsid: string;
  visibleName: string;
  cancelled: boolean;
  email?: string;
  insts: Array<{ instid: string; cancelled?: boolean }>;
}

/** A person as Lookup's JSON gives them, with what `fetch` asks for. */
function asLookup(p: FakePerson, fetch: string[]) {
  return {
    cancelled: p.cancelled,
    identifier: { scheme: 'crsid', value: p.crsid },
    displayName: p.visibleName,
    registeredName: p.visibleName.toUpperCase(),
    surname: p.visibleName.split(' ').at(-1),
    visibleName: p.visibleName,
    misAffiliation: 'staff',
    ...(fetch.includes('email')
      ? { attributes: p.email ? [{ attrid: 1, scheme: 'email', value: p.email, visibility: 'university' }] : [] }
      : {}),
    ...(fetch.includes('all_insts')
      ? {
          institutions: p.insts.map((i) => ({ cancelled: i.cancelled ?? false, instid: i.instid, name: i.instid })),
        }
      : {}),
  };
}

const USER = 'storage-gateway';
const PASSWORD = 'correct horse battery staple';

function fakeLookup(people: FakePerson[]) {
  const requests: URL[] = [];
  let failWith: number | undefined;
  const server: Server = createServer((req: IncomingMessage, res) => {
    const url = new URL(req.url ?? '/', 'http://lookup.test');
    requests.push(url);
    const expected = `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}`;
    if (req.headers.authorization !== expected) {
      res.writeHead(401, { 'www-authenticate': 'Basic realm="Lookup"' }).end();
      return;
    }
    if (failWith) {
      res.writeHead(failWith).end('{"error":"down"}');
      return;
    }
    const fetch = (url.searchParams.get('fetch') ?? '').split(',');
    const answer = (result: object) =>
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ result: { version: '1.2', ...result } }));
    // One person: GET /person/crsid/<crsid>; an unknown one comes back with no person.
    const one = /^\/api\/v1\/person\/crsid\/([^/]+)$/.exec(url.pathname);
    if (one && req.headers.accept === 'application/json') {
      const person = people.find((p) => p.crsid === decodeURIComponent(one[1] ?? ''));
      answer(person ? { person: asLookup(person, fetch) } : {});
      return;
    }
    if (url.pathname !== '/api/v1/person/all-people' || req.headers.accept !== 'application/json') {
      res.writeHead(404).end();
      return;
    }
    const after = url.searchParams.get('identifier') ?? '';
    const limit = Number(url.searchParams.get('limit') ?? 100);
    const withCancelled = url.searchParams.get('includeCancelled') === 'true';
    const page = people
      .filter((p) => p.crsid > after && (withCancelled || !p.cancelled))
      .sort((a, b) => a.crsid.localeCompare(b.crsid))
      .slice(0, limit)
      .map((p) => asLookup(p, fetch));
    answer({ people: page });
  });
  return {
    requests,
    fail: (status: number | undefined) => {
      failWith = status;
    },
    start: () =>
      new Promise<string>((resolve) =>
        server.listen(0, '127.0.0.1', () =>
          resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1`),
        ),
      ),
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

const PEOPLE: FakePerson[] = [
  {
    crsid: 'ar101',
    visibleName: 'Alice Researcher',
    cancelled: false,
    email: 'alice@phy.cam.ac.uk',
    insts: [{ instid: 'PHYS' }],
  },
  { crsid: 'bm202', visibleName: 'Ben Manager', cancelled: false, insts: [] },
  {
    crsid: 'da303',
    visibleName: 'Dana Administrator',
    cancelled: false,
    email: 'da303@cam.ac.uk',
    insts: [{ instid: 'OLD', cancelled: true }, { instid: 'GEN' }],
  },
  { crsid: 'gl909', visibleName: 'Gina Leaver', cancelled: true, insts: [{ instid: 'PHYS' }] },
  { crsid: 'zz999', visibleName: 'Zoe Zed', cancelled: false, insts: [] },
];

describe('Lookup directory adapter', () => {
  const lookup = fakeLookup(PEOPLE);
  let url: string;
  beforeAll(async () => {
    url = await lookup.start();
  });
  afterAll(async () => {
    await lookup.stop();
  });
  beforeEach(() => {
    lookup.requests.length = 0;
    lookup.fail(undefined);
  });

  async function all(batchSize: number, credentials = { username: USER, password: PASSWORD }) {
    const batches: DirectoryEntry[][] = [];
    for await (const batch of lookupDirectory({ url, ...credentials, batchSize }).listPeople()) batches.push(batch);
    return batches;
  }

  it('reads everyone, cancelled people as left, a page at a time after the last CRSid', async () => {
    const batches = await all(2);
    expect(batches.map((batch) => batch.map((p) => p.crsid))).toEqual([
      ['ar101', 'bm202'],
      ['da303', 'gl909'],
      ['zz999'],
    ]);
    expect(batches.flat()).toEqual([
      {
        crsid: 'ar101',
        displayName: 'Alice Researcher',
        email: 'alice@phy.cam.ac.uk',
        institutionId: 'PHYS',
        status: 'current',
      },
      { crsid: 'bm202', displayName: 'Ben Manager', email: 'bm202@cam.ac.uk', institutionId: null, status: 'current' },
      {
        crsid: 'da303',
        displayName: 'Dana Administrator',
        email: 'da303@cam.ac.uk',
        institutionId: 'GEN',
        status: 'current',
      },
      { crsid: 'gl909', displayName: 'Gina Leaver', email: 'gl909@cam.ac.uk', institutionId: 'PHYS', status: 'left' },
      { crsid: 'zz999', displayName: 'Zoe Zed', email: 'zz999@cam.ac.uk', institutionId: null, status: 'current' },
    ]);
    expect(lookup.requests.map((r) => r.searchParams.get('identifier'))).toEqual([null, 'bm202', 'gl909']);
    for (const request of lookup.requests) {
      expect(request.searchParams.get('includeCancelled')).toBe('true');
      expect(request.searchParams.get('limit')).toBe('2');
      expect(request.searchParams.get('fetch')).toBe('email,all_insts');
    }
  });

  it('asks once more after a full last page, and stops at an empty one', async () => {
    const batches = await all(5);
    expect(batches.map((batch) => batch.length)).toEqual([5]);
    expect(lookup.requests.map((r) => r.searchParams.get('identifier'))).toEqual([null, 'zz999']);
  });

  it('refused, down or answering nonsense: a DirectoryError', async () => {
    await expect(all(2, { username: USER, password: 'wrong' })).rejects.toThrow(
      new DirectoryError(`Lookup answered 401 for ${url}/person/all-people`),
    );
    lookup.fail(503);
    await expect(all(2)).rejects.toBeInstanceOf(DirectoryError);
    await lookup.stop();
    await expect(all(2)).rejects.toThrow(`Lookup did not answer (${url})`);
    url = await lookup.start();
  });

  it('finds one person by CRSid, with their email and department; nobody for an unknown CRSid', async () => {
    const directory = lookupDirectory({ url, username: USER, password: PASSWORD });
    expect(await directory.findPerson('da303')).toEqual({
      crsid: 'da303',
      displayName: 'Dana Administrator',
      email: 'da303@cam.ac.uk',
      institutionId: 'GEN',
      status: 'current',
    });
    expect(await directory.findPerson('gl909')).toMatchObject({ crsid: 'gl909', status: 'left' });
    expect(await directory.findPerson('nn000')).toBeUndefined();
    expect(lookup.requests.map((r) => `${r.pathname}?${r.searchParams}`)).toEqual([
      '/api/v1/person/crsid/da303?fetch=email%2Call_insts',
      '/api/v1/person/crsid/gl909?fetch=email%2Call_insts',
      '/api/v1/person/crsid/nn000?fetch=email%2Call_insts',
    ]);
    lookup.fail(503);
    await expect(directory.findPerson('da303')).rejects.toThrow(
      new DirectoryError(`Lookup answered 503 for ${url}/person/crsid/da303`),
    );
  });

  describe('a place given to someone only Lookup knows', () => {
    let t: TestApp;
    let token: string;
    let licenceId: number;
    beforeEach(async () => {
      const env = { DIRECTORY: 'lookup', LOOKUP_URL: url, LOOKUP_USERNAME: USER, LOOKUP_PASSWORD: PASSWORD };
      t = await startTestApp({ env });
      const db = t.database.db;
      token = (
        await createAccessToken(
          db,
          t.clock,
          { id: await personIdOf(db, 'ar101'), crsid: 'ar101' },
          { name: 'tests', lifetime: 30 },
        )
      ).token;
      licenceId = (
        await insertStorage(db, {
          name: 'Lookup licence',
          owner: 'ar101',
          sizeTb: 5,
          status: 'active',
          startDate: '2026-01-01',
          endDate: '2027-01-01',
          order: null,
        })
      ).licenceId;
    });
    afterEach(async () => {
      await t.close();
    });
    const addManager = (crsid: string) =>
      t.app.inject({
        method: 'POST',
        url: `/api/licences/${licenceId}/managers`,
        headers: { authorization: `Bearer ${token}` },
        payload: { crsid },
      });

    it('is found in Lookup and added; with Lookup down, the CRSid is refused for now and nothing written', async () => {
      lookup.fail(503);
      const down = await addManager('zz999');
      expect(down.statusCode).toBe(422);
      expect(down.json().error.fields.crsid).toBe(
        'The University directory could not be asked about zz999 just now. Try again in a few minutes.',
      );
      expect(
        await t.database.db
          .selectFrom('licence_managers')
          .select('person_id')
          .where('licence_id', '=', licenceId)
          .execute(),
      ).toEqual([]);
      // Pricing new storage for them refuses the Data Owner's field the same way.
      const priced = await t.app.inject({
        method: 'POST',
        url: '/api/prices',
        headers: { authorization: `Bearer ${token}` },
        payload: {
          product: 'RDS',
          sizeTb: 5,
          termYears: 1,
          institutionId: 'PHYS',
          licenceName: 'New',
          ownerCrsid: 'zz999',
          projectName: 'data',
        },
      });
      expect(priced.statusCode).toBe(422);
      expect(priced.json().error.fields.ownerCrsid).toBe(
        'The University directory could not be asked about zz999 just now. Try again in a few minutes.',
      );
      lookup.fail(undefined);
      const added = await addManager('zz999');
      expect(added.statusCode).toBe(201);
      expect(
        await t.database.db
          .selectFrom('people')
          .select(['display_name', 'email'])
          .where('crsid', '=', 'zz999')
          .execute(),
      ).toEqual([{ display_name: 'Zoe Zed', email: 'zz999@cam.ac.uk' }]);
      // Known now: asking again does not go to Lookup.
      const asked = lookup.requests.length;
      expect((await addManager('zz999')).statusCode).toBe(422);
      expect(lookup.requests).toHaveLength(asked);
    });
  });

  describe('the sync on Lookup', () => {
    let t: TestApp;
    beforeEach(async () => {
      t = await startTestApp();
      await t.database.db
        .insertInto('people')
        .values({ crsid: 'gl909', display_name: 'Gina Leaver', email: 'gl909@cam.ac.uk', institution_id: 'PHYS' })
        .execute();
    });
    afterEach(async () => {
      await t.close();
    });

    it('brings the gateway people in line with Lookup, and a second run changes nothing', async () => {
      const directory = lookupDirectory({ url, username: USER, password: PASSWORD, batchSize: 2 });
      const site = siteLinks(t.config);
      const first = await runDirectorySync(t.database.db, t.jobs.queue, directory, '2026-11-27', site);
      // Alice's address, Ben's (the cam.ac.uk default, unchanged), Dana's department; Gina has left
      expect(first).toMatchObject({ seen: 5, changed: 3, left: 1, returned: 0 });
      const people = await t.database.db
        .selectFrom('people')
        .select(['crsid', 'email', 'institution_id', 'status'])
        .where('crsid', 'in', ['ar101', 'da303', 'gl909'])
        .orderBy('crsid')
        .execute();
      expect(people).toEqual([
        { crsid: 'ar101', email: 'alice@phy.cam.ac.uk', institution_id: 'PHYS', status: 'current' },
        { crsid: 'da303', email: 'da303@cam.ac.uk', institution_id: 'GEN', status: 'current' },
        { crsid: 'gl909', email: 'gl909@cam.ac.uk', institution_id: 'PHYS', status: 'left' },
      ]);
      expect(await runDirectorySync(t.database.db, t.jobs.queue, directory, '2026-11-28', site)).toMatchObject({
        seen: 5,
        changed: 0,
        left: 0,
      });
    });
  });
});
