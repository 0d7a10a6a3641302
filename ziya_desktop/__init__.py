"""Ziya Desktop: an offline writing assistant running Ziya-Writing-LLaMa-13B through llama.cpp."""

__version__ = "0.1.0"
