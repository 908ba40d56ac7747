#!/bin/sh
# Builds the Debian packages of a build tree with CPack and checks what they hold and do,
# without installing anything on this machine: the node package is unpacked into a throw-away
# root, its binary runs --version and check-config on the packaged config, its systemd unit
# passes `systemd-analyze verify` and scores OK in `systemd-analyze security`, and its
# postinst is run with stand-ins for adduser, getent and systemctl that record their calls.
# Usage: check-packages.sh BUILD_DIR
set -eu
build_dir=$1
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
fail() {
    echo "FAIL: $*" >&2
    exit 1
}

cpack --config "$build_dir/CPackConfig.cmake" -G DEB -B "$scratch/out" >"$scratch/cpack.log" 2>&1 \
    || { cat "$scratch/cpack.log" >&2; fail "cpack did not build the packages"; }
node_deb=$(ls "$scratch"/out/dnotifier-node_*_*.deb)

# The control data: the conffile, the dependencies the maintainer scripts need.
dpkg-deb -I "$node_deb" conffiles | grep -qx '/etc/dnotifier/node.json' \
    || fail "/etc/dnotifier/node.json is not a conffile"
depends=$(dpkg-deb -f "$node_deb" Depends)
for needed in adduser libsystemd0 libqt6websockets6; do
    echo "$depends" | grep -q "$needed" || fail "Depends lacks $needed: $depends"
done

root=$scratch/root
dpkg-deb -x "$node_deb" "$root"
for file in usr/bin/dnotifier-node etc/dnotifier/node.json lib/systemd/system/dnotifier-node.service; do
    [ -f "$root/$file" ] || fail "the node package lacks /$file"
done
"$root/usr/bin/dnotifier-node" --version | grep -q '^DNotifier node ' || fail "--version"
"$root/usr/bin/dnotifier-node" check-config --config "$root/etc/dnotifier/node.json" \
    --data-dir "$scratch/state" | grep -q '^configuration OK' || fail "check-config"
[ ! -e "$scratch/state" ] || fail "check-config created the data directory"

# The unit as installed, its binary paths pointed at the unpacked root.
sed "s|/usr/bin/dnotifier-node|$root/usr/bin/dnotifier-node|g" \
    "$root/lib/systemd/system/dnotifier-node.service" >"$scratch/dnotifier-node.service"
grep -qx 'Type=notify' "$scratch/dnotifier-node.service" || fail "the unit is not Type=notify"
systemd-analyze verify "$scratch/dnotifier-node.service" || fail "systemd-analyze verify"
security=$(systemd-analyze security --offline=true "$scratch/dnotifier-node.service" | tail -n 1)
echo "$security" | grep -q ' OK ' || fail "systemd-analyze security: $security"

# postinst with recording stand-ins: it must add the system user the unit runs as.
mkdir "$scratch/bin"
for tool in adduser systemctl; do
    printf '#!/bin/sh\necho "%s $*" >>"%s/calls"\n' "$tool" "$scratch" >"$scratch/bin/$tool"
done
printf '#!/bin/sh\nexit 2\n' >"$scratch/bin/getent"
chmod +x "$scratch/bin/"*
control=$scratch/control
dpkg-deb -e "$node_deb" "$control"
PATH="$scratch/bin:$PATH" sh "$control/postinst" configure
grep -qx 'adduser --system --group --home /var/lib/dnotifier --no-create-home --shell /usr/sbin/nologin --gecos DNotifier node dnotifier' \
    "$scratch/calls" || fail "postinst did not add the dnotifier user: $(cat "$scratch/calls")"
grep -q '^User=dnotifier$' "$root/lib/systemd/system/dnotifier-node.service" \
    || fail "the unit does not run as the user postinst adds"

# The console package, when the tree builds the console.
console_deb=$(ls "$scratch"/out/dnotifier-console_*_*.deb 2>/dev/null || true)
if [ -n "$console_deb" ]; then
    console_root=$scratch/console
    dpkg-deb -x "$console_deb" "$console_root"
    for file in usr/bin/dnotifier-console usr/share/applications/dnotifier-console.desktop \
        usr/share/icons/hicolor/scalable/apps/dnotifier-console.svg; do
        [ -f "$console_root/$file" ] || fail "the console package lacks /$file"
    done
    grep -qx 'Icon=dnotifier-console' "$console_root/usr/share/applications/dnotifier-console.desktop" \
        || fail "the .desktop entry names no icon"
fi
echo "packages OK: $(cd "$scratch/out" && ls ./*.deb | tr '\n' ' ')"
