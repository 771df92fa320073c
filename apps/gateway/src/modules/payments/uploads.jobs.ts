import type { Executor } from '../../platform/db/database.ts';
import type { DocumentStore } from '../../platform/documents/document-store.ts';
import { type JobHandler, jobHandler, jobType, noPayload, type ScheduledJob } from '../../platform/jobs/jobs.ts';

/** How long an upload no order used is kept: long enough to finish a purchase left overnight. */
export const ABANDONED_UPLOAD_DAYS = 2;

/**
 * A PO uploaded at the payment step of a purchase that was never submitted belongs to no order.
 * Nightly, such uploads older than two days are removed: the row first, and only if no order has
 * taken it meanwhile, then the bytes. A failure in between leaves unreferenced bytes, never an
 * order whose PO document is gone.
 */
export const deleteAbandonedUploadsJob = jobType({
  name: 'delete-abandoned-uploads',
  payload: noPayload,
  retry: { limit: 2, delaySeconds: 300, backoff: false },
});

export const deleteAbandonedUploadsSchedule: ScheduledJob = { type: deleteAbandonedUploadsJob, cron: '23 3 * * *' };

export async function deleteAbandonedUploads(db: Executor, documents: DocumentStore, now: Date): Promise<number> {
  const cutoff = new Date(now.getTime() - ABANDONED_UPLOAD_DAYS * 86_400_000);
  const abandoned = await db
    .selectFrom('uploaded_documents')
    .leftJoin('payments', 'payments.po_document_id', 'uploaded_documents.id')
    .select(['uploaded_documents.id', 'uploaded_documents.storage_key'])
    .where('payments.order_id', 'is', null)
    .where('uploaded_documents.uploaded_at', '<', cutoff)
    .limit(1_000)
    .execute();
  let deleted = 0;
  for (const upload of abandoned) {
    const gone = await db
      .deleteFrom('uploaded_documents')
      .where('id', '=', upload.id)
      .where(({ not, exists, selectFrom }) =>
        not(exists(selectFrom('payments').select('order_id').where('po_document_id', '=', upload.id))),
      )
      .executeTakeFirst();
    if (gone.numDeletedRows !== 1n) continue;
    await documents.delete(upload.storage_key);
    deleted++;
  }
  return deleted;
}

export function deleteAbandonedUploadsHandler(documents: DocumentStore): JobHandler<Record<string, never>> {
  return jobHandler(deleteAbandonedUploadsJob, async (_payload, context) => {
    const deleted = await deleteAbandonedUploads(context.db, documents, context.clock.now());
    context.log.info({ deleted }, 'abandoned uploads deleted');
  });
}
