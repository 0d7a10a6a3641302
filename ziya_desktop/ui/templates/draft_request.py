"""What the template panel hands over when the writer asks for a draft: the template, the form's values, the filled
header and footer, and the exact prompt."""

from __future__ import annotations

from dataclasses import dataclass

from ziya_desktop.writing.templates import RenderedTemplate, Template


@dataclass(frozen=True)
class DraftRequest:
    """Everything needed to draft a document from a template.

    Attributes:
        template: the template the writer filled.
        values: the form's values by field name (see
            :meth:`~ziya_desktop.ui.templates.template_form.TemplateForm.values`).
        rendered: the filled header and footer the app lays out, and the instruction.
        prompt: the exact text to send to the model (the preview's text).
        prompt_edited: True when the writer edited the prompt by hand, so it may differ from the template's.
    """

    template: Template
    values: dict[str, object]
    rendered: RenderedTemplate
    prompt: str
    prompt_edited: bool
