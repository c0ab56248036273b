"""An auxiliary head for training only: from the denoiser's tokens after a
middle block, predict the clip's true attributes (the first object's
colour, shape and motion, and the background), which the world gives
exactly. At high noise the latent says little, so the cheapest way for the
denoiser to predict them is to read its caption: the head's loss pulls the
text into the denoiser's features early in training. It is switched off
later (`aux_until`) and is not part of the exported model."""
from __future__ import annotations

import torch
import torch.nn as nn
import torch.nn.functional as F

from .world.spec import BACKGROUNDS, COLOUR_NAMES, MOTIONS, SHAPES, ClipSpec

# Plain backgrounds are told apart by their colour: "plain red", "plain blue", ...
BACKGROUND_NAMES = tuple(b for b in BACKGROUNDS if b != "plain") + tuple(f"plain {c}" for c in COLOUR_NAMES)
ATTRIBUTES: dict[str, tuple[str, ...]] = {
    "colour": COLOUR_NAMES, "shape": SHAPES, "motion": MOTIONS, "background": BACKGROUND_NAMES,
}


def attribute_labels(specs: list[ClipSpec]) -> torch.Tensor:
    """-> (B, 4) int64: each clip's first object's colour, shape and motion,
    and its background, as indices into ATTRIBUTES' lists."""
    rows = []
    for spec in specs:
        first = spec.objects[0]
        background = f"plain {spec.background_colour}" if spec.background == "plain" else spec.background
        values = (first.colour, first.shape, first.motion, background)
        rows.append([names.index(value) for names, value in zip(ATTRIBUTES.values(), values)])
    return torch.tensor(rows, dtype=torch.long)


class AttributeHead(nn.Module):
    def __init__(self, dim: int):
        super().__init__()
        self.norm = nn.LayerNorm(dim)
        self.out = nn.Linear(dim, sum(len(names) for names in ATTRIBUTES.values()))

    def loss(self, tokens: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        """tokens (B, N, D), labels (B, 4) -> mean cross-entropy over the four attributes."""
        logits = self.out(self.norm(tokens.float().mean(1)))  # (B, classes)
        sizes = [len(names) for names in ATTRIBUTES.values()]
        parts = logits.split(sizes, -1)
        return sum(F.cross_entropy(part, labels[:, i]) for i, part in enumerate(parts)) / len(parts)
