"""Edit by instruction, measured with the program judge (issue 13), and the
report next to the manifest:

    python -m lantern.editing --checkpoint checkpoints/lantern-tiny --out ../models-manifest --cases 50 --threads 1

writes <out>/<model>.editing.json (config, summaries, per-case numbers) and
<out>/<model>.editing.md (one table per strength).

Editing re-noises a clip's latent to t = strength and denoises it under the
edited prompt with the same seed (LanternModel.generate(edit=...)). It
should change what the instruction names and keep what it does not: the
layout and the motion. This measures both, against the plain way to get the
edited prompt: text-to-video from scratch with the same seed (strength 1).

Cases: the first `--cases` single-object held-out prompts (the scorer's, as
in continuity.py), case i with seed `--seed` + i. Each case re-captions the
clip in the eval split (held-out phrasing) naming the same attributes as the
held-out prompt (motion and background always), and edits one attribute,
cycling through KINDS: the object's colour ("make it blue"), the background
(a plain colour, "make the background green", or a named one, "at night")
or the shape ("make it a star"). The edited clip spec differs from the
original in exactly that attribute and keeps the world's rules (the colour
stays clear of the background; circles do not spin); the edited prompt is
the grammar's caption of it with the same mentions (the same caption seed,
so mostly the same words). Weather and style edits are left out: the judge
gives no verdict on them (they enter only as plausible looks).

Per case: the original clip (original prompt, seed s); the edit (edited
prompt, seed s, edit=original as 8-bit frames, each --strength); from
scratch (edited prompt, seed s). Each clip is judged whole (judge_clip,
trust 'prompt') against the prompt it should show:
- changed right: the judge's verdict on the edited attribute is True (not
  judgeable counts as not right); the rendered edited spec gives the
  judge's ceiling;
- motion kept: the clip's motion verdict equals the original's;
- untouched kept: of colour, shape and background, the ones not edited:
  % whose verdict equals the original's;
- track distance: mean distance between the original's and the clip's
  object centroid (screen coordinates, 0..1 of the frame side) over frames
  where both are tracked; cases where either track is missing are left out;
- pixel change: mean absolute difference from the original, 8-bit levels.
"""
from __future__ import annotations

import argparse
import json
import math
import random
import shlex
import sys
import time
from dataclasses import dataclass, fields, replace
from pathlib import Path

import numpy as np
import torch

from .continuity import as_bytes, single_object_prompts
from .judge import judge_clip
from .pipeline import LanternModel, load_checkpoint
from .world.captions import describe
from .world.phrases import BACKGROUND_PHRASES, article
from .world.render import render_clips
from .world.spec import (BACKGROUNDS, COLOUR_NAMES, SHAPES, ClipSpec, EvalPrompt, ObjectSpec,
                         allowed_object_colours, camera_transform)

KINDS = ("colour", "background", "shape")  # the attributes an edit changes, one per case, in turn
JUDGED = ("colour", "shape", "background")  # verdicts compared for the untouched attributes
DEFAULT_STRENGTH = 0.6  # LanternModel.generate's, used when the manifest gives none


@dataclass(frozen=True)
class EditCase:
    kind: str
    instruction: str  # what a user would type: "make it blue", "at night"
    original: EvalPrompt
    edited: EvalPrompt
    seed: int


def changed_attributes(a: ClipSpec, b: ClipSpec) -> set[str]:
    """The fields in which two clip specs differ; background and its colour are one, 'background'."""
    out = {f.name for f in fields(ClipSpec) if f.name != "objects" and getattr(a, f.name) != getattr(b, f.name)}
    if out & {"background", "background_colour"}:
        out = (out - {"background_colour"}) | {"background"}
    if len(a.objects) != len(b.objects):
        return out | {"objects"}
    return out | {f.name for oa, ob in zip(a.objects, b.objects) for f in fields(ObjectSpec)
                  if getattr(oa, f.name) != getattr(ob, f.name)}


def edit_spec(clip: ClipSpec, kind: str, rng: random.Random) -> tuple[ClipSpec, str]:
    """The clip with one attribute changed, and the instruction that asks for it."""
    o = clip.objects[0]
    if kind == "colour":
        new = rng.choice([c for c in allowed_object_colours(clip.background, clip.background_colour) if c != o.colour])
        return replace(clip, objects=(replace(o, colour=new),)), f"make it {new}"
    if kind == "shape":
        new = rng.choice([s for s in SHAPES if s != o.shape and not (s == "circle" and o.motion == "spin")])
        return replace(clip, objects=(replace(o, shape=new),)), f"make it {article(new)} {new}"
    if kind == "background":
        keys = [(b, c) for b in BACKGROUNDS for c in (COLOUR_NAMES if b == "plain" else (None,))
                if (b, c) != (clip.background, clip.background_colour) and o.colour in allowed_object_colours(b, c)]
        named, plain = [k for k in keys if k[1] is None], [k for k in keys if k[1] is not None]
        background, colour = rng.choice(named if named and (not plain or rng.random() < 0.5) else plain)
        instruction = f"make the background {colour}" if colour else BACKGROUND_PHRASES[background][0]
        return replace(clip, background=background, background_colour=colour), instruction
    raise ValueError(f"Unsupported edit kind {kind!r}. Must be one of: {', '.join(KINDS)}.")


def edit_cases(count: int, prompt_seed: int = 0, seed: int = 0) -> list[EditCase]:
    """`count` cases, the same for the same arguments (see the module docstring)."""
    cases = []
    for i, held_out in enumerate(single_object_prompts(count, prompt_seed)):
        kind = KINDS[i % len(KINDS)]
        edited, instruction = edit_spec(held_out.clip, kind, random.Random(f"lantern-edit|{prompt_seed}|{i}"))
        edited.validate()
        caption = f"lantern-edit-caption|{prompt_seed}|{i}"  # one caption seed: the two prompts share most words
        prompts = [EvalPrompt(prompt=describe(c, random.Random(caption), held_out.mentioned, split="eval"), clip=c,
                              mentioned=held_out.mentioned) for c in (held_out.clip, edited)]
        cases.append(EditCase(kind, instruction, prompts[0], prompts[1], seed + i))
    return cases


def judged(frames: np.ndarray, prompt: EvalPrompt) -> dict:
    """The judge's verdicts on a clip (T, 3, S, S) and the object's centroid track on screen."""
    v = judge_clip(frames, prompt)
    o = v.objects[0]
    track: list = []
    if o.camera is not None:  # the judge's track is in scene coordinates under o.camera: back to the screen
        shift, zoom = camera_transform(o.camera, len(frames))
        track = [None if p is None else [round(0.5 + zoom[f] * (p[0] - 0.5) + shift[f], 4),
                                         round(0.5 + zoom[f] * (p[1] - 0.5), 4)] for f, p in enumerate(o.track)]
    return {"colour": v.colour, "shape": v.shape, "background": v.background, "motion": v.motion,
            "colour_name": o.colour_name, "shape_guess": o.shape_guess, "background_guess": v.background_guess,
            "track": track}


def track_distance(a: list, b: list) -> float | None:
    pairs = [(p, q) for p, q in zip(a, b) if p is not None and q is not None]
    return round(float(np.mean([math.dist(p, q) for p, q in pairs])), 4) if pairs else None


def outcome(kind: str, facts: dict, original: dict, frames: np.ndarray, original_frames: np.ndarray) -> dict:
    """How a clip meant to show the edit compares with the original (see the module docstring)."""
    return {**facts, "changed_right": facts[kind] is True, "motion_kept": facts["motion"] == original["motion"],
            "untouched_kept": [facts[a] == original[a] for a in JUDGED if a != kind],
            "track_distance": track_distance(original["track"], facts["track"]),
            "pixel_change": round(float(np.abs(frames - original_frames).mean() * 255), 2)}


def measure(model: LanternModel, cases: list[EditCase], strengths: list[float], steps: int, guidance: float,
            log=print) -> dict:
    timer = {"generating": 0.0, "judging": 0.0}

    def generate(prompt: str, seed: int, **edit) -> np.ndarray:
        t0 = time.perf_counter()
        with torch.no_grad():
            clip = model.generate([prompt], [seed], steps=steps, guidance=guidance, **edit)
        timer["generating"] += time.perf_counter() - t0
        return as_bytes(clip.cpu())[0].numpy()  # (T, 3, S, S)

    def judge(frames: np.ndarray, prompt: EvalPrompt) -> dict:
        t0 = time.perf_counter()
        out = judged(frames, prompt)
        timer["judging"] += time.perf_counter() - t0
        return out

    with torch.no_grad():
        rendered = as_bytes(render_clips([c.edited.clip for c in cases], model.cfg.size, model.cfg.frames)).numpy()
    details = []
    for i, (case, truth) in enumerate(zip(cases, rendered)):
        original = generate(case.original.prompt, case.seed)
        scratch = generate(case.edited.prompt, case.seed)
        o_facts = judge(original, case.original)
        d = {"kind": case.kind, "instruction": case.instruction, "seed": case.seed,
             "original_prompt": case.original.prompt, "edited_prompt": case.edited.prompt,
             "original": o_facts, "rendered_edit": {"changed_right": judge(truth, case.edited)[case.kind] is True},
             "scratch": outcome(case.kind, judge(scratch, case.edited), o_facts, scratch, original), "edits": {}}
        for s in strengths:
            edited = generate(case.edited.prompt, case.seed, edit=torch.from_numpy(original)[None], strength=s)
            d["edits"][str(s)] = outcome(case.kind, judge(edited, case.edited), o_facts, edited, original)
        details.append(d)
        log(f"case {i + 1}/{len(cases)} [{case.kind}] {case.instruction!r}: right " +
            " ".join(f"{s}:{int(e['changed_right'])}" for s, e in d["edits"].items()) +
            f" scratch:{int(d['scratch']['changed_right'])}; generating {timer['generating']:.0f} s, "
            f"judging {timer['judging']:.0f} s so far")
    kinds = [k for k in KINDS if any(d["kind"] == k for d in details)] + ["all"]
    summary = {str(s): {k: summarise([d for d in details if k in ("all", d["kind"])], str(s)) for k in kinds}
               for s in strengths}
    return {"summary": summary, "seconds_generating": round(timer["generating"], 1),
            "seconds_judging": round(timer["judging"], 1), "cases_detail": details}


def _pct(flags: list[bool]) -> float | None:
    return round(100.0 * sum(flags) / len(flags), 1) if flags else None


def _mean(values: list, digits: int = 4) -> tuple[float | None, int]:
    values = [v for v in values if v is not None]
    return (round(float(np.mean(values)), digits) if values else None), len(values)


def summarise(details: list[dict], strength: str) -> dict:
    out: dict = {"n": len(details), "rendered_changed_right": _pct([d["rendered_edit"]["changed_right"] for d in details]),
                 "original_motion_right": _pct([d["original"]["motion"] is True for d in details])}
    for name, rows in (("edit", [d["edits"][strength] for d in details]), ("scratch", [d["scratch"] for d in details])):
        distance, n = _mean([r["track_distance"] for r in rows])
        out[name] = {"changed_right": _pct([r["changed_right"] for r in rows]),
                     "motion_kept": _pct([r["motion_kept"] for r in rows]),
                     "motion_right": _pct([r["motion"] is True for r in rows]),
                     "untouched_kept": _pct([k for r in rows for k in r["untouched_kept"]]),
                     "track_distance": distance, "track_cases": n,
                     "pixel_change": _mean([r["pixel_change"] for r in rows], 2)[0]}
    return out


def _cell(a, b, unit: str = "") -> str:
    return " / ".join("-" if x is None else f"{x}{unit}" for x in (a, b))


def write_markdown(report: dict, path: Path) -> None:
    c = report["config"]
    lines = [f"# Edit by instruction: {c['model']}", "", f"Regenerate (from `training/`): `{c['command']}`", "",
             f"{c['cases']} single-object held-out prompts (`heldout.eval_prompts`, prompt seed {c['prompt_seed']}) "
             f"re-captioned in the eval split, one edit each ({', '.join(KINDS)} in turn), seeds "
             f"{c['seeds'][0]}..{c['seeds'][-1]}, {c['steps']} steps, guidance {c['guidance']}, {c['device']}, "
             f"{c['threads']} thread(s); {report['seconds_total']:.0f} s ({report['seconds_generating']:.0f} s "
             f"generating, {report['seconds_judging']:.0f} s judging). Each cell is edit / from scratch (the "
             "edited prompt as plain text-to-video, same seed). Judged by the program judge (trust 'prompt'); "
             "what each number means is in `lantern/editing.py`. Weather and style edits are not measured: "
             "the judge gives no verdict on them.", ""]
    for strength, rows in report["summary"].items():
        lines += [f"## Strength {strength}" + (" (the manifest's default)" if float(strength) == c["default_strength"]
                                               else ""), "",
                  "| edit | n | changed attribute right | judge's ceiling (rendered) | motion verdict kept | motion right "
                  "(original: edit / scratch) | untouched verdicts kept | track distance (cases) | pixel change |",
                  "|---|---|---|---|---|---|---|---|---|"]
        for kind, r in rows.items():
            e, s = r["edit"], r["scratch"]
            lines.append(f"| {'**all**' if kind == 'all' else kind} | {r['n']} | "
                         f"{_cell(e['changed_right'], s['changed_right'], '%')} | {r['rendered_changed_right']}% | "
                         f"{_cell(e['motion_kept'], s['motion_kept'], '%')} | "
                         f"{r['original_motion_right']}%: {_cell(e['motion_right'], s['motion_right'], '%')} | "
                         f"{_cell(e['untouched_kept'], s['untouched_kept'], '%')} | "
                         f"{_cell(e['track_distance'], s['track_distance'])} ({e['track_cases']} / {s['track_cases']}) | "
                         f"{_cell(e['pixel_change'], s['pixel_change'])} |")
        lines.append("")
    lines += ["Track distance: mean centroid distance from the original's track, in frame sides, over cases where "
              "the judge tracks the object in both. Pixel change: mean absolute difference from the original, "
              "8-bit levels. Motion verdict kept counts a verdict that was False (or not judgeable) in both as kept; "
              "motion right says how often it was True."]
    path.write_text("\n".join(lines) + "\n")


def manifest_strength(out: Path, name: str) -> float | None:
    """conditioning.editing.defaultStrength of <out>/<name>.json, if there is one."""
    path = out / f"{name}.json"
    if not path.exists():
        return None
    return json.loads(path.read_text()).get("conditioning", {}).get("editing", {}).get("defaultStrength")


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--checkpoint", type=Path, required=True)
    ap.add_argument("--out", type=Path, required=True, help="folder for <model>.editing.json and .md")
    ap.add_argument("--cases", type=int, default=50, help="single-object held-out prompts, one edit each")
    ap.add_argument("--prompt-seed", type=int, default=0, help="which held-out prompt set")
    ap.add_argument("--seed", type=int, default=0, help="case i generates with seed --seed + i")
    ap.add_argument("--strength", type=float, nargs="+",
                    help="re-noise time(s) of the edit (default: the manifest's editing.defaultStrength in --out)")
    ap.add_argument("--steps", type=int, help="sampler steps (default: the model's, as the app)")
    ap.add_argument("--guidance", type=float, help="guidance (default: the model's, as the app)")
    ap.add_argument("--threads", type=int, default=0, help="torch threads (0: torch's default)")
    ap.add_argument("--device", help="torch device (default: cuda when available, else cpu)")
    args = ap.parse_args(argv)
    if args.cases < 1:
        raise SystemExit(f"--cases must be at least 1, got {args.cases}")
    if args.strength and not all(0 < s <= 1 for s in args.strength):
        raise SystemExit(f"--strength must be in (0, 1], got {args.strength}")

    if args.threads:
        torch.set_num_threads(args.threads)
    device = torch.device(args.device or ("cuda" if torch.cuda.is_available() else "cpu"))
    torch.backends.cuda.matmul.allow_tf32 = False  # measure float32 as float32
    torch.backends.cudnn.allow_tf32 = False
    start = time.perf_counter()
    model, meta = load_checkpoint(args.checkpoint)
    model.to(device).eval()
    steps = args.steps or model.cfg.flow.default_steps
    guidance = model.cfg.flow.default_guidance if args.guidance is None else args.guidance
    default = manifest_strength(args.out, model.cfg.name)
    strengths = list(dict.fromkeys(args.strength or [default or DEFAULT_STRENGTH]))
    cases = edit_cases(args.cases, args.prompt_seed, args.seed)
    result = measure(model, cases, strengths, steps, guidance)
    config = {"model": model.cfg.name, "checkpoint": str(args.checkpoint), "checkpoint_step": meta.get("denoiser_steps"),
              "steps": steps, "guidance": guidance, "strengths": strengths,
              "default_strength": default or DEFAULT_STRENGTH,
              "default_strength_from": "manifest" if default else "LanternModel.generate",
              "cases": args.cases, "prompt_seed": args.prompt_seed, "seeds": [c.seed for c in cases],
              "kinds": list(KINDS), "frames": model.cfg.frames, "size": model.cfg.size, "device": str(device),
              "threads": torch.get_num_threads(),
              "command": "python -m lantern.editing " + shlex.join(sys.argv[1:] if argv is None else argv)}
    report = {"config": config, "seconds_total": round(time.perf_counter() - start, 1), **result}
    args.out.mkdir(parents=True, exist_ok=True)
    stem = args.out / f"{model.cfg.name}.editing"
    Path(f"{stem}.json").write_text(json.dumps(report, indent=1) + "\n")
    write_markdown(report, Path(f"{stem}.md"))
    print(Path(f"{stem}.md").read_text())
    print(f"wrote {stem}.json and {stem}.md")


if __name__ == "__main__":
    main()
