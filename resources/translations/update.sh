#!/usr/bin/env bash
# Refresh the Chinese UI translation from the Python sources, then compile it for the app.
#
# Usage: resources/translations/update.sh [TS_FILE]
#   TS_FILE defaults to resources/translations/ziya_zh_CN.ts; the .qm is written next to it.
#
# pyside6-lupdate finds self.tr("…") and QCoreApplication.translate("Context", "…") but not module helpers such as
#     def _tr(text: str) -> str:
#         return QCoreApplication.translate("WindowActions", text)
# because their context sits inside the helper. So every source file with such a helper is first copied to a
# scratch folder with each call spelled out as QCoreApplication.translate("WindowActions", …) on the same line;
# lupdate reads the copy and the locations in the .ts are pointed back at the real file.
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
if [[ -x "$root/.venv/bin/python" ]]; then python="$root/.venv/bin/python"; else python=$(command -v python3); fi

scratch=$(realpath "$(mktemp -d)")
trap 'rm -rf "$scratch"' EXIT

# Writes the list of files for lupdate (real sources, or scratch copies with helper calls spelled out).
"$python" - "$root" "$scratch" >"$scratch/sources.lst" <<'PY'
import re
import sys
from pathlib import Path

root, scratch = Path(sys.argv[1]), Path(sys.argv[2])
helper = re.compile(
    r"^def (?P<name>\w+)\((?P<arg>\w+)(?::\s*str)?\)\s*->\s*str:\s*\n"
    r"\s+return QCoreApplication\.translate\(\s*(?:\"(?P<context>\w+)\"|(?P<constant>\w+)),\s*(?P=arg)\s*\)",
    re.MULTILINE,
)
# The context may be a module constant: _CONTEXT = "ModelLibraryWindow"
constant = re.compile(r"^(?P<name>\w+)\s*(?::\s*\w+\s*)?=\s*\"(?P<value>\w+)\"\s*$", re.MULTILINE)
for path in sorted((root / "ziya_desktop").rglob("*.py")):
    text = path.read_text(encoding="utf-8")
    constants = {m["name"]: m["value"] for m in constant.finditer(text)}
    helpers: dict[str, str] = {}
    for m in helper.finditer(text):
        context = m["context"] or constants.get(m["constant"])
        if context is None:
            print(f"update.sh: {path}: context {m['constant']} of {m['name']}() is not a string constant", file=sys.stderr)
        else:
            helpers[m["name"]] = context
    if not helpers:
        print(path)
        continue
    for name, context in helpers.items():
        # Not the definition itself, nor attribute calls such as obj._tr(…)
        call = re.compile(rf"(?<![\w.])(?<!def ){re.escape(name)}\(")
        text = call.sub(f'QCoreApplication.translate("{context}", ', text)
    copy = scratch / "src" / path.relative_to(root)
    copy.parent.mkdir(parents=True, exist_ok=True)
    copy.write_text(text, encoding="utf-8")
    print(copy)
PY

"$lupdate" @"$scratch/sources.lst" -ts "$ts" -no-obsolete -locations absolute \
    -source-language en -target-language zh_CN

# Point locations in scratch copies back at the real sources (lupdate writes paths relative to the .ts).
"$python" - "$ts" "$scratch/src" "$root" <<'PY'
import os
import sys
from pathlib import Path

ts, copies, root = Path(sys.argv[1]), sys.argv[2], sys.argv[3]
text = ts.read_text(encoding="utf-8")
rel_copies = os.path.relpath(copies, ts.parent).replace(os.sep, "/")
rel_root = os.path.relpath(root, ts.parent).replace(os.sep, "/")
ts.write_text(text.replace(f'filename="{rel_copies}/', f'filename="{rel_root}/'), encoding="utf-8")
PY

"$lrelease" "$ts" -qm "$qm"
