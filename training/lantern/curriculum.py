"""The training curriculum (TrainConfig.curriculum): the denoiser first sees
a simple world, one object with a static camera, normal light, no weather
and flat style, captioned with all four attributes every prompt names
(shape, colour, motion, background); the share of such clips among newly
rendered ones falls linearly to 0 over the first `curriculum` of the
budget, after which the whole world is drawn as before.

Why: a small model that has to separate a colour word from a moving
object's pixels learns that binding faster where nothing else varies and
every caption states it (issue 11's ablation list).

Beside it, how often the judged attributes are named at all
(TrainConfig.name_judged): that share of the other clips also gets
captions that all name motion and background, where by default a caption
names motion about 3 times in 4 and the background about half the time."""
from __future__ import annotations

import random

from .world.heldout import sample_training_clip
from .world.spec import SIMPLE_WEIGHTS, ClipSpec

# The judged attributes a caption need not name (shape and colour it always
# does): a curriculum clip's captions always name them.
JUDGED_MENTION = frozenset({"motion", "background"})


def curriculum_share(progress: float, curriculum: float) -> float:
    """Share of simple clips among new renders at `progress` (0..1) of the
    budget: 1 at the start, 0 from `curriculum` on; 0 throughout when the
    curriculum is off (curriculum 0)."""
    if not 0 <= curriculum <= 1:
        raise ValueError(f"curriculum {curriculum} is not a fraction of the budget: set it in [0, 1] (0 = off)")
    if curriculum == 0:
        return 0.0
    return max(0.0, 1.0 - progress / curriculum)


def draw_training_clips(rng: random.Random, count: int, simple_share: float) -> tuple[list[ClipSpec], list[bool]]:
    """`count` training clips, each from the simple world with probability
    simple_share -> (specs, which are simple)."""
    simple = [simple_share > 0 and rng.random() < simple_share for _ in range(count)]
    return [sample_training_clip(rng, SIMPLE_WEIGHTS if s else None) for s in simple], simple


def always_named(rng: random.Random, simple: bool, name_judged: float) -> frozenset[str]:
    """What every caption of one new clip must name beyond shape and colour:
    the judged attributes for a curriculum clip, and for another clip with
    probability name_judged (no random draw when it is 0); else nothing."""
    if not 0 <= name_judged <= 1:
        raise ValueError(f"name_judged {name_judged} is not a probability: set it in [0, 1] (0 = captions as drawn)")
    if simple or (name_judged > 0 and rng.random() < name_judged):
        return JUDGED_MENTION
    return frozenset()
