"""The readers that take a file from outside, as fuzz targets: seeds, companions, mutations, and the call itself.

A :class:`Target` names the file its reader opens, the files beside it (``companions``: unmutated files our own
code made, linked into the folder the reader sees), its seeds (valid files our own code makes: the tiny checkpoint
in ``tests/data``, a GGUF our converter writes, ``encode_entry``, ``join_front_matter``, the shipped TOML),
structure-aware mutators and a token dictionary, the modules whose lines are traced for coverage, and ``run``:
the call made in the worker process. ``run`` returns ``(outcome, detail)`` with outcome ``accepted`` or
``rejected``, or raises; an exception of one of ``clean()``'s classes is a clean refusal, anything else a bug. A
reader with stages (the GGUF check, then llama.cpp's load of what it accepted) calls ``stage(name)`` as it enters
each, so a crash or hang is charged to the stage it happened in.
"""

from __future__ import annotations

import importlib
import json
import os
import random
import signal
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks import fuzz_mutate as fm
from benchmarks import fuzz_targets_eval as fte

ROOT = Path(__file__).resolve().parent.parent
TINY_DIR = ROOT / "tests" / "data" / "tiny_ziya"
TINY_ST_DIR = ROOT / "tests" / "data" / "tiny_ziya_safetensors"
TINY_VOCAB = 1016
ACCEPTED, REJECTED = "accepted", "rejected"

Seed = tuple[str, bytes]  # (file name, bytes)
Stage = Callable[[str], None]
Result = tuple[str, str]


@dataclass
class Kit:
    """Where the seeds and companions come from; ``gguf`` is the tiny GGUF our converter wrote (None: not made)."""

    checkpoint: Path = TINY_DIR
    safetensors: Path = TINY_ST_DIR
    gguf: Path | None = None


@dataclass(frozen=True)
class Target:
    name: str
    stages: tuple[str, ...]
    run: Callable[[Path, str, Stage], Result]
    clean: Callable[[], tuple[type[BaseException], ...]]
    seeds: Callable[[Kit], list[Seed]]
    companions: Callable[[Kit], dict[str, Path]] = lambda _kit: {}
    trace: tuple[str, ...] = ()
    mutators: tuple[fm.Mutator, ...] = ()
    regions: Callable[[bytes], fm.Regions] = lambda data: [(0, len(data))]
    dictionary: tuple[bytes, ...] = ()
    timeout_s: float = 10.0
    uses_gguf: bool = field(default=False)


def _errors(module: str, *names: str) -> Callable[[], tuple[type[BaseException], ...]]:
    """The reader's own error classes, imported in the worker when first needed."""

    def load() -> tuple[type[BaseException], ...]:
        found = importlib.import_module(module)
        return tuple(getattr(found, n) for n in names)

    return load


def prepare(target: Target, kit: Kit, folder: Path, name: str, data: bytes) -> Path:
    """Put one input into ``folder`` as ``name``, with the target's companions linked beside it; returns its path."""
    folder.mkdir(parents=True, exist_ok=True)
    companions = target.companions(kit)
    for old in folder.iterdir():  # what an earlier input left, and the companion this input replaces
        stale = old.name == name or old.name not in companions or not old.is_symlink()
        if (old.is_symlink() or old.is_file()) and stale:
            old.unlink()
    for other, source in companions.items():
        link = folder / other
        if other != name and not link.is_symlink():
            link.symlink_to(source)
    path = folder / name
    if path.is_symlink():
        path.unlink()
    path.write_bytes(data)
    return path


# -- GGUF: our check, then llama.cpp's load through the app's loader -----------------------------------------------


def _run_gguf(folder: Path, name: str, stage: Stage) -> Result:
    from ziya_desktop.engine import engine as engine_module
    from ziya_desktop.engine import trial_load
    from ziya_desktop.engine.model_gate import gate_model

    path = folder / name
    gate_model(path)
    stage("llama.cpp load")

    def in_process_trial(model: Path, *, cancel: object = None) -> None:
        # The app trials a new file in a child process; this worker is already that disposable child, so the
        # trial runs here, then the engine's own load (reading the weights) follows as in the app.
        verdict, detail = trial_load._trial_one(Path(model), trial_load._RecentErrors())
        trial_load.raise_for(trial_load.TrialOutcome(Path(model), verdict, detail))

    engine_module.ensure_loadable = in_process_trial  # type: ignore[attr-defined,assignment]
    engine = engine_module.Engine()
    report = engine.load(path, engine_module.LoadOptions(threads=1, n_ctx=256, n_batch=64, gpu_layers=0))
    engine.close()
    return ACCEPTED, f"loaded ({report.info.file_type})"


def _gguf_seeds(kit: Kit) -> list[Seed]:
    assert kit.gguf is not None, "the GGUF target needs the tiny GGUF (Kit.gguf)"
    return [("model.gguf", kit.gguf.read_bytes())]


# -- the checkpoint readers ----------------------------------------------------------------------------------------


def _run_pickle(folder: Path, name: str, _stage: Stage) -> Result:
    from converters.torch_pickle import TorchZipCheckpoint

    archive = TorchZipCheckpoint(folder / name)
    try:
        values = sum(int(t.numpy().size) for t in archive.tensors.values())
    finally:
        archive.close()
    return ACCEPTED, f"{len(archive.tensors)} tensors, {values} values"


def _run_safetensors(folder: Path, name: str, _stage: Stage) -> Result:
    from converters.safetensors_reader import read_safetensors

    tensors = read_safetensors(folder / name)
    values = sum(int(t.numpy().size) for t in tensors.values())
    return ACCEPTED, f"{len(tensors)} tensors, {values} values"


def _run_checkpoint(folder: Path, _name: str, _stage: Stage) -> Result:
    from converters.checkpoint import Checkpoint

    checkpoint = Checkpoint(folder)
    return ACCEPTED, f"{checkpoint.weight_format}, {len(checkpoint.tensor_names())} tensors"


def _run_tokenizer(folder: Path, _name: str, _stage: Stage) -> Result:
    from converters.tokenizer import CheckpointTokenizer

    tokenizer = CheckpointTokenizer(folder, TINY_VOCAB)
    vocab = tokenizer.gguf_vocab()
    ids = tokenizer.encode("<human>:写一封感谢信\n<bot>: Dear colleagues 😀")
    return ACCEPTED, f"{len(vocab.tokens)} tokens, sample is {len(ids)} ids"


def _file(path: Path) -> Callable[[Kit], list[Seed]]:
    return lambda kit: [(path.name, path.read_bytes())]


def _checkpoint_files(kit: Kit) -> dict[str, Path]:
    return {p.name: p for p in sorted(kit.checkpoint.iterdir()) if p.is_file()}


def _tokenizer_json_seeds(kit: Kit) -> list[Seed]:
    added = json.loads((kit.checkpoint / "added_tokens.json").read_text(encoding="utf-8"))
    config = json.loads((kit.checkpoint / "tokenizer_config.json").read_text(encoding="utf-8"))
    decoder = {str(i): {"content": c, "special": True} for c, i in added.items()}
    tokenizer_json = {"version": "1.0", "added_tokens": [{"id": i, "content": c} for c, i in added.items()]}
    return [
        ("added_tokens.json", (kit.checkpoint / "added_tokens.json").read_bytes()),
        ("tokenizer_config.json", (kit.checkpoint / "tokenizer_config.json").read_bytes()),
        ("tokenizer_config.json", json.dumps({**config, "added_tokens_decoder": decoder}, indent=2).encode()),
        ("tokenizer.json", json.dumps(tokenizer_json, indent=2).encode()),
    ]


# -- the app's own files --------------------------------------------------------------------------------------------


def _run_templates(folder: Path, _name: str, _stage: Stage) -> Result:
    from ziya_desktop.writing.template_files import load_templates

    library = load_templates(folder / "builtin-none", folder)
    if library.errors:
        return REJECTED, str(library.errors[0])[:300]
    return ACCEPTED, f"{len(library.templates)} templates"


def _template_seeds(_kit: Kit) -> list[Seed]:
    from ziya_desktop.writing.template_files import load_templates, template_to_toml

    builtin = ROOT / "resources" / "templates"
    seeds = [(p.name, p.read_bytes()) for p in sorted(builtin.glob("*.toml"))]
    library = load_templates(builtin)
    for template_id in sorted(library.templates)[:3]:  # the editor's writer: what a saved user template looks like
        seeds.append(("user.toml", template_to_toml(library.templates[template_id]).encode()))
    return seeds


def _run_catalog(folder: Path, name: str, _stage: Stage) -> Result:
    from ziya_desktop.models.catalog import load_catalog

    return ACCEPTED, f"{len(load_catalog(folder / name))} models"


def _run_journal(folder: Path, name: str, _stage: Stage) -> Result:
    from ziya_desktop.documents.journal import read_journal

    entry = read_journal(folder / name)
    return ACCEPTED, f"{len(entry.text)} characters"


def _journal_seeds(_kit: Kit) -> list[Seed]:
    from ziya_desktop.documents.journal import GenerationInfo, JournalEntry, SavedFileState, encode_entry

    name = "0123456789abcdef0123456789abcdef.journal.json"
    plain = JournalEntry("0123456789abcdef0123456789abcdef", "Untitled 1", None, None, "通知\n🎉", 3, 1.7e9, 42)
    full = JournalEntry(
        "fedcba9876543210fedcba9876543210",
        "报告.md",
        Path("/home/writer/报告.md"),
        SavedFileState(10, 1_700_000_000_000_000_000, "ab" * 32),
        "关于召开年度工作会议的通知\n\n各部门：\n" * 20,
        120,
        1.7e9,
        4242,
        GenerationInfo("/m/ziya.gguf", {"temperature": 0.85, "top_p": 0.85, "seed": -1, "max_tokens": 512}),
    )
    return [(name, encode_entry(plain)), (name, encode_entry(full))]


def _run_library(folder: Path, _name: str, _stage: Stage) -> Result:
    from ziya_desktop.models.library import ModelLibrary

    library = ModelLibrary(folder)
    linked = library.linked_paths()
    listed = library.scan()  # what the model library window shows; it must list a damaged index, not fail
    return ACCEPTED, f"{len(linked)} linked, {len(listed)} listed"


def _library_seeds(kit: Kit) -> list[Seed]:
    import tempfile

    from ziya_desktop.models.library import INDEX_NAME, ModelLibrary

    assert kit.gguf is not None, "the library target needs the tiny GGUF (Kit.gguf)"
    with tempfile.TemporaryDirectory(prefix="ziya-fuzz-library-") as tmp:
        library = ModelLibrary(Path(tmp))
        library.import_gguf(kit.gguf, mode="link")
        return [(INDEX_NAME, (Path(tmp) / INDEX_NAME).read_bytes())]


def _run_front_matter(folder: Path, name: str, _stage: Stage) -> Result:
    from ziya_desktop.documents.front_matter import DocumentHead, join_front_matter, split_front_matter

    text = (folder / name).read_bytes().decode("utf-8", errors="replace")
    head, body = split_front_matter(text)
    if head is None:
        if body != text:
            raise AssertionError("no front matter taken, but the text changed")
        return REJECTED, "left as text"
    if not text.endswith(body):
        raise AssertionError("the body is not the end of the text")
    # Saving writes what it read back (a head of nothing but defaults is no front matter at all).
    again, again_body = split_front_matter(join_front_matter(head, body))
    if (again or DocumentHead(), again_body) != (head, body):
        raise AssertionError(f"saving and reopening changes the front matter: {head!r:.200} -> {again!r:.200}")
    return ACCEPTED, f"layout {head.layout}"


def _front_matter_seeds(_kit: Kit) -> list[Seed]:
    from ziya_desktop.documents.front_matter import DocumentHead, join_front_matter
    from ziya_desktop.writing.gongwen_parts import GongwenParts

    parts = GongwenParts.for_kind(
        "通知",
        issuers=("某某市教育局", "某某市财政局"),
        doc_number="某教发〔2026〕12号",
        title="关于召开年度工作会议的通知",
        attachments=("会议议程", "回执: 请于3日前报送"),
        sealed=True,
        notes="#1 联系人: 张三",
    )
    body = "各区县教育局：\n\n现将有关事项通知如下。\n"
    return [
        ("document.md", join_front_matter(DocumentHead("gongwen", "gongwen.notice", parts), body).encode()),
        ("document.md", join_front_matter(DocumentHead("plain", "letter.thanks"), "Dear colleagues,\n").encode()),
    ]


def _no_errors() -> tuple[type[BaseException], ...]:
    return ()


# -- a planted reader: proves the harness sees crashes, hangs and exceptions ----------------------------------------


def _run_planted(folder: Path, name: str, stage: Stage) -> Result:
    """By the input's first byte: C crashes (SIGSEGV), H hangs, E raises a bug, R refuses, L crashes in stage 2."""
    data = (folder / name).read_bytes()
    first = data[:1]
    if first == b"C":
        os.kill(os.getpid(), signal.SIGSEGV)
    if first == b"H":
        time.sleep(3600)
    if first == b"E":
        raise KeyError("planted bug")
    if first == b"R":
        raise ValueError("planted refusal")
    stage("second")
    if first == b"L":
        os.abort()
    return ACCEPTED, "planted accept"


_CHECKPOINT = ("converters.checkpoint", "converters.safe_files")
_CHECKPOINT_ERRORS = _errors("converters.errors", "CheckpointError")
TARGETS: dict[str, Target] = {
    t.name: t
    for t in (
        Target(
            "GGUF",
            ("GGUF check", "llama.cpp load"),
            _run_gguf,
            _errors("ziya_desktop.errors", "InvalidModelError", "UnsupportedModelError", "ModelLoadError"),
            _gguf_seeds,
            trace=(
                "ziya_desktop.engine.gguf_check",
                "ziya_desktop.engine.model_gate",
                "ziya_desktop.engine.vocab_check",
                "ziya_desktop.engine.model_info",
            ),
            mutators=(fm.mutate_gguf_field, fm.mutate_gguf_string),
            regions=fm.gguf_regions,
            dictionary=fm.GGUF_TOKENS,
            timeout_s=30.0,
            uses_gguf=True,
        ),
        Target(
            "torch pickle (.bin)",
            ("torch pickle (.bin)",),
            _run_pickle,
            _CHECKPOINT_ERRORS,
            lambda kit: [(p.name, p.read_bytes()) for p in sorted(kit.checkpoint.glob("*.bin"))],
            trace=("converters.torch_pickle", "converters.pickle_scan", "zipfile"),
            mutators=(lambda d, r: fm.mutate_zip_pickle(d, r, fm.PICKLE_TOKENS),),
            regions=fm.zip_regions,
            dictionary=fm.PICKLE_TOKENS,
        ),
        Target(
            "safetensors",
            ("safetensors",),
            _run_safetensors,
            _CHECKPOINT_ERRORS,
            lambda kit: [("model.safetensors", (kit.safetensors / "model.safetensors").read_bytes())],
            trace=("converters.safetensors_reader",),
            mutators=(fm.mutate_safetensors_header,),
            regions=fm.safetensors_regions,
        ),
        Target(
            "config.json",
            ("config.json",),
            _run_checkpoint,
            _CHECKPOINT_ERRORS,
            lambda kit: [("config.json", (kit.checkpoint / "config.json").read_bytes())],
            companions=lambda kit: {"model.safetensors": kit.safetensors / "model.safetensors"},
            trace=_CHECKPOINT,
            mutators=(fm.mutate_json, fm.mutate_json),
        ),
        Target(
            "weights index JSON",
            ("weights index JSON",),
            _run_checkpoint,
            _CHECKPOINT_ERRORS,
            lambda kit: [
                ("pytorch_model.bin.index.json", (kit.checkpoint / "pytorch_model.bin.index.json").read_bytes())
            ],
            companions=_checkpoint_files,
            trace=_CHECKPOINT,
            mutators=(fm.mutate_json, fm.mutate_json),
        ),
        Target(
            "tokenizer.model",
            ("tokenizer.model",),
            _run_tokenizer,
            _errors("converters.errors", "TokenizerMismatchError"),
            lambda kit: [("tokenizer.model", (kit.checkpoint / "tokenizer.model").read_bytes())],
            companions=lambda kit: {n: kit.checkpoint / n for n in ("tokenizer.model", "added_tokens.json")},
            trace=("converters.tokenizer",),
        ),
        Target(
            "tokenizer JSON",
            ("tokenizer JSON",),
            _run_tokenizer,
            _errors("converters.errors", "TokenizerMismatchError"),
            _tokenizer_json_seeds,
            companions=lambda kit: {n: kit.checkpoint / n for n in ("tokenizer.model", "added_tokens.json")},
            trace=("converters.tokenizer", "converters.safe_files"),
            mutators=(fm.mutate_json, fm.mutate_json),
        ),
        Target(
            "template TOML",
            ("template TOML",),
            _run_templates,
            _no_errors,
            _template_seeds,
            trace=("ziya_desktop.writing.template_files", "ziya_desktop.writing.templates"),
            mutators=(fm.mutate_toml, fm.mutate_toml),
            dictionary=fm.TOML_TOKENS,
        ),
        Target(
            "model catalog",
            ("model catalog",),
            _run_catalog,
            _errors("ziya_desktop.errors", "CatalogError"),
            _file(ROOT / "resources" / "catalog.toml"),
            trace=("ziya_desktop.models.catalog", "ziya_desktop.models.safe_names"),
            mutators=(fm.mutate_toml, fm.mutate_toml),
            dictionary=fm.TOML_TOKENS,
        ),
        Target(
            "journal",
            ("journal",),
            _run_journal,
            _errors("ziya_desktop.documents.journal", "JournalFormatError"),
            _journal_seeds,
            trace=("ziya_desktop.documents.journal",),
            mutators=(fm.mutate_json, fm.mutate_json),
        ),
        Target(
            "model library index",
            ("model library index",),
            _run_library,
            _errors("ziya_desktop.errors", "ModelImportError"),
            _library_seeds,
            trace=("ziya_desktop.models.library", "ziya_desktop.models.safe_names"),
            mutators=(fm.mutate_json, fm.mutate_json),
            uses_gguf=True,
        ),
        Target(
            "document front matter",
            ("document front matter",),
            _run_front_matter,
            _no_errors,
            _front_matter_seeds,
            trace=("ziya_desktop.documents.front_matter", "ziya_desktop.writing.gongwen_parts"),
            dictionary=fm.FRONT_TOKENS,
        ),
    )
}
TARGETS.update({t.name: t for t in fte.targets(Target, _errors)})
PLANTED = Target(
    "planted",
    ("first", "second"),
    _run_planted,
    _errors("builtins", "ValueError"),
    lambda _kit: [("input", b"ok")],
    timeout_s=2.0,
)


def target(name: str) -> Target:
    """A target by name (``planted`` is the harness's own self-check)."""
    return PLANTED if name == PLANTED.name else TARGETS[name]


def mutate(t: Target, data: bytes, regions: fm.Regions, others: list[bytes], rng: random.Random) -> bytes:
    """One mutant of ``data``: a structural rewrite, a splice with another corpus entry, or havoc."""
    roll = rng.random()
    if t.mutators and roll < 0.4:
        out = rng.choice(t.mutators)(data, rng)
        if out is not None:
            return out if rng.random() < 0.7 else fm.havoc(out, rng, regions, t.dictionary)
    if others and roll < 0.5:
        return fm.splice(data, rng.choice(others), rng)
    return fm.havoc(data, rng, regions, t.dictionary)
