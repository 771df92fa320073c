import type { Executor } from '../../platform/db/database.ts';
import type { PricesTable, ProductsTable, ServicesTable, TermsVersionsTable } from './catalogue.tables.ts';

const SERVICES: ServicesTable[] = [
  {
    code: 'research',
    name: 'Research storage',
    team_name: 'Research Computing Services',
    team_email: 'research-storage@example.ac.uk',
  },
  {
    code: 'institutional',
    name: 'Institutional file storage',
    team_name: 'Institutional File Storage',
    team_email: 'ifs@example.ac.uk',
  },
];

type ProductSeed = Omit<ProductsTable, 'active'>;

const PRODUCTS: ProductSeed[] = [
  {
    code: 'RDS',
    service: 'research',
    name: 'Research Data Store',
    summary: 'Fast project storage mounted on the HPC clusters, reached over SSH and SFTP.',
    description:
      'Disk storage for working research data, mounted on the University HPC clusters. Each TB comes with an allowance of files. Not a desktop share: use the Research File Share for that.',
    minimum_tb: 1,
    files_per_tb: 1_000_000,
    terms_years: [1, 2, 3, 4, 5],
    sort_order: 1,
  },
  {
    code: 'RFS',
    service: 'research',
    name: 'Research File Share',
    summary: 'A desktop (SMB) share with hourly snapshots, copied to a second data centre.',
    description:
      'A file share that research groups map as a drive on their desktops and laptops. Snapshots let people restore their own files from the last month; a second copy is kept in another building.',
    minimum_tb: 1,
    files_per_tb: null,
    terms_years: [1, 2, 3, 4, 5],
    sort_order: 2,
  },
  {
    code: 'RCS',
    service: 'research',
    name: 'Research Cold Store',
    summary: 'A tape archive for data you must keep but rarely read.',
    description:
      'Data is written to tape and duplicated to a second tape library. Reading it back takes minutes to hours. Each TB comes with an allowance of files, so archive many small files as one tar or zip file.',
    minimum_tb: 1,
    files_per_tb: 10_000,
    terms_years: [1, 3, 5, 10],
    sort_order: 3,
  },
  {
    code: 'IFS',
    service: 'institutional',
    name: 'Institutional File Store',
    summary: 'A departmental or College file share for everyday documents (low- and standard-risk data).',
    description:
      'Each department or College gets storage areas, each with its own quota, managed by its own Data Owner and Data Managers, with access through your own Active Directory groups.',
    minimum_tb: 1,
    files_per_tb: null,
    terms_years: [1],
    sort_order: 4,
  },
];

/** Pence per TB per year; the external price carries the University's indirect costs. */
const PRICES: Array<Omit<PricesTable, 'id' | 'created_at'>> = [
  ['RDS', 5_400, 6_480],
  ['RFS', 13_900, 16_680],
  ['RCS', 1_200, 1_440],
  ['IFS', 15_000, 18_000],
].flatMap(([code, internal, external]) => [
  {
    product_code: code as string,
    customer_class: 'internal' as const,
    pence_per_tb_year: internal as number,
    valid_from: '2026-08-01',
  },
  {
    product_code: code as string,
    customer_class: 'external' as const,
    pence_per_tb_year: external as number,
    valid_from: '2026-08-01',
  },
]);

/** The terms each service's buyers accept; an order records the version. */
const TERMS: Array<Omit<TermsVersionsTable, 'id'>> = [
  {
    service: 'research',
    version: '2026-08',
    title: 'Research storage terms and conditions',
    published_on: '2026-08-01',
    body: [
      'These terms are an agreement between University Information Services (UIS) and the customer: the department or body paying for the storage, represented by the Data Owner.',
      'UIS provides the storage for the term bought, aims for it to be available 24 hours a day, and keeps logs of access for at least 7 days. The Research File Share is copied to a second data centre every hour.',
      'The Data Owner decides who may use the storage and is responsible for the data kept on it, including personal and sensitive data, which must be handled under the University’s information security policies.',
      'Before the end date we send reminders 60, 30 and 7 days ahead. The end date is the last day the storage can be used: storage that is not renewed becomes read-only the day after the end date, moves to the Research Cold Store 30 days after the end date (it can be recovered for a fee), and may be deleted 6 months after the end date.',
      'Charges are for the whole term, in advance, at the price on the order. External customers, Colleges included, pay VAT.',
    ].join('\n\n'),
  },
  {
    service: 'institutional',
    version: '2026-08',
    title: 'Institutional File Store terms and conditions',
    published_on: '2026-08-01',
    body: [
      'The Institutional File Store is for low- and standard-risk University information. It is not for high-risk or research data that belongs on the research storage services.',
      'The Data Owner is the department’s nominee and decides who may use each storage area, through the department’s own directory groups.',
      'Storage is bought by the year, at the price on the order. A voucher from UIS pays for the free quota it names and nothing more.',
      'We send reminders before the end of each year. Storage that is not renewed becomes read-only, then is archived, and may be deleted 6 months after the end date; we never delete it without telling the Data Owner.',
    ].join('\n\n'),
  },
];

/**
 * The four products with their prices. Safe to run again: existing rows are left as they are, a
 * terms version's text included (it is what its orders were accepted under): a changed text reaches
 * only a database seeded afresh; an existing one needs a new version.
 */
export async function seedCatalogue(db: Executor): Promise<void> {
  await db
    .insertInto('services')
    .values(SERVICES)
    .onConflict((oc) => oc.column('code').doNothing())
    .execute();
  await db
    .insertInto('products')
    .values(PRODUCTS)
    .onConflict((oc) => oc.column('code').doNothing())
    .execute();
  await db
    .insertInto('prices')
    .values(PRICES)
    .onConflict((oc) => oc.columns(['product_code', 'customer_class', 'valid_from']).doNothing())
    .execute();
  await db
    .insertInto('terms_versions')
    .values(TERMS)
    .onConflict((oc) => oc.columns(['service', 'version']).doNothing())
    .execute();
}
