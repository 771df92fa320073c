import { expect } from 'vitest';
import type { Browser } from './test-app.ts';

/** A minimal but real PDF: file-type and PDF readers recognise it by its signature. */
export const SAMPLE_PDF = Buffer.from(
  '%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n',
);

export interface Configuration {
  sizeTb: string;
  termYears: string;
  institutionId: string;
  licenceName: string;
  ownerCrsid: string;
  managerCrsids?: string;
  projectName: string;
}

export const RDS_CONFIGURATION: Configuration = {
  sizeTb: '5',
  termYears: '3',
  institutionId: 'PHYS',
  licenceName: 'Quantum imaging data',
  ownerCrsid: 'ar101',
  managerCrsids: 'bm202',
  projectName: 'imaging-2026',
};

export type Payment =
  | { method: 'finance-code'; financeCode: string }
  | { method: 'purchase-order'; poNumber: string; file?: { bytes: Buffer; name: string; type?: string } }
  | { method: 'voucher'; voucherCode: string };

/** Fills in the configure step; returns its answer (303 to payment on success). */
export async function configure(browser: Browser, product: string, configuration: Configuration) {
  const csrf = await browser.csrfFrom(`/storage/buy/${product}/`);
  return browser.post(`/storage/buy/${product}/`, { ...configuration, _csrf: csrf, intent: 'continue' } as Record<
    string,
    string
  >);
}

/** Answers the payment step through its multipart form, as a browser does. */
export async function pay(browser: Browser, product: string, payment: Payment) {
  return payAt(browser, `/storage/buy/${product}/payment`, payment);
}

/** Answers the payment step at `url` (a purchase's or a change order's). */
export async function payAt(browser: Browser, url: string, payment: Payment) {
  const page = await browser.get(url);
  const action = page.body.match(/action="([^"]*\/payment\?_csrf=[^"]+)"/)?.[1];
  if (!action) throw new Error(`no payment form: ${page.statusCode} ${page.body.slice(0, 200)}`);
  const form = new FormData();
  for (const [key, value] of Object.entries(payment)) if (typeof value === 'string') form.set(key, value);
  if (payment.method === 'purchase-order' && payment.file) {
    const type = payment.file.type ?? 'application/pdf';
    form.set('poDocument', new Blob([new Uint8Array(payment.file.bytes)], { type }), payment.file.name);
  }
  return browser.postMultipart(action.replaceAll('&amp;', '&'), form);
}

/** Accepts the terms (unless told not to) and submits the check-your-answers page. */
export async function submit(browser: Browser, product: string, options: { acceptTerms?: boolean } = {}) {
  return submitAt(browser, `/storage/buy/${product}/check`, options);
}

/** Accepts the terms (unless told not to) and submits the check-your-answers page at `url`. */
export async function submitAt(browser: Browser, url: string, options: { acceptTerms?: boolean } = {}) {
  const page = await browser.get(url);
  expect(page.statusCode, page.body.slice(0, 300)).toBe(200);
  const submissionKey = page.body.match(/name="submissionKey" value="([^"]+)"/)?.[1] ?? '';
  const csrf =
    page.body
      .match(/name="_csrf" value="([^"]+)"/g)
      ?.pop()
      ?.match(/value="([^"]+)"/)?.[1] ?? '';
  const form: Record<string, string> = { _csrf: csrf, submissionKey };
  if (options.acceptTerms !== false) form.acceptTerms = 'yes';
  const response = await browser.post(url, form);
  return { response, form };
}

/** The whole purchase through the pages; returns the new order's reference. */
export async function buy(browser: Browser, product: string, configuration: Configuration, payment: Payment) {
  expect((await configure(browser, product, configuration)).statusCode).toBe(303);
  const paid = await pay(browser, product, payment);
  expect(paid.statusCode, paid.body.match(/<a href="#[^"]+">([^<]+)/)?.[1]).toBe(303);
  const { response } = await submit(browser, product);
  expect(response.statusCode).toBe(303);
  const reference = String(response.headers.location).match(/\/orders\/(ORD-\d+)\//)?.[1];
  if (!reference) throw new Error(`no order reference in ${response.headers.location}`);
  return reference;
}
