#!/usr/bin/env bash
# Until the first production deploy the schema is one initial migration, regenerated from the drizzle
# tables whenever they change. After that, never: new migrations are additive (`npm run db:generate`).
# A lock keeps two people (or agents) on one machine from regenerating at the same time.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$PATH"
exec 9>/tmp/flourish-migration.lock
flock 9
rm -rf migrations
drizzle-kit generate --name initial
