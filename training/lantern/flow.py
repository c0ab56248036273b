"""Rectified flow (flow matching): the training target and the sampler.

x_t = (1 - t) x0 + t noise, t in [0, 1]; the model predicts v = noise - x0,
so x0 = x_t - t v. Sampling integrates dx/dt = v from t = 1 to t = 0 on a
shifted schedule (SD3's time shift: more steps at high noise, where layout
and motion are decided) with one of SAMPLERS: Euler, Heun's second-order
method or DPM-Solver++(2M). The browser's sampler (workers/engine/sampling/)
implements exactly `sample_schedule`, `euler_step`, `heun_correction` and
`dpmpp2m_step`; the fixtures in test/fixtures/engine/ pin them.
"""
from __future__ import annotations

import math
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
                         device: torch.device | str = "cpu",
                         high_fraction: float = 0.0, high_from: float = 0.98) -> torch.Tensor:
    """Logit-normal t, shifted like the sampling schedule (SD3), with a
    share `uniform_fraction` drawn uniformly from [0, 1] instead, and a share
    `high_fraction` uniformly from [high_from, 1]. The logit-normal alone
    almost never draws t < 0.1 (0.2% with shift 2), yet the sampler's last
    step starts there: a small model trained that way leaves the last noise
    in the latent, which decodes as speckle. It almost never draws t > 0.98
    either (0.07% with shift 2), yet the sampler's first step starts at 1,
    and a latent as redundant as a plain background still shows through
    the noise up to about 0.99: a model trained only below that reads its
    background from the noise, not from the caption (ARCHITECTURE.md)."""
    u = shift_time(torch.sigmoid(torch.randn(batch, generator=generator, device=device)), shift)
    if uniform_fraction > 0:
        flat = torch.rand(batch, generator=generator, device=device)
        pick = torch.rand(batch, generator=generator, device=device) < uniform_fraction
        u = torch.where(pick, flat, u)
    if high_fraction > 0:
        top = high_from + (1 - high_from) * torch.rand(batch, generator=generator, device=device)
        pick = torch.rand(batch, generator=generator, device=device) < high_fraction
        u = torch.where(pick, top, u)
    return u


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


def heun_correction(x: torch.Tensor, v: torch.Tensor, v_next: torch.Tensor, t: float, t_next: float) -> torch.Tensor:
    """Heun's corrector: x + (t_next - t) (v + v_next) / 2, with v_next the
    velocity at the Euler prediction (euler_step(x, v, t, t_next), t_next)."""
    return x + (0.5 * (t_next - t)) * (v + v_next)


def heun_step(x: torch.Tensor, v: torch.Tensor, t: float, t_next: float,
              velocity: Callable[[torch.Tensor, float], torch.Tensor]) -> torch.Tensor:
    """Heun's second-order step (EDM, Karras et al. 2022, Algorithm 1): an
    Euler prediction, then the average of the velocities at both ends. Two
    denoiser calls per step (v, given, and velocity(x_pred, t_next)), except
    the final step into t = 0, which stays Euler as in EDM: one call, so N
    steps cost 2N - 1 calls. EDM's last step starts at sigma_min (0.002);
    this schedule's starts at ts[-2] (0.22 at 8 steps, shift 2), so that
    first-order step is most of the error left (tests/test_samplers.py)."""
    x_pred = euler_step(x, v, t, t_next)
    if t_next == 0:
        return x_pred
    return heun_correction(x, v, velocity(x_pred, t_next), t, t_next)


def log_snr(t: float) -> float:
    """lambda = log(alpha / sigma) with alpha = 1 - t, sigma = t: -inf at t = 1,
    +inf at t = 0 (both ends are handled by dpmpp2m_step without it)."""
    return math.log((1 - t) / t)


def dpmpp2m_step(x: torch.Tensor, x0: torch.Tensor, x0_prev: torch.Tensor | None,
                 t_prev: float | None, t: float, t_next: float) -> torch.Tensor:
    """One step of DPM-Solver++(2M) (Lu et al. 2022, multistep, second
    order), for velocity prediction in rectified flow: the data prediction is
    x0 = x - t v, alpha_t = 1 - t, sigma_t = t, lambda = log(alpha / sigma).

    x_next = (sigma_next / sigma) x - alpha_next (e^-h - 1) D, h = lambda_next -
    lambda, which with alpha = 1 - t, sigma = t is exactly
    x_next = r x + (1 - r) D, r = t_next / t. First order (D = x0) this is
    the Euler step; second order D = x0 + (x0 - x0_prev) h / (2 h_prev)
    extrapolates the data prediction linearly in lambda from the previous
    step's (x0_prev at t_prev; h_prev = lambda - lambda_prev).

    First order on the first step (x0_prev None) and on the step after t = 1
    (lambda(1) = -inf: the slope from an infinitely distant point is 0, the
    same as first order); the final step into t = 0 (lambda = +inf) is first
    order too and gives D = x0 exactly, so no division by zero anywhere. One
    denoiser call per step: N steps cost N calls.
    """
    if t_next == 0:
        return x0
    if x0_prev is None or t_prev is None or t_prev >= 1:
        d = x0
    else:
        h = log_snr(t_next) - log_snr(t)
        h_prev = log_snr(t) - log_snr(t_prev)
        d = x0 + (x0 - x0_prev) * (h / (2 * h_prev))
    r = t_next / t
    return r * x + (1 - r) * d


SAMPLERS = ("euler", "heun", "dpmpp2m")


def check_sampler(sampler: str) -> str:
    if sampler not in SAMPLERS:
        raise ValueError(f"Sampler {sampler!r} is not allowed. It must be one of: {', '.join(SAMPLERS)}.")
    return sampler


def denoiser_evaluations(sampler: str, steps: int) -> int:
    """Denoiser calls (each one guidance batch) for `steps` steps: Euler and
    DPM-Solver++(2M) one per step, Heun two per step but one on the last."""
    if steps < 1:
        raise ValueError(f"steps must be at least 1, got {steps}")
    return 2 * steps - 1 if check_sampler(sampler) == "heun" else steps


def guided(v_cond: torch.Tensor, v_uncond: torch.Tensor, guidance: float) -> torch.Tensor:
    return v_uncond + guidance * (v_cond - v_uncond)


Denoiser = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]  # (x_in, t) -> v
Velocity = Callable[[torch.Tensor, float], torch.Tensor]  # (x, t) -> guided v


def integrate(velocity: Velocity, x: torch.Tensor, ts: list[float], sampler: str = "euler",
              on_step: Callable[[int, torch.Tensor, torch.Tensor], None] | None = None) -> torch.Tensor:
    """Integrates dx/dt = velocity(x, t) over the times `ts` (from
    sample_schedule) with `sampler`, one of SAMPLERS. on_step(i, x_next, x0)
    after step i: the latent at ts[i + 1] and the clean-clip estimate
    x - t v from the step's first velocity (at ts[i])."""
    check_sampler(sampler)
    x0_prev: torch.Tensor | None = None
    for i in range(len(ts) - 1):
        t, t_next = ts[i], ts[i + 1]
        v = velocity(x, t)
        x0 = x - t * v
        if sampler == "euler":
            x_next = euler_step(x, v, t, t_next)
        elif sampler == "heun":
            x_next = heun_step(x, v, t, t_next, velocity)
        else:
            x_next = dpmpp2m_step(x, x0, x0_prev, ts[i - 1] if i > 0 else None, t, t_next)
            x0_prev = x0
        if on_step is not None:
            on_step(i, x_next, x0)
        x = x_next
    return x


def sample(denoise: Denoiser, noise: torch.Tensor, cond: torch.Tensor, mask: torch.Tensor,
           steps: int, shift: float, guidance: float, start_latent: torch.Tensor | None = None,
           strength: float = 1.0, on_step: Callable[[int, torch.Tensor], None] | None = None,
           sampler: str = "euler") -> torch.Tensor:
    """Generate latents.

    noise, cond: (B, C, F, h, w); mask: (B, 1, F, h, w), 1 where a latent
    frame is given. `denoise(x_in, t)` takes the batch twice over
    (conditional first, then unconditional) and returns v for both.
    Editing: start_latent with strength < 1 starts from that latent
    re-noised to t = strength. on_step(i, x0_estimate) feeds a live preview.
    sampler: one of SAMPLERS ("euler", "heun", "dpmpp2m"); `steps` steps cost
    denoiser_evaluations(sampler, steps) calls of `denoise`.
    """
    check_sampler(sampler)
    ts = sample_schedule(steps, shift, strength)
    x = noise if start_latent is None else noisy(start_latent, noise, torch.full((noise.shape[0],), ts[0]))
    cond_in = torch.cat([cond * mask, mask], 1)  # (B, C+1, F, h, w)

    def velocity(xt: torch.Tensor, t: float) -> torch.Tensor:
        x_in = torch.cat([xt, cond_in], 1).repeat(2, 1, 1, 1, 1)  # (2B, 2C+1, F, h, w)
        v_cond, v_uncond = denoise(x_in, torch.full((x_in.shape[0],), t)).chunk(2)
        return guided(v_cond, v_uncond, guidance)  # (B, C, F, h, w)

    x = integrate(velocity, x, ts, sampler, None if on_step is None else lambda i, _x, x0: on_step(i, x0))
    # Given frames come back exactly as given.
    return x * (1 - mask) + cond * mask
