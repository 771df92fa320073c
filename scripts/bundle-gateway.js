// `npm run build` step: bundles the gateway into one file, apps/gateway/dist/gateway.bundle-HASH.cjs,
// so that a start reads a few files instead of some 2,000 modules (module resolution, file reads
// and the loader's per-module work were most of a cold start), and a small entry beside it,
// dist/main.bundle.js (src/bundle-main.ts), that runs it with a V8 code cache. `npm run
// start:gateway` and the image run the entry; dist/main.js (tsc) is the same program unbundled.
//
// Left out, and loaded from node_modules as before: what reads files beside its own code at run
// time (PGlite's WebAssembly, pdfkit's fonts, pino-pretty), the cloud SDKs that are only loaded
// when configured, and pg's optional native binding. pino is in: the gateway logs JSON lines to
// stdout and starts no pino transport (whose worker file it would look for beside the bundle).
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
    'pino-pretty',
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

// The gateway: src/main.ts and all it imports as one CommonJS file named by its content, which
// dist/main.bundle.js (src/bundle-main.ts) runs with a V8 code cache taken after it has served.
// CommonJS because Node can take such a cache of a script, not of an ES module (node:vm's modules
// are experimental); so one file, as esbuild splits only ES modules.
const gatewayBuild = await build({
  ...options,
  entryPoints: { 'gateway.bundle': 'src/main.ts' },
  entryNames: '[name]-[hash]',
  outExtension: { '.js': '.cjs' },
  splitting: false,
  format: 'cjs',
  // Loaded from node_modules when first used (the job queue after a web process's first response,
  // nodemailer for the first email): in the bundle they were a third of what every start reads.
  external: [...options.external, 'pg-boss', 'nodemailer'],
  metafile: true,
  define: { 'import.meta.url': '__bundleFileUrl' },
  banner: { js: "const __bundleFileUrl = require('node:url').pathToFileURL(__filename).href;" },
});
const [gatewayFile] = Object.keys(gatewayBuild.metafile.outputs).filter((file) => file.endsWith('.cjs'));
await build({
  ...options,
  entryPoints: { 'main.bundle': 'src/bundle-main.ts' },
  define: { GATEWAY_BUNDLE: JSON.stringify(path.basename(gatewayFile)) },
});
// The nightly job as a one-shot command (`npm run nightly`, src/cli/nightly.ts): an ES module build
// of its own, in chunks, so that the command loads only what the night needs.
await build({ ...options, entryPoints: { 'nightly.bundle': 'src/cli/nightly.ts' } });
