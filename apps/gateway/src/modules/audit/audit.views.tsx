import { UNIVERSITY_TIME_ZONE } from '../../platform/clock.ts';
import { DataTable, ErrorSummary, type FieldErrors } from '../../platform/web/components.tsx';
import { SelectField, TextField } from '../../platform/web/form-fields.tsx';
import type { PageContext } from '../../platform/web/layout.tsx';
import { AdminPage } from '../admin/admin.views.tsx';
import { DayRangeFields } from '../admin/manage-views.tsx';
import { Pagination } from '../admin/paging.tsx';
import type { AuditEvent } from './audit.repository.ts';
import { type AuditQueryValues, auditSearchHref } from './audit-query.ts';
import { actorWords, describeChanges, ENTITY_WORDS, entityWords, humanise } from './audit-words.ts';

export const AUDIT_SECTION = '/admin/audit/';

const when = new Intl.DateTimeFormat('en-GB', {
  dateStyle: 'medium',
  timeStyle: 'medium',
  timeZone: UNIVERSITY_TIME_ZONE,
});

/** An entry as AuditTrail shows it: any AuditEvent, plus what the back-office search knows. */
export type AuditTrailEvent = AuditEvent & {
  /** The acting person's name, shown with their CRSid. */
  actorName?: string | null;
  /** The licence the entry belongs to, linked from the record column. */
  licenceId?: number | null;
};

/** The back-office page of a record, where there is one. */
export function recordHref(entityType: string, entityId: string): string | undefined {
  if (entityType === 'order' || entityType === 'payment') return `/admin/orders/${encodeURIComponent(entityId)}/`;
  if (entityType === 'licence') return `/admin/licences/${encodeURIComponent(entityId)}/`;
  return undefined;
}

function RecordCell({ event }: { event: AuditTrailEvent }) {
  const href = recordHref(event.entityType, event.entityId);
  const label = `${entityWords(event.entityType)} ${event.entityId}`;
  const licenceHref =
    event.licenceId && event.entityType !== 'licence' && !href ? `/admin/licences/${event.licenceId}/` : undefined;
  return (
    <>
      {href ? <a href={href}>{label}</a> : label}
      {licenceHref ? (
        <>
          <br />
          <span class="hint">
            of <a href={licenceHref}>licence {event.licenceId}</a>
          </span>
        </>
      ) : null}
    </>
  );
}

/**
 * A table of audit entries: when (London time), who, what happened, and each field it changed as
 * "field: old → new". For a record's own back-office page pass its trail (listRecordAudit or
 * listLicenceAudit); `showRecord` adds a column naming each entry's record, for mixed trails.
 */
export function AuditTrail({
  events,
  caption = 'History of this record',
  showRecord = false,
}: {
  events: AuditTrailEvent[];
  /** Read by screen readers; say the order, e.g. "History of this order, newest first". */
  caption?: string;
  showRecord?: boolean;
}) {
  if (events.length === 0) return <p>Nothing has been recorded.</p>;
  return (
    <DataTable id="audit-trail-table" caption={caption} captionClass="visually-hidden" tableClass="audit-trail">
      <thead>
        <tr>
          <th scope="col">When</th>
          <th scope="col">Who</th>
          {showRecord ? <th scope="col">Record</th> : null}
          <th scope="col">What</th>
          <th scope="col">Changes</th>
        </tr>
      </thead>
      <tbody>
        {events.map((event, index) => {
          // The back office's history, in the staff's words (an order "Completed", as its staff page says).
          const changes = describeChanges(event.before, event.after, event.entityType, 'staff');
          return (
            <tr key={index}>
              <td>
                <time dateTime={event.occurredAt.toISOString()}>{when.format(event.occurredAt)}</time>
              </td>
              <td>{actorWords(event.actorLabel, event.actorName)}</td>
              {showRecord ? (
                <td>
                  <RecordCell event={event} />
                </td>
              ) : null}
              <td>
                {showRecord ? '' : `${entityWords(event.entityType)}: `}
                {showRecord ? humanise(event.action) : humanise(event.action).toLowerCase()}
              </td>
              <td>
                {changes.length === 0 ? (
                  '—'
                ) : (
                  <ul class="audit-changes">
                    {changes.map((change) => (
                      <li key={change}>{change}</li>
                    ))}
                  </ul>
                )}
              </td>
            </tr>
          );
        })}
      </tbody>
    </DataTable>
  );
}

const ENTITY_OPTIONS = Object.entries(ENTITY_WORDS).map(([value, label]) => ({ value, label: label ?? value }));

export interface AuditSearchPageProps {
  context: PageContext;
  values: AuditQueryValues;
  errors: FieldErrors;
  /** Undefined when the search did not run (its form has errors). */
  events?: AuditTrailEvent[];
  page: number;
  pageSize: number;
  hasMore: boolean;
  /** How many entries match, counted only for a page past the last one (no entries on a page after the first). */
  total?: number;
  /** What this member of staff reads, in words, e.g. "research storage". */
  scopeWords: string;
}

export function AuditSearchPage({
  context,
  values,
  errors,
  events,
  page,
  pageSize,
  hasMore,
  total,
  scopeWords,
}: AuditSearchPageProps) {
  const failed = Object.values(errors).some(Boolean);
  return (
    <AdminPage context={context} title={failed ? 'Error: Audit trail' : 'Audit trail'} section={AUDIT_SECTION}>
      <h1>Audit trail</h1>
      <p>
        Every change to an order, licence, payment, voucher, price or staff role, newest first. You see {scopeWords}.
      </p>
      <ErrorSummary errors={errors} />
      <form method="get" action="/admin/audit/" class="audit-search" novalidate>
        <SelectField
          name="entityType"
          label="Kind of record"
          placeholder="Any kind"
          value={values.entityType}
          options={ENTITY_OPTIONS}
          error={errors.entityType}
        />
        <TextField
          name="entityId"
          label="Record"
          hint="An order reference such as ORD-000012, a licence number such as 5, or a voucher’s code"
          value={values.entityId}
          error={errors.entityId}
          width="medium"
        />
        <TextField
          name="actor"
          label="Who made the change"
          hint="A CRSid, such as rs501"
          value={values.actor}
          error={errors.actor}
          width="medium"
        />
        <DayRangeFields values={values} errors={errors} />
        <button type="submit">Search</button>{' '}
        <a href="/admin/audit/" class="button button--secondary">
          Clear
        </a>
      </form>
      {events === undefined ? null : (
        <section aria-labelledby="audit-results">
          <h2 id="audit-results">{page > 1 ? `Entries, page ${page}` : 'Entries'}</h2>
          {events.length > 0 ? (
            <AuditTrail events={events} caption={`Audit entries, newest first, page ${page}`} showRecord />
          ) : total ? (
            // A page past the last one (an old link, a narrower search): how many pages there are, as every list says.
            <Pagination
              page={page}
              total={total}
              what="entries"
              pageSize={pageSize}
              href={(to) => auditSearchHref(values, to)}
            />
          ) : (
            <p>No entries match this search.</p>
          )}
          {events.length > 0 && (page > 1 || hasMore) ? (
            <nav class="pagination" aria-label="Pages of audit entries">
              <ul>
                {page > 1 ? (
                  <li>
                    <a href={auditSearchHref(values, page - 1)} rel="prev">
                      Newer entries
                    </a>
                  </li>
                ) : null}
                {hasMore ? (
                  <li>
                    <a href={auditSearchHref(values, page + 1)} rel="next">
                      Older entries
                    </a>
                  </li>
                ) : null}
              </ul>
            </nav>
          ) : null}
        </section>
      )}
    </AdminPage>
  );
}
