"""The caption vocabulary of Shapes World v1 as JSON, for the app's
edit-by-instruction rewriter (src/edit/), and a fixture of parsed captions
that holds the app's caption parser to parse_caption.

The app reads every word it can say from this export, so its tables are
phrases.py's tables and cannot drift from them (tests/test_vocabulary.py
compares the committed JSON with vocabulary()). The colour clash rule is
exported as data too: for each background value, and for a plain background
of each named colour, the object colours spec.py's allowed_object_colours
rules out.

    python -m lantern.world.vocabulary --out ../src/edit/shapes-world-vocabulary.json
    python -m lantern.world.vocabulary --captions-out ../test/fixtures/edit/parsed-captions.json
"""
from __future__ import annotations

import argparse
import dataclasses
import json
import random
from pathlib import Path

from .captions import _LINKING, SPLITS, captions_for, parse_caption
from .phrases import (ARTICLES, BACKGROUND_PHRASES, CAMERA_PHRASES, COLOUR_WORDS, DIRECTIONS, JOINERS,
                      LIGHT_PHRASES, NOUNS, PLAIN_TEMPLATES, SCENE_ATTRIBUTES, SIZE_WORDS, SPEED_POST, SPEED_PRE,
                      STYLE_PHRASES, VERBS, WEATHER_PHRASES)
from .spec import (BACKGROUNDS, CAMERAS, COLOUR_NAMES, COLOURS, LIGHTS, LINEAR_MOTIONS, MIN_BACKGROUND_DISTANCE,
                   MOTIONS, SHAPES, SIZES, SPEEDS, STYLES, WEATHERS, WORLD_VERSION, allowed_object_colours, sample_clip)

VOCABULARY_COMMAND = ("cd training && ../.venv/bin/python -m lantern.world.vocabulary "
                      "--out ../src/edit/shapes-world-vocabulary.json")
CAPTIONS_COMMAND = ("cd training && ../.venv/bin/python -m lantern.world.vocabulary "
                    "--captions-out ../test/fixtures/edit/parsed-captions.json")
CAPTIONS_SEED = 13
CAPTION_CLIPS = 100  # one caption per split each: 200 captions


def _table(table: dict[str, tuple[str, ...]]) -> dict[str, list[str]]:
    return {key: list(phrases) for key, phrases in table.items()}


def forbidden_colours() -> dict[str, list[str]]:
    """Object colours that clash with each background (spec.py's rule), keyed
    by background value and by 'plain <colour>' for plain backgrounds."""
    out: dict[str, list[str]] = {}
    keys = [(b, None) for b in BACKGROUNDS if b != "plain"] + [("plain", c) for c in COLOUR_NAMES]
    for background, colour in keys:
        allowed = set(allowed_object_colours(background, colour))
        key = background if colour is None else f"plain {colour}"
        out[key] = [c for c in COLOUR_NAMES if c not in allowed]
    return out


def vocabulary() -> dict:
    """Every table the caption grammar speaks from, plus the world's value
    lists, the colour hexes and the forbidden (colour, background) pairs."""
    return {
        "worldVersion": WORLD_VERSION,
        "colourNames": list(COLOUR_NAMES),
        "colours": dict(COLOURS),
        "colourWords": _table(COLOUR_WORDS),
        "shapes": list(SHAPES),
        "nouns": _table(NOUNS),
        "sizes": list(SIZES),
        "sizeWords": _table(SIZE_WORDS),
        "motions": list(MOTIONS),
        "linearMotions": list(LINEAR_MOTIONS),
        "speeds": list(SPEEDS),
        "verbs": [{"finite": v.finite, "participle": v.participle, "motions": list(v.motions),
                   "needsDirection": v.needs_direction, "shapes": list(v.shapes)} for v in VERBS],
        "directions": _table(DIRECTIONS),
        "speedPre": _table(SPEED_PRE),
        "speedPost": _table(SPEED_POST),
        "backgrounds": list(BACKGROUNDS),
        "backgroundPhrases": _table(BACKGROUND_PHRASES),
        "plainTemplates": list(PLAIN_TEMPLATES),
        "cameras": list(CAMERAS),
        "cameraPhrases": _table(CAMERA_PHRASES),
        "lights": list(LIGHTS),
        "lightPhrases": _table(LIGHT_PHRASES),
        "weathers": list(WEATHERS),
        "weatherPhrases": _table(WEATHER_PHRASES),
        "styles": list(STYLES),
        "stylePhrases": _table(STYLE_PHRASES),
        "sceneAttributes": list(SCENE_ATTRIBUTES),
        "articles": list(ARTICLES),
        "joiners": list(JOINERS),
        # A scene phrase opening with one of these may follow the clauses after a space, not a comma.
        "linking": list(_LINKING),
        "minBackgroundDistance": MIN_BACKGROUND_DISTANCE,
        "forbiddenColours": forbidden_colours(),
    }


def parsed_captions(seed: int = CAPTIONS_SEED, clips: int = CAPTION_CLIPS) -> dict:
    """Captions of both splits for random clips (1, 2 and 3 objects in turn),
    each with parse_caption's reading of it."""
    rng = random.Random(seed)
    out = []
    for i in range(clips):
        clip = sample_clip(rng, n_objects=1 + i % 3)
        for split in SPLITS:
            caption = captions_for(clip, rng, n=1, split=split)[0]
            parsed = parse_caption(caption)
            out.append({
                "caption": caption,
                "split": split,
                "objects": [dataclasses.asdict(o) for o in parsed.objects],
                "scene": parsed.scene,
                "lead": None if parsed.lead is None else list(parsed.lead),
            })
    return {"regenerate": CAPTIONS_COMMAND, "seed": seed, "captions": out}


def dumps(value: dict) -> str:
    return json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, help="write the vocabulary JSON here")
    parser.add_argument("--captions-out", type=Path, help="write the parsed-captions fixture here")
    args = parser.parse_args()
    if args.out is None and args.captions_out is None:
        parser.error("give --out and/or --captions-out")
    if args.out is not None:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(dumps(vocabulary()))
        print(f"wrote {args.out}")
    if args.captions_out is not None:
        args.captions_out.parent.mkdir(parents=True, exist_ok=True)
        args.captions_out.write_text(dumps(parsed_captions()))
        print(f"wrote {args.captions_out}")


if __name__ == "__main__":
    main()
