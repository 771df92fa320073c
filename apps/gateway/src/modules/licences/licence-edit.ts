import type { FieldErrors } from '../../platform/web/components.tsx';
import {
  compareDays,
  DATE_HINT,
  parseCalendarDate,
  parseWholeNumber,
  REASON_MAX_LENGTH,
} from '../admin/manage-forms.ts';
import { sizeText } from '../catalogue/sizes.ts';
import type { OrderKind } from '../orders/order-status.ts';
import { MAXIMUM_TB } from '../orders/purchase-configuration.ts';
import { formatDay } from '../quotes/quote-rules.ts';
import type { LicenceStatus } from './licences.tables.ts';

/**
 * What the service team may change on a licence from the back office, and the rules for it. Pure:
 * whether the new Data Owner is a current person is the directory's answer (the service checks it).
 */
export interface LicenceEditable {
  sizeTb: number;
  startDate: string | null;
  endDate: string | null;
  ownerCrsid: string;
}

export interface LicenceEditLimits {
  /** The product's minimum size. */
  minimumTb: number;
  /** The quotas of the licence's storage projects (not removed ones), added up. */
  projectQuotaTb: number;
  /**
   * Today, for a licence that has expired (read-only, in the cold store or due for deletion): its
   * end date may move only to another day before it, as the lifecycle has taken its steps.
   */
  expiredAsOf?: string;
}

/** The statuses of a licence past its end date and not renewed: their end date stays in the past. */
export const EXPIRED_STATUSES: readonly LicenceStatus[] = ['suspended', 'cold', 'deletable'];

export interface LicenceEdit {
  /** Only what differs from the licence as it is. */
  changes: Partial<LicenceEditable>;
  reason: string;
}

export type ParsedLicenceEdit = { ok: true; value: LicenceEdit } | { ok: false; errors: FieldErrors };

const CRSID = /^[a-z][a-z0-9]{1,9}$/;

export const EDITABLE_KEYS = ['sizeTb', 'startDate', 'endDate', 'ownerCrsid'] as const;
type EditableKey = (typeof EDITABLE_KEYS)[number];

/**
 * The hidden field that carries the value the form showed for a key ("shownSizeTb"), so that an
 * edit changes only what its person changed: a form opened before another change (another tab,
 * a colleague) would otherwise put back every value it still shows.
 */
export function shownField(key: EditableKey): string {
  return `shown${key[0]?.toUpperCase()}${key.slice(1)}`;
}

/** The form's values for a licence as it is (what the edit form shows before any change). */
export function licenceEditValues(current: LicenceEditable): Record<string, string> {
  return {
    sizeTb: String(current.sizeTb),
    startDate: current.startDate ?? '',
    endDate: current.endDate ?? '',
    ownerCrsid: current.ownerCrsid,
    reason: '',
  };
}

/**
 * The edit form's values shown again after a refusal: what its person typed where they changed
 * something, and the licence as it is now elsewhere (a value changed meanwhile by someone else
 * shows as it is now, not as this form first showed it).
 */
export function licenceEditFormValues(
  current: LicenceEditable,
  posted?: Record<string, string>,
): Record<string, string> {
  const now = licenceEditValues(current);
  if (!posted) return now;
  const values: Record<string, string> = { ...now, reason: posted.reason ?? '' };
  for (const key of EDITABLE_KEYS) {
    const typed = posted[key];
    if (typed !== undefined && typed.trim() !== (posted[shownField(key)] ?? now[key])) values[key] = typed;
  }
  return values;
}

/** What the form showed when it was opened: its hidden fields, or without them the licence as it is. */
function shownValues(raw: Record<string, unknown>, current: LicenceEditable): LicenceEditable {
  const shown = (key: EditableKey) =>
    typeof raw[shownField(key)] === 'string' ? text(raw, shownField(key)) : undefined;
  const size = shown('sizeTb');
  const date = (value: string | undefined, otherwise: string | null) =>
    value === undefined ? otherwise : value || null;
  return {
    sizeTb: size === undefined ? current.sizeTb : (parseWholeNumber(size) ?? current.sizeTb),
    startDate: date(shown('startDate'), current.startDate),
    endDate: date(shown('endDate'), current.endDate),
    ownerCrsid: shown('ownerCrsid')?.toLowerCase() ?? current.ownerCrsid,
  };
}

const FIELD_WORDS: Record<EditableKey, [string, (value: LicenceEditable) => string]> = {
  sizeTb: ['size', (value) => sizeText(value.sizeTb)],
  startDate: ['start date', (value) => (value.startDate ? formatDay(value.startDate) : 'none')],
  endDate: ['end date', (value) => (value.endDate ? formatDay(value.endDate) : 'none')],
  ownerCrsid: ['Data Owner', (value) => value.ownerCrsid],
};

function text(raw: Record<string, unknown>, key: string): string {
  const value = raw[key];
  return typeof value === 'string' ? value.trim() : '';
}

/**
 * Checks an edit of size, dates and Data Owner against the licence as it is. Dates may stay empty
 * only while the licence has none (it is not set up yet); otherwise both are needed, real days,
 * the end after the start.
 */
export function parseLicenceEdit(
  raw: Record<string, unknown>,
  current: LicenceEditable,
  limits: LicenceEditLimits,
): ParsedLicenceEdit {
  const errors: FieldErrors = {};
  const next: Partial<LicenceEditable> = {};

  const sizeInput = text(raw, 'sizeTb');
  const size = parseWholeNumber(sizeInput);
  if (!sizeInput) errors.sizeTb = 'Enter the size in TB';
  else if (size === undefined) errors.sizeTb = 'Enter the size as a whole number of TB, for example 5';
  else if (size < limits.minimumTb)
    errors.sizeTb = `The size must be at least ${sizeText(limits.minimumTb)}, the product’s minimum`;
  else if (size < limits.projectQuotaTb)
    errors.sizeTb = `The size must be at least ${sizeText(limits.projectQuotaTb)}: the quotas of its storage projects add up to that`;
  else if (size > MAXIMUM_TB) errors.sizeTb = `The size must be at most ${sizeText(MAXIMUM_TB)}`;
  else next.sizeTb = size;

  const startText = text(raw, 'startDate');
  const endText = text(raw, 'endDate');
  const noDatesYet = current.startDate === null && current.endDate === null;
  if (!startText && !endText && noDatesYet) {
    next.startDate = null;
    next.endDate = null;
  } else {
    const start = parseCalendarDate(startText);
    const end = parseCalendarDate(endText);
    if (!startText) errors.startDate = 'Enter the start date';
    else if (!start) errors.startDate = `Enter the start date as a real day: ${DATE_HINT.toLowerCase()}`;
    if (!endText) errors.endDate = 'Enter the end date';
    else if (!end) errors.endDate = `Enter the end date as a real day: ${DATE_HINT.toLowerCase()}`;
    if (start && end) {
      if (compareDays(end, start) <= 0) errors.endDate = 'The end date must be after the start date';
      else if (limits.expiredAsOf && end !== current.endDate && compareDays(end, limits.expiredAsOf) >= 0) {
        errors.endDate = `This licence has expired, so its end date must stay before today (${formatDay(limits.expiredAsOf)}): to give it more time its Data Owner renews it (or recovers it from the cold store), which also brings its storage back into use`;
      } else {
        next.startDate = start;
        next.endDate = end;
      }
    }
  }

  const owner = text(raw, 'ownerCrsid').toLowerCase();
  if (!owner) errors.ownerCrsid = 'Enter the CRSid of the Data Owner';
  else if (!CRSID.test(owner)) errors.ownerCrsid = 'Enter the Data Owner’s CRSid, for example ab123';
  else next.ownerCrsid = owner;

  const reason = text(raw, 'reason');
  if (!reason) errors.reason = 'Enter the reason for this change';
  else if (reason.length > REASON_MAX_LENGTH)
    errors.reason = `The reason must be ${REASON_MAX_LENGTH} characters or fewer`;

  // What its person changed: a value they left as the form showed it is not theirs to write, and
  // one changed since the form was opened by someone else is refused, so it is not overwritten unseen.
  const shown = shownValues(raw, current);
  const changes: Partial<LicenceEditable> = {};
  for (const key of EDITABLE_KEYS) {
    if (!(key in next) || next[key] === shown[key] || next[key] === current[key]) continue;
    if (current[key] !== shown[key]) {
      const [label, words] = FIELD_WORDS[key];
      errors[key] =
        `This licence's ${label} was changed to ${words(current)} since this page was opened: check it, then save again`;
    } else Object.assign(changes, { [key]: next[key] });
  }
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  if (Object.keys(changes).length === 0) {
    return { ok: false, errors: { sizeTb: 'Nothing has changed: change the size, a date or the Data Owner' } };
  }
  return { ok: true, value: { changes, reason } };
}

/**
 * What a change order waiting for a licence was priced on, and so may not change under it: an
 * increase is priced to the end date; a renewal or a recovery is the size for a term from the day
 * after the end date. A cancellation costs nothing.
 */
const PRICED_ON: Record<Exclude<OrderKind, 'new'>, ReadonlyArray<'sizeTb' | 'endDate'>> = {
  increase: ['endDate'],
  renewal: ['sizeTb', 'endDate'],
  recovery: ['sizeTb', 'endDate'],
  cancellation: [],
};

const PRICED_WORDS = { sizeTb: 'size', endDate: 'end date' } as const;

/** Messages for an edit that would change what a change order in progress was priced on, or undefined. */
export function changeOrderConflict(
  changes: Partial<LicenceEditable>,
  order: { reference: string; kind: OrderKind },
): FieldErrors | undefined {
  if (order.kind === 'new') return undefined;
  const errors: FieldErrors = {};
  for (const field of PRICED_ON[order.kind]) {
    if (changes[field] === undefined) continue;
    errors[field] =
      `Order ${order.reference} (${order.kind}) was priced on this licence's ${PRICED_WORDS[field]} and is not done yet: complete it, or cancel it, before changing the ${PRICED_WORDS[field]}`;
  }
  return Object.keys(errors).length > 0 ? errors : undefined;
}
