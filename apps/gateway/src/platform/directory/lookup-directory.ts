import * as z from 'zod';
import { DIRECTORY_BATCH_SIZE, type Directory, type DirectoryEntry, DirectoryError } from './directory.ts';

export interface LookupSettings {
  /** The API's base, e.g. https://www.lookup.cam.ac.uk/api/v1 */
  url: string;
  /** A Lookup group's credentials (HTTP basic): needed to read cancelled people and email addresses. */
  username?: string;
  password?: string;
  timeoutMs?: number;
  batchSize?: number;
}

// The subset of Lookup's JSON the sync reads, parsed at the edge: anything else is a bad answer.
const lookupPerson = z.object({
  cancelled: z.boolean().optional(),
  identifier: z.object({ scheme: z.string(), value: z.string().min(1) }),
  displayName: z.string().optional(),
  visibleName: z.string().optional(),
  attributes: z.array(z.object({ scheme: z.string(), value: z.string().optional() })).optional(),
  institutions: z.array(z.object({ instid: z.string(), cancelled: z.boolean().optional() })).optional(),
});
const allPeopleAnswer = z.object({ result: z.object({ people: z.array(lookupPerson).default([]) }) });
// One person: Lookup answers an unknown identifier with no person in the result.
const personAnswer = z.object({ result: z.object({ person: lookupPerson.nullish() }) });

/**
 * DIRECTORY=lookup: the University's Lookup web service, `GET /person/all-people` — every person
 * in CRSid order, `limit` at a time, each page starting after the last CRSid of the one before,
 * cancelled people (those who have left) included, with their email and institutions.
 */
export function lookupDirectory(settings: LookupSettings): Directory {
  const base = settings.url.replace(/\/$/, '');
  const batchSize = settings.batchSize ?? DIRECTORY_BATCH_SIZE;
  const headers: Record<string, string> = { accept: 'application/json' };
  if (settings.username)
    headers.authorization = `Basic ${Buffer.from(`${settings.username}:${settings.password ?? ''}`).toString('base64')}`;

  /** Lookup's answer at `path`, read with `schema`; undefined for a 404 (nobody with that identifier). */
  async function get<T>(
    path: string,
    query: URLSearchParams,
    schema: z.ZodType<T>,
    timeoutMs: number,
  ): Promise<T | undefined> {
    let response: Response;
    try {
      response = await fetch(`${base}${path}?${query}`, { headers, signal: AbortSignal.timeout(timeoutMs) });
    } catch (error) {
      throw new DirectoryError(`Lookup did not answer (${base})`, { cause: error });
    }
    if (response.status === 404) {
      await response.body?.cancel();
      return undefined;
    }
    if (!response.ok) throw new DirectoryError(`Lookup answered ${response.status} for ${base}${path}`);
    const parsed = schema.safeParse(await response.json().catch(() => undefined));
    if (!parsed.success) throw new DirectoryError(`Lookup's answer was not understood: ${parsed.error.message}`);
    return parsed.data;
  }

  async function page(after: string | null): Promise<z.infer<typeof lookupPerson>[]> {
    const query = new URLSearchParams({
      includeCancelled: 'true',
      limit: String(batchSize),
      fetch: 'email,all_insts',
    });
    if (after) query.set('identifier', after);
    const answer = await get('/person/all-people', query, allPeopleAnswer, settings.timeoutMs ?? 30_000);
    if (!answer) throw new DirectoryError(`Lookup answered 404 for ${base}/person/all-people`);
    return answer.result.people;
  }

  return {
    description: `lookup:${base}`,
    // A page waits for this one: a few seconds at most, then the person is asked to try again.
    async findPerson(crsid) {
      const path = `/person/crsid/${encodeURIComponent(crsid)}`;
      const query = new URLSearchParams({ fetch: 'email,all_insts' });
      const answer = await get(path, query, personAnswer, Math.min(settings.timeoutMs ?? 5_000, 5_000));
      const person = answer?.result.person;
      return person && person.identifier.scheme === 'crsid' ? toEntry(person) : undefined;
    },
    async *listPeople(): AsyncIterable<DirectoryEntry[]> {
      let after: string | null = null;
      for (;;) {
        const people = await page(after);
        const entries = people.filter((person) => person.identifier.scheme === 'crsid').map(toEntry);
        if (entries.length > 0) yield entries;
        const last = people[people.length - 1];
        if (!last || people.length < batchSize) return;
        after = last.identifier.value;
      }
    },
  };
}

function toEntry(person: z.infer<typeof lookupPerson>): DirectoryEntry {
  const crsid = person.identifier.value.toLowerCase();
  const email = person.attributes?.find((attribute) => attribute.scheme === 'email' && attribute.value)?.value;
  const institution = person.institutions?.find((inst) => !inst.cancelled);
  return {
    crsid,
    displayName: person.visibleName || person.displayName || crsid,
    email: email ?? `${crsid}@cam.ac.uk`,
    institutionId: institution?.instid ?? null,
    status: person.cancelled ? 'left' : 'current',
  };
}
