import { fileURLToPath } from 'node:url';

/** The sample extracts shipped with the service (apps/cufs/sample-data), from src/ or dist/ alike. */
export const SAMPLE_DATA_DIR = fileURLToPath(new URL('../sample-data/', import.meta.url));
