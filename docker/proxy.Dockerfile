# The mAI Gateway proxy (OpenAI-compatible, in front of OpenRouter). It has no database: it reaches
# the data through the API's internal procedures (MAI_API_URL, MAI_INTERNAL_TOKEN).
#
#   docker build -f docker/proxy.Dockerfile -t mai-gateway/proxy .  (from the repository root)
#
# Stages: `manifests` (the lock file and every workspace's package.json), `deps` (production
# dependencies of @mai/proxy only), and the runtime image: those dependencies and the TypeScript
# source of the proxy and the packages it imports (run by tsx, there is no compile step).

FROM node:20-bookworm-slim AS manifests
WORKDIR /app
ENV NPM_CONFIG_UPDATE_NOTIFIER=false NPM_CONFIG_FUND=false NPM_CONFIG_AUDIT=false
# npm ci checks the lock file against every workspace's manifest, so all of them are here (a new
# workspace must be added to this list: apps/api/test/docker-files.test.ts checks it).
COPY package.json package-lock.json .npmrc ./
COPY apps/admin/package.json apps/admin/
COPY apps/api/package.json apps/api/
COPY apps/cli/package.json apps/cli/
COPY apps/proxy/package.json apps/proxy/
COPY packages/db/package.json packages/db/
COPY packages/domain/package.json packages/domain/
COPY packages/openrouter/package.json packages/openrouter/
COPY tooling/eslint/package.json tooling/eslint/
COPY tooling/prettier/package.json tooling/prettier/
COPY tooling/typescript/package.json tooling/typescript/

# --- production dependencies of @mai/proxy (tsx included: it runs the source) ----------------
FROM manifests AS deps
# --ignore-scripts: the only install script in the tree is esbuild's, which the root package.json
# already refuses (allowScripts); its platform binary comes as an optional dependency.
# npm ls: npm 10 (the image's) can exit 0 from an npm ci that failed to fetch, leaving a partial
# node_modules; npm ls fails the build instead of shipping that.
RUN npm ci --omit=dev --ignore-scripts -w @mai/proxy && npm ls --omit=dev -w @mai/proxy >/dev/null && npm cache clean --force

# --- runtime ---------------------------------------------------------------------------------
FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=deps /app ./
# tsx reads apps/proxy/tsconfig.json, which extends @mai/tsconfig/base.json.
COPY tooling/typescript/base.json tooling/typescript/
COPY packages/domain/src packages/domain/src
COPY packages/openrouter/src packages/openrouter/src
COPY apps/proxy/tsconfig.json apps/proxy/
COPY apps/proxy/src apps/proxy/src

# The usage spool: events the API could not take yet, replayed when it answers again (also after a
# restart), so it must outlive the container. One directory per proxy process.
RUN mkdir -p /data/spool && chown -R node:node /data
VOLUME ["/data/spool"]

ENV MAI_PROXY_HOST=0.0.0.0 MAI_PROXY_PORT=8788 MAI_PROXY_SPOOL_DIR=/data/spool
USER node
WORKDIR /app/apps/proxy
EXPOSE 8788
# /healthz: the process is up (/readyz also needs the API, which would tie the proxy's health to it).
HEALTHCHECK --interval=15s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.MAI_PROXY_PORT || 8788) + '/healthz', { signal: AbortSignal.timeout(4000) }).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# What `npm start -w @mai/proxy` runs (`tsx src/main.ts`), as one node process without npm in
# front: SIGTERM reaches the proxy directly, which drains in-flight streams and flushes usage.
CMD ["node", "--import", "tsx", "src/main.ts"]
