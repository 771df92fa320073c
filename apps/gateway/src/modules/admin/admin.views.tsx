import type { ComponentChildren } from 'preact';
import { type Crumb, Page, type PageContext } from '../../platform/web/layout.tsx';

/**
 * The back office's sections, in the order its navigation lists them. Each module adds its own.
 * `teams`: only for the storage teams and superusers (Finance, who changes nothing, is refused them).
 */
export const BACK_OFFICE_SECTIONS: Array<{ href: string; label: string; teams?: true }> = [
  { href: '/admin/', label: 'Overview' },
  { href: '/admin/orders/', label: 'Orders' },
  { href: '/admin/licences/', label: 'Licences' },
  { href: '/admin/projects-waiting/', label: 'Projects to make' },
  { href: '/admin/access-changes/', label: 'Access changes to make' },
  { href: '/admin/catalogue/', label: 'Products and prices' },
  { href: '/admin/vouchers/', label: 'Vouchers' },
  { href: '/admin/people/', label: 'People and roles' },
  { href: '/admin/usage/', label: 'Usage readings', teams: true },
  { href: '/admin/billing/', label: 'Billing' },
  { href: '/admin/audit/', label: 'Audit trail' },
  { href: '/admin/view-as', label: 'View as a customer' },
  { href: '/admin/jobs/failed', label: 'Failed jobs', teams: true },
  { href: '/admin/emails/failed', label: 'Failed emails', teams: true },
];

/**
 * A back-office page: the site frame, "Back office" in the breadcrumbs and in the document's title
 * (so that a licence's back-office page is not titled as its customer page is), and the section
 * navigation before the main content, where "Skip to main content" passes it.
 */
export function AdminPage({
  context,
  title,
  documentTitle,
  crumbs = [],
  section,
  children,
}: {
  context: PageContext;
  title: string;
  /** The document's title when the short name is not enough (as Page's); " – back office" follows it. */
  documentTitle?: string;
  crumbs?: Crumb[];
  /** The href of the section this page belongs to, marked as current in the navigation. */
  section: string;
  children: ComponentChildren;
}) {
  return (
    <Page
      context={context}
      title={title}
      documentTitle={backOfficeTitle(documentTitle ?? title)}
      crumbs={[{ label: 'Back office', href: '/admin/' }, ...crumbs]}
      sectionNavigation={
        <nav class="admin-nav" aria-label="Back office">
          <ul>
            {BACK_OFFICE_SECTIONS.filter((item) => !item.teams || context.person?.managesStorage).map((item) => (
              <li key={item.href}>
                <a href={item.href} aria-current={item.href === section ? 'page' : undefined}>
                  {item.label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
      }
    >
      {children}
    </Page>
  );
}

/** " – back office" after a title that does not already say so (the back office's home is "Back office"). */
function backOfficeTitle(title: string): string {
  return /^(Error: )?Back office$/.test(title) ? title : `${title} – back office`;
}
