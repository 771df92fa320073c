# syntax=docker/dockerfile:1.7
#
# The CUFS API service image. Build from the repository root:
#
#   docker build -f infra/docker/cufs.Dockerfile -t REGION-docker.pkg.dev/PROJECT/ssgw/cufs:TAG .
#
# Assumes the service's entry point compiles to apps/cufs/dist/main.js (the same convention as
# the gateway). Pin NODE_IMAGE to a digest in CI.
ARG NODE_IMAGE=node:24-slim

# ---- build ------------------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS build
WORKDIR /app
ENV NPM_CONFIG_UPDATE_NOTIFIER=false NPM_CONFIG_FUND=false NPM_CONFIG_AUDIT=false
COPY package.json package-lock.json ./
COPY apps/gateway/package.json apps/gateway/package.json
COPY apps/cufs/package.json apps/cufs/package.json
RUN --mount=type=cache,target=/root/.npm npm ci
COPY tsconfig.base.json ./
COPY apps/cufs/tsconfig.json apps/cufs/tsconfig.build.json apps/cufs/
COPY apps/cufs/src apps/cufs/src
# The root `npm run build` compiles the gateway; compile this workspace on its own.
RUN npx --no-install tsc -p apps/cufs/tsconfig.build.json

# ---- prod-deps --------------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS prod-deps
WORKDIR /app
ENV NPM_CONFIG_UPDATE_NOTIFIER=false NPM_CONFIG_FUND=false NPM_CONFIG_AUDIT=false
COPY package.json package-lock.json ./
COPY apps/gateway/package.json apps/gateway/package.json
COPY apps/cufs/package.json apps/cufs/package.json
RUN --mount=type=cache,target=/root/.npm \
    npm ci --omit=dev --workspace @ssgw/cufs --ignore-scripts

# ---- runtime ----------------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    DATA_DIR=/app/data \
    NPM_CONFIG_UPDATE_NOTIFIER=false
WORKDIR /app
COPY --from=prod-deps /app/ ./
COPY --from=build /app/apps/cufs/dist apps/cufs/dist
RUN mkdir -p /app/data && chown node:node /app/data
USER node
EXPOSE 8080
CMD ["node", "--enable-source-maps", "apps/cufs/dist/main.js"]
