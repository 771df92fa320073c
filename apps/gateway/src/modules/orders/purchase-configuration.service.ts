import type { Executor } from '../../platform/db/database.ts';
import type { Directory } from '../../platform/directory/index.ts';
import type { FieldErrors } from '../../platform/web/components.tsx';
import { AppError } from '../../platform/web/errors.ts';
import { type CatalogueProduct, findPriceInForce, listProducts } from '../catalogue/catalogue.repository.ts';
import { type PriceBreakdown, priceLicence } from '../catalogue/pricing.ts';
import {
  type DirectoryPerson,
  findInstitution,
  findPeopleByCrsids,
  type Institution,
} from '../people/people.repository.ts';
import {
  addPeopleFromDirectory,
  type DirectoryLookup,
  directoryUnreachableMessage,
  leftUniversityMessage,
} from '../people/people-from-directory.ts';
import { type ConfigurationInput, type Parsed, parseConfiguration } from './purchase-configuration.ts';

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
 * Checks a configuration (form or JSON) and prices it. Every problem comes back keyed by its
 * field, so a page can show each one next to its input.
 */
export async function priceConfiguration(
  context: { db: Executor; directory: Directory },
  product: CatalogueProduct,
  raw: unknown,
  asOf: string,
): Promise<Parsed<PricedConfiguration>> {
  const { db } = context;
  const parsed = parseConfiguration(product, raw);
  if (!parsed.ok) return parsed;
  const input = parsed.value;
  const errors: FieldErrors = {};
  const institution = await findInstitution(db, input.institutionId);
  if (!institution) errors.institutionId = 'Choose a department from the list';
  // A Data Owner or Data Manager who has not signed in yet is found in the University directory.
  const lookup = await addPeopleFromDirectory(db, context.directory, [input.ownerCrsid, ...input.managerCrsids]);
  const { owner, managers } = await findPeople(db, input, errors, lookup);
  if (!institution || !owner || Object.keys(errors).length > 0) return { ok: false, errors };

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
