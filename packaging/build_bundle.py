"""Build the release: the PyInstaller one-folder bundle, its self-test, the .tar.gz and SHA256SUMS. `make package`.

    .venv/bin/python packaging/build_bundle.py [--gpu cuda] [--skip-self-test]

1. The self-test model: tests/data/tiny_ziya converted to Q4_K_M with our converter (about 1 MB), into
   packaging/build/self_test/ (the spec ships it as self_test/tiny-ziya-q4_k_m.gguf).
2. The icons: resources/icons/ziya-desktop.svg rendered at 16 … 512 px (packaging/render_icons.py).
3. PyInstaller with packaging/ziya-desktop.spec: dist/ziya-desktop/.
   Then libpython and Python's extension modules lose their debugging information (strip), and llama.cpp's
   duplicate libraries become links.
4. Desktop integration beside the program: share/applications/ziya-desktop.desktop, share/metainfo/…, share/icons/
   and install-desktop-entry.sh (puts them in ~/.local/share for the menus).
5. The bundle's --self-test, run as a writer would: from another folder, with an empty environment (no virtual
   environment, no PATH to Python), offscreen.
6. dist/ziya-desktop-<version>-linux-x86_64[-cuda].tar.gz and dist/SHA256SUMS; the sizes of the bundle's parts.

Steps 4 and 6 and the stripping are Linux's; on Windows and macOS the script stops after the self-test.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGING = ROOT / "packaging"
WORK = PACKAGING / "build"
DIST = ROOT / "dist"
NAME = "ziya-desktop"
BUNDLE = DIST / NAME
DESKTOP_ID = "ziya-desktop"
METAINFO = "io.github.ziya_desktop.ZiyaDesktop.metainfo.xml"

LINUX = sys.platform.startswith("linux")

sys.path.insert(0, str(ROOT))


def step(text: str) -> None:
    print(f"\n== {text}", flush=True)


def check_gpu(gpu: str) -> str:
    """The suffix of the archive's name; stops with what to do when the GPU flavour cannot be built here."""
    if not gpu:
        return ""
    if gpu != "cuda":
        raise SystemExit(f"build_bundle: GPU={gpu} is not packaged; GPU=cuda is (Metal is the macOS default)")
    if shutil.which("nvcc") is None:
        raise SystemExit(
            "build_bundle: GPU=cuda needs the CUDA toolkit (nvcc on PATH) to build llama.cpp with CUDA; "
            "install it (https://developer.nvidia.com/cuda-downloads) and run `GPU=cuda make package` again"
        )
    import llama_cpp

    lib = Path(llama_cpp.__file__).parent / "lib"
    if not any(lib.glob("libggml-cuda*")):
        raise SystemExit(f"build_bundle: {lib} has no libggml-cuda: llama-cpp-python was not built with CUDA")
    return "-cuda"


def make_self_test_model() -> Path:
    from converters.hf_to_gguf import convert

    out = WORK / "self_test" / "tiny-ziya-q4_k_m.gguf"
    if out.is_file():
        print(f"{out}: present ({out.stat().st_size} bytes)")
        return out
    out.parent.mkdir(parents=True, exist_ok=True)
    result = convert(ROOT / "tests" / "data" / "tiny_ziya", out, "q4_k_m", threads=2)
    print(f"{result.outfile}: {result.output_bytes} bytes in {result.seconds:.1f} s")
    return result.outfile


def run_pyinstaller() -> None:
    command = [
        sys.executable,
        "-m",
        "PyInstaller",
        "--noconfirm",
        "--log-level=WARN",
        f"--distpath={DIST}",
        f"--workpath={WORK / 'pyinstaller'}",
        str(PACKAGING / "ziya-desktop.spec"),
    ]
    print(" ".join(command), flush=True)
    subprocess.run(command, check=True, cwd=ROOT)


def strip_python() -> None:
    """Strip the debugging information of libpython and its extension modules (a Python built from source, as
    pyenv does, keeps it: 34 MiB of 46). Only those: the wheels' libraries are stripped already, and stripping a
    library that auditwheel patched can break it."""
    strip = shutil.which("strip")
    if strip is None:
        print("strip not found: the Python libraries keep their debugging information")
        return
    internal = BUNDLE / "_internal"
    targets = [p for p in internal.glob("libpython*.so*") if not p.is_symlink()]
    targets += sorted(
        (internal / f"python{sys.version_info.major}.{sys.version_info.minor}" / "lib-dynload").glob("*.so")
    )
    before = sum(p.stat().st_size for p in targets)
    subprocess.run([strip, "--strip-unneeded", *map(str, targets)], check=True)
    after = sum(p.stat().st_size for p in targets)
    print(f"stripped {len(targets)} Python libraries: {before / 2**20:.1f} MiB -> {after / 2**20:.1f} MiB")


def link_llama_duplicates() -> None:
    """llama_cpp/lib holds libX.so (ctypes opens it) and libX.so.0 (the soname the others need), identical copies:
    the first becomes a link to the second."""
    lib = BUNDLE / "_internal" / "llama_cpp" / "lib"
    for plain in sorted(lib.glob("lib*.so")):
        versioned = sorted(lib.glob(plain.name + ".[0-9]*"), key=lambda p: len(p.name))
        if plain.is_symlink() or not versioned or versioned[0].read_bytes() != plain.read_bytes():
            continue
        plain.unlink()
        plain.symlink_to(versioned[0].name)
        print(f"{plain.name} -> {versioned[0].name}")


def add_desktop_files(icons: Path) -> None:
    share = BUNDLE / "share"
    if share.exists():
        shutil.rmtree(share)
    (share / "applications").mkdir(parents=True)
    (share / "metainfo").mkdir()
    shutil.copy2(PACKAGING / "linux" / f"{DESKTOP_ID}.desktop", share / "applications")
    shutil.copy2(PACKAGING / "linux" / METAINFO, share / "metainfo")
    shutil.copytree(icons / "hicolor", share / "icons" / "hicolor")
    script = BUNDLE / "install-desktop-entry.sh"
    shutil.copy2(PACKAGING / "linux" / "install-desktop-entry.sh", script)
    script.chmod(0o755)


def self_test() -> None:
    """The bundle's --self-test from an empty folder and (on Linux) an empty environment, as the release check does."""
    program = BUNDLE / (NAME + ".exe" if sys.platform == "win32" else NAME)
    with tempfile.TemporaryDirectory(prefix="ziya-bundle-check-") as tmp:
        env = {"HOME": tmp, "PATH": "/usr/bin:/bin"} if LINUX else dict(os.environ)
        subprocess.run([str(program), "--self-test"], check=True, cwd=tmp, env=env)


def archive(version: str, suffix: str) -> Path:
    top = f"{NAME}-{version}"
    path = DIST / f"{NAME}-{version}-linux-x86_64{suffix}.tar.gz"

    def clean(info: tarfile.TarInfo) -> tarfile.TarInfo:
        info.uid = info.gid = 0
        info.uname = info.gname = ""
        return info

    with tarfile.open(path, "w:gz", compresslevel=6) as tar:
        tar.add(BUNDLE, arcname=top, filter=clean)
    sums = DIST / "SHA256SUMS"
    lines = [line for line in sums.read_text().splitlines() if not line.endswith(path.name)] if sums.exists() else []
    lines.append(f"{sha256(path)}  {path.name}")
    sums.write_text("\n".join(sorted(lines, key=lambda line: line.split()[-1])) + "\n")
    return path


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def report_sizes() -> None:
    """What the bundle is made of, the largest first (the README's table comes from this)."""
    internal = BUNDLE / "_internal"
    sizes: dict[str, int] = {}
    for path in internal.rglob("*"):
        if path.is_file() and not path.is_symlink():
            rel = path.relative_to(internal).parts
            key = "/".join(rel[:3]) if rel[0] == "PySide6" and len(rel) > 3 else "/".join(rel[:2])
            key = (
                key
                if len(rel) > 1
                else "(top level: " + ("system and Python libraries" if ".so" in path.name else "files") + ")"
            )
            sizes[key] = sizes.get(key, 0) + path.stat().st_size
    total = sum(p.stat().st_size for p in BUNDLE.rglob("*") if p.is_file() and not p.is_symlink())
    print(f"bundle {BUNDLE}: {total / 2**20:.0f} MiB")
    for key, size in sorted(sizes.items(), key=lambda kv: -kv[1])[:15]:
        print(f"  {size / 2**20:7.1f} MiB  _internal/{key}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gpu", default=os.environ.get("GPU", ""), help="'' (CPU) or cuda")
    parser.add_argument("--skip-self-test", action="store_true", help="do not run the bundle's --self-test")
    args = parser.parse_args()
    started = time.monotonic()
    suffix = check_gpu(args.gpu)
    from ziya_desktop import __version__

    step("self-test model")
    make_self_test_model()
    step("icons")
    sys.path.insert(0, str(PACKAGING))
    from render_icons import render

    icons = WORK / "icons"
    shutil.rmtree(icons, ignore_errors=True)
    print(f"{len(render(icons))} icon files in {icons}")
    step("PyInstaller")
    run_pyinstaller()
    if LINUX:
        strip_python()
        link_llama_duplicates()
        add_desktop_files(icons)
    if not args.skip_self_test:
        step("self-test of the bundle (empty environment, another folder)")
        self_test()
    if not LINUX:
        print(f"\n{BUNDLE} is built; the installer or disk image is made by hand (packaging/README.md)")
        return 0
    step("archive")
    path = archive(__version__, suffix)
    print(f"{path}: {path.stat().st_size / 2**20:.0f} MiB")
    print((DIST / "SHA256SUMS").read_text(), end="")
    report_sizes()
    print(f"\nmake package: {time.monotonic() - started:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
