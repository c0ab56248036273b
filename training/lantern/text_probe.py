"""Does the text encoder know the words? A linear probe of the caption
vector the denoiser's adaLN reads (the text encoder's output, mean-pooled),
for what each training caption names:

    python -m lantern.conditioning --checkpoint C --text-probe-captions 4000

A logistic regression on the pooled vectors of three quarters of the
captions predicts, for the rest, the first object's colour and shape
(every caption names them), its motion and the background (a class
'unnamed' when the caption leaves them out). High accuracy with a model
that still ignores its prompt says the words are there and the denoiser
does not use them; accuracy near the majority class says the text
encoder has not learnt them.
"""
from __future__ import annotations

import random
from collections.abc import Callable

import torch
import torch.nn.functional as F

from .caption_head import CLASSES, NAMED, caption_labels
from .world.captions import captions_for
from .world.heldout import sample_training_clip

PROBED_WORDS = NAMED

Encode = Callable[[list[str]], torch.Tensor]  # captions -> (B, L, D)


def labelled_captions(count: int, seed: int = 0) -> tuple[list[str], torch.Tensor]:
    """`count` training captions and (count, 4) labels of what each names
    (caption_head.caption_labels)."""
    rng = random.Random(seed)
    captions = [captions_for(sample_training_clip(rng), rng, n=1)[0] for _ in range(count)]
    return captions, caption_labels(captions)


def _fit_and_score(x: torch.Tensor, y: torch.Tensor, classes: int, train: int, iterations: int) -> float:
    """Held-out accuracy of a logistic regression fitted on the first `train` rows."""
    w = torch.zeros(x.shape[1], classes, requires_grad=True)
    b = torch.zeros(classes, requires_grad=True)
    opt = torch.optim.Adam([w, b], lr=0.05)
    for _ in range(iterations):
        opt.zero_grad()
        loss = F.cross_entropy(x[:train] @ w + b, y[:train]) + 1e-4 * w.square().sum()
        loss.backward()
        opt.step()
    with torch.no_grad():
        return (x[train:] @ w + b).argmax(1).eq(y[train:]).float().mean().item()


def text_probe(encode: Encode, count: int = 4000, seed: int = 0, iterations: int = 300) -> dict:
    """-> {attribute: {"accuracy": %, "majority": %}} on the held-out quarter
    of `count` captions, for the mean-pooled output of `encode`."""
    if count < 40:
        raise ValueError(f"the text probe needs at least 40 captions to fit and test, got {count}")
    captions, labels = labelled_captions(count, seed)
    with torch.no_grad():
        pooled = torch.cat([encode(captions[i:i + 200]).float().mean(1).cpu() for i in range(0, count, 200)])
    train = count * 3 // 4
    pooled = (pooled - pooled[:train].mean(0)) / (pooled[:train].std(0) + 1e-6)
    result = {}
    for k, (name, classes) in enumerate(zip(PROBED_WORDS, CLASSES)):
        y = labels[:, k]
        majority = y[train:].eq(y[:train].mode().values).float().mean().item()
        result[name] = {"accuracy": round(100 * _fit_and_score(pooled, y, classes, train, iterations), 1),
                        "majority": round(100 * majority, 1)}
    return result


def markdown(result: dict) -> str:
    head = "| the pooled caption vector predicts | " + " | ".join(PROBED_WORDS) + " |"
    lines = [head, "|---" * (len(PROBED_WORDS) + 1) + "|",
             "| accuracy, held-out captions (%) | " + " | ".join(f"{result[a]['accuracy']:.1f}" for a in PROBED_WORDS)
             + " |",
             "| the majority class (%) | " + " | ".join(f"{result[a]['majority']:.1f}" for a in PROBED_WORDS) + " |"]
    return "\n".join(lines)
