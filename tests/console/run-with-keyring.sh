#!/bin/sh
# Runs a command inside a private D-Bus session whose Secret Service is a gnome-keyring
# unlocked with a throw-away password, under a temporary HOME, so that QtKeychain has a real
# keychain on a headless machine and nothing touches the user's own. The keyring daemon runs
# in the foreground so that this script can end it, by its PID, when the command is done.
set -eu
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
mkdir -p "$scratch/home" "$scratch/runtime"
chmod 700 "$scratch/runtime"
export HOME="$scratch/home" XDG_RUNTIME_DIR="$scratch/runtime"
export XDG_DATA_HOME="$scratch/home/.local/share" XDG_CONFIG_HOME="$scratch/home/.config"

dbus-run-session -- sh -c '
    printf "throw-away\n" | gnome-keyring-daemon --foreground --unlock --components=secrets \
        >/dev/null &
    keyring=$!
    trap "kill $keyring 2>/dev/null; wait $keyring 2>/dev/null || true" EXIT
    # Wait (up to 10 s) for the keyring to own the Secret Service name; a client that came
    # first would start another, locked, keyring through D-Bus activation.
    tries=0
    until dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
            org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets 2>/dev/null \
            | grep -q "boolean true"; do
        tries=$((tries + 1))
        if [ "$tries" -gt 100 ]; then
            echo "gnome-keyring did not start" >&2
            exit 1
        fi
        sleep 0.1
    done
    "$@"' keyring-session "$@"
