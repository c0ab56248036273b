"""Small image output for training logs and previews: PNG written with zlib,
so the training code needs no imaging library."""
from __future__ import annotations

import struct
import zlib
from pathlib import Path

import numpy as np
import torch


def write_png(path: Path, rgb: np.ndarray) -> None:
    """rgb (H, W, 3) uint8 -> an 8-bit RGB PNG."""
    h, w, _ = rgb.shape
    raw = b"".join(b"\x00" + rgb[y].tobytes() for y in range(h))
    chunk = lambda kind, data: (struct.pack(">I", len(data)) + kind + data
                                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))
    png = (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
           + chunk(b"IDAT", zlib.compress(raw, 6)) + chunk(b"IEND", b""))
    Path(path).write_bytes(png)


def save_clip_grid(clips: torch.Tensor, path: Path, captions: list[str] | None = None, columns: int = 8) -> None:
    """clips (B, T, 3, S, S) in [0, 1] -> one PNG, a row per clip and `columns`
    evenly spaced frames; captions go to a .txt beside it, one per row."""
    b, t = clips.shape[:2]
    idx = torch.linspace(0, t - 1, min(columns, t)).round().long()
    frames = clips[:, idx].clamp(0, 1)  # (B, K, 3, S, S)
    grid = frames.permute(0, 3, 1, 4, 2).reshape(b * clips.shape[-2], len(idx) * clips.shape[-1], 3)
    write_png(path, (grid.numpy() * 255).round().astype(np.uint8))
    if captions:
        Path(path).with_suffix(".txt").write_text("\n".join(captions) + "\n")
