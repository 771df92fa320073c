import type * as z from 'zod';
import type { FieldErrors } from './components.tsx';
import { AppError, BODY_NOT_VALID } from './errors.ts';

/** The first message for each field of a failed parse, keyed by the field's name. */
export function fieldErrorsOf(error: z.ZodError): FieldErrors {
  const errors: FieldErrors = {};
  for (const issue of error.issues) {
    const field = String(issue.path[0] ?? 'form');
    errors[field] ??= issue.message;
  }
  return errors;
}

/**
 * A whole number as a person types it or JSON sends it: digits, grouped in thousands by commas as
 * the site writes them ("1,000"), with a minus sign (- or −) allowed so that a caller's lower bound
 * can say why it is too small; undefined for anything else (a fraction, "1e3", words). However
 * many digits: a number too big is a whole number all the same, and the caller's upper bound says
 * how big it may be. Every form's whole numbers (sizes, terms, quotas, years) are read by this rule.
 */
export function wholeNumberFrom(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isSafeInteger(value) ? value : undefined;
  if (typeof value !== 'string') return undefined;
  const match = /^([-\u2212]?)(\d+|\d{1,3}(?:,\d{3})+)$/.exec(value.trim());
  if (!match?.[2]) return undefined;
  const number = Number(match[2].replaceAll(',', ''));
  return match[1] && number !== 0 ? -number : number;
}

/** Form values as strings, for putting back into the fields of a form that failed. */
export function formValues(body: unknown): Record<string, string> {
  if (!body || typeof body !== 'object') return {};
  return Object.fromEntries(
    Object.entries(body as Record<string, unknown>).flatMap(([key, value]) =>
      typeof value === 'string' ? [[key, value]] : [],
    ),
  );
}

/** A refusal for the JSON API: a 422 whose `fields` carry the same messages a page shows next to each field. */
export function unprocessable(errors: FieldErrors, prefix = ''): AppError {
  const fields = Object.fromEntries(
    Object.entries(errors).flatMap(([field, message]) => (message ? [[`${prefix}${field}`, message]] : [])),
  );
  return new AppError('unprocessable', BODY_NOT_VALID, fields);
}
