"""Text marked for translation where it is made, below the UI, and translated where the UI shows it.

No Qt here: ``QT_TRANSLATE_NOOP("Context", "text")`` is the marker pyside6-lupdate collects (the context and the
text must be literals), and its value is the English text itself, a :class:`Translatable` that remembers its context.
``.format(**args)`` on it keeps the template and the arguments, so the UI can translate the template and then fill
it in (``ui.common.error_text.localized``), translating arguments that are themselves :class:`Translatable`.
Everywhere else it is the English string it reads as.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

__all__ = ["QT_TRANSLATE_NOOP", "Translatable"]

_NO_ARGS: Mapping[str, object] = MappingProxyType({})


class Translatable(str):
    """English text (the ``str`` value) with the context and template the UI translates it by.

    Attributes:
        context: the translation context, as in ``QCoreApplication.translate(context, template)``.
        template: the source text, with its ``{placeholders}`` unfilled.
        args: the placeholders' values (empty when the text has none filled in).
    """

    __slots__ = ("args", "context", "template")

    context: str
    template: str
    args: Mapping[str, object]

    def __new__(cls, context: str, template: str, args: Mapping[str, object] | None = None) -> Translatable:
        self = super().__new__(cls, template.format(**args) if args else template)
        self.context = context
        self.template = template
        self.args = MappingProxyType(dict(args)) if args else _NO_ARGS
        return self

    def format(self, *positional: object, **args: Any) -> Translatable:  # type: ignore[override]
        """The English text filled in, remembering the template and ``args`` (named placeholders only)."""
        if positional:
            raise TypeError("Translatable.format takes named placeholders only")
        return Translatable(self.context, self.template, args)

    def __reduce__(self) -> tuple[type[Translatable], tuple[str, str, dict[str, object]]]:
        return (Translatable, (self.context, self.template, dict(self.args)))

    def __repr__(self) -> str:
        return f"Translatable({self.context!r}, {self.template!r}, {dict(self.args)!r})"


def QT_TRANSLATE_NOOP(context: str, text: str) -> Translatable:  # the name lupdate looks for
    """Mark ``text`` for translation in ``context``; the value is ``text`` (see :class:`Translatable`)."""
    return Translatable(context, text)
