// `npm run build` step: bundles the gateway into apps/gateway/dist/main.bundle.js and a few chunks
// beside it, so that a start reads a handful of files instead of some 2,000 modules (module
// resolution, file reads and the loader's per-module work were most of a cold start). main.ts
// stays a small entry that turns on Node's compile cache before the rest (a chunk of its own) is
// loaded. `npm run start:gateway` and the image run the bundle; dist/main.js (tsc) is the same
// program unbundled.
//
// Left out, and loaded from node_modules as before: what reads files beside its own code at run
// time (PGlite's WebAssembly, pdfkit's fonts, pino's transport workers), the cloud SDKs that are
// only loaded when configured, and pg's optional native binding.
import { existsSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const gateway = path.join(root, 'apps/gateway');
const dist = path.join(gateway, 'dist');

// Chunk names carry a hash: drop the previous build's.
for (const file of existsSync(dist) ? readdirSync(dist) : []) {
  if (file.includes('.bundle')) rmSync(path.join(dist, file));
}

const options = {
  absWorkingDir: gateway,
  outdir: 'dist',
  // Chunks sit beside the entry: app.ts finds ../public from its own file.
  chunkNames: '[name].bundle-[hash]',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node24',
  tsconfig: 'tsconfig.build.json',
  // Smaller is faster to read and compile; names stay, for stack traces and error names.
  // BUNDLE_NO_MINIFY=1 keeps the code as written, for a CPU profile that reads (docs/development.md).
  minify: !process.env.BUNDLE_NO_MINIFY,
  keepNames: true,
  sourcemap: true,
  legalComments: 'linked',
  logLevel: 'warning',
  external: [
    '@electric-sql/pglite',
    'pdfkit',
    'pino',
    'pino-pretty',
    'thread-stream',
    '@aws-sdk/*',
    '@google-cloud/*',
    'google-auth-library',
    'pg-native',
    // Fastify requires these only when a route has a JSON schema (we give it our own compilers,
    // schema-compilers.ts) or for inject(), which tests use on the sources: as part of the bundle
    // they were a fifth of what each start reads and decodes.
    '@fastify/ajv-compiler',
    '@fastify/fast-json-stringify-compiler',
    'light-my-request',
  ],
  // The CommonJS packages inside an ES module bundle still need require and __dirname.
  banner: {
    js: [
      "import { createRequire as __bundleCreateRequire } from 'node:module';",
      'const require = __bundleCreateRequire(import.meta.url);',
    ].join('\n'),
  },
};

await build({ ...options, entryPoints: { 'main.bundle': 'src/main.ts' } });
// The nightly job as a one-shot command (`npm run nightly`, src/cli/nightly.ts): a build of its own,
// so that the gateway's chunks stay as they are, and the command loads only what the night needs.
await build({ ...options, entryPoints: { 'nightly.bundle': 'src/cli/nightly.ts' } });
