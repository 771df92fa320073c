#!/usr/bin/env bash
# Builds both images (infra/docker/*.Dockerfile) on a development machine, which reaches Debian's
# and npm's registries but not Docker Hub, and checks that they start: the gateway image migrates a
# scratch database on the local PostgreSQL with its migration command, then answers /readyz; the
# CUFS image answers /healthz. Run as root from the repository root after `npm ci`:
#
#   bash scripts/check-images.sh
#
# Takes 10 to 20 minutes (Docker's vfs storage copies every layer). What it needs and the
# Dockerfiles do not say, it makes here, never in the repository:
# - dockerd from Debian's docker.io, started without networking of its own (--network=host builds);
# - a stand-in for node:24-slim: Debian bookworm from debootstrap, this project's Node 24
#   (node_modules/node) and npm, the "node" user (uid 1000), and this machine's CA bundle, through
#   which its proxy reaches the npm registry;
# - the Dockerfiles without their `# syntax=` line and cache mounts: Debian's daemon has no
#   BuildKit, and the syntax image would come from Docker Hub. Nothing else is changed.
set -euo pipefail

root=$(pwd)
work=$(mktemp -d)
database="ssgw_image_check_$$"
postgres=${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test}
server=${postgres%/*}
gateway_port=39871
cufs_port=39872

step() { printf '\n== %s\n' "$*"; }
cleanup() {
  docker rm -f ssgw-check-gateway ssgw-check-cufs >/dev/null 2>&1 || true
  psql "$postgres" -qc "DROP DATABASE IF EXISTS $database WITH (FORCE)" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

[ -x node_modules/node/bin/node ] || { echo "run npm ci first (Node 24 comes from node_modules/node)"; exit 1; }

step "Docker and debootstrap (Debian's packages)"
command -v dockerd >/dev/null && command -v debootstrap >/dev/null && command -v psql >/dev/null ||
  apt-get install -y docker.io debootstrap postgresql-client >/dev/null
if ! docker info >/dev/null 2>&1; then
  dockerd --iptables=false --ip6tables=false --bridge=none --storage-driver=vfs >/tmp/dockerd.log 2>&1 &
  for _ in $(seq 30); do docker info >/dev/null 2>&1 && break; sleep 1; done
  docker info >/dev/null 2>&1 || { tail -n 20 /tmp/dockerd.log; exit 1; }
fi
echo "dockerd is up"

step "A stand-in for node:24-slim"
if ! docker image inspect debian-local:bookworm >/dev/null 2>&1; then
  echo "debootstrap bookworm (about a minute)…"
  debootstrap --variant=minbase bookworm "$work/rootfs" http://deb.debian.org/debian >"$work/debootstrap.log"
  tar -C "$work/rootfs" -c . | docker import - debian-local:bookworm >/dev/null
fi
mkdir -p "$work/node"
cp node_modules/node/bin/node "$work/node/node"
cp -r "$(npm root -g)/npm" "$work/node/npm"
cp "${NODE_EXTRA_CA_CERTS:-/etc/ssl/certs/ca-certificates.crt}" "$work/node/ca-certificates.crt"
cat >"$work/node/Dockerfile" <<'EOF'
FROM debian-local:bookworm
COPY node /usr/local/bin/node
COPY npm /usr/local/lib/node_modules/npm
COPY ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt NPM_CONFIG_CAFILE=/etc/ssl/certs/ca-certificates.crt
RUN ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm \
 && ln -s ../lib/node_modules/npm/bin/npx-cli.js /usr/local/bin/npx \
 && groupadd -g 1000 node && useradd -u 1000 -g node -m -s /bin/sh node
EOF
DOCKER_BUILDKIT=0 docker build -q -t node-local:24-slim "$work/node" >/dev/null
docker run --rm node-local:24-slim node --version

for app in gateway cufs; do
  step "The $app image (each Dockerfile step as it starts)"
  sed -e '/^# syntax=/d' -e 's#RUN --mount=type=cache,target=/root/.npm #RUN #' \
    "infra/docker/$app.Dockerfile" >"$work/$app.Dockerfile"
  started=$(date +%s)
  DOCKER_BUILDKIT=0 docker build --network=host --build-arg NODE_IMAGE=node-local:24-slim \
    -f "$work/$app.Dockerfile" -t "ssgw-$app:check" "$root" 2>&1 | tee "$work/$app.log" | grep --line-buffered '^Step ' ||
    true
  docker image inspect "ssgw-$app:check" >/dev/null 2>&1 &&
    grep -q "Successfully tagged ssgw-$app:check" "$work/$app.log" ||
    { tail -n 30 "$work/$app.log"; echo "the $app image did not build"; exit 1; }
  echo "built in $(($(date +%s) - started)) s, $(docker image inspect -f '{{.Size}}' "ssgw-$app:check" | awk '{printf "%d MB", $1 / 1e6}')"
done

# Waits for a 200 from $1, up to 30 s (the CUFS image starts its embedded database first).
answers() {
  for _ in $(seq 60); do curl -fs "$1" && return 0; sleep 0.5; done
  return 1
}

step "The gateway image: its migration command, then a web process on PostgreSQL"
psql "$postgres" -qc "CREATE DATABASE $database"
settings=(-e "DATABASE_URL=$server/$database" -e HOST=127.0.0.1 -e "PORT=$gateway_port"
  -e "PUBLIC_URL=http://localhost:$gateway_port" -e SESSION_SECRET=image-check-secret-0123456789abcdef012345
  -e ALLOW_DEV_SIGN_IN=true -e DEV_SIGN_IN=true -e MAIL_DRIVER=outbox -e ALLOW_OUTBOX_MAILER=true
  -e DOCUMENTS_DRIVER=local -e ALLOW_LOCAL_DOCUMENTS=true -e APP_ROLE=web -e WEB_CONCURRENCY=1)
docker run --rm --network=host "${settings[@]}" ssgw-gateway:check node apps/gateway/dist/cli/migrate.js
docker run -d --name ssgw-check-gateway --network=host "${settings[@]}" ssgw-gateway:check >/dev/null
answers "http://127.0.0.1:$gateway_port/readyz" || { docker logs ssgw-check-gateway | tail -n 30; exit 1; }
echo
echo "runs as $(docker exec ssgw-check-gateway id -un); start-up modules from the image's compile cache: $(docker exec ssgw-check-gateway sh -c 'ls /app/compile-cache/*/ | wc -l')"

step "The CUFS image"
docker run -d --name ssgw-check-cufs --network=host -e HOST=127.0.0.1 -e "PORT=$cufs_port" \
  -e ALLOW_EMBEDDED_DATABASE=true -e CUFS_API_TOKENS=image-check-token-0123456789abcdef ssgw-cufs:check >/dev/null
answers "http://127.0.0.1:$cufs_port/healthz" || { docker logs ssgw-check-cufs | tail -n 30; exit 1; }
echo
echo "both images build and start"
