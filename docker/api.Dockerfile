# The mAI Gateway API, serving the built dashboard on its own origin.
#
#   docker build -f docker/api.Dockerfile -t mai-gateway/api .      (from the repository root)
#
# Stages: `manifests` (the lock file and every workspace's package.json), `build` (all
# dependencies, `npm run build -w @mai/admin` → apps/admin/dist), `deps` (production dependencies
# of @mai/api only), and the runtime image: those dependencies, the TypeScript source of the API
# and the packages it imports (run by tsx, there is no compile step), the SQL migrations and the
# built dashboard. docker/README.md explains the configuration.

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

# --- the dashboard ---------------------------------------------------------------------------
FROM manifests AS build
# --ignore-scripts: the only install script in the tree is esbuild's, which the root package.json
# already refuses (allowScripts); its platform binary comes as an optional dependency.
RUN npm ci --ignore-scripts -w @mai/admin && npm ls -w @mai/admin >/dev/null
COPY tooling/typescript/base.json tooling/typescript/
COPY packages/domain/src packages/domain/src
COPY apps/admin/index.html apps/admin/vite.config.ts apps/admin/tsconfig.json apps/admin/
COPY apps/admin/src apps/admin/src
RUN npm run build -w @mai/admin

# --- production dependencies of @mai/api (tsx included: it runs the source) ------------------
FROM manifests AS deps
# npm ls: npm 10 (the image's) can exit 0 from an npm ci that failed to fetch, leaving a partial
# node_modules; npm ls fails the build instead of shipping that.
RUN npm ci --omit=dev --ignore-scripts -w @mai/api && npm ls --omit=dev -w @mai/api >/dev/null && npm cache clean --force

# --- runtime ---------------------------------------------------------------------------------
FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
# node_modules (hoisted, plus the workspace links under node_modules/@mai) and the manifests.
COPY --from=deps /app ./
# tsx reads apps/api/tsconfig.json, which extends @mai/tsconfig/base.json.
COPY tooling/typescript/base.json tooling/typescript/
COPY packages/domain/src packages/domain/src
COPY packages/openrouter/src packages/openrouter/src
COPY packages/db/src packages/db/src
# migrate() applies packages/db/drizzle (found relative to packages/db/src/migrate.ts) at startup.
COPY packages/db/drizzle packages/db/drizzle
COPY apps/api/tsconfig.json apps/api/
COPY apps/api/src apps/api/src
# Served from apps/admin/dist, the default of MAI_ADMIN_DIST (relative to apps/api/src).
COPY --from=build /app/apps/admin/dist apps/admin/dist

# Embedded mode only (no DATABASE_URL): the PGlite database and the generated encryption.key.
# The code and the dependencies stay root-owned: the process cannot modify them.
RUN mkdir -p /data && chown node:node /data
VOLUME ["/data"]

ENV MAI_API_HOST=0.0.0.0 MAI_API_PORT=8787 MAI_DATA_DIR=/data
USER node
WORKDIR /app/apps/api
EXPOSE 8787
# /readyz: the database answers and the migrations are applied. The slim image has no curl.
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.MAI_API_PORT || 8787) + '/readyz', { signal: AbortSignal.timeout(4000) }).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# What `npm start -w @mai/api` runs (`tsx src/main.ts`), as one node process without npm in
# front: SIGTERM reaches the API directly, which closes the server and the database.
CMD ["node", "--import", "tsx", "src/main.ts"]
