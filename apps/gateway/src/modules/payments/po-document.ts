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

/** The longest name kept, in characters as people see them (an accented letter, a flag: one each), ".pdf" included. */
const FILE_NAME_MAX_CHARACTERS = 100;

/**
 * The controls that reorder text (embeddings, overrides, isolates, marks): "invoice\u202Efdp.exe"
 * shows as "invoiceexe.pdf". Nobody needs one in a file name.
 */
const BIDI_CONTROLS = /[\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/g;

const graphemes = new Intl.Segmenter('en', { granularity: 'grapheme' });

/**
 * A file name safe to show and to send back in Content-Disposition (attachmentDisposition), as it
 * was written, in any script: only what is unsafe goes (folders, control characters, bidi
 * controls, double quotes; line breaks and tabs become spaces), it is cut to 100 characters, and
 * it ends in .pdf, as the content is one (pdfProblem), so that a PDF uploaded as 'scan.txt'
 * downloads as 'scan.txt.pdf' and opens as a PDF. Pages escape it as they escape any text.
 */
export function cleanFileName(name: string): string {
  // A browser writes " in a multipart file name as %22 and a line break as %0A or %0D (the HTML
  // standard's form encoding), so those are read as what they stand for, and go.
  const unescaped = name.replace(/%22/gi, '"').replace(/%0[ad]/gi, '\n');
  const base = unescaped.split(/[\\/]/).pop() ?? '';
  const cleaned = base
    .toWellFormed()
    .normalize('NFC')
    .replace(BIDI_CONTROLS, '')
    .replace(/[\t\n\v\f\r\u2028\u2029]/g, ' ')
    .replace(/[\p{Cc}"\uFEFF]/gu, '')
    .replace(/ {2,}/g, ' ')
    .trim();
  const isPdf = /\.pdf$/i.test(cleaned);
  const stem = isPdf ? cleaned.slice(0, -4) : cleaned;
  const extension = isPdf ? cleaned.slice(-4) : '.pdf';
  // Cut between characters, never inside one (a letter and its accent, a flag's two halves).
  const characters = Array.from(graphemes.segment(stem), (part) => part.segment);
  const kept = characters
    .slice(0, FILE_NAME_MAX_CHARACTERS - extension.length)
    .join('')
    .trim();
  return kept ? `${kept}${extension}` : 'purchase-order.pdf';
}

/**
 * The Content-Disposition of a download named `fileName` (RFC 6266). A name of plain ASCII is sent
 * as it is; any other also in filename* (RFC 5987: UTF-8, percent-encoded), which browsers take
 * first, after a filename in ASCII for any client that does not (accents dropped, other letters
 * "_", and no %, which some clients read as an escape).
 */
export function attachmentDisposition(fileName: string): string {
  const name = fileName.toWellFormed();
  const fallback = name
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .replace(/[\u2018\u2019]/g, "'")
    .replace(/[^\x20-\x7e]|["\\%]/g, '_');
  if (fallback === name) return `attachment; filename="${fallback}"`;
  const encoded = encodeURIComponent(name).replace(
    /['()*]/g,
    (character) => `%${character.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `attachment; filename="${fallback}"; filename*=UTF-8''${encoded}`;
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

/** An upload's id as the database keeps it (a UUID): anything else names no upload. */
const DOCUMENT_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * A document this person uploaded, if it exists and no order has used it yet. The id may come
 * from a page's hidden field (the payment step's kept upload): one that is no UUID is none.
 */
export async function findUnusedUpload(
  db: Executor,
  personId: number,
  documentId: string,
): Promise<UploadedDocument | undefined> {
  if (!DOCUMENT_ID.test(documentId)) return undefined;
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
