import type { ComponentChildren } from 'preact';
import { SummaryList } from '../../platform/web/components.tsx';
import { Page, type PageContext } from '../../platform/web/layout.tsx';
import { formatPence } from '../catalogue/money.ts';
import { sizeText } from '../catalogue/sizes.ts';
import { quotePriceLines, quoteSubject } from './quote-pdf.ts';
import { formatDay, quoteValidUntilWords } from './quote-rules.ts';
import { type QuoteStanding, quoteNextStep } from './quote-standing.ts';
import type { Quote } from './quotes.repository.ts';

const years = (count: number): string => (count === 1 ? '1 year' : `${count} years`);

export const quotePath = (reference: string): string => `/storage/quotes/${reference}/`;
export const quotePdfPath = (reference: string): string => `/storage/quotes/${reference}/quote.pdf`;

/**
 * One quote: the offer, whether it can still be ordered with, the PDF, and the ways on to buying.
 * `standing`: whether it can still be ordered with and, if not, the reason that matters most
 * (quote-standing.ts, by the rule an order with it is refused by), which decides the way on: with
 * it; at today's price once it expired; its order once used; its licence once that has gone or
 * moved on. Never a way that cannot work or would buy the same twice.
 */
export function QuotePage({
  context,
  quote,
  standing,
  mayOrder,
}: {
  context: PageContext;
  quote: Quote;
  standing: QuoteStanding;
  /** Whether the reader may order with it (quote-rules.ts canOrderWithQuote): staff read, but do not buy. */
  mayOrder: boolean;
}) {
  const priceLines = quotePriceLines(quote);
  const { change, setup } = quote;
  const order = quoteNextStep(quote, standing);
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
      {standing.because === 'used' ? (
        <div class="notice notice--warning">
          <p>
            <strong>This quote was used for order {quote.usedBy}.</strong> A quote pays for one order: do not raise
            another purchase order against it.
          </p>
        </div>
      ) : standing.because === 'licence' && !standing.todaysPrice ? (
        <div class="notice notice--warning">
          <p>
            <strong>This quote can no longer be used.</strong> {standing.refusal}. Do not raise a purchase order against
            it: the licence’s page says what can be ordered for it now.
          </p>
        </div>
      ) : standing.because ? (
        <div class="notice notice--warning">
          <p>
            {standing.because === 'expired' ? (
              <strong>This quote expired on {formatDay(quote.validUntil)}.</strong>
            ) : (
              <>
                <strong>This quote can no longer be used.</strong> {standing.refusal}.
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
      {/* Paying against a quote that was used, or whose licence has gone, would pay for nothing. */}
      {standing.todaysPrice ? (
        <>
          <h2>How to pay with a purchase order</h2>
          <p>
            Raise a purchase order to University Information Services quoting {quote.reference}, for{' '}
            {formatPence(quote.totalPence)}. When you {order.what}, choose “purchase order”, enter the PO number and
            upload the PO as a PDF. You can also pay with a University finance code.{' '}
            <a href="/help/payment-methods/">How to pay, step by step</a>.
          </p>
        </>
      ) : null}
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
