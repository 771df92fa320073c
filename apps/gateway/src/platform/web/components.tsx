import type { ComponentChildren } from 'preact';

/** Field errors keyed by the input's name, as forms hand them to their views. */
export type FieldErrors = Record<string, string | undefined>;

/**
 * The summary at the top of a form that failed: focusable (and focused on load by
 * /assets/error-summary.js), announced, and linking each message to its field.
 */
export function ErrorSummary({ errors }: { errors: FieldErrors }) {
  const entries = Object.entries(errors).filter((entry): entry is [string, string] => Boolean(entry[1]));
  if (entries.length === 0) return null;
  return (
    <>
      <div class="error-summary" role="alert" aria-labelledby="error-summary-title" tabIndex={-1}>
        <h2 id="error-summary-title">There is a problem</h2>
        <ul>
          {entries.map(([field, message]) => (
            <li key={field}>
              <a href={`#${field}`}>{message}</a>
            </li>
          ))}
        </ul>
      </div>
      {/* Focuses the summary on load (the CSP allows only our own scripts, never inline ones). */}
      <script src="/assets/error-summary.js" defer />
    </>
  );
}

export function CsrfField({ token }: { token?: string }) {
  return <input type="hidden" name="_csrf" value={token ?? ''} />;
}

export function SummaryList({ rows }: { rows: Array<[string, ComponentChildren]> }) {
  return (
    <dl class="summary-list">
      {rows.map(([key, value]) => (
        <div class="summary-list__row" key={key}>
          <dt>{key}</dt>
          <dd>{value}</dd>
        </div>
      ))}
    </dl>
  );
}
