import { CsrfField } from '../../platform/web/components.tsx';
import { TextField } from '../../platform/web/form-fields.tsx';

/**
 * The one-field form that gives another finance code: on an order whose code CUFS refused, and on
 * a licence whose code has closed since. A plain form (it works without JavaScript); a refused
 * code comes back beside the field, as typed.
 */
export function FinanceCodeForm(props: {
  csrfToken: string | undefined;
  action: string;
  label: string;
  error?: string;
  value?: string;
}) {
  return (
    <form method="post" action={props.action} novalidate>
      <CsrfField token={props.csrfToken} />
      <TextField
        name="financeCode"
        label={props.label}
        hint="A GL code such as PHAA.GAAA, or a grant as award / project / task."
        error={props.error}
        value={props.value}
        width="medium"
      />
      <button type="submit" class="button">
        Use this finance code
      </button>
    </form>
  );
}
