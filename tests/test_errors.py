"""One error model: every failure is a ZiyaError with a message and a hint, and every cancellation a CancelledError.

The checks walk every module of ``ziya_desktop`` and ``converters``, so a new exception class that starts its own
root, repeats another's name or keeps its hint outside the modules whose hints tests/test_error_text.py checks fails
here.
"""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import importlib
import re
import shutil
from pathlib import Path
from types import ModuleType, SimpleNamespace

import pytest

from converters import errors as conversion_errors
from ziya_desktop import errors

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("ziya_desktop", "converters")
# Where classes with a hint must live: tests/test_error_text.py checks that each of their hints is marked and
# translated.
HINT_MODULES = {errors.__name__, conversion_errors.__name__}
# Exceptions that are deliberately not ZiyaErrors. A private class (leading underscore) is raised and caught inside
# its own module and never reaches the writer; these public ones say why.
NOT_ZIYA_ERRORS = {
    # An OSError by contract (callers catch OSError and read errno); it is below the errors module (same layer),
    # and every caller turns it into a DocumentSaveError, an ExportError or a logged warning.
    "ziya_desktop.atomic_write.AtomicWriteError",
    # An OSError like the failures of the open it replaces, in the same base layer; every caller turns it into its
    # own error (DocumentReadError, JournalFormatError, CheckpointError) or a value ("no hash").
    "ziya_desktop.regular_file.NotRegularFileError",
    # Its sibling for a file over the reader's size bound: callers turn it into their own error the same way.
    "ziya_desktop.regular_file.FileTooLargeError",
}


def _module_names() -> list[str]:
    names = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            if parts[-1] == "__main__":
                continue  # running it is what importing it does
            names.append(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    return names


def _modules() -> list[ModuleType]:
    return [importlib.import_module(name) for name in _module_names()]


def _exception_classes() -> list[type[BaseException]]:
    """Every exception class defined (not merely imported) at the top level of a module of ours."""
    found: list[type[BaseException]] = []
    for module in _modules():
        for value in vars(module).values():
            if isinstance(value, type) and issubclass(value, BaseException) and value.__module__ == module.__name__:
                found.append(value)
    return found


def _qualified(cls: type) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


def test_the_walk_finds_the_error_classes() -> None:
    names = {cls.__name__ for cls in _exception_classes()}
    assert {"ZiyaError", "ConversionError", "ActionError", "TemplateError", "LoadCancelledError"} <= names


def test_every_exception_class_derives_from_ziya_error() -> None:
    outside = [
        _qualified(cls)
        for cls in _exception_classes()
        if not issubclass(cls, errors.ZiyaError)
        and not cls.__name__.startswith("_")
        and _qualified(cls) not in NOT_ZIYA_ERRORS
    ]
    assert outside == []


def test_each_exception_class_name_is_defined_once() -> None:
    where: dict[str, list[str]] = {}
    for cls in _exception_classes():
        where.setdefault(cls.__name__, []).append(_qualified(cls))
    assert {name: places for name, places in where.items() if len(places) > 1} == {}


def test_every_cancellation_derives_from_the_cancellation_base() -> None:
    base = getattr(errors, "CancelledError", None)
    assert isinstance(base, type) and issubclass(base, errors.ZiyaError)
    cancellations = [cls for cls in _exception_classes() if "Cancel" in cls.__name__ and cls is not base]
    assert len(cancellations) >= 4  # load, download, import, conversion
    assert [_qualified(cls) for cls in cancellations if not issubclass(cls, base)] == []


def test_classes_with_a_hint_live_where_their_translations_are_checked() -> None:
    stray = [
        _qualified(cls)
        for cls in _exception_classes()
        if getattr(cls, "hint", "") and cls.__module__ not in HINT_MODULES
    ]
    assert stray == []


def test_no_module_catches_the_two_roots_side_by_side() -> None:
    both = re.compile(r"ZiyaError\s*[,|]\s*ConversionError|ConversionError\s*[,|]\s*ZiyaError")
    spelled = [
        str(path.relative_to(ROOT))
        for package in PACKAGES
        for path in sorted((ROOT / package).rglob("*.py"))
        if both.search(path.read_text(encoding="utf-8"))
    ]
    assert spelled == []


def test_converter_errors_are_ziya_errors_with_their_hints() -> None:
    err = conversion_errors.CheckpointError("config.json: not a LLaMA config")
    assert isinstance(err, errors.ZiyaError) and str(err) == "config.json: not a LLaMA config"
    assert err.hint == conversion_errors.CheckpointError.hint
    assert conversion_errors.ConversionError("x", hint="do this").hint == "do this"
    assert issubclass(conversion_errors.ConversionCancelled, conversion_errors.ConversionError)


def test_moved_error_classes_are_the_same_objects_at_their_old_names() -> None:
    from ziya_desktop.writing import actions, templates

    assert conversion_errors.InsufficientDiskSpaceError is errors.InsufficientDiskSpaceError
    assert actions.ActionError is errors.ActionError
    assert templates.TemplateError is errors.TemplateError
    assert templates.TemplateValueError is errors.TemplateValueError
    assert templates.MissingFieldError is errors.MissingFieldError


def test_the_converters_disk_check_raises_the_one_disk_space_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from converters import atomic

    monkeypatch.setattr(shutil, "disk_usage", lambda _folder: SimpleNamespace(total=10_000, used=9_000, free=1_000))
    with pytest.raises(errors.InsufficientDiskSpaceError, match=r"only 1\.0 KB is free") as info:
        atomic.check_free_space(tmp_path, 5_000_000, "the conversion")
    assert (info.value.needed, info.value.free) == (5_000_000, 1_000)
