import * as z from 'zod';

/** Lists in the back office show this many rows a page. */
export const ADMIN_PAGE_SIZE = 25;

/** A list's ?page= (1 when missing or unreadable: an old or mistyped link still shows a list). */
export const pageQuery = z.object({ page: z.coerce.number().int().min(1).max(100_000).catch(1).default(1) });

export function pageCount(total: number, pageSize = ADMIN_PAGE_SIZE): number {
  return Math.max(1, Math.ceil(total / pageSize));
}

/** "people" → "person", "licences" → "licence": what one of a list is called. */
export function singular(what: string): string {
  if (what === 'people') return 'person';
  if (what.endsWith('ies')) return `${what.slice(0, -3)}y`;
  return what.endsWith('s') ? what.slice(0, -1) : what;
}

/** "1 licence", "1,250 licences". */
export function countWords(total: number, what: string): string {
  return `${total.toLocaleString('en-GB')} ${total === 1 ? singular(what) : what}`;
}

/**
 * "Page 2 of 7 (160 licences)" with previous and next links that keep the list's filters
 * (`href(page)` builds the address of a page). A page past the last one (an old link, a list that
 * has shrunk) says so, with the real count and a link to the last page.
 */
export function Pagination({
  page,
  total,
  what,
  href,
  pageSize = ADMIN_PAGE_SIZE,
}: {
  page: number;
  total: number;
  /** What is counted, plural: "licences" (the singular, for a count of one, is `singular(what)`). */
  what: string;
  href: (page: number) => string;
  pageSize?: number;
}) {
  const pages = pageCount(total, pageSize);
  const count = countWords(total, what);
  if (page > pages) {
    return (
      <nav class="pagination" aria-label={`Pages of ${what}`}>
        <p>
          There is no page {page.toLocaleString('en-GB')}:{' '}
          {pages === 1 ? 'there is 1 page' : `there are ${pages.toLocaleString('en-GB')} pages`} ({count}).
        </p>
        <ul>
          <li>
            <a href={href(pages)}>Go to the last page (page {pages.toLocaleString('en-GB')})</a>
          </li>
        </ul>
      </nav>
    );
  }
  return (
    <nav class="pagination" aria-label={`Pages of ${what}`}>
      <p>
        Page {page.toLocaleString('en-GB')} of {pages.toLocaleString('en-GB')} ({count})
      </p>
      {pages > 1 ? (
        <ul>
          {page > 1 ? (
            <li>
              <a href={href(page - 1)} rel="prev">
                Previous page
              </a>
            </li>
          ) : null}
          {page < pages ? (
            <li>
              <a href={href(page + 1)} rel="next">
                Next page
              </a>
            </li>
          ) : null}
        </ul>
      ) : null}
    </nav>
  );
}

/** A list address with its filters; empty values are left out. */
export function listHref(path: string, query: Record<string, string | number | undefined>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== '' && !(key === 'page' && value === 1)) params.set(key, String(value));
  }
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}
