"""llama.cpp in-process: GGUF checks, hardware probe, offload plan, the Engine. Never imports Qt."""
