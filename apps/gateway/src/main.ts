import { enableCompileCache } from 'node:module';

// The entry point from the sources. It turns on Node's on-disk compile cache before loading the
// gateway, so that every module after this one (ours and node_modules) is compiled from the cache.
// The production bundle is this file and all it imports, run by bundle-main.ts, which caches more.
// A cache that cannot be written is ignored. No top-level await: the bundle is CommonJS.
enableCompileCache?.();
// With WEB_CONCURRENCY above 1, this first process only starts and watches that many web processes,
// each of which runs this file again and starts the gateway.
void import('./platform/web/web-processes.ts').then(({ forkWebProcesses }) =>
  forkWebProcesses() ? undefined : import('./gateway.ts'),
);
