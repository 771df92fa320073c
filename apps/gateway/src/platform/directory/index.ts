import type { Config } from '../config.ts';
import type { Executor } from '../db/database.ts';
import type { Directory } from './directory.ts';
import { lookupDirectory } from './lookup-directory.ts';
import { seededDirectory } from './seeded-directory.ts';

export { type Directory, type DirectoryEntry, DirectoryError } from './directory.ts';
export { lookupDirectory } from './lookup-directory.ts';
export { seededDirectory } from './seeded-directory.ts';

/** The directory a deployment asked for (DIRECTORY); nothing is contacted until the sync runs. */
export function createDirectory(settings: Config['directory'], db: Executor): Directory {
  return settings.kind === 'lookup' ? lookupDirectory(settings) : seededDirectory(db);
}
