"""Hugging Face LLaMA checkpoints → GGUF → quantized GGUF, without torch and without executing pickles."""
