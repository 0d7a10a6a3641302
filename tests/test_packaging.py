"""What the wheel ships: every source package, and the resources as package data."""

from __future__ import annotations

import tomllib
from pathlib import Path

from ziya_desktop import paths

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def test_every_source_package_is_listed_for_the_wheel() -> None:
    found = {
        ".".join(init.parent.relative_to(ROOT).parts)
        for top in ("ziya_desktop", "converters")
        for init in (ROOT / top).rglob("__init__.py")
    }
    listed = set(PYPROJECT["tool"]["setuptools"]["packages"])
    resources = {paths.RESOURCES_PACKAGE} | {
        f"{paths.RESOURCES_PACKAGE}.{d.name}" for d in paths.resources_dir().iterdir() if d.is_dir()
    }
    assert listed - resources == found
    assert resources <= listed


def test_resources_are_the_mapped_package_and_their_data_is_declared() -> None:
    setuptools = PYPROJECT["tool"]["setuptools"]
    assert setuptools["package-dir"] == {paths.RESOURCES_PACKAGE: "resources"}
    assert paths.resources_dir() == ROOT / "resources"
    shipped = {
        f
        for package, patterns in setuptools["package-data"].items()
        for pattern in patterns
        for f in (paths.resources_dir() / "/".join(package.split(".")[2:])).glob(pattern)
    }
    needed = {paths.resources_dir() / "catalog.toml", *paths.builtin_templates_dir().glob("*.toml")}
    needed |= set(paths.translations_dir().glob("*.qm"))
    assert needed <= shipped


def test_a_console_command_line_and_a_gui_launcher() -> None:
    from ziya_desktop import app, cli

    project = PYPROJECT["project"]
    assert project["scripts"]["ziya-desktop"] == "ziya_desktop.cli:main"
    assert project["gui-scripts"] == {"ziya-desktop-gui": "ziya_desktop.app:main"}
    assert "ziya-desktop" not in project["gui-scripts"]  # a GUI-subsystem `generate` would print nowhere on Windows
    assert callable(cli.main) and callable(app.main)
