import type { FastifyRequest } from 'fastify';
import type { Executor } from '../../platform/db/database.ts';
import type { DocumentStore } from '../../platform/documents/document-store.ts';
import type { FieldErrors } from '../../platform/web/components.tsx';
import { formValues } from '../../platform/web/forms.ts';
import { checkFinanceCode, describeRefusal } from '../payments/finance-code-check.ts';
import { parsePaymentDetails } from '../payments/payment-details.ts';
import type { PaymentMethod } from '../payments/payments.tables.ts';
import { findUnusedUpload, pdfProblem, storeUploadedPdf, type UploadedDocument } from '../payments/po-document.ts';
import { findVoucher, voucherProblem } from '../payments/vouchers.repository.ts';
import type { PersonWithRoles } from '../people/people.repository.ts';
import type { OrdersContext, SubmittedPayment, VoucherScope } from './orders.service.ts';
import type { DraftPayment } from './purchase-draft.ts';

/**
 * The payment step of every order's pages (new storage, and changes to a licence): reading its
 * multipart form, checking the answers (shape, then the voucher, the PDF or CUFS), and turning the
 * answer kept in the session into what the orders service submits.
 */

export interface PaymentForm {
  fields: Record<string, string>;
  file?: { bytes: Buffer; fileName: string };
  fileError?: string;
}

/** Reads the multipart payment form: its text fields, and the PO file if one was chosen. */
export async function readPaymentForm(request: FastifyRequest): Promise<PaymentForm> {
  const form: PaymentForm = { fields: {} };
  if (!request.isMultipart()) return { fields: formValues(request.body) };
  try {
    for await (const part of request.parts()) {
      if (part.type === 'field') {
        if (typeof part.value === 'string') form.fields[part.fieldname] = part.value;
      } else if (part.fieldname === 'poDocument' && part.filename) {
        form.file = { bytes: await part.toBuffer(), fileName: part.filename };
      } else {
        await part.toBuffer();
      }
    }
  } catch (error) {
    if ((error as { code?: string }).code !== 'FST_REQ_FILE_TOO_LARGE') throw error;
    form.fileError = 'The purchase order must be 10 MB or smaller';
  }
  return form;
}

/**
 * Checks the payment answers for an order of `scope` (what a voucher must cover) paid by one of
 * `methods`; `earlier` is the answer kept from a previous visit (its uploaded PO can be kept).
 * Refused, a purchase order's PDF that passed its checks is kept all the same (`upload`): the page
 * says so and carries it (poDocumentId), so that it is not chosen again (WCAG 2.2 SC 3.3.7).
 */
export async function paymentFromForm(
  deps: { orders: OrdersContext; documents: DocumentStore },
  person: PersonWithRoles,
  scope: VoucherScope,
  methods: PaymentMethod[],
  earlier: DraftPayment | undefined,
  form: PaymentForm,
): Promise<{ payment: DraftPayment } | { errors: FieldErrors; upload?: UploadedDocument }> {
  const { db, cufs, clock } = deps.orders;
  const today = clock.today().toString();
  const parsed = parsePaymentDetails(form.fields, methods);
  if (!parsed.ok) {
    if (form.fields.method !== 'purchase-order' || !methods.includes('purchase-order'))
      return { errors: parsed.errors };
    const document = await purchaseOrderDocument(deps, person, earlier, form, today);
    return 'problem' in document
      ? { errors: { ...parsed.errors, poDocument: document.problem } }
      : { errors: parsed.errors, upload: document.upload };
  }
  const details = parsed.value;
  if (details.method === 'finance-code') {
    const check = await checkFinanceCode(cufs, details.code, today);
    const refusal = describeRefusal(check);
    if (refusal) return { errors: { financeCode: refusal } };
    const checkNote =
      check.outcome === 'valid'
        ? `Checked: ${check.names.join(' · ')}`
        : 'The University Financial System could not be reached just now. You can still submit: we will check the code and email you if there is a problem.';
    return { payment: { method: 'finance-code', financeCode: details.text, checkNote } };
  }
  if (details.method === 'voucher') {
    const problem = voucherProblem(await findVoucher(db, details.voucherCode), { ...scope, today });
    return problem
      ? { errors: { voucherCode: problem } }
      : { payment: { method: 'voucher', voucherCode: details.voucherCode } };
  }
  const document = await purchaseOrderDocument(deps, person, earlier, form, today);
  if ('problem' in document) return { errors: { poDocument: document.problem } };
  return {
    payment: {
      method: 'purchase-order',
      poNumber: details.poNumber,
      documentId: document.upload.id,
      documentName: document.upload.fileName,
    },
  };
}

/**
 * The purchase order's PDF for a payment answer: a file chosen now (checked by its content, then
 * stored as the person's upload), else the upload the page carries (poDocumentId) or the one the
 * session's answer has, while it is the person's own and no order has used it; or what is wrong.
 */
async function purchaseOrderDocument(
  deps: { orders: OrdersContext; documents: DocumentStore },
  person: PersonWithRoles,
  earlier: DraftPayment | undefined,
  form: PaymentForm,
  today: string,
): Promise<{ upload: UploadedDocument } | { problem: string }> {
  const { db } = deps.orders;
  if (form.fileError) return { problem: form.fileError };
  if (form.file) {
    const problem = await pdfProblem(form.file.bytes);
    if (problem) return { problem };
    return { upload: await storeUploadedPdf(db, deps.documents, person.id, { ...form.file, today }) };
  }
  for (const id of [form.fields.poDocumentId, earlier?.method === 'purchase-order' ? earlier.documentId : undefined]) {
    const upload = id ? await findUnusedUpload(db, person.id, id) : undefined;
    if (upload) return { upload };
  }
  return { problem: 'Upload the purchase order as a PDF' };
}

/** The PO document the payment page shows as uploaded: a kept one of a refused answer, else the session's. */
export function uploadShown(
  result: { upload?: UploadedDocument } | undefined,
  payment: DraftPayment | undefined,
): { id: string; fileName: string } | undefined {
  if (result?.upload) return { id: result.upload.id, fileName: result.upload.fileName };
  return payment?.method === 'purchase-order' ? { id: payment.documentId, fileName: payment.documentName } : undefined;
}

/**
 * Why the payment answer kept in the session cannot pay for the order as it stands now, keyed by
 * its field, for a check-your-answers page to say before the buyer submits: a voucher that no
 * longer covers the order (a size or department changed after the payment step, or the voucher
 * used, withdrawn or expired since), which the submission would refuse (orders.service.ts).
 */
export async function keptPaymentProblems(
  db: Executor,
  payment: DraftPayment | undefined,
  scope: VoucherScope,
  today: string,
): Promise<FieldErrors> {
  if (payment?.method !== 'voucher') return {};
  const problem = voucherProblem(await findVoucher(db, payment.voucherCode), { ...scope, today });
  return problem ? { voucherCode: problem } : {};
}

/** The session's payment answer as the orders service takes it. */
export function submittedPayment(payment: DraftPayment): SubmittedPayment {
  if (payment.method === 'finance-code') return { method: payment.method, financeCode: payment.financeCode };
  if (payment.method === 'purchase-order')
    return { method: payment.method, poNumber: payment.poNumber, documentId: payment.documentId };
  return { method: payment.method, voucherCode: payment.voucherCode };
}

/** The payment answer as the payment form fills it in again. */
export function paymentFormValues(payment: DraftPayment): Record<string, string> {
  if (payment.method === 'finance-code') return { method: payment.method, financeCode: payment.financeCode };
  if (payment.method === 'purchase-order') return { method: payment.method, poNumber: payment.poNumber };
  return { method: payment.method, voucherCode: payment.voucherCode };
}
