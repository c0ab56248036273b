"""Seeded Gaussian noise that the browser reproduces bit for bit.

mulberry32 is a counter-based generator: output i depends only on
seed + (i + 1) * 0x6D2B79F5 (mod 2^32), so numpy computes it vectorised here
and workers/ computes it in a loop with Math.imul, both giving the same
uint32 stream. Pairs of uniforms go through Box-Muller in float64 and are
rounded to float32. The noise for a clip is drawn in (C, F, h, w) order.
"""
from __future__ import annotations

import numpy as np
import torch

_GOLDEN = np.uint64(0x6D2B79F5)
_MASK = np.uint64(0xFFFFFFFF)


def _imul(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return (a * b) & _MASK


def mulberry32(seed: int, count: int) -> np.ndarray:
    """The first `count` outputs of mulberry32(seed) as float64 in [0, 1)."""
    a = (np.uint64(seed & 0xFFFFFFFF) + _GOLDEN * np.arange(1, count + 1, dtype=np.uint64)) & _MASK
    t = _imul(a ^ (a >> np.uint64(15)), a | np.uint64(1))
    t = ((t + _imul(t ^ (t >> np.uint64(7)), t | np.uint64(61))) & _MASK) ^ t
    return ((t ^ (t >> np.uint64(14))) & _MASK).astype(np.float64) / 4294967296.0


def gaussian_noise(seed: int, shape: tuple[int, ...]) -> torch.Tensor:
    """Standard normal float32 noise of `shape`, the same as the browser's."""
    n = int(np.prod(shape))
    u = mulberry32(seed, 2 * ((n + 1) // 2)).reshape(-1, 2)
    r = np.sqrt(-2.0 * np.log(1.0 - u[:, 0]))
    z = np.stack([r * np.cos(2 * np.pi * u[:, 1]), r * np.sin(2 * np.pi * u[:, 1])], -1).reshape(-1)[:n]
    return torch.from_numpy(z.astype(np.float32).reshape(shape))
