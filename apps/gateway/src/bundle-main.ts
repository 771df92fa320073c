import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire, enableCompileCache, getCompileCacheDir } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { constants, Script } from 'node:vm';
import { offerCodeCacheSaver } from './platform/web/code-cache.ts';

// The production entry (dist/main.bundle.js; scripts/bundle-gateway.js builds it from this file):
// it runs the gateway's one-file CommonJS bundle (src/main.ts and all it imports) with a V8 code
// cache taken once the process has answered its first request (platform/web/code-cache.ts), not
// as it compiled. Node's own compile cache (on here for what the bundle leaves in node_modules)
// keeps only the code V8 compiles before running a file; every function V8 compiles when first
// called (each package's module body, building the app, the first request) was compiled again at
// each start: ~50 ms of a ~290 ms cold start. The cache is kept in Node's compile cache directory
// (NODE_COMPILE_CACHE, which the image fills as it is built), in the subdirectory Node keeps for
// its version and V8 flags, named by the bundle's content hash. V8 refuses a cache that another V8
// made; a refused or missing cache is written anew.

/**
 * The bundle's file name beside this one, content hash included: set by scripts/bundle-gateway.js,
 * which alone builds this file (tsconfig.build.json leaves it out).
 */
declare const GATEWAY_BUNDLE: string;

/** A code cache of this or an earlier build of the bundle. */
const EARLIER_CACHE = /^gateway\.bundle-[A-Z0-9]+\.cjs\.v8cache$/;

enableCompileCache?.();
const bundle = fileURLToPath(new URL(GATEWAY_BUNDLE, import.meta.url));
// Node maps stack traces to the sources (--enable-source-maps) for the files it loads itself, not
// for a script run through node:vm: then the bundle is loaded as any CommonJS file, without the cache.
if (process.sourceMapsEnabled) createRequire(import.meta.url)(bundle);
else runWithCodeCache(bundle);

function runWithCodeCache(file: string): void {
  const cacheDir = getCompileCacheDir?.();
  const cacheFile = cacheDir ? path.join(cacheDir, `${GATEWAY_BUNDLE}.v8cache`) : undefined;
  const cachedData = cacheFile ? readIfPresent(cacheFile) : undefined;
  const script = new Script(
    `(function (exports, require, module, __filename, __dirname) {${readFileSync(file, 'utf8')}\n})`,
    { filename: file, cachedData, importModuleDynamically: constants.USE_MAIN_CONTEXT_DEFAULT_LOADER },
  );
  if (cacheFile && (!cachedData || script.cachedDataRejected)) {
    offerCodeCacheSaver(() => writeCodeCache(script, cacheFile));
    // A process that stops before it has served (the image's build starts one with no settings,
    // which stops at once) leaves what it compiled, unless another (a web process beside this
    // primary one, say) has saved a fuller cache meanwhile.
    process.once('exit', () => {
      if (!existsSync(cacheFile)) writeCodeCache(script, cacheFile);
    });
  }
  const module = { exports: {} };
  script.runInThisContext()(module.exports, createRequire(file), module, file, path.dirname(file));
}

function readIfPresent(file: string): Buffer | undefined {
  try {
    return readFileSync(file);
  } catch {
    return undefined;
  }
}

/**
 * Written aside and renamed, so that web processes starting together never read half a file; the
 * caches of earlier builds go. A cache that cannot be written (a read-only directory) is left: the
 * next start compiles as it would without one.
 */
function writeCodeCache(script: Script, file: string): void {
  const partial = `${file}.${randomBytes(4).toString('hex')}.partial`;
  try {
    writeFileSync(partial, script.createCachedData());
    renameSync(partial, file);
    const dir = path.dirname(file);
    for (const earlier of readdirSync(dir).filter((name) => EARLIER_CACHE.test(name) && name !== path.basename(file)))
      rmSync(path.join(dir, earlier), { force: true });
  } catch {
    rmSync(partial, { force: true });
  }
}
