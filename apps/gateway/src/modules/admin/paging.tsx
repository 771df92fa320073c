/** Lists in the back office show this many rows a page. */
export const ADMIN_PAGE_SIZE = 25;

export function pageCount(total: number, pageSize = ADMIN_PAGE_SIZE): number {
  return Math.max(1, Math.ceil(total / pageSize));
}

/**
 * "Page 2 of 7 (160 licences)" with previous and next links that keep the list's filters
 * (`href(page)` builds the address of a page).
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
  /** What is counted, plural: "licences". */
  what: string;
  href: (page: number) => string;
  pageSize?: number;
}) {
  const pages = pageCount(total, pageSize);
  return (
    <nav class="pagination" aria-label={`Pages of ${what}`}>
      <p>
        Page {Math.min(page, pages)} of {pages} ({total.toLocaleString('en-GB')} {what})
      </p>
      {pages > 1 ? (
        <ul>
          {page > 1 ? (
            <li>
              <a href={href(Math.min(page, pages) - 1)} rel="prev">
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
