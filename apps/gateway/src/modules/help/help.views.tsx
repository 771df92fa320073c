import { Page, type PageContext } from '../../platform/web/layout.tsx';
import {
  CHANGE_IN_PROGRESS_LABELS,
  FINANCE_CODE_REFUSED_WORDS,
  isCancellable,
  ORDER_STATUS_WORDS,
  ORDER_STATUSES,
} from '../orders/order-status.ts';
import { PAYMENT_METHOD_NAMES, paymentMethodsFor } from '../payments/payment-details.ts';
import { PO_DOCUMENT_MAX_BYTES } from '../payments/po-document.ts';
import { QUOTE_VALID_DAYS } from '../quotes/quote-rules.ts';

/** A help page and what it answers, for the index. */
export interface HelpTopic {
  href: string;
  title: string;
  summary: string;
  sections?: Array<{ href: string; title: string }>;
}

/** The sections of the payment methods page, in order: its contents list and its headings come from here. */
const PAYMENT_SECTIONS = [
  { id: 'ways-to-pay', title: 'Ways to pay' },
  { id: 'finance-code', title: 'Pay with a University finance code' },
  { id: 'purchase-order', title: 'Pay with a purchase order' },
  { id: 'voucher', title: 'Use a voucher (Institutional File Store only)' },
  { id: 'after-you-order', title: 'What happens after you order' },
  { id: 'finance-code-refused', title: 'If your finance code is refused' },
  { id: 'questions', title: 'Questions' },
] as const;

type PaymentSection = (typeof PAYMENT_SECTIONS)[number]['id'];

const sectionTitle = (id: PaymentSection): string => PAYMENT_SECTIONS.find((section) => section.id === id)?.title ?? id;

export const PAYMENT_HELP_PATH = '/help/payment-methods/';

export const HELP_TOPICS: HelpTopic[] = [
  {
    href: PAYMENT_HELP_PATH,
    title: 'How to pay for storage',
    summary:
      'Finance codes, purchase orders against a quote, and vouchers: what each looks like, where to find it, and what happens after you order.',
    sections: PAYMENT_SECTIONS.map((section) => ({
      href: `${PAYMENT_HELP_PATH}#${section.id}`,
      title: section.title,
    })),
  },
  {
    href: '/catalogue/',
    title: 'Storage we offer',
    summary: 'The products, their prices per TB per year, minimum sizes and the terms you can buy.',
  },
];

const crumbs = [{ label: 'Home', href: '/' }];

export function HelpIndexPage({ context }: { context: PageContext }) {
  return (
    <Page context={context} title="Help" crumbs={crumbs}>
      <h1>Help</h1>
      <p class="lead">Answers to the questions people ask most about buying and paying for storage.</p>
      <ul>
        {HELP_TOPICS.map((topic) => (
          <li key={topic.href}>
            <h2>
              <a href={topic.href}>{topic.title}</a>
            </h2>
            <p>{topic.summary}</p>
            {topic.sections ? (
              <ul>
                {topic.sections.map((section) => (
                  <li key={section.href}>
                    <a href={section.href}>{section.title}</a>
                  </li>
                ))}
              </ul>
            ) : null}
          </li>
        ))}
      </ul>
      <h2>Still stuck?</h2>
      <p>
        Email <a href={`mailto:${context.contactEmail}`}>{context.contactEmail}</a>. If your question is about an order
        or a quote, include its reference (it starts ORD- or Q-).
      </p>
    </Page>
  );
}

const maximumMegabytes = PO_DOCUMENT_MAX_BYTES / (1024 * 1024);

function MethodList({ service }: { service: 'research' | 'institutional' }) {
  return (
    <ul>
      {paymentMethodsFor(service).map((method) => (
        <li key={method}>{PAYMENT_METHOD_NAMES[method]}</li>
      ))}
    </ul>
  );
}

/**
 * How to pay, written for a departmental administrator who has never bought storage before.
 * The numbers and status words come from the code that applies them, so this page and the
 * application never disagree.
 */
export function PaymentMethodsPage({ context }: { context: PageContext }) {
  const cancellable = ORDER_STATUSES.filter(isCancellable).map((status) => ORDER_STATUS_WORDS[status].label);
  const changing = Object.values(CHANGE_IN_PROGRESS_LABELS);
  return (
    <Page context={context} title="How to pay for storage" crumbs={[...crumbs, { label: 'Help', href: '/help/' }]}>
      <h1>How to pay for storage</h1>
      <p class="lead">
        You can pay with a University finance code, with a purchase order raised against a quote, or, for the
        Institutional File Store, with a voucher. This page explains each one and what happens after you order.
      </p>

      <nav aria-labelledby="contents-title">
        <h2 id="contents-title">Contents</h2>
        <ol>
          {PAYMENT_SECTIONS.map((section) => (
            <li key={section.id}>
              <a href={`#${section.id}`}>{section.title}</a>
            </li>
          ))}
        </ol>
      </nav>

      <section aria-labelledby="ways-to-pay">
        <h2 id="ways-to-pay">{sectionTitle('ways-to-pay')}</h2>
        <table>
          <caption>Which ways to pay you can use</caption>
          <thead>
            <tr>
              <th scope="col">Storage</th>
              <th scope="col">You can pay with</th>
            </tr>
          </thead>
          <tbody>
            <tr>
              <th scope="row">Research storage (Research Data Store, Research File Share, Research Cold Store)</th>
              <td>
                <MethodList service="research" />
              </td>
            </tr>
            <tr>
              <th scope="row">Institutional File Store</th>
              <td>
                <MethodList service="institutional" />
              </td>
            </tr>
          </tbody>
        </table>
        <p>
          University departments pay the internal price. Colleges and organisations outside the University pay the
          external price plus VAT at 20%. You pay for the whole term when you order, at the price shown when you order
          (or the price on your quote, if it is still valid).
        </p>
      </section>

      <section aria-labelledby="finance-code">
        <h2 id="finance-code">{sectionTitle('finance-code')}</h2>
        <p>
          A finance code tells University Finance which budget pays. It is the quickest way to pay if you work in a
          University department. There are two kinds: a GL code for a department’s own money, and a grant code for money
          from a research grant. Type either kind into the one “finance code” box when you order.
        </p>
        <h3 id="gl-code">A GL code</h3>
        <p>A GL (general ledger) code has two parts of 4 characters each:</p>
        <ul>
          <li>
            the <strong>cost centre</strong>: 2 letters for the department, then 2 letters or digits;
          </li>
          <li>
            the <strong>source of funds</strong>: a letter for the kind of money, then 3 letters or digits.
          </li>
        </ul>
        <p>
          For example: <code>PHAA.GAAA</code>. You can type it with a dot, a hyphen, a space or nothing between the
          parts, in capitals or not. Some departments add a third part of 4 characters, the transaction code (for
          example <code>PHAA.GAAA.LAAA</code>); you can include it or leave it off.
        </p>
        <h3 id="grant">A grant code</h3>
        <p>A grant code has three parts:</p>
        <ul>
          <li>
            the <strong>award</strong>: RG or G followed by digits, for example RG94772;
          </li>
          <li>
            the <strong>project</strong>: 4 to 12 letters or digits, for example PHAG0042;
          </li>
          <li>
            the <strong>task</strong>: a number, sometimes with dotted parts, for example 1.1.
          </li>
        </ul>
        <p>
          Type all three, separated by slashes or spaces: <code>RG94772 / PHAG0042 / 1.1</code>. The grant must still be
          open on the day you order, and storage must be something it can pay for.
        </p>
        <h3 id="find-a-finance-code">Where to find your finance code</h3>
        <ul>
          <li>
            Ask your department’s finance administrator. They can look up codes in CUFS, the University Financial
            System, and tell you which one to use for storage.
          </li>
          <li>If you have access to CUFS yourself, the code is on the budget reports for your cost centre.</li>
          <li>
            For a grant, the award, project and task numbers are on the Research Grants and project finance pages for
            your grant, or ask your department’s grants administrator.
          </li>
        </ul>
        <p>
          When you order, we check the code with CUFS straight away. If CUFS cannot answer at that moment, your order
          waits and we check again automatically; you do not need to order again.
        </p>
      </section>

      <section aria-labelledby="purchase-order">
        <h2 id="purchase-order">{sectionTitle('purchase-order')}</h2>
        <p>
          Use a purchase order (PO) if your department, College or organisation pays suppliers that way, or if you
          cannot use a finance code. You raise the PO against a quote from this site.
        </p>
        <ol>
          <li>
            <strong>Get a quote.</strong> Choose the storage you want, fill in its details and choose “Get a quote”. The
            quote has a number starting Q- (for example Q-000123) and holds its price for {QUOTE_VALID_DAYS} days (a
            quote for a change of a licence no longer than the change can be ordered: it says until when), for one
            order. You can download it as a PDF to send to whoever raises purchase orders in your department. To renew a
            licence (from the day its page says renewal opens, by the first reminder before its end date, or once it has
            expired: the renewal is then back-dated), recover it from the cold store or make it bigger, open that change
            from the licence’s page, choose the term (or the TB to add) and choose “Get a quote” there: the Data Owner
            and Data Managers can. A renewal is not sold earlier, as it is priced at the price of the day.
          </li>
          <li>
            <strong>Raise a purchase order</strong> in CUFS, to the supplier University Information Services, for the
            total on the quote, and write the quote number (Q-…) on the PO. Colleges and organisations outside the
            University raise the PO in their own purchasing system, addressed to University Information Services,
            University of Cambridge.
          </li>
          <li>
            <strong>Buy the storage</strong> before the quote expires: open the quote on this site and choose “Buy this
            storage” (for a change of a licence, “Renew with this quote”, or “Recover …” or “Increase …”). Choose
            “Purchase order” as the way to pay, enter the PO number and upload the PO.
          </li>
        </ol>
        <ul>
          <li>
            A PO number is 4 to 20 letters, digits, hyphens or slashes, for example <code>P1234567</code>.
          </li>
          <li>
            Upload the PO as a PDF of {maximumMegabytes} MB or smaller. A scan or a PDF exported from CUFS is fine;
            photos and Word documents are not accepted.
          </li>
          <li>
            If the quote has expired, you can still buy the storage (unless it was used for an order already: a quote
            pays for one order), but at the price on the day you order. Get a new quote first if your PO must match the
            price exactly. A quote for a change of a licence no longer applies once it has expired or the licence has
            changed since (renewed another way, made bigger, moved to the cold store): the site says so, and you get a
            new quote.
          </li>
        </ul>
      </section>

      <section aria-labelledby="voucher">
        <h2 id="voucher">{sectionTitle('voucher')}</h2>
        <p>
          A voucher is a single-use code from University Information Services that pays for a department’s free initial
          quota of Institutional File Store. It is not money: it pays only for the storage it names, up to the size it
          names, and only for the department it names, if it names one.
        </p>
        <p>
          If you have one, choose “Voucher” as the way to pay and type the code (for example <code>IFS-CHEM-2026</code>)
          instead of a purchase order. Once an order has used a voucher it cannot be used again; if you cancel that
          order, the voucher can be used again. Vouchers cannot pay for research storage.
        </p>
      </section>

      <section aria-labelledby="after-you-order">
        <h2 id="after-you-order">{sectionTitle('after-you-order')}</h2>
        <p>
          Every order has a number starting ORD-. You can follow it under My storage. These are the stages it goes
          through:
        </p>
        <table>
          <caption>What each order status means</caption>
          <thead>
            <tr>
              <th scope="col">Status</th>
              <th scope="col">What it means</th>
            </tr>
          </thead>
          <tbody>
            {ORDER_STATUSES.flatMap((status) =>
              status === 'awaiting-payment-check'
                ? [ORDER_STATUS_WORDS[status], FINANCE_CODE_REFUSED_WORDS]
                : [ORDER_STATUS_WORDS[status]],
            ).map((words) => (
              <tr key={words.label}>
                <th scope="row">{words.label}</th>
                <td>{words.explanation}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <p>
          An order that changes a licence reads, while the storage team makes the change, as what is being done instead
          of Being set up: {`${changing.slice(0, -1).join(', ')} or ${changing.at(-1)}`} (with “(delayed)” after it if
          the change hit a problem, which the storage team is told of).
        </p>
        <h3 id="emails">Emails</h3>
        <p>
          We email the person who ordered and the Data Owner when the order is received, when the payment details are
          checked or need changing, when it is approved or not approved, and when the storage is ready to use.
        </p>
        <h3 id="cancel">Cancelling an order</h3>
        <p>
          You can cancel an order until the storage team starts setting it up, that is while its status is{' '}
          {`${cancellable.slice(0, -1).join(', ')} or ${cancellable.at(-1)}`}. Open the order and cancel it there.
          Nothing is charged for a cancelled order. Once set-up has started, email us instead.
        </p>
      </section>

      <section aria-labelledby="finance-code-refused">
        <h2 id="finance-code-refused">{sectionTitle('finance-code-refused')}</h2>
        <p>
          If CUFS says the finance code cannot be used (for example, it does not exist, it is closed, or the grant has
          ended), we email you the reason and the order waits for you. You do not need to order again.
        </p>
        <ol>
          <li>Check the code you typed against the one your finance administrator gave you.</li>
          <li>
            If it was right, ask your department’s finance administrator (or grants administrator, for a grant) for a
            code that is open.
          </li>
          <li>Open the order and give the new finance code, or pay with a purchase order instead.</li>
        </ol>
        <p>
          A finance code that closes while it pays for storage you already have is found by our nightly check: we email
          the Data Owner (or, if they have left the University, the Data Managers), and the storage stays in use. The
          Data Owner or a Data Manager gives an open code on the licence’s page, in My storage; it is checked with CUFS
          in the same way.
        </p>
      </section>

      <section aria-labelledby="questions">
        <h2 id="questions">{sectionTitle('questions')}</h2>
        <p>
          Email <a href={`mailto:${context.contactEmail}`}>{context.contactEmail}</a> and include your quote (Q-) or
          order (ORD-) number if you have one.
        </p>
      </section>
    </Page>
  );
}
