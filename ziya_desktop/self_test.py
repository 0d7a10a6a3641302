"""``ziya-desktop --self-test``: does this installation work, end to end, without opening a window?

Loads a tiny GGUF model (shipped in the packaged app for this purpose; from a checkout it is converted from
``tests/data/tiny_ziya``), generates a few tokens, drafts a 通知 from the built-in 公文 template the way the window
does (the template's fixed parts, the model's body, the closing formula), exports it to PDF and DOCX in a temporary
folder and checks both files. Every check prints one line (``ok``, or ``FAIL`` and why); the first failure stops the
run. Exit status 0 when all passed, 1 otherwise.

It is the smoke test CI runs on the built bundle, and what a writer asked to "send us the output" can run. Qt runs
offscreen; the data folder is a temporary one (``ZIYA_HOME``), so the writer's models, settings and logs are not
touched. The model can be named with ``--self-test-model`` or the ``ZIYA_SELF_TEST_MODEL`` environment variable.
"""

from __future__ import annotations

import contextlib
import os
import platform
import re
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from ziya_desktop import __version__, paths, qt_preflight
from ziya_desktop.errors import ZiyaError

if TYPE_CHECKING:
    from ziya_desktop.documents.export import ExportDocument
    from ziya_desktop.engine.engine import Engine

__all__ = ["BUNDLED_MODEL", "ENV_MODEL", "NOTICE_TITLE", "CheckFailed", "run_self_test"]

ENV_MODEL = "ZIYA_SELF_TEST_MODEL"
# In the packaged app: beside the bundled Python modules (sys._MEIPASS), put there by packaging/ziya-desktop.spec.
BUNDLED_MODEL = Path("self_test") / "tiny-ziya-q4_k_m.gguf"
# In a checkout: the tiny checkpoint the tests use, converted on the fly.
CHECKOUT_CHECKPOINT = Path("tests") / "data" / "tiny_ziya"
NOTICE_TEMPLATE = "gongwen.notice"
NOTICE_VALUES: dict[str, object] = {
    "issuer": "某某市教育局",
    "doc_number": "某教发〔2026〕12号",
    "subject": "召开年度工作会议",
    "recipients": "各区教育局，各直属学校",
    "points": "总结全年工作\n部署明年任务",
    "time_place": "2026年12月20日上午9时，市教育局三楼会议室",
    "contact": "王五，010-12345678",
    "date": "2026-12-06",
    "length": 300,
}
NOTICE_TITLE = "某某市教育局关于召开年度工作会议的通知"
GENERATE_TOKENS = 8
DRAFT_TOKENS = 48


class CheckFailed(ZiyaError):
    """A check's verdict: what was wrong."""


@dataclass
class _State:
    work: Path
    model_arg: Path | None
    model: Path | None = None
    engine: Engine | None = None
    document: ExportDocument | None = None
    app: object = None  # the QGuiApplication: kept alive for the exports
    notes: list[str] = field(default_factory=list)


def run_self_test(model: Path | None = None, out: TextIO | None = None) -> int:
    """Run every check, printing one line each to ``out`` (stdout); 0 when all passed, 1 at the first failure."""
    out = out if out is not None else sys.stdout
    print(f"Ziya Desktop {__version__} self-test", file=out, flush=True)
    with tempfile.TemporaryDirectory(prefix="ziya-self-test-") as tmp, _isolated_environment(Path(tmp)):
        state = _State(work=Path(tmp), model_arg=model)
        try:
            for name, check in CHECKS:
                started = time.monotonic()
                try:
                    detail = check(state)
                except Exception as exc:  # noqa: BLE001 - whatever went wrong, the check failed: say which and why
                    hint = f" ({exc.hint})" if isinstance(exc, ZiyaError) and exc.hint else ""
                    print(f"FAIL {name}: {type(exc).__name__}: {exc}{hint}", file=out, flush=True)
                    print(f"self-test FAILED at check '{name}'", file=out, flush=True)
                    return 1
                print(f"ok   {name}: {detail} ({time.monotonic() - started:.1f} s)", file=out, flush=True)
            for note in state.notes:
                print(f"note {note}", file=out, flush=True)
        finally:
            if state.engine is not None:
                state.engine.close()
    print(f"self-test passed: {len(CHECKS)} checks", file=out, flush=True)
    return 0


@contextlib.contextmanager
def _isolated_environment(work: Path) -> Iterator[None]:
    """A temporary data folder, no network, Qt offscreen; the environment is restored afterwards."""
    changes = {paths.ENV_HOME: str(work / "home"), paths.ENV_OFFLINE: "1", "QT_QPA_PLATFORM": "offscreen"}
    if not any(os.environ.get(k) for k in ("LC_ALL", "LC_CTYPE", "LANG")):
        changes["LC_CTYPE"] = "C.UTF-8"  # an empty environment: Qt wants UTF-8 and would say so on stderr
    saved = {k: os.environ.get(k) for k in changes}
    os.environ.update(changes)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


# -- the checks, in order: each returns its detail line or raises -----------------------------------------------


def _check_app(state: _State) -> str:
    bundle = getattr(sys, "_MEIPASS", None)
    where = f"packaged app in {bundle}" if bundle else f"Python modules in {Path(__file__).resolve().parent}"
    return f"{where}; Python {platform.python_version()} on {platform.platform()}"


def _check_resources(state: _State) -> str:
    root = paths.resources_dir()
    needed = [root / "catalog.toml", paths.translations_dir() / "ziya_zh_CN.qm", root / "icons" / "ziya-desktop.svg"]
    missing = [str(p) for p in needed if not p.is_file()]
    templates = sorted(paths.builtin_templates_dir().glob("*.toml"))
    if missing or not templates:
        raise CheckFailed(f"missing in {root}: {', '.join(missing) or 'templates/*.toml'}")
    return f"{root}: catalog, {len(templates)} template files, translations, icon"


def _check_qt(state: _State) -> str:
    from PySide6.QtCore import QLibraryInfo, QTranslator, qVersion
    from PySide6.QtGui import QGuiApplication

    app = QGuiApplication.instance() or QGuiApplication([sys.argv[0] or "ziya-desktop"])
    state.app = app
    platform_name = app.platformName() if isinstance(app, QGuiApplication) else "none"
    qt_dir = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    if not QTranslator().load("qtbase_zh_CN", qt_dir):
        raise CheckFailed(f"Qt's own translation qtbase_zh_CN.qm is not in {qt_dir}")
    if not QTranslator().load("ziya_zh_CN", str(paths.translations_dir())):
        raise CheckFailed(f"ziya_zh_CN.qm does not load from {paths.translations_dir()}")
    xcb = qt_preflight.missing_libraries()
    if xcb:
        names = ", ".join(lib.soname for lib in xcb)
        state.notes.append(f"display: the window would not open with the xcb platform; missing: {names}")
    return f"Qt {qVersion()} ({platform_name}); translations qtbase_zh_CN and ziya_zh_CN load"


def _check_llama(state: _State) -> str:
    from ziya_desktop.engine.hardware import probe

    hardware = probe()
    info = " ".join(hardware.system_info.split())
    return f"backend {hardware.backend}, {hardware.physical_cores} cores; {info}"


def _check_model(state: _State) -> str:
    from ziya_desktop.engine.engine import Engine, LoadOptions

    state.model = _find_model(state)
    state.engine = Engine()
    report = state.engine.load(state.model, LoadOptions(n_ctx=512, threads=min(2, os.cpu_count() or 1)))
    size = state.model.stat().st_size
    return f"{state.model} ({size / 1e6:.1f} MB): {report.plan.label}, {report.threads} threads"


def _check_generate(state: _State) -> str:
    from ziya_desktop.engine.prompt import ziya_prompt

    engine = _engine(state)
    text = _generate(engine, ziya_prompt("写一句话。"), GENERATE_TOKENS)
    stats = engine.last_stats
    if stats is None or stats.generated_tokens != GENERATE_TOKENS:
        got = stats.generated_tokens if stats is not None else 0
        raise CheckFailed(f"asked for {GENERATE_TOKENS} tokens, got {got}")
    return f"{stats.generated_tokens} tokens at {stats.tokens_per_s:.0f} tokens/s ({len(text)} characters)"


def _check_draft(state: _State) -> str:
    from ziya_desktop.documents.export import ExportDocument
    from ziya_desktop.writing.clean_text import clean_model_text
    from ziya_desktop.writing.template_files import load_templates

    library = load_templates(paths.builtin_templates_dir())
    template = library.get(NOTICE_TEMPLATE)
    if template is None:
        problems = "; ".join(str(e) for e in library.errors) or "not among the built-in templates"
        raise CheckFailed(f"template {NOTICE_TEMPLATE}: {problems}")
    rendered = template.render(NOTICE_VALUES, "zh")
    parts = rendered.gongwen_parts()
    if parts is None or parts.title != NOTICE_TITLE:
        raise CheckFailed(f"the template's title is {parts.title if parts else None!r}, not {NOTICE_TITLE!r}")
    body, _ = clean_model_text(_generate(_engine(state), template.prompt(NOTICE_VALUES, "zh"), DRAFT_TOKENS))
    # As the window lays out a draft: the fixed header, the model's body, the fixed footer.
    text = "\n\n".join(p for p in (rendered.header.strip(), body.strip(), rendered.footer.strip()) if p)
    state.document = ExportDocument(text=text, language="zh", layout="gongwen", parts=parts)
    return f"{template.names.zh} “{parts.title}”: {DRAFT_TOKENS} tokens of body, {len(text)} characters"


def _check_pdf(state: _State) -> str:
    path = _export(state, "self-test.pdf")
    data = path.read_bytes()
    if not data.startswith(b"%PDF-"):
        raise CheckFailed(f"{path} does not start with %PDF-: {data[:8]!r}")
    if b"%%EOF" not in data[-1024:]:
        raise CheckFailed(f"{path} has no %%EOF at its end")
    title = pdf_info_title(data)
    if title != NOTICE_TITLE:
        raise CheckFailed(f"{path}: the title in its properties is {title!r}, not {NOTICE_TITLE!r}")
    pages = len(re.findall(rb"/Type\s*/Page\b", data))
    return f"{path} ({len(data)} bytes, {pages} page(s)): %PDF, title “{title}”"


def _check_docx(state: _State) -> str:
    path = _export(state, "self-test.docx")
    try:
        with zipfile.ZipFile(path) as docx:
            xml = docx.read("word/document.xml").decode("utf-8")
    except (zipfile.BadZipFile, KeyError) as exc:
        raise CheckFailed(f"{path} is not a DOCX with word/document.xml: {exc}") from exc
    text = "".join(re.findall(r"<w:t(?:\s[^>]*)?>([^<]*)</w:t>", xml))
    if NOTICE_TITLE not in text:
        raise CheckFailed(f"{path}: word/document.xml does not hold the title {NOTICE_TITLE!r}")
    return f"{path} ({path.stat().st_size} bytes): a zip with word/document.xml holding the title"


CHECKS: tuple[tuple[str, Callable[[_State], str]], ...] = (
    ("app", _check_app),
    ("resources", _check_resources),
    ("qt", _check_qt),
    ("llama.cpp", _check_llama),
    ("model", _check_model),
    ("generate", _check_generate),
    ("draft", _check_draft),
    ("pdf", _check_pdf),
    ("docx", _check_docx),
)


# -- helpers -------------------------------------------------------------------------------------------------------


def _engine(state: _State) -> Engine:
    if state.engine is None or not state.engine.loaded:
        raise CheckFailed("no model loaded")
    return state.engine


def _generate(engine: Engine, prompt: str, tokens: int) -> str:
    from ziya_desktop.engine.sampling import MODEL_CARD

    # The tiny model's weights are random: ignore_eos keeps it writing to exactly ``tokens``.
    sampling = MODEL_CARD.with_(max_tokens=tokens, seed=7, ignore_eos=True)
    return "".join(engine.stream(prompt, sampling))


def _export(state: _State, name: str) -> Path:
    from ziya_desktop.documents.export import export_document

    if state.document is None:
        raise CheckFailed("nothing was drafted")
    path = state.work / name
    export_document(state.document, path)
    return path


def _find_model(state: _State) -> Path:
    """The named model, else the bundled one, else (in a checkout) the tiny checkpoint converted now."""
    named = state.model_arg or (Path(os.environ[ENV_MODEL]) if os.environ.get(ENV_MODEL) else None)
    if named is not None:
        if not named.is_file():
            raise CheckFailed(f"no model file at {named}")
        return named
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle is not None and (Path(bundle) / BUNDLED_MODEL).is_file():
        return Path(bundle) / BUNDLED_MODEL
    checkpoint = Path(__file__).resolve().parent.parent / CHECKOUT_CHECKPOINT
    if not checkpoint.is_dir():
        raise CheckFailed(f"no self-test model: not in the app ({BUNDLED_MODEL}), no {CHECKOUT_CHECKPOINT} either")
    from converters.hf_to_gguf import convert

    return convert(checkpoint, state.work / "tiny-ziya-q4_k_m.gguf", "q4_k_m", threads=1).outfile


def pdf_info_title(data: bytes) -> str | None:
    """The ``/Title`` of a PDF's document information, decoded (UTF-16 with a byte order mark, else Latin-1)."""
    start = data.rfind(b"/Title")
    if start < 0:
        return None
    i = start + len(b"/Title")
    while i < len(data) and data[i : i + 1].isspace():
        i += 1
    if data[i : i + 1] == b"<":
        end = data.find(b">", i)
        raw = bytes.fromhex(data[i + 1 : end].decode("ascii", errors="replace"))
    elif data[i : i + 1] == b"(":
        raw = _pdf_literal(data, i + 1)
    else:
        return None
    return raw[2:].decode("utf-16-be", errors="replace") if raw.startswith(b"\xfe\xff") else raw.decode("latin-1")


_ESCAPES = {ord("n"): b"\n", ord("r"): b"\r", ord("t"): b"\t", ord("b"): b"\b", ord("f"): b"\f"}


def _pdf_literal(data: bytes, i: int) -> bytes:
    """The bytes of the literal string whose body starts at ``i`` (just after its opening parenthesis)."""
    out, depth = bytearray(), 1
    while i < len(data):
        c = data[i]
        if c == 0x5C:  # backslash
            nxt = data[i + 1]
            digits = re.match(rb"[0-7]{1,3}", data[i + 1 : i + 4])
            if digits:
                out.append(int(digits.group(), 8) & 0xFF)
                i += 1 + len(digits.group())
                continue
            out += _ESCAPES.get(nxt, bytes([nxt]))
            i += 2
            continue
        if c == 0x28:
            depth += 1
        elif c == 0x29:
            depth -= 1
            if depth == 0:
                break
        out.append(c)
        i += 1
    return bytes(out)
