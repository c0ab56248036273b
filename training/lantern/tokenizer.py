"""The text tokenizer of the built-in model: one id per word of the caption
grammar, built with Hugging Face `tokenizers` and saved as a standard
tokenizer.json that the browser reads too.

The vocabulary is enumerated from the grammar's word lists (phrases.py), not
sampled, so every word either split can say has an id; any other word a user
types becomes [UNK]. Components are the standard ones the browser side
implements: NFKC + Lowercase, WhitespaceSplit + Punctuation + Digits,
WordPiece, TemplateProcessing.

The model is WordPiece with whole words only (no '##' continuation pieces),
which behaves exactly like a word-level vocabulary (a word that is not in it
cannot be split, so it becomes [UNK]) but is a model class tokenizers.js
(transformers.js) implements; it has no WordLevel class.

One thing the browser side must know (tokenizers.js, checked against its
source): it ignores the `truncation` and `padding` saved here. Truncate and pad as
  this file does: keep [BOS], the first MAX_TOKENS - 2 words and [EOS], then
  pad with [PAD] (id 0) to MAX_TOKENS; the mask is true on real tokens.
"""
from __future__ import annotations

import json
import string
from collections.abc import Sequence
from pathlib import Path

import torch
from tokenizers import Tokenizer, normalizers, pre_tokenizers, processors
from tokenizers.models import WordPiece

from .world.captions import MAX_WORDS
from .world.phrases import grammar_words

MAX_TOKENS = 48  # [BOS] + up to 46 words + [EOS], padded to this length
SPECIAL_TOKENS = ("[PAD]", "[UNK]", "[BOS]", "[EOS]")
PAD_ID, UNK_ID, BOS_ID, EOS_ID = range(4)
assert MAX_WORDS == MAX_TOKENS - 2

TOKENIZER_FILE = "tokenizer.json"
CONFIG_FILE = "tokenizer_config.json"


def vocabulary() -> list[str]:
    """Every token, in id order: the special tokens, then the grammar's words,
    the digits and ASCII punctuation (sorted, so ids are stable)."""
    extra = set(string.digits) | set(string.punctuation) | {"..."}
    words = sorted(set(grammar_words()) | extra)
    return list(SPECIAL_TOKENS) + [w for w in words if w not in SPECIAL_TOKENS]


def build_tokenizer() -> Tokenizer:
    vocab = {token: i for i, token in enumerate(vocabulary())}
    tok = Tokenizer(WordPiece(vocab, unk_token="[UNK]", max_input_chars_per_word=100))
    tok.normalizer = normalizers.Sequence([normalizers.NFKC(), normalizers.Lowercase()])
    # 'contiguous' keeps '...' as one piece, as tokenizers.js's Punctuation does.
    tok.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.WhitespaceSplit(),
        pre_tokenizers.Punctuation(behavior="contiguous"),
        pre_tokenizers.Digits(individual_digits=True),
    ])
    tok.post_processor = processors.TemplateProcessing(
        single="[BOS] $A [EOS]", special_tokens=[("[BOS]", BOS_ID), ("[EOS]", EOS_ID)])
    tok.add_special_tokens(list(SPECIAL_TOKENS))
    tok.enable_truncation(MAX_TOKENS)
    tok.enable_padding(length=MAX_TOKENS, pad_id=PAD_ID, pad_token="[PAD]")
    return tok


def _files(path: str | Path) -> tuple[Path, Path]:
    """A path ending in .json is the tokenizer file itself; any other is a
    folder holding tokenizer.json and tokenizer_config.json."""
    path = Path(path)
    if path.suffix == ".json":
        return path, path.with_name(CONFIG_FILE)
    return path / TOKENIZER_FILE, path / CONFIG_FILE


def save_tokenizer(path: str | Path, tok: Tokenizer | None = None) -> Path:
    """Write tokenizer.json (and tokenizer_config.json beside it, for the
    browser); returns the tokenizer.json path."""
    tok = tok or build_tokenizer()
    tokenizer_file, config_file = _files(path)
    tokenizer_file.parent.mkdir(parents=True, exist_ok=True)
    tok.save(str(tokenizer_file))
    config = {
        "tokenizer_class": "PreTrainedTokenizerFast",
        "model_max_length": MAX_TOKENS,
        "pad_token": "[PAD]", "unk_token": "[UNK]", "bos_token": "[BOS]", "eos_token": "[EOS]",
        "padding_side": "right", "truncation_side": "right",
        "clean_up_tokenization_spaces": False,
    }
    config_file.write_text(json.dumps(config, indent=2) + "\n")
    return tokenizer_file


def load_tokenizer(path: str | Path) -> Tokenizer:
    tokenizer_file, _ = _files(path)
    return Tokenizer.from_file(str(tokenizer_file))


def encode(tok: Tokenizer, texts: Sequence[str] | str) -> tuple[torch.Tensor, torch.Tensor]:
    """Token ids (B, MAX_TOKENS) int64 and mask (B, MAX_TOKENS) bool, true on
    [BOS], the words and [EOS]; longer texts keep their first 46 words."""
    if isinstance(texts, str):
        texts = [texts]
    if not texts:
        return torch.zeros(0, MAX_TOKENS, dtype=torch.long), torch.zeros(0, MAX_TOKENS, dtype=torch.bool)
    encodings = tok.encode_batch(list(texts))
    ids = torch.tensor([e.ids for e in encodings], dtype=torch.long)  # (B, MAX_TOKENS)
    mask = torch.tensor([e.attention_mask for e in encodings], dtype=torch.bool)  # (B, MAX_TOKENS)
    if ids.shape[1:] != (MAX_TOKENS,):
        raise ValueError(f"tokenizer pads to {ids.shape[1]} tokens, expected {MAX_TOKENS}; "
                         "build it with build_tokenizer() or load a saved one")
    return ids, mask
