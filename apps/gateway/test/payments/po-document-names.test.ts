import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accessTokens } from '../support/api.ts';
import { buy, configure, pay, RDS_CONFIGURATION, SAMPLE_PDF } from '../support/purchase.ts';
import { Browser, startTestApp, type TestApp } from '../support/test-app.ts';

/** A name as people write it: an accent, a typographic apostrophe, a symbol, Japanese. */
const WRITTEN = 'Zoë’s PO ✓ 注文.pdf';
/** The same name in a Content-Disposition's filename* (RFC 5987: UTF-8, percent-encoded). */
const WRITTEN_ENCODED = "UTF-8''Zo%C3%AB%E2%80%99s%20PO%20%E2%9C%93%20%E6%B3%A8%E6%96%87.pdf";
/** Markup in a name (no slash: a slash ends a path, so the name is what follows it). */
const MARKUP = '<img src=x onerror=alert(1)> & PO.pdf';

describe('a purchase order document’s file name', () => {
  let t: TestApp;
  let token: string;
  beforeAll(async () => {
    t = await startTestApp();
    token = (await accessTokens(t, ['ar101'])).ar101 as string;
  });
  afterAll(() => t?.close());

  /** Uploads a PDF through the API under `fileName`; returns the name the gateway kept. */
  async function uploadNamed(fileName: string): Promise<string> {
    const answer = await t.app.inject({
      method: 'POST',
      url: `/api/documents?fileName=${encodeURIComponent(fileName)}`,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/pdf' },
      payload: SAMPLE_PDF,
    });
    expect(answer.statusCode, answer.body).toBe(201);
    return answer.json().fileName;
  }

  it('is shown as written on every page, and downloads under it with an ASCII fallback', async () => {
    const alice = new Browser(t.app);
    await alice.signInAs('ar101');
    expect((await configure(alice, 'RDS', RDS_CONFIGURATION)).statusCode).toBe(303);
    expect(
      (
        await pay(alice, 'RDS', {
          method: 'purchase-order',
          poNumber: 'P1234567',
          file: { bytes: SAMPLE_PDF, name: WRITTEN },
        })
      ).statusCode,
    ).toBe(303);
    // The check-your-answers page, and the payment page's reminder of the upload.
    expect((await alice.get('/storage/buy/RDS/check')).body).toContain(WRITTEN);
    expect((await alice.get('/storage/buy/RDS/payment')).body).toContain(
      `${WRITTEN} uploaded — choose another file to replace it.`,
    );

    const reference = await buy(alice, 'RDS', RDS_CONFIGURATION, {
      method: 'purchase-order',
      poNumber: 'P1234567',
      file: { bytes: SAMPLE_PDF, name: WRITTEN },
    });
    expect((await alice.get(`/orders/${reference}/`)).body).toContain(`${WRITTEN} (PDF)`);
    const rosa = new Browser(t.app);
    await rosa.signInAs('rs501');
    expect((await rosa.get(`/admin/orders/${reference}/`)).body).toContain(`${WRITTEN} (PDF)`);

    const download = await alice.get(`/orders/${reference}/purchase-order`);
    expect(download.statusCode).toBe(200);
    // RFC 6266: filename for clients that know no other (ASCII, accents dropped, the rest "_"),
    // filename* (RFC 5987) with the name as written, which every current browser takes.
    expect(download.headers['content-disposition']).toBe(
      `attachment; filename="Zoe's PO _ __.pdf"; filename*=${WRITTEN_ENCODED}`,
    );
    expect(download.rawPayload.equals(SAMPLE_PDF)).toBe(true);
  });

  it('is escaped on every page that shows it', async () => {
    const alice = new Browser(t.app);
    await alice.signInAs('ar101');
    expect((await configure(alice, 'RDS', RDS_CONFIGURATION)).statusCode).toBe(303);
    const file = { bytes: SAMPLE_PDF, name: MARKUP };
    expect((await pay(alice, 'RDS', { method: 'purchase-order', poNumber: 'P1234567', file })).statusCode).toBe(303);
    const escaped = '&lt;img src=x onerror=alert(1)> &amp; PO.pdf';
    const pages = [await alice.get('/storage/buy/RDS/check'), await alice.get('/storage/buy/RDS/payment')];
    const reference = await buy(alice, 'RDS', RDS_CONFIGURATION, {
      method: 'purchase-order',
      poNumber: 'P1234567',
      file,
    });
    pages.push(await alice.get(`/orders/${reference}/`));
    const rosa = new Browser(t.app);
    await rosa.signInAs('rs501');
    pages.push(await rosa.get(`/admin/orders/${reference}/`));
    for (const page of pages) {
      expect(page.statusCode).toBe(200);
      expect(page.body).toContain(escaped);
      expect(page.body).not.toContain('<img src=x');
    }
    const download = await alice.get(`/orders/${reference}/purchase-order`);
    expect(download.headers['content-disposition']).toBe(
      `attachment; filename="<img src=x onerror=alert(1)> & PO.pdf"`,
    );
  });

  it('loses only what is unsafe: folders, control characters, bidi overrides and double quotes', async () => {
    expect(await uploadNamed(WRITTEN)).toBe(WRITTEN);
    expect(await uploadNamed('C:\\Users\\zoë\\Ölçek "final"\u0007.pdf')).toBe('Ölçek final.pdf');
    // A right-to-left override shows "invoice‮fdp.exe" as "invoiceexe.pdf": it is dropped.
    expect(await uploadNamed('invoice\u202Efdp.exe')).toBe('invoicefdp.exe.pdf');
    expect(await uploadNamed('\u2066tab\there\u2069\n.pdf')).toBe('tab here.pdf');
    // A name is kept to 100 characters (whole ones: an accent stays on its letter), .pdf included.
    const long = await uploadNamed(`${'é'.repeat(150)}.pdf`);
    expect(long).toBe(`${'é'.repeat(96)}.pdf`);
    // Written as one letter or as a letter and its accent (macOS), it is the same name.
    expect(await uploadNamed('Zoe\u0308.pdf')).toBe('Zoë.pdf');
    expect(await uploadNamed('"\u202E"')).toBe('purchase-order.pdf');
  });
});
