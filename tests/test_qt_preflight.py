"""Before Qt starts: a machine without one of the xcb plugin's libraries gets what to install, not Qt's abort.

A missing library is simulated by a loader that fails for it; the real ``dlopen`` is checked on libraries that
surely are (libc) and surely are not there.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ziya_desktop import qt_preflight
from ziya_desktop.qt_preflight import (
    EXIT_QT_CANNOT_START,
    XCB_LIBRARIES,
    distribution_family,
    install_hint,
    missing_libraries,
    platform_problem,
    requested_platform,
    uses_xcb,
)

ROOT = Path(__file__).resolve().parent.parent
DEBIAN = 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\n'
X11 = {"DISPLAY": ":0"}


def without(*sonames: str) -> qt_preflight.Loader:
    return lambda soname: soname not in sonames


@pytest.mark.parametrize(
    ("env", "argv", "expected"),
    [
        ({"DISPLAY": ":0"}, [], True),
        ({}, [], False),  # no X display: not our case (Qt says "could not connect to display")
        ({"DISPLAY": ":0", "QT_QPA_PLATFORM": "offscreen"}, [], False),
        ({"DISPLAY": ":0", "QT_QPA_PLATFORM": "xcb"}, [], True),
        ({"DISPLAY": ":0", "QT_QPA_PLATFORM": "xcb:nograb"}, [], True),
        ({"DISPLAY": ":0", "QT_QPA_PLATFORM": "wayland;xcb"}, [], False),
        ({"DISPLAY": ":0"}, ["-platform", "offscreen"], False),
        ({"DISPLAY": ":0", "QT_QPA_PLATFORM": "offscreen"}, ["-platform", "xcb"], True),
        ({"DISPLAY": ":0", "XDG_SESSION_TYPE": "x11"}, [], True),
        ({"DISPLAY": ":0", "XDG_SESSION_TYPE": "wayland", "QT_QPA_PLATFORM": "xcb"}, [], True),
    ],
)
def test_xcb_is_checked_only_when_qt_will_use_it(env: dict[str, str], argv: list[str], expected: bool) -> None:
    assert uses_xcb(env, argv, platform="linux", wayland=True) is expected


def test_in_a_wayland_session_qt_takes_wayland_when_it_has_the_plugin() -> None:
    session = {"DISPLAY": ":0", "WAYLAND_DISPLAY": "wayland-0", "XDG_SESSION_TYPE": "wayland"}
    assert not uses_xcb(session, platform="linux", wayland=True)  # a checkout: PySide6's wheel has the plugin
    assert uses_xcb(session, platform="linux", wayland=False)  # the packaged app: XWayland
    assert qt_preflight.wayland_plugin_installed()  # this virtual environment's PySide6


def test_windows_and_macos_have_no_xcb() -> None:
    assert not uses_xcb(X11, platform="win32")
    assert not uses_xcb(X11, platform="darwin")
    assert requested_platform({}) == ""
    assert requested_platform({"QT_QPA_PLATFORM": "wayland;xcb"}) == "wayland"


def test_a_missing_xcb_cursor_names_the_library_and_the_package_of_every_family() -> None:
    problem = platform_problem(X11, loader=without("libxcb-cursor.so.0"), os_release=DEBIAN, platform="linux")
    assert problem is not None
    lines = problem.splitlines()
    assert "libxcb-cursor.so.0" in lines[1]
    # This machine's family first, marked; then the others.
    assert lines[4] == "  Debian, Ubuntu, Linux Mint  (this system):"
    assert lines[5] == "    sudo apt install libxcb-cursor0"
    assert "    sudo dnf install xcb-util-cursor" in lines
    assert "    sudo pacman -S --needed xcb-util-cursor" in lines
    assert "    sudo zypper install libxcb-cursor0" in lines


def test_several_missing_libraries_share_one_command_per_family() -> None:
    missing = missing_libraries(without("libxcb-randr.so.0", "libxcb-shm.so.0", "libxcb-icccm.so.4"))
    assert [lib.soname for lib in missing] == ["libxcb-icccm.so.4", "libxcb-randr.so.0", "libxcb-shm.so.0"]
    hint = install_hint(missing, "dnf")
    # Fedora ships randr and shm in one package: named once.
    assert "    sudo dnf install xcb-util-wm libxcb\n" in hint + "\n"
    assert hint.index("Fedora") < hint.index("Debian")


def test_nothing_missing_or_not_xcb_is_no_problem() -> None:
    assert platform_problem(X11, loader=lambda _: True, connects=lambda _: True, platform="linux") is None
    offscreen = {"DISPLAY": ":0", "QT_QPA_PLATFORM": "offscreen"}
    assert platform_problem(offscreen, loader=lambda _: False, platform="linux") is None


def test_a_display_that_refuses_the_connection_is_said_before_qt_aborts() -> None:
    problem = platform_problem(X11, loader=lambda _: True, connects=lambda display: display != ":0", platform="linux")
    assert problem is not None
    assert "cannot connect to the X display “:0”" in problem and "XAUTHORITY" in problem
    zh = platform_problem({**X11, "LC_ALL": "zh_CN.UTF-8"}, loader=lambda _: True, connects=lambda _: False)
    assert zh is not None and "无法连接 X 显示“:0”" in zh


def test_the_real_connection_check_fails_on_a_display_that_is_not_there() -> None:
    assert not qt_preflight._connects(":4711")


def test_the_hint_is_in_chinese_for_a_chinese_locale() -> None:
    env = {"DISPLAY": ":0", "LANG": "zh_CN.UTF-8"}
    problem = platform_problem(env, loader=without("libxcb-cursor.so.0"), os_release=DEBIAN, platform="linux")
    assert problem is not None and problem.startswith("Ziya Desktop 无法打开窗口")
    assert "sudo apt install libxcb-cursor0" in problem


@pytest.mark.parametrize(
    ("os_release", "family"),
    [
        (DEBIAN, "apt"),
        ('ID=linuxmint\nID_LIKE="ubuntu debian"\n', "apt"),
        ("ID=fedora\n", "dnf"),
        ('ID="rocky"\nID_LIKE="rhel centos fedora"\n', "dnf"),
        ("ID=arch\n", "pacman"),
        ('ID=manjaro\nID_LIKE="arch"\n', "pacman"),
        ('ID="opensuse-tumbleweed"\nID_LIKE="opensuse suse"\n', "zypper"),
        ("ID=nixos\n", None),
        ("", None),
    ],
)
def test_distribution_family_from_os_release(os_release: str, family: str | None) -> None:
    assert distribution_family(os_release) == family


def test_the_real_loader_opens_what_is_there_and_not_what_is_not() -> None:
    assert qt_preflight._dlopen("libc.so.6")
    assert not qt_preflight._dlopen("libziya-no-such-library.so.0")


def test_the_list_covers_what_qts_xcb_plugin_needs() -> None:
    """Every system library Qt's xcb plugin (and the libraries it comes with) is linked against is checked."""
    objdump = shutil.which("objdump")
    if objdump is None:
        pytest.skip("objdump (binutils) is not installed")
    import importlib.util

    spec = importlib.util.find_spec("PySide6")
    assert spec is not None and spec.submodule_search_locations
    qt = Path(next(iter(spec.submodule_search_locations))) / "Qt"
    needed: set[str] = set()
    for lib in (qt / "plugins" / "platforms" / "libqxcb.so", qt / "lib" / "libQt6XcbQpa.so.6"):
        out = subprocess.run([objdump, "-p", str(lib)], capture_output=True, text=True, check=True).stdout
        needed |= {line.split()[1] for line in out.splitlines() if line.strip().startswith("NEEDED")}
    runtime = {"libc.so.6", "libm.so.6", "libstdc++.so.6", "libgcc_s.so.1", "libdl.so.2", "libpthread.so.0"}
    system = {n for n in needed if not n.startswith("libQt6") and n not in runtime}
    assert system <= {lib.soname for lib in XCB_LIBRARIES}


def test_the_message_is_shown_in_a_dialog_without_qt(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Started from a menu there is no terminal: zenity (or kdialog, or xmessage) shows the message."""
    record = tmp_path / "args.txt"
    zenity = tmp_path / "zenity"
    zenity.write_text(f'#!/bin/sh\nprintf "%s\\n" "$@" > "{record}"\n', encoding="utf-8")
    zenity.chmod(0o755)
    monkeypatch.setenv("DISPLAY", ":0")
    tools = {"zenity": str(zenity)}
    assert qt_preflight.show_without_qt("Ziya Desktop", "the text", which=tools.get)
    assert record.read_text(encoding="utf-8").splitlines() == [
        "--error",
        "--no-wrap",
        "--title=Ziya Desktop",
        "--text=the text",
    ]
    assert not qt_preflight.show_without_qt("Ziya Desktop", "the text", which=lambda tool: None)
    monkeypatch.delenv("DISPLAY")
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    assert not qt_preflight.show_without_qt("Ziya Desktop", "the text", which=tools.get)


def test_the_command_line_stops_before_qt_with_the_hint(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from ziya_desktop import app, cli

    monkeypatch.setenv("DISPLAY", ":0")
    monkeypatch.delenv("QT_QPA_PLATFORM", raising=False)
    monkeypatch.delenv("XDG_SESSION_TYPE", raising=False)
    monkeypatch.setattr(qt_preflight, "_dlopen", without("libxcb-cursor.so.0"))
    shown: list[str] = []
    monkeypatch.setattr(qt_preflight, "show_without_qt", lambda title, text: shown.append(text) or True)

    def no_qt(argv: list[str]) -> int:
        raise AssertionError("Qt was started")

    monkeypatch.setattr(app, "run_gui", no_qt)
    assert cli.main([]) == EXIT_QT_CANNOT_START
    err = capsys.readouterr().err
    assert "libxcb-cursor.so.0" in err and "libxcb-cursor0" in err
    assert shown == [err.rstrip("\n")]  # stderr is not a terminal under pytest: a dialog too
    monkeypatch.setattr(app.sys, "argv", ["ziya-desktop-gui"])
    assert app.main() == EXIT_QT_CANNOT_START


def test_a_process_without_the_library_exits_with_the_hint_and_no_qt_abort(tmp_path: Path) -> None:
    """The whole start in a child process: exit status 3 and the hint, not SIGABRT and Qt's plugin message."""
    code = (
        "import sys\n"
        "from ziya_desktop import qt_preflight\n"
        "qt_preflight._dlopen = lambda soname: soname != 'libxcb-cursor.so.0'\n"
        "qt_preflight.show_without_qt = lambda title, text: False\n"
        "from ziya_desktop.cli import main\n"
        "sys.exit(main([]))\n"
    )
    env = {k: v for k, v in os.environ.items() if k not in ("QT_QPA_PLATFORM", "XDG_SESSION_TYPE")}
    env.update({"DISPLAY": ":98", "ZIYA_HOME": str(tmp_path), "LANG": "C.UTF-8"})
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=ROOT, timeout=120, check=False
    )
    assert done.returncode == EXIT_QT_CANNOT_START, done.stderr
    assert "sudo apt install libxcb-cursor0" in done.stderr
    assert "could not load the Qt platform plugin" not in done.stderr
