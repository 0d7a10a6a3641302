#!/bin/sh
# Adds Ziya Desktop to the applications menu of this user (no root needed): the desktop entry, pointing at this
# folder's ziya-desktop, and the icons, under ~/.local/share. Run it again after moving the folder;
# `install-desktop-entry.sh --remove` takes the entry out again.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
data=${XDG_DATA_HOME:-$HOME/.local/share}
entry=$data/applications/ziya-desktop.desktop

if [ "${1:-}" = "--remove" ]; then
    rm -f "$entry"
    find "$data/icons/hicolor" -name 'ziya-desktop.*' -delete 2>/dev/null || true
    echo "removed $entry"
    exit 0
fi

mkdir -p "$data/applications"
# Exec and TryExec name this folder's program; quoted, so a folder with spaces works.
sed -e "s|^Exec=ziya-desktop|Exec=\"$here/ziya-desktop\"|" -e "s|^TryExec=ziya-desktop|TryExec=$here/ziya-desktop|" \
    "$here/share/applications/ziya-desktop.desktop" > "$entry"
cp -R "$here/share/icons/." "$data/icons/"
command -v update-desktop-database >/dev/null && update-desktop-database -q "$data/applications" || true
command -v gtk-update-icon-cache >/dev/null && gtk-update-icon-cache -q -t "$data/icons/hicolor" || true
echo "installed $entry"
