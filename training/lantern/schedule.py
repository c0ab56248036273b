"""The schedules a training run follows, and their checks: the learning
rate over the budget (`lr_at`) and the shares of training times
(`TrainConfig.t_uniform`, `t_high`; flow.sample_training_time)."""
from __future__ import annotations

import math

from .presets import TrainConfig


def lr_at(step: int, elapsed: float, cfg: TrainConfig, base_lr: float, budget_s: float, max_steps: int) -> float:
    """Linear warmup, then over the time (or step) budget either a cosine
    decay to 10% (cfg.lr_schedule "cosine") or a constant rate with a linear
    cool-down to 10% over the last cfg.cooldown of the budget ("wsd":
    warmup, stable, decay; no early decay while the model still learns)."""
    if step < cfg.warmup_steps:
        return base_lr * (step + 1) / cfg.warmup_steps
    progress = min(1.0, max(elapsed / budget_s, step / max_steps))
    if cfg.lr_schedule == "wsd":
        into_cooldown = (progress - (1 - cfg.cooldown)) / max(cfg.cooldown, 1e-9)
        return base_lr * (1 - 0.9 * min(1.0, max(0.0, into_cooldown)))
    return base_lr * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * progress)))


def check_schedules(cfg: TrainConfig) -> None:
    """SystemExit naming what is wrong with cfg's schedules."""
    if cfg.lr_schedule not in ("cosine", "wsd"):
        raise SystemExit(f"Unsupported lr_schedule {cfg.lr_schedule!r}. Must be one of: cosine, wsd.")
    if not (0 <= cfg.t_uniform + cfg.t_high <= 1 and 0 <= cfg.t_high_from < 1):
        raise SystemExit(f"t_uniform + t_high must lie in [0, 1] and t_high_from in [0, 1); got {cfg.t_uniform}, "
                         f"{cfg.t_high} and {cfg.t_high_from}")
