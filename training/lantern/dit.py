"""The denoiser: a diffusion transformer over spacetime patches of the latent.

Input per latent frame: the noisy latent, a conditioning latent and a mask
channel (1 where that latent frame is given clean), concatenated. One model
thus does text-to-video (mask all 0), image-to-video (frame 0 given) and
scene continuation (the first frames given); editing re-noises a clip's
latent part way and denoises from there.

Each block: adaLN-modulated full spatiotemporal self-attention over all
tokens with qk-norm and 3-D rotary embedding, cross-attention to the text
tokens, and an adaLN-modulated MLP with gates initialised to zero
(adaLN-Zero). The objective is rectified flow: the model gives
v = noise - x0 (see flow.py), predicted directly or through x0
(`DiTConfig.prediction`).

The forward pass is written as stages separated by attention calls
(`embed`, `DiTBlock.pre_self`, `DiTBlock.pre_cross`, `DiTBlock.post_cross`,
`final`), so that export.py can cut the graph there and the browser runs
every attention call with its own WGSL kernel; `forward` chains the same
stages with the reference `attention` below.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import torch
import torch.nn as nn
import torch.nn.functional as F


X_MIN_T = 0.05  # with prediction "x": v = (x_t - x0) / max(t, X_MIN_T)


@dataclass
class DiTConfig:
    latent_channels: int = 12
    latent_frames: int = 4  # 16 frames / 4 frames per latent frame
    latent_size: int = 16  # 128 px / 8
    patch: int = 2  # spatial patch; 4 x 8 x 8 = 256 tokens at the default size
    dim: int = 192
    depth: int = 6
    heads: int = 6  # head size 32
    text_dim: int = 192
    mlp_ratio: float = 4.0
    rope_theta: float = 10000.0
    # Head dimensions given to the time, row and column axes of 3-D RoPE
    # (each even; they sum to the head size). Time has few positions, so
    # fewer frequencies.
    rope_dims: tuple[int, int, int] = (8, 12, 12)
    # The caption vector added to the time embedding (adaLN's global
    # conditioning): "mean" of all text positions, padding included (a
    # 6-word caption is 8 real tokens among 48), or the "first" position's
    # output, [BOS], which attends only to real tokens in the text encoder.
    text_pooling: str = "mean"
    # What the last layer predicts: "v" (= noise - x0) directly, or "x" (the
    # clean latent x0), turned into v = (x_t - x0) / t inside the model, so
    # the loss, the samplers and the engine still see v. A token of patch p
    # carries C*p*p numbers (768 at patch 8, 12 channels), more than the
    # model's width: its noise part cannot pass through the width, so v
    # cannot be predicted, while x0 (flat shapes) lies on a small manifold
    # that can (Li and He 2025, "Back to Basics: Let Denoising Generative
    # Models Denoise"). t is clamped at X_MIN_T in the division, as there.
    prediction: str = "v"
    # A convolutional refiner after the last layer, with this many hidden
    # channels (0: none). At patch 8 the last layer gives each token's 768
    # numbers from the model's width alone, token by token: its output lies in
    # a 192-dimensional subspace (shape's ceiling falls from 61.7 to 48.7%,
    # `evaluate --token-rank`) and the patches' edges show as seams. The
    # refiner adds, per latent frame, two 3x3 convolutions over the
    # prediction and `out_refine` more channels of the tokens' features laid
    # out like it, so neighbouring patches meet and a patch holds more than
    # the width. Its last convolution starts at zero: a model warm-started
    # from one without it (`train --denoiser-from`) begins exactly where
    # that one was.
    out_refine: int = 0

    @property
    def in_channels(self) -> int:
        return 2 * self.latent_channels + 1  # noisy latent, conditioning latent, mask

    @property
    def head_dim(self) -> int:
        return self.dim // self.heads

    @property
    def grid(self) -> tuple[int, int, int]:
        n = self.latent_size // self.patch
        return (self.latent_frames, n, n)

    @property
    def tokens(self) -> int:
        f, h, w = self.grid
        return f * h * w


# ----------------------------------------------------------------------------
# Attention and RoPE: the reference the WGSL kernels are tested against.


def rope_tables(grid: tuple[int, int, int], dims: tuple[int, int, int], theta: float) -> tuple[torch.Tensor, torch.Tensor]:
    """cos and sin, each (N, head_dim / 2), for tokens in (frame, row, column)
    order. Pair j of the head vector is (x[2j], x[2j+1]) ("interleaved"); the
    first dims[0] / 2 pairs rotate with the frame index, the next dims[1] / 2
    with the row, the last dims[2] / 2 with the column. Pair i of an axis with
    d dimensions turns by position * theta ** (-2i / d)."""
    f, h, w = grid
    pos = torch.stack(torch.meshgrid(torch.arange(f), torch.arange(h), torch.arange(w), indexing="ij"), -1)
    pos = pos.reshape(-1, 3).double()  # (N, 3)
    angles = []
    for axis, d in enumerate(dims):
        freqs = theta ** (-torch.arange(0, d, 2, dtype=torch.float64) / d)  # (d/2,)
        angles.append(pos[:, axis:axis + 1] * freqs)  # (N, d/2)
    angle = torch.cat(angles, -1)  # (N, hd/2)
    return angle.cos().float(), angle.sin().float()


def apply_rope(x: torch.Tensor, cos: torch.Tensor, sin: torch.Tensor) -> torch.Tensor:
    """x (B, H, N, hd) -> x with each interleaved pair rotated."""
    shape = x.shape
    pairs = x.reshape(*shape[:-1], -1, 2)  # (B, H, N, hd/2, 2)
    a, b = pairs[..., 0], pairs[..., 1]
    return torch.stack((a * cos - b * sin, a * sin + b * cos), -1).reshape(shape)


def attention(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, fast: bool = True) -> torch.Tensor:
    """softmax(q k^T / sqrt(hd)) v for (B, H, Nq, hd), (B, H, Nk, hd) -> (B, H, Nq, hd).
    The fast path is PyTorch's fused kernel; the reference path is the
    plain maths (used for ONNX export, which has no fused op to map to)."""
    if fast:
        return F.scaled_dot_product_attention(q, k, v)
    scores = q @ k.transpose(-1, -2) * q.shape[-1] ** -0.5  # (B, H, Nq, Nk)
    return scores.softmax(-1) @ v


# ----------------------------------------------------------------------------


class RMSNorm(nn.Module):
    def __init__(self, dim: int, eps: float = 1e-6):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(dim))
        self.eps = eps

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps) * self.weight


def patchify(x: torch.Tensor, p: int) -> torch.Tensor:
    """(B, C, F, h, w) -> tokens (B, F * h/p * w/p, C*p*p): frame-major, then rows, then columns."""
    b, c, f, h, w = x.shape
    x = x.reshape(b, c, f, h // p, p, w // p, p).permute(0, 2, 3, 5, 1, 4, 6)  # (B, F, h/p, w/p, C, p, p)
    return x.reshape(b, f * (h // p) * (w // p), c * p * p)


def unpatchify(x: torch.Tensor, p: int, channels: int, grid: tuple[int, int, int]) -> torch.Tensor:
    """patchify's inverse: tokens (B, N, C*p*p) on grid (F, h/p, w/p) -> (B, C, F, h, w)."""
    b = x.shape[0]
    f, gh, gw = grid
    x = x.reshape(b, f, gh, gw, channels, p, p).permute(0, 4, 1, 2, 5, 3, 6)  # (B, C, F, gh, p, gw, p)
    return x.reshape(b, channels, f, gh * p, gw * p)


def modulate(x: torch.Tensor, shift: torch.Tensor, scale: torch.Tensor) -> torch.Tensor:
    return x * (1 + scale[:, None]) + shift[:, None]


def timestep_embedding(t: torch.Tensor, dim: int = 256) -> torch.Tensor:
    """t (B,) in [0, 1] -> sinusoidal features (B, dim), of 1000 t as in DiT."""
    half = dim // 2
    freqs = torch.exp(-math.log(10000.0) * torch.arange(half, device=t.device, dtype=torch.float32) / half)
    args = 1000.0 * t.float()[:, None] * freqs[None]  # (B, dim/2)
    return torch.cat([args.cos(), args.sin()], -1)


class DiTBlock(nn.Module):
    def __init__(self, cfg: DiTConfig):
        super().__init__()
        d, hd = cfg.dim, cfg.head_dim
        self.heads = cfg.heads
        self.norm1 = nn.LayerNorm(d, elementwise_affine=False, eps=1e-6)
        self.qkv = nn.Linear(d, 3 * d)
        self.q_norm, self.k_norm = RMSNorm(hd), RMSNorm(hd)
        self.proj = nn.Linear(d, d)
        self.norm_cross = nn.LayerNorm(d, eps=1e-6)
        self.q_cross = nn.Linear(d, d)
        self.kv_cross = nn.Linear(cfg.text_dim, 2 * d)
        self.q_cross_norm, self.k_cross_norm = RMSNorm(hd), RMSNorm(hd)
        self.proj_cross = nn.Linear(d, d)
        self.norm2 = nn.LayerNorm(d, elementwise_affine=False, eps=1e-6)
        hidden = int(d * cfg.mlp_ratio)
        self.mlp = nn.Sequential(nn.Linear(d, hidden), nn.GELU(approximate="tanh"), nn.Linear(hidden, d))
        self.ada = nn.Linear(d, 6 * d)  # shift, scale, gate for attention and for the MLP
        nn.init.zeros_(self.ada.weight)
        nn.init.zeros_(self.ada.bias)

    def _heads(self, x: torch.Tensor) -> torch.Tensor:
        b, n, d = x.shape  # (B, N, D) -> (B, H, N, hd)
        return x.reshape(b, n, self.heads, d // self.heads).transpose(1, 2)

    def _merge(self, x: torch.Tensor) -> torch.Tensor:
        b, h, n, hd = x.shape  # (B, H, N, hd) -> (B, N, D)
        return x.transpose(1, 2).reshape(b, n, h * hd)

    def text_kv(self, text: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """text (B, L, Dt) -> cross-attention keys and values (B, H, L, hd);
        constant over the denoising steps, so computed once per clip."""
        k, v = self.kv_cross(text).chunk(2, -1)
        return self.k_cross_norm(self._heads(k)), self._heads(v)

    def _ada(self, c: torch.Tensor, first: int, count: int) -> tuple[torch.Tensor, ...]:
        """Modulation vectors first .. first+count-1 of (shift, scale, gate) x
        (attention, MLP), each (B, D). Only those rows of `ada` are used, so
        each exported stage graph carries just the weights it needs."""
        d = self.ada.weight.shape[1]
        rows = slice(first * d, (first + count) * d)
        return F.linear(F.silu(c), self.ada.weight[rows], self.ada.bias[rows]).chunk(count, -1)

    def pre_self(self, x: torch.Tensor, c: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """-> q, k, v (B, H, N, hd), qk-normed, before RoPE (the kernel applies it)."""
        shift, scale = self._ada(c, 0, 2)
        q, k, v = self.qkv(modulate(self.norm1(x), shift, scale)).chunk(3, -1)
        return self.q_norm(self._heads(q)), self.k_norm(self._heads(k)), self._heads(v)

    def pre_cross(self, x: torch.Tensor, c: torch.Tensor, a: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """a: self-attention output (B, H, N, hd) -> new x (B, N, D), cross query (B, H, N, hd)."""
        (gate,) = self._ada(c, 2, 1)
        x = x + gate[:, None] * self.proj(self._merge(a))
        return x, self.q_cross_norm(self._heads(self.q_cross(self.norm_cross(x))))

    def post_cross(self, x: torch.Tensor, c: torch.Tensor, a: torch.Tensor) -> torch.Tensor:
        """a: cross-attention output (B, H, N, hd) -> x (B, N, D) after the MLP."""
        shift, scale, gate = self._ada(c, 3, 3)
        x = x + self.proj_cross(self._merge(a))
        return x + gate[:, None] * self.mlp(modulate(self.norm2(x), shift, scale))


class DiT(nn.Module):
    def __init__(self, cfg: DiTConfig):
        super().__init__()
        assert sum(cfg.rope_dims) == cfg.head_dim and all(d % 2 == 0 for d in cfg.rope_dims)
        if cfg.text_pooling not in ("mean", "first"):
            raise ValueError(f"Unsupported text_pooling {cfg.text_pooling!r}. Must be one of: mean, first.")
        if cfg.prediction not in ("v", "x"):
            raise ValueError(f"Unsupported prediction {cfg.prediction!r}. Must be one of: v, x.")
        if cfg.out_refine < 0:
            raise ValueError(f"out_refine is a number of channels (0: no refiner), got {cfg.out_refine}")
        self.cfg = cfg
        p = cfg.patch
        self.patch_in = nn.Linear(cfg.in_channels * p * p, cfg.dim)
        self.time_mlp = nn.Sequential(nn.Linear(256, cfg.dim), nn.SiLU(), nn.Linear(cfg.dim, cfg.dim))
        self.text_pool = nn.Linear(cfg.text_dim, cfg.dim)  # pooled caption -> global conditioning
        self.blocks = nn.ModuleList(DiTBlock(cfg) for _ in range(cfg.depth))
        self.norm_out = nn.LayerNorm(cfg.dim, elementwise_affine=False, eps=1e-6)
        self.ada_out = nn.Linear(cfg.dim, 2 * cfg.dim)
        self.patch_out = nn.Linear(cfg.dim, cfg.latent_channels * p * p)
        for layer in (self.ada_out, self.patch_out):
            nn.init.zeros_(layer.weight)
            nn.init.zeros_(layer.bias)
        if cfg.out_refine:
            r, c = cfg.out_refine, cfg.latent_channels
            self.refine_features = nn.Linear(cfg.dim, r * p * p)
            self.refine_in = nn.Conv2d(c + r, 2 * r, 3, padding=1)
            self.refine_out = nn.Conv2d(2 * r, c, 3, padding=1)
            nn.init.zeros_(self.refine_out.weight)
            nn.init.zeros_(self.refine_out.bias)
        cos, sin = rope_tables(cfg.grid, cfg.rope_dims, cfg.rope_theta)
        self.register_buffer("rope_cos", cos, persistent=False)  # (N, hd/2)
        self.register_buffer("rope_sin", sin, persistent=False)

    # -- stages ---------------------------------------------------------------

    def embed(self, x_in: torch.Tensor, t: torch.Tensor, text: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """x_in (B, 2C+1, F, h, w), t (B,), text (B, L, Dt) -> tokens (B, N, D), conditioning c (B, D)."""
        x = self.patch_in(patchify(x_in, self.cfg.patch))  # (B, N, D)
        c = self.time_mlp(timestep_embedding(t)) + self.text_pool(self.pooled_text(text))  # (B, D)
        return x, c

    def pooled_text(self, text: torch.Tensor) -> torch.Tensor:
        """text (B, L, Dt) -> the caption vector adaLN reads (B, Dt): cfg.text_pooling's."""
        return text[:, 0] if self.cfg.text_pooling == "first" else text.mean(1)

    def final(self, x: torch.Tensor, c: torch.Tensor) -> torch.Tensor:
        """tokens (B, N, D) -> the last layer's prediction (B, C, F, h, w):
        v, or x0 with cfg.prediction "x" (see `velocity`)."""
        cfg = self.cfg
        shift, scale = self.ada_out(F.silu(c)).chunk(2, -1)
        x = modulate(self.norm_out(x), shift, scale)  # (B, N, D)
        out = unpatchify(self.patch_out(x), cfg.patch, cfg.latent_channels, cfg.grid)  # (B, C, F, h, w)
        if not cfg.out_refine:
            return out
        features = unpatchify(self.refine_features(x), cfg.patch, cfg.out_refine, cfg.grid)  # (B, R, F, h, w)
        frames = lambda z: z.transpose(1, 2).flatten(0, 1)  # (B, ch, F, h, w) -> (B*F, ch, h, w)
        y = self.refine_out(F.silu(self.refine_in(torch.cat([frames(out), frames(features)], 1))))  # (B*F, C, h, w)
        b, ch, f, h, w = out.shape
        return out + y.reshape(b, f, ch, h, w).transpose(1, 2)

    def velocity(self, out: torch.Tensor, x_in: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
        """`final`'s output -> v. With prediction "x", out is x0 and
        v = (x_t - x0) / max(t, X_MIN_T), x_t being x_in's first C channels."""
        if self.cfg.prediction == "v":
            return out
        x_t = x_in[:, : self.cfg.latent_channels]
        return (x_t - out) / t.clamp_min(X_MIN_T).reshape(-1, 1, 1, 1, 1)

    # -- whole graph ------------------------------------------------------------

    def forward(self, x_in: torch.Tensor, t: torch.Tensor, text: torch.Tensor, fast: bool = True,
                hidden_after: int | None = None):
        """x_in (B, 2C+1, F, h, w), t (B,) in [0, 1], text (B, L, Dt) -> v (B, C, F, h, w);
        with hidden_after = i (training only), (v, tokens after block i (B, N, D))."""
        x, c = self.embed(x_in, t, text)
        hidden = None
        for i, block in enumerate(self.blocks):
            k_text, v_text = block.text_kv(text)
            q, k, v = block.pre_self(x, c)
            q, k = apply_rope(q, self.rope_cos, self.rope_sin), apply_rope(k, self.rope_cos, self.rope_sin)
            x, q_cross = block.pre_cross(x, c, attention(q, k, v, fast))
            x = block.post_cross(x, c, attention(q_cross, k_text, v_text, fast))
            if i == hidden_after:
                hidden = x
        v = self.velocity(self.final(x, c), x_in, t)
        return v if hidden_after is None else (v, hidden)
