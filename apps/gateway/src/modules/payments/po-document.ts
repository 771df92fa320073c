import { randomUUID } from 'node:crypto';
import type { Executor } from '../../platform/db/database.ts';
import type { DocumentStore } from '../../platform/documents/document-store.ts';

/** The largest purchase-order document accepted: a scanned PO is well under this. */
export const PO_DOCUMENT_MAX_BYTES = 10 * 1024 * 1024;

/**
 * Whether uploaded bytes are a PDF, judged by their content (the file's signature), never by the
 * name or the type the browser claimed. Returns the problem to show, or undefined.
 */
export async function pdfProblem(bytes: Buffer): Promise<string | undefined> {
  if (bytes.length === 0) return 'The selected file is empty';
  if (bytes.length > PO_DOCUMENT_MAX_BYTES) return 'The purchase order must be 10 MB or smaller';
  // Loaded on the first upload, not at every start: file-type and its readers are ~70 KB of the bundle.
  const { fileTypeFromBuffer } = await import('file-type');
  const type = await fileTypeFromBuffer(bytes);
  if (type?.mime !== 'application/pdf') return 'The purchase order must be a PDF';
  return undefined;
}

export interface UploadedDocument {
  id: string;
  fileName: string;
  sizeBytes: number;
}

/**
 * A file name safe to show and to send back in Content-Disposition: no paths, quotes or control
 * characters, and ending in .pdf, as the content is one (pdfProblem), so that a PDF uploaded as
 * 'scan.txt' downloads as 'scan.txt.pdf' and opens as a PDF.
 */
export function cleanFileName(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? '';
  const cleaned = base
    .replace(/[^\w .()-]/g, '_')
    .trim()
    .slice(0, 96);
  if (!cleaned) return 'purchase-order.pdf';
  return /\.pdf$/i.test(cleaned) ? cleaned : `${cleaned}.pdf`;
}

/**
 * Keeps a checked PDF in the document store and records who uploaded it. The bytes go first: a
 * failure after storing them leaves an unreferenced object, never a row that points at nothing.
 */
export async function storeUploadedPdf(
  db: Executor,
  documents: DocumentStore,
  personId: number,
  upload: { bytes: Buffer; fileName: string; today: string },
): Promise<UploadedDocument> {
  const key = `po/${upload.today.slice(0, 4)}/${randomUUID()}.pdf`;
  const stored = await documents.put(key, upload.bytes, { contentType: 'application/pdf' });
  const fileName = cleanFileName(upload.fileName);
  const row = await db
    .insertInto('uploaded_documents')
    .values({
      person_id: personId,
      storage_key: key,
      file_name: fileName,
      content_type: 'application/pdf',
      size_bytes: stored.size,
      sha256: stored.sha256,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return { id: row.id, fileName, sizeBytes: stored.size };
}

/** A document this person uploaded, if it exists and no order has used it yet. */
export async function findUnusedUpload(
  db: Executor,
  personId: number,
  documentId: string,
): Promise<UploadedDocument | undefined> {
  const row = await db
    .selectFrom('uploaded_documents')
    .leftJoin('payments', 'payments.po_document_id', 'uploaded_documents.id')
    .select(['uploaded_documents.id', 'uploaded_documents.file_name', 'uploaded_documents.size_bytes'])
    .where('uploaded_documents.id', '=', documentId)
    .where('uploaded_documents.person_id', '=', personId)
    .where('payments.order_id', 'is', null)
    .executeTakeFirst();
  return row ? { id: row.id, fileName: row.file_name, sizeBytes: row.size_bytes } : undefined;
}

export async function findDocument(
  db: Executor,
  documentId: string,
): Promise<{ storageKey: string; fileName: string; sizeBytes: number } | undefined> {
  const row = await db
    .selectFrom('uploaded_documents')
    .select(['storage_key', 'file_name', 'size_bytes'])
    .where('id', '=', documentId)
    .executeTakeFirst();
  return row ? { storageKey: row.storage_key, fileName: row.file_name, sizeBytes: row.size_bytes } : undefined;
}
