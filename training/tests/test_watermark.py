"""The invisible watermark (lantern/watermark.py): round trip, visual cost,
no detection without a mark, the CRC and list decoding, and the fixed values
a TypeScript port must reproduce. Robustness to real H.264 re-encoding is
measured in bench/watermark_bench.py, not here."""
from __future__ import annotations

import hashlib
import random

import numpy as np
import pytest
import torch

from lantern import watermark as wm
from lantern.world.render import render_clips
from lantern.world.spec import sample_clip

torch.set_num_threads(1)
PAYLOAD = 0x4C4E0001  # 'LN' marker << 16 | model id 1


def rendered(seed: int, size: int = 128, frames: int = 8) -> np.ndarray:
    clip = sample_clip(random.Random(seed))
    video = render_clips([clip], size, frames)[0]  # (T, 3, S, S)
    return (video.clamp(0, 1) * 255).round().byte().permute(0, 2, 3, 1).numpy()


def psnr(a: np.ndarray, b: np.ndarray) -> float:
    return float(10 * np.log10(255 ** 2 / np.mean((a.astype(np.float64) - b) ** 2)))


@pytest.fixture(scope="module")
def clip() -> np.ndarray:
    return rendered(11)


def test_round_trip_finds_the_payload(clip):
    r = wm.detect(wm.embed(clip, PAYLOAD))
    assert r["found"] and r["payload"] == PAYLOAD
    assert r["bits"] == wm.to_bits(PAYLOAD, 32)
    assert r["score"] > 2 * wm.THRESHOLD


@pytest.mark.parametrize("shape", [(1, 64, 64), (3, 72, 128), (2, 200, 120)])
def test_round_trip_any_frame_size_and_count(shape):
    t, h, w = shape
    rng = np.random.default_rng(0)
    frames = np.clip(100 + rng.normal(0, 3, (t, h, w, 3)), 0, 255).astype(np.uint8)
    r = wm.detect(wm.embed(frames, 0xDEADBEEF))
    assert r["found"] and r["payload"] == 0xDEADBEEF


def test_psnr_above_40_db(clip):
    for frames in (clip, rendered(12), np.full((2, 64, 64, 3), 255, np.uint8)):
        assert psnr(wm.embed(frames, PAYLOAD), frames) > 40.0


def test_unmarked_clips_are_not_detected(clip):
    rng = np.random.default_rng(1)
    for frames in (clip, rng.integers(0, 256, (4, 128, 128, 3), dtype=np.uint8)):
        r = wm.detect(frames)
        assert not r["found"] and r["payload"] is None and r["score"] < wm.THRESHOLD


def test_survives_crop_and_half_scale_in_numpy(clip):
    """10% off each side, then a 2 x 2 box downscale (ffmpeg's versions are in the bench)."""
    marked = wm.embed(clip, PAYLOAD).astype(np.float64)
    cropped = marked[:, 13:115, 13:115]
    half = cropped[:, :100, :100].reshape(-1, 50, 2, 50, 2, 3).mean(axis=(2, 4))
    for frames in (cropped, half):
        r = wm.detect(np.round(frames).astype(np.uint8))
        assert r["found"] and r["payload"] == PAYLOAD


def codeword(payload: int) -> list[int]:
    bits = wm.to_bits(payload, 32)
    return bits + wm.to_bits(wm.crc(bits), wm.CRC_BITS)


def test_crc_catches_every_one_and_two_bit_error():
    for payload in (PAYLOAD, 0, 0xFFFFFFFF, 0x12345678):
        word = codeword(payload)
        flips = [(i,) for i in range(42)] + [(i, j) for i in range(42) for j in range(i + 1, 42)]
        for f in flips:
            bad = [b ^ (i in f) for i, b in enumerate(word)]
            assert wm.crc(bad[:32]) != wm.from_bits(bad[32:]), f


def ideal_coef(payload: int, noise: float = 0.3, seed: int = 0) -> np.ndarray:
    """Row correlations, in noise units, of a clean readout of `payload`."""
    coef = np.random.default_rng(seed).normal(0, noise, wm.N * wm.N)
    coef[0] = 8
    for k, sym in enumerate(wm.encode_symbols(payload)):
        coef[wm.GROUPS[k][sym & 31]] = -5 if sym & 32 else 5
    return coef


def test_list_decoding_corrects_symbols_whose_runner_up_is_right():
    """One or two symbols read wrong (a wrong row beats the right one, which
    comes second): up to 12 of the 42 bits flipped, the payload comes back."""
    for wrong in ((3,), (0, 6), (2, 5)):
        coef = ideal_coef(PAYLOAD)
        for k in wrong:
            sym = wm.encode_symbols(PAYLOAD)[k]
            coef[wm.GROUPS[k][(sym + 7) & 31]] = 5.5  # a wrong row, slightly stronger
        payload, bits = wm.decode_symbols(coef)
        assert payload == PAYLOAD and bits == wm.to_bits(PAYLOAD, 32)


def test_decoding_rejects_what_it_cannot_correct():
    coef = ideal_coef(PAYLOAD)
    for k in (1, 4, 5):  # three symbols lost: the true rows not even in the top 3
        sym = wm.encode_symbols(PAYLOAD)[k]
        coef[wm.GROUPS[k][sym & 31]] = 0.0
    payload, bits = wm.decode_symbols(coef)
    assert payload is None and len(bits) == 32


def test_values_a_port_must_match():
    """The keyed tables, the symbols, the CRC and the marked pixels are part of
    the format: a TypeScript port (and any change here) must give these."""
    assert wm.PERM[:8].tolist() == [178, 36, 57, 133, 44, 29, 158, 124]
    assert wm.SIGN[:8].tolist() == [-1, -1, -1, 1, -1, -1, 1, 1]
    assert wm.encode_symbols(PAYLOAD) == [19, 4, 56, 0, 0, 20, 31]
    assert wm.crc(wm.to_bits(PAYLOAD, 32)) == 287
    marked = wm.embed(np.full((2, 32, 48, 3), 128, np.uint8), PAYLOAD)
    assert marked[0, :2, :6, 1].tolist() == [[131, 120, 123, 125, 125, 127], [133, 129, 129, 127, 127, 125]]
    assert hashlib.sha256(marked.tobytes()).hexdigest()[:16] == "df6c6a313cb0e7c7"


def test_lantern_payload_is_the_marker_and_the_model_tag():
    """FNV-1a-32 (UTF-8) of the model id, high 16 bits, under the 'LN' marker;
    test/watermark.node.test.ts checks the TypeScript gives the same."""
    assert wm.lantern_payload("lantern-tiny") == 0x4C4ED1B9
    assert wm.lantern_payload("a") == 0x4C4E << 16 | 0xE40C292C >> 16  # FNV-1a-32("a") = 0xe40c292c
    assert wm.lantern_payload("") == 0x4C4E811C  # the FNV offset basis
    assert wm.lantern_payload("café-modèle") == 0x4C4E3578  # UTF-8, as the TypeScript test asserts too
    assert wm.lantern_payload("café") != wm.lantern_payload("cafe")  # bytes, not code points folded
    assert all(wm.lantern_payload(m) >> 16 == wm.MARKER for m in ("x", "lantern-small", "ünïcode"))
