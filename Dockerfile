# llmux gateway: the built package only, run as the unprivileged `node` user.
#   docker build -t llmux .
#   docker run --rm -p 4000:4000 -v "$PWD/llmux.yaml:/config/llmux.yaml:ro" llmux
# Configuration comes from the environment: LLMUX_CONFIG (a mounted file; default /config/llmux.yaml),
# or the whole YAML inline in LLMUX_CONFIG_YAML; ${VARIABLES} in it are read from the environment.
# Reload the config without a restart: `docker kill --signal HUP <container>`.

FROM node:22-bookworm-slim AS build
WORKDIR /build
# Compilers only for a native dependency without a prebuilt binary (better-sqlite3, the spend database).
RUN apt-get update -qq && apt-get install -y -qq --no-install-recommends python3 make g++ >/dev/null \
  && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund && npm rebuild better-sqlite3
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY bin ./bin
COPY examples ./examples
COPY LICENSE README.md ./
RUN npm run build && npm prune --omit=dev --no-audit --no-fund

FROM node:22-bookworm-slim
ENV NODE_ENV=production \
    LLMUX_CONFIG=/config/llmux.yaml \
    PORT=4000
WORKDIR /app
COPY --from=build --chown=root:root /build/package.json ./
COPY --from=build --chown=root:root /build/node_modules ./node_modules
COPY --from=build --chown=root:root /build/dist/src ./dist/src
COPY --from=build --chown=root:root /build/bin ./bin
COPY --from=build --chown=root:root /build/examples ./examples
COPY --from=build --chown=root:root /build/src/config/README.md ./src/config/README.md
COPY --from=build --chown=root:root /build/LICENSE ./
# The spend database (state.spend_db, relative to the working directory) goes to a writable volume.
RUN mkdir -p /config /data && chown node:node /data
VOLUME ["/data"]
USER node
EXPOSE 4000
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 4000) + '/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["node", "/app/bin/llmux.js"]
CMD ["serve", "--host", "0.0.0.0"]
