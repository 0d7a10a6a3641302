"""The Chinese UI translation: complete, faithful to its placeholders, compiled, current, and loaded by the app."""

from __future__ import annotations

import os

# Before Qt is imported and before pytest-qt creates the QApplication: no display needed, no window on screen.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from string import Formatter

import pytest
from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QApplication

from ziya_desktop import paths
from ziya_desktop.ui.common.i18n import install_translations

TRANSLATIONS = Path(__file__).resolve().parent.parent / "resources" / "translations"
TS_FILE = TRANSLATIONS / "ziya_zh_CN.ts"
QM_FILE = TRANSLATIONS / "ziya_zh_CN.qm"
UPDATE_SCRIPT = TRANSLATIONS / "update.sh"
# "&&" is a literal ampersand, not an accelerator.
ACCELERATOR = re.compile(r"&(?!&)\S")
ESCAPED_BRACES = re.compile(r"\{\{[^{}]*\}\}")


@dataclass(frozen=True)
class Message:
    context: str
    source: str
    translation: str
    kind: str  # the translation's ``type`` attribute: "" when finished, else unfinished/vanished/obsolete


def read_messages(ts_file: Path) -> list[Message]:
    found: list[Message] = []
    for context in ET.parse(ts_file).getroot().iter("context"):
        for message in context.iter("message"):
            translation = message.find("translation")
            found.append(
                Message(
                    context=context.findtext("name") or "",
                    source=message.findtext("source") or "",
                    translation="" if translation is None else translation.text or "",
                    kind="missing" if translation is None else translation.get("type", ""),
                )
            )
    return found


def format_fields(text: str) -> list[tuple[str, str, str]]:
    """The ``str.format`` replacement fields of ``text`` (name, conversion, spec), sorted; raises ValueError."""
    parsed = Formatter().parse(text)
    return sorted((name, conversion or "", spec or "") for _, name, spec, conversion in parsed if name is not None)


def tool(name: str) -> Path:
    """A Qt translation tool next to this interpreter (the venv) or on PATH; skips the test when there is none."""
    beside = Path(sys.executable).parent / name
    if beside.is_file() and os.access(beside, os.X_OK):
        return beside
    found = shutil.which(name)
    if found is None:
        pytest.skip(f"{name} is not installed (it comes with PySide6)")
    return Path(found)


@pytest.fixture(scope="module")
def messages() -> list[Message]:
    found = read_messages(TS_FILE)
    assert found, f"no messages in {TS_FILE}"
    return found


def test_every_message_is_translated_and_keeps_its_placeholders(messages: list[Message]) -> None:
    problems: list[str] = []
    for m in messages:
        where = f"[{m.context}] {m.source!r}"
        if m.kind:
            problems.append(f"{where}: translation is {m.kind}")
        if not m.translation.strip():
            problems.append(f"{where}: empty translation")
            continue
        try:
            if format_fields(m.translation) != format_fields(m.source):
                problems.append(f"{where}: placeholders differ in {m.translation!r}")
        except ValueError as err:
            problems.append(f"{where}: {m.translation!r} is not a valid format string ({err})")
        if sorted(ESCAPED_BRACES.findall(m.translation)) != sorted(ESCAPED_BRACES.findall(m.source)):
            problems.append(f"{where}: literal {{{{…}}}} differ in {m.translation!r}")
        if len(ACCELERATOR.findall(m.translation)) != len(ACCELERATOR.findall(m.source)):
            problems.append(f"{where}: accelerator lost or added in {m.translation!r}")
        for kept in ("%", "…"):
            if m.source.count(kept) and not m.translation.count(kept):
                problems.append(f"{where}: {kept!r} missing from {m.translation!r}")
        if m.translation.count("\n") != m.source.count("\n"):
            problems.append(f"{where}: line count differs in {m.translation!r}")
    assert not problems, "\n".join(problems)


def test_messages_are_unique_per_context(messages: list[Message]) -> None:
    counts = Counter((m.context, m.source) for m in messages)
    assert not [key for key, n in counts.items() if n > 1]


def test_compiled_qm_matches_the_ts(tmp_path: Path) -> None:
    lrelease = tool("pyside6-lrelease")
    fresh = tmp_path / "fresh.qm"
    result = subprocess.run(
        [str(lrelease), str(TS_FILE), "-qm", str(fresh)], capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert QM_FILE.is_file(), f"{QM_FILE} is missing: run {UPDATE_SCRIPT}"
    assert fresh.read_bytes() == QM_FILE.read_bytes(), f"{QM_FILE.name} is older than {TS_FILE.name}: run lrelease"


def test_every_source_string_is_in_the_ts(tmp_path: Path, messages: list[Message]) -> None:
    lupdate = tool("pyside6-lupdate")
    bash = shutil.which("bash")
    if bash is None:
        pytest.skip("bash is needed to run update.sh")
    fresh_ts = tmp_path / "fresh_zh_CN.ts"
    env = {**os.environ, "PYSIDE6_BIN": str(lupdate.parent)}
    result = subprocess.run(
        [bash, str(UPDATE_SCRIPT), str(fresh_ts)], capture_output=True, text=True, timeout=300, check=False, env=env
    )
    assert result.returncode == 0, result.stdout + result.stderr
    extracted = {(m.context, m.source) for m in read_messages(fresh_ts)}
    # Spelled-out translate() calls, and texts marked below the UI with QT_TRANSLATE_NOOP (error hints, documents).
    assert ("WindowActions", "&File") in extracted
    assert ("ErrorHints", "Load a model first.") in extracted
    assert ("DocumentStorage", "a named pipe (FIFO)") in extracted
    missing = sorted(extracted - {(m.context, m.source) for m in messages})
    assert not missing, "not in the .ts yet (run update.sh and translate them):\n" + "\n".join(map(str, missing))


@pytest.fixture
def chinese_ui(qapp: QApplication) -> Iterator[QApplication]:
    assert paths.translations_dir() == TRANSLATIONS
    try:
        yield qapp
    finally:
        install_translations(qapp, "en")  # the other tests expect the English source strings


def test_install_translations_switches_the_ui_language(chinese_ui: QApplication) -> None:
    assert install_translations(chinese_ui, "zh")
    assert QCoreApplication.translate("WindowActions", "&File") == "文件(&F)"
    assert QCoreApplication.translate("DocumentTab", "Untitled {number}").format(number=2) == "未命名 2"

    from ziya_desktop.ui.generation.action_labels import rewrite_labels
    from ziya_desktop.writing.actions import ActionKind

    assert rewrite_labels()[ActionKind.POLISH] == "润色(&P)"

    assert install_translations(chinese_ui, "en")
    assert QCoreApplication.translate("WindowActions", "&File") == "&File"
    assert rewrite_labels()[ActionKind.POLISH] == "&Polish"


def test_chinese_template_skeleton_is_still_a_valid_template(chinese_ui: QApplication) -> None:
    """The skeleton's translated notes are TOML comments: every line must still start with '#'."""
    from ziya_desktop.ui.templates.template_editor import parse_template_text, template_skeleton

    install_translations(chinese_ui, "zh")
    text = template_skeleton("my_note", lang="zh")
    assert "自定义模板" in text
    template, errors = parse_template_text(text)
    assert not errors, [str(e) for e in errors]
    assert template is not None and template.id == "my_note"
