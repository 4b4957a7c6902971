#!/usr/bin/env bash
# Refreshes docs/screenshots/*.png: builds the admin SPA, then runs the
# end-to-end scenarios against a fresh server and captures the dashboard,
# client detail, agent edit and try-it pages on the way.
# Needs what `npm run e2e` needs: Go, PostgreSQL on 127.0.0.1:5432, npm ci
# done, and Debian's Chromium at /usr/bin/chromium.
set -euo pipefail
cd "$(dirname "$0")/.."

npm run build
npm run screenshots --workspace frontend
