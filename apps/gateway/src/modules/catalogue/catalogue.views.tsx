import { SummaryList } from '../../platform/web/components.tsx';
import { Page, type PageContext } from '../../platform/web/layout.tsx';
import type { CatalogueProduct } from './catalogue.repository.ts';
import { formatPence } from './money.ts';
import { sizeText } from './sizes.ts';

const SERVICE_INTRO: Record<CatalogueProduct['service'], string> = {
  research:
    'Research Computing Services sells storage for research groups: disk mounted on the HPC clusters, desktop file shares and a tape archive.',
  institutional:
    'The Institutional File Storage service sells departmental and College file shares for everyday documents holding low- and standard-risk data.',
};

export function CataloguePage({ context, products }: { context: PageContext; products: CatalogueProduct[] }) {
  const services = [...new Set(products.map((product) => product.service))];
  return (
    <Page context={context} title="Storage we offer" crumbs={[{ label: 'Home', href: '/' }]}>
      <h1>Storage we offer</h1>
      <p>
        Prices are per terabyte (TB) per year. Departments of the University pay the internal price; Colleges and
        organisations outside the University pay the external price plus VAT.
      </p>
      {services.map((service) => {
        const inService = products.filter((product) => product.service === service);
        return (
          <section key={service} aria-labelledby={`service-${service}`}>
            <h2 id={`service-${service}`}>{inService[0]?.serviceName}</h2>
            <p>{SERVICE_INTRO[service]}</p>
            <table>
              <caption class="visually-hidden">{inService[0]?.serviceName} products and prices</caption>
              <thead>
                <tr>
                  <th scope="col">Product</th>
                  <th scope="col">Internal price per TB per year</th>
                  <th scope="col">External price per TB per year (before VAT)</th>
                  <th scope="col">Minimum size</th>
                  <th scope="col">Terms</th>
                </tr>
              </thead>
              <tbody>
                {inService.map((product) => (
                  <tr key={product.code}>
                    <th scope="row">
                      <a href={`/catalogue/${product.code}/`}>{product.name}</a> ({product.code})
                      <br />
                      <span class="hint">{product.summary}</span>
                    </th>
                    <td>{priceText(product.prices.internal)}</td>
                    <td>{priceText(product.prices.external)}</td>
                    <td>{sizeText(product.minimumTb)}</td>
                    <td>{termsText(product.termsYears)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </section>
        );
      })}
    </Page>
  );
}

export function ProductPage({ context, product }: { context: PageContext; product: CatalogueProduct }) {
  const rows: Array<[string, string]> = [
    ['Service', product.serviceName],
    ['Internal price', `${priceText(product.prices.internal)} per TB per year`],
    ['External price', `${priceText(product.prices.external)} per TB per year, plus VAT`],
    ['Minimum size', `${sizeText(product.minimumTb)}, in whole TB`],
    ['Terms', termsText(product.termsYears)],
  ];
  if (product.filesPerTb) rows.push(['File allowance', `${product.filesPerTb.toLocaleString('en-GB')} files per TB`]);
  return (
    <Page
      context={context}
      title={product.name}
      crumbs={[
        { label: 'Home', href: '/' },
        { label: 'Storage we offer', href: '/catalogue/' },
      ]}
    >
      <h1>
        {product.name} <span class="caption">({product.code})</span>
      </h1>
      <p class="lead">{product.summary}</p>
      <p>{product.description}</p>
      <SummaryList rows={rows} />
      <p>
        <a class="button" href={purchasePath(product)}>
          Buy {product.name}
        </a>{' '}
        or <a href="/help/payment-methods/">read how to pay</a>.
      </p>
    </Page>
  );
}

/**
 * Where buying a product starts: institutional storage at /storage/IFS/, as in the original service.
 * Either starts afresh (`?start`: purchase.routes.tsx), leaving behind a quote followed earlier.
 */
export function purchasePath(product: Pick<CatalogueProduct, 'code' | 'service'>): string {
  return product.service === 'institutional'
    ? '/storage/IFS/'
    : `/storage/buy/${encodeURIComponent(product.code)}/?start`;
}

function priceText(pence: number | undefined): string {
  return pence === undefined ? 'not sold' : formatPence(pence);
}

function termsText(years: number[]): string {
  return years.map((year) => (year === 1 ? '1 year' : `${year} years`)).join(', ');
}
