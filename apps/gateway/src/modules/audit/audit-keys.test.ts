import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { FIELD_LABELS } from './audit-words.ts';

/**
 * Every key the code writes into an audit row's before or after has a label in FIELD_LABELS, so
 * the history pages never show a field's code name ("total pence", "check status"). The keys are
 * read from the source: the object literals given to recordAudit, and the jsonb_build_object keys
 * of the statements that insert audit rows in SQL. Where a before or after is built elsewhere (a
 * variable, a spread), its keys are listed below by hand, and a new such place fails the test until
 * it is listed too.
 */

const SOURCE = fileURLToPath(new URL('../../', import.meta.url));

/** Keys of the befores and afters the scan cannot read from a literal, by where they are built. */
const BUILT_ELSEWHERE: Record<string, string[]> = {
  // A product's edited fields (ProductEditable), before and after.
  'modules/catalogue/catalogue.admin.service.ts': [
    'name',
    'summary',
    'description',
    'minimumTb',
    'termsYears',
    'active',
  ],
  // The licence edit's changed fields (LicenceEditable, its owner as dataOwner), and the reason.
  'modules/licences/licences.admin.service.ts': ['name', 'sizeTb', 'startDate', 'endDate', 'dataOwner', 'reason'],
  // The nightly lifecycle's moves (journeyRow): the status, as of when, and its storage step's note.
  'modules/lifecycle/lifecycle.repository.ts': ['status', 'asOf', 'provisioner'],
  // A staff role's grant ({ crsid, kind, service; person, role in words }), spread into before and after.
  'modules/people/people.admin.service.ts': ['person', 'role', 'service'],
  // A quote's row as stored (NewQuoteRow), with its reference.
  'modules/quotes/quotes.service.ts': [
    'reference',
    'personId',
    'productCode',
    'institutionId',
    'customerClass',
    'licenceName',
    'sizeTb',
    'termYears',
    'pencePerTbYear',
    'priceValidFrom',
    'netPence',
    'vatPence',
    'totalPence',
    'issuedOn',
    'validUntil',
    'licenceId',
    'changeKind',
    'startsOn',
    'endsOn',
    'coldStorePence',
    'ownerCrsid',
    'managerCrsids',
    'projectName',
  ],
};

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return /\.tsx?$/.test(entry.name) && !/\.test\.tsx?$/.test(entry.name) ? [path] : [];
  });
}

/** The text with its comments blanked (their newlines kept), so a quote or bracket in one misleads nothing. */
function withoutComments(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const char = text[i] as string;
    if (char === "'" || char === '"' || char === '`') {
      const end = endOfString(text, i);
      out += text.slice(i, end);
      i = end - 1;
    } else if (char === '/' && text[i + 1] === '/') {
      const end = text.indexOf('\n', i);
      i = (end === -1 ? text.length : end) - 1;
    } else if (char === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i) + 2;
      out += text.slice(i, end).replace(/[^\n]/g, ' ');
      i = end - 1;
    } else out += char;
  }
  return out;
}

function endOfString(text: string, at: number): number {
  const quote = text[at];
  let i = at + 1;
  for (; i < text.length && text[i] !== quote; i++) {
    if (text[i] === '\\') i++;
    else if (quote === '`' && text[i] === '$' && text[i + 1] === '{') i = closing(text, i + 1) - 1;
  }
  return i + 1;
}

/** The index just past the bracket that closes the one at `open`, skipping strings. */
function closing(text: string, open: number): number {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    const char = text[i] as string;
    if (char === "'" || char === '"' || char === '`') {
      i = endOfString(text, i) - 1;
      continue;
    }
    if (char === '(' || char === '{' || char === '[') depth++;
    if (char === ')' || char === '}' || char === ']') depth--;
    if (depth === 0) return i + 1;
  }
  throw new Error(`unbalanced bracket at ${open}`);
}

/** The top-level parts of a bracketed list's inside, split at its commas. */
function parts(inner: string): string[] {
  const found: string[] = [];
  let start = 0;
  for (let i = 0; i < inner.length; i++) {
    const char = inner[i] as string;
    if (char === "'" || char === '"' || char === '`') i = endOfString(inner, i) - 1;
    else if ('({['.includes(char)) i = closing(inner, i) - 1;
    else if (char === ',') {
      found.push(inner.slice(start, i).trim());
      start = i + 1;
    }
  }
  found.push(inner.slice(start).trim());
  return found.filter(Boolean);
}

/** "total_pence" → "totalPence": a quote's row is recorded by its columns' names. */
const camel = (key: string) => key.replace(/_([a-z])/g, (_, letter: string) => letter.toUpperCase());

interface Found {
  keys: Set<string>;
  /** "file:line before" for each before or after the scan could not read. */
  opaque: string[];
}

/** The keys of an object literal's text (`{ a, b: 1, ...(x ? { c: 2 } : {}) }`), and the spreads it cannot read. */
function literalKeys(literal: string, keys: Set<string>): string[] {
  const unread: string[] = [];
  for (const field of parts(literal.slice(1, closing(literal, 0) - 1))) {
    if (field.startsWith('...')) {
      const inner = [...field.matchAll(/\{/g)].map((match) => field.slice(match.index));
      if (inner.length === 0) unread.push(field);
      for (const object of inner) literalKeys(object, keys);
      continue;
    }
    const key = /^['"]?([A-Za-z_$][\w$]*)['"]?/.exec(field)?.[1];
    if (key) keys.add(camel(key));
  }
  return unread;
}

function scan(): Found {
  const keys = new Set<string>();
  const opaque: string[] = [];
  for (const file of sourceFiles(SOURCE)) {
    const text = withoutComments(readFileSync(file, 'utf8'));
    const where = relative(SOURCE, file);
    const lineOf = (index: number) => text.slice(0, index).split('\n').length;
    // recordAudit(tx, entry), and licence-members' auditChange(tx, person, licenceId, change).
    for (const call of text.matchAll(/\b(recordAudit|auditChange)\(/g)) {
      if (/function\s*$/.test(text.slice(0, call.index))) continue;
      const open = (call.index ?? 0) + (call[1] as string).length;
      const args = parts(text.slice(open + 1, closing(text, open) - 1));
      const entry = args[call[1] === 'recordAudit' ? 1 : 3] ?? '';
      if (!entry.startsWith('{')) {
        opaque.push(`${where}:${lineOf(open)} entry`);
        continue;
      }
      for (const property of parts(entry.slice(1, -1))) {
        const side = /^(before|after)\s*(?::\s*([\s\S]*))?$/.exec(property);
        if (!side) continue;
        const value = (side[2] ?? side[1] ?? '').trim();
        const literal = value.startsWith('{')
          ? value
          : /^[\w.]+\s*\?\s*\{/.test(value)
            ? value.slice(value.indexOf('{'))
            : '';
        if (!literal) {
          // licence-members' own helper passes its caller's literals on (scanned at each call).
          if (!(call[1] === 'recordAudit' && /^change\.(before|after)$/.test(value))) {
            opaque.push(`${where}:${lineOf(open)} ${side[1]}`);
          }
          continue;
        }
        for (const spread of literalKeys(literal, keys)) opaque.push(`${where}:${lineOf(open)} ${side[1]} ${spread}`);
      }
    }
    if (!/INSERT INTO audit_events/.test(text)) continue;
    for (const build of text.matchAll(/jsonb_build_object\(/g)) {
      const open = (build.index ?? 0) + 'jsonb_build_object'.length;
      parts(text.slice(open + 1, closing(text, open) - 1)).forEach((part, index) => {
        const key = /^'(\w+)'$/.exec(part)?.[1];
        if (index % 2 === 0 && key) keys.add(camel(key));
      });
    }
    // A statement that inserts audit rows from columns built elsewhere (lifecycle's moves).
    for (const insert of text.matchAll(/INSERT INTO audit_events[^;`]*?SELECT[^;`]*?\b(\w+)\.before,\s*\w+\.after/g)) {
      opaque.push(`${where}:${lineOf(insert.index ?? 0)} ${insert[1]}.before/after`);
    }
  }
  return { keys, opaque };
}

describe('the audit trail’s field labels', () => {
  const found = scan();

  it('finds the keys the code records (the scan works)', () => {
    for (const key of ['status', 'decidedBy', 'totalPence', 'checkStatus', 'run', 'provisioner', 'sizeTb', 'asOf']) {
      expect(found.keys, key).toContain(key);
    }
  });

  it('knows where every before and after it cannot read is built', () => {
    const files = new Set(found.opaque.map((place) => place.split(':')[0] as string));
    expect([...files].sort()).toEqual(Object.keys(BUILT_ELSEWHERE).sort());
  });

  it('has a label for every key recorded', () => {
    const all = new Set([...found.keys, ...Object.values(BUILT_ELSEWHERE).flat()]);
    const missing = [...all].filter((key) => !(key in FIELD_LABELS)).sort();
    expect(missing, 'add these to FIELD_LABELS in audit-words.ts').toEqual([]);
  });
});
