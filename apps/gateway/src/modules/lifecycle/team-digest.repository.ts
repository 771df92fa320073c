import { sql } from 'kysely';
import type { Executor } from '../../platform/db/database.ts';
import { NEEDS_ACTION_STATUSES } from '../orders/order-queue.ts';
import type { OrderStatus } from '../orders/order-status.ts';
import { DIGEST_MAX_LISTED } from './team-digest.ts';

export interface WaitingOrderRow {
  service: string;
  teamName: string;
  teamEmail: string;
  /** Every order waiting for this service, listed or not. */
  total: number;
  reference: string;
  status: OrderStatus;
  product: string;
  department: string;
  buyer: string;
  submittedAt: Date;
}

const textArray = (values: readonly string[]) => `{${values.map((value) => `"${value}"`).join(',')}}`;

/**
 * Claims the week's digest for every service with orders waiting since before `cutoff`, and
 * returns those orders (the oldest `DIGEST_MAX_LISTED` of each service, oldest first), in one
 * statement. A service whose digest for the week is recorded already is left out, so a second
 * run sends nothing; two runs at once both try to insert the same row, and one of them gets it.
 */
export async function claimWaitingOrders(tx: Executor, week: string, cutoff: Date): Promise<WaitingOrderRow[]> {
  const result = await sql<{
    service: string;
    team_name: string;
    team_email: string;
    total: string | number;
    reference: string;
    status: OrderStatus;
    product: string;
    department: string;
    buyer: string;
    submitted_at: Date;
  }>`
    WITH waiting AS (
      SELECT pr.service, o.reference, o.status, pr.name AS product, i.name AS department,
        p.display_name AS buyer, o.submitted_at,
        row_number() OVER (PARTITION BY pr.service ORDER BY o.submitted_at, o.id) AS n,
        count(*) OVER (PARTITION BY pr.service) AS total
      FROM orders o
      JOIN products pr ON pr.code = o.product_code
      JOIN institutions i ON i.id = o.institution_id
      JOIN people p ON p.id = o.buyer_person_id
      WHERE o.status = ANY(${textArray(NEEDS_ACTION_STATUSES)}::text[]) AND o.submitted_at < ${cutoff}
    ), claimed AS (
      INSERT INTO digest_runs (service, week_start, orders)
      SELECT service, ${week}::date, max(total) FROM waiting GROUP BY service
      ON CONFLICT DO NOTHING
      RETURNING service
    )
    SELECT w.service, s.team_name, s.team_email, w.total, w.reference, w.status, w.product, w.department,
      w.buyer, w.submitted_at
    FROM waiting w
    JOIN claimed c ON c.service = w.service
    JOIN services s ON s.code = w.service
    WHERE w.n <= ${DIGEST_MAX_LISTED}
    ORDER BY w.service, w.n
  `.execute(tx);
  return result.rows.map((row) => ({
    service: row.service,
    teamName: row.team_name,
    teamEmail: row.team_email,
    total: Number(row.total),
    reference: row.reference,
    status: row.status,
    product: row.product,
    department: row.department,
    buyer: row.buyer,
    submittedAt: new Date(row.submitted_at),
  }));
}
