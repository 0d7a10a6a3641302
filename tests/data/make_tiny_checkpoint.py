"""Regenerate the tiny Ziya-layout checkpoint under tests/data/ and its reference outputs.

This is the only place that uses torch and transformers; the app and the tests never import them. Run it in a
separate environment:

    python -m venv /tmp/fixvenv
    /tmp/fixvenv/bin/pip install torch==2.13.0 'transformers<5' sentencepiece protobuf safetensors numpy
    /tmp/fixvenv/bin/python tests/data/make_tiny_checkpoint.py

What it writes mirrors IDEA-CCNL/Ziya-Writing-LLaMa-13B-v1 at a tiny size:
- tiny_ziya/: fp32 zip-format torch ``.bin`` shards + ``pytorch_model.bin.index.json``, ``config.json`` with the
  same leftover keys, a sentencepiece BPE tokenizer with identity normalisation and byte fallback, the added tokens
  ``<human>``/``<bot>`` right after the sentencepiece pieces, and a vocabulary padded past them with untrained rows.
- tiny_ziya_safetensors/model.safetensors: the same tensors, for the safetensors reader.
- tiny_ziya_reference.json / .npz: token ids from the slow LlamaTokenizer for the verify strings, and the
  transformers forward pass's logits for a few prompts.
"""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
from pathlib import Path

import numpy as np
import sentencepiece as spm
import torch
from safetensors.torch import save_file
from transformers import LlamaConfig, LlamaForCausalLM, LlamaTokenizer

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent))
from converters.verify_strings import VERIFY_STRINGS  # noqa: E402

OUT = HERE / "tiny_ziya"
OUT_ST = HERE / "tiny_ziya_safetensors"
SEED = 20261125

HIDDEN = 256
FFN = 512
LAYERS = 2
HEADS = 4  # head dim 64, like the 13B (5120 / 40)
PADDING_ROWS = 14  # Ziya: 39408 pieces + 2 added tokens + 14 padding rows = 39424

REFERENCE_PROMPTS = (
    "<human>:写一封感谢信\n<bot>:",
    "<human>:Write a short opening speech for the annual meeting.\n<bot>:",
    "混合 text：关于召开年度工作会议的通知 🎉",
)

CORPUS = """
各区人民政府，市政府各委、办、局，各有关单位：
为深入贯彻落实上级部署，进一步做好年度各项工作，经研究，决定召开年度工作会议。现将有关事项通知如下。
一、会议时间 2026年12月10日上午9时。二、会议地点 市政府第一会议室。三、参会人员 各单位主要负责同志。
四、有关要求 请各单位高度重视，按时参会，不得缺席。如有特殊情况，请提前向市政府办公厅请假。
特此通知。联系人：张明，电话：12345678。
关于申请年度专项经费的请示。妥否，请批示。以上请示当否，请批示。特此报告。特此函告。请予函复。
尊敬的各位领导、各位来宾，女士们、先生们：大家上午好！今天，我们在这里隆重举行开幕式。
首先，我谨代表组委会，向出席今天活动的各位领导和嘉宾表示热烈的欢迎和衷心的感谢！谢谢大家！
尊敬的李老师：您好！在这个特别的日子里，我怀着感激的心情给您写这封信。感谢您一直以来的关心和帮助。
此致 敬礼！学生 王小明 2026年11月25日。感谢信 邀请函 推荐信 求职信 道歉信 慰问信 贺信 介绍信
新品上市，限时优惠！快来体验全新的写作助手，让文字更有力量。微博 微信公众号 小红书 短信 海报
Dear Ms Li, Thank you for your kind invitation to speak at the annual conference. I am writing to apply for
the position of editor. Yours faithfully, Sincerely, Best regards. Ladies and gentlemen, good morning.
It is my great honour to welcome you all to the opening ceremony. We will work together for a better future.
The quick brown fox jumps over the lazy dog. Writing is thinking on paper. Please find attached the report.
Official notice on holding the annual work conference. Request for approval of the special budget.
"""


def train_tokenizer(workdir: Path) -> Path:
    corpus = workdir / "corpus.txt"
    corpus.write_text(CORPUS * 4, encoding="utf-8")
    prefix = workdir / "tokenizer"
    spm.SentencePieceTrainer.train(
        input=str(corpus),
        model_prefix=str(prefix),
        model_type="bpe",
        vocab_size=1000,
        hard_vocab_limit=False,
        character_coverage=0.9995,
        byte_fallback=True,
        split_digits=True,
        allow_whitespace_only_pieces=True,
        normalization_rule_name="identity",
        remove_extra_whitespaces=False,
        add_dummy_prefix=True,
        unk_id=0,
        bos_id=1,
        eos_id=2,
        pad_id=-1,
        max_sentence_length=100000,
        num_threads=1,
        minloglevel=2,
    )
    return prefix.with_suffix(".model")


def write_tokenizer_files(model_file: Path, n_pieces: int) -> None:
    shutil.copy(model_file, OUT / "tokenizer.model")
    added = {"<human>": n_pieces, "<bot>": n_pieces + 1}
    (OUT / "added_tokens.json").write_text(json.dumps(added, indent=2) + "\n", encoding="utf-8")
    (OUT / "special_tokens_map.json").write_text(
        json.dumps({"bos_token": "<s>", "eos_token": "</s>", "unk_token": "<unk>"}, indent=2) + "\n",
        encoding="utf-8",
    )
    (OUT / "tokenizer_config.json").write_text(
        json.dumps(
            {
                "tokenizer_class": "LlamaTokenizer",
                "add_bos_token": True,
                "add_eos_token": False,
                "bos_token": "<s>",
                "eos_token": "</s>",
                "unk_token": "<unk>",
                "model_max_length": 2048,
                "legacy": True,
            },
            indent=2,
        )
        + "\n",
        encoding="utf-8",
    )


def build_model(vocab_size: int) -> LlamaForCausalLM:
    config = LlamaConfig(
        vocab_size=vocab_size,
        hidden_size=HIDDEN,
        intermediate_size=FFN,
        num_hidden_layers=LAYERS,
        num_attention_heads=HEADS,
        num_key_value_heads=HEADS,
        max_position_embeddings=2048,
        rms_norm_eps=1e-6,
        rope_theta=10000.0,
        bos_token_id=1,
        eos_token_id=2,
        pad_token_id=0,
        tie_word_embeddings=False,
        initializer_range=0.05,
        torch_dtype="float32",
    )
    torch.manual_seed(SEED)
    model = LlamaForCausalLM(config).eval()
    with torch.no_grad():
        # Random norms (not all ones) so that a converter that mixes up norm tensors fails the logit test.
        for name, param in model.named_parameters():
            if name.endswith("norm.weight"):
                param.copy_(1.0 + 0.2 * torch.randn_like(param))
    return model


def write_config(model: LlamaForCausalLM) -> None:
    full = model.config.to_dict()
    keys = (
        "bos_token_id eos_token_id pad_token_id hidden_act hidden_size intermediate_size initializer_range "
        "max_position_embeddings model_type num_attention_heads num_hidden_layers num_key_value_heads "
        "rms_norm_eps tie_word_embeddings vocab_size"
    ).split()
    config = {k: full[k] for k in keys}
    config["architectures"] = ["LlamaForCausalLM"]
    # Ziya's config carries these leftovers; the converter must ignore them.
    config["layer_norm_eps"] = 1e-6
    config["rotary_emb_base"] = 10000
    config["torch_dtype"] = "float32"
    (OUT / "config.json").write_text(json.dumps(config, indent=2, sort_keys=True) + "\n", encoding="utf-8")


def write_shards(state: dict[str, torch.Tensor]) -> None:
    names = list(state)
    half = len(names) // 2
    shards = [names[:half], names[half:]]
    weight_map: dict[str, str] = {}
    total = 0
    for i, shard_names in enumerate(shards, start=1):
        fname = f"pytorch_model-{i:05d}-of-{len(shards):05d}.bin"
        part = {n: state[n].contiguous().clone() for n in shard_names}
        torch.save(part, OUT / fname)
        for n in shard_names:
            weight_map[n] = fname
            total += part[n].numel() * part[n].element_size()
    index = {"metadata": {"total_size": total}, "weight_map": weight_map}
    (OUT / "pytorch_model.bin.index.json").write_text(json.dumps(index, indent=2) + "\n", encoding="utf-8")


def main() -> None:
    for d in (OUT, OUT_ST):
        shutil.rmtree(d, ignore_errors=True)
        d.mkdir(parents=True)
    with tempfile.TemporaryDirectory() as tmp:
        model_file = train_tokenizer(Path(tmp))
        n_pieces = spm.SentencePieceProcessor(model_file=str(model_file)).get_piece_size()
        write_tokenizer_files(model_file, n_pieces)
    vocab_size = n_pieces + 2 + PADDING_ROWS

    tokenizer = LlamaTokenizer.from_pretrained(str(OUT), legacy=True)
    assert tokenizer.convert_tokens_to_ids("<human>") == n_pieces
    assert tokenizer.convert_tokens_to_ids("<bot>") == n_pieces + 1

    model = build_model(vocab_size)
    write_config(model)
    state = {k: v for k, v in model.state_dict().items() if "rotary_emb" not in k}
    # Ziya's shards keep the rotary buffer; the converter must skip it.
    state["model.layers.0.self_attn.rotary_emb.inv_freq"] = 1.0 / (
        10000 ** (torch.arange(0, HIDDEN // HEADS, 2, dtype=torch.float32) / (HIDDEN // HEADS))
    )
    write_shards(state)
    save_file({k: v.contiguous() for k, v in state.items()}, str(OUT_ST / "model.safetensors"))

    token_ids = {s: tokenizer.encode(s) for s in VERIFY_STRINGS}
    logits: dict[str, np.ndarray] = {}
    prompt_ids: list[list[int]] = []
    with torch.no_grad():
        for i, prompt in enumerate(REFERENCE_PROMPTS):
            ids = tokenizer.encode(prompt)
            prompt_ids.append(ids)
            out = model(torch.tensor([ids])).logits[0].float().numpy()
            logits[f"logits_{i}"] = out
    np.savez_compressed(HERE / "tiny_ziya_reference.npz", **logits)
    reference = {
        "n_pieces": n_pieces,
        "vocab_size": vocab_size,
        "token_ids": [{"text": s, "ids": ids} for s, ids in token_ids.items()],
        "prompts": [{"text": p, "ids": ids} for p, ids in zip(REFERENCE_PROMPTS, prompt_ids, strict=True)],
    }
    (HERE / "tiny_ziya_reference.json").write_text(
        json.dumps(reference, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )
    print(f"pieces {n_pieces}, vocab {vocab_size}, tensors {len(state)}")


if __name__ == "__main__":
    main()
