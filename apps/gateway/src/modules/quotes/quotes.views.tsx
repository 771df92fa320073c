import type { ComponentChildren } from 'preact';
import { SummaryList } from '../../platform/web/components.tsx';
import { Page, type PageContext } from '../../platform/web/layout.tsx';
import { formatPence } from '../catalogue/money.ts';
import { sizeText } from '../catalogue/sizes.ts';
import { CHANGE_ACTION_WORDS, changePath } from '../orders/change-orders.views.tsx';
import { quotePriceLines, quoteSubject } from './quote-pdf.ts';
import { formatDay, quoteValidUntilWords } from './quote-rules.ts';
import type { Quote } from './quotes.repository.ts';

const years = (count: number): string => (count === 1 ? '1 year' : `${count} years`);

export const quotePath = (reference: string): string => `/storage/quotes/${reference}/`;
export const quotePdfPath = (reference: string): string => `/storage/quotes/${reference}/quote.pdf`;

/**
 * One quote: the offer, whether it can still be ordered with, the PDF, and the ways on to buying.
 * `refusal`: why it can no longer be ordered with (change-orders.service.ts quoteRefusal, the rule
 * an order with it is refused by), or null; `expired` tells an expired one from one whose licence
 * has moved on. A change quote that cannot be used leads to the change at today's price, not to a
 * refusal.
 */
export function QuotePage({
  context,
  quote,
  expired,
  refusal,
  mayOrder,
}: {
  context: PageContext;
  quote: Quote;
  expired: boolean;
  refusal: string | null;
  /** Whether the reader may order with it (quote-rules.ts canOrderWithQuote): staff read, but do not buy. */
  mayOrder: boolean;
}) {
  const priceLines = quotePriceLines(quote);
  const { change, setup } = quote;
  const order = change
    ? refusal
      ? {
          href: `${changePath(change.licenceId, change.kind)}?quote=`,
          words: `${CHANGE_ACTION_WORDS[change.kind]} at today’s price`,
          what: 'order the change',
        }
      : {
          href: `${changePath(change.licenceId, change.kind)}?quote=${encodeURIComponent(quote.reference)}`,
          words: `${CHANGE_ACTION_WORDS[change.kind]} with this quote`,
          what: 'order the change',
        }
    : {
        href: `/storage/buy/${quote.productCode}/?quote=${encodeURIComponent(quote.reference)}`,
        words: 'Buy this storage',
        what: 'buy the storage',
      };
  const what: Array<[string, ComponentChildren]> = change
    ? [
        ['For', quoteSubject(quote)],
        ['Product', `${quote.productName} (${quote.productCode})`],
        ['Sold by', quote.team.name],
        [
          'Licence',
          <>
            <a href={`/storage/licence/${change.licenceId}/`}>{quote.licenceName}</a> (licence number {change.licenceId}
            )
          </>,
        ],
        [change.kind === 'increase' ? 'Space added' : 'Size', sizeText(quote.sizeTb)],
        ['Period', `${formatDay(change.startsOn)} to ${formatDay(change.endsOn)}`],
        ['Price per TB per year', formatPence(quote.pencePerTbYear)],
      ]
    : [
        ['Product', `${quote.productName} (${quote.productCode})`],
        ['Sold by', quote.team.name],
        ['Licence name', quote.licenceName],
        ['Size', sizeText(quote.sizeTb)],
        ['Term', years(quote.termYears)],
        ...(setup
          ? ([
              ['Data Owner', setup.ownerCrsid],
              ['Data Managers', setup.managerCrsids.join(', ') || 'None'],
              ['First storage project', setup.projectName],
            ] as Array<[string, ComponentChildren]>)
          : []),
        ['Price per TB per year', formatPence(quote.pencePerTbYear)],
      ];
  return (
    <Page
      context={context}
      title={`Quote ${quote.reference}`}
      crumbs={[
        { label: 'Home', href: '/' },
        { label: 'My storage', href: '/storage/' },
      ]}
    >
      <h1>
        Quote {quote.reference} <span class="caption">{quoteSubject(quote)}</span>
      </h1>
      {refusal ? (
        <div class="notice notice--warning">
          <p>
            {expired ? (
              <strong>This quote expired on {formatDay(quote.validUntil)}.</strong>
            ) : (
              <>
                <strong>This quote can no longer be used.</strong> {refusal}.
              </>
            )}{' '}
            You can still {order.what}, at today’s price. Do not raise a purchase order against this quote: get a new
            one.
          </p>
        </div>
      ) : (
        <p class="lead">
          This price holds until {quoteValidUntilWords(quote)}. {order.what.charAt(0).toUpperCase()}
          {order.what.slice(1)} by then to pay the price on this quote.
        </p>
      )}
      <SummaryList
        rows={[
          ['Reference', quote.reference],
          ['Issued on', formatDay(quote.issuedOn)],
          ['Valid until', quoteValidUntilWords(quote)],
          ['Department', `${quote.institution.name} (${quote.institution.id})`],
          [
            'Customer type',
            quote.customerClass === 'external' ? 'External: VAT is charged' : 'Internal: University department',
          ],
          ['Asked for by', `${quote.requester.displayName} (${quote.requester.crsid})`],
          ...what,
        ]}
      />
      <table>
        <caption>Price</caption>
        <thead>
          <tr>
            <th scope="col">Item</th>
            <th scope="col">Amount</th>
          </tr>
        </thead>
        <tbody>
          {priceLines.map(([label, amount], index) =>
            index === priceLines.length - 1 ? (
              <tr key={label}>
                <th scope="row">{label}</th>
                <td>
                  <strong>{amount}</strong>
                </td>
              </tr>
            ) : (
              <tr key={label}>
                <td>{index === 0 ? `Net: ${label}` : label}</td>
                <td>{amount}</td>
              </tr>
            ),
          )}
        </tbody>
      </table>
      <p>
        <a href={quotePdfPath(quote.reference)} download={`${quote.reference}.pdf`}>
          Download the quote (PDF)
        </a>
      </p>
      <h2>How to pay with a purchase order</h2>
      <p>
        Raise a purchase order to University Information Services quoting {quote.reference}, for{' '}
        {formatPence(quote.totalPence)}. When you {order.what}, choose “purchase order”, enter the PO number and upload
        the PO as a PDF. You can also pay with a University finance code.{' '}
        <a href="/help/payment-methods/">How to pay, step by step</a>.
      </p>
      {mayOrder ? (
        <p>
          <a class="button" href={order.href}>
            {order.words}
          </a>
        </p>
      ) : (
        <p>
          {change
            ? 'Only the licence’s Data Owner and Data Managers can order with this quote.'
            : `Only ${quote.requester.displayName}, who asked for it, can buy with this quote.`}
        </p>
      )}
    </Page>
  );
}
