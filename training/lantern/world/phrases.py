"""The caption vocabulary of Shapes World v1: every word and phrase the
caption grammar (captions.py) can say, keyed by the attribute value it names.

Each table maps a value of spec.py's vocabulary to the phrases that name it
truly, so the grammar, the caption parser and the tokenizer's vocabulary are
all read from these tables and cannot drift apart. Phrases are lowercase; a
phrase with '{a}' and '{c}' is a template over the named colours.

Held-out phrasings (the 'eval' split) are also decided here, because the
grammar must know them while it builds a caption: see reserved_verb and
reserved_lead at the end.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from .spec import COLOUR_NAMES, LINEAR_MOTIONS, MOTIONS, SHAPES

NOUNS: dict[str, tuple[str, ...]] = {
    "circle": ("circle", "ball", "disc", "dot"),
    "square": ("square", "box", "block", "cube"),
    "triangle": ("triangle",),
    "star": ("star",),
    "diamond": ("diamond", "rhombus"),
}
COLOUR_WORDS: dict[str, tuple[str, ...]] = {c: (c,) for c in COLOUR_NAMES}
COLOUR_WORDS["gray"] = ("gray", "grey")
SIZE_WORDS: dict[str, tuple[str, ...]] = {
    "small": ("small", "little", "tiny"),
    "medium": ("medium", "medium-sized", "mid-sized"),
    "large": ("large", "big", "huge"),
}


@dataclass(frozen=True)
class Verb:
    """One way to say a motion: its finite form ('rolls', keyed by it), its
    participle ('rolling'), and whether a direction phrase must follow."""
    finite: str
    participle: str
    motions: tuple[str, ...]
    needs_direction: bool = False
    shapes: tuple[str, ...] = SHAPES  # 'rolls' is for circles only


_MOVE = ("left", "right", "up", "down")
VERBS: tuple[Verb, ...] = (
    Verb("moves", "moving", _MOVE, True),
    Verb("slides", "sliding", _MOVE, True),
    Verb("drifts", "drifting", _MOVE, True),
    Verb("glides", "gliding", _MOVE, True),
    Verb("travels", "travelling", _MOVE, True),
    Verb("flies", "flying", _MOVE, True),
    Verb("rolls", "rolling", ("left", "right"), True, ("circle",)),
    Verb("rises", "rising", ("up",)),
    Verb("climbs", "climbing", ("up",)),
    Verb("sinks", "sinking", ("down",)),
    Verb("descends", "descending", ("down",)),
    Verb("stays still", "staying still", ("still",)),
    Verb("sits still", "sitting still", ("still",)),
    Verb("rests", "resting", ("still",)),
    Verb("stays put", "staying put", ("still",)),
    Verb("does not move", "not moving", ("still",)),
    Verb("stands still", "standing still", ("still",)),
    Verb("bounces", "bouncing", ("bounce",)),
    Verb("hops", "hopping", ("bounce",)),
    Verb("bounces up and down", "bouncing up and down", ("bounce",)),
    Verb("bounces on the floor", "bouncing on the floor", ("bounce",)),
    Verb("jumps", "jumping", ("bounce",)),
    Verb("spins", "spinning", ("spin",)),
    Verb("rotates", "rotating", ("spin",)),
    Verb("twirls", "twirling", ("spin",)),
    Verb("spins around", "spinning around", ("spin",)),
    Verb("turns in place", "turning in place", ("spin",)),
    Verb("grows", "growing", ("grow",)),
    Verb("gets bigger", "getting bigger", ("grow",)),
    Verb("expands", "expanding", ("grow",)),
    Verb("grows larger", "growing larger", ("grow",)),
    Verb("shrinks", "shrinking", ("shrink",)),
    Verb("gets smaller", "getting smaller", ("shrink",)),
    Verb("becomes smaller", "becoming smaller", ("shrink",)),
    Verb("shrinks away", "shrinking away", ("shrink",)),
    Verb("orbits the centre", "orbiting the centre", ("orbit",)),
    Verb("orbits the center", "orbiting the center", ("orbit",)),
    Verb("circles around the centre", "circling around the centre", ("orbit",)),
    Verb("circles the center", "circling the center", ("orbit",)),
    Verb("moves in a circle", "moving in a circle", ("orbit",)),
    Verb("goes around in a circle", "going around in a circle", ("orbit",)),
)
VERB_BY_FINITE: dict[str, Verb] = {v.finite: v for v in VERBS}

DIRECTIONS: dict[str, tuple[str, ...]] = {
    "left": ("left", "to the left", "leftward", "leftwards", "towards the left edge", "toward the left"),
    "right": ("right", "to the right", "rightward", "rightwards", "towards the right edge", "toward the right"),
    "up": ("up", "upward", "upwards", "towards the top", "towards the top edge"),
    "down": ("down", "downward", "downwards", "towards the bottom", "towards the bottom edge"),
}
# Speed adverbs before the verb ('slowly rolls') and after the motion ('moves left fast').
SPEED_PRE: dict[str, tuple[str, ...]] = {
    "slowly": ("slowly", "gently", "lazily"),
    "quickly": ("quickly", "rapidly", "swiftly"),
}
SPEED_POST: dict[str, tuple[str, ...]] = {
    "slowly": ("slowly", "gently", "lazily", "at a slow pace"),
    "quickly": ("quickly", "rapidly", "swiftly", "fast", "at high speed"),
}

BACKGROUND_PHRASES: dict[str, tuple[str, ...]] = {
    "sky": ("in the sky", "against the sky", "against a blue sky", "in a clear sky"),
    "meadow": ("on a meadow", "in a meadow", "in a green field", "on the grass", "over a grassy field"),
    "night": ("at night", "under the night sky", "under the stars", "in the night"),
    "sunset": ("at sunset", "in the sunset", "against a sunset sky", "at dusk"),
    "desert": ("in the desert", "over the desert sand", "on the sand dunes", "in a sandy desert"),
}
PLAIN_TEMPLATES: tuple[str, ...] = (
    "on {a} {c} background", "against {a} {c} background", "in front of {a} {c} background",
    "on a plain {c} background", "with {a} {c} background", "on plain {c}",
)
CAMERA_PHRASES: dict[str, tuple[str, ...]] = {
    "static": ("static camera", "with a static camera", "the camera is static", "fixed camera",
               "the camera stays fixed"),
    "pan left": ("the camera pans left", "panning left", "the camera pans to the left",
                 "as the camera pans left", "camera panning left", "pan left"),
    "pan right": ("the camera pans right", "panning right", "the camera pans to the right",
                  "as the camera pans right", "camera panning right", "pan right"),
    "zoom in": ("zooming in", "the camera zooms in", "as the camera zooms in", "camera zooming in",
                "zoom in"),
    "zoom out": ("zooming out", "the camera zooms out", "as the camera zooms out", "camera zooming out",
                 "zoom out"),
}
LIGHT_PHRASES: dict[str, tuple[str, ...]] = {
    "dim": ("dimly lit", "in dim light", "in low light", "dim lighting"),
    "bright": ("brightly lit", "in bright light", "bright lighting", "in brilliant light"),
    "soft": ("softly lit", "in soft light", "soft lighting"),
    "hard": ("in hard light", "harshly lit", "hard lighting", "in harsh light"),
}
WEATHER_PHRASES: dict[str, tuple[str, ...]] = {
    "rain": ("in the rain", "while it rains", "in the pouring rain", "with rain falling"),
    "snow": ("while it snows", "in the snow", "with snow falling", "as it snows"),
    "fog": ("in fog", "in the fog", "in thick fog", "in the mist"),
}
STYLE_PHRASES: dict[str, tuple[str, ...]] = {
    "flat": ("in flat style", "flat style", "flat colours", "in a flat vector style", "flat"),
    "cartoon": ("as a cartoon", "in cartoon style", "cartoon style", "cartoon", "in a cartoon"),
    "pixel art": ("in pixel art style", "pixel art", "8-bit", "in 8-bit style", "pixelated", "as pixel art"),
    "realistic": ("photorealistic", "realistic", "in a realistic style", "realistic render", "lifelike"),
    "neon": ("neon", "in neon style", "neon glow", "glowing neon", "in neon lights"),
    "sketch": ("pencil sketch", "as a pencil sketch", "sketch", "drawn in pencil", "in sketch style"),
    "vintage": ("vintage", "old film", "on old film", "in vintage style", "sepia", "retro film"),
}
# Words that join the parts of a caption.
ARTICLES = ("a", "an")
JOINERS = ("and", "while", ",")

SCENE_ATTRIBUTES = ("background", "camera", "light", "weather", "style")


def article(next_word: str) -> str:
    return "an" if next_word[:1] in "aeiou" else "a"


def plain_background_phrases(colour: str) -> tuple[str, ...]:
    """Every phrase naming a plain background of this named colour."""
    return tuple(t.format(a=article(w), c=w) for w in COLOUR_WORDS[colour] for t in PLAIN_TEMPLATES)


def scene_phrases(attribute: str, value: str, background_colour: str | None = None) -> tuple[str, ...]:
    """The phrases naming one value of a clip-level attribute (none for normal light or no weather)."""
    if attribute == "background":
        if value == "plain":
            assert background_colour is not None
            return plain_background_phrases(background_colour)
        return BACKGROUND_PHRASES[value]
    table = {"camera": CAMERA_PHRASES, "light": LIGHT_PHRASES, "weather": WEATHER_PHRASES,
             "style": STYLE_PHRASES}[attribute]
    return table.get(value, ())


def verbs_for(shape: str, motion: str) -> tuple[Verb, ...]:
    """The verbs that truly say this motion of this shape, in table order."""
    return tuple(v for v in VERBS if motion in v.motions and shape in v.shapes)


# ----------------------------------------------------------------------------
# Held-out phrasings. Two kinds of choice are reserved for the 'eval' split;
# the 'train' split never makes them, so an eval caption is never a string
# the model trained on. Every word still appears in training, in other
# combinations, so evaluation measures generalisation, not unknown words.
# - a (noun, verb) pairing: for every noun and motion, one of the verbs that
#   fit it ('a disc glides left' is eval-only; 'a ball glides left' and 'a disc
#   slides left' are trained);
# - leading with a scene phrase: for every value of a scene attribute, one of
#   its phrases may open a caption only in eval ('at night, a red ball ...').


def stable_hash(key: str) -> int:
    """A hash that does not change between processes (unlike hash())."""
    return int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "big")


def reserved_verb(noun: str, motion: str) -> str:
    """The finite form of the verb reserved for eval with this noun and motion."""
    shape = next(s for s, words in NOUNS.items() if noun in words)
    verbs = verbs_for(shape, motion)
    assert len(verbs) >= 2, (noun, motion)
    return verbs[stable_hash(f"verb|{noun}|{motion}") % len(verbs)].finite


def reserved_lead(attribute: str, value: str, background_colour: str | None = None) -> str:
    """The phrase of this scene value that only eval captions open with."""
    if attribute != "background":
        background_colour = None
    phrases = scene_phrases(attribute, value, background_colour)
    assert len(phrases) >= 2, (attribute, value)
    return phrases[stable_hash(f"lead|{attribute}|{value}|{background_colour}") % len(phrases)]


# ----------------------------------------------------------------------------
# Words, as the tokenizer splits them


_WORD = re.compile(r"[^\W\d_]+|\d|[^\w\s]+|_+")


def words(text: str) -> list[str]:
    """Split like the tokenizer's pre-tokenizer: letter runs, single digits,
    runs of punctuation (lowercased)."""
    return _WORD.findall(text.lower())


def all_phrases() -> list[tuple[str, str, str]]:
    """Every phrase the grammar can say, as (category, value, phrase)."""
    out: list[tuple[str, str, str]] = []
    out += [("noun", s, w) for s in SHAPES for w in NOUNS[s]]
    out += [("colour", c, w) for c in COLOUR_NAMES for w in COLOUR_WORDS[c]]
    out += [("size", s, w) for s, ws in SIZE_WORDS.items() for w in ws]
    for v in VERBS:
        out += [("verb", v.finite, v.finite), ("verb", v.finite, v.participle)]
    out += [("direction", d, w) for d, ws in DIRECTIONS.items() for w in ws]
    for table in (SPEED_PRE, SPEED_POST):
        out += [("speed", s, w) for s, ws in table.items() for w in ws]
    out += [("background", b, w) for b, ws in BACKGROUND_PHRASES.items() for w in ws]
    out += [("background", f"plain {c}", w) for c in COLOUR_NAMES for w in plain_background_phrases(c)]
    for attribute, table in (("camera", CAMERA_PHRASES), ("light", LIGHT_PHRASES),
                             ("weather", WEATHER_PHRASES), ("style", STYLE_PHRASES)):
        out += [(attribute, value, w) for value, ws in table.items() for w in ws]
    return sorted(set(out))


def grammar_words() -> list[str]:
    """Every word the grammar can produce in either split, sorted."""
    found = {w for _, _, phrase in all_phrases() for w in words(phrase)}
    found |= set(ARTICLES) | set(JOINERS)
    return sorted(found)


def _check_tables() -> None:
    for m in MOTIONS:
        for s in SHAPES:
            if m == "spin" and s == "circle":
                continue
            assert len(verbs_for(s, m)) >= 2, (s, m)
    assert set(DIRECTIONS) == set(LINEAR_MOTIONS)


_check_tables()
