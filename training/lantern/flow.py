"""Rectified flow (flow matching): the training target and the sampler.

x_t = (1 - t) x0 + t noise, t in [0, 1]; the model predicts v = noise - x0,
so x0 = x_t - t v. Sampling integrates dx/dt = v from t = 1 to t = 0 with
Euler steps on a shifted schedule (SD3's time shift: more steps at high
noise, where layout and motion are decided). The browser's sampler
(workers/) implements exactly `sample_schedule` and `euler_step`; the
fixtures in test/fixtures/ pin them.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import torch


@dataclass
class FlowConfig:
    shift: float = 2.0  # schedule shift; >1 spends more steps at high noise
    default_steps: int = 20
    default_guidance: float = 4.0


def shift_time(t: torch.Tensor, shift: float) -> torch.Tensor:
    return shift * t / (1 + (shift - 1) * t)


def sample_training_time(batch: int, shift: float, uniform_fraction: float = 0.0,
                         generator: torch.Generator | None = None,
                         device: torch.device | str = "cpu") -> torch.Tensor:
    """Logit-normal t, shifted like the sampling schedule (SD3), with a
    share `uniform_fraction` drawn uniformly from [0, 1] instead. The
    logit-normal alone almost never draws t < 0.1 (0.2% with shift 2), yet
    the sampler's last step starts there: a small model trained that way
    leaves the last noise in the latent, which decodes as speckle."""
    u = shift_time(torch.sigmoid(torch.randn(batch, generator=generator, device=device)), shift)
    if uniform_fraction <= 0:
        return u
    flat = torch.rand(batch, generator=generator, device=device)
    pick = torch.rand(batch, generator=generator, device=device) < uniform_fraction
    return torch.where(pick, flat, u)


def noisy(x0: torch.Tensor, noise: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
    tt = t.reshape(-1, *([1] * (x0.dim() - 1)))
    return (1 - tt) * x0 + tt * noise


def sample_schedule(steps: int, shift: float, start: float = 1.0) -> list[float]:
    """steps + 1 times from `start` down to 0. `start` < 1 is the editing
    case: the clip's latent is re-noised to `start` and denoised from there."""
    if steps < 1:
        raise ValueError(f"steps must be at least 1, got {steps}")
    ts = torch.linspace(1.0, 0.0, steps + 1, dtype=torch.float64)
    ts = shift_time(ts, shift) * start
    return [float(t) for t in ts]


def euler_step(x: torch.Tensor, v: torch.Tensor, t: float, t_next: float) -> torch.Tensor:
    return x + (t_next - t) * v


def guided(v_cond: torch.Tensor, v_uncond: torch.Tensor, guidance: float) -> torch.Tensor:
    return v_uncond + guidance * (v_cond - v_uncond)


Denoiser = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]  # (x_in, t) -> v


def sample(denoise: Denoiser, noise: torch.Tensor, cond: torch.Tensor, mask: torch.Tensor,
           steps: int, shift: float, guidance: float, start_latent: torch.Tensor | None = None,
           strength: float = 1.0, on_step: Callable[[int, torch.Tensor], None] | None = None) -> torch.Tensor:
    """Generate latents.

    noise, cond: (B, C, F, h, w); mask: (B, 1, F, h, w), 1 where a latent
    frame is given. `denoise(x_in, t)` takes the batch twice over
    (conditional first, then unconditional) and returns v for both.
    Editing: start_latent with strength < 1 starts from that latent
    re-noised to t = strength. on_step(i, x0_estimate) feeds a live preview.
    """
    ts = sample_schedule(steps, shift, strength)
    x = noise if start_latent is None else noisy(start_latent, noise, torch.full((noise.shape[0],), ts[0]))
    cond_in = torch.cat([cond * mask, mask], 1)  # (B, C+1, F, h, w)
    for i in range(steps):
        t, t_next = ts[i], ts[i + 1]
        x_in = torch.cat([x, cond_in], 1).repeat(2, 1, 1, 1, 1)  # (2B, 2C+1, F, h, w)
        v_cond, v_uncond = denoise(x_in, torch.full((x_in.shape[0],), t)).chunk(2)
        v = guided(v_cond, v_uncond, guidance)
        if on_step is not None:
            on_step(i, x - t * v)
        x = euler_step(x, v, t, t_next)
    # Given frames come back exactly as given.
    return x * (1 - mask) + cond * mask
