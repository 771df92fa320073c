import { CsrfField, ErrorSummary, type FieldErrors, SummaryList } from '../../platform/web/components.tsx';
import { CheckboxField, RadioGroup, TextAreaField, TextField } from '../../platform/web/form-fields.tsx';
import type { PageContext } from '../../platform/web/layout.tsx';
import { AdminPage } from '../admin/admin.views.tsx';
import { DATE_HINT } from '../admin/manage-forms.ts';
import { Day, titleFor } from '../admin/manage-views.tsx';
import { AuditTrail } from '../audit/audit.views.tsx';
import type { CustomerClass } from '../people/people.tables.ts';
import type { PriceWithState, ProductForStaff, ProductWithPrices } from './catalogue.admin.service.ts';
import { CUSTOMER_CLASS_WORDS, productEditValues } from './catalogue-admin-rules.ts';
import { formatPence } from './money.ts';
import { sizeText } from './sizes.ts';

export const CATALOGUE_SECTION = '/admin/catalogue/';
export const adminProductPath = (code: string, rest = ''): string => `/admin/catalogue/${code}/${rest}`;

const CLASSES: CustomerClass[] = ['internal', 'external'];

function PriceWhen({ price }: { price: PriceWithState }) {
  if (price.state === 'in-force') {
    return (
      <>
        <strong class="tag tag--green">In force today</strong> since <Day date={price.validFrom} />
      </>
    );
  }
  if (price.state === 'future') {
    return (
      <>
        <strong class="tag">Future</strong> from <Day date={price.validFrom} />
      </>
    );
  }
  return (
    <>
      <span class="tag tag--grey">Earlier</span> from <Day date={price.validFrom} />
    </>
  );
}

/** A price not yet in force, withdrawn by its service's managers (a mistyped one would be charged from its first day). */
function WithdrawPrice({
  product,
  price,
  csrfToken,
}: {
  product: ProductWithPrices;
  price: PriceWithState;
  csrfToken: string;
}) {
  return (
    <form method="post" action={adminProductPath(product.code, `prices/${price.id}/withdraw`)} class="inline-form">
      <CsrfField token={csrfToken} />
      <button type="submit" class="button button--warning">
        Withdraw
        <span class="visually-hidden">
          {' '}
          the {price.customerClass} price from <Day date={price.validFrom} />
        </span>
      </button>
    </form>
  );
}

function PricesTable({ product, csrfToken }: { product: ProductWithPrices; csrfToken?: string }) {
  if (product.prices.length === 0) return <p>{product.code} has no prices yet, so it cannot be bought.</p>;
  return (
    <table>
      <caption>Prices of {product.code} per TB per year, newest first</caption>
      <thead>
        <tr>
          <th scope="col">Customers</th>
          <th scope="col">Price per TB per year</th>
          <th scope="col">Applies</th>
        </tr>
      </thead>
      <tbody>
        {CLASSES.flatMap((customerClass) =>
          product.prices
            .filter((price) => price.customerClass === customerClass)
            .map((price) => (
              <tr key={price.id} class={price.state === 'in-force' ? 'price--in-force' : undefined}>
                <th scope="row">{customerClass === 'internal' ? 'Internal' : 'External'}</th>
                <td>{formatPence(price.pencePerTbYear)}</td>
                <td>
                  <PriceWhen price={price} />
                  {csrfToken && product.canManage && price.state === 'future' ? (
                    <WithdrawPrice product={product} price={price} csrfToken={csrfToken} />
                  ) : null}
                </td>
              </tr>
            )),
        )}
      </tbody>
    </table>
  );
}

const FROZEN_PRICES =
  'Quotes and orders keep the price they were made with: a new price applies only to quotes and orders made from its first day, so a price can only be added from today or a later day, never changed; one whose first day is still to come can be withdrawn.';

export function AdminCataloguePage({
  context,
  products,
  coldStore,
}: {
  context: PageContext;
  products: ProductWithPrices[];
  /** The cold-store price the person's services charge but another sets (coldStorePriceForStaff). */
  coldStore?: ProductWithPrices;
}) {
  return (
    <AdminPage context={context} title="Products and prices" section={CATALOGUE_SECTION}>
      <h1>Products and prices</h1>
      <p>{FROZEN_PRICES}</p>
      {products.length === 0 ? <p>There are no products of your services.</p> : null}
      {products.map((product) => (
        <section key={product.code} aria-labelledby={`product-${product.code}`}>
          <h2 id={`product-${product.code}`}>
            <a href={adminProductPath(product.code)}>
              {product.name} ({product.code})
            </a>{' '}
            {product.active ? null : <span class="tag tag--grey">Withdrawn</span>}
          </h2>
          <p>
            {product.serviceName}. At least {sizeText(product.minimumTb)}; terms of{' '}
            {product.termsYears.map((years) => (years === 1 ? '1 year' : `${years} years`)).join(', ')}.
          </p>
          <PricesTable product={product} />
        </section>
      ))}
      {coldStore ? <ColdStorePrice product={coldStore} /> : null}
    </AdminPage>
  );
}

/**
 * The price a recovery charges for the days in the cold store, shown to a team whose licences are
 * recovered with it but who do not set it: no link to its page and no forms, which are its own
 * team's.
 */
function ColdStorePrice({ product }: { product: ProductWithPrices }) {
  return (
    <section aria-labelledby="cold-store-price">
      <h2 id="cold-store-price">The cold-store price you charge</h2>
      <p>
        A recovery from the cold store charges the price of the {product.name} ({product.code}) for every day since the
        licence ended, as well as the renewal. The {product.serviceName} team sets it: you can read it here but not
        change it.
      </p>
      <PricesTable product={product} />
    </section>
  );
}

export type ProductForm = 'edit' | 'price';

export function AdminProductPage({
  context,
  product,
  today,
  form,
}: {
  context: PageContext;
  product: ProductForStaff;
  today: string;
  form?: { name: ProductForm; errors: FieldErrors; values: Record<string, string> };
}) {
  const errors = form?.errors ?? {};
  const edit = form?.name === 'edit' ? form.values : productEditValues(product);
  const price = form?.name === 'price' ? form.values : { validFrom: today };
  return (
    <AdminPage
      context={context}
      title={titleFor(`${product.name} (${product.code})`, errors)}
      section={CATALOGUE_SECTION}
      crumbs={[{ label: 'Products and prices', href: CATALOGUE_SECTION }]}
    >
      <ErrorSummary errors={errors} />
      <h1>
        {product.name} <span class="caption">{product.code}</span>
      </h1>
      <SummaryList
        rows={[
          ['Service', product.serviceName],
          ['Summary', product.summary],
          ['Description', product.description],
          ['Minimum size', sizeText(product.minimumTb)],
          ['Terms offered', product.termsYears.map((years) => (years === 1 ? '1 year' : `${years} years`)).join(', ')],
          ['On sale', product.active ? 'Yes' : 'No: withdrawn from the catalogue'],
        ]}
      />

      <section aria-labelledby="prices">
        <h2 id="prices">Prices</h2>
        <p>{FROZEN_PRICES}</p>
        <PricesTable product={product} csrfToken={context.csrfToken} />
      </section>

      {product.canManage ? (
        <>
          <section aria-labelledby="add-price">
            <h2 id="add-price">Add a price</h2>
            <form method="post" action={adminProductPath(product.code, 'prices')} novalidate>
              <CsrfField token={context.csrfToken} />
              <RadioGroup
                name="customerClass"
                label="Customers who pay it"
                value={price.customerClass}
                error={errors.customerClass}
                options={CLASSES.map((customerClass) => ({
                  value: customerClass,
                  label: CUSTOMER_CLASS_WORDS[customerClass],
                }))}
              />
              <TextField
                name="pounds"
                label="Price per TB per year, in pounds"
                hint="Pounds and pence, for example 54.00, before any VAT"
                value={price.pounds}
                error={errors.pounds}
                width="short"
              />
              <TextField
                name="validFrom"
                label="Applies from"
                hint={`Today or a later day. ${DATE_HINT}`}
                value={price.validFrom}
                error={errors.validFrom}
                width="medium"
              />
              <button type="submit">Add price</button>
            </form>
          </section>

          <section aria-labelledby="edit-product">
            <h2 id="edit-product">Change the product</h2>
            <form method="post" action={adminProductPath(product.code, 'edit')} novalidate>
              <CsrfField token={context.csrfToken} />
              <TextField name="name" label="Name" value={edit.name} error={errors.name} />
              <TextField
                name="summary"
                label="Summary"
                hint="One line for the catalogue"
                value={edit.summary}
                error={errors.summary}
              />
              <TextAreaField
                name="description"
                label="Description"
                hint="What it is for and how it is reached, for the product's page"
                value={edit.description}
                error={errors.description}
              />
              <TextField
                name="minimumTb"
                label="Minimum size in TB"
                hint="Applies to new orders; licences already bought keep their size"
                value={edit.minimumTb}
                error={errors.minimumTb}
                inputMode="numeric"
                width="short"
              />
              <TextField
                name="termsYears"
                label="Terms offered, in years"
                hint="Whole years separated by commas, for example 1, 3, 5"
                value={edit.termsYears}
                error={errors.termsYears}
                width="medium"
              />
              <CheckboxField
                name="active"
                label="On sale in the catalogue"
                hint="Untick to withdraw it: nobody can buy it, and existing licences are not affected"
                checked={edit.active === 'yes'}
                error={errors.active}
              />
              <button type="submit">Save changes</button>
            </form>
          </section>
        </>
      ) : null}

      <section aria-labelledby="history">
        <h2 id="history">Changes to the product</h2>
        <AuditTrail events={product.history} caption={`Changes to ${product.code}, newest first`} />
      </section>
    </AdminPage>
  );
}
