import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accessTokens } from '../support/api.ts';
import { changeableLicence, changeStepPath } from '../support/change-orders.ts';
import { configure, RDS_CONFIGURATION, SAMPLE_PDF } from '../support/purchase.ts';
import { Browser, startTestApp, type TestApp } from '../support/test-app.ts';

/**
 * The purchase order's PDF is not asked for twice (WCAG 2.2 SC 3.3.7 Redundant Entry): a PDF that
 * passed its checks is kept when another answer of the payment step is refused, and the page says
 * so, carrying it in a hidden field, which is taken only for the person's own unused upload.
 */
describe('a purchase order PDF kept when another answer is refused', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t?.close());

  /** Sends the payment form at `url` as a browser does: its fields, and the file if one is chosen. */
  async function sendPayment(browser: Browser, url: string, fields: Record<string, string>, fileName?: string) {
    const page = await browser.get(url);
    const action = page.body.match(/action="([^"]*\/payment\?_csrf=[^"]+)"/)?.[1];
    if (!action) throw new Error(`no payment form: ${page.statusCode}`);
    const form = new FormData();
    for (const [key, value] of Object.entries(fields)) form.set(key, value);
    if (fileName) form.set('poDocument', new Blob([new Uint8Array(SAMPLE_PDF)], { type: 'application/pdf' }), fileName);
    return browser.postMultipart(action.replaceAll('&amp;', '&'), form);
  }

  const keptId = (body: string) => body.match(/name="poDocumentId" value="([^"]+)"/)?.[1];
  const documents = async () =>
    (await t.database.db.selectFrom('uploaded_documents').select('id').execute()).map((row) => row.id);

  /** Checks the payment step at `url`: a refused PO number keeps the PDF, and the next answer uses it. */
  async function keepsThePdf(browser: Browser, url: string, next: string) {
    const before = await documents();
    const refused = await sendPayment(browser, url, { method: 'purchase-order', poNumber: '' }, 'po.pdf');
    expect(refused.statusCode).toBe(422);
    expect(refused.body).toContain('Enter the purchase order number');
    expect(refused.body).not.toContain('Choose the purchase order PDF again');
    expect(refused.body).toContain('po.pdf uploaded — choose another file to replace it');
    const id = keptId(refused.body);
    expect(id).toBeDefined();
    expect(await documents()).toEqual([...before, id]);

    // The number given, and no file chosen: the kept PDF pays.
    const sent = await sendPayment(browser, url, {
      method: 'purchase-order',
      poNumber: 'P1234567',
      poDocumentId: id as string,
    });
    expect(sent.statusCode, sent.body.match(/<a href="#[^"]+">([^<]+)/)?.[1]).toBe(303);
    expect(sent.headers.location).toBe(next);
    const check = await browser.get(next);
    expect(check.body).toContain('P1234567');
    expect(check.body).toContain('po.pdf');
    return id as string;
  }

  it('for new storage', async () => {
    const alice = new Browser(t.app);
    await alice.signInAs('ar101');
    expect((await configure(alice, 'RDS', RDS_CONFIGURATION)).statusCode).toBe(303);
    await keepsThePdf(alice, '/storage/buy/RDS/payment', '/storage/buy/RDS/check');
  });

  it('for a change of a licence', async () => {
    const id = await changeableLicence(t.database.db, { licence: 'Kept PDF', project: 'kept' });
    const alice = new Browser(t.app);
    await alice.signInAs('ar101');
    const first = changeStepPath(id, 'increase');
    const chosen = await alice.post(first, { addTb: '2', _csrf: await alice.csrfFrom(first), intent: 'continue' });
    expect(chosen.statusCode).toBe(303);
    await keepsThePdf(alice, changeStepPath(id, 'increase', 'payment'), changeStepPath(id, 'increase', 'check'));
  });

  it('takes only the person’s own upload', async () => {
    const ben = (await accessTokens(t, ['bm202'])).bm202 as string;
    const uploaded = await t.app.inject({
      method: 'POST',
      url: '/api/documents?fileName=ben.pdf',
      headers: { authorization: `Bearer ${ben}`, 'content-type': 'application/pdf' },
      payload: SAMPLE_PDF,
    });
    expect(uploaded.statusCode).toBe(201);
    const bens = uploaded.json().id as string;

    const carol = new Browser(t.app);
    await carol.signInAs('cb404');
    const configured = await configure(carol, 'RDS', {
      ...RDS_CONFIGURATION,
      ownerCrsid: 'cb404',
      institutionId: 'KINGS',
    });
    expect(configured.statusCode, configured.body.match(/<a href="#[^"]+">([^<]+)/g)?.join()).toBe(303);
    const url = '/storage/buy/RDS/payment';
    for (const poDocumentId of [bens, 'not-an-id', '00000000-0000-4000-8000-000000000000']) {
      const refused = await sendPayment(carol, url, { method: 'purchase-order', poNumber: 'P1234567', poDocumentId });
      expect(refused.statusCode, poDocumentId).toBe(422);
      expect(refused.body, poDocumentId).toContain('Upload the purchase order as a PDF');
      expect(refused.body, poDocumentId).not.toContain('ben.pdf');
      expect(keptId(refused.body), poDocumentId).toBeUndefined();
    }
    // A PDF chosen with a refused answer is kept for its uploader only.
    const kept = await sendPayment(carol, url, { method: 'purchase-order', poNumber: 'P 1' }, 'po.pdf');
    expect(kept.statusCode).toBe(422);
    const carols = keptId(kept.body) as string;
    const alice = new Browser(t.app);
    await alice.signInAs('ar101');
    expect((await configure(alice, 'RDS', RDS_CONFIGURATION)).statusCode).toBe(303);
    const taken = await sendPayment(alice, url, {
      method: 'purchase-order',
      poNumber: 'P1234567',
      poDocumentId: carols,
    });
    expect(taken.statusCode).toBe(422);
    expect(taken.body).not.toContain('po.pdf uploaded');
  });
});
