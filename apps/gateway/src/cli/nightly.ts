// npm run nightly -- [--as-of YYYY-MM-DD] [--json]: the nightly lifecycle job once, by hand
// (nightly-main.ts). As main.ts does for the gateway, this entry only turns on Node's on-disk
// compile cache before the command (a chunk of its own in the bundle) is loaded, so that a run
// after the first compiles nothing.
import { enableCompileCache } from 'node:module';

enableCompileCache?.();
await import('./nightly-main.ts');
