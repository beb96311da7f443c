#!/usr/bin/env bash
# The CI commands, written once: .ci/run and the GitHub Actions workflow (.github/workflows/ci.yml)
# both run this script, on a clean clone: install from the lockfile, typecheck, lint, then every
# test (contracts included). docs/ci.md.
set -euo pipefail
cd "$(dirname "$0")/.."

# Each command in a collapsible group of the GitHub Actions log; elsewhere, a line naming it.
step() {
  if [[ "${GITHUB_ACTIONS:-}" == "true" ]]; then echo "::group::$*"; else echo "+ $*"; fi
  "$@"
  if [[ "${GITHUB_ACTIONS:-}" == "true" ]]; then echo "::endgroup::"; fi
}

step npm ci
step npm run typecheck
step npm run lint
step npm test
