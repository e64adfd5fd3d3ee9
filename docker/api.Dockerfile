# The mAI Gateway API, serving the built dashboard on its own origin.
#
#   docker build -f docker/api.Dockerfile -t mai-gateway/api .      (from the repository root)
#
# Stages: `manifests` (the lock file and every workspace's package.json), `build` (the dependencies
# of the dashboard and the API, dev tools included: `npm run build -w @mai/admin` → apps/admin/dist,
# `npm run build -w @mai/api` → apps/api/dist/main.js, the API and the packages it imports bundled
# into one ES module), `deps` (production dependencies of @mai/api only: no tsx, no esbuild, no
# bundler), and the runtime image: those dependencies, the bundle and its source map, the SQL
# migrations and the built dashboard — no TypeScript. docker/README.md explains the configuration.

FROM node:24-bookworm-slim AS manifests
WORKDIR /app
ENV NPM_CONFIG_UPDATE_NOTIFIER=false NPM_CONFIG_FUND=false NPM_CONFIG_AUDIT=false
# npm ci checks the lock file against every workspace's manifest, so all of them are here (a new
# workspace must be added to this list: docker/test/docker-files.test.ts checks it).
COPY package.json package-lock.json .npmrc ./
COPY apps/admin/package.json apps/admin/
COPY apps/api/package.json apps/api/
COPY apps/cli/package.json apps/cli/
COPY apps/proxy/package.json apps/proxy/
COPY docker/package.json docker/
COPY packages/db/package.json packages/db/
COPY packages/domain/package.json packages/domain/
COPY packages/openrouter/package.json packages/openrouter/
COPY tooling/bundle/package.json tooling/bundle/
COPY tooling/eslint/package.json tooling/eslint/
COPY tooling/prettier/package.json tooling/prettier/
COPY tooling/typescript/package.json tooling/typescript/

# --- the dashboard and the API's bundle ------------------------------------------------------
FROM manifests AS build
# The bundler's files first: npm links its `mai-bundle` command only to a file that exists.
COPY tooling/bundle/index.js tooling/bundle/cli.js tooling/bundle/
# --ignore-scripts: no install script is needed (the root package.json's allowScripts refuses
# esbuild's; Vite's and the bundler's native code come as optional platform packages).
RUN npm ci --ignore-scripts -w @mai/admin -w @mai/api && npm ls -w @mai/admin -w @mai/api >/dev/null
COPY tooling/typescript/base.json tooling/typescript/
COPY packages/domain/src packages/domain/src
COPY apps/admin/index.html apps/admin/vite.config.ts apps/admin/tsconfig.json apps/admin/
COPY apps/admin/src apps/admin/src
RUN npm run build -w @mai/admin
COPY packages/openrouter/src packages/openrouter/src
COPY packages/db/src packages/db/src
COPY apps/api/src apps/api/src
RUN npm run build -w @mai/api

# --- production dependencies of @mai/api -----------------------------------------------------
FROM manifests AS deps
# npm ci -w also installs the production dependencies of the workspaces the app names among its
# devDependencies (the proxy's tests use the API and the database), so everything outside the
# tree `npm ls --omit=dev` reports is removed. npm ls then fails the build if anything the app
# needs is missing (npm ci can exit 0 after failing to fetch: npm 10 did).
RUN npm ci --omit=dev --ignore-scripts -w @mai/api \
  && npm ls --omit=dev --all --parseable -w @mai/api > /tmp/production \
  && for dir in node_modules/[!@]* node_modules/@*/*; do grep -qxF "/app/$dir" /tmp/production || rm -rf "$dir"; done \
  && find node_modules -mindepth 1 -maxdepth 1 -type d -empty -delete \
  && npm ls --omit=dev -w @mai/api >/dev/null && npm cache clean --force

# --- runtime ---------------------------------------------------------------------------------
FROM node:24-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
# node_modules (hoisted, plus the workspace links under node_modules/@mai) and the manifests.
COPY --from=deps /app ./
# The bundle imports only npm packages (from node_modules above) and Node's own modules.
COPY --from=build /app/apps/api/dist apps/api/dist
# Applied at every start, before the API listens; the bundle finds both folders through the
# repository's layout (apps/api/src/paths.ts), which the image keeps under /app.
COPY packages/db/drizzle packages/db/drizzle
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
# What `npm start -w @mai/api` runs, as one node process without npm in front: SIGTERM reaches the
# API directly, which closes the server and the database. Stack traces name the TypeScript source.
CMD ["node", "--enable-source-maps", "dist/main.js"]
