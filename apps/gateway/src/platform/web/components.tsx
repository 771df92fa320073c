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

/**
 * A data table in a region of its own that scrolls sideways when the table is wider than the
 * screen, so that the page itself never does (WCAG 1.4.10, at 320 px): the region is named by the
 * table's caption and takes focus, so that keyboard users can scroll it too (site.css .table-scroll).
 * `id` is the caption's: unique on its page. `children` are the table's thead and tbody.
 */
export function DataTable({
  id,
  caption,
  captionClass,
  tableClass,
  children,
}: {
  id: string;
  caption: ComponentChildren;
  /** "visually-hidden" for a caption that only screen readers need (the heading above says it). */
  captionClass?: string;
  tableClass?: string;
  children: ComponentChildren;
}) {
  return (
    // A section named by the caption is a region landmark. It takes focus only to be scrolled: a
    // scrollable region without a focusable child is out of keyboard reach otherwise (axe-core's
    // scrollable-region-focusable).
    // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolling region must be focusable to be scrolled from the keyboard
    <section class="table-scroll" aria-labelledby={id} tabIndex={0}>
      <table class={tableClass}>
        <caption id={id} class={captionClass}>
          {caption}
        </caption>
        {children}
      </table>
    </section>
  );
}
