"""The model library: the catalog of fetchable models, Hugging Face downloads, local GGUF files, hardware fit.

Plain Python (threads, no Qt): the UI runs these in a worker and forwards their progress callbacks as signals.

- :mod:`~ziya_desktop.models.catalog`: ``resources/catalog.toml``, the checkpoints and file types on offer.
- :mod:`~ziya_desktop.models.download`: resumable, SHA-256 verified checkpoint downloads; offline mode.
- :mod:`~ziya_desktop.models.library`: the GGUF files in the models folder and imported ones.
- :mod:`~ziya_desktop.models.fit`: which file type this machine runs best, from the engine's offload arithmetic.

Submodules are imported on use, not here, so that importing the package does not pull in huggingface_hub.
"""
