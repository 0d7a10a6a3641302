"""Data shipped with the app: the model catalog, built-in templates, the evaluation prompts and UI translations
(read through importlib.resources)."""
