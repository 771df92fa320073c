import { FinanceCodeForm } from '../payments/finance-code-form.tsx';

/**
 * The form that gives another finance code for a licence flagged for a closed one: the same on
 * the licence page (its Data Owner and Data Managers) and in the back office (its service team).
 */
export function ReplaceFinanceCodeForm(props: {
  csrfToken: string | undefined;
  action: string;
  /** What the flag says: which code closed, and why. */
  detail: string;
  error?: string;
  value?: string;
}) {
  return (
    <section class="notice notice--warning" aria-labelledby="replace-finance-code">
      <h2 id="replace-finance-code">Give another finance code</h2>
      <p role="status">{props.detail}</p>
      <p>
        The storage stays in use. Give an open finance code to pay for it from now on: it is checked with the University
        Financial System, and Finance and the storage team are told.
      </p>
      <FinanceCodeForm
        csrfToken={props.csrfToken}
        action={props.action}
        label="New finance code"
        error={props.error}
        value={props.value}
      />
    </section>
  );
}
