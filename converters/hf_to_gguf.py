"""Hugging Face LLaMA checkpoint → GGUF, one tensor at a time, then llama.cpp's quantizer when asked.

Peak memory is about one tensor: all tensor infos are declared first, the header is written, then each tensor is
read (memory-mapped), converted and written before the next is touched. The output appears under its final name
only when complete; on any failure or cancel the temporary files are removed.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import gguf
import numpy as np

from converters.atomic import check_free_space, commit, removing_on_error, temp_sibling
from converters.checkpoint import Checkpoint, LlamaConfig
from converters.errors import CheckpointError, ConversionCancelled, ConversionError
from converters.tokenizer import CheckpointTokenizer, GGUFVocab

log = logging.getLogger(__name__)

# Size of each output relative to F16, from the 13B's published file sizes (ZIYA_MODEL.md), with headroom.
OUTTYPE_SIZE_VS_F16: dict[str, float] = {
    "f32": 2.0,
    "f16": 1.0,
    "q8_0": 0.54,
    "q6_k": 0.42,
    "q5_k_m": 0.37,
    "q4_k_m": 0.31,
}
QUANTIZED = ("q8_0", "q6_k", "q5_k_m", "q4_k_m")
GGUF_FILE_TYPE = {"f32": 0, "f16": 1}


@dataclass(frozen=True)
class ConversionProgress:
    """One progress report: ``stage`` is 'convert', 'quantize' or 'done'; bytes are of the source tensors."""

    stage: str
    done_bytes: int
    total_bytes: int
    tensor: str = ""
    elapsed_s: float = 0.0

    @property
    def fraction(self) -> float:
        return self.done_bytes / self.total_bytes if self.total_bytes else 1.0


ProgressCallback = Callable[[ConversionProgress], None]


@dataclass
class ConversionResult:
    outfile: Path
    outtype: str
    n_tensors: int
    source_bytes: int
    output_bytes: int
    seconds: float
    weight_format: str
    notes: list[str] = field(default_factory=list)


def permute_qk(w: np.ndarray, n_head: int) -> np.ndarray:
    """Reorder Q/K rows from HF's rotate-half layout to llama.cpp's interleaved rotary layout."""
    return w.reshape(n_head, 2, w.shape[0] // n_head // 2, *w.shape[1:]).swapaxes(1, 2).reshape(w.shape)


def estimate_bytes(checkpoint: Checkpoint, outtype: str) -> tuple[int, int]:
    """(final output bytes, intermediate bytes) that the conversion will write."""
    f16 = 0
    for _, t in checkpoint.items():
        n = int(np.prod(t.shape))
        f16 += n * (4 if len(t.shape) == 1 else 2)
    final = int(f16 * OUTTYPE_SIZE_VS_F16[outtype]) + (16 << 20)
    intermediate = f16 + (16 << 20) if outtype in QUANTIZED else 0
    return final, intermediate


def convert(
    checkpoint_dir: Path,
    outfile: Path,
    outtype: str = "f16",
    *,
    progress: ProgressCallback | None = None,
    cancel: threading.Event | None = None,
    prefer: str = "auto",
    threads: int | None = None,
    model_name: str | None = None,
    apply_qk_permutation: bool = True,
) -> ConversionResult:
    """Convert a checkpoint folder to ``outfile``.

    Args:
        checkpoint_dir: folder with config.json, tokenizer files and weights.
        outfile: the GGUF to write; it appears only when complete.
        outtype: one of f32, f16, q8_0, q6_k, q5_k_m, q4_k_m.
        progress: called after each tensor and at each stage change.
        cancel: set it to stop; temporary files are removed and ConversionCancelled is raised.
        prefer: 'auto', 'bin' or 'safetensors' when a folder has both.
        threads: quantizer threads (default: physical cores).
        apply_qk_permutation: only for tests that prove the logit check catches a missing permutation.

    Raises:
        CheckpointError, UnsafeCheckpointError, TokenizerMismatchError: the input is unusable.
        InsufficientDiskSpaceError: not enough free space; nothing was written.
        ConversionCancelled: ``cancel`` was set.
        QuantizeError: llama.cpp's quantizer failed.
    """
    outfile = _output_path(Path(outfile), outtype)
    start = time.monotonic()
    checkpoint = Checkpoint(Path(checkpoint_dir), prefer=prefer)
    vocab = CheckpointTokenizer(checkpoint.folder, checkpoint.config.vocab_size).gguf_vocab()
    final_bytes, intermediate_bytes = estimate_bytes(checkpoint, outtype)
    check_free_space(outfile.parent, final_bytes + intermediate_bytes, f"Converting to {outtype.upper()}")

    report = progress or (lambda _p: None)
    float_type = "f32" if outtype == "f32" else "f16"
    float_path = temp_sibling(outfile, float_type)
    final_tmp = temp_sibling(outfile, outtype) if outtype in QUANTIZED else float_path
    with removing_on_error(float_path, final_tmp):
        _write_gguf(
            checkpoint,
            vocab,
            float_path,
            float_type,
            report=report,
            cancel=cancel,
            name=model_name or checkpoint.folder.name,
            apply_qk_permutation=apply_qk_permutation,
            start=start,
        )
        if outtype in QUANTIZED:
            report(ConversionProgress("quantize", 0, checkpoint.total_bytes, elapsed_s=time.monotonic() - start))
            _quantize_float(float_path, final_tmp, outtype, threads=threads, cancel=cancel)
        _gate_output(final_tmp, outfile)
        commit(final_tmp, outfile)
    _trust_output(outfile)
    seconds = time.monotonic() - start
    report(ConversionProgress("done", checkpoint.total_bytes, checkpoint.total_bytes, elapsed_s=seconds))
    return ConversionResult(
        outfile=outfile,
        outtype=outtype,
        n_tensors=len(checkpoint.tensor_names()),
        source_bytes=checkpoint.total_bytes,
        output_bytes=outfile.stat().st_size,
        seconds=seconds,
        weight_format=checkpoint.weight_format,
    )


def _output_path(outfile: Path, outtype: str) -> Path:
    """``outfile`` made absolute, once the output type is known and the file can be written there.

    Raises:
        ConversionError: an unknown output type, a missing output folder, or a folder or special file in the way.
    """
    if outtype not in OUTTYPE_SIZE_VS_F16:
        raise ConversionError(f"unknown output type '{outtype}'; choose one of {', '.join(OUTTYPE_SIZE_VS_F16)}")
    outfile = outfile.absolute()
    if not outfile.parent.is_dir():
        raise ConversionError(f"output folder {outfile.parent} does not exist")
    if os.path.lexists(outfile) and not outfile.is_file():
        raise ConversionError(f"{outfile} is a folder or special file; the output must be a GGUF file name")
    return outfile


def _quantize_float(
    float_path: Path, quantized_path: Path, outtype: str, *, threads: int | None, cancel: threading.Event | None
) -> None:
    """Quantize the float GGUF at ``float_path`` into ``quantized_path``; the float file is removed either way.

    Raises:
        ConversionCancelled: ``cancel`` was set.
        QuantizeError: llama.cpp's quantizer failed.
    """
    from converters.quantize import quantize

    try:
        quantize(float_path, quantized_path, outtype, threads=threads, cancel=cancel)
    finally:
        float_path.unlink(missing_ok=True)
    if cancel is not None and cancel.is_set():
        raise ConversionCancelled("conversion cancelled")


def _gate_output(tmp: Path, outfile: Path) -> None:
    """Refuse to publish a GGUF that the app's model gate refuses: a file that would abort llama.cpp or fail to load.

    Raises:
        CheckpointError: the gate refused the converted file (the checkpoint holds something llama.cpp cannot
            run, such as a token text twice); the temporary file is removed by the caller.
    """
    from ziya_desktop.engine.model_gate import gate_model
    from ziya_desktop.errors import ZiyaError

    try:
        gate_model(tmp)
    except ZiyaError as err:
        why = str(err).replace(tmp.name, outfile.name).removeprefix(f"{outfile.name}: ")
        raise CheckpointError(f"{outfile.name} was not written: the converted model would not load: {why}") from err


def _trust_output(outfile: Path) -> None:
    """Remember that ``outfile`` passed the gate as written here, so its first load needs no trial load."""
    from ziya_desktop.engine import trial_verdicts

    try:
        trial_verdicts.record_trusted(outfile)
    except OSError as err:
        # Only a speed-up is lost: the first load then runs the trial.
        log.warning("could not record %s as checked: %s", outfile, err)


def _write_gguf(
    checkpoint: Checkpoint,
    vocab: GGUFVocab,
    path: Path,
    float_type: str,
    *,
    report: ProgressCallback,
    cancel: threading.Event | None,
    name: str,
    apply_qk_permutation: bool,
    start: float,
) -> None:
    cfg = checkpoint.config
    writer = gguf.GGUFWriter(path, gguf.MODEL_ARCH_NAMES[gguf.MODEL_ARCH.LLAMA])
    _add_metadata(writer, cfg, vocab, name, GGUF_FILE_TYPE[float_type])
    name_map = gguf.get_tensor_name_map(gguf.MODEL_ARCH.LLAMA, cfg.num_hidden_layers)
    plan: list[tuple[str, str, np.dtype[Any]]] = []
    for hf_name, source in checkpoint.items():
        gguf_name = name_map.get_name(hf_name, try_suffixes=(".weight", ".bias"))
        if gguf_name is None:
            raise ConversionError(f"no GGUF name for tensor {hf_name}")
        dtype = np.dtype(np.float32 if (float_type == "f32" or len(source.shape) == 1) else np.float16)
        n = int(np.prod(source.shape))
        writer.add_tensor_info(gguf_name, source.shape, dtype, n * dtype.itemsize)
        plan.append((hf_name, gguf_name, dtype))
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_ti_data_to_file()
    done = 0
    total = checkpoint.total_bytes
    try:
        for hf_name, gguf_name, dtype in plan:
            if cancel is not None and cancel.is_set():
                raise ConversionCancelled("conversion cancelled")
            source = checkpoint.tensor(hf_name)
            data = source.numpy()
            if apply_qk_permutation and hf_name.endswith("self_attn.q_proj.weight"):
                data = permute_qk(data, cfg.num_attention_heads)
            elif apply_qk_permutation and hf_name.endswith("self_attn.k_proj.weight"):
                data = permute_qk(data, cfg.num_key_value_heads)
            if not np.isfinite(data).all():
                raise ConversionError(f"tensor {hf_name} holds NaN or infinite values")
            writer.write_tensor_data(np.ascontiguousarray(data, dtype=dtype))
            del data
            done += source.nbytes
            report(ConversionProgress("convert", done, total, gguf_name, time.monotonic() - start))
    finally:
        writer.close()


def _add_metadata(writer: gguf.GGUFWriter, cfg: LlamaConfig, vocab: GGUFVocab, name: str, ftype: int) -> None:
    writer.add_name(name)
    writer.add_file_type(ftype)
    writer.add_vocab_size(cfg.vocab_size)
    writer.add_context_length(cfg.max_position_embeddings)
    writer.add_embedding_length(cfg.hidden_size)
    writer.add_block_count(cfg.num_hidden_layers)
    writer.add_feed_forward_length(cfg.intermediate_size)
    writer.add_rope_dimension_count(cfg.head_dim)
    writer.add_head_count(cfg.num_attention_heads)
    writer.add_head_count_kv(cfg.num_key_value_heads)
    writer.add_layer_norm_rms_eps(cfg.rms_norm_eps)
    writer.add_rope_freq_base(cfg.rope_theta)
    writer.add_tokenizer_model("llama")
    writer.add_token_list(vocab.tokens)
    writer.add_token_scores(vocab.scores)
    writer.add_token_types(vocab.types)
    bos = cfg.bos_token_id if cfg.bos_token_id >= 0 else vocab.bos_id
    eos = cfg.eos_token_id if cfg.eos_token_id >= 0 else vocab.eos_id
    # A tokenizer without BOS or EOS (id -1) gets no key rather than an id GGUF cannot store.
    if bos >= 0:
        writer.add_bos_token_id(bos)
    if eos >= 0:
        writer.add_eos_token_id(eos)
    if vocab.unk_id >= 0:
        writer.add_unk_token_id(vocab.unk_id)
    if cfg.pad_token_id is not None and 0 <= cfg.pad_token_id < cfg.vocab_size:
        writer.add_pad_token_id(cfg.pad_token_id)
    writer.add_add_bos_token(True)
    writer.add_add_eos_token(False)
    writer.add_add_space_prefix(vocab.add_space_prefix)
