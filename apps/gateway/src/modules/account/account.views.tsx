import type { AccessTokenSummary } from '../../platform/identity/access-tokens.ts';
import { CsrfField, ErrorSummary, type FieldErrors, SummaryList } from '../../platform/web/components.tsx';
import { RadioGroup } from '../../platform/web/form-fields.tsx';
import { Page, type PageContext } from '../../platform/web/layout.tsx';
import { formatDay, formatInstant } from '../quotes/quote-rules.ts';

export interface AccountDetails {
  displayName: string;
  crsid: string;
  email: string;
  institutionName: string | null;
  staffRoles: string[];
}

export const LIFETIME_OPTIONS = [
  { value: '30', label: '30 days' },
  { value: '90', label: '90 days' },
  { value: '365', label: '1 year (365 days)' },
] as const;

const STATUS_TAGS: Record<AccessTokenSummary['status'], { label: string; tag: string }> = {
  active: { label: 'Active', tag: 'tag tag--green' },
  expired: { label: 'Expired', tag: 'tag tag--grey' },
  revoked: { label: 'Revoked', tag: 'tag tag--red' },
};

export function AccountPage({
  context,
  account,
  tokens,
  remindersOn = true,
  reminderDays = [],
  errors = {},
  values = {},
}: {
  context: PageContext;
  account: AccountDetails;
  tokens: AccessTokenSummary[];
  /** Whether the person gets reminders before the licences they look after end. */
  remindersOn?: boolean;
  /** REMINDER_DAYS: how many days before an end date the reminders go. */
  reminderDays?: readonly number[];
  errors?: FieldErrors;
  values?: Record<string, string>;
}) {
  const hasErrors = Object.values(errors).some(Boolean);
  return (
    <Page
      context={context}
      title={hasErrors ? 'Error: Your account' : 'Your account'}
      crumbs={[{ label: 'Home', href: '/' }]}
    >
      <ErrorSummary errors={errors} />
      <h1>Your account</h1>
      <SummaryList
        rows={[
          ['Name', account.displayName],
          ['CRSid', account.crsid],
          ['Email', account.email],
          ['Department or institution', account.institutionName ?? 'None recorded'],
          ...(account.staffRoles.length > 0
            ? [['Staff roles', account.staffRoles.join(', ')] as [string, string]]
            : []),
        ]}
      />
      <p class="hint">Your name, email and department come from the University's directory.</p>

      <section aria-labelledby="reminders-title">
        <h2 id="reminders-title">Licence reminders</h2>
        <form method="post" action="/account/reminders" novalidate>
          <CsrfField token={context.csrfToken} />
          <RadioGroup
            name="reminders"
            label="Email me before the licences I look after end?"
            hint={`As a Data Owner or Data Manager you are reminded ${daysBeforeWords(reminderDays)} a licence's end date, so it can be renewed in time: one email a night listing every licence due. Emails about a licence that has ended still come to its Data Owner.`}
            error={errors.reminders}
            value={values.reminders ?? (remindersOn ? 'send' : 'stop')}
            options={[
              { value: 'send', label: 'Yes, send me reminders' },
              { value: 'stop', label: 'No, do not send me reminders' },
            ]}
          />
          <button type="submit">Save reminder setting</button>
        </form>
      </section>

      <section aria-labelledby="tokens-title">
        <h2 id="tokens-title">Personal access tokens</h2>
        <p>
          A token lets a script use the <a href="/api/openapi.json">JSON API</a> as you, with exactly what you may do on
          these pages. Give each script its own token, and revoke a token as soon as it is no longer needed.
        </p>
        <TokenTable tokens={tokens} />
        <h3 id="create-token-title">Create a token</h3>
        <form method="post" action="/account/tokens" aria-labelledby="create-token-title" novalidate>
          <CsrfField token={context.csrfToken} />
          <div class={errors.name ? 'form-group form-group--error' : 'form-group'}>
            <label for="name">Token name</label>
            <span class="hint" id="name-hint">
              What will use it, so you can tell your tokens apart, for example "nightly usage report".
            </span>
            <FieldError name="name" error={errors.name} />
            <input
              type="text"
              id="name"
              name="name"
              maxLength={80}
              value={values.name ?? ''}
              autocomplete="off"
              aria-describedby={errors.name ? 'name-hint name-error' : 'name-hint'}
              aria-invalid={errors.name ? 'true' : undefined}
            />
          </div>
          <div class={errors.lifetime ? 'form-group form-group--error' : 'form-group'}>
            <label for="lifetime">Expires after</label>
            <FieldError name="lifetime" error={errors.lifetime} />
            <select
              id="lifetime"
              name="lifetime"
              aria-describedby={errors.lifetime ? 'lifetime-error' : undefined}
              aria-invalid={errors.lifetime ? 'true' : undefined}
            >
              {LIFETIME_OPTIONS.map((option) => (
                <option key={option.value} value={option.value} selected={(values.lifetime ?? '90') === option.value}>
                  {option.label}
                </option>
              ))}
            </select>
          </div>
          <button type="submit">Create token</button>
        </form>
      </section>
    </Page>
  );
}

function FieldError({ name, error }: { name: string; error?: string }) {
  if (!error) return null;
  return (
    <span class="field-error" id={`${name}-error`}>
      <span class="visually-hidden">Error:</span> {error}
    </span>
  );
}

function TokenTable({ tokens }: { tokens: AccessTokenSummary[] }) {
  if (tokens.length === 0) return <p>You have no tokens.</p>;
  return (
    <table>
      <caption class="visually-hidden">Your personal access tokens</caption>
      <thead>
        <tr>
          <th scope="col">Name</th>
          <th scope="col">Ends in</th>
          <th scope="col">Created</th>
          <th scope="col">Expires</th>
          <th scope="col">Last used</th>
          <th scope="col">Status</th>
          <th scope="col">
            <span class="visually-hidden">Action</span>
          </th>
        </tr>
      </thead>
      <tbody>
        {tokens.map((token) => (
          <tr key={token.id}>
            <th scope="row">{token.name}</th>
            <td>
              <code>…{token.hint}</code>
            </td>
            <td>{formatInstant(token.createdAt)}</td>
            <td>{formatDay(token.expiresOn)}</td>
            <td>{token.lastUsedAt ? formatInstant(token.lastUsedAt) : 'Never'}</td>
            <td>
              <span class={STATUS_TAGS[token.status].tag}>{STATUS_TAGS[token.status].label}</span>
            </td>
            <td>
              {/* Revoking cannot be undone: this leads to the page that says so and asks (RevokeTokenPage). */}
              {token.status === 'active' ? (
                <a href={`/account/tokens/${token.id}/revoke`} class="button button--warning button--small">
                  Revoke <span class="visually-hidden">{token.name}</span>
                </a>
              ) : null}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/**
 * The question before a token is revoked, which cannot be undone: what stops working, and that
 * a script needs a new token afterwards. Its button sends the revocation; "No" goes back.
 */
export function RevokeTokenPage({ context, token }: { context: PageContext; token: AccessTokenSummary }) {
  return (
    <Page
      context={context}
      title={`Revoke the token “${token.name}”`}
      crumbs={[
        { label: 'Home', href: '/' },
        { label: 'Your account', href: '/account/' },
      ]}
    >
      <h1>Revoke the token “{token.name}”?</h1>
      <SummaryList
        rows={[
          ['Ends in', `…${token.hint}`],
          ['Expires', formatDay(token.expiresOn)],
          ['Last used', token.lastUsedAt ? formatInstant(token.lastUsedAt) : 'Never'],
        ]}
      />
      <p>
        Anything that uses this token stops working at once: the API refuses its requests. This cannot be undone: to let
        a script use the API again, create a new token and give it to the script.
      </p>
      <form method="post" action={`/account/tokens/${token.id}/revoke`}>
        <CsrfField token={context.csrfToken} />
        <div class="button-group">
          <button type="submit" class="button button--warning">
            Yes, revoke the token
          </button>
          <a href="/account/">No, keep it</a>
        </div>
      </form>
    </Page>
  );
}

export function TokenCreatedPage({
  context,
  token,
  summary,
  publicUrl,
}: {
  context: PageContext;
  token: string;
  summary: AccessTokenSummary;
  publicUrl: string;
}) {
  return (
    <Page
      context={context}
      title="Your new access token"
      crumbs={[
        { label: 'Home', href: '/' },
        { label: 'Your account', href: '/account/' },
      ]}
    >
      <h1>Your new access token</h1>
      <div class="notice notice--warning" role="status">
        <strong>Copy this token now. It will not be shown again.</strong> We keep only a fingerprint of it, so nobody
        can show it to you later; if you lose it, revoke it and create another.
      </div>
      <SummaryList
        rows={[
          ['Name', summary.name],
          ['Expires', `At the end of ${formatDay(summary.expiresOn)}`],
        ]}
      />
      <label for="token">Token</label>
      <input type="text" id="token" readOnly value={token} size={60} spellcheck={false} autocomplete="off" />
      <h2>Using it</h2>
      <p>
        Send it in the Authorization header of each request to the API. Keep it as secret as a password: anyone who has
        it can act as you through the API until it expires or you revoke it.
      </p>
      <pre>
        <code>{`curl -H "Authorization: Bearer ${token}" ${publicUrl}/api/me`}</code>
      </pre>
      <p>
        The API's operations are described in <a href="/api/openapi.json">its OpenAPI document</a>.
      </p>
      <p>
        <a href="/account/">Back to your account</a>
      </p>
    </Page>
  );
}

/** "60, 30 and 7 days before", from REMINDER_DAYS (largest first); "a few times before" with none given. */
export function daysBeforeWords(days: readonly number[]): string {
  const sorted = [...new Set(days)].sort((a, b) => b - a);
  const last = sorted.at(-1);
  if (last === undefined) return 'a few times before';
  const unit = sorted.length === 1 && last === 1 ? 'day' : 'days';
  const list = sorted.length === 1 ? String(last) : `${sorted.slice(0, -1).join(', ')} and ${last}`;
  return `${list} ${unit} before`;
}
