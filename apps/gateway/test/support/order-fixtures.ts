import { sql } from 'kysely';
import type { Executor } from '../../src/platform/db/database.ts';

/**
 * Many orders at once, for the back-office queue's tests and its benchmark (bench/back-office-queue.ts).
 * The rows are what a purchase through the pages writes (a pending or active licence, the order
 * with its frozen price and terms, the payment, a PO document row for a purchase order), made in
 * set-based INSERT … SELECT statements over generate_series, with every choice (product, status,
 * department, people, age, payment) a fixed function of the row's number so a run is repeatable.
 * Nothing here is used by the application itself.
 */

export interface GeneratedOrders {
  /** How many orders to add. */
  count: number;
  /** The instant the ages count back from (the app's clock). */
  now: Date;
  /** People who buy and own (ids); chosen in turn by row. */
  personIds: readonly number[];
  /** Departments (institution ids); chosen in turn by row. */
  institutionIds: readonly string[];
  /** Products; chosen in turn by row (default: every product). */
  productCodes?: readonly string[];
  /** One status for every row, or (default) a spread like a few years of history. */
  status?: string;
  /** Orders are submitted up to this many days before `now` (waiting ones within the first 60 at most). */
  spreadDays?: number;
  /** Numbers the rows from here (so batches differ); default 1. */
  firstRow?: number;
}

/** The spread by (row × 7919) mod 100: most orders are done, a few wait for the team. */
const STATUS_SPREAD = `CASE
  WHEN k < 70 THEN 'completed' WHEN k < 80 THEN 'cancelled' WHEN k < 85 THEN 'rejected'
  WHEN k < 90 THEN 'awaiting-approval' WHEN k < 93 THEN 'awaiting-payment-check' WHEN k < 96 THEN 'approved'
  WHEN k < 98 THEN 'provisioning' ELSE 'provisioning-failed' END`;

/** Adds `count` orders in three statements (licences; orders; PO documents and payments). Returns the first and last order id. */
export async function generateOrders(
  db: Executor,
  options: GeneratedOrders,
): Promise<{ firstId: number; lastId: number }> {
  const products =
    options.productCodes ??
    (await db.selectFrom('products').select('code').orderBy('code').execute()).map((p) => p.code);
  if (options.personIds.length === 0 || options.institutionIds.length === 0 || products.length === 0) {
    throw new Error('generateOrders needs people, departments and products');
  }
  const first = options.firstRow ?? 1;
  const last = first + options.count - 1;
  const spreadMinutes = Math.max(1, Math.round((options.spreadDays ?? 3 * 365) * 24 * 60));
  const waitingMinutes = Math.min(spreadMinutes, 60 * 24 * 60);
  const status = options.status ? sql`${options.status}::text` : sql.raw(STATUS_SPREAD);
  const people = sql`(${`{${options.personIds.join(',')}}`}::bigint[])`;
  const departments = sql`(${`{${options.institutionIds.join(',')}}`}::text[])`;
  const productArray = sql`(${`{${products.join(',')}}`}::text[])`;

  // One statement: licences, then the orders that reference them, then their PO documents and payments.
  const rows = await sql<{ first_id: string; last_id: string }>`
    WITH rows AS (
      SELECT g,
             (g * 7919) % 100 AS k,
             ${productArray}[(1 + (g * 31) % cardinality(${productArray}))::int] AS product_code,
             ${departments}[(1 + (g * 17) % cardinality(${departments}))::int] AS institution_id,
             ${people}[(1 + (g * 13) % cardinality(${people}))::int] AS buyer_id,
             ${people}[(1 + (g * 29 + 7) % cardinality(${people}))::int] AS owner_id,
             (1 + (g * 11) % 20)::int AS size_tb,
             (1 + (g * 3) % 5)::int AS term_years
        FROM generate_series(${first}::bigint, ${last}::bigint) AS g
    ),
    chosen AS (
      SELECT rows.*, ${status} AS status FROM rows
    ),
    new_licences AS (
      INSERT INTO licences (product_code, name, institution_id, owner_person_id, size_tb, status)
      SELECT product_code, 'Generated licence ' || g, institution_id, owner_id, size_tb,
             CASE WHEN status = 'completed' THEN 'active'
                  WHEN status IN ('cancelled', 'rejected') THEN 'cancelled' ELSE 'pending' END
        FROM chosen
      RETURNING id, name
    ),
    priced AS (
      SELECT c.*, l.id AS licence_id, i.customer_class, p.pence_per_tb_year, p.valid_from, t.id AS terms_id,
             ${options.now}::timestamptz - make_interval(mins => CASE
               WHEN c.status IN ('completed', 'cancelled', 'rejected') THEN ((c.g * 104729) % ${spreadMinutes})::int
               ELSE ((c.g * 104729) % ${waitingMinutes})::int END) AS submitted_at
        FROM chosen c
        JOIN new_licences l ON l.name = 'Generated licence ' || c.g
        JOIN institutions i ON i.id = c.institution_id
        JOIN products pr ON pr.code = c.product_code
        JOIN LATERAL (SELECT pence_per_tb_year, valid_from FROM prices
                       WHERE product_code = c.product_code AND customer_class = i.customer_class
                       ORDER BY valid_from DESC LIMIT 1) p ON true
        JOIN LATERAL (SELECT id FROM terms_versions WHERE service = pr.service
                       ORDER BY published_on DESC LIMIT 1) t ON true
    ),
    new_orders AS (
      INSERT INTO orders (kind, status, status_reason, licence_id, buyer_person_id, product_code, institution_id,
                          customer_class, size_tb, term_years, pence_per_tb_year, price_valid_from, net_pence,
                          vat_pence, total_pence, terms_version_id, terms_accepted_at, submission_key, submitted_at,
                          decided_at)
      SELECT 'new', status, CASE WHEN status = 'rejected' THEN 'Generated: not approved' END, licence_id, buyer_id,
             product_code, institution_id, customer_class, size_tb, term_years, pence_per_tb_year, valid_from,
             pence_per_tb_year * size_tb * term_years,
             CASE WHEN customer_class = 'external' THEN pence_per_tb_year * size_tb * term_years / 5 ELSE 0 END,
             pence_per_tb_year * size_tb * term_years
               + CASE WHEN customer_class = 'external' THEN pence_per_tb_year * size_tb * term_years / 5 ELSE 0 END,
             terms_id, submitted_at, gen_random_uuid(), submitted_at,
             CASE WHEN status IN ('approved', 'provisioning', 'completed', 'provisioning-failed', 'rejected')
                  THEN submitted_at + interval '1 day' END
        FROM priced
      RETURNING id, buyer_person_id, status, submitted_at
    ),
    paid AS (
      SELECT o.*, CASE WHEN (o.id * 13) % 10 < 6 THEN 'finance-code' ELSE 'purchase-order' END AS method
        FROM new_orders o
    ),
    documents AS (
      INSERT INTO uploaded_documents (person_id, storage_key, file_name, content_type, size_bytes, sha256, uploaded_at)
      SELECT buyer_person_id, 'generated/po-' || id, 'po-' || id || '.pdf', 'application/pdf', 1024,
             md5(id::text), submitted_at
        FROM paid WHERE method = 'purchase-order'
      RETURNING id, storage_key
    ),
    payments AS (
      INSERT INTO payments (order_id, method, finance_code, po_number, po_document_id, check_status, check_message,
                            checked_at, check_attempts)
      SELECT p.id, p.method,
             CASE WHEN p.method = 'finance-code' THEN 'PHAA.GAAA' END,
             CASE WHEN p.method = 'purchase-order' THEN 'PO-' || (4500000000 + p.id) END,
             d.id,
             CASE WHEN p.method = 'purchase-order' THEN 'not-needed'
                  WHEN p.status = 'awaiting-payment-check' THEN 'pending' ELSE 'valid' END,
             CASE WHEN p.method = 'finance-code' AND p.status <> 'awaiting-payment-check' THEN 'Physics: general' END,
             CASE WHEN p.method = 'finance-code' AND p.status <> 'awaiting-payment-check' THEN p.submitted_at END,
             CASE WHEN p.status = 'awaiting-payment-check' THEN 1 ELSE 0 END
        FROM paid p LEFT JOIN documents d ON d.storage_key = 'generated/po-' || p.id
      RETURNING order_id
    )
    SELECT min(order_id)::text AS first_id, max(order_id)::text AS last_id FROM payments
  `.execute(db);
  const row = rows.rows[0];
  return { firstId: Number(row?.first_id), lastId: Number(row?.last_id) };
}

/**
 * Adds `count` people (CRSids gen00001…) with names from 40 first names and 900 surnames (two
 * syllables each), so a surname is shared by a handful of people as in a real directory. Returns their ids.
 */
export async function generatePeople(db: Executor, count: number, prefix = 'gen'): Promise<number[]> {
  const rows = await sql<{ id: string }>`
    WITH syllables AS (
      SELECT ARRAY['Ab','Bar','Cal','Dun','Ed','Far','Gold','Hal','Ings','Jar','Kel','Lang','Mor','Nor','Oak',
                   'Pen','Quar','Ros','Sum','Tam','Ul','Ver','Wal','Yar','Ash','Brad','Corn','Dal','Elm','Fen'] AS a,
             ARRAY['ley','ford','ton','wick','by','ham','well','more','field','croft','dale','stone','wood','worth',
                   'combe','bury','land','mere','ridge','shaw','thorpe','gate','holm','brook','hurst','sey','ling',
                   'ett','son','kin'] AS b,
             ARRAY['Ada','Ben','Cara','Dev','Eli','Fay','Gus','Hana','Ivo','Jun','Kai','Lena','Max','Nia','Omar',
                   'Pia','Raj','Sara','Tom','Uma','Vic','Wen','Xia','Yusuf','Zoe','Amir','Bea','Chen','Dina','Emil',
                   'Femi','Gita','Hugo','Ines','Jack','Kofi','Lior','Mei','Nils','Olga'] AS f
    )
    INSERT INTO people (crsid, display_name, email, institution_id)
    SELECT ${prefix} || lpad(g::text, 5, '0'),
           f[1 + g % 40] || ' ' || a[1 + ((g * 7919) % 900) / 30] || b[1 + ((g * 7919) % 900) % 30],
           ${prefix} || lpad(g::text, 5, '0') || '@cam.ac.uk', NULL
      FROM generate_series(1, ${count}::int) AS g, syllables
    RETURNING id
  `.execute(db);
  return rows.rows.map((row) => Number(row.id));
}
