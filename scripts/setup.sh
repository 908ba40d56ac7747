#!/usr/bin/env bash
# Installs what a fresh Debian 12 machine lacks to build DNotifier, then configures and builds
# it in ./build (Release). Sourced by run-node.sh and test.sh; safe to run again.
set -euo pipefail

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build_dir=${DNOTIFIER_BUILD_DIR:-$repo_root/build}

debian_packages=(
    build-essential cmake ninja-build pkg-config
    qt6-base-dev qt6-websockets-dev libhttp-parser-dev
    libssl-dev openssl libsystemd-dev
    qt6-charts-dev libqt6opengl6-dev qtkeychain-qt6-dev
    dbus gnome-keyring libsecret-1-0
)

install_missing_packages() {
    local missing=()
    for package in "$@"; do
        if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
            missing+=("$package")
        fi
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    echo "Installing Debian packages: ${missing[*]}"
    local sudo=""
    [ "$(id -u)" -ne 0 ] && sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

build_tree() {
    cmake -S "$repo_root" -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Release "$@"
    cmake --build "$build_dir" --parallel
}
