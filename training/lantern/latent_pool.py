"""The denoiser's training data: rendered clips kept as latents with their
captions, on the training device (train.py draws its batches here)."""
from __future__ import annotations

import random

import torch

from .attribute_head import attribute_labels
from .caption_head import IGNORE, NAMED, caption_labels
from .curriculum import always_named, curriculum_share, draw_training_clips
from .pipeline import LanternModel
from .presets import TrainConfig
from .tokenizer import encode
from .world.captions import captions_for
from .object_weight import object_mask
from .world.render import render_background, render_clips


class LatentPool:
    """Rendered clips kept as normalised latents, each with `pool_captions`
    tokenised captions drawn when it was rendered, all on the training
    device: drawing a batch (clips, one of their captions, caption dropout)
    is a few device ops with no host work and no host sync, so the host can
    queue the next step while the GPU runs this one."""

    def __init__(self, model: LanternModel, cfg: TrainConfig, rng: random.Random, device: torch.device):
        if cfg.object_weight <= 0:
            raise ValueError(f"object_weight {cfg.object_weight} must be > 0 (1 weighs objects like the "
                             "background; 4 weighs them four times)")
        self.model, self.cfg, self.rng, self.device = model, cfg, rng, device
        self.specs: list = []
        self.simple: list[bool] = []  # per clip: drawn from the curriculum's simple world
        parts = []
        chunk = max(64, cfg.pool_refresh * cfg.pool_refresh_every)  # clips per render, as the refreshes
        for i in range(0, cfg.pool_clips, chunk):
            specs, simple, *tensors = self._render(min(chunk, cfg.pool_clips - i), curriculum_share(0, cfg.curriculum))
            self.specs += specs
            self.simple += simple
            parts.append(tensors)
        self.latents, self.stills, self.ids, self.masks, self.labels, self.named, self.objects = (
            torch.cat(column) for column in zip(*parts))
        # latents (P, C, F, h, w), stills (P, C, 1, h, w), ids and masks (P, K, L), labels (P, 4),
        # named (P, K, 4): what each caption names (caption_head.py), objects (P, 1, F, h, w)
        # uint8: where the objects are (object_weight.py; (P, 1, 1, 1, 1) zeros when off)
        empty_ids, empty_mask = encode(model.tokenizer, [""])
        self.empty_ids, self.empty_mask = empty_ids.to(device), empty_mask.to(device)  # (1, L)
        self.cursor = 0

    @torch.no_grad()
    def _render(self, count: int, simple_share: float):
        """`count` new clips, `simple_share` of them from the curriculum's world
        (curriculum.py) -> specs, which are simple, latents, stills, caption ids
        and masks, labels, what each caption names, where the objects are."""
        specs, simple = draw_training_clips(self.rng, count, simple_share)
        video = render_clips(specs, size=self.cfg.model.size, frames=self.cfg.model.frames, device=self.device)
        k = self.cfg.pool_captions
        always = [always_named(self.rng, easy, self.cfg.name_judged) for easy in simple]
        captions = [captions_for(s, self.rng, n=k, split="train", always=a)
                    for s, a in zip(specs, always)]
        if any(len(c) != k for c in captions):
            raise ValueError(f"a clip has fewer than {k} distinct captions; lower pool_captions")
        flat = [c for clip in captions for c in clip]
        ids, masks = encode(self.model.tokenizer, flat)
        shape = (count, k, ids.shape[-1])
        return (specs, simple, self.model.encode_video(video), self.model.still_latent(video[:, 0]),
                ids.reshape(shape).to(self.device), masks.reshape(shape).to(self.device),
                attribute_labels(specs).to(self.device), self._named(flat).reshape(count, k, -1).to(self.device),
                self._objects(specs, video))

    def _objects(self, specs: list, video: torch.Tensor) -> torch.Tensor:
        """Where the objects are on the latent grid, rendered only for a run that
        weighs them (object_weight != 1): the background render costs about half
        a clip's render."""
        if self.cfg.object_weight == 1:
            return torch.zeros(len(specs), 1, 1, 1, 1, dtype=torch.uint8, device=self.device)
        ae = self.cfg.model.autoencoder
        background = render_background(specs, size=self.cfg.model.size, frames=self.cfg.model.frames,
                                       device=self.device)
        return object_mask(video, background, ae.temporal, ae.spatial)

    def _named(self, captions: list[str]) -> torch.Tensor:
        """What each caption names (N, 4), parsed only for a run with the caption
        head: parsing is host work, and the GPU preset's step waits on the host."""
        if self.cfg.caption_weight > 0:
            return caption_labels(captions)
        return torch.full((len(captions), len(NAMED)), IGNORE, dtype=torch.long)

    def refresh(self, count: int, simple_share: float = 0.0) -> None:
        """Replace the `count` oldest clips (at most the whole pool) with new
        renders, in one batch, simple_share of them from the curriculum's world."""
        count = min(count, len(self.specs))
        if count <= 0:
            return
        specs, simple, *tensors = self._render(count, simple_share)
        slots = [(self.cursor + j) % len(self.specs) for j in range(count)]
        for i, spec, easy in zip(slots, specs, simple):
            self.specs[i], self.simple[i] = spec, easy
        idx = torch.tensor(slots, device=self.latents.device)  # (count,): distinct slots, one copy each
        stores = (self.latents, self.stills, self.ids, self.masks, self.labels, self.named, self.objects)
        for store, new in zip(stores, tensors):
            store[idx] = new
        self.cursor = (self.cursor + count) % len(self.specs)

    def batch(self, size: int, caption_dropout: float):
        """-> x0 (B, C, F, h, w), still (B, C, 1, h, w), ids (B, L), mask (B, L),
        labels (B, 4), named (B, 4), objects (B, 1, F, h, w) or (B, 1, 1, 1, 1):
        random clips, each with one of its captions, or the empty caption with
        probability `caption_dropout` (for classifier-free guidance), its true
        attributes (attribute_head.py), what its caption names (caption_head.py;
        IGNORE for the empty one) and where its objects are (object_weight.py)."""
        idx = torch.randint(len(self.specs), (size,), device=self.device)
        pick = torch.randint(self.ids.shape[1], (size,), device=self.device)
        drop = (torch.rand(size, device=self.device) < caption_dropout)[:, None]  # (B, 1)
        ids = torch.where(drop, self.empty_ids, self.ids[idx, pick])
        mask = torch.where(drop, self.empty_mask, self.masks[idx, pick])
        named = torch.where(drop, IGNORE, self.named[idx, pick])
        return self.latents[idx], self.stills[idx], ids, mask, self.labels[idx], named, self.objects[idx]
