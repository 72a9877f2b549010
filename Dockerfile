# Domum for Slack. One image for every process: `domum start` (everything in one process, the default),
# `domum web`, `domum worker` and `domum migrate` (pass the command as the container's arguments).
# There is no build step: Node 24 runs the TypeScript in src/ by type stripping, as `npm start` does.
#
#   docker build -t domum:latest .
#   docker run --rm -p 3000:3000 -e SLACK_BOT_TOKEN=… -e SLACK_SIGNING_SECRET=… -v domum-data:/data domum:latest
#   docker run --rm --env-file domum.env domum:latest migrate
#
# README.md, section "Operations", says how to run it for real.

ARG NODE_IMAGE=node:24-slim

# Production dependencies only. --ignore-scripts: no package lifecycle script runs during the install (none of
# the production dependencies needs one, and a dev-only `prepare` must never run here).
FROM ${NODE_IMAGE} AS dependencies
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
 && npm cache clean --force

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    PORT=3000 \
    DATA_DIR=/data
WORKDIR /app
# The code stays owned by root and read-only for the app's user; only DATA_DIR is writable (the embedded
# database, the .eml outbox and the generated secret key when DATABASE_URL, SMTP_URL and SECRET_KEY are unset).
COPY --from=dependencies /app/node_modules ./node_modules
COPY package.json package-lock.json ./
COPY migrations ./migrations
COPY src ./src
RUN mkdir -p /data && chown 1000:1000 /data
# 1000 is the image's `node` user; numeric, so Kubernetes' runAsNonRoot can check it.
USER 1000:1000
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# The same flags as `npm start`; the process handles SIGTERM itself (stops taking work, lets jobs finish).
# A young generation of 8 MB (V8's default grows to 32 MB or more): the app's peak resident memory is lower at
# the same speed (README, Benchmarks). Keep in step with package.json's `start` and `domum` scripts.
ENTRYPOINT ["node", "--experimental-strip-types", "--disable-warning=ExperimentalWarning", "--max-semi-space-size=8", "src/cli.ts"]
CMD ["start"]
