import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  FINANCE_CODE_REFUSED_WORDS,
  ORDER_STATUS_WORDS,
  ORDER_STATUSES,
} from '../../src/modules/orders/order-status.ts';
import { Browser, startTestApp, type TestApp } from '../support/test-app.ts';

describe('help pages', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('lists the help topics for someone who is signed out, and the footer links to it', async () => {
    const page = await t.app.inject('/help/');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<h1>Help</h1>');
    expect(page.body).toContain('href="/help/payment-methods/"');
    expect(page.body).toContain('href="/help/payment-methods/#purchase-order"');
    expect(page.body).toContain('storage-support@example.ac.uk');
    expect((await t.app.inject('/')).body).toContain('href="/help/"');
  });

  it('explains finance codes, purchase orders and vouchers to someone who is signed out', async () => {
    const page = await t.app.inject('/help/payment-methods/');
    expect(page.statusCode).toBe(200);
    const body = page.body;
    // GL codes and grants, with examples and where to find them
    expect(body).toContain('PHAA.GAAA');
    expect(body).toContain('cost centre');
    expect(body).toContain('source of funds');
    expect(body).toContain('RG94772 / PHAG0042 / 1.1');
    expect(body).toContain('finance administrator');
    expect(body).toContain('CUFS');
    // purchase orders against a quote
    expect(body).toContain('Get a quote');
    // for a renewal, a recovery or more space too
    // from the day renewal opens (not years ahead at today's price), or once the licence has expired
    expect(body.replace(/\s+/g, ' ')).toContain(
      'To renew a licence (from the day its page says renewal opens, by the first reminder before its end date, or once it has expired: the renewal is then back-dated)',
    );
    expect(body).toContain('holds its price for 30 days');
    expect(body).toContain('University Information Services');
    expect(body).toContain('P1234567');
    expect(body).toContain('PDF of 10 MB or smaller');
    // vouchers, for IFS only
    expect(body).toMatch(/single-use code from University Information Services/);
    expect(body).toContain('Institutional File Store only');
    // the ways to pay per service, from the code that offers them
    const methods = (row: string) =>
      [
        ...(body.match(new RegExp(`<th scope="row">${row}[^<]*</th><td>(.*?)</td>`))?.[1] ?? '').matchAll(
          /<li>(.*?)<\/li>/g,
        ),
      ].map((match) => match[1]);
    expect(methods('Research storage')).toEqual(['University finance code', 'Purchase order']);
    expect(methods('Institutional File Store')).toEqual(['Purchase order', 'University finance code', 'Voucher']);
  });

  it('has a contents list whose every link goes to a heading on the page', async () => {
    const body = (await t.app.inject('/help/payment-methods/')).body;
    const contents = body.match(/<nav aria-labelledby="contents-title">([\s\S]*?)<\/nav>/)?.[1] ?? '';
    const targets = [...contents.matchAll(/href="#([a-z-]+)"/g)].map((match) => match[1]);
    expect(targets).toEqual([
      'ways-to-pay',
      'finance-code',
      'purchase-order',
      'voucher',
      'after-you-order',
      'finance-code-refused',
      'questions',
    ]);
    for (const id of targets) expect(body, id).toMatch(new RegExp(`<h2 id="${id}">`));
  });

  it('describes every order status in the words the order pages use, and when an order can be cancelled', async () => {
    const body = (await t.app.inject('/help/payment-methods/')).body;
    const asHtml = (text: string) => text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('"', '&quot;');
    // An order waiting for another finance code reads 'Finance code refused' (orderStatusWords): that too.
    for (const words of [...ORDER_STATUSES.map((status) => ORDER_STATUS_WORDS[status]), FINANCE_CODE_REFUSED_WORDS]) {
      expect(body, words.label).toContain(
        `<th scope="row">${asHtml(words.label)}</th><td>${asHtml(words.explanation)}</td>`,
      );
    }
    expect(body).toContain(
      'while its status is Submitted, Checking payment details, Waiting for approval or Approved.',
    );
    expect(body).toContain('If your finance code is refused');
    expect(body).toContain('You do not need to order again.');
    // A change of a licence is not "set up": it reads as what is being done.
    expect(body).toContain(
      'of Being set up: Adding the space, Renewing, Recovering the data or Cancelling the licence (with “(delayed)” after it',
    );
  });

  it('shows the same pages to someone signed in', async () => {
    const browser = new Browser(t.app);
    await browser.signInAs('da303');
    const page = await browser.get('/help/payment-methods/');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Sign out');
    expect(page.body).toContain('How to pay for storage');
  });
});
