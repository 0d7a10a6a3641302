#!/bin/sh
# Starts a bundle as on a machine without libxcb-cursor0 (the library Qt 6's xcb plugin needs that many desktops
# lack). Root and unshare (util-linux) needed: in a private mount namespace the system's libxcb-cursor.so.0 is covered
# with /dev/null (dlopen then fails with "file too short"), so nothing outside this command sees a change.
#
#   packaging/linux/simulate-missing-xcb-cursor.sh BUNDLE_DIR [--also-bundled] [ARGS...]
#
# --also-bundled covers the bundle's own copy too (_internal/libxcb-cursor.so.0): a machine without the library and a
# bundle without it, where the start must end with the install hint and exit status 3 instead of Qt's abort.
# Without it, the bundle's copy is used and the window opens. Run it under xvfb-run (or on a desktop).
set -eu
bundle=$(cd "$1" && pwd); shift
also_bundled=no
if [ "${1:-}" = "--also-bundled" ]; then also_bundled=yes; shift; fi
ldconfig=$(command -v ldconfig || echo /sbin/ldconfig)
system=$("$ldconfig" -p | awk '/libxcb-cursor\.so\.0 .*x86-64/ {print $NF; exit}')
[ -n "$system" ] || { echo "no libxcb-cursor.so.0 on this system: nothing to hide" >&2; exit 2; }
exec unshare -m sh -c '
    mount --bind /dev/null "$(readlink -f "$1")"
    [ "$2" = yes ] && mount --bind /dev/null "$3/_internal/libxcb-cursor.so.0"
    bundle=$3; shift 3
    exec "$bundle/ziya-desktop" "$@"
' sh "$system" "$also_bundled" "$bundle" "$@"
