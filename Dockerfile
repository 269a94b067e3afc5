# One image for every role; ROLE and MODULES choose what a container runs.

# The operator console's static files. Vite and Preact are development dependencies: they are
# installed here only (scripts off: npm's `prepare` would build before the sources are copied,
# and nothing in this stage needs an install script), and only console/dist leaves this stage.
FROM node:24-bookworm-slim AS console
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
RUN npm ci --no-audit --no-fund --ignore-scripts
COPY console ./console
RUN node --import tsx console/build.ts

FROM node:24-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json .npmrc ./
# `prepare` finds no console/build.ts here and builds nothing; the built console comes from above.
RUN npm ci --omit=dev --no-audit --no-fund
COPY src ./src
COPY modules ./modules
COPY migrations ./migrations
COPY relay ./relay
COPY tsconfig.json ./
COPY --from=console /app/console/dist ./console/dist
USER node
EXPOSE 3000
CMD ["node", "--import", "tsx", "src/main.ts"]
