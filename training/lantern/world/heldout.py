"""What training never sees, and the evaluation prompts built from it.

Two kinds of held-out material (../shared/shapes-world.md: the shipped model
is measured "on prompts it did not train on verbatim"):
- held-out PHRASINGS: choices of the caption grammar reserved for the 'eval'
  split (a noun with one of its verbs, a scene phrase opening the caption;
  see phrases.reserved_verb and phrases.reserved_lead). Every word is still
  trained, in other combinations.
- held-out COMBINATIONS: 8% of the (shape, colour, motion) triples and 8% of
  the (shape, background) pairs, chosen by a stable hash. Training clips never
  contain one (sample_training_clip), so any caption naming one is new.

eval_prompts mixes three kinds, which eval_prompt_kind tells apart so scores
can be broken down: 'combo' (held-out combination, trained phrasing),
'phrasing' (trained combination, held-out phrasing) and 'both'.
"""
from __future__ import annotations

import random

from .captions import describe, is_heldout_phrasing, nameable
from .phrases import stable_hash
from .spec import (BACKGROUNDS, COLOUR_NAMES, MOTIONS, SHAPES, ClipSpec, EvalPrompt, SamplingWeights,
                   allowed_object_colours, sample_clip)

__all__ = ["HELDOUT_FRACTION", "HELDOUT_OBJECT_COMBOS", "HELDOUT_SCENE_COMBOS", "JUDGED_STYLES",
           "EVAL_KINDS", "background_key", "is_heldout_clip", "is_heldout_phrasing",
           "sample_training_clip", "eval_prompts", "eval_prompt_kind"]

HELDOUT_FRACTION = 0.08
# Styles in which a judge can see an object's colour and shape and the
# background (neon and sketch replace colours and background).
JUDGED_STYLES = ("flat", "cartoon", "pixel art", "realistic", "vintage")
EVAL_KINDS = ("combo", "phrasing", "both")


def background_key(background: str, background_colour: str | None) -> str:
    """'meadow', or 'plain red' for a plain background."""
    return f"plain {background_colour}" if background == "plain" else background


OBJECT_COMBOS: tuple[tuple[str, str, str], ...] = tuple(
    (s, c, m) for s in SHAPES for c in COLOUR_NAMES for m in MOTIONS if not (s == "circle" and m == "spin"))
BACKGROUND_KEYS: tuple[str, ...] = tuple(b for b in BACKGROUNDS if b != "plain") + tuple(
    f"plain {c}" for c in COLOUR_NAMES)
SCENE_COMBOS: tuple[tuple[str, str], ...] = tuple((s, b) for s in SHAPES for b in BACKGROUND_KEYS)


def _hold_out(combos: tuple[tuple[str, ...], ...]) -> tuple[tuple[str, ...], ...]:
    """The HELDOUT_FRACTION of combos with the smallest stable hash, sorted."""
    ranked = sorted(combos, key=lambda k: stable_hash("heldout|" + "|".join(k)))
    return tuple(sorted(ranked[:round(HELDOUT_FRACTION * len(combos))]))


HELDOUT_OBJECT_COMBOS: tuple[tuple[str, str, str], ...] = _hold_out(OBJECT_COMBOS)  # type: ignore[assignment]
HELDOUT_SCENE_COMBOS: tuple[tuple[str, str], ...] = _hold_out(SCENE_COMBOS)  # type: ignore[assignment]
_HELDOUT_OBJECTS = frozenset(HELDOUT_OBJECT_COMBOS)
_HELDOUT_SCENES = frozenset(HELDOUT_SCENE_COMBOS)


def is_heldout_clip(clip: ClipSpec) -> bool:
    """Whether any object of the clip is a held-out (shape, colour, motion) or
    stands on a held-out (shape, background)."""
    key = background_key(clip.background, clip.background_colour)
    return any((o.shape, o.colour, o.motion) in _HELDOUT_OBJECTS or (o.shape, key) in _HELDOUT_SCENES
               for o in clip.objects)


def sample_training_clip(rng: random.Random, weights: SamplingWeights | None = None, max_tries: int = 1000,
                         **fixed) -> ClipSpec:
    """spec.sample_clip, resampled until the clip holds no held-out combination.
    Keyword arguments fix attributes as in sample_clip."""
    for _ in range(max_tries):
        clip = sample_clip(rng, weights, **fixed)
        if not is_heldout_clip(clip):
            return clip
    raise ValueError(f"no training clip in {max_tries} tries with {fixed!r}: the fixed attributes "
                     "force a held-out combination (see HELDOUT_OBJECT_COMBOS, HELDOUT_SCENE_COMBOS)")


def _heldout_clip(rng: random.Random, n_objects: int, style: str) -> ClipSpec:
    """A clip with one object in a held-out combination (the others random)."""
    if rng.random() < 0.6:
        shape, colour, motion = rng.choice(HELDOUT_OBJECT_COMBOS)
        scenes = [(b, c) for b in BACKGROUNDS for c in (COLOUR_NAMES if b == "plain" else (None,))
                  if colour in allowed_object_colours(b, c)]
        background, background_colour = rng.choice(scenes)
        target = dict(shape=shape, colour=colour, motion=motion)
    else:
        shape, key = rng.choice(HELDOUT_SCENE_COMBOS)
        background, _, background_colour = key.partition(" ")
        target = dict(shape=shape)
    objects: list[dict] = [{} for _ in range(n_objects - 1)]
    objects.insert(rng.randrange(n_objects), target)
    clip = sample_clip(rng, style=style, background=background, background_colour=background_colour or None,
                       n_objects=n_objects, objects=objects)
    assert is_heldout_clip(clip)
    return clip


# How often an eval prompt names each attribute beyond the four always named
# (shape, colour, motion, background), when the clip lets it be named.
_EXTRA_MENTION = {"size": 0.3, "speed": 0.5, "camera": 0.25, "light": 0.25, "weather": 0.25}


def eval_prompts(count: int, seed: int) -> list[EvalPrompt]:
    """`count` different evaluation prompts, the same for the same seed. Each
    names the shape, colour and motion of every object and the background;
    about 75% have one object, the rest two; styles are from JUDGED_STYLES;
    each holds a held-out combination, a held-out phrasing, or both. The
    clip's unnamed attributes are sampled as in training."""
    rng = random.Random(f"lantern-eval-prompts|{seed}")
    prompts: list[EvalPrompt] = []
    seen: set[str] = set()
    for _ in range(50 * count + 50):
        if len(prompts) == count:
            return prompts
        kind = rng.choices(EVAL_KINDS, (0.35, 0.35, 0.3))[0]
        n_objects = 1 if rng.random() < 0.75 else 2
        style = rng.choices(JUDGED_STYLES, (0.4, 0.15, 0.15, 0.15, 0.15))[0]
        if kind == "phrasing":
            clip = sample_training_clip(rng, style=style, n_objects=n_objects)
        else:
            clip = _heldout_clip(rng, n_objects, style)
        able = nameable(clip)
        mention = {"motion", "background"} | {a for a, p in _EXTRA_MENTION.items()
                                              if a in able and rng.random() < p}
        if rng.random() < (0.5 if clip.style != "flat" else 0.1):
            mention.add("style")
        prompt = describe(clip, rng, mention, split="train" if kind == "combo" else "eval")
        if prompt not in seen:
            seen.add(prompt)
            prompts.append(EvalPrompt(prompt=prompt, clip=clip, mentioned=frozenset(mention)))
    raise AssertionError(f"could not make {count} different eval prompts")


def eval_prompt_kind(prompt: EvalPrompt) -> str:
    """'combo', 'phrasing' or 'both': what in the prompt is held out."""
    combo, phrasing = is_heldout_clip(prompt.clip), is_heldout_phrasing(prompt.prompt)
    if combo and phrasing:
        return "both"
    if combo:
        return "combo"
    if phrasing:
        return "phrasing"
    raise ValueError(f"eval prompt {prompt.prompt!r} holds nothing out")
