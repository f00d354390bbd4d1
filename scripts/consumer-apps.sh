#!/usr/bin/env bash
# Installs the packed @gater/pubsub, as a team would, into fresh copies of the two consumer applications in
# test/consumers/ (a Nest 11 CommonJS app shaped like the @nestjs/cli@11 starter, and a Nest 12 ES-module app
# shaped like the @nestjs/cli@12 starter), then builds, runs and tests each one. Needs `npm run build` first.
# Arguments: the apps to run (default: both).
# npm's cache (~/.npm) is reused with --prefer-offline, so repeated runs barely touch the registry.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
# Outside the repository, so Node cannot fall back on the workspace's node_modules (Nest 12) from the copies.
work="$(mktemp -d "${TMPDIR:-/tmp}/gater-pubsub-consumers.XXXXXX")"
trap 'rm -rf "$work"' EXIT

tarball="$work/$(cd "$root" && npm pack --silent --workspace libs/pubsub --pack-destination "$work" | tail -n 1)"
echo "consumers: packed $(basename "$tarball")"

run_app() {
  local app="$1"
  shift
  local started=$SECONDS
  cp -R "$root/test/consumers/$app" "$work/$app"
  rm -rf "$work/$app/node_modules" "$work/$app/dist"
  # The package README's usage example is compiled with each app's settings: what it promises must build.
  node -e "const [, block] = require('fs').readFileSync(process.argv[1], 'utf8').match(/\`\`\`ts\n([\s\S]*?)\`\`\`/); process.stdout.write(block)" \
    "$root/libs/pubsub/README.md" >"$work/$app/src/readme-usage.ts"
  (
    cd "$work/$app"
    # A plain install of the tarball beside the app's own dependencies: any peer conflict fails here.
    npm install --no-audit --no-fund --prefer-offline --loglevel=error "$tarball"
    # Later installs must keep working too (the peer ranges once made every one of them fail with ERESOLVE).
    npm install --no-audit --no-fund --prefer-offline --loglevel=error ioredis@^6
    for step in "$@"; do
      echo "consumers: $app: npm run $step"
      npm run --silent "$step"
    done
  )
  echo "consumers: $app passed in $((SECONDS - started)) s"
}

# Each app: its starter's build (tsc), a run with node, and its own test runner.
for app in "${@:-nest11-cjs nest12-esm}"; do
  for name in $app; do run_app "$name" build start:prod test; done
done
