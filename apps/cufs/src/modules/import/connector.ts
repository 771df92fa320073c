/**
 * Where reference data comes from. The importer asks a connector for each data set's records and
 * does all checking and writing itself, so a direct CUFS query (e.g. Oracle through `oracledb` thin
 * mode, one SELECT per data set) can be added as another connector without touching the API.
 */

export const DATASETS = ['cost_centres', 'sources_of_funds', 'awards', 'projects', 'tasks'] as const;
export type Dataset = (typeof DATASETS)[number];

/** The columns each data set carries, in the extracts' order. */
export const DATASET_COLUMNS: Record<Dataset, readonly string[]> = {
  cost_centres: ['code', 'name', 'department_name', 'status', 'valid_from', 'valid_to'],
  sources_of_funds: ['code', 'name', 'status', 'valid_from', 'valid_to'],
  awards: ['award_number', 'title', 'sponsor', 'status'],
  projects: ['project_number', 'award_number', 'title', 'status', 'start_date', 'end_date'],
  tasks: ['project_number', 'task_number', 'name', 'status'],
};

/** One record as the source holds it: text values by column name, and where it was found. */
export interface SourceRecord {
  /** The line (CSV) or row number (query) of the record, for error messages. */
  line: number;
  values: Record<string, string>;
  /**
   * What is wrong with the record as the source holds it (e.g. a CSV row with more or fewer values
   * than the header has columns): reported at its line instead of checking its values.
   */
  problem?: string;
}

/** A fault in the source itself (missing file, broken quoting, wrong columns), at a place in it. */
export class ExtractError extends Error {
  constructor(
    readonly source: string,
    readonly line: number,
    message: string,
  ) {
    super(message);
    this.name = 'ExtractError';
  }
}

export interface ReferenceDataConnector {
  /** Where the data came from, for the import record: e.g. "csv:/srv/extracts". */
  readonly description: string;
  /** The name used in messages for a data set's source: e.g. "tasks.csv". */
  sourceName(dataset: Dataset): string;
  /** Every record of a data set, in source order; throws ExtractError for a fault in the source. */
  read(dataset: Dataset): AsyncIterable<SourceRecord>;
}
