import { sql } from 'kysely';
import type { Executor } from '../../platform/db/database.ts';
import { type Directory, DirectoryError } from '../../platform/directory/index.ts';
import { CRSID } from './crsid.ts';

/** What a CRSid the directory could not be asked about is refused with. */
export function directoryUnreachableMessage(crsid: string): string {
  return `The University directory could not be asked about ${crsid} just now. Try again in a few minutes.`;
}

/** A person as messages name them: "Ben Manager (bm202)". */
export function nameAndCrsid(person: { displayName: string; crsid: string }): string {
  return `${person.displayName} (${person.crsid})`;
}

/** What a CRSid of someone who has left the University is refused with. */
export function leftUniversityMessage(displayName: string, crsid: string): string {
  return `${nameAndCrsid({ displayName, crsid })} has left the University`;
}

/** What the directory said of CRSids the gateway did not know: not asked (it did not answer), or left. */
export interface DirectoryLookup {
  /** The CRSids the directory could not be asked about: refuse them with directoryUnreachableMessage. */
  unreachable: ReadonlySet<string>;
  /** People the directory knows but who have left (CRSid → name): refuse them with leftUniversityMessage. */
  left: ReadonlyMap<string, string>;
}

/**
 * Makes sure the gateway knows the people of `crsids` whom the University directory knows, before
 * a caller gives them a place (Data Owner, Data Manager, project member): the gateway's own table
 * holds only people who have signed in or been given a place (the nightly directory sync keeps
 * them in line, and adds nobody), so someone who has not signed in yet is looked up in the
 * directory here and, if a current member of the University, added for the caller's own checks to
 * find. CRSids already known, or not shaped like one (the caller says what is wrong with them),
 * are not looked up; nobody who has left is added. Answers the CRSids the directory could not be
 * asked about (it did not answer), which the caller refuses with directoryUnreachableMessage, on
 * the field, so a form keeps what was typed, and those of people it says have left (so the caller
 * does not say it knows nobody by that CRSid). Outside any transaction of the caller's, since the
 * directory may take seconds to answer.
 */
export async function addPeopleFromDirectory(
  db: Executor,
  directory: Directory,
  crsidTexts: readonly string[],
): Promise<DirectoryLookup> {
  const crsids = [...new Set(crsidTexts.map((text) => text.trim().toLowerCase()))].filter((crsid) => CRSID.test(crsid));
  const unreachable = new Set<string>();
  const left = new Map<string, string>();
  const lookup = { unreachable, left };
  if (crsids.length === 0) return lookup;
  const known = new Set(
    (await db.selectFrom('people').select('crsid').where('crsid', 'in', crsids).execute()).map((row) => row.crsid),
  );
  const unknown = crsids.filter((crsid) => !known.has(crsid));
  if (unknown.length === 0) return lookup;
  const entries = await Promise.all(
    unknown.map(async (crsid) => {
      try {
        return await directory.findPerson(crsid);
      } catch (error) {
        if (!(error instanceof DirectoryError)) throw error;
        unreachable.add(crsid);
        return undefined;
      }
    }),
  );
  const found = unknown.flatMap((crsid, i) => {
    const entry = entries[i];
    if (entry?.status === 'left') left.set(crsid, entry.displayName);
    return entry?.status === 'current' ? [{ ...entry, crsid }] : [];
  });
  if (found.length === 0) return lookup;
  // A department we do not know is left empty, as the directory sync leaves it.
  await sql`
    INSERT INTO people (crsid, display_name, email, institution_id)
    SELECT d.crsid, d.display_name, d.email, i.id
    FROM jsonb_to_recordset(${JSON.stringify(
      found.map((entry) => ({
        crsid: entry.crsid,
        display_name: entry.displayName,
        email: entry.email,
        institution_id: entry.institutionId,
      })),
    )}::jsonb) AS d(crsid text, display_name text, email text, institution_id text)
    LEFT JOIN institutions i ON i.id = d.institution_id
    ON CONFLICT (crsid) DO NOTHING`.execute(db);
  return lookup;
}
