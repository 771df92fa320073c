import { createReadStream } from 'node:fs';
import { sql } from 'kysely';
import * as z from 'zod';
import { CsvFileError, csvRecords } from '../csv.ts';
import type { Executor } from '../db/database.ts';
import { DIRECTORY_BATCH_SIZE } from './directory.ts';

/** The columns of a directory extract, in any order, with a header row. */
export const DIRECTORY_CSV_COLUMNS = ['crsid', 'display_name', 'email', 'institution_id', 'status'] as const;

const csvRow = z.object({
  crsid: z
    .string()
    .trim()
    .toLowerCase()
    .regex(/^[a-z][a-z0-9]{1,19}$/, 'the CRSid must be letters then letters or digits'),
  // Each message names its column: zod's own ("Too big: expected string to have <=200 characters") does not.
  display_name: z.string().trim().min(1, 'the name is empty').max(200, 'the name is longer than 200 characters'),
  email: z.email('the email address is not valid'),
  institution_id: z
    .string()
    .trim()
    .max(20, 'the institution_id is longer than 20 characters')
    .transform((value) => (value === '' ? null : value)),
  status: z.enum(['current', 'left'], 'the status must be current or left'),
});
type CsvRow = z.infer<typeof csvRow>;

export interface BadRow {
  line: number;
  message: string;
}

/** Rows read so far, and how many of them were bad. */
export type ImportProgress = { rows: number; bad: number };

export type ImportOutcome =
  | { ok: true; rows: number; inserted: number; updated: number; unchanged: number }
  | { ok: false; badRows: BadRow[] };

/** Thrown inside the import's transaction so that nothing of a file with bad rows is kept. */
class BadExtract extends Error {}

/**
 * Loads a directory extract (CSV) into the seeded directory table (DIRECTORY=seeded): each
 * person added or brought up to date by CRSid, a batch per statement, streaming (the file is
 * never held in memory; only each CRSid's line is kept). All or nothing: a file with any bad row
 * (a person listed twice included), or with no people at all (an empty or truncated extract),
 * loads nothing and reports every bad row by line. People missing from the file are kept.
 * Loading the same file again changes nothing.
 */
export async function importDirectoryCsv(
  db: Executor,
  file: string,
  onProgress: (progress: ImportProgress) => void = () => {},
): Promise<ImportOutcome> {
  const badRows: BadRow[] = [];
  try {
    return await db.transaction().execute(async (tx) => {
      const totals = { rows: 0, inserted: 0, updated: 0 };
      let batch: CsvRow[] = [];
      // Each CRSid's line: a file that lists a person twice says two things about them.
      const lineOf = new Map<string, number>();
      const flush = async () => {
        if (batch.length > 0 && badRows.length === 0) {
          const written = await upsertDirectoryPeople(tx, batch);
          totals.inserted += written.inserted;
          totals.updated += written.updated;
        }
        batch = [];
        onProgress({ rows: totals.rows, bad: badRows.length });
      };
      for await (const { line, record } of csvRecords(createReadStream(file), DIRECTORY_CSV_COLUMNS)) {
        totals.rows += 1;
        const parsed = csvRow.safeParse(record);
        const earlier = parsed.success ? lineOf.get(parsed.data.crsid) : undefined;
        if (!parsed.success)
          badRows.push({ line, message: parsed.error.issues.map((issue) => issue.message).join('; ') });
        else if (earlier !== undefined)
          badRows.push({
            line,
            message: `the CRSid ${parsed.data.crsid} is on line ${earlier} too: a person may be listed once`,
          });
        else {
          lineOf.set(parsed.data.crsid, line);
          batch.push(parsed.data);
        }
        if (batch.length >= DIRECTORY_BATCH_SIZE) await flush();
      }
      await flush();
      if (totals.rows === 0) badRows.push({ line: 0, message: 'the file holds no people: is the extract complete?' });
      if (badRows.length > 0) throw new BadExtract();
      return {
        ok: true as const,
        rows: totals.rows,
        inserted: totals.inserted,
        updated: totals.updated,
        unchanged: totals.rows - totals.inserted - totals.updated,
      };
    });
  } catch (error) {
    if (error instanceof BadExtract) return { ok: false, badRows };
    if (error instanceof CsvFileError)
      return { ok: false, badRows: [...badRows, { line: error.line, message: error.message }] };
    throw error;
  }
}

/** One statement per batch; a row already equal is not touched. */
async function upsertDirectoryPeople(
  tx: Executor,
  rows: readonly CsvRow[],
): Promise<{ inserted: number; updated: number }> {
  const result = await sql<{ inserted: boolean }>`
    INSERT INTO directory_people (crsid, display_name, email, institution_id, status)
    SELECT DISTINCT ON (r.crsid) r.crsid, r.display_name, r.email, r.institution_id, r.status
    FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb)
      AS r(crsid text, display_name text, email text, institution_id text, status text)
    ORDER BY r.crsid
    ON CONFLICT (crsid) DO UPDATE SET display_name = excluded.display_name, email = excluded.email,
      institution_id = excluded.institution_id, status = excluded.status, updated_at = now()
    WHERE (directory_people.display_name, directory_people.email, directory_people.institution_id,
      directory_people.status) IS DISTINCT FROM
      (excluded.display_name, excluded.email, excluded.institution_id, excluded.status)
    RETURNING (xmax = 0) AS inserted
  `.execute(tx);
  const inserted = result.rows.filter((row) => row.inserted).length;
  return { inserted, updated: result.rows.length - inserted };
}
