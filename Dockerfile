# syntax=docker/dockerfile:1
# Contamos: one image. SQLite on the /data volume by default; set DATABASE_URL=postgresql://… for
# PostgreSQL. Migrations are applied at every start. Runs as the unprivileged `node` user.

# --- build: production dependencies only (better-sqlite3 compiles here), Prisma clients generated
FROM node:20-bookworm-slim AS build
WORKDIR /app
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json prisma.config.ts ./
COPY prisma ./prisma
COPY scripts/db ./scripts/db
# postinstall runs scripts/db/generate.ts (Prisma clients into server/db/generated)
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY crypto ./crypto
COPY server ./server
COPY scripts ./scripts
COPY docs ./docs
COPY web ./web
# the browser bundle (the server would also build it on first use)
RUN node --import tsx scripts/build-web.ts
COPY tsconfig.json ./

# --- runtime: no compiler, no dev dependencies, no npm cache
FROM node:20-bookworm-slim
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=8080 \
    DATABASE_URL=file:/data/contamos.db \
    CONTAMOS_HOME=/keys
WORKDIR /app
# a font for the PNG charts (server/web/png.ts renders text with the system's fonts)
RUN apt-get update \
 && apt-get install -y --no-install-recommends fonts-dejavu-core \
 && rm -rf /var/lib/apt/lists/*
COPY --from=build /app /app
RUN mkdir -p /data /keys && chown node:node /data /keys
USER node
VOLUME ["/data", "/keys"]
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||8080)+'/api/v1/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
CMD ["node", "--import", "tsx", "scripts/start.ts"]
