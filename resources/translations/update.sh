#!/usr/bin/env bash
# Refresh the Chinese UI translation from the Python sources, then compile it for the app.
#
# Usage: resources/translations/update.sh [TS_FILE]
#   TS_FILE defaults to resources/translations/ziya_zh_CN.ts; the .qm is written next to it.
#
# pyside6-lupdate finds self.tr("…"), QCoreApplication.translate("Context", "…") and the marker
# QT_TRANSLATE_NOOP("Context", "…") (ziya_desktop/translatable.py) with literal arguments; see README.md.
#
# Tools: PYSIDE6_BIN, else the project's .venv/bin, else PATH.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
ts=$(realpath -m "${1:-$here/ziya_zh_CN.ts}")
qm="${ts%.ts}.qm"

tool() {
    local dir
    for dir in "${PYSIDE6_BIN:-}" "$root/.venv/bin"; do
        if [[ -n "$dir" && -x "$dir/$1" ]]; then
            echo "$dir/$1"
            return
        fi
    done
    command -v "$1" || { echo "update.sh: $1 not found (install PySide6 or set PYSIDE6_BIN)" >&2; exit 1; }
}
lupdate=$(tool pyside6-lupdate)
lrelease=$(tool pyside6-lrelease)

# lupdate reads the list of sources from a file; the locations in the .ts are relative to the .ts.
sources=$(mktemp)
trap 'rm -f "$sources"' EXIT
find "$root/ziya_desktop" "$root/converters" -name '*.py' | LC_ALL=C sort >"$sources"

"$lupdate" @"$sources" -ts "$ts" -no-obsolete -locations absolute \
    -source-language en -target-language zh_CN

"$lrelease" "$ts" -qm "$qm"
