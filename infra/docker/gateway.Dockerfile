# syntax=docker/dockerfile:1.7
#
# The gateway image: one image for APP_ROLE=web, APP_ROLE=worker and the migration job
# (`node apps/gateway/dist/cli/migrate.js`). Build from the repository root:
#
#   docker build -f infra/docker/gateway.Dockerfile -t REGION-docker.pkg.dev/PROJECT/ssgw/gateway:TAG .
#
# Pin NODE_IMAGE to a digest in CI (node:24-slim@sha256:...) for reproducible builds.
ARG NODE_IMAGE=node:24-slim

# ---- build: every dependency (dev included), then tsc emits apps/gateway/dist and esbuild bundles it
FROM ${NODE_IMAGE} AS build
WORKDIR /app
ENV NPM_CONFIG_UPDATE_NOTIFIER=false NPM_CONFIG_FUND=false NPM_CONFIG_AUDIT=false
# Manifests first so the install layer is cached until a dependency changes. npm ci checks the
# lock file against every workspace, so both workspaces' package.json files are needed.
COPY package.json package-lock.json ./
COPY apps/gateway/package.json apps/gateway/package.json
COPY apps/cufs/package.json apps/cufs/package.json
RUN --mount=type=cache,target=/root/.npm npm ci
COPY tsconfig.base.json ./
COPY apps/gateway/tsconfig.json apps/gateway/tsconfig.build.json apps/gateway/
COPY apps/gateway/src apps/gateway/src
COPY scripts/bundle-gateway.js scripts/bundle-gateway.js
# The gateway's half of `npm run build` (the CUFS service has its own image and sources).
RUN npm run build:gateway

# ---- prod-deps: the gateway workspace's runtime dependencies only --------------------------------
FROM ${NODE_IMAGE} AS prod-deps
WORKDIR /app
ENV NPM_CONFIG_UPDATE_NOTIFIER=false NPM_CONFIG_FUND=false NPM_CONFIG_AUDIT=false
COPY package.json package-lock.json ./
COPY apps/gateway/package.json apps/gateway/package.json
COPY apps/cufs/package.json apps/cufs/package.json
# No install scripts are needed at run time (the only production one, protobufjs, is a version
# notice); skipping them keeps the runtime tree exactly what the lock file says.
RUN --mount=type=cache,target=/root/.npm \
    npm ci --omit=dev --workspace @ssgw/gateway --ignore-scripts
# The quotation PDF embeds DejaVu Sans and DejaVu Sans Bold (src/modules/quotes/quote-pdf.ts): the
# package's other typefaces and notes (~11 of its 12 MB) go; its licence stays.
RUN find node_modules/dejavu-fonts-ttf -type f ! -name 'DejaVuSans.ttf' ! -name 'DejaVuSans-Bold.ttf' \
        ! -name LICENSE ! -name AUTHORS ! -name README.md ! -name package.json -delete && \
    test -f node_modules/dejavu-fonts-ttf/ttf/DejaVuSans.ttf && test -f node_modules/dejavu-fonts-ttf/ttf/DejaVuSans-Bold.ttf

# ---- runtime ----------------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    DATA_DIR=/app/data \
    NPM_CONFIG_UPDATE_NOTIFIER=false
WORKDIR /app
# Code and dependencies stay owned by root and read-only to the process; only DATA_DIR (used by
# the embedded defaults, never in the Cloud Run deployment) is writable by the runtime user.
COPY --from=prod-deps /app/ ./
COPY --from=build /app/apps/gateway/dist apps/gateway/dist
COPY apps/gateway/public apps/gateway/public
RUN mkdir -p /app/data /app/compile-cache && chown node:node /app/data /app/compile-cache
# The official image's unprivileged "node" user (uid 1000).
USER node
# Node's compile cache and the bundle's V8 code cache (src/bundle-main.ts), filled here rather than
# in each instance's empty /tmp: a start with no configuration loads the bundle and what it
# requires from node_modules, then stops on the missing settings, leaving their V8 code here, so a
# cold start does not compile it (~50 ms). A different Node.js ignores it.
ENV NODE_COMPILE_CACHE=/app/compile-cache
RUN timeout 60 node apps/gateway/dist/main.bundle.js >/dev/null 2>&1; test -n "$(ls -A /app/compile-cache)"
# Cloud Run sets PORT (8080) and probes /healthz and /readyz itself: no HEALTHCHECK here.
EXPOSE 8080
# The bundle's entry (scripts/bundle-gateway.js): a few files to read at start instead of ~2,000 modules.
# Without --enable-source-maps: with it every start decodes the bundle's source map (~0.4 s); set
# NODE_OPTIONS=--enable-source-maps on a revision to log stack traces in TypeScript positions.
# --min-semi-space-size=32 (MB): V8's young generation starts at 32 MB instead of 1 MB, so a start
# collects no garbage before its first page (docs/operations/deployment.md). It is no NODE_OPTIONS
# option, hence here; `npm run start:gateway`, the bench and the bundle test use it too.
CMD ["node", "--min-semi-space-size=32", "apps/gateway/dist/main.bundle.js"]
