"""Locations without Qt: the same folders Qt's QStandardPaths gives, so settings and models stay where they were."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QStandardPaths

from ziya_desktop import paths
from ziya_desktop.ui.common.settings import configure_application_identity, settings


def qt_location(location: QStandardPaths.StandardLocation) -> Path:
    configure_application_identity()
    return Path(QStandardPaths.writableLocation(location))


@pytest.mark.skipif(sys.platform in ("win32", "darwin"), reason="the XDG variables are read on Linux and other Unix")
@pytest.mark.parametrize(
    ("xdg_data", "xdg_config"),
    [(None, None), ("data-abs", "config-abs"), ("relative/data", "relative/config"), ("", "")],
)
def test_folders_are_the_ones_qt_gives(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, xdg_data: str | None, xdg_config: str | None
) -> None:
    monkeypatch.delenv(paths.ENV_HOME)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    for variable, value in (("XDG_DATA_HOME", xdg_data), ("XDG_CONFIG_HOME", xdg_config)):
        if value is None:
            monkeypatch.delenv(variable, raising=False)
        else:
            monkeypatch.setenv(variable, str(tmp_path / value) if value.endswith("-abs") else value)
    assert paths.data_dir() == qt_location(QStandardPaths.StandardLocation.AppLocalDataLocation)
    assert paths.config_dir() == qt_location(QStandardPaths.StandardLocation.AppConfigLocation)
    assert paths.data_dir().is_relative_to(tmp_path) and paths.config_dir().is_relative_to(tmp_path)


def test_ziya_home_moves_everything(ziya_home: Path) -> None:
    assert paths.data_dir() == ziya_home
    assert paths.config_dir() == ziya_home / "config"
    assert paths.models_dir() == ziya_home / "models"
    settings().setValue("probe/key", "值")
    settings().sync()
    assert "值" in paths.settings_path().read_text(encoding="utf-8")


LAYERS_WITHOUT_QT = """
import sys
import ziya_desktop.paths, ziya_desktop.models.catalog, ziya_desktop.models.library, ziya_desktop.models.download
import ziya_desktop.models.fit, ziya_desktop.models.pipeline, ziya_desktop.models.convert_job
import ziya_desktop.engine.engine, ziya_desktop.writing.templates, ziya_desktop.writing.template_files
import converters.hf_to_gguf
import ziya_desktop.documents.storage, ziya_desktop.documents.journal, ziya_desktop.documents.recovery
qt = sorted(m for m in sys.modules if m.startswith("PySide6"))
print(qt)
raise SystemExit(1 if qt else 0)
"""


def test_the_model_engine_writing_and_document_layers_load_without_qt() -> None:
    run = subprocess.run([sys.executable, "-c", LAYERS_WITHOUT_QT], capture_output=True, text=True, check=False)
    assert run.returncode == 0, run.stdout + run.stderr
