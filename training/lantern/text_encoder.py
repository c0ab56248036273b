"""The text encoder: a small pre-norm transformer over word tokens.

Trained from scratch together with the denoiser (no pretrained language
model can be fetched here, and Shapes World's language is small). The
denoiser cross-attends to every output token, padding included, so the
encoder's padded positions are part of the conditioning and the browser
needs no attention mask in cross-attention (see ARCHITECTURE.md).
"""
from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn as nn


@dataclass
class TextEncoderConfig:
    vocab_size: int = 512  # room above the grammar's ~300 words, so the vocabulary can grow without new shapes
    max_tokens: int = 48  # the tokenizer pads and truncates to this
    dim: int = 192  # also the width the denoiser's cross-attention reads
    depth: int = 4  # captions are short and grammatical; a few layers suffice
    heads: int = 4
    # Write the mean of the real tokens' outputs into every padding position.
    # The denoiser pools the caption as the mean of all 48 positions and
    # cross-attends to all of them (the browser's graphs take no mask);
    # with this, that mean is the mean of the real tokens alone, and the
    # padding keys carry the caption's summary instead of padding.
    pad_with_summary: bool = False


class TextEncoderBlock(nn.Module):
    def __init__(self, dim: int, heads: int):
        super().__init__()
        self.heads = heads
        self.norm1 = nn.LayerNorm(dim)
        self.qkv = nn.Linear(dim, 3 * dim)
        self.proj = nn.Linear(dim, dim)
        self.norm2 = nn.LayerNorm(dim)
        self.mlp = nn.Sequential(nn.Linear(dim, 4 * dim), nn.GELU(approximate="tanh"), nn.Linear(4 * dim, dim))

    def forward(self, x: torch.Tensor, bias: torch.Tensor) -> torch.Tensor:
        b, n, d = x.shape  # (B, L, D)
        h = self.heads
        qkv = self.qkv(self.norm1(x)).reshape(b, n, 3, h, d // h).permute(2, 0, 3, 1, 4)  # (3, B, h, L, d/h)
        q, k, v = qkv[0], qkv[1], qkv[2]
        scores = q @ k.transpose(-1, -2) * (d // h) ** -0.5 + bias  # (B, h, L, L)
        a = (scores.softmax(-1) @ v).transpose(1, 2).reshape(b, n, d)  # (B, L, D)
        x = x + self.proj(a)
        return x + self.mlp(self.norm2(x))


class TextEncoder(nn.Module):
    def __init__(self, cfg: TextEncoderConfig):
        super().__init__()
        self.cfg = cfg
        self.token = nn.Embedding(cfg.vocab_size, cfg.dim)
        self.position = nn.Parameter(torch.randn(1, cfg.max_tokens, cfg.dim) * 0.02)
        self.blocks = nn.ModuleList(TextEncoderBlock(cfg.dim, cfg.heads) for _ in range(cfg.depth))
        self.norm = nn.LayerNorm(cfg.dim)

    def forward(self, ids: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """ids, mask: (B, L) int64 and bool (True = real token) -> (B, L, D)."""
        x = self.token(ids) + self.position[:, : ids.shape[1]]  # (B, L, D)
        # Padding keys are masked inside the encoder (a large negative bias,
        # not -inf, so an all-padding row cannot produce NaN).
        bias = (~mask)[:, None, None, :].to(x.dtype) * -1e4  # (B, 1, 1, L)
        for block in self.blocks:
            x = block(x, bias)
        x = self.norm(x)
        if self.cfg.pad_with_summary:
            real = mask[..., None].to(x.dtype)  # (B, L, 1)
            summary = (x * real).sum(1, keepdim=True) / real.sum(1, keepdim=True).clamp_min(1)  # (B, 1, D)
            x = torch.where(mask[..., None], x, summary)
        return x

