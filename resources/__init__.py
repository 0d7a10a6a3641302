"""Data shipped with the app: the model catalog, built-in templates and UI translations (read through importlib.resources)."""
