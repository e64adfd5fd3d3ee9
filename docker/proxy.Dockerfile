# The mAI Gateway proxy (OpenAI-compatible, in front of OpenRouter). It has no database: it reaches
# the data through the API's internal procedures (MAI_API_URL, MAI_INTERNAL_TOKEN).
#
#   docker build -f docker/proxy.Dockerfile -t mai-gateway/proxy .  (from the repository root)
#
# Stages: `manifests` (the lock file and every workspace's package.json), `build` (the proxy's
# dependencies, dev tools included: `npm run build -w @mai/proxy` → apps/proxy/dist/main.js, the
# proxy and the packages it imports bundled into one ES module), `deps` (production dependencies of
# @mai/proxy only: no tsx, no esbuild, no bundler), and the runtime image: those dependencies and
# the bundle with its source map — no TypeScript.

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

# --- the proxy's bundle ----------------------------------------------------------------------
FROM manifests AS build
# The bundler's files first: npm links its `mai-bundle` command only to a file that exists.
COPY tooling/bundle/index.js tooling/bundle/cli.js tooling/bundle/
# --ignore-scripts: no install script is needed (the root package.json's allowScripts refuses
# esbuild's; the bundler's native code comes as an optional platform package).
RUN npm ci --ignore-scripts -w @mai/proxy && npm ls -w @mai/proxy >/dev/null
COPY packages/domain/src packages/domain/src
COPY packages/openrouter/src packages/openrouter/src
COPY apps/proxy/src apps/proxy/src
RUN npm run build -w @mai/proxy

# --- production dependencies of @mai/proxy ---------------------------------------------------
FROM manifests AS deps
# npm ci -w also installs the production dependencies of the workspaces the app names among its
# devDependencies (the proxy's tests use the API and the database), so everything outside the
# tree `npm ls --omit=dev` reports is removed. npm ls then fails the build if anything the app
# needs is missing (npm ci can exit 0 after failing to fetch: npm 10 did).
RUN npm ci --omit=dev --ignore-scripts -w @mai/proxy \
  && npm ls --omit=dev --all --parseable -w @mai/proxy > /tmp/production \
  && for dir in node_modules/[!@]* node_modules/@*/*; do grep -qxF "/app/$dir" /tmp/production || rm -rf "$dir"; done \
  && find node_modules -mindepth 1 -maxdepth 1 -type d -empty -delete \
  && npm ls --omit=dev -w @mai/proxy >/dev/null && npm cache clean --force

# --- runtime ---------------------------------------------------------------------------------
FROM node:24-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=deps /app ./
# The bundle imports only npm packages (from node_modules above) and Node's own modules.
COPY --from=build /app/apps/proxy/dist apps/proxy/dist

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
# What `npm start -w @mai/proxy` runs, as one node process without npm in front: SIGTERM reaches
# the proxy directly, which drains in-flight streams and flushes usage. Stack traces name the
# TypeScript source.
CMD ["node", "--enable-source-maps", "dist/main.js"]
