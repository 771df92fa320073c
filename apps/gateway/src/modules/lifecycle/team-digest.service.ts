import type { Executor } from '../../platform/db/database.ts';
import type { JobQueue } from '../../platform/jobs/jobs.ts';
import { renderEmail } from '../../platform/mail/email-template.tsx';
import { ageInDays, describeAge, STAFF_STATUS_LABELS, submittedBefore } from '../orders/order-queue.ts';
import { waitingOrdersDigestEmail } from './lifecycle.emails.tsx';
import type { SiteLinks } from './lifecycle.service.ts';
import { queueEmails } from './lifecycle-mail.ts';
import { claimWaitingOrders, type WaitingOrderRow } from './team-digest.repository.ts';
import { DIGEST_WAITING_DAYS, moreWaitingLine, weekStart } from './team-digest.ts';

export interface TeamDigestResult {
  week: string;
  /** One email per service with orders waiting. */
  emails: number;
  /** Orders waiting, over every service emailed. */
  orders: number;
}

/**
 * The weekly digest: to each service team, one email listing its orders waiting more than
 * DIGEST_WAITING_DAYS days as of `now`, oldest first. Nothing is sent to a team with nothing
 * waiting, and a second run in the same week (by `asOf`) sends nothing.
 */
export async function runTeamDigest(
  db: Executor,
  jobs: JobQueue,
  asOf: string,
  now: Date,
  site: SiteLinks,
): Promise<TeamDigestResult> {
  const week = weekStart(asOf);
  return db.transaction().execute(async (tx) => {
    const rows = await claimWaitingOrders(tx, week, submittedBefore(DIGEST_WAITING_DAYS, now));
    const byService = new Map<string, WaitingOrderRow[]>();
    for (const row of rows) {
      const list = byService.get(row.service);
      if (list) list.push(row);
      else byService.set(row.service, [row]);
    }
    const messages = [...byService.values()].flatMap((orders) => {
      const [first] = orders;
      if (!first) return [];
      const more = moreWaitingLine(first.total, orders.length);
      return [
        renderEmail(
          waitingOrdersDigestEmail,
          {
            serviceName: site.serviceName,
            contactEmail: site.contactEmail,
            headline: `${first.total} ${first.total === 1 ? 'order has' : 'orders have'} waited more than ${DIGEST_WAITING_DAYS} days`,
            greeting: `Hello ${first.teamName},`,
            paragraphs: [
              `These orders for your service have waited more than ${DIGEST_WAITING_DAYS} days for the team, oldest first:`,
            ],
            licences: orders.map((order) => ({
              // the team's words, as its queue says them ("Provisioning failed", not the customer's "Being set up (delayed)")
              line: `${order.reference}: ${STAFF_STATUS_LABELS[order.status]}, ${order.product}, ${order.department}, bought by ${order.buyer}, waiting ${describeAge(ageInDays(order.submittedAt, now))}`,
              url: `${site.publicUrl}/admin/orders/${order.reference}/`,
            })),
            closing: [
              ...(more ? [more] : []),
              `The orders queue lists every one of them: ${waitingQueueUrl(site, first.service)}`,
              'This digest goes out each Monday while orders wait.',
            ],
          },
          { to: first.teamEmail },
        ),
      ];
    });
    await queueEmails(tx, messages, jobs);
    return {
      week,
      emails: messages.length,
      orders: [...byService.values()].reduce((n, l) => n + (l[0]?.total ?? 0), 0),
    };
  });
}

/** The service's orders queue, filtered as the digest is: those needing the team, waiting more than DIGEST_WAITING_DAYS days. */
function waitingQueueUrl(site: SiteLinks, service: string): string {
  const query = new URLSearchParams([
    ['service', service],
    ['olderThan', String(DIGEST_WAITING_DAYS)],
  ]);
  return `${site.publicUrl}/admin/orders/?${query.toString()}`;
}
