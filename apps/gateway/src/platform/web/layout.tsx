import type { ComponentChildren } from 'preact';
import { timeOfDay } from '../identity/view-as-rules.ts';

export interface Crumb {
  label: string;
  href?: string;
}

export interface SignedInPerson {
  displayName: string;
  crsid: string;
  isStaff: boolean;
  /** A storage team's member or a superuser: the back office's team-only pages are for them (not Finance). */
  managesStorage?: boolean;
}

export interface PageContext {
  serviceName: string;
  contactEmail: string;
  csrfToken?: string;
  person?: SignedInPerson;
  /** Links shown only in the embedded default (dev sign-in, mail outbox). */
  devTools: boolean;
  flash?: string;
  /** Set while a member of staff views the site as this customer sees it: every page says so. */
  /** Whose view a member of staff sees, and when it ends on its own. */
  viewingAs?: { displayName: string; crsid: string; until: Date };
}

export interface PageProps {
  context: PageContext;
  /** The page's short name: the breadcrumbs end with it, and the document's title is it unless `documentTitle`. */
  title: string;
  /**
   * The document's title (before the service's name) when the short name alone would not say what
   * the page is (WCAG 2.4.2): which licence a change is of, whose storage project this is. Starts
   * with "Error: " as `title` does when a form failed.
   */
  documentTitle?: string;
  crumbs?: Crumb[];
  /**
   * Navigation of the page's own section (the back office's menu), between the breadcrumbs and
   * the main content, so that "Skip to main content" passes it and lands on the page's heading.
   */
  sectionNavigation?: ComponentChildren;
  children: ComponentChildren;
}

/**
 * The document's title: the page's, then the service's. While staff view the site as a customer it
 * says so first (after "Error: ", which screen readers must announce first), as the banner does.
 */
function documentTitleOf(context: PageContext, title: string): string {
  const viewing = context.viewingAs ? `Viewing as ${context.viewingAs.displayName} – ` : '';
  const error = title.startsWith('Error: ') ? 'Error: ' : '';
  return `${error}${viewing}${title.slice(error.length)} – ${context.serviceName}`;
}

/**
 * The site frame in the style of Cambridge Project Light: a dark-blue header with the
 * University's name and the service's, breadcrumbs, one main landmark, and a footer that
 * always tells people whom to contact.
 */
export function Page({ context, title, documentTitle, crumbs = [], sectionNavigation, children }: PageProps) {
  return (
    <html lang="en-GB">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{documentTitleOf(context, documentTitle ?? title)}</title>
        <link rel="stylesheet" href="/assets/site.css" />
      </head>
      <body>
        <a class="skip-link" href="#main">
          Skip to main content
        </a>
        <header class="site-header">
          <div class="container site-header__inner">
            <a class="site-header__university" href="/">
              University of Cambridge
            </a>
            <a class="site-header__service" href="/">
              {context.serviceName}
            </a>
            <SiteNavigation context={context} />
          </div>
        </header>
        <div class="container">
          {context.viewingAs ? <ViewingAsBanner context={context} viewingAs={context.viewingAs} /> : null}
          <Breadcrumbs crumbs={crumbs} current={title} />
          {sectionNavigation}
          <main id="main" tabIndex={-1}>
            {context.flash ? (
              <div class="notice notice--success" role="status">
                {context.flash}
              </div>
            ) : null}
            {children}
          </main>
        </div>
        <footer class="site-footer">
          <div class="container">
            <p>
              Questions about storage, orders or payments:{' '}
              <a href={`mailto:${context.contactEmail}`}>{context.contactEmail}</a>
            </p>
            <ul class="site-footer__links">
              <li>
                <a href="/catalogue/">Storage we offer</a>
              </li>
              <li>
                <a href="/help/">Help</a>
              </li>
              {context.devTools ? (
                <li>
                  <a href="/dev/mail/">Mail outbox (development)</a>
                </li>
              ) : null}
            </ul>
            <p class="site-footer__small">© University of Cambridge</p>
          </div>
        </footer>
      </body>
    </html>
  );
}

/** While staff view the site as a customer: whose view this is, that it is read-only, and the way out. */
function ViewingAsBanner({
  context,
  viewingAs,
}: {
  context: PageContext;
  viewingAs: NonNullable<PageContext['viewingAs']>;
}) {
  return (
    <aside class="notice notice--warning view-as-banner" aria-label="Viewing as a customer">
      <p>
        <strong>
          You are viewing the site as {viewingAs.displayName} ({viewingAs.crsid}) until{' '}
          <time dateTime={viewingAs.until.toISOString()}>{timeOfDay(viewingAs.until)}</time>. Nothing can be changed.
        </strong>
      </p>
      <form method="post" action="/admin/view-as/stop" class="inline-form">
        <input type="hidden" name="_csrf" value={context.csrfToken ?? ''} />
        <button type="submit" class="button--small">
          Stop viewing
        </button>
      </form>
    </aside>
  );
}

function SiteNavigation({ context }: { context: PageContext }) {
  const person = context.person;
  return (
    <nav class="site-nav" aria-label="Main">
      <ul>
        <li>
          <a href="/catalogue/">Catalogue</a>
        </li>
        {person ? (
          <>
            <li>
              <a href="/storage/">My storage</a>
            </li>
            {person.isStaff ? (
              <li>
                <a href="/admin/">Back office</a>
              </li>
            ) : null}
            <li>
              <a href="/account/">Your account</a>
            </li>
            <li>
              <form method="post" action="/sign-out" class="inline-form">
                <input type="hidden" name="_csrf" value={context.csrfToken ?? ''} />
                <button type="submit" class="link-button">
                  Sign out <span class="visually-hidden">{person.displayName}</span>
                </button>
              </form>
            </li>
          </>
        ) : (
          <li>
            <a href="/sign-in">Sign in</a>
          </li>
        )}
      </ul>
    </nav>
  );
}

function Breadcrumbs({ crumbs, current }: { crumbs: Crumb[]; current: string }) {
  if (crumbs.length === 0) return null;
  return (
    <nav class="breadcrumbs" aria-label="Breadcrumb">
      <ol>
        {crumbs.map((crumb) => (
          <li key={crumb.label}>{crumb.href ? <a href={crumb.href}>{crumb.label}</a> : crumb.label}</li>
        ))}
        <li aria-current="page">{current}</li>
      </ol>
    </nav>
  );
}
