import * as z from 'zod';
import { isIsoDate } from '../codes/formats.ts';
import type { Dataset } from './connector.ts';

/** What one extract row must be: codes in the chart-of-accounts formats, known statuses, real dates. */

const code = (pattern: RegExp, description: string) =>
  z
    .string()
    .trim()
    .transform((value) => value.toUpperCase())
    .pipe(z.string().regex(pattern, `must be ${description}`));
// A file in another encoding (Windows-1252, Latin-1) is read as UTF-8 with each bad byte replaced
// by U+FFFD: refused, not loaded with its accented letters lost. PostgreSQL text cannot hold NUL.
const name = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(200, 'must be at most 200 characters')
  .refine((value) => !value.includes('\uFFFD'), 'is not UTF-8 text: save the extract as UTF-8')
  .refine((value) => !value.includes('\u0000'), 'must not contain a NUL character');
const status = <T extends readonly [string, ...string[]]>(values: T) =>
  z
    .string()
    .trim()
    .transform((value) => value.toLowerCase())
    .pipe(z.enum(values, { error: `must be one of ${values.join(', ')}` }));
const date = z.string().trim().refine(isIsoDate, 'must be a real date written YYYY-MM-DD');
const optionalDate = z
  .string()
  .trim()
  .refine((value) => value === '' || isIsoDate(value), 'must be empty or a real date written YYYY-MM-DD')
  .transform((value) => (value === '' ? null : value));

const costCentreCode = code(/^[A-Z]{2}[A-Z0-9]{2}$/, '2 letters then 2 letters or digits, e.g. PHAA');
const sourceOfFundsCode = code(/^[A-Z][A-Z0-9]{3}$/, 'a letter then 3 letters or digits, e.g. GAAA');
const awardNumber = code(/^(RG|G)[0-9]{3,8}$/, 'RG or G then 3 to 8 digits, e.g. RG94772');
const projectNumber = code(/^[A-Z0-9]{4,12}$/, '4 to 12 letters or digits, e.g. PHAG0042');
const taskNumber = z
  .string()
  .trim()
  .regex(/^[0-9]{1,3}(\.[0-9]{1,3}){0,2}$/, 'must be digits, optionally dotted, e.g. 1 or 1.2');

const windowed = <T extends { valid_from: string; valid_to: string | null }>(row: T) =>
  row.valid_to === null || row.valid_to >= row.valid_from;

export const recordSchemas = {
  cost_centres: z
    .object({
      code: costCentreCode,
      name,
      department_name: name,
      status: status(['open', 'closed'] as const),
      valid_from: date,
      valid_to: optionalDate,
    })
    .refine(windowed, { path: ['valid_to'], message: 'must not be before valid_from' }),
  sources_of_funds: z
    .object({
      code: sourceOfFundsCode,
      name,
      status: status(['enabled', 'disabled'] as const),
      valid_from: date,
      valid_to: optionalDate,
    })
    .refine(windowed, { path: ['valid_to'], message: 'must not be before valid_from' }),
  awards: z.object({
    award_number: awardNumber,
    title: name,
    sponsor: name,
    status: status(['active', 'closed'] as const),
  }),
  projects: z
    .object({
      project_number: projectNumber,
      award_number: awardNumber,
      title: name,
      status: status(['active', 'closed'] as const),
      start_date: date,
      end_date: date,
    })
    .refine((row) => row.end_date >= row.start_date, { path: ['end_date'], message: 'must not be before start_date' }),
  tasks: z.object({
    project_number: projectNumber,
    task_number: taskNumber,
    name,
    status: status(['open', 'closed'] as const),
  }),
} satisfies Record<Dataset, z.ZodType>;

export type ReferenceRows = { [D in Dataset]: z.output<(typeof recordSchemas)[D]>[] };

/** The columns that identify a row of each data set. */
export const DATASET_KEYS: { [D in Dataset]: (keyof ReferenceRows[D][number] & string)[] } = {
  cost_centres: ['code'],
  sources_of_funds: ['code'],
  awards: ['award_number'],
  projects: ['project_number'],
  tasks: ['project_number', 'task_number'],
};
