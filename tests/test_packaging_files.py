"""packaging/: the PyInstaller spec, our llama_cpp hook, the launcher's checks and the desktop files.

Fast: nothing is built here (``make package`` builds and self-tests the bundle, in about two minutes). PyInstaller
need not be installed: the hook runs against a stand-in for the one function it uses.
"""

from __future__ import annotations

import configparser
import importlib.util
import os
import re
import shutil
import subprocess
import sys
import types
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGING = ROOT / "packaging"
HOOK = PACKAGING / "hooks" / "hook-llama_cpp.py"
SPEC = PACKAGING / "ziya-desktop.spec"
DESKTOP = PACKAGING / "linux" / "ziya-desktop.desktop"
METAINFO = PACKAGING / "linux" / "io.github.ziya_desktop.ZiyaDesktop.metainfo.xml"
ICON = ROOT / "resources" / "icons" / "ziya-desktop.svg"


def _load(path: Path, name: str) -> types.ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _run_hook(monkeypatch: pytest.MonkeyPatch, package_dir: Path) -> types.ModuleType:
    """The hook, with PyInstaller's get_package_paths answering ``package_dir``."""
    hooks = types.ModuleType("PyInstaller.utils.hooks")
    hooks.get_package_paths = lambda package: (str(package_dir.parent), str(package_dir))  # type: ignore[attr-defined]
    for name, module in {
        "PyInstaller": types.ModuleType("PyInstaller"),
        "PyInstaller.utils": types.ModuleType("PyInstaller.utils"),
        "PyInstaller.utils.hooks": hooks,
    }.items():
        monkeypatch.setitem(sys.modules, name, module)
    return _load(HOOK, "hook_llama_cpp")


def test_the_spec_and_the_hook_exist_and_the_spec_uses_the_hook() -> None:
    assert SPEC.is_file() and HOOK.is_file()
    spec = SPEC.read_text(encoding="utf-8")
    assert 'hookspath=[str(PACKAGING / "hooks")]' in spec
    assert '"launcher.py"' in spec
    assert "self_test" in spec and "ziya_desktop/resources" in spec


def test_the_hook_lists_the_installed_llama_cpp_libraries(monkeypatch: pytest.MonkeyPatch) -> None:
    found = importlib.util.find_spec("llama_cpp")
    assert found is not None and found.submodule_search_locations
    package = Path(next(iter(found.submodule_search_locations)))
    hook = _run_hook(monkeypatch, package)
    shipped = {Path(src).name for src, dest in hook.binaries}
    assert {dest for _, dest in hook.binaries} == {"llama_cpp/lib"}
    if sys.platform.startswith("linux"):
        # What ctypes opens, and the sonames the libraries need from each other.
        assert {"libllama.so", "libggml.so", "libllama.so.0", "libggml.so.0", "libggml-base.so.0"} <= shipped
        assert "libggml-cpu.so.0" in shipped or any(n.startswith("libggml-cpu") for n in shipped)
        assert not any(re.search(r"\.so\.\d+\.\d+", name) for name in shipped)


def test_the_hook_leaves_out_only_the_fully_versioned_copies(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    lib = tmp_path / "llama_cpp" / "lib"
    lib.mkdir(parents=True)
    names = [
        "libllama.so",
        "libllama.so.0",
        "libllama.so.0.5.0",
        "libggml-cuda.so",
        "libggml-cuda.so.0",
        "libggml-cuda.so.0.25.3",
        "libonly.so.1.2",  # no soname copy beside it: kept
        "README.txt",
    ]
    for name in names:
        (lib / name).write_bytes(b"\x7fELF")
    hook = _run_hook(monkeypatch, tmp_path / "llama_cpp")
    assert sorted(Path(src).name for src, _ in hook.binaries) == [
        "libggml-cuda.so",
        "libggml-cuda.so.0",
        "libllama.so",
        "libllama.so.0",
        "libonly.so.1.2",
    ]


def test_the_hook_stops_without_llama_cpp_libraries(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "llama_cpp" / "lib").mkdir(parents=True)
    with pytest.raises(SystemExit, match="no llama library"):
        _run_hook(monkeypatch, tmp_path / "llama_cpp")


def test_the_spec_bundles_the_xcb_libraries_and_leaves_the_system_ones() -> None:
    source = SPEC.read_text(encoding="utf-8")
    block = source[source.index("SYSTEM_LIBRARIES = re.compile(") : source.index("EXCLUDED_MODULES = [")]
    namespace: dict[str, object] = {"re": re}
    exec(block, namespace)
    system = namespace["SYSTEM_LIBRARIES"]
    assert isinstance(system, re.Pattern)
    for name in ("libstdc++.so.6", "libGL.so.1", "libX11.so.6", "libxcb.so.1", "libgtk-3.so.0", "libfontconfig.so.1"):
        assert system.match(name), name
    # Bundled: what Qt's xcb plugin needs beyond X11 core, llama.cpp's OpenMP, Python and what its modules link.
    bundled = ("libxcb-cursor.so.0", "libxkbcommon-x11.so.0", "libgomp.so.1", "libpython3.11.so.1.0", "libssl.so.3")
    for name in (*bundled, "libffi.so.8", "libbz2.so.1.0", "libuuid.so.1", "liblzma.so.5", "libsqlite3.so.0"):
        assert not system.match(name), name


CPUINFO = "processor\t: 0\nflags\t\t: fpu sse2 pni ssse3 sse4_1 sse4_2 avx {extra} bmi1\n\nprocessor\t: 1\n"


def test_the_launcher_refuses_a_cpu_without_avx2_with_a_message() -> None:
    launcher = _load(PACKAGING / "launcher.py", "ziya_launcher")
    problem = launcher.cpu_problem(CPUINFO.format(extra="f16c"), "x86_64")
    assert problem is not None
    assert "avx2, fma, bmi2" in problem and "AVX2" in problem
    assert launcher.cpu_problem(CPUINFO.format(extra="avx2 fma f16c bmi2"), "x86_64") is None
    assert launcher.cpu_problem(CPUINFO.format(extra=""), "aarch64") is None
    assert launcher.cpu_problem("processor\t: 0\n", "x86_64") is None  # no flags line: nothing to go by


def test_the_launcher_runs_the_apps_modules_as_python_m_would(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """In the bundle sys.executable is the app: the trial load's child is `ziya-desktop -m MODULE ARGS`."""
    launcher = _load(PACKAGING / "launcher.py", "ziya_launcher")
    monkeypatch.setattr(sys, "argv", list(sys.argv))
    assert launcher.run_module(["ziya-desktop", "-m", "json.tool", "--help"]) == launcher.EXIT_USAGE
    assert "only the app's own modules" in capsys.readouterr().err
    (tmp_path / "probe_child.py").write_text(
        "import sys, pathlib\npathlib.Path(sys.argv[1]).write_text(repr((__name__, sys.argv[2:])))\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(launcher, "CHILD_MODULE_PREFIXES", ("probe_",))
    out = tmp_path / "out.txt"
    assert launcher.run_module(["ziya-desktop", "-m", "probe_child", str(out), "x"]) == 0
    assert out.read_text() == "('__main__', ['x'])"


def test_the_desktop_entry() -> None:
    entry = configparser.ConfigParser(interpolation=None)
    entry.optionxform = str  # type: ignore[assignment,method-assign]
    entry.read(DESKTOP, encoding="utf-8")
    section = entry["Desktop Entry"]
    assert section["Type"] == "Application"
    assert section["Exec"].split()[0] == "ziya-desktop" and "%F" in section["Exec"]
    assert section["Icon"] == ICON.stem
    assert set(section["MimeType"].rstrip(";").split(";")) == {"text/markdown", "text/plain"}
    assert section["StartupWMClass"] == "ziya-desktop"
    assert section["Terminal"] == "false"


_OPEN_SCRIPT = """
import sys
from PySide6.QtCore import QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication
import ziya_desktop.app as app_module

class QuittingWindow(app_module.MainWindow):
    def show(self):
        super().show()
        def report():
            tab = self.current_tab()
            print("OPENED", tab.path.name if tab is not None and tab.path else None, self.tabs.count())
            print("DESKTOP", QGuiApplication.desktopFileName(), not QGuiApplication.windowIcon().isNull())
            QApplication.quit()
        QTimer.singleShot(300, report)

app_module.MainWindow = QuittingWindow
sys.exit(app_module.run_gui(["ziya-desktop", sys.argv[1], sys.argv[2]]))
"""


def test_the_window_opens_the_documents_the_desktop_entry_passes(tmp_path: Path) -> None:
    """Exec=ziya-desktop %F: a .md opened with the app from the file manager opens as a document; a file of
    another kind is not opened. The window names its desktop entry and has the icon."""
    document = tmp_path / "通知.md"
    document.write_text("# 会议通知\n\n请准时参加。\n", encoding="utf-8")
    other = tmp_path / "picture.png"
    other.write_bytes(b"\x89PNG")
    env = {k: v for k, v in os.environ.items() if not k.startswith("ZIYA_")}
    env.update({"QT_QPA_PLATFORM": "offscreen", "ZIYA_HOME": str(tmp_path / "home")})
    done = subprocess.run(
        [sys.executable, "-c", _OPEN_SCRIPT, str(document), str(other)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=ROOT,
        env=env,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "OPENED 通知.md" in done.stdout
    assert "DESKTOP ziya-desktop True" in done.stdout


def test_the_metainfo_names_the_desktop_entry_and_the_icon() -> None:
    component = ET.parse(METAINFO).getroot()
    assert component.get("type") == "desktop-application"
    assert component.findtext("id") == METAINFO.name.removesuffix(".metainfo.xml")
    assert component.findtext("launchable") == DESKTOP.name
    assert component.findtext("icon") == ICON.stem
    assert component.find("releases/release") is not None


def test_the_icon_is_a_square_svg() -> None:
    svg = ET.parse(ICON).getroot()
    assert svg.tag == "{http://www.w3.org/2000/svg}svg"
    assert svg.get("viewBox") == "0 0 512 512"


@pytest.mark.skipif(shutil.which("desktop-file-validate") is None, reason="desktop-file-utils is not installed")
def test_the_desktop_entry_validates() -> None:
    done = subprocess.run(["desktop-file-validate", str(DESKTOP)], capture_output=True, text=True, check=False)
    assert done.returncode == 0 and not done.stdout.strip(), done.stdout + done.stderr


@pytest.mark.skipif(shutil.which("appstreamcli") is None, reason="appstream is not installed")
def test_the_metainfo_validates() -> None:
    done = subprocess.run(
        ["appstreamcli", "validate", "--no-net", str(METAINFO)], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_make_has_package_and_validate_targets_and_ci_does_not_package() -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert re.search(r"^package:", makefile, re.MULTILINE)
    assert re.search(r"^validate-desktop:", makefile, re.MULTILINE)
    assert "packaging/build_bundle.py" in makefile
    assert "make package" not in (ROOT / ".ci" / "run").read_text(encoding="utf-8")
