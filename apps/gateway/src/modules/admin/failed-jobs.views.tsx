import type { FailedJob } from '../../platform/jobs/jobs.ts';
import { CsrfField } from '../../platform/web/components.tsx';
import type { PageContext } from '../../platform/web/layout.tsx';
import { AdminPage } from './admin.views.tsx';
import { countWords, Pagination } from './paging.tsx';

const failedJobsHref = (page: number) => (page > 1 ? `/admin/jobs/failed?page=${page}` : '/admin/jobs/failed');

export interface FailedJobsPageProps {
  context: PageContext;
  /** Undefined where the driver keeps failed work elsewhere (Cloud Tasks). */
  jobs?: FailedJob[];
  total: number;
  page: number;
  pageSize: number;
}

const when = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'Europe/London' });

export function FailedJobsPage({ context, jobs, total, page, pageSize }: FailedJobsPageProps) {
  const pages = Math.max(1, Math.ceil(total / pageSize));
  return (
    <AdminPage context={context} title="Failed jobs" section="/admin/jobs/failed">
      <h1>Failed jobs</h1>
      <p>
        Emails that could not be sent are listed, with their recipients and subject, under{' '}
        <a href="/admin/emails/failed">Failed emails</a>, where they can be sent again.
      </p>
      {jobs === undefined ? (
        <p>
          Background work runs on Google Cloud Tasks in this deployment. Cloud Tasks deletes a task once it has used up
          its tries, so failed jobs cannot be listed or retried here. Each failed try is logged, and the "background job
          failures" alert emails the operators; the operations runbook (docs/operations/deployment.md, "Job failures")
          says how to find a job's errors in the logs and run it again.
        </p>
      ) : total === 0 ? (
        <p>No background jobs have failed.</p>
      ) : jobs.length === 0 ? (
        // A page past the last one (the list shrinks as jobs are retried): where the failures are.
        <Pagination page={page} total={total} what="failed jobs" pageSize={pageSize} href={failedJobsHref} />
      ) : (
        <>
          <p>
            These background jobs failed on every try. Fix the cause first, then retry: a retried job runs once more.
          </p>
          <table>
            <caption class="visually-hidden">
              Failed jobs, newest first, page {page} of {pages}
            </caption>
            <thead>
              <tr>
                <th scope="col">Job</th>
                <th scope="col">Failed</th>
                <th scope="col">Tries</th>
                <th scope="col">Error</th>
                <th scope="col">Payload</th>
                <th scope="col">
                  <span class="visually-hidden">Action</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {jobs.map((job) => (
                <tr key={job.id}>
                  <th scope="row">
                    {job.queue}
                    <br />
                    <span class="hint">{job.id}</span>
                  </th>
                  <td>
                    <time dateTime={job.failedAt.toISOString()}>{when.format(job.failedAt)}</time>
                  </td>
                  <td>{job.attempts}</td>
                  <td>{job.error}</td>
                  <td>
                    <pre>{JSON.stringify(job.payload, null, 2)}</pre>
                  </td>
                  <td>
                    <form method="post" action={`/admin/jobs/failed/${encodeURIComponent(job.queue)}/${job.id}/retry`}>
                      <CsrfField token={context.csrfToken} />
                      <button type="submit" class="button--small">
                        Retry <span class="visually-hidden">{`${job.queue} ${job.id}`}</span>
                      </button>
                    </form>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {pages > 1 ? (
            <nav class="pagination" aria-label="Pages of failed jobs">
              <p>
                Page {page} of {pages} ({countWords(total, 'failed jobs')})
              </p>
              <ul>
                {page > 1 ? (
                  <li>
                    <a href={failedJobsHref(page - 1)} rel="prev">
                      Newer failures
                    </a>
                  </li>
                ) : null}
                {page < pages ? (
                  <li>
                    <a href={failedJobsHref(page + 1)} rel="next">
                      Older failures
                    </a>
                  </li>
                ) : null}
              </ul>
            </nav>
          ) : null}
        </>
      )}
    </AdminPage>
  );
}
