# Two commands set everything up: `make run` opens the app, `make test` runs the tests.
# Both create or reuse .venv and install what is missing first.

PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
GPU    ?=
UNAME  := $(shell uname -s)

# llama-cpp-python is built from source. GGML_NATIVE=OFF gives a portable AVX2 build without the AMX path, which
# crashes on quantized models on some Xeons (and a native build enables it whatever the AMX flags say).
ifeq ($(UNAME),Darwin)
LLAMA_CMAKE_ARGS :=                                  # Metal is llama.cpp's default on macOS
else ifeq ($(GPU),cuda)
LLAMA_CMAKE_ARGS := -DGGML_NATIVE=OFF -DGGML_CUDA=ON
else ifeq ($(GPU),vulkan)
LLAMA_CMAKE_ARGS := -DGGML_NATIVE=OFF -DGGML_VULKAN=ON
else
LLAMA_CMAKE_ARGS := -DGGML_NATIVE=OFF
endif
LLAMA_FLAVOUR := $(if $(GPU),$(GPU),cpu)
STAMP := $(VENV)/.installed-$(LLAMA_FLAVOUR)


.PHONY: run test lint bench wheel-check system-deps clean-venv package validate-desktop

run: $(STAMP)
	$(PY) -m ziya_desktop

# The tests render exported DOCX files with LibreOffice and measure them: system-deps installs it when missing.
test: $(STAMP) system-deps
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest $(PYTEST_ARGS)

# Every benchmark figure with its goal (under 10 minutes on 2 cores), written to benchmarks/figures.json, from which
# the README tables are regenerated; BENCH_ARGS e.g. "--json", "--threads 1" or "--lengths 64 256" (reduced sizes).
bench: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(PY) -m benchmarks.run_all --out benchmarks/figures.json --readme $(BENCH_ARGS)

# Builds the wheel, installs it into a fresh virtual environment outside the checkout and runs a smoke test there.
wheel-check: $(STAMP)
	PYTHON=$(PYTHON) bash .ci/wheel_smoke.sh

# ruff, mypy, and the import contracts of pyproject.toml (layers, no Qt below the UI, no import cycles).
lint: $(STAMP)
	$(VENV)/bin/ruff check ziya_desktop converters tests benchmarks docs .ci
	$(VENV)/bin/ruff format --check ziya_desktop converters tests benchmarks docs .ci
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports

# The release (packaging/README.md): the PyInstaller one-folder bundle dist/ziya-desktop, its --self-test in an empty
# environment, dist/ziya-desktop-<version>-linux-x86_64.tar.gz and dist/SHA256SUMS. GPU=cuda packages a CUDA build
# of llama.cpp (it needs the CUDA toolkit, nvcc). 1 to 3½ minutes here; not part of `make test` nor of CI.
package: validate-desktop
	@if [ "$(GPU)" = cuda ] && ! command -v nvcc >/dev/null 2>&1; then \
		echo "GPU=cuda make package: nvcc is not on PATH. Install the CUDA toolkit (it builds llama.cpp's CUDA" \
			"backend), or run 'make package' for the CPU build." >&2; exit 1; \
	elif [ -n "$(GPU)" ] && [ "$(GPU)" != cuda ]; then \
		echo "make package: GPU=$(GPU) is not packaged; GPU=cuda is (Metal is the macOS default)." >&2; exit 1; \
	fi
	$(MAKE) $(STAMP)
	$(PY) -c "import PyInstaller" 2>/dev/null || $(PY) -m pip install --quiet -e ".[dev,package]"
	GPU=$(GPU) $(PY) packaging/build_bundle.py

# The desktop entry and the AppStream metainfo, with the freedesktop.org validators (installed where missing).
validate-desktop:
	@if ! command -v desktop-file-validate >/dev/null || ! command -v appstreamcli >/dev/null; then \
		if command -v apt-get >/dev/null; then \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq desktop-file-utils appstream; \
		else \
			echo "install desktop-file-utils and appstream (appstreamcli) with your package manager" >&2; exit 1; \
		fi; \
	fi
	desktop-file-validate packaging/linux/ziya-desktop.desktop
	appstreamcli validate --no-net packaging/linux/io.github.ziya_desktop.ZiyaDesktop.metainfo.xml

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

# Reinstalled only when pyproject.toml changes or another GPU flavour is asked for. pip caches the built wheel,
# keyed by version only, so a GPU flavour is built without the cache to avoid picking up the CPU wheel.
$(STAMP): pyproject.toml | $(PY)
	rm -f $(VENV)/.installed-*
	CMAKE_ARGS="$(LLAMA_CMAKE_ARGS)" CMAKE_BUILD_PARALLEL_LEVEL=$$(nproc 2>/dev/null || echo 2) \
		$(PY) -m pip install $(if $(GPU),--no-cache-dir --force-reinstall) "llama-cpp-python==0.3.36"
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $@

# What pip cannot install: a CJK font (PDF export embeds it; the export tests measure it), LibreOffice Writer (the
# tests render the 公文 DOCX with it and measure the pages) and, for looking at pages and windows, poppler's
# pdftoppm, Xvfb and a window manager. Debian/Ubuntu names; run as root (CI does).
SYSTEM_PACKAGES := fonts-noto-cjk fontconfig poppler-utils libreoffice-writer-nogui xvfb openbox libxcb-cursor0 \
	libxcb-icccm4 libxcb-keysyms1
system-deps:
	@if command -v fc-list >/dev/null && fc-list :lang=zh | grep -q . && command -v pdftoppm >/dev/null \
		&& command -v soffice >/dev/null; then \
		echo "system packages: present"; \
	elif command -v apt-get >/dev/null; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(SYSTEM_PACKAGES); \
	else \
		echo "install a CJK font (Noto Sans/Serif CJK), poppler-utils and LibreOffice Writer with your package manager" >&2; exit 1; \
	fi

clean-venv:
	rm -rf $(VENV)
