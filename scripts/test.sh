#!/usr/bin/env bash
# Builds DNotifier with its tests (installing missing Debian packages and the pinned npm
# clients) and runs every test through CTest: unit tests, then real node processes driven
# by pusher-js, laravel-echo and the pusher SDK.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"

install_missing_packages "${debian_packages[@]}" clang-format
# Our machines ship Node.js 20 with npm; a bare Debian 12 gets Debian's Node.js 18 and npm.
if ! command -v npm >/dev/null; then
    install_missing_packages nodejs npm
fi
(cd "$repo_root/tests/compat" && npm ci --no-audit --no-fund --loglevel=error)
build_tree -DBUILD_TESTING=ON -DDNOTIFIER_WERROR=ON
cd "$build_dir"
ctest --output-on-failure --parallel 2 "$@"
