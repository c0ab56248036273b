"""Where the objects are, on the latent grid, so the denoiser's loss can
weigh them more (`--set object_weight=W`, training only).

A judged object covers a few percent of a clip, the background the rest, so
the flow loss is mostly background: the CPU line learnt to follow the
background's colour word (50% on 200 prompts) while the object's colour,
shape and motion stayed at chance (ARCHITECTURE.md, The model). The world
renders each clip again without its objects (`render_background`: the same
camera, light, weather and style), so which pixels an object (or its shadow)
changed is exact, not guessed; a latent position is marked when any pixel of
its cell, in any frame it holds, changed."""
from __future__ import annotations

import torch
import torch.nn.functional as F

# A pixel counts as changed by an object when one channel moves by more than
# this (sRGB in [0, 1]); the background render repeats the clip's own noise,
# so unchanged pixels differ by float rounding only.
CHANGED = 0.02


def object_mask(video: torch.Tensor, background: torch.Tensor, temporal: int, spatial: int) -> torch.Tensor:
    """video, background (B, T, 3, S, S) -> (B, 1, T/temporal, S/spatial, S/spatial)
    uint8, 1 where an object changed any pixel of that latent position's cell."""
    if video.shape != background.shape:
        raise ValueError(f"video {tuple(video.shape)} and background {tuple(background.shape)} "
                         "must have the same shape: render both from the same clips")
    _, t, _, s, _ = video.shape
    if t % temporal or s % spatial:
        raise ValueError(f"frames {t} and size {s} must divide by the autoencoder's temporal {temporal} "
                         f"and spatial {spatial} compression")
    changed = ((video - background).abs().amax(dim=2) > CHANGED).float()  # (B, T, S, S)
    cells = F.max_pool3d(changed[:, None], (temporal, spatial, spatial))  # (B, 1, F, h, w)
    return cells.to(torch.uint8)


def loss_weight(given: torch.Tensor, objects: torch.Tensor, object_weight: float) -> torch.Tensor:
    """The flow loss's weight per latent position: 0 on given (conditioning)
    frames, `object_weight` where an object is, 1 elsewhere.
    given (B, 1, F, 1, 1) or (B, 1, F, h, w) in {0, 1}, objects (B, 1, F, h, w) uint8."""
    return (1 - given) * (1 + (object_weight - 1) * objects.float())
