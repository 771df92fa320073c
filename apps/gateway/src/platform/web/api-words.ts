import type * as z from 'zod';

/**
 * The API's words for what zod found wrong with a request: each names the field by its dotted
 * path, as `fields` keys it, and says what to send, where zod would say "Invalid input: expected
 * string, received undefined" or "Too big: expected string to have <=100 characters".
 *
 * It is the error map of every parse of a request (apiRoute's parseInput), so a schema's own words
 * (`z.string({ error })`, `.max(100, '…')`, wholeNumber's) still win: zod asks this map only for
 * an issue its schema says nothing about.
 */

/** Where the input came from: a request body's fields are JSON; a path's and a query's are text. */
export type InputPlace = 'path' | 'query' | 'body';

/** What a body that is no JSON object (null, a list, a string, nothing) is refused with, whatever its schema says. */
export const SEND_A_JSON_OBJECT = 'Send a JSON object as the body';

type Issue = z.core.$ZodRawIssue;

/** The message for one issue, naming the field it is about. */
export function apiIssueMessage(issue: Issue, where: InputPlace): string {
  const path = (issue.path ?? []).map(String).join('.');
  const field = path || (where === 'body' ? 'The body' : 'The query');
  const count = (n: number | bigint) => Number(n).toLocaleString('en-GB');
  switch (issue.code) {
    case 'invalid_type': {
      if (!path && where === 'body') return SEND_A_JSON_OBJECT;
      if (issue.input === undefined) return `Give ${field}: it is required`;
      // A parameter of the query given twice arrives as a list.
      if (where !== 'body' && Array.isArray(issue.input)) return `Give ${field} once`;
      if (issue.expected === 'never') return `Leave out ${field}: it is not taken here`;
      // z.int() says it expected a number of anything that is none: it takes a whole one.
      const expected = TYPE_WORDS[issue.expected === 'number' && takesWholeNumbers(issue) ? 'int' : issue.expected];
      if (!expected) return `${field} is not valid: see what it takes in /api/openapi.json`;
      // A path or query value is always text: what it is instead says nothing.
      return where === 'body'
        ? `${field} must be ${expected}, not ${jsonType(issue.input)}`
        : `${field} must be ${expected}`;
    }
    case 'too_big': {
      const n = count(issue.maximum);
      switch (issue.origin) {
        case 'string':
          return issue.exact ? `${field} must be exactly ${n} characters` : `${field} must be ${n} characters or fewer`;
        case 'array':
        case 'set':
          return `${field} must hold at most ${items(issue.maximum)}`;
        case 'number':
        case 'int':
        case 'bigint':
          return issue.inclusive === false ? `${field} must be less than ${n}` : `${field} must be at most ${n}`;
        case 'file':
          return `${field} must be at most ${n} bytes`;
        default:
          return `${field} is too large`;
      }
    }
    case 'too_small': {
      const n = count(issue.minimum);
      switch (issue.origin) {
        case 'string':
          if (issue.exact) return `${field} must be exactly ${n} characters`;
          return Number(issue.minimum) <= 1
            ? `Give ${field}: it must not be empty`
            : `${field} must be at least ${n} characters`;
        case 'array':
        case 'set':
          return `${field} must hold at least ${items(issue.minimum)}`;
        case 'number':
        case 'int':
        case 'bigint':
          return issue.inclusive === false ? `${field} must be more than ${n}` : `${field} must be at least ${n}`;
        case 'file':
          return `${field} must be at least ${n} bytes`;
        default:
          return `${field} is too small`;
      }
    }
    case 'invalid_format':
      return formatMessage(field, issue);
    case 'not_multiple_of':
      return `${field} must be a multiple of ${count(issue.divisor)}`;
    case 'unrecognized_keys':
      return `${field} has fields it does not take: ${issue.keys.join(', ')}`;
    case 'invalid_union':
      // A discriminated union (payment.method): its path is the discriminator's, its options the values it takes.
      if (issue.discriminator !== undefined && Array.isArray(issue.options)) {
        const options = oneOf(issue.options);
        return isMissing(issue.input, issue.discriminator)
          ? `Give ${field}: ${options}`
          : `${field} must be ${options}`;
      }
      if ('inclusive' in issue && issue.inclusive === false) return `${field} fits more than one of the forms it takes`;
      return `${field} is not in any of the forms it takes: see them in /api/openapi.json`;
    case 'invalid_value': {
      if (issue.input === undefined) return `Give ${field}: ${oneOf(issue.values)}`;
      return `${field} must be ${oneOf(issue.values)}`;
    }
    case 'invalid_key':
      return `${field} has a name that is not valid: see what it takes in /api/openapi.json`;
    case 'invalid_element':
      return `${field} holds an item that is not valid`;
    default:
      return `${field} is not valid: see what it takes in /api/openapi.json`;
  }
}

const TYPE_WORDS: Partial<Record<string, string>> = {
  string: 'a string',
  number: 'a number',
  int: 'a whole number',
  bigint: 'a whole number',
  boolean: 'true or false',
  object: 'an object',
  record: 'an object',
  array: 'a list (a JSON array)',
  tuple: 'a list (a JSON array)',
  null: 'null',
};

function takesWholeNumbers(issue: Issue): boolean {
  const def = (issue.inst as { _zod?: { def?: { format?: unknown } } } | undefined)?._zod?.def;
  return typeof def?.format === 'string' && def.format.includes('int');
}

/** What a JSON value is, in the words TYPE_WORDS uses. */
function jsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'number') return Number.isInteger(value) ? 'a number' : 'a number with a fraction';
  if (typeof value === 'string') return 'a string';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'object') return 'an object';
  return typeof value;
}

function items(n: number | bigint): string {
  return Number(n) === 1 ? 'one item' : `${Number(n).toLocaleString('en-GB')} items`;
}

/** The values a field takes, as a caller would type them: `one of finance-code, purchase-order, voucher`, or the one. */
function oneOf(values: readonly unknown[]): string {
  const shown = values.map((value) => (typeof value === 'string' ? value : JSON.stringify(value)));
  return shown.length === 1 ? (shown[0] as string) : `one of ${shown.join(', ')}`;
}

function isMissing(input: unknown, key: string): boolean {
  return !input || typeof input !== 'object' || (input as Record<string, unknown>)[key] === undefined;
}

const FORMAT_WORDS: Partial<Record<string, string>> = {
  uuid: 'a UUID, such as 0b6cb6d6-3c29-4bd4-9d6b-2e0a3c1f5e7a',
  guid: 'a UUID, such as 0b6cb6d6-3c29-4bd4-9d6b-2e0a3c1f5e7a',
  date: 'a date, YYYY-MM-DD',
  datetime: 'a date and time, such as 2026-11-27T09:30:00Z',
  time: 'a time, HH:MM:SS',
  email: 'an email address',
  url: 'a URL',
  lowercase: 'in lower case',
  uppercase: 'in upper case',
};

function formatMessage(field: string, issue: Extract<Issue, { code: 'invalid_format' }>): string {
  const { format } = issue;
  if (format === 'regex') return `${field} must match the pattern ${issue.pattern ?? 'in /api/openapi.json'}`;
  if (format === 'starts_with') return `${field} must start with ${issue.prefix}`;
  if (format === 'ends_with') return `${field} must end with ${issue.suffix}`;
  if (format === 'includes') return `${field} must include ${issue.includes}`;
  const words = FORMAT_WORDS[format];
  return words ? `${field} must be ${words}` : `${field} must be a valid ${format}`;
}
