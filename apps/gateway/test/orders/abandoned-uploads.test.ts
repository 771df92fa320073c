import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storeUploadedPdf } from '../../src/modules/payments/po-document.ts';
import { deleteAbandonedUploads } from '../../src/modules/payments/uploads.jobs.ts';
import { startTestAppWithCufs } from '../support/cufs.ts';
import { buy, RDS_CONFIGURATION, SAMPLE_PDF } from '../support/purchase.ts';
import { Browser, type TestApp } from '../support/test-app.ts';

describe('uploads that no order used', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestAppWithCufs();
  });
  afterAll(() => t?.close());

  it('are removed, row and bytes, two days after upload; a PO an order uses is kept; a second run removes nothing', async () => {
    const alice = new Browser(t.app);
    await alice.signInAs('ar101');
    const reference = await buy(alice, 'RDS', RDS_CONFIGURATION, {
      method: 'purchase-order',
      poNumber: 'P7654321',
      file: { bytes: SAMPLE_PDF, name: 'po.pdf' },
    });
    const person = await t.database.db
      .selectFrom('people')
      .select('id')
      .where('crsid', '=', 'ar101')
      .executeTakeFirstOrThrow();
    const abandoned = await storeUploadedPdf(t.database.db, t.documents, person.id, {
      bytes: SAMPLE_PDF,
      fileName: 'left-behind.pdf',
      today: '2026-11-27',
    });
    const keyOf = async (id: string) =>
      (
        await t.database.db
          .selectFrom('uploaded_documents')
          .select('storage_key')
          .where('id', '=', id)
          .executeTakeFirst()
      )?.storage_key;
    const abandonedKey = (await keyOf(abandoned.id)) as string;

    const now = Date.now();
    expect(await deleteAbandonedUploads(t.database.db, t.documents, new Date(now + 86_400_000))).toBe(0);
    expect(await deleteAbandonedUploads(t.database.db, t.documents, new Date(now + 3 * 86_400_000))).toBe(1);
    expect(await keyOf(abandoned.id)).toBeUndefined();
    expect(await t.documents.exists(abandonedKey)).toBe(false);
    expect(await deleteAbandonedUploads(t.database.db, t.documents, new Date(now + 3 * 86_400_000))).toBe(0);

    const download = await alice.get(`/orders/${reference}/purchase-order`);
    expect(download.statusCode).toBe(200);
    expect(download.rawPayload.equals(SAMPLE_PDF)).toBe(true);
  });
});
