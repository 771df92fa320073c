import type { Executor } from '../../platform/db/database.ts';
import type { Directory } from '../../platform/directory/index.ts';
import type { FieldErrors } from '../../platform/web/components.tsx';
import { AppError } from '../../platform/web/errors.ts';
import { type CatalogueProduct, findPriceInForce, listProducts } from '../catalogue/catalogue.repository.ts';
import { type PriceBreakdown, priceLicence } from '../catalogue/pricing.ts';
import {
  type DirectoryPerson,
  findPeopleByCrsids,
  type Institution,
  listInstitutions,
  type PersonWithRoles,
} from '../people/people.repository.ts';
import {
  addPeopleFromDirectory,
  type DirectoryLookup,
  directoryUnreachableMessage,
  leftUniversityMessage,
} from '../people/people-from-directory.ts';
import {
  type ConfigurationInput,
  type Parsed,
  parseConfiguration,
  payingDepartmentRefusal,
} from './purchase-configuration.ts';

/** A configuration checked against the catalogue and the directory, with its price on the day. */
export interface PricedConfiguration {
  product: CatalogueProduct;
  sizeTb: number;
  termYears: number;
  institution: Institution;
  licenceName: string;
  owner: DirectoryPerson;
  managers: DirectoryPerson[];
  projectName: string;
  price: PriceBreakdown & { pencePerTbYear: number; validFrom: string };
}

/** The product on sale today, or a 404 that names what was asked for. */
export async function productOnSale(db: Executor, code: string, asOf: string): Promise<CatalogueProduct> {
  const [product] = await listProducts(db, asOf, code.toUpperCase());
  if (!product) throw new AppError('not-found', `There is no product called ${code}.`);
  return product;
}

/**
 * Whom a configuration is checked for. A buyer about to quote or order may have only their own
 * department or the Data Owner's pay (payingDepartmentRefusal). A price shown as the buyer types
 * is only a price: the price list is public, so any department's is shown, and the department is
 * checked when they ask for a quote or continue.
 */
export type CheckedFor = { buyer: Pick<PersonWithRoles, 'institutionId'> } | { priceOnly: true };

/**
 * Checks a configuration (form or JSON) and prices it: the one check pricing, quoting and ordering
 * share, on the pages and in the API. Every problem comes back keyed by its field, so a page can
 * show each one next to its input. The product is a page's (its address names it: a 404 if it is
 * not on sale) or a body's code, which is a problem for `product` like any other field's.
 */
export async function priceConfiguration(
  context: { db: Executor; directory: Directory },
  productOrCode: CatalogueProduct | string,
  raw: unknown,
  asOf: string,
  checkedFor: CheckedFor,
): Promise<Parsed<PricedConfiguration>> {
  const { db } = context;
  const errors: FieldErrors = {};
  const product = typeof productOrCode === 'string' ? await productCalled(db, productOrCode, asOf) : productOrCode;
  if (typeof product === 'string') errors.product = product;
  const parsed = parseConfiguration(typeof product === 'string' ? null : product, raw);
  if (!parsed.ok) return { ok: false, errors: { ...errors, ...parsed.errors } };
  const input = parsed.value;
  const institutions = await listInstitutions(db);
  const institutionOf = (id: string | null) => institutions.find((institution) => institution.id === id);
  const institution = institutionOf(input.institutionId);
  if (!institution) errors.institutionId = 'Choose a department from the list';
  // A Data Owner or Data Manager who has not signed in yet is found in the University directory.
  const lookup = await addPeopleFromDirectory(db, context.directory, [input.ownerCrsid, ...input.managerCrsids]);
  const { owner, managers } = await findPeople(db, input, errors, lookup);
  // Whose department may pay is known once the Data Owner is (until then, their field says what is wrong).
  if (institution && owner && 'buyer' in checkedFor) {
    const buyerDepartment = departmentOf(checkedFor.buyer.institutionId, institutionOf);
    const ownerDepartment = departmentOf(owner.institutionId, institutionOf);
    const refusal = payingDepartmentRefusal(institution.id, buyerDepartment, ownerDepartment);
    if (refusal) errors.institutionId = refusal;
  }
  if (typeof product === 'string' || !institution || !owner || Object.keys(errors).length > 0) {
    return { ok: false, errors };
  }

  const unitPrice = await findPriceInForce(db, product.code, institution.customerClass, asOf);
  if (!unitPrice) {
    throw new AppError('unavailable', `${product.name} has no ${institution.customerClass} price today; contact us.`);
  }
  const breakdown = priceLicence({
    sizeTb: input.sizeTb,
    termYears: input.termYears,
    pencePerTbYear: unitPrice.pencePerTbYear,
    customerClass: institution.customerClass,
  });
  return {
    ok: true,
    value: {
      product,
      sizeTb: input.sizeTb,
      termYears: input.termYears,
      institution,
      licenceName: input.licenceName,
      owner,
      managers,
      projectName: input.projectName,
      price: { ...breakdown, ...unitPrice },
    },
  };
}

/** The product on sale with this code, or what to say for `product`, naming the ones on sale. */
async function productCalled(db: Executor, code: string, asOf: string): Promise<CatalogueProduct | string> {
  const [product] = await listProducts(db, asOf, code.trim().toUpperCase());
  if (product) return product;
  const onSale = (await listProducts(db, asOf)).map((each) => each.code).join(', ');
  return code.trim()
    ? `There is no product called ${code} on sale: choose one of ${onSale}`
    : `Choose a product: one of ${onSale}`;
}

/** A person's department as the directory has it; one that is not in the list of departments counts as its code. */
function departmentOf(id: string | null, institutionOf: (id: string | null) => Institution | undefined) {
  if (id === null) return null;
  return institutionOf(id) ?? { id, name: id };
}

async function findPeople(
  db: Executor,
  input: ConfigurationInput,
  errors: FieldErrors,
  { unreachable, left }: DirectoryLookup,
): Promise<{ owner?: DirectoryPerson; managers: DirectoryPerson[] }> {
  const found = new Map(
    (await findPeopleByCrsids(db, [input.ownerCrsid, ...input.managerCrsids])).map((person) => [person.crsid, person]),
  );
  const problem = (crsid: string): string | undefined => {
    const person = found.get(crsid);
    if (!person && unreachable.has(crsid)) return directoryUnreachableMessage(crsid);
    const leaver = left.get(crsid);
    if (!person && leaver !== undefined) return leftUniversityMessage(leaver, crsid);
    if (!person) return `No one with the CRSid ${crsid} is in the University directory`;
    if (person.status === 'left') return leftUniversityMessage(person.displayName, crsid);
    return undefined;
  };
  const ownerProblem = problem(input.ownerCrsid);
  if (ownerProblem) errors.ownerCrsid = ownerProblem;
  const managerProblem = input.managerCrsids.map(problem).find(Boolean);
  if (managerProblem) errors.managerCrsids = managerProblem;
  const managers = input.managerCrsids
    .filter((crsid) => crsid !== input.ownerCrsid)
    .flatMap((crsid) => found.get(crsid) ?? []);
  return { owner: ownerProblem ? undefined : found.get(input.ownerCrsid), managers };
}

/** The configuration as a form fills it in again: for "change" links and for buying from a quote. */
export function configurationFormValues(configuration: PricedConfiguration): Record<string, string> {
  return {
    sizeTb: String(configuration.sizeTb),
    termYears: String(configuration.termYears),
    institutionId: configuration.institution.id,
    licenceName: configuration.licenceName,
    ownerCrsid: configuration.owner.crsid,
    managerCrsids: configuration.managers.map((person) => person.crsid).join(', '),
    projectName: configuration.projectName,
  };
}
