"""How well frame-conditioned generation keeps what it is given, measured
with the program judge, and the report next to the manifest:

    python -m lantern.continuity --checkpoint checkpoints/lantern-tiny --out ../models-manifest --cases 50 --threads 1

writes <out>/<model>.continuity.json (every number, the config, per-case
details) and <out>/<model>.continuity.md (the tables).

Cases are the first `--cases` single-object prompts of
heldout.eval_prompts (the scorer's held-out prompts), case i with seed
`--seed` + i. Frames cross the engine's boundary as bytes, so every frame
given to the model and every frame measured is rounded to 8 bits first.

The judge runs on one frame at a time (judge_clip on a 1-frame clip, trust
'prompt'): per frame it names the object's colour and shape and gives its
centroid (the 1-frame track, where no camera moves anything yet). On a
single frame it is slightly weaker than on a clip; the rendered frames'
row ("given image", "rendered") is its ceiling.

Image-to-video: the clip's first rendered frame is the image; the model
generates with it and the prompt, and with the prompt alone (same seed).
- psnr_db: PSNR of generated frame 0 against the image (the image's
  latent comes back exactly; this is the decoder's rendering of it).
- colour / shape found: % of cases in which the judge, looking at that one
  frame, names the prompt's colour / shape (not found or not judgeable
  counts as not found).

Continuation (continue_frames=1, the app's Extend): the previous clip is
the prompt-only generated clip ("generated") or the rendered clip
("rendered"); the model continues it under the same prompt with seed +
CONTINUATION_SEED_OFFSET. The engine shows previous ++ new[k:], k the
frames of one latent frame (4), so the cut is previous[T-1] -> new[k].
Per frame pair:
- colour_kept / shape_kept: % of pairs, among those where the judge names a
  colour (shape) in both frames, in which it names the same one;
- position_px: centroid distance in pixels, where the object is found in both;
- pixel_change: mean absolute difference, in 8-bit levels (0..255).
Pairs: `cut`; `decoded_step` new[k-1] -> new[k] (the same step inside the
decoded continuation, where new[k-1] decodes the given latent);
`within_previous` and `within_continuation` (consecutive frames inside
previous and inside new[k:]); `within` pools the two. `cut_over_within`
divides the cut's mean position and pixel change by within's; 1 is a cut
no larger than an ordinary step. `round_trip_pixel_change`: previous[T-1]
against new[k-1], what the autoencoder round trip alone changes.
"""
from __future__ import annotations

import argparse
import json
import math
import shlex
import sys
import time
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import numpy as np
import torch

from .judge import judge_clip
from .pipeline import LanternModel, load_checkpoint
from .world.heldout import eval_prompts
from .world.render import render_clips
from .world.spec import EvalPrompt

CONTINUE_FRAMES = 1  # latent frames a continuation takes from the previous clip (the app's default)
CONTINUATION_SEED_OFFSET = 1_000_000  # a continuation's seed: the case's seed plus this (a fresh draw)
PREVIOUS_SOURCES = ("generated", "rendered")


@dataclass(frozen=True)
class FrameFacts:
    """What the judge sees in one frame, for a single-object prompt."""
    colour: str | None  # the judge's name for the object's colour; None: not found (or sketch)
    colour_ok: bool  # the prompt's colour
    shape: str | None  # the judge's shape guess; None: not found or not judgeable (too small, cut)
    shape_ok: bool  # the prompt's shape
    xy: tuple[float, float] | None  # centroid in pixels; None: not found


def single_object_prompts(count: int, prompt_seed: int = 0) -> list[EvalPrompt]:
    """The first `count` single-object prompts of heldout.eval_prompts (a
    prefix of the same set the scorer uses)."""
    prompts = [p for p in eval_prompts(3 * count, prompt_seed) if len(p.clip.objects) == 1][:count]
    if len(prompts) < count:
        raise ValueError(f"only {len(prompts)} single-object prompts in eval_prompts({3 * count}), need {count}")
    return prompts


def as_bytes(video: torch.Tensor) -> torch.Tensor:
    """Round to 8 bits, as frames cross the engine's boundary."""
    return (video.clamp(0, 1) * 255).round() / 255


def judge_frame(frame: np.ndarray, prompt: EvalPrompt) -> FrameFacts:
    """The judge on one frame (3, S, S). Motion counts as named so that the
    verdict carries the object's track (one point: its screen centroid)."""
    v = judge_clip(frame[None], replace(prompt, mentioned=prompt.mentioned | {"motion"}))
    o = v.objects[0]
    point = o.track[0] if o.track else None
    size = frame.shape[-1]
    return FrameFacts(colour=o.colour_name, colour_ok=v.colour is True, shape=o.shape_guess,
                      shape_ok=v.shape is True, xy=None if point is None else (point[0] * size, point[1] * size))


def psnr(a: np.ndarray, b: np.ndarray) -> float:
    mse = float(np.mean((a.astype(np.float64) - b) ** 2))
    return math.inf if mse == 0 else 10 * math.log10(1 / mse)


def pair_change(a: np.ndarray, b: np.ndarray, fa: FrameFacts, fb: FrameFacts) -> dict:
    """Change from frame a to frame b (see the module docstring); None where
    the judge cannot tell (the object or its colour/shape missing in one)."""
    return {"colour_kept": None if fa.colour is None or fb.colour is None else fa.colour == fb.colour,
            "shape_kept": None if fa.shape is None or fb.shape is None else fa.shape == fb.shape,
            "position_px": None if fa.xy is None or fb.xy is None else math.dist(fa.xy, fb.xy),
            "pixel_change": float(np.abs(a - b).mean() * 255)}


def summarise_pairs(pairs: list[dict]) -> dict:
    """Pooled over pairs: % kept (and over how many pairs the judge could
    tell), mean and median position and pixel change."""
    out: dict = {"pairs": len(pairs)}
    for key in ("colour_kept", "shape_kept"):
        told = [p[key] for p in pairs if p[key] is not None]
        out[key] = _pct(sum(told), len(told))
        out[f"{key}_pairs"] = len(told)
    for key in ("position_px", "pixel_change"):
        values = [p[key] for p in pairs if p[key] is not None]
        out[key] = round(float(np.mean(values)), 2) if values else None
        out[f"{key}_median"] = round(float(np.median(values)), 2) if values else None
        out[f"{key}_pairs"] = len(values)
    return out


def _pct(n: int, total: int) -> float | None:
    return round(100.0 * n / total, 1) if total else None


def found_rates(facts: list[FrameFacts]) -> dict:
    """% of cases whose frame shows the prompt's colour / shape, per the judge."""
    return {"colour": _pct(sum(f.colour_ok for f in facts), len(facts)),
            "shape": _pct(sum(f.shape_ok for f in facts), len(facts))}


def measure(model: LanternModel, prompts: list[EvalPrompt], seeds: list[int], steps: int, guidance: float,
            log=print) -> dict:
    """Every number of the report (see the module docstring) and per-case details."""
    cfg = model.cfg
    T, k = cfg.frames, CONTINUE_FRAMES * cfg.autoencoder.temporal
    timer = {"generating": 0.0, "judging": 0.0}

    def generate(prompt: EvalPrompt, seed: int, **conditioning) -> np.ndarray:
        t0 = time.perf_counter()
        with torch.no_grad():
            clip = model.generate([prompt.prompt], [seed], steps=steps, guidance=guidance, **conditioning)
        timer["generating"] += time.perf_counter() - t0
        return as_bytes(clip.cpu())[0].numpy()  # (T, 3, S, S)

    def judge(frames: np.ndarray, prompt: EvalPrompt) -> list[FrameFacts]:
        t0 = time.perf_counter()
        facts = [judge_frame(f, prompt) for f in frames]
        timer["judging"] += time.perf_counter() - t0
        return facts

    i2v: dict[str, list] = {"psnr": [], "given": [], "image_first": [], "image_last": [], "text_first": [],
                            "text_last": []}
    cont = {s: {"cut": [], "decoded_step": [], "within_previous": [], "within_continuation": [], "round_trip": []}
            for s in PREVIOUS_SOURCES}
    cases = []
    with torch.no_grad():
        truths = as_bytes(render_clips([p.clip for p in prompts], cfg.size, T)).numpy()  # (N, T, 3, S, S)
    for i, (prompt, seed, truth) in enumerate(zip(prompts, seeds, truths)):
        text_clip = generate(prompt, seed)
        image_clip = generate(prompt, seed, image=torch.from_numpy(truth[:1]))
        given, = judge(truth[:1], prompt)
        image_facts = judge(image_clip[[0, T - 1]], prompt)
        text_facts = judge(text_clip, prompt)
        i2v["psnr"].append(psnr(image_clip[0], truth[0]))
        for key, fact in (("given", given), ("image_first", image_facts[0]), ("image_last", image_facts[1]),
                          ("text_first", text_facts[0]), ("text_last", text_facts[-1])):
            i2v[key].append(fact)
        case = {"prompt": prompt.prompt, "seed": seed, "psnr_db": round(i2v["psnr"][-1], 2),
                "given": asdict(given), "image_first": asdict(image_facts[0]), "text_first": asdict(text_facts[0])}
        for source, previous in (("generated", text_clip), ("rendered", truth)):
            prev_facts = text_facts if source == "generated" else judge(truth, prompt)
            new = generate(prompt, seed + CONTINUATION_SEED_OFFSET, previous=torch.from_numpy(previous)[None],
                           continue_frames=CONTINUE_FRAMES)
            new_facts = [None] * (k - 1) + judge(new[k - 1:], prompt)
            c = cont[source]
            c["cut"].append(pair_change(previous[T - 1], new[k], prev_facts[T - 1], new_facts[k]))
            c["decoded_step"].append(pair_change(new[k - 1], new[k], new_facts[k - 1], new_facts[k]))
            c["within_previous"] += [pair_change(previous[f], previous[f + 1], prev_facts[f], prev_facts[f + 1])
                                     for f in range(T - 1)]
            c["within_continuation"] += [pair_change(new[f], new[f + 1], new_facts[f], new_facts[f + 1])
                                         for f in range(k, T - 1)]
            c["round_trip"].append(float(np.abs(previous[T - 1] - new[k - 1]).mean() * 255))
            case[f"cut_{source}"] = c["cut"][-1]
        cases.append(case)
        log(f"case {i + 1}/{len(prompts)}: {prompt.prompt!r} psnr {case['psnr_db']} dB; "
            f"generating {timer['generating']:.0f} s, judging {timer['judging']:.0f} s so far")

    finite = [p for p in i2v["psnr"] if math.isfinite(p)]
    image_to_video = {
        "psnr_db": {"mean": round(float(np.mean(finite)), 2), "median": round(float(np.median(finite)), 2),
                    "min": round(min(finite), 2), "max": round(max(finite), 2), "infinite": len(prompts) - len(finite)},
        "found_pct": {"given_image": {"first": found_rates(i2v["given"])},
                      "image_and_prompt": {"first": found_rates(i2v["image_first"]),
                                           "last": found_rates(i2v["image_last"])},
                      "prompt_only": {"first": found_rates(i2v["text_first"]), "last": found_rates(i2v["text_last"])}},
    }
    continuation = {}
    for source, c in cont.items():
        rows = {name: summarise_pairs(c[name]) for name in ("cut", "decoded_step", "within_previous",
                                                             "within_continuation")}
        rows["within"] = summarise_pairs(c["within_previous"] + c["within_continuation"])
        rows["cut_over_within"] = {key: None if not rows["within"][key] or rows["cut"][key] is None
                                   else round(rows["cut"][key] / rows["within"][key], 2)
                                   for key in ("position_px", "pixel_change")}
        rows["round_trip_pixel_change"] = round(float(np.mean(c["round_trip"])), 2)
        continuation[source] = rows
    return {"image_to_video": image_to_video, "continuation": continuation,
            "seconds_generating": round(timer["generating"], 1), "seconds_judging": round(timer["judging"], 1),
            "cases_detail": cases}


def _cell(x, unit: str = "") -> str:
    return "-" if x is None else f"{x}{unit}"


def write_markdown(report: dict, path: Path) -> None:
    c, i2v = report["config"], report["image_to_video"]
    found, p = i2v["found_pct"], i2v["psnr_db"]
    lines = [f"# Frame-conditioned generation: {c['model']}", "",
             f"Regenerate (from `training/`): `{c['command']}`", "",
             f"{c['cases']} single-object held-out prompts (`heldout.eval_prompts`, prompt seed {c['prompt_seed']}), "
             f"seeds {c['seeds'][0]}..{c['seeds'][-1]}, {c['steps']} steps, guidance {c['guidance']}, "
             f"{c['device']}, {c['threads']} thread(s); {report['seconds_total']:.0f} s "
             f"({report['seconds_generating']:.0f} s generating, {report['seconds_judging']:.0f} s judging). "
             "Each frame judged on its own by the program judge (trust 'prompt'); what each number means is in "
             "`lantern/continuity.py`.", "",
             "## Image to video", "",
             f"Generated frame 0 against the given image: PSNR mean {p['mean']} dB, median {p['median']} dB "
             f"(min {p['min']}, max {p['max']}).", "",
             "% of cases whose frame shows the prompt's colour / shape:", "",
             "| input | colour, frame 0 | colour, last frame | shape, frame 0 | shape, last frame |",
             "|---|---|---|---|---|"]
    for name, label in (("given_image", "the given image itself (judge's ceiling)"),
                        ("image_and_prompt", "image + prompt"), ("prompt_only", "prompt only (same seeds)")):
        first, last = found[name]["first"], found[name].get("last", {})
        lines.append(f"| {label} | {_cell(first['colour'], '%')} | {_cell(last.get('colour'), '%')} | "
                     f"{_cell(first['shape'], '%')} | {_cell(last.get('shape'), '%')} |")
    k = c["given_frames"]
    lines += ["", "## Continuation", "",
              f"continue_frames={c['continue_frames']}; the clip shown is previous ++ new[{k}:], so the cut is previous "
              f"frame {c['frames'] - 1} -> new frame {k}. Kept: % of pairs where the judge names the same colour "
              "(shape) in both frames, over the pairs where it names one in both (n). Position: centroid distance "
              "in px (median). Pixel: mean absolute change in 8-bit levels.", "",
              "| previous clip | frame pairs | colour kept (n) | shape kept (n) | position px (median) | pixel change |",
              "|---|---|---|---|---|---|"]
    for source, rows in report["continuation"].items():
        for name, label in (("cut", "cut"), ("decoded_step", f"new {k - 1} -> {k}"),
                            ("within_previous", "within previous"), ("within_continuation", "within new"),
                            ("within", "within (both)")):
            r = rows[name]
            lines.append(f"| {source} | {label} | {_cell(r['colour_kept'], '%')} ({r['colour_kept_pairs']}) | "
                         f"{_cell(r['shape_kept'], '%')} ({r['shape_kept_pairs']}) | {_cell(r['position_px'])} "
                         f"({_cell(r['position_px_median'])}) | {_cell(r['pixel_change'])} |")
        ratio = rows["cut_over_within"]
        lines.append(f"| {source} | **cut / within** | | | **{_cell(ratio['position_px'], 'x')}** | "
                     f"**{_cell(ratio['pixel_change'], 'x')}** |")
    lines += ["", "Round trip (previous's last frame against the new clip's decoding of it, pixel change): " +
              ", ".join(f"{s} {rows['round_trip_pixel_change']}" for s, rows in report["continuation"].items()) + "."]
    path.write_text("\n".join(lines) + "\n")


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--checkpoint", type=Path, required=True)
    ap.add_argument("--out", type=Path, required=True, help="folder for <model>.continuity.json and .md")
    ap.add_argument("--cases", type=int, default=50, help="single-object held-out prompts")
    ap.add_argument("--prompt-seed", type=int, default=0, help="which held-out prompt set")
    ap.add_argument("--seed", type=int, default=0, help="case i generates with seed --seed + i")
    ap.add_argument("--steps", type=int, help="sampler steps (default: the model's, as the app)")
    ap.add_argument("--guidance", type=float, help="guidance (default: the model's, as the app)")
    ap.add_argument("--threads", type=int, default=0, help="torch threads (0: torch's default)")
    ap.add_argument("--device", help="torch device (default: cuda when available, else cpu)")
    args = ap.parse_args(argv)
    if args.cases < 1:
        raise SystemExit(f"--cases must be at least 1, got {args.cases}")

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
    prompts = single_object_prompts(args.cases, args.prompt_seed)
    seeds = [args.seed + i for i in range(args.cases)]
    result = measure(model, prompts, seeds, steps, guidance)
    config = {"model": model.cfg.name, "checkpoint": str(args.checkpoint), "checkpoint_step": meta.get("denoiser_steps"),
              "steps": steps, "default_steps": model.cfg.flow.default_steps, "guidance": guidance,
              "cases": args.cases, "prompt_seed": args.prompt_seed, "seeds": seeds,
              "continuation_seed_offset": CONTINUATION_SEED_OFFSET, "continue_frames": CONTINUE_FRAMES,
              "given_frames": CONTINUE_FRAMES * model.cfg.autoencoder.temporal,
              "frames": model.cfg.frames, "size": model.cfg.size, "device": str(device),
              "threads": torch.get_num_threads(),
              "command": "python -m lantern.continuity " + shlex.join(sys.argv[1:] if argv is None else argv)}
    report = {"config": config, "seconds_total": round(time.perf_counter() - start, 1), **result}
    args.out.mkdir(parents=True, exist_ok=True)
    stem = args.out / f"{model.cfg.name}.continuity"
    Path(f"{stem}.json").write_text(json.dumps(report, indent=1) + "\n")
    write_markdown(report, Path(f"{stem}.md"))
    print(Path(f"{stem}.md").read_text())
    print(f"wrote {stem}.json and {stem}.md")


if __name__ == "__main__":
    main()
