import * as z from 'zod';
import type { Clock } from '../../platform/clock.ts';
import type { Executor } from '../../platform/db/database.ts';
import type { FieldErrors } from '../../platform/web/components.tsx';
import { AppError } from '../../platform/web/errors.ts';
import { reasonField } from '../admin/manage-forms.ts';
import { type AuditEvent, personActor, recordAudit } from '../audit/audit.repository.ts';
import { listRecordAudit } from '../audit/audit-search.repository.ts';
import { type AdminProduct, listProductsOfServices } from '../catalogue/catalogue.admin.repository.ts';
import { listInstitutions, type PersonWithRoles } from '../people/people.repository.ts';
import type { ServiceCode } from '../people/people.tables.ts';
import { canManageService, isServiceStaff, SERVICES } from '../people/staff-access.ts';
import { paymentMethodsFor } from './payment-details.ts';
import { generateVoucherCode, parseVoucherIssue, voucherStatus } from './voucher-rules.ts';
import {
  type AdminVoucher,
  findAdminVoucher,
  findVoucherIssuedBy,
  insertVoucher,
  revokeVoucher,
} from './vouchers.admin.repository.ts';

/**
 * Vouchers in the back office. Staff of the service whose product a voucher pays for read it
 * (with Finance and superusers); that service's team and superusers issue and withdraw them.
 * Vouchers are sold only for services whose buyers may pay by voucher (institutional storage).
 */
export interface VouchersAdminContext {
  db: Executor;
  clock: Clock;
  /** Draws a voucher code; tests hand in one that repeats to see a collision retried. */
  generateCode?: (productCode: string) => string;
}

export const voucherNotFound = () =>
  new AppError('not-found', 'There is no such voucher. Check the address, or find it in the list of vouchers.');

/** The products a person may issue vouchers for: on sale, of a service they manage that takes vouchers. */
export async function voucherProducts(db: Executor, person: PersonWithRoles): Promise<AdminProduct[]> {
  const services = SERVICES.filter(
    (service) => canManageService(person, service) && paymentMethodsFor(service).includes('voucher'),
  );
  return (await listProductsOfServices(db, services)).filter((product) => product.active);
}

export async function requireVoucherIssuer(db: Executor, person: PersonWithRoles): Promise<AdminProduct[]> {
  const products = await voucherProducts(db, person);
  if (products.length === 0) {
    throw new AppError('forbidden', 'Only the institutional storage team can issue vouchers.');
  }
  return products;
}

export type IssueOutcome = { ok: true; voucher: AdminVoucher } | { ok: false; errors: FieldErrors };

const CODE_TRIES = 5;

export async function issueVoucher(
  context: VouchersAdminContext,
  person: PersonWithRoles,
  raw: Record<string, unknown>,
): Promise<IssueOutcome> {
  const products = await requireVoucherIssuer(context.db, person);
  const institutions = await listInstitutions(context.db);
  const parsed = parseVoucherIssue(raw, {
    products,
    institutionIds: institutions.map((institution) => institution.id),
    today: context.clock.today().toString(),
  });
  if (!parsed.ok) return parsed;
  const issue = parsed.value;
  // The form's key: sent twice (a double click, a resend), it gets the voucher the first one issued.
  const key = z.uuid().safeParse(raw.issueKey);
  const issueKey = key.success ? key.data : null;
  const generate = context.generateCode ?? generateVoucherCode;
  const id = await context.db.transaction().execute(async (tx) => {
    for (let attempt = 0; attempt < CODE_TRIES; attempt++) {
      const code = generate(issue.productCode);
      const inserted = await insertVoucher(tx, code, issue, issueKey);
      if (inserted === undefined) {
        const issued = issueKey ? await findVoucherIssuedBy(tx, issueKey) : undefined;
        if (issued !== undefined) return issued;
        continue;
      }
      await recordAudit(tx, {
        actor: personActor(person),
        entityType: 'voucher',
        entityId: inserted,
        action: 'issued',
        after: {
          code,
          product: issue.productCode,
          sizeTb: issue.sizeTb,
          department: issue.institutionId,
          expiresOn: issue.expiresOn,
          note: issue.note,
        },
      });
      return inserted;
    }
    throw new Error(`no free voucher code for ${issue.productCode} after ${CODE_TRIES} tries`);
  });
  const voucher = await findAdminVoucher(context.db, id);
  if (!voucher) throw new Error(`voucher ${id} vanished after it was issued`);
  return { ok: true, voucher };
}

/** The voucher's service, or a 404 for an id that is no voucher. */
export async function voucherServiceOf(db: Executor, id: number | undefined): Promise<ServiceCode> {
  const voucher = id === undefined ? undefined : await findAdminVoucher(db, id);
  if (!voucher) throw voucherNotFound();
  return voucher.service;
}

export async function voucherForStaff(
  db: Executor,
  person: PersonWithRoles,
  id: number,
): Promise<{ voucher: AdminVoucher; canManage: boolean; history: AuditEvent[] }> {
  const voucher = await findAdminVoucher(db, id);
  if (!voucher) throw voucherNotFound();
  if (!isServiceStaff(person, voucher.service)) {
    throw new AppError('forbidden', `This is the ${voucher.service} storage team's work.`);
  }
  const history = await listRecordAudit(db, ['voucher'], id);
  return { voucher, canManage: canManageService(person, voucher.service), history };
}

export type RevokeOutcome = { ok: true; message: string } | { ok: false; errors: FieldErrors };

export async function withdrawVoucher(
  context: VouchersAdminContext,
  person: PersonWithRoles,
  id: number,
  raw: Record<string, unknown>,
): Promise<RevokeOutcome> {
  const { voucher } = await voucherForStaff(context.db, person, id);
  if (!canManageService(person, voucher.service)) {
    throw new AppError('forbidden', `Only the ${voucher.service} storage team can do this.`);
  }
  const reason = reasonField('Enter why the voucher is withdrawn').safeParse(raw.reason ?? '');
  if (!reason.success) {
    return { ok: false, errors: { reason: reason.error.issues[0]?.message ?? 'Enter why the voucher is withdrawn' } };
  }
  const today = context.clock.today().toString();
  return context.db.transaction().execute(async (tx): Promise<RevokeOutcome> => {
    if (!(await revokeVoucher(tx, id, reason.data, context.clock.now()))) {
      const now = await findAdminVoucher(tx, id);
      if (now?.revokedAt) throw new AppError('conflict', `Voucher ${voucher.code} is already withdrawn.`);
      const by = now?.usedBy ? ` by order ${now.usedBy}` : '';
      throw new AppError('conflict', `Voucher ${voucher.code} has been used${by}, so it cannot be withdrawn.`);
    }
    await recordAudit(tx, {
      actor: personActor(person),
      entityType: 'voucher',
      entityId: id,
      action: 'revoked',
      before: { code: voucher.code, status: voucherStatus(voucher, today) },
      after: { code: voucher.code, status: 'revoked', reason: reason.data },
    });
    return { ok: true, message: `Voucher ${voucher.code} is withdrawn: it can no longer pay for an order.` };
  });
}
