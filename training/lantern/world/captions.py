"""The caption grammar of Shapes World v1 (../shared/shapes-world.md,
Captions): many true captions per clip, in many phrasings, and a parser that
reads back what a caption names.

A caption always names the shape and colour of every object, in the clip's
object order; every other attribute is named or left out by chance, and an
attribute left out was sampled at random when the clip was made, which is
what lets the model follow short and long prompts alike. The words come from
phrases.py; which phrasings are held out for evaluation is decided there too.

Splits: 'train' never makes a reserved (eval-only) choice; 'eval' always makes
at least one, so no eval caption is a string the model trained on.
"""
from __future__ import annotations

import random
import re
from dataclasses import dataclass, field

from .phrases import (COLOUR_WORDS, DIRECTIONS, NOUNS, SCENE_ATTRIBUTES, SIZE_WORDS, SPEED_POST, SPEED_PRE,
                      VERB_BY_FINITE, Verb, all_phrases, article, reserved_lead, reserved_verb, scene_phrases,
                      verbs_for, words)
from .spec import LINEAR_MOTIONS, ClipSpec, ObjectSpec

SPLITS = ("train", "eval")
# Attributes a caption may name besides shape and colour (always named).
# 'size' and 'motion' mean: of every object; 'speed': of every object whose
# linear motion is not at normal speed (normal speed has no words).
MENTIONABLE = ("size", "motion", "speed", "background", "camera", "light", "weather", "style")
MAX_WORDS = 46  # tokens a caption may take: the tokenizer's 48 less [BOS] and [EOS]

_LINKING = ("in ", "on ", "at ", "under ", "against ", "over ", "with ", "while ", "as ")


def nameable(clip: ClipSpec) -> frozenset[str]:
    """The attributes of MENTIONABLE that a caption can truly name for this clip.
    Normal light and no weather have no words; the background is hidden by the
    neon and sketch styles (they replace it), so it is not named there."""
    out = {"size", "motion", "camera", "style"}
    if any(o.motion in LINEAR_MOTIONS and o.speed != "normal" for o in clip.objects):
        out.add("speed")
    if clip.style not in ("neon", "sketch"):
        out.add("background")
    if clip.light != "normal":
        out.add("light")
    if clip.weather != "none":
        out.add("weather")
    return frozenset(out)


# ----------------------------------------------------------------------------
# Plans: every choice a caption makes, so held-out choices can be checked and
# forced before the caption is written out.


@dataclass
class _Clause:
    obj: ObjectSpec
    noun: str
    colour: str
    size: str | None = None
    verb: Verb | None = None
    direction: str | None = None
    adverb: str | None = None
    adverb_first: bool = False

    def reserved(self) -> bool:
        return self.verb is not None and self.verb.finite == reserved_verb(self.noun, self.obj.motion)


@dataclass
class _Scene:
    attribute: str
    value: str
    phrase: str
    glue: str = " "  # what comes before the phrase: ' ' or ', '


@dataclass
class _Plan:
    clip: ClipSpec
    clauses: list[_Clause]
    participle: bool = False
    seps: list[str] = field(default_factory=list)
    scene: list[_Scene] = field(default_factory=list)
    lead: _Scene | None = None
    background_after_first: bool = False

    def reserved(self) -> bool:
        return any(c.reserved() for c in self.clauses) or (
            self.lead is not None and self.lead.phrase == _reserved_lead(self.clip, self.lead.attribute))


def _reserved_lead(clip: ClipSpec, attribute: str) -> str:
    colour = clip.background_colour if attribute == "background" else None
    return reserved_lead(attribute, getattr(clip, attribute), colour)


def _pick(rng: random.Random, options, compact: bool):
    options = tuple(options)
    if compact:
        return min(options, key=lambda s: (len(words(s if isinstance(s, str) else s.finite)), str(s)))
    return rng.choice(options)


def _plan(clip: ClipSpec, rng: random.Random, mention: frozenset[str], sizes: tuple[bool, ...],
          split: str, compact: bool) -> _Plan:
    say_motion = "motion" in mention
    plan = _Plan(clip=clip, clauses=[], participle=say_motion and rng.random() < 0.25)
    for o, say_size in zip(clip.objects, sizes):
        noun = _pick(rng, NOUNS[o.shape], compact)
        c = _Clause(obj=o, noun=noun, colour=_pick(rng, COLOUR_WORDS[o.colour], compact))
        if say_size:
            c.size = _pick(rng, SIZE_WORDS[o.size], compact)
        if say_motion:
            verbs = verbs_for(o.shape, o.motion)
            if split == "train":
                verbs = tuple(v for v in verbs if v.finite != reserved_verb(noun, o.motion))
            c.verb = _pick(rng, verbs, compact)
            if c.verb.needs_direction:
                c.direction = _pick(rng, DIRECTIONS[o.motion], compact)
            if "speed" in mention and o.motion in LINEAR_MOTIONS and o.speed != "normal":
                c.adverb_first = rng.random() < 0.5
                c.adverb = _pick(rng, (SPEED_PRE if c.adverb_first else SPEED_POST)[o.speed], compact)
        plan.clauses.append(c)

    n = len(clip.objects)
    pool = [" and ", ", "] + ([" while ", " while "] if say_motion and not plan.participle else [])
    for i in range(n - 1):
        last = i == n - 2
        options = pool if last else [", "] + ([" while "] if " while " in pool else [])
        if last and n == 3:
            options = [s for s in pool if s not in plan.seps] + [", and "]
        plan.seps.append(_pick(rng, options, compact))

    for attribute in SCENE_ATTRIBUTES:
        if attribute in mention:
            value = getattr(clip, attribute)
            phrase = _pick(rng, scene_phrases(attribute, value, clip.background_colour), compact)
            plan.scene.append(_Scene(attribute, value, phrase))
    rng.shuffle(plan.scene)
    background = next((s for s in plan.scene if s.attribute == "background"), None)
    if background is not None and rng.random() < 0.6:  # the background most often comes first
        plan.scene.remove(background)
        plan.scene.insert(0, background)
    if plan.scene and rng.random() < 0.2:
        lead = rng.choice(plan.scene)
        if split == "train" and lead.phrase == _reserved_lead(clip, lead.attribute):
            others = [p for p in scene_phrases(lead.attribute, lead.value, clip.background_colour)
                      if p != lead.phrase]
            lead.phrase = _pick(rng, others, compact)
        plan.lead = lead
        plan.scene.remove(lead)
    if (background in plan.scene and n >= 2 and say_motion and not plan.participle
            and plan.seps[0] != ", " and rng.random() < 0.3):
        plan.background_after_first = True
    for i, s in enumerate(plan.scene):
        linking = s.phrase.startswith(_LINKING)
        s.glue = " " if linking and (compact or rng.random() < (0.8 if i == 0 else 0.4)) else ", "
    if split == "eval" and not plan.reserved():
        _force_reserved(plan, rng)
    return plan


def _force_reserved(plan: _Plan, rng: random.Random) -> None:
    """Turn one choice of the plan into its reserved (eval-only) form."""
    options = [("clause", i) for i, c in enumerate(plan.clauses) if c.verb is not None]
    options += [("scene", i) for i in range(len(plan.scene))]
    if plan.lead is not None:
        options.append(("lead", 0))
    if not options:
        raise ValueError("an eval caption needs a held-out phrasing, which needs 'motion' or a scene "
                         f"attribute named; nameable here: {', '.join(sorted(nameable(plan.clip)))}")
    kind, i = rng.choice(options)
    if kind == "clause":
        c = plan.clauses[i]
        c.verb = VERB_BY_FINITE[reserved_verb(c.noun, c.obj.motion)]
        if not c.verb.needs_direction:
            c.direction = None
        elif c.direction is None:
            c.direction = rng.choice(DIRECTIONS[c.obj.motion])
        return
    if kind == "scene":
        if plan.lead is not None:
            plan.scene.insert(0, plan.lead)
            plan.lead.glue = ", "
        plan.lead = plan.scene.pop(i + (plan.lead is not None))
        if plan.lead.attribute == "background":
            plan.background_after_first = False
    assert plan.lead is not None
    plan.lead.phrase = _reserved_lead(plan.clip, plan.lead.attribute)


def _clause_text(c: _Clause, participle: bool) -> str:
    adjectives = [w for w in (c.size, c.colour) if w]
    parts = [article(adjectives[0]), *adjectives, c.noun]
    if c.verb is not None:
        if c.adverb and c.adverb_first:
            parts.append(c.adverb)
        parts.append(c.verb.participle if participle else c.verb.finite)
        if c.direction:
            parts.append(c.direction)
        if c.adverb and not c.adverb_first:
            parts.append(c.adverb)
    return " ".join(parts)


def _render(plan: _Plan) -> str:
    texts = [_clause_text(c, plan.participle) for c in plan.clauses]
    scene = list(plan.scene)
    if plan.background_after_first:
        background = next(s for s in scene if s.attribute == "background")
        scene.remove(background)
        texts[0] += " " + background.phrase
    body = texts[0] + "".join(sep + t for sep, t in zip(plan.seps, texts[1:]))
    body += "".join(s.glue + s.phrase for s in scene)
    if plan.lead is not None:
        body = f"{plan.lead.phrase}, {body}"
    return body


def _caption(clip: ClipSpec, rng: random.Random, mention: frozenset[str], sizes: tuple[bool, ...],
             split: str) -> str:
    for attempt in range(9):
        text = _render(_plan(clip, rng, mention, sizes, split, compact=attempt == 8))
        if len(words(text)) <= MAX_WORDS:
            return text
    raise ValueError(f"no caption naming {sorted(mention)} fits in {MAX_WORDS} words: {text!r}")


# ----------------------------------------------------------------------------
# Public API


def _check_split(split: str) -> None:
    if split not in SPLITS:
        raise ValueError(f"Unsupported split {split!r}. Must be one of: {', '.join(SPLITS)}.")


def describe(clip: ClipSpec, rng: random.Random, mention: set[str] | frozenset[str],
             split: str = "train") -> str:
    """One caption naming the shape and colour of every object and exactly the
    attributes in `mention` (a subset of MENTIONABLE and of nameable(clip);
    'size' and 'motion' apply to every object, 'speed' needs 'motion')."""
    _check_split(split)
    mention = frozenset(mention)
    unknown = mention - set(MENTIONABLE)
    if unknown:
        raise ValueError(f"Unsupported attribute {sorted(unknown)[0]!r}. Must be one of: {', '.join(MENTIONABLE)}.")
    unnameable = mention - nameable(clip)
    if unnameable:
        raise ValueError(f"cannot name {sorted(unnameable)} for this clip (normal light, no weather, and "
                         f"the background under neon or sketch have no words); nameable: {sorted(nameable(clip))}")
    if "speed" in mention and "motion" not in mention:
        raise ValueError("'speed' can only be named with 'motion'; add 'motion' to mention")
    sizes = (("size" in mention),) * len(clip.objects)
    return _caption(clip, rng, mention, sizes, split)


def _sample_mention(clip: ClipSpec, rng: random.Random, split: str,
                    always: frozenset[str] = frozenset()) -> tuple[frozenset[str], tuple[bool, ...]]:
    able = nameable(clip)
    r = rng.random()
    if r < 0.12:
        mention: set[str] = set()  # the shortest: 'a red ball'
    elif r < 0.27:
        mention = set(able)  # everything
    else:
        p = {"size": 0.35, "motion": 0.75, "speed": 0.6, "background": 0.55,
             "camera": 0.55 if clip.camera != "static" else 0.08, "light": 0.5, "weather": 0.6,
             "style": 0.6 if clip.style != "flat" else 0.08}
        mention = {a for a in MENTIONABLE if a in able and rng.random() < p[a]}
    mention |= always & able
    if "motion" not in mention:
        mention.discard("speed")
    if split == "eval" and not mention & (set(SCENE_ATTRIBUTES) | {"motion"}):
        mention.add("motion")  # an eval phrasing needs a verb or a scene phrase to hold out
    sizes = tuple("size" in mention or rng.random() < 0.12 for _ in clip.objects)
    return frozenset(mention), sizes


def captions_for(clip: ClipSpec, rng: random.Random, n: int = 4, split: str = "train",
                 always: frozenset[str] = frozenset()) -> list[str]:
    """n different captions, each true of the clip, from short ('a red ball')
    to full ones naming every attribute; each also names the attributes in
    `always` that the clip lets it name (shape and colour are always named).
    Fewer than n only if the clip has fewer phrasings, which no v1 clip has."""
    _check_split(split)
    if unknown := always - set(MENTIONABLE):
        raise ValueError(f"cannot always name {sorted(unknown)}: not attributes a caption names "
                         f"(choose from {', '.join(MENTIONABLE)})")
    out: list[str] = []
    for _ in range(25 * n):
        if len(out) == n:
            break
        mention, sizes = _sample_mention(clip, rng, split, always)
        text = _caption(clip, rng, mention, sizes, split)
        if text not in out:
            out.append(text)
    return out


# ----------------------------------------------------------------------------
# Reading a caption back


@dataclass
class ParsedObject:
    shape: str | None = None
    colour: str | None = None
    size: str | None = None
    motion: str | None = None
    speed: str | None = None
    noun: str | None = None  # the words used, for the held-out phrasing check
    verb: str | None = None  # finite form


@dataclass
class ParsedCaption:
    objects: list[ParsedObject]
    scene: dict[str, str]  # attribute -> value; a plain background adds 'background_colour'
    lead: tuple[str, str] | None = None  # (attribute, phrase) when a scene phrase opens the caption


_INDEX: dict[str, tuple[str, str]] = {}  # normalised phrase -> (category, value)
_PATTERN: list[re.Pattern] = []


def _phrase_pattern() -> re.Pattern:
    if not _PATTERN:
        for category, value, phrase in all_phrases():
            key = " ".join(words(phrase))
            assert _INDEX.setdefault(key, (category, value)) == (category, value), phrase
        # Longest first, so at each position the longest phrase wins.
        alternatives = sorted(_INDEX, key=lambda k: (-len(k.split()), -len(k), k))
        _PATTERN.append(re.compile(r"(?<!\S)(?:" + "|".join(map(re.escape, alternatives)) + r")(?!\S)"))
    return _PATTERN[0]


def parse_caption(caption: str) -> ParsedCaption:
    """What a caption in the grammar's vocabulary names. Read left to right,
    the longest phrase wins ('the camera pans left' is camera, not a motion);
    a size, colour or noun after a complete object starts the next object."""
    text = " ".join(words(caption))
    found = [(m.start(), m.end(), *_INDEX[m.group()]) for m in _phrase_pattern().finditer(text)]
    objects: list[ParsedObject] = []
    scene: dict[str, str] = {}
    lead = None
    for start, end, category, value in found:
        current = objects[-1] if objects else None
        if category in ("size", "colour", "noun"):
            if current is None or current.shape is not None or getattr(current, _FIELD[category]) is not None:
                current = ParsedObject()
                objects.append(current)
            setattr(current, _FIELD[category], value)
            if category == "noun":
                current.noun = text[start:end]
        elif category in ("verb", "direction", "speed") and current is not None:
            if category == "verb":
                current.verb = value
                verb = VERB_BY_FINITE[value]
                if not verb.needs_direction:
                    current.motion = verb.motions[0]
            elif category == "direction":
                current.motion = value
            else:
                current.speed = value
        elif category in SCENE_ATTRIBUTES:
            if category == "background" and value.startswith("plain "):
                scene["background"], scene["background_colour"] = "plain", value[len("plain "):]
            else:
                scene[category] = value
            if start == 0 and text[end:end + 2] == " ,":
                lead = (category, text[start:end])
    return ParsedCaption(objects=objects, scene=scene, lead=lead)


_FIELD = {"size": "size", "colour": "colour", "noun": "shape"}


def mentioned_attributes(caption: str) -> frozenset[str]:
    """Which attributes a caption names, in EvalPrompt.mentioned's terms plus
    'shape', 'colour' and 'speed': 'size' and 'motion' only when every object's is."""
    parsed = parse_caption(caption)
    out = set(parsed.scene) - {"background_colour"}
    for name in ("shape", "colour", "size", "motion"):
        if parsed.objects and all(getattr(o, name) is not None for o in parsed.objects):
            out.add(name)
    if any(o.speed is not None for o in parsed.objects):
        out.add("speed")
    return frozenset(out)


def is_heldout_phrasing(caption: str) -> bool:
    """Whether the caption makes a choice reserved for the eval split."""
    parsed = parse_caption(caption)
    for o in parsed.objects:
        if o.noun and o.verb and o.motion and o.verb == reserved_verb(o.noun, o.motion):
            return True
    if parsed.lead is not None:
        attribute, phrase = parsed.lead
        value = parsed.scene[attribute]
        colour = parsed.scene.get("background_colour") if attribute == "background" else None
        return phrase == " ".join(words(reserved_lead(attribute, value, colour)))
    return False


def mismatches(caption: str, clip: ClipSpec) -> list[str]:
    """What the caption says that the clip does not show; empty when it is true
    and names the shape and colour of every object, in order."""
    parsed = parse_caption(caption)
    out = []
    if len(parsed.objects) != len(clip.objects):
        return [f"names {len(parsed.objects)} objects, the clip has {len(clip.objects)}"]
    for i, (p, o) in enumerate(zip(parsed.objects, clip.objects)):
        for name in ("shape", "colour", "size", "motion", "speed"):
            said = getattr(p, name)
            if name in ("shape", "colour") and said is None:
                out.append(f"object {i}: {name} not named")
            elif said is not None and said != getattr(o, name):
                out.append(f"object {i}: {name} {said!r}, clip has {getattr(o, name)!r}")
    for name, said in parsed.scene.items():
        if said != getattr(clip, name):
            out.append(f"{name} {said!r}, clip has {getattr(clip, name)!r}")
    return out
