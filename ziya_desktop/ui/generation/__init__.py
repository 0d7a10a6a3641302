"""The model at work: the engine's worker thread, the generation in flight and the text it streams into a document,
the writing commands (draft, continue, regenerate, rewrite a selection, load a model) and the Writing menu's actions
(``writing_actions``), the rewrite review and the sampling settings."""
