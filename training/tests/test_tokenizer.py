"""The word-level tokenizer: covers the whole grammar, round-trips through
tokenizer.json, and gives fixed-length ids and masks."""
import json
import random

import pytest
import torch
from tokenizers import Tokenizer

from lantern.tokenizer import (BOS_ID, EOS_ID, MAX_TOKENS, PAD_ID, UNK_ID, build_tokenizer, encode, load_tokenizer,
                               save_tokenizer, vocabulary)
from lantern.world.captions import captions_for, describe, nameable
from lantern.world.phrases import grammar_words
from lantern.world.spec import sample_clip


@pytest.fixture(scope="module")
def tok():
    return build_tokenizer()


@pytest.fixture(scope="module")
def captions():
    rng = random.Random(1)
    out = []
    while len(out) < 2000:
        clip = sample_clip(rng)
        out += captions_for(clip, rng, n=2, split="train") + captions_for(clip, rng, n=2, split="eval")
    return out


def test_special_tokens_and_vocabulary(tok):
    vocab = tok.get_vocab()
    assert [vocab[t] for t in ("[PAD]", "[UNK]", "[BOS]", "[EOS]")] == [PAD_ID, UNK_ID, BOS_ID, EOS_ID] == [0, 1, 2, 3]
    assert set(grammar_words()) <= set(vocab)
    assert {str(d) for d in range(10)} | set(",.-!?") <= set(vocab)
    assert len(vocab) == len(vocabulary()) == len(set(vocabulary()))


def test_round_trip(tok, captions, tmp_path):
    path = save_tokenizer(tmp_path / "text", tok)
    assert path.name == "tokenizer.json"
    config = json.loads((tmp_path / "text" / "tokenizer_config.json").read_text())
    assert config["unk_token"] == "[UNK]" and config["model_max_length"] == MAX_TOKENS
    loaded = load_tokenizer(tmp_path / "text")
    a, am = encode(tok, captions[:300])
    b, bm = encode(loaded, captions[:300])
    assert torch.equal(a, b) and torch.equal(am, bm)
    assert torch.equal(encode(load_tokenizer(path), captions[:10])[0], a[:10])


def test_every_caption_word_is_known(tok, captions):
    ids, mask = encode(tok, captions)
    assert ids.shape == mask.shape == (len(captions), MAX_TOKENS)
    assert ids.dtype == torch.long and mask.dtype == torch.bool
    assert not (ids == UNK_ID).any()
    lengths = mask.sum(1)
    assert (ids[:, 0] == BOS_ID).all()
    assert (ids[torch.arange(len(ids)), lengths - 1] == EOS_ID).all()  # never truncated
    assert (ids[~mask] == PAD_ID).all()
    assert torch.equal(mask, ids != PAD_ID)


def test_longest_captions_fit(tok):
    """3 objects naming every attribute the clip allows: the grammar keeps
    every caption within MAX_TOKENS, so none is truncated."""
    rng = random.Random(4)
    longest = 0
    for _ in range(300):
        clip = sample_clip(rng, n_objects=3, camera="pan right", weather="rain", light="dim", style="pixel art")
        caption = describe(clip, rng, nameable(clip), "train")
        n = len(tok.encode(caption).ids) - tok.encode(caption).ids.count(PAD_ID)
        longest = max(longest, n)
        assert tok.encode(caption).ids[n - 1] == EOS_ID
    assert 30 < longest <= MAX_TOKENS


def test_user_text(tok):
    ids, mask = encode(tok, ["A RED Ｂａｌｌ bounces", "a red ball bounces", "a purple zebra moonwalks!"])
    assert torch.equal(ids[0], ids[1])
    assert ids[2].tolist()[:6] == [BOS_ID, tok.token_to_id("a"), tok.token_to_id("purple"), UNK_ID, UNK_ID,
                                   tok.token_to_id("!")]
    long_text = " ".join(["a red ball bounces"] * 30)
    first, _ = encode(tok, long_text)
    again, mask = encode(tok, [long_text])
    assert torch.equal(first, again) and mask.all() and again[0, -1] == EOS_ID
    assert encode(tok, [])[0].shape == (0, MAX_TOKENS)


def test_tokenizer_json_is_standard(tok, tmp_path):
    path = save_tokenizer(tmp_path / "tokenizer.json", tok)
    data = json.loads(path.read_text())
    assert data["model"]["type"] == "WordPiece" and data["model"]["unk_token"] == "[UNK]"
    assert not any(token.startswith("##") for token in data["model"]["vocab"])  # whole words only
    assert [n["type"] for n in data["normalizer"]["normalizers"]] == ["NFKC", "Lowercase"]
    assert [p["type"] for p in data["pre_tokenizer"]["pretokenizers"]] == ["WhitespaceSplit", "Punctuation", "Digits"]
    assert data["post_processor"]["type"] == "TemplateProcessing"
    assert Tokenizer.from_str(path.read_text()).encode("a red ball").ids[:2] == [BOS_ID, tok.token_to_id("a")]
