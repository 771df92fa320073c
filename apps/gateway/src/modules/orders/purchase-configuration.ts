import { createHash } from 'node:crypto';
import * as z from 'zod';
import type { FieldErrors } from '../../platform/web/components.tsx';
import { fieldErrorsOf, wholeNumberFrom } from '../../platform/web/forms.ts';
import { formatPence } from '../catalogue/money.ts';
import { sizeText } from '../catalogue/sizes.ts';
import { CRSID } from '../people/crsid.ts';

/** Control characters, line and paragraph separators, and text-direction overrides and isolates. */
const NOT_PLAIN_TEXT = /[\p{Cc}\u2028\u2029\u202a-\u202e\u2066-\u2069]/u;
const LICENCE_NAME_NOT_PLAIN =
  'The licence name must be one line of plain text, without tabs, line breaks or invisible direction marks';

/**
 * What a buyer chooses for new storage, as the configure page, the quote and the API send it.
 * Pure: the directory lookups (department, people) happen in purchase-configuration.service.ts.
 */
export interface ProductRules {
  code: string;
  minimumTb: number;
  termsYears: number[];
}

/** The largest licence sold through the gateway; bigger ones are arranged with the team. */
export const MAXIMUM_TB = 10_000;

const PROJECT_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$/;

function wholeNumber(field: string, missing: string, notWhole: string) {
  return z
    .string({ error: missing })
    .trim()
    .min(1, missing)
    .refine((value) => wholeNumberFrom(value) !== undefined, notWhole)
    .transform((value) => wholeNumberFrom(value) as number)
    .describe(field);
}

function crsidList(value: string): string[] {
  return [
    ...new Set(
      value
        .toLowerCase()
        .split(/[\s,;]+/)
        .filter(Boolean),
    ),
  ];
}

/**
 * The rules of a configuration. Without a product (a body naming none on sale, refused for
 * `product`), the rules every product shares, so that the other fields' problems are told too.
 */
export function configurationSchema(product: ProductRules | null) {
  const terms = product?.termsYears.map((years) => (years === 1 ? '1 year' : `${years} years`)).join(', ');
  const minimumTb = product?.minimumTb ?? 1;
  const offered = terms ? `Choose one of the terms offered: ${terms}` : 'Choose the term as a whole number of years';
  return z.object({
    sizeTb: wholeNumber('sizeTb', 'Enter the size in TB', 'Enter the size as a whole number of TB, for example 5')
      .refine((size) => size >= minimumTb, `The size must be at least ${sizeText(minimumTb)}`)
      .refine((size) => size <= MAXIMUM_TB, `The size must be at most ${sizeText(MAXIMUM_TB)}; contact us for more`),
    termYears: wholeNumber('termYears', 'Choose how long the licence lasts', offered).refine(
      (years) => (product ? product.termsYears.includes(years) : years >= 1),
      offered,
    ),
    institutionId: z
      .string({ error: 'Choose the department that pays for the storage' })
      .trim()
      .min(1, 'Choose the department that pays for the storage'),
    licenceName: z
      .string({ error: 'Enter a name for the licence' })
      .trim()
      .min(1, 'Enter a name for the licence')
      .max(100, 'The licence name must be 100 characters or fewer')
      // One line: the name goes into email subjects, where a line break is refused (it could add headers).
      // No invisible direction controls either: "\u202Egnp.exe" would read "exe.png" on staff pages.
      .refine((name) => !NOT_PLAIN_TEXT.test(name), LICENCE_NAME_NOT_PLAIN)
      // trim() keeps invisible characters (a zero-width space): a name of only those is no name.
      .refine((name) => /[^\p{Cf}\p{Z}]/u.test(name), 'Enter a name for the licence'),
    ownerCrsid: z
      .string({ error: 'Enter the CRSid of the Data Owner' })
      .trim()
      .toLowerCase()
      .min(1, 'Enter the CRSid of the Data Owner')
      .regex(CRSID, 'Enter the Data Owner’s CRSid, for example ab123'),
    managerCrsids: z
      .string()
      .optional()
      .default('')
      .transform(crsidList)
      .refine(
        (list) => list.every((crsid) => CRSID.test(crsid)),
        'Enter Data Managers as CRSids separated by commas, for example ab123, cd456',
      )
      .refine((list) => list.length <= 20, 'Add at most 20 Data Managers here; more can be added later'),
    projectName: z
      .string({ error: 'Enter a name for the first storage project' })
      .trim()
      .min(1, 'Enter a name for the first storage project')
      .regex(
        PROJECT_NAME,
        'Use up to 40 letters, numbers, hyphens and underscores for the project name, starting with a letter or number',
      ),
  });
}

export type ConfigurationInput = z.infer<ReturnType<typeof configurationSchema>>;

export type Parsed<T> = { ok: true; value: T } | { ok: false; errors: FieldErrors };

/** Checks a submitted configuration's shape and the product's rules; numbers arrive as strings from forms. */
export function parseConfiguration(product: ProductRules | null, raw: unknown): Parsed<ConfigurationInput> {
  const normalised = normaliseNumbers(raw);
  const result = configurationSchema(product).safeParse(normalised);
  return result.success ? { ok: true, value: result.data } : { ok: false, errors: fieldErrorsOf(result.error) };
}

/** A department, College or outside body as messages name it: "Department of Physics (PHYS)". */
export interface NamedDepartment {
  id: string;
  name: string;
}

export function departmentWords(department: NamedDepartment): string {
  return `${department.name} (${department.id})`;
}

/**
 * Why the chosen department may not pay for new storage, or null when it may. It must be the
 * buyer's own or the Data Owner's, as the University directory has them: the department sets the
 * price (internal, or external plus VAT) and whose budget and vouchers pay, so a free choice would
 * let a College buy at the internal price, or anyone spend another department's money. A buyer the
 * directory puts in no department (a visitor, say) may choose any: there is nothing to hold them to.
 */
export function payingDepartmentRefusal(
  chosenId: string,
  buyer: NamedDepartment | null,
  owner: NamedDepartment | null,
): string | null {
  if (!buyer || chosenId === buyer.id || chosenId === owner?.id) return null;
  const yours = `Choose your department, ${departmentWords(buyer)}`;
  if (!owner) return `${yours}: the Data Owner has no department in the University directory`;
  if (owner.id === buyer.id) return `${yours}, which is also the Data Owner’s`;
  return `${yours}, or the Data Owner’s: ${departmentWords(owner)}`;
}

/** The JSON API sends numbers as numbers and managers as a list; forms send strings. One schema serves both. */
function normaliseNumbers(raw: unknown): unknown {
  if (!raw || typeof raw !== 'object') return raw;
  const copy: Record<string, unknown> = { ...(raw as Record<string, unknown>) };
  for (const key of ['sizeTb', 'termYears']) if (typeof copy[key] === 'number') copy[key] = String(copy[key]);
  if (Array.isArray(copy.managerCrsids)) copy.managerCrsids = copy.managerCrsids.join(',');
  return copy;
}

/** What a check-your-answers page showed the buyer, as its form sends it back. */
export interface ShownOnCheckPage {
  totalPence?: string;
  termsVersion?: string;
  /** The answers' fingerprint (answersFingerprint). */
  answers?: string;
}

/**
 * A short fingerprint of the answers a check page shows (the draft's configuration or change, and
 * its payment), sent back by its form: the draft lives in the session, which every tab of the
 * browser shares, so answers changed in another tab after this page was shown would otherwise be
 * submitted by this page's button unseen.
 */
export function answersFingerprint(answers: unknown): string {
  return createHash('sha256')
    .update(JSON.stringify(keysSorted(answers)))
    .digest('base64url')
    .slice(0, 22);
}

/** The value with every object's keys in order, so that the same answers always print the same. */
function keysSorted(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(keysSorted);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([key, item]) => [key, keysSorted(item)]),
  );
}

/**
 * Why an order must not be submitted as it stands: its answers were changed (in another tab) after
 * the check page was shown, or a new price or a new version of the terms came into force since, so
 * the buyer would be bound to answers, a total or terms they did not see. Null when the order is as
 * shown, or when the form does not say what it showed.
 */
export function changedSinceShown(
  shown: ShownOnCheckPage,
  now: { totalPence: number; termsVersion: string; answers: string },
): string | null {
  if (shown.answers !== undefined && shown.answers !== now.answers) {
    return 'Your answers were changed in another tab or window after this page was shown: check them again and accept the terms to submit';
  }
  if (shown.totalPence !== undefined && shown.totalPence !== String(now.totalPence)) {
    return `The price has changed since you checked your order: the total is now ${formatPence(now.totalPence)}. Check the new price and accept the terms again to submit`;
  }
  if (shown.termsVersion !== undefined && shown.termsVersion !== now.termsVersion) {
    return `The terms and conditions have changed since you checked your order: read version ${now.termsVersion} and accept them to submit`;
  }
  return null;
}
