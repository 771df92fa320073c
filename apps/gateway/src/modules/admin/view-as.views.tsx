import { CsrfField, ErrorSummary, type FieldErrors } from '../../platform/web/components.tsx';
import { TextField } from '../../platform/web/form-fields.tsx';
import type { PageContext } from '../../platform/web/layout.tsx';
import { AdminPage } from './admin.views.tsx';

export const VIEW_AS_SECTION = '/admin/view-as';

/**
 * "View the site as …" for a person's back-office page: opens the view-as form with their CRSid
 * filled in, where staff give the reason. Not shown for oneself, nor while already viewing.
 */
export function ViewAsButton({ context, crsid }: { context: PageContext; crsid: string }) {
  if (context.viewingAs || context.person?.crsid === crsid) return null;
  return (
    <form method="get" action="/admin/view-as" class="inline-form">
      <input type="hidden" name="crsid" value={crsid} />
      <button type="submit" class="button--secondary">
        View the site as {crsid}
      </button>
    </form>
  );
}

export function ViewAsPage({
  context,
  values,
  errors,
  minutes,
}: {
  context: PageContext;
  values: Record<string, string>;
  errors: FieldErrors;
  /** How long a view lasts (VIEW_AS_MINUTES). */
  minutes: number;
}) {
  const failed = Object.values(errors).some(Boolean);
  return (
    <AdminPage
      context={context}
      title={failed ? 'Error: View the site as a customer' : 'View the site as a customer'}
      section={VIEW_AS_SECTION}
    >
      <h1>View the site as a customer</h1>
      <p>
        See the pages exactly as a customer sees them: their storage, licences, orders and storage projects, with their
        rights and none of yours. Nothing can be changed while you do; a banner on every page lets you stop.
      </p>
      <p>
        You see only what belongs to the services you work on: the customer’s records of another service are hidden, as
        they are from you. The view ends on its own after {minutes} minutes; you can start it again.
      </p>
      <p>
        Starting and stopping are recorded in the <a href="/admin/audit/?entityType=view-as">audit trail</a>, with the
        reason you give.
      </p>
      <ErrorSummary errors={errors} />
      <form method="post" action="/admin/view-as" novalidate>
        <CsrfField token={context.csrfToken} />
        <TextField
          name="crsid"
          label="CRSid"
          hint="The person whose view you need, such as ar101"
          value={values.crsid}
          error={errors.crsid}
          width="medium"
        />
        <TextField
          name="reason"
          label="Why you need to see their view"
          hint="For example, the ticket number of their question"
          value={values.reason}
          error={errors.reason}
        />
        <button type="submit">View the site as this person</button>
      </form>
    </AdminPage>
  );
}
