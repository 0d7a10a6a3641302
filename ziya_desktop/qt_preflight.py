"""Before Qt starts: will its xcb platform plugin find the system libraries it needs, and the X display?

Without one of them (most often ``libxcb-cursor.so.0``: many desktops do not install it) Qt prints "could not load
the Qt platform plugin xcb" and aborts the process, which a writer who started the app from a menu never sees.
:func:`platform_problem` tries to load each library the way Qt will (``dlopen`` by soname) *before* any Qt code
runs, and when some are missing returns a message naming them and the command that installs them on Debian/Ubuntu,
Fedora, Arch and openSUSE, with this machine's family first. An X display it cannot connect to (no XAUTHORITY,
another user's session) is the other way Qt aborts at start; that is checked too, with libxcb as Qt will.
:func:`show_without_qt` also puts such a message on the screen for a writer without a terminal (``zenity``,
``kdialog`` or ``xmessage``, whichever is installed).

Pure Python, no Qt: the base layer, importable before PySide6 is.
"""

from __future__ import annotations

import ctypes
import importlib.util
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "EXIT_QT_CANNOT_START",
    "FAMILIES",
    "XCB_LIBRARIES",
    "Library",
    "distribution_family",
    "install_hint",
    "locale_language",
    "missing_libraries",
    "platform_problem",
    "preflight_or_message",
    "requested_platform",
    "show_without_qt",
    "uses_xcb",
    "wayland_plugin_installed",
]

# The exit status when the window cannot open; 2 is the command line's own errors.
EXIT_QT_CANNOT_START = 3

# A loader: whether the shared library of this soname can be loaded (as dlopen would find it).
Loader = Callable[[str], bool]


@dataclass(frozen=True)
class Library:
    """A shared library by its soname, and the package that ships it in each distribution family."""

    soname: str
    apt: str
    dnf: str
    pacman: str
    zypper: str

    def package(self, family: str) -> str:
        return str(getattr(self, family))


# What Qt 6's xcb platform plugin (libqxcb.so, libQt6XcbQpa.so.6) and QtGui (with QtDBus) load from the system:
# the NEEDED entries of those libraries in the PySide6 wheels, less the C/C++ runtime that every system has.
XCB_LIBRARIES: tuple[Library, ...] = (
    Library("libxcb-cursor.so.0", "libxcb-cursor0", "xcb-util-cursor", "xcb-util-cursor", "libxcb-cursor0"),
    Library("libxcb-icccm.so.4", "libxcb-icccm4", "xcb-util-wm", "xcb-util-wm", "libxcb-icccm4"),
    Library("libxcb-util.so.1", "libxcb-util1", "xcb-util", "xcb-util", "libxcb-util1"),
    Library("libxcb-image.so.0", "libxcb-image0", "xcb-util-image", "xcb-util-image", "libxcb-image0"),
    Library("libxcb-keysyms.so.1", "libxcb-keysyms1", "xcb-util-keysyms", "xcb-util-keysyms", "libxcb-keysyms1"),
    Library(
        "libxcb-render-util.so.0",
        "libxcb-render-util0",
        "xcb-util-renderutil",
        "xcb-util-renderutil",
        "libxcb-render-util0",
    ),
    Library("libxcb-randr.so.0", "libxcb-randr0", "libxcb", "libxcb", "libxcb-randr0"),
    Library("libxcb-render.so.0", "libxcb-render0", "libxcb", "libxcb", "libxcb-render0"),
    Library("libxcb-shape.so.0", "libxcb-shape0", "libxcb", "libxcb", "libxcb-shape0"),
    Library("libxcb-shm.so.0", "libxcb-shm0", "libxcb", "libxcb", "libxcb-shm0"),
    Library("libxcb-sync.so.1", "libxcb-sync1", "libxcb", "libxcb", "libxcb-sync1"),
    Library("libxcb-xfixes.so.0", "libxcb-xfixes0", "libxcb", "libxcb", "libxcb-xfixes0"),
    Library("libxcb-xkb.so.1", "libxcb-xkb1", "libxcb", "libxcb", "libxcb-xkb1"),
    Library("libxcb.so.1", "libxcb1", "libxcb", "libxcb", "libxcb1"),
    Library("libX11-xcb.so.1", "libx11-xcb1", "libX11-xcb", "libx11", "libX11-xcb1"),
    Library("libX11.so.6", "libx11-6", "libX11", "libx11", "libX11-6"),
    Library("libxkbcommon.so.0", "libxkbcommon0", "libxkbcommon", "libxkbcommon", "libxkbcommon0"),
    Library(
        "libxkbcommon-x11.so.0", "libxkbcommon-x11-0", "libxkbcommon-x11", "libxkbcommon-x11", "libxkbcommon-x11-0"
    ),
    Library("libGL.so.1", "libgl1", "libglvnd-glx", "libglvnd", "libGL1"),
    Library("libEGL.so.1", "libegl1", "libglvnd-egl", "libglvnd", "libEGL1"),
    Library("libfontconfig.so.1", "libfontconfig1", "fontconfig", "fontconfig", "libfontconfig1"),
    Library("libfreetype.so.6", "libfreetype6", "freetype", "freetype2", "libfreetype6"),
    Library("libglib-2.0.so.0", "libglib2.0-0", "glib2", "glib2", "libglib-2_0-0"),
    Library("libgthread-2.0.so.0", "libglib2.0-0", "glib2", "glib2", "libgthread-2_0-0"),
    Library("libdbus-1.so.3", "libdbus-1-3", "dbus-libs", "dbus", "libdbus-1-3"),
)

# Distribution family → (name, install command). The order is the order of the hint's lines.
FAMILIES: dict[str, tuple[str, str]] = {
    "apt": ("Debian, Ubuntu, Linux Mint", "sudo apt install"),
    "dnf": ("Fedora, RHEL, CentOS Stream", "sudo dnf install"),
    "pacman": ("Arch, Manjaro", "sudo pacman -S --needed"),
    "zypper": ("openSUSE, SUSE", "sudo zypper install"),
}
# os-release ID / ID_LIKE words → family.
_FAMILY_WORDS = {
    "debian": "apt",
    "ubuntu": "apt",
    "fedora": "dnf",
    "rhel": "dnf",
    "centos": "dnf",
    "arch": "pacman",
    "archlinux": "pacman",
    "suse": "zypper",
    "opensuse": "zypper",
}


def _dlopen(soname: str) -> bool:
    try:
        ctypes.CDLL(soname, mode=os.RTLD_LAZY | os.RTLD_LOCAL)
    except OSError:
        return False
    return True


def _connects(display: str) -> bool:
    """Whether libxcb can connect to the X display ``display``, as Qt's xcb plugin will first thing."""
    try:
        xcb = ctypes.CDLL("libxcb.so.1")
    except OSError:
        return True  # a missing library, reported as such
    xcb.xcb_connect.restype = ctypes.c_void_p
    xcb.xcb_connect.argtypes = [ctypes.c_char_p, ctypes.c_void_p]
    xcb.xcb_connection_has_error.argtypes = [ctypes.c_void_p]
    xcb.xcb_disconnect.argtypes = [ctypes.c_void_p]
    connection = xcb.xcb_connect(display.encode(), None)
    try:
        return bool(xcb.xcb_connection_has_error(connection) == 0)
    finally:
        xcb.xcb_disconnect(connection)


def requested_platform(env: Mapping[str, str], argv: Sequence[str] = ()) -> str:
    """The platform plugin asked for: ``-platform NAME`` on the command line, else ``QT_QPA_PLATFORM``
    (``name:options``, or a ``;``-separated list: the first), else ``""`` (Qt's default)."""
    value = env.get("QT_QPA_PLATFORM", "")
    for i, arg in enumerate(argv[:-1]):
        if arg in ("-platform", "--platform"):
            value = argv[i + 1]
    return value.split(";")[0].split(":")[0].strip()


def wayland_plugin_installed() -> bool:
    """Whether PySide6 has Qt's Wayland platform plugin (a wheel does; the packaged app leaves it out). No import."""
    spec = importlib.util.find_spec("PySide6")
    if spec is None or not spec.submodule_search_locations:
        return False
    platforms = Path(next(iter(spec.submodule_search_locations))) / "Qt" / "plugins" / "platforms"
    return any(platforms.glob("libqwayland*"))


def uses_xcb(
    env: Mapping[str, str], argv: Sequence[str] = (), platform: str = sys.platform, *, wayland: bool | None = None
) -> bool:
    """Whether Qt will load the xcb plugin: on Linux/BSD with an X display, when xcb is asked for, or nothing is
    and Qt will not take Wayland first (it does in a Wayland session, XDG_SESSION_TYPE=wayland, when it has the
    plugin: ``wayland``, default :func:`wayland_plugin_installed`)."""
    if platform in ("win32", "darwin") or not env.get("DISPLAY", "").strip():
        return False
    requested = requested_platform(env, argv)
    if requested:
        return requested == "xcb"
    if env.get("XDG_SESSION_TYPE", "").strip().lower() == "wayland":
        return not (wayland if wayland is not None else wayland_plugin_installed())
    return True


def missing_libraries(loader: Loader | None = None, libraries: Sequence[Library] = XCB_LIBRARIES) -> list[Library]:
    """The libraries ``loader`` (default: ``dlopen``) cannot load, in the order of ``libraries``."""
    load = loader if loader is not None else _dlopen
    return [lib for lib in libraries if not load(lib.soname)]


def distribution_family(os_release: str | None = None) -> str | None:
    """``apt``, ``dnf``, ``pacman`` or ``zypper`` from /etc/os-release's ID and ID_LIKE; None when unknown."""
    if os_release is None:
        try:
            os_release = Path("/etc/os-release").read_text(encoding="utf-8", errors="replace")
        except OSError:
            return None
    words: list[str] = []
    for key in ("ID", "ID_LIKE"):
        for line in os_release.splitlines():
            name, _, value = line.partition("=")
            if name.strip() == key:
                words += value.strip().strip("\"'").lower().replace("-", " ").split()
    return next((_FAMILY_WORDS[w] for w in words if w in _FAMILY_WORDS), None)


def locale_language(env: Mapping[str, str]) -> str:
    """``zh`` when the first of LC_ALL, LC_MESSAGES and LANG that is set names Chinese, else ``en`` (no Qt yet)."""
    value = next((env[k] for k in ("LC_ALL", "LC_MESSAGES", "LANG") if env.get(k)), "")
    return "zh" if value.lower().startswith("zh") else "en"


# Qt's translations cannot be loaded before Qt, so the two languages of the UI are here.
_HINT_TEXT = {
    "en": (
        "Ziya Desktop cannot open its window: Qt's xcb platform plugin needs system libraries that are not installed:",
        "Install them with your package manager, then start Ziya Desktop again:",
        "this system",
    ),
    "zh": (
        "Ziya Desktop 无法打开窗口：Qt 的 xcb 平台插件所需的以下系统库尚未安装：",
        "请用系统的软件包管理器安装后，再启动 Ziya Desktop：",
        "本机",
    ),
}


def install_hint(missing: Sequence[Library], family: str | None = None, language: str = "en") -> str:
    """The message for missing libraries: which, and the command per family (this machine's first)."""
    heading, install, this_system = _HINT_TEXT.get(language, _HINT_TEXT["en"])
    lines = [heading, "  " + ", ".join(lib.soname for lib in missing), "", install]
    for fam in sorted(FAMILIES, key=lambda f: f != family):
        label, command = FAMILIES[fam]
        packages = " ".join(dict.fromkeys(lib.package(fam) for lib in missing))
        mark = f"  ({this_system})" if fam == family else ""
        lines.append(f"  {label}{mark}:")
        lines.append(f"    {command} {packages}")
    return "\n".join(lines)


_NO_DISPLAY_TEXT = {
    "en": (
        "Ziya Desktop cannot open its window: it cannot connect to the X display “{display}” (DISPLAY).\n"
        "Start it from your desktop session. Over SSH, connect with `ssh -X`; started as another user, that user\n"
        "needs access to the display (XAUTHORITY, xhost)."
    ),
    "zh": (
        "Ziya Desktop 无法打开窗口：无法连接 X 显示“{display}”（DISPLAY）。\n"
        "请在桌面会话中启动；通过 SSH 使用时请用 `ssh -X` 连接；以其他用户身份启动时，该用户需有权访问此显示"
        "（XAUTHORITY、xhost）。"
    ),
}


def platform_problem(
    env: Mapping[str, str] | None = None,
    argv: Sequence[str] = (),
    *,
    loader: Loader | None = None,
    connects: Callable[[str], bool] | None = None,
    os_release: str | None = None,
    platform: str = sys.platform,
) -> str | None:
    """Why Qt's xcb plugin would abort, when Qt is going to use it: missing libraries (with what to install), or
    an X display it cannot connect to; else None."""
    env = os.environ if env is None else env
    if not uses_xcb(env, argv, platform):
        return None
    language = locale_language(env)
    missing = missing_libraries(loader)
    if missing:
        return install_hint(missing, distribution_family(os_release), language)
    display = env.get("DISPLAY", "").strip()
    if not (connects if connects is not None else _connects)(display):
        return _NO_DISPLAY_TEXT.get(language, _NO_DISPLAY_TEXT["en"]).format(display=display)
    return None


def show_without_qt(title: str, text: str, *, which: Callable[[str], str | None] = shutil.which) -> bool:
    """Show ``text`` in a dialog without Qt (zenity, kdialog or xmessage); whether one could be started.

    For a writer who started the app from a menu: there is no terminal to read stderr in. Needs an X display.
    """
    if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
        return False
    commands = {
        "zenity": ["--error", "--no-wrap", f"--title={title}", f"--text={text}"],
        "kdialog": ["--title", title, "--error", text],
        "xmessage": ["-center", f"{title}\n\n{text}"],
    }
    for tool, args in commands.items():
        path = which(tool)
        if path is None:
            continue
        try:
            shown = subprocess.run(
                [path, *args],
                check=False,
                timeout=600,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        except (OSError, subprocess.SubprocessError):
            continue
        if shown.returncode == 0:
            return True
    return False


def preflight_or_message(argv: Sequence[str] = ()) -> int | None:
    """For the entry points: None when Qt may start; else print (and show) the hint and return the exit status."""
    problem = platform_problem(argv=argv)
    if problem is None:
        return None
    if sys.stderr is not None:
        print(problem, file=sys.stderr)
    if sys.stderr is None or not sys.stderr.isatty():
        show_without_qt("Ziya Desktop", problem)
    return EXIT_QT_CANNOT_START
