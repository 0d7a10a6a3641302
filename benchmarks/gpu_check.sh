#!/usr/bin/env bash
# CUDA offload checked for real, unattended, in under 10 minutes on one NVIDIA GPU.
#
#   benchmarks/gpu_check.sh [--cpu] [--dry-run] [--work DIR] [--sdist FILE] [--wheelhouse DIR] [--layers N]
#                           [--lengths "128 512"] [--threads N] [--python PY]
#   benchmarks/gpu_check.sh --prepare DIR [--python-version 3.12]   # on a machine that can download
#
# 1. builds the CUDA flavour of llama-cpp-python 0.3.36 from its sdist into a separate virtual environment
#    (GGML_NATIVE=OFF GGML_CUDA=ON, as `make GPU=cuda` does; CUDA code for this card's architecture only), keeping
#    the CMake build tree, and checks the flavour (llama_supports_gpu_offload);
# 2. builds llama.cpp's own llama-bench from the same vendored source in the same build tree (only llama-bench and
#    what it links are compiled on top);
# 3. writes the synthetic real-width model (benchmarks/make_synthetic.py, 40 layers of Q4_K: 7.3 GB);
# 4. runs llama-bench (pp512 and tg of the first length, every layer on the GPU) and our decode benchmark (bare
#    llama.cpp loop and Engine.stream, interleaved token by token, at 128 and 512 tokens) on the same file and card;
# 5. forces out-of-memory loads through the app's Engine: all layers into a card that another process has filled
#    to all but 3 GiB (the fallback ladder should settle on fewer layers), `auto` on that card (the planner should
#    fit what is free), and an absurd context (4M tokens, the most our GGUF check allows, declared by a 4-layer
#    synthetic file: a 320 GiB KV cache) that fits nowhere (every attempt down to the CPU should fail with a clear
#    error, never a crash);
# 6. prints the ratios (ours / llama-bench, Engine.stream / bare) and the ladders, and writes $WORK/gpu_check.json.
#
# --cpu does all of it with GGML_CUDA=OFF and no layers on a GPU (the out-of-memory case is then the absurd context
# alone; 2 layers and 32 and 64 tokens by default): that is how the script's logic was checked on a machine without
# a GPU. --dry-run prints the steps.
# Nothing can be downloaded on the GPU machines this project borrows: run --prepare DIR where pip works and carry
# DIR along, then pass --sdist DIR/llama_cpp_python-0.3.36.tar.gz --wheelhouse DIR.
set -euo pipefail

REPO=$(cd "$(dirname "$0")/.." && pwd)
VERSION=0.3.36
WORK=${TMPDIR:-/tmp}/ziya-gpu-check
MODE=cuda
DRY=0
SDIST=""
WHEELHOUSE=""
LAYERS=""
LENGTHS=""
THREADS=""
PY=python3
PREPARE=""
PREPARE_PY=3.12
DEPS=(numpy "gguf==0.19.0" diskcache jinja2 typing-extensions scikit-build-core)

while [ $# -gt 0 ]; do
  case $1 in
    --cpu) MODE=cpu ;;
    --dry-run) DRY=1 ;;
    --work) WORK=$2; shift ;;
    --sdist) SDIST=$2; shift ;;
    --wheelhouse) WHEELHOUSE=$2; shift ;;
    --layers) LAYERS=$2; shift ;;
    --lengths) LENGTHS=$2; shift ;;
    --threads) THREADS=$2; shift ;;
    --python) PY=$2; shift ;;
    --prepare) PREPARE=$2; shift ;;
    --python-version) PREPARE_PY=$2; shift ;;
    -h|--help) sed -n '2,30p' "$0"; exit 0 ;;
    *) echo "unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done

step() { printf '\n[%s, %4ds] %s\n' "$(date +%H:%M:%S)" "$SECONDS" "$*"; }
run() {
  printf '+ %s\n' "$*" >&2
  if [ "$DRY" = 0 ]; then "$@"; fi
}

if [ -n "$PREPARE" ]; then
  step "downloading the sdist and the wheels a machine without network needs into $PREPARE"
  run mkdir -p "$PREPARE"
  run "$PY" -m pip download --no-deps --no-binary :all: "llama-cpp-python==$VERSION" -d "$PREPARE"
  run "$PY" -m pip download --only-binary :all: --python-version "$PREPARE_PY" --platform manylinux2014_x86_64 \
    --platform manylinux_2_17_x86_64 --platform manylinux_2_28_x86_64 "${DEPS[@]}" -d "$PREPARE"
  exit 0
fi

if [ "$MODE" = cuda ]; then
  CMAKE_FLAGS="-DGGML_NATIVE=OFF -DGGML_CUDA=ON -DCMAKE_CUDA_ARCHITECTURES=native"
  NGL=99
  LAYERS=${LAYERS:-40}
  LENGTHS=${LENGTHS:-128 512}
  if [ "$DRY" = 0 ] && ! nvidia-smi >/dev/null 2>&1; then
    echo "no NVIDIA GPU answers nvidia-smi: run with --cpu to check the script's logic instead" >&2
    exit 1
  fi
else
  CMAKE_FLAGS="-DGGML_NATIVE=OFF"
  NGL=0
  LAYERS=${LAYERS:-2}
  LENGTHS=${LENGTHS:-32 64}
fi
JOBS=$(nproc 2>/dev/null || echo 2)
THREADS=${THREADS:-$(( JOBS > 8 ? 8 : JOBS ))}
VENV=$WORK/venv-$MODE
BUILD=$WORK/build-$MODE
SRC=$WORK/src/llama_cpp_python-$VERSION
export PYTHONPATH=$REPO ZIYA_HOME=$WORK/home ZIYA_OFFLINE=1
PIP_FROM=()
[ -n "$WHEELHOUSE" ] && PIP_FROM=(--no-index --find-links "$WHEELHOUSE")
echo "gpu_check: $MODE flavour, $LAYERS synthetic layers, decode at $LENGTHS tokens, $THREADS threads, work $WORK"
run mkdir -p "$WORK/src" "$WORK/home"
[ "$DRY" = 0 ] && [ "$MODE" = cuda ] && nvidia-smi --query-gpu=name,memory.total,memory.used,driver_version --format=csv

step "1. the sdist of llama-cpp-python $VERSION"
if [ -z "$SDIST" ]; then
  SDIST=$WORK/llama_cpp_python-$VERSION.tar.gz
  [ -f "$SDIST" ] || run "$PY" -m pip download --no-deps --no-binary :all: "llama-cpp-python==$VERSION" -d "$WORK"
fi
[ -d "$SRC" ] || run tar -xzf "$SDIST" -C "$WORK/src"

step "1. the $MODE flavour into $VENV (CMAKE_ARGS=\"$CMAKE_FLAGS\", build tree $BUILD)"
if [ ! -x "$VENV/bin/python" ]; then
  run "$PY" -m venv "$VENV"
  # What $PY sees stays visible behind the venv's own packages (a .pth line is searched after them), even when $PY
  # is itself a venv's (the GPU image's python3): its numpy, jinja2, scikit-build-core, torch are used as they are.
  if [ "$DRY" = 0 ]; then
    "$PY" -c 'import site, sys; print(*[p for p in site.getsitepackages() + [site.getusersitepackages()]], sep="\n")' \
      > "$("$VENV/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')/_gpu_check_base.pth"
  fi
fi
run "$VENV/bin/python" -m pip install --quiet "${PIP_FROM[@]}" "${DEPS[@]}" || {
  echo "could not install ${DEPS[*]}: without a network, run --prepare DIR where pip works and pass --wheelhouse DIR" >&2
  exit 1
}
if [ ! -f "$VENV/.built-$VERSION" ]; then
  # The tools off and llava on are a pip build's defaults, said again because step 2 turns them round in the
  # same build tree (a rerun then rebuilds nothing but the link).
  run env CMAKE_ARGS="$CMAKE_FLAGS -DLLAMA_BUILD_TOOLS=OFF -DLLAVA_BUILD=ON" CMAKE_BUILD_PARALLEL_LEVEL="$JOBS" \
    "$VENV/bin/python" -m pip install \
    --no-build-isolation --no-deps --no-cache-dir --force-reinstall -C build-dir="$BUILD" "$SRC"
  run touch "$VENV/.built-$VERSION"
fi
WANT_GPU=$([ "$MODE" = cuda ] && echo True || echo False)
run "$VENV/bin/python" -c "import llama_cpp, sys
gpu = llama_cpp.llama_supports_gpu_offload()
print('llama_cpp', llama_cpp.__version__, 'from', llama_cpp.__file__, '- GPU offload:', gpu)
sys.exit(0 if str(gpu) == '$WANT_GPU' else 'wrong flavour: GPU offload is %s, expected $WANT_GPU' % gpu)"

step "2. llama-bench from the same vendored llama.cpp, in the same build tree"
# llama-cpp-python adds tools/mtmd itself; with the tools on, llama.cpp adds it instead (same folder, one owner).
run cmake "$BUILD" -DLLAMA_BUILD_TOOLS=ON -DLLAVA_BUILD=OFF
run cmake --build "$BUILD" --target llama-bench -j "$JOBS"
BENCH_BIN=$BUILD/vendor/llama.cpp/bin/llama-bench
[ "$DRY" = 1 ] || [ -x "$BENCH_BIN" ] || BENCH_BIN=$(find "$BUILD" -name llama-bench -type f -perm -u+x | head -n 1)
echo "llama-bench: $BENCH_BIN"

step "3. the synthetic real-width model, $LAYERS layers, and a 4-layer one that declares a 4M-token context"
MODEL=$WORK/synthetic-${LAYERS}l.gguf
HUGE=$WORK/synthetic-4l-ctx4m.gguf
[ -f "$MODEL" ] || run "$VENV/bin/python" -m benchmarks.make_synthetic "$MODEL" --layers "$LAYERS"
[ -f "$HUGE" ] || run "$VENV/bin/python" -m benchmarks.make_synthetic "$HUGE" --layers 4 --context 4194304

step "4. llama-bench and our decode benchmark on the same file and card ($NGL GPU layers)"
read -r -a LENGTH_LIST <<<"$LENGTHS"
run timeout 300 "$BENCH_BIN" -m "$MODEL" -ngl "$NGL" -t "$THREADS" -p 512 -n "${LENGTH_LIST[0]}" -r 3 -o json \
  | { if [ "$DRY" = 0 ]; then tee "$WORK/llama-bench.json"; else cat; fi; }
run timeout 600 "$VENV/bin/python" -m benchmarks.bench_decode --model "$MODEL" --lengths "${LENGTH_LIST[@]}" \
  --threads "$THREADS" --gpu-layers "$NGL" --no-naive --json \
  | { if [ "$DRY" = 0 ]; then tee "$WORK/decode.json"; else cat; fi; }

step "5. forced out-of-memory loads through the Engine's fallback ladder"
LADDERS=()
if [ "$MODE" = cuda ]; then
  rm -f "$WORK/hog.ready"
  run "$VENV/bin/python" -m benchmarks.gpu_check hog --leave-gib 3 --ready "$WORK/hog.ready" &
  HOG=$!
  trap 'kill "$HOG" 2>/dev/null || true' EXIT
  for _ in $(seq 120); do [ "$DRY" = 1 ] || [ -f "$WORK/hog.ready" ] && break; sleep 1; done
  [ "$DRY" = 1 ] || cat "$WORK/hog.ready"
  run timeout 300 "$VENV/bin/python" -m benchmarks.gpu_check ladder --model "$MODEL" --gpu-layers all \
    --threads "$THREADS" --out "$WORK/ladder-all-layers-full-card.json"
  run timeout 300 "$VENV/bin/python" -m benchmarks.gpu_check ladder --model "$MODEL" --gpu-layers auto \
    --threads "$THREADS" --out "$WORK/ladder-auto-full-card.json"
  kill "$HOG" 2>/dev/null || true
  wait "$HOG" 2>/dev/null || true
  LADDERS+=(--ladder "$WORK/ladder-all-layers-full-card.json" --ladder "$WORK/ladder-auto-full-card.json")
fi
run timeout 300 "$VENV/bin/python" -m benchmarks.gpu_check ladder --model "$HUGE" --gpu-layers "$([ "$MODE" = cuda ] && echo all || echo 0)" \
  --n-ctx 4194304 --threads "$THREADS" --out "$WORK/ladder-absurd-context.json"
LADDERS+=(--ladder "$WORK/ladder-absurd-context.json")

step "6. ratios ($MODE flavour, same file and $([ "$MODE" = cuda ] && echo card || echo CPU))"
run "$VENV/bin/python" -m benchmarks.gpu_check ratios --llama-bench "$WORK/llama-bench.json" \
  --decode "$WORK/decode.json" "${LADDERS[@]}" --out "$WORK/gpu_check.json"
echo
echo "gpu_check: done in $SECONDS s; everything is in $WORK (gpu_check.json, llama-bench.json, decode.json, ladder-*.json)"
