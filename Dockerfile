# hookgate container image: one compiled executable on a small Debian base, running as a non-root user.
#
#   docker build -t hookgate .
#   docker run -p 8080:8080 -v hookgate-data:/data --stop-timeout 30 -e HOOKGATE_ADMIN_KEY=<at least 24 chars> hookgate
#
# --stop-timeout (or docker stop -t, Compose stop_grace_period) must exceed the shutdown bound, delivery.timeout_ms
# + 5 s (15 s by default); Docker's default of 10 s would kill attempts still in flight.
#
# Configuration: the image ships /etc/hookgate/hookgate.yaml (listen on 0.0.0.0:8080, everything stored
# under /data). Mount your own file over it, or point HOOKGATE_CONFIG elsewhere; ${VAR} in the file reads
# the container's environment. The admin key comes from HOOKGATE_ADMIN_KEY unless the file sets
# auth.admin_keys. Secrets are encrypted under HOOKGATE_MASTER_KEY when set, else under /data/master.key
# (created 0600 on first start and kept on the volume): back up /data, or set HOOKGATE_MASTER_KEY from your
# secret store to the same value on every run (a new key per run makes the second start refuse).

ARG BUN_VERSION=1.4.5

# 1. Dependencies, installed by npm from the npm lockfile exactly as `npm ci` does on a developer machine.
#    Only runtime dependencies: the build needs nothing else (bun itself comes from the next stage's image).
FROM node:22-bookworm-slim AS deps
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund

# 2. The single executable: migrations, Swagger UI assets and package.json are embedded by `bun build --compile`;
#    the sandbox worker (tenant JSONata and schemas run there) is a second entry point bundled into it.
FROM oven/bun:${BUN_VERSION} AS build
WORKDIR /src
COPY --from=deps /src/node_modules ./node_modules
COPY package.json tsconfig.json ./
COPY src ./src
RUN bun build src/main.ts src/routing/sandbox-worker.ts --compile --minify --sourcemap --outfile /out/hookgate \
 && /out/hookgate version

# 3. Runtime. debian:bookworm-slim rather than distroless because the HEALTHCHECK needs an HTTP client (curl);
#    ca-certificates lets webhooks reach https endpoints whose chains need the system store.
FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates curl \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --user-group --home-dir /data --shell /usr/sbin/nologin hookgate \
 && mkdir -p /data /etc/hookgate \
 && chown hookgate:hookgate /data \
 && printf '%s\n' \
      '# hookgate container defaults; see config.example.yaml for every key.' \
      'server:' \
      '  host: 0.0.0.0' \
      '  port: 8080' \
      'storage:' \
      '  path: /data/hookgate.db' \
      'signing:' \
      '  ed25519_key_file: /data/ed25519.key' \
      > /etc/hookgate/hookgate.yaml
COPY --from=build /out/hookgate /usr/local/bin/hookgate

ENV HOOKGATE_CONFIG=/etc/hookgate/hookgate.yaml
USER hookgate
WORKDIR /data
VOLUME ["/data"]
EXPOSE 8080
# /healthz answers 200 while the process serves HTTP. If you change server.port, override this check too.
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \
  CMD curl -fsS http://127.0.0.1:8080/healthz || exit 1
# SIGTERM (docker stop) lets in-flight deliveries finish, then closes the database.
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/local/bin/hookgate"]
CMD ["serve"]
