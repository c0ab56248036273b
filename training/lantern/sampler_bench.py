"""Samplers against steps, with the shipped model: the judge's held-out
scores, how close each clip comes to a 100-step reference of the same seed
(PSNR, which does not depend on how good the model is), and the cost as
denoiser evaluations and time relative to Euler at 24 steps, measured in
the same run. Writes the rows to <out>.json after each one (so a run cut
short keeps what it measured; `npm run bench` prints them beside the time of
a clip in the browser) and prints a Markdown table at the end; the analysis
in bench/samplers.md is written by hand and never overwritten:

    python -m lantern.sampler_bench --checkpoint checkpoints/lantern-tiny \\
        --count 100 --psnr-count 24 --out ../bench/samplers

(issue 16: the default sampler is the fastest setting whose scores are
within 1 point of Euler-24's).
"""
from __future__ import annotations

import argparse
import json
import math
import time
from pathlib import Path

import numpy as np
import torch

from .evaluate import evaluate
from .flow import SAMPLERS, denoiser_evaluations
from .pipeline import load_checkpoint
from .world.heldout import eval_prompts
from .judge.verdict import ATTRIBUTES

# The grid, cheapest first within each sampler so that a run cut by
# its time still has the rows that decide the default.
DEFAULT_GRID = ("dpmpp2m:4,6,8,12,16,24", "euler:4,6,8,12,16", "heun:4,6,8,12,16,24")
REFERENCE_STEPS = 100


def parse_grid(items: list[str], shift: float) -> list[tuple[str, int, float]]:
    """'heun:4,6' -> [('heun', 4, shift), ('heun', 6, shift)]; 'euler@4:12' -> [('euler', 12, 4.0)]
    (the schedule shifted by 4 instead of the model's); a named error for anything else."""
    out: list[tuple[str, int, float]] = []
    for item in items:
        head, _, steps = item.partition(":")
        name, marked, at = head.partition("@")
        try:
            shifted = float(at) if marked else shift
        except ValueError:
            shifted = -1.0
        if name not in SAMPLERS or not steps or not shifted > 0:
            raise ValueError(f"grid entry {item!r}: expected SAMPLER[@SHIFT]:STEPS[,STEPS...] with SAMPLER one of {', '.join(SAMPLERS)} "
                             "and SHIFT > 0")
        out += [(name, int(s), shifted) for s in steps.split(",")]
    return out


def kept_rows(out: Path, identity: dict) -> list[dict]:
    """The rows of an earlier run of the same setup (--resume), Euler-24 first; [] if there is none."""
    path = out.with_suffix(".json")
    if not path.exists():
        return []
    earlier = json.loads(path.read_text())
    if any(earlier.get(key) != value for key, value in identity.items()):
        raise ValueError(f"{path} was measured with other settings than {identity}; move it away or run without --resume")
    rows = earlier["rows"]
    return sorted(rows, key=lambda r: (r["sampler"], r["steps"]) != ("euler", 24))


def psnr(a: np.ndarray, b: np.ndarray) -> float:
    mse = float(np.mean((a.astype(np.float64) - b.astype(np.float64)) ** 2))
    return math.inf if mse == 0 else 10 * math.log10(1.0 / mse)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--checkpoint", type=Path, required=True)
    ap.add_argument("--count", type=int, default=100, help="held-out prompts judged per setting")
    ap.add_argument("--psnr-count", type=int, default=24, help="of those, how many are compared with the 100-step reference")
    ap.add_argument("--grid", nargs="+", default=list(DEFAULT_GRID), help="SAMPLER:STEPS,... entries")
    ap.add_argument("--guidance", type=float, help="default: the model's")
    ap.add_argument("--batch", type=int, default=8)
    ap.add_argument("--out", type=Path, required=True, help="path stem: writes <out>.json and <out>.reference.npy")
    ap.add_argument("--resume", action="store_true",
                    help="keep the rows <out>.json already has (same checkpoint, prompts and guidance) and the reference "
                         "clips in <out>.reference.npy, and measure only the rest; generation is deterministic per seed, "
                         "so kept scores and PSNR are what a new run would give, but times then come from several runs")
    args = ap.parse_args(argv)
    torch.manual_seed(0)
    model, _ = load_checkpoint(args.checkpoint)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    model.to(device).eval()
    prompts = eval_prompts(args.count, 0)
    seeds = [0]
    shift = model.cfg.flow.shift
    baseline = ("euler", 24, shift)
    grid = [baseline] + [g for g in parse_grid(args.grid, shift) if g != baseline]

    def clips_for(sampler: str, steps: int, texts: list[str], clip_seeds: list[int], at: float = shift) -> np.ndarray:
        with torch.no_grad():
            return model.generate(texts, clip_seeds, steps=steps, guidance=args.guidance, sampler=sampler, shift=at).cpu().numpy()

    k = min(args.psnr_count, args.count)
    guidance = args.guidance if args.guidance is not None else model.cfg.flow.default_guidance
    identity = {"checkpoint": str(args.checkpoint), "prompts": args.count, "psnr_prompts": k, "reference": f"euler {REFERENCE_STEPS} steps",
                "guidance": guidance, "shift": shift}
    rows = kept_rows(args.out, identity) if args.resume else []
    reference_file = args.out.with_suffix(".reference.npy")
    if args.resume and reference_file.exists():
        reference = np.load(reference_file)
    else:
        ref_texts = [p.prompt for p in prompts[:k]]
        reference = np.concatenate([clips_for("euler", REFERENCE_STEPS, ref_texts[i:i + args.batch], [0] * len(ref_texts[i:i + args.batch]))
                                    for i in range(0, k, args.batch)])
        args.out.parent.mkdir(parents=True, exist_ok=True)
        np.save(reference_file, reference)
    done = {(r["sampler"], r["steps"], r.get("shift", shift)) for r in rows}
    for sampler, steps, at in [g for g in grid if g not in done]:
        kept: list[np.ndarray] = []

        def generate(texts: list[str], clip_seeds: list[int]) -> np.ndarray:
            clips = clips_for(sampler, steps, texts, clip_seeds, at)
            kept.append(clips[: max(0, k - sum(len(c) for c in kept))])
            return clips

        t0 = time.perf_counter()
        report = evaluate(generate, prompts, seeds, batch_size=args.batch)
        compared = np.concatenate(kept)[:k]
        rows.append({
            "sampler": sampler, "steps": steps, "shift": at, "evaluations": denoiser_evaluations(sampler, steps),
            "seconds_generating": report.seconds_generating, "seconds_total": round(time.perf_counter() - t0, 2),
            "scores": report.scores, "psnr_vs_reference": round(float(np.mean([psnr(a, b) for a, b in zip(compared, reference)])), 2),
        })
        rows[-1]["time_vs_euler24"] = round(rows[-1]["seconds_generating"] / rows[0]["seconds_generating"], 3)
        print(json.dumps(rows[-1]), flush=True)
        # Written after every row: a run cut short keeps what it measured.
        meta = identity | {"device": device, "threads": torch.get_num_threads(), "rows": rows}
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.with_suffix(".json").write_text(json.dumps(meta, indent=1))
    print(table(identity | {"device": device, "rows": rows}))


def fmt(x: float | None) -> str:
    return "-" if x is None else f"{x:.1f}"


def table(meta: dict) -> str:
    head = ("| sampler | steps | shift | denoiser calls | time vs Euler-24 | PSNR vs ref (dB) | " + " | ".join(ATTRIBUTES) + " |\n"
            + "|---" * (6 + len(ATTRIBUTES)) + "|\n")
    body = "".join(
        f"| {r['sampler']} | {r['steps']} | {r.get('shift', meta.get('shift', '-'))} | {r['evaluations']} | {r['time_vs_euler24']:.2f} | "
        f"{r['psnr_vs_reference']:.2f} | "
        + " | ".join(fmt(r["scores"].get(a)) for a in ATTRIBUTES) + " |\n" for r in meta["rows"])
    return (f"Held-out prompts: {meta['prompts']} (PSNR on the first {meta['psnr_prompts']}, against {meta['reference']} of the same seed); "
            f"guidance {meta['guidance']}; {meta['device']}, times as ratios in one run. Scores in %.\n\n" + head + body)


if __name__ == "__main__":
    main()
