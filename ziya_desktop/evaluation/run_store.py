"""An evaluation run on disk: a folder holding what was asked, who answered, and the answers as they come.

- ``run.json``: ``{"format": 1, "name", "created", "prompt_set": {"name", "prompts": [...]}, "contenders": [...]}``,
  written once, atomically.
- ``answers.jsonl``: one answer a line, appended and fsynced as each is made, so a run stopped at any moment (a
  cancel, a crash, a power cut) loses at most the answer being written. A torn last line is ignored (and cut off
  before the next append); a later line for the same contender and prompt replaces an earlier one.
- ``judgements.jsonl``: the judges' verdicts, written by :mod:`ziya_desktop.evaluation.judgements`.
"""

from __future__ import annotations

import datetime as _dt
import json
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

from ziya_desktop.atomic_write import atomic_write_bytes
from ziya_desktop.errors import EvalFormatError, EvaluationError, ZiyaError
from ziya_desktop.evaluation.contenders import (
    Contender,
    check_contenders,
    contender_as_dict,
    contender_from_dict,
)
from ziya_desktop.evaluation.jsonl_file import append_line
from ziya_desktop.evaluation.prompt_sets import EvalPrompt, PromptSet, parse_prompt, prompt_as_dict
from ziya_desktop.regular_file import read_regular_file
from ziya_desktop.translatable import QT_TRANSLATE_NOOP

__all__ = ["ANSWERS_FILE", "JUDGEMENTS_FILE", "RUN_FILE", "Answer", "EvalRun"]

log = logging.getLogger(__name__)

FORMAT = 1
RUN_FILE = "run.json"
ANSWERS_FILE = "answers.jsonl"
JUDGEMENTS_FILE = "judgements.jsonl"
MAX_RUN_BYTES = 64 << 20
# Thousands of answers of a few KB each fit many times over; a file past this was not written by a run.
MAX_ANSWERS_BYTES = 1 << 30
_EMPTY: Mapping[str, object] = MappingProxyType({})


@dataclass(frozen=True)
class Answer:
    """One contender's answer to one prompt; ``error`` says why there is no text (the text is then empty)."""

    contender: str
    prompt_id: str
    text: str
    stats: Mapping[str, object] = field(default_factory=lambda: _EMPTY)
    error: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "stats", MappingProxyType(dict(self.stats)))

    def __hash__(self) -> int:  # stats is a mapping proxy; the key and the text identify an answer
        return hash((self.contender, self.prompt_id, self.text, self.error))

    def as_dict(self) -> dict[str, object]:
        return {
            "contender": self.contender,
            "prompt_id": self.prompt_id,
            "text": self.text,
            "stats": dict(self.stats),
            "error": self.error,
        }


def _answer_from(raw: object) -> Answer:
    if not isinstance(raw, dict):
        raise ValueError("not an object")
    contender, prompt_id, text = raw.get("contender"), raw.get("prompt_id"), raw.get("text")
    stats, error = raw.get("stats", {}), raw.get("error")
    if not (isinstance(contender, str) and isinstance(prompt_id, str) and isinstance(text, str)):
        raise ValueError("contender, prompt_id and text must be text")
    if not isinstance(stats, dict) or not (error is None or isinstance(error, str)):
        raise ValueError("stats must be an object and error text or null")
    return Answer(contender, prompt_id, text, stats, error)


class EvalRun:
    """A run folder, opened or just created. Answers are read from disk on each call (another process, such as
    an overnight ``eval run``, may be appending to them)."""

    def __init__(
        self, folder: Path, name: str, prompt_set: PromptSet, contenders: Sequence[Contender], created: str = ""
    ) -> None:
        self.folder = Path(folder)
        self.name = name
        self.prompt_set = prompt_set
        self.contenders = tuple(contenders)
        self.created = created

    @property
    def answers_path(self) -> Path:
        return self.folder / ANSWERS_FILE

    @property
    def judgements_path(self) -> Path:
        return self.folder / JUDGEMENTS_FILE

    def contender(self, name: str) -> Contender | None:
        return next((c for c in self.contenders if c.name == name), None)

    # -- making and opening --------------------------------------------------------------------------------------

    @classmethod
    def create(cls, folder: Path, prompt_set: PromptSet, contenders: Sequence[Contender], name: str = "") -> EvalRun:
        """Make a new run in ``folder`` (created if needed), writing ``run.json``. A contender's empty
        ``quantization`` is read from its GGUF.

        Raises:
            EvaluationError: ``folder`` is not empty, or cannot be made or written.
            EvalFormatError: fewer than two contenders, a repeated name, or no prompts.
        """
        folder = Path(folder)
        checked = tuple(_with_quantization(c) for c in check_contenders(contenders))
        if not prompt_set.prompts:
            raise EvalFormatError(QT_TRANSLATE_NOOP("EvalRun", "the run has no prompts to ask"))
        try:
            folder.mkdir(parents=True, exist_ok=True)
            if any(folder.iterdir()):
                raise EvaluationError(
                    QT_TRANSLATE_NOOP("EvalRun", "{folder} is not empty: a new run needs an empty folder").format(
                        folder=str(folder)
                    )
                )
            created = _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds")
            run = cls(folder, name or folder.name, prompt_set, checked, created)
            atomic_write_bytes(folder / RUN_FILE, run._run_json().encode("utf-8"))
        except OSError as err:
            raise EvaluationError(
                QT_TRANSLATE_NOOP("EvalRun", "cannot write the run in {folder}: {reason}").format(
                    folder=str(folder), reason=err.strerror or str(err)
                )
            ) from err
        return run

    def _run_json(self) -> str:
        data = {
            "format": FORMAT,
            "name": self.name,
            "created": self.created,
            "prompt_set": {
                "name": self.prompt_set.name,
                "prompts": [prompt_as_dict(p) for p in self.prompt_set.prompts],
            },
            "contenders": [contender_as_dict(c) for c in self.contenders],
        }
        return json.dumps(data, ensure_ascii=False, indent=1) + "\n"

    @classmethod
    def open(cls, folder: Path) -> EvalRun:
        """Open the run in ``folder``.

        Raises:
            EvalFormatError: no ``run.json``, or one that is not a run of this format.
        """
        path = Path(folder) / RUN_FILE
        try:
            data = json.loads(read_regular_file(path, MAX_RUN_BYTES).decode("utf-8"))
        except FileNotFoundError as err:
            raise EvalFormatError(
                QT_TRANSLATE_NOOP("EvalRun", "no evaluation run here (run.json is missing)"),
                path=Path(folder),
                hint=QT_TRANSLATE_NOOP(
                    "ErrorHints",
                    "Give the folder an evaluation run was made in, or make one: ziya-desktop eval run FOLDER "
                    "--contender NAME=MODEL.gguf --contender NAME=MODEL.gguf",
                ),
            ) from err
        except (OSError, UnicodeDecodeError, ValueError, RecursionError) as err:  # unreadable or not JSON
            raise EvalFormatError(
                QT_TRANSLATE_NOOP("EvalRun", "run.json cannot be read: {reason}").format(reason=str(err)), path=path
            ) from err
        try:
            return cls._from_json(Path(folder), data)
        except (ValueError, TypeError, KeyError, ZiyaError) as err:
            raise EvalFormatError(
                QT_TRANSLATE_NOOP("EvalRun", "run.json is not a valid run: {reason}").format(reason=str(err)),
                path=path,
            ) from err

    @classmethod
    def _from_json(cls, folder: Path, data: object) -> EvalRun:
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise ValueError(f"expected an object with format {FORMAT}")
        prompt_set = data["prompt_set"]
        prompts = tuple(parse_prompt(p) for p in prompt_set["prompts"])
        if len({p.id for p in prompts}) != len(prompts) or not prompts:
            raise ValueError("the prompt ids are not unique, or there are none")
        contenders = check_contenders(contender_from_dict(c) for c in data["contenders"])
        name, created = data.get("name", ""), data.get("created", "")
        if not isinstance(name, str) or not isinstance(created, str) or not isinstance(prompt_set["name"], str):
            raise ValueError("name and created must be text")
        return cls(folder, name, PromptSet(prompt_set["name"], prompts), contenders, created)

    # -- answers ---------------------------------------------------------------------------------------------------

    def answers(self) -> dict[tuple[str, str], Answer]:
        """(contender name, prompt id) → the latest answer on disk; answers for unknown names or ids are left out.

        Raises:
            EvalFormatError: a line other than the last is not an answer (the file was edited or damaged).
        """
        try:
            raw = read_regular_file(self.answers_path, MAX_ANSWERS_BYTES)
        except FileNotFoundError:
            return {}
        except OSError as err:
            raise EvalFormatError(str(err), path=self.answers_path) from err
        lines = raw.split(b"\n")
        known_names = {c.name for c in self.contenders}
        known_ids = {p.id for p in self.prompt_set.prompts}
        out: dict[tuple[str, str], Answer] = {}
        for number, line in enumerate(lines, 1):
            if not line.strip():
                continue
            try:
                answer = _answer_from(json.loads(line.decode("utf-8")))
            except (ValueError, RecursionError) as err:
                if number == len(lines):  # no newline after it: the write was cut short; the answer is made again
                    log.warning("%s: ignoring a torn last line", self.answers_path)
                    break
                raise EvalFormatError(
                    QT_TRANSLATE_NOOP("EvalRun", "not an answer: {reason}").format(reason=str(err)),
                    path=self.answers_path,
                    line=number,
                ) from err
            if answer.contender in known_names and answer.prompt_id in known_ids:
                out[(answer.contender, answer.prompt_id)] = answer
            else:
                log.warning("%s, line %d: an answer for an unknown contender or prompt", self.answers_path, number)
        return out

    def missing(self) -> list[tuple[Contender, EvalPrompt]]:
        """What is still to be made, contender by contender, in the prompt set's order. An answer that failed with
        an error counts as missing: it is tried again when the run resumes."""
        have = {key for key, a in self.answers().items() if a.error is None}
        return [(c, p) for c in self.contenders for p in self.prompt_set.prompts if (c.name, p.id) not in have]

    def add_answer(self, answer: Answer) -> None:
        """Append ``answer`` as one line, in one write, and fsync it.

        Raises:
            EvaluationError: the answer names an unknown contender or prompt, or the file cannot be written.
        """
        if self.contender(answer.contender) is None or self.prompt_set.get(answer.prompt_id) is None:
            raise EvaluationError(
                QT_TRANSLATE_NOOP("EvalRun", "an answer for {contender} / {prompt} does not belong to this run").format(
                    contender=answer.contender, prompt=answer.prompt_id
                )
            )
        line = (json.dumps(answer.as_dict(), ensure_ascii=False) + "\n").encode("utf-8")
        try:
            append_line(self.answers_path, line, is_whole=_is_json)
        except OSError as err:
            raise EvaluationError(
                QT_TRANSLATE_NOOP("EvalRun", "cannot save the answer in {path}: {reason}").format(
                    path=str(self.answers_path), reason=err.strerror or str(err)
                )
            ) from err


def _with_quantization(contender: Contender) -> Contender:
    """The contender with its quantization read from its GGUF; as it is when the file cannot be read now (the
    run's load then says why, naming the contender)."""
    try:
        return contender.with_quantization()
    except ZiyaError as err:
        log.warning("%s: the quantization stays unknown: %s", contender.name, err)
        return contender


def _is_json(raw: bytes) -> bool:
    try:
        json.loads(raw.decode("utf-8"))
    except (ValueError, RecursionError):  # cut short: not a whole answer
        return False
    return True
