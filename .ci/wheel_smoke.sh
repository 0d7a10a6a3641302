#!/usr/bin/env bash
# Builds the wheel, installs it into a fresh virtual environment outside the checkout and runs .ci/wheel_smoke.py
# there. Dependencies come through pip as a user's install would (llama-cpp-python from pip's wheel cache when the
# checkout's .venv built it already, otherwise compiled portably as the Makefile does).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
python=${PYTHON:-python3}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Built from a copy of what git sees (tracked and untracked, less ignored files): no stale build/ folder or local
# file can slip into the wheel.
mkdir "$work/src"
git -C "$root" ls-files -z --cached --others --exclude-standard |
    while IFS= read -r -d '' f; do if [[ -e "$root/$f" ]]; then printf '%s\0' "$f"; fi; done |
    (cd "$root" && xargs -0 cp --parents -t "$work/src")
"$root/.venv/bin/python" -m pip wheel --quiet --no-deps --wheel-dir "$work/dist" "$work/src"
"$python" -m venv "$work/venv"
"$work/venv/bin/python" -m pip install --quiet --upgrade pip
CMAKE_ARGS="${CMAKE_ARGS:--DGGML_NATIVE=OFF}" "$work/venv/bin/python" -m pip install --quiet "$work"/dist/*.whl
cp "$root/.ci/wheel_smoke.py" "$work/wheel_smoke.py"
cd "$work"
"$work/venv/bin/python" "$work/wheel_smoke.py" "$root" "$root/tests/data/tiny_ziya" "$work"
