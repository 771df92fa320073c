/**
 * The formats of the University's chart of accounts. A code that fails these is *malformed*,
 * decided without looking anything up. The gateway keeps its own copy of these rules
 * (apps/gateway/src/modules/payments/finance-code.ts) so that it can refuse a malformed code
 * without a network call; a contract test there checks that the two agree.
 */

export interface Problem {
  field: string;
  message: string;
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; problems: Problem[] };

export interface GlCode {
  /** 4 characters: 2 letters naming the department, then 2 letters or digits. */
  costCentre: string;
  /** 4 characters: a letter giving its kind, then 3 letters or digits. */
  sourceOfFunds: string;
  transactionCode: string | null;
}

export interface GrantCode {
  award: string;
  project: string;
  task: string;
}

const COST_CENTRE = /^[A-Z]{2}[A-Z0-9]{2}$/;
const SOURCE_OF_FUNDS = /^[A-Z][A-Z0-9]{3}$/;
const TRANSACTION_CODE = /^[A-Z0-9]{4}$/;
const AWARD = /^(RG|G)[0-9]{3,8}$/;
const PROJECT = /^[A-Z0-9]{4,12}$/;
const TASK = /^[0-9]{1,3}(\.[0-9]{1,3}){0,2}$/;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

const GL_SHAPE =
  'A GL code is a 4-character cost centre and a 4-character source of funds, optionally followed by a 4-character transaction code, for example PHAA.GAAA';

/** Accepts `PHAA.GAAA`, `phaa gaaa`, `PHAA-GAAA-LAAA`, `PHAAGAAA`; any of . - / or spaces between parts. */
export function parseGlCode(input: string): Parsed<GlCode> {
  const text = upperAscii(input);
  const field = 'code';
  if (text === '') return fail(field, 'Enter a GL code, for example PHAA.GAAA');
  if (text.length > 40) return fail(field, GL_SHAPE);
  if (!/^[A-Z0-9./\s-]+$/.test(text))
    return fail(field, 'A GL code has only letters and digits, with optional . - / or spaces between its parts');
  const groups = text.split(/[./\s-]+/).filter(Boolean);
  const parts = groups.length === 1 ? (groups[0]?.match(/.{1,4}/g) ?? []) : groups;
  if ((parts.length !== 2 && parts.length !== 3) || parts.some((part) => part.length !== 4))
    return fail(field, GL_SHAPE);
  const [costCentre = '', sourceOfFunds = '', transactionCode] = parts;
  const problems: Problem[] = [];
  if (!COST_CENTRE.test(costCentre))
    problems.push({
      field,
      message: `The cost centre ${costCentre} must start with 2 letters (its department) followed by 2 letters or digits`,
    });
  if (!SOURCE_OF_FUNDS.test(sourceOfFunds))
    problems.push({
      field,
      message: `The source of funds ${sourceOfFunds} must start with a letter (its kind) followed by 3 letters or digits`,
    });
  if (transactionCode !== undefined && !TRANSACTION_CODE.test(transactionCode))
    problems.push({ field, message: `The transaction code ${transactionCode} must be 4 letters or digits` });
  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, value: { costCentre, sourceOfFunds, transactionCode: transactionCode ?? null } };
}

export function formatGlCode(code: GlCode): string {
  return [code.costCentre, code.sourceOfFunds, code.transactionCode].filter(Boolean).join('.');
}

export function parseGrant(input: { award?: string; project?: string; task?: string }): Parsed<GrantCode> {
  const award = upperAscii(input.award ?? '');
  const project = upperAscii(input.project ?? '');
  const task = (input.task ?? '').trim();
  const problems: Problem[] = [];
  if (award === '') problems.push({ field: 'award', message: 'Enter the award number, for example RG12345' });
  else if (!AWARD.test(award))
    problems.push({
      field: 'award',
      message: 'An award number is RG or G followed by 3 to 8 digits, for example RG12345',
    });
  if (project === '') problems.push({ field: 'project', message: 'Enter the project number' });
  else if (!PROJECT.test(project))
    problems.push({ field: 'project', message: 'A project number is 4 to 12 letters or digits, for example PHAG0042' });
  if (task === '') problems.push({ field: 'task', message: 'Enter the task number, for example 1 or 1.2' });
  else if (!TASK.test(task))
    problems.push({
      field: 'task',
      message: 'A task number is digits, optionally in dotted parts, for example 1 or 1.2',
    });
  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, value: { award, project, task } };
}

export function parseProjectNumber(input: string): Parsed<string> {
  const project = upperAscii(input);
  return PROJECT.test(project)
    ? { ok: true, value: project }
    : fail('project', 'A project number is 4 to 12 letters or digits, for example PHAG0042');
}

export function parseCostCentre(input: string): Parsed<string> {
  const code = upperAscii(input);
  return COST_CENTRE.test(code)
    ? { ok: true, value: code }
    : fail('code', 'A cost centre is 2 letters (its department) followed by 2 letters or digits, for example PHAA');
}

/** A real calendar date written YYYY-MM-DD (2026-02-30 is not one). */
export function isIsoDate(text: string): boolean {
  const match = ISO_DATE.exec(text);
  if (!match) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  // setUTCFullYear, not Date.UTC, which reads years 0 to 99 as 1900 to 1999.
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

export function parseAsOf(input: string | undefined, today: string): Parsed<string> {
  if (input === undefined || input.trim() === '') return { ok: true, value: today };
  const text = input.trim();
  return isIsoDate(text) ? { ok: true, value: text } : fail('on', 'The date must be a real date written YYYY-MM-DD');
}

function fail<T>(field: string, message: string): Parsed<T> {
  return { ok: false, problems: [{ field, message }] };
}

/**
 * Trimmed, with a–z made A–Z and nothing else changed: toUpperCase() turned "ı" (dotless i) into
 * "I" and "ſ" into "S", so a code a person never wrote passed as a real one.
 */
function upperAscii(text: string): string {
  return text.trim().replace(/[a-z]+/g, (letters) => letters.toUpperCase());
}
