import type * as z from 'zod';
import type { FieldErrors } from './components.tsx';
import { AppError } from './errors.ts';

/** The first message for each field of a failed parse, keyed by the field's name. */
export function fieldErrorsOf(error: z.ZodError): FieldErrors {
  const errors: FieldErrors = {};
  for (const issue of error.issues) {
    const field = String(issue.path[0] ?? 'form');
    errors[field] ??= issue.message;
  }
  return errors;
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
  return new AppError('unprocessable', 'The request has problems; `fields` says what to fix.', fields);
}
