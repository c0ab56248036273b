"""The app's copy of the caption vocabulary (src/edit/shapes-world-vocabulary.json)
and its parsed-captions fixture are what lantern.world.vocabulary writes now,
so the rewriter's tables cannot drift from phrases.py and spec.py."""
import json
from pathlib import Path

from lantern.world.phrases import all_phrases
from lantern.world.spec import COLOUR_NAMES, allowed_object_colours
from lantern.world.vocabulary import (CAPTIONS_COMMAND, VOCABULARY_COMMAND, dumps, forbidden_colours,
                                      parsed_captions, vocabulary)

ROOT = Path(__file__).resolve().parents[2]
VOCABULARY_JSON = ROOT / "src" / "edit" / "shapes-world-vocabulary.json"
CAPTIONS_JSON = ROOT / "test" / "fixtures" / "edit" / "parsed-captions.json"


def test_committed_vocabulary_is_current():
    committed = json.loads(VOCABULARY_JSON.read_text())
    assert committed == vocabulary(), f"{VOCABULARY_JSON} is stale; regenerate it: {VOCABULARY_COMMAND}"
    assert VOCABULARY_JSON.read_text() == dumps(vocabulary()), f"not in canonical form; run: {VOCABULARY_COMMAND}"


def test_committed_caption_fixture_is_current():
    committed = json.loads(CAPTIONS_JSON.read_text())
    assert committed == parsed_captions(), f"{CAPTIONS_JSON} is stale; regenerate it: {CAPTIONS_COMMAND}"


def test_vocabulary_names_every_phrase_of_the_grammar():
    v = vocabulary()
    said = {p for table in ("nouns", "colourWords", "sizeWords", "directions", "speedPre", "speedPost",
                            "backgroundPhrases", "cameraPhrases", "lightPhrases", "weatherPhrases", "stylePhrases")
            for phrases in v[table].values() for p in phrases}
    said |= {form for verb in v["verbs"] for form in (verb["finite"], verb["participle"])}
    said |= {t.format(a=a, c=w) for t in v["plainTemplates"] for ws in v["colourWords"].values() for w in ws
             for a in ("a", "an")}
    missing = {phrase for _, _, phrase in all_phrases()} - said
    assert not missing, missing


def test_forbidden_colours_follow_the_clash_rule():
    forbidden = forbidden_colours()
    assert forbidden["night"] == ["white", "black"]  # stars and the night sky
    for colour in COLOUR_NAMES:
        assert colour in forbidden[f"plain {colour}"]
        assert set(forbidden[f"plain {colour}"]) | set(allowed_object_colours("plain", colour)) == set(COLOUR_NAMES)
