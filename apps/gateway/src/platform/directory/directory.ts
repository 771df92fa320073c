/**
 * The University directory (people and institutions) as the gateway reads it: every person it
 * knows, current or left, a batch at a time so that a directory of hundreds of thousands never
 * sits in memory. Two implementations: the University Lookup API (DIRECTORY=lookup) and the
 * embedded default, a seeded table (DIRECTORY=seeded, `directory_people`).
 */
export interface DirectoryEntry {
  /** Lower case. */
  crsid: string;
  displayName: string;
  email: string;
  /** The directory's institution id (e.g. PHYS), or null when it gives none. */
  institutionId: string | null;
  /** 'left': the directory still knows the person, but they are no longer a member of the University. */
  status: 'current' | 'left';
}

export interface Directory {
  /** Says where the people come from, for logs ("lookup:https://…", "seeded table"). */
  readonly description: string;
  /** Everyone, in batches (each non-empty), in CRSid order. Throws DirectoryError when the directory cannot answer. */
  listPeople(): AsyncIterable<DirectoryEntry[]>;
  /**
   * One person by CRSid (lower case), or undefined when the directory does not know them: someone
   * given a place before they have signed in. Throws DirectoryError when the directory cannot answer.
   */
  findPerson(crsid: string): Promise<DirectoryEntry | undefined>;
}

/** The directory could not be read (down, refused, or an answer not understood): the sync fails and is retried. */
export class DirectoryError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DirectoryError';
  }
}

/** How many people a batch holds: one SQL statement each in the sync. */
export const DIRECTORY_BATCH_SIZE = 1_000;
