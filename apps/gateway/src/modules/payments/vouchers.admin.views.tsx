import { CsrfField, ErrorSummary, type FieldErrors, SummaryList } from '../../platform/web/components.tsx';
import { SelectField, TextField } from '../../platform/web/form-fields.tsx';
import type { PageContext } from '../../platform/web/layout.tsx';
import { AdminPage } from '../admin/admin.views.tsx';
import { DATE_HINT } from '../admin/manage-forms.ts';
import { Day, Instant, titleFor } from '../admin/manage-views.tsx';
import { listHref, Pagination } from '../admin/paging.tsx';
import type { AuditEvent } from '../audit/audit.repository.ts';
import { AuditTrail } from '../audit/audit.views.tsx';
import { sizeText } from '../catalogue/sizes.ts';
import { VOUCHER_STATUS_WORDS, VOUCHER_STATUSES, type VoucherStatus, voucherStatus } from './voucher-rules.ts';
import type { AdminVoucher } from './vouchers.admin.repository.ts';

export const VOUCHERS_SECTION = '/admin/vouchers/';
export const adminVoucherPath = (id: number, rest = ''): string => `/admin/vouchers/${id}/${rest}`;

const STATUS_TAGS: Record<VoucherStatus, string> = {
  unused: 'tag tag--green',
  used: 'tag',
  revoked: 'tag tag--red',
  expired: 'tag tag--grey',
};

function VoucherStatusWords({ voucher, today }: { voucher: AdminVoucher; today: string }) {
  const status = voucherStatus(voucher, today);
  return (
    <>
      <strong class={STATUS_TAGS[status]}>{VOUCHER_STATUS_WORDS[status]}</strong>
      {status === 'used' && voucher.usedBy ? (
        <>
          {' '}
          by <a href={`/admin/orders/${voucher.usedBy}/`}>{voucher.usedBy}</a>
        </>
      ) : null}
      {status === 'revoked' && voucher.revokeReason ? <>: {voucher.revokeReason}</> : null}
    </>
  );
}

export function AdminVouchersPage({
  context,
  vouchers,
  total,
  page,
  status,
  today,
  canIssue,
}: {
  context: PageContext;
  vouchers: AdminVoucher[];
  total: number;
  page: number;
  status?: VoucherStatus;
  today: string;
  canIssue: boolean;
}) {
  return (
    <AdminPage context={context} title="Vouchers" section={VOUCHERS_SECTION}>
      <h1>Vouchers</h1>
      <p>
        A voucher pays in full for storage up to its size: a single-use code for quota the department is not charged
        for. Buyers enter it when they choose how to pay.
      </p>
      {canIssue ? (
        <p>
          <a href={`${VOUCHERS_SECTION}new`} class="button">
            Issue a voucher
          </a>
        </p>
      ) : null}
      <form method="get" action={VOUCHERS_SECTION} class="filters" aria-label="Filter vouchers">
        <SelectField
          name="status"
          label="Status"
          placeholder="Any status"
          value={status}
          options={VOUCHER_STATUSES.map((value) => ({ value, label: VOUCHER_STATUS_WORDS[value] }))}
        />
        <button type="submit">Show</button>
      </form>
      {total === 0 ? (
        <p>
          {status ? `There are no ${VOUCHER_STATUS_WORDS[status].toLowerCase()} vouchers.` : 'There are no vouchers.'}
        </p>
      ) : vouchers.length === 0 ? null : (
        <table>
          <caption class="visually-hidden">Vouchers, newest first</caption>
          <thead>
            <tr>
              <th scope="col">Code</th>
              <th scope="col">Product</th>
              <th scope="col">Up to</th>
              <th scope="col">Department</th>
              <th scope="col">Issued</th>
              <th scope="col">Expires</th>
              <th scope="col">Status</th>
            </tr>
          </thead>
          <tbody>
            {vouchers.map((voucher) => (
              <tr key={voucher.id}>
                <th scope="row">
                  <a href={adminVoucherPath(voucher.id)}>
                    <code>{voucher.code}</code>
                  </a>
                </th>
                <td>{voucher.productCode}</td>
                <td>{sizeText(voucher.sizeTb)}</td>
                <td>{voucher.institutionName ?? 'Any department'}</td>
                <td>
                  <Instant at={voucher.issuedAt} />
                </td>
                <td>{voucher.expiresOn ? <Day date={voucher.expiresOn} /> : 'Never'}</td>
                <td>
                  <VoucherStatusWords voucher={voucher} today={today} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <Pagination
        page={page}
        total={total}
        what="vouchers"
        href={(to) => listHref(VOUCHERS_SECTION, { status, page: to })}
      />
    </AdminPage>
  );
}

export function IssueVoucherPage({
  context,
  products,
  institutions,
  errors = {},
  values = {},
}: {
  context: PageContext;
  products: Array<{ code: string; name: string; minimumTb: number }>;
  institutions: Array<{ id: string; name: string }>;
  errors?: FieldErrors;
  values?: Record<string, string>;
}) {
  const onlyProduct = products.length === 1 ? products[0]?.code : undefined;
  return (
    <AdminPage
      context={context}
      title={titleFor('Issue a voucher', errors)}
      section={VOUCHERS_SECTION}
      crumbs={[{ label: 'Vouchers', href: VOUCHERS_SECTION }]}
    >
      <ErrorSummary errors={errors} />
      <h1>Issue a voucher</h1>
      <p>The code is made for you when you issue the voucher: send it to the department yourself.</p>
      <form method="post" action={VOUCHERS_SECTION} novalidate>
        <CsrfField token={context.csrfToken} />
        {/* One voucher per form: the key makes a second send of it (a double click) find the first's. */}
        {values.issueKey ? <input type="hidden" name="issueKey" value={values.issueKey} /> : null}
        <SelectField
          name="productCode"
          label="Product"
          placeholder="Choose a product"
          value={values.productCode ?? onlyProduct}
          error={errors.productCode}
          options={products.map((product) => ({ value: product.code, label: `${product.name} (${product.code})` }))}
        />
        <TextField
          name="sizeTb"
          label="Pays for up to, in TB"
          hint="A whole number of TB: the voucher pays for an order of this size or smaller"
          value={values.sizeTb}
          error={errors.sizeTb}
          inputMode="numeric"
          width="short"
        />
        <SelectField
          name="institutionId"
          label="Department (optional)"
          hint="Only orders for this department can use it"
          placeholder="Any department"
          value={values.institutionId}
          error={errors.institutionId}
          options={institutions.map((institution) => ({ value: institution.id, label: institution.name }))}
        />
        <TextField
          name="expiresOn"
          label="Expires after (optional)"
          hint={`The last day it can be used; leave empty for no expiry. ${DATE_HINT}`}
          value={values.expiresOn}
          error={errors.expiresOn}
          width="medium"
        />
        <TextField
          name="note"
          label="Note (optional)"
          hint="For the team: who it is for and why"
          value={values.note}
          error={errors.note}
        />
        <button type="submit">Issue voucher</button>
      </form>
    </AdminPage>
  );
}

export function AdminVoucherPage({
  context,
  voucher,
  today,
  canManage,
  history,
  errors = {},
  values = {},
}: {
  context: PageContext;
  voucher: AdminVoucher;
  today: string;
  canManage: boolean;
  history: AuditEvent[];
  errors?: FieldErrors;
  values?: Record<string, string>;
}) {
  const status = voucherStatus(voucher, today);
  return (
    <AdminPage
      context={context}
      title={titleFor(`Voucher ${voucher.code}`, errors)}
      section={VOUCHERS_SECTION}
      crumbs={[{ label: 'Vouchers', href: VOUCHERS_SECTION }]}
    >
      <ErrorSummary errors={errors} />
      <h1>
        Voucher <code>{voucher.code}</code>
      </h1>
      <SummaryList
        rows={[
          ['Code', <code key="code">{voucher.code}</code>],
          ['Product', voucher.productCode],
          ['Pays for up to', sizeText(voucher.sizeTb)],
          ['Department', voucher.institutionName ?? 'Any department'],
          ['Issued', <Instant key="issued" at={voucher.issuedAt} />],
          ['Expires', voucher.expiresOn ? <Day key="expires" date={voucher.expiresOn} /> : 'Never'],
          ['Status', <VoucherStatusWords key="status" voucher={voucher} today={today} />],
          ['Note', voucher.note || 'None'],
        ]}
      />
      {canManage && (status === 'unused' || status === 'expired') ? (
        <section aria-labelledby="withdraw">
          <h2 id="withdraw">Withdraw the voucher</h2>
          <p>A withdrawn voucher can no longer pay for an order. This cannot be undone: issue a new one instead.</p>
          <form method="post" action={adminVoucherPath(voucher.id, 'revoke')} novalidate>
            <CsrfField token={context.csrfToken} />
            <TextField name="reason" label="Reason" value={values.reason} error={errors.reason} />
            <button type="submit" class="button--warning">
              Withdraw voucher
            </button>
          </form>
        </section>
      ) : null}
      <section aria-labelledby="history">
        <h2 id="history">History</h2>
        <AuditTrail events={history} caption={`History of voucher ${voucher.code}, newest first`} />
      </section>
    </AdminPage>
  );
}
