#!/usr/bin/env bash
# Builds DNotifier (installing missing Debian packages) and starts a node on its embedded
# defaults: client port 6001 on 127.0.0.1, data in ~/.local/share/dnotifier.
# Extra arguments go to dnotifier-node, e.g. --port 7001 or --help.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"

install_missing_packages "${debian_packages[@]}"
build_tree -DBUILD_TESTING=OFF
exec "$build_dir/node/dnotifier-node" "$@"
