#!/usr/bin/env bash
# Builds DNotifier with its tests (installing missing Debian packages and the pinned npm
# clients) and runs every test through CTest: unit tests, then real node processes driven
# by pusher-js, laravel-echo and the pusher SDK. A second build tree with clang then runs the
# libFuzzer targets and the unit tests under AddressSanitizer and UndefinedBehaviorSanitizer;
# DNOTIFIER_LONG_FUZZ=SECONDS fuzzes each target that long instead of 20 s.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"

# systemd and procps for checking the packaged unit (systemd-analyze, /bin/kill).
install_missing_packages "${debian_packages[@]}" clang-format clang libclang-rt-14-dev \
    systemd procps
# Our machines ship Node.js 20 with npm; a bare Debian 12 gets Debian's Node.js 18 and npm.
if ! command -v npm >/dev/null; then
    install_missing_packages nodejs npm
fi
(cd "$repo_root/tests/compat" && npm ci --no-audit --no-fund --loglevel=error)
fuzz_seconds=${DNOTIFIER_LONG_FUZZ:-20}
if ! [[ $fuzz_seconds =~ ^[1-9][0-9]*$ ]]; then
    echo "DNOTIFIER_LONG_FUZZ must be a whole number of seconds, not \"$fuzz_seconds\"" >&2
    exit 2
fi
build_tree -DBUILD_TESTING=ON -DDNOTIFIER_WERROR=ON
(cd "$build_dir" && ctest --output-on-failure --parallel 2 "$@")

fuzz_build_dir=$build_dir-fuzz
CC=clang CXX=clang++ cmake -S "$repo_root" -B "$fuzz_build_dir" -G Ninja \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo -DBUILD_TESTING=ON -DDNOTIFIER_BUILD_CONSOLE=OFF \
    -DDNOTIFIER_FUZZ=ON -DDNOTIFIER_SANITIZE=ON -DDNOTIFIER_FUZZ_SECONDS="$fuzz_seconds"
cmake --build "$fuzz_build_dir" --parallel
cd "$fuzz_build_dir"
ctest --output-on-failure --parallel 2 -L "fuzz|unit"
