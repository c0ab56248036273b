"""Score a trained model on the held-out prompts, with float32 weights and
with the int8 rounding the export ships, and write the report next to the
manifest:

    python -m lantern.score --checkpoint DIR --count 200 --out ../models-manifest/lantern-tiny

writes <out>.report.md and .report.json (float32: the judge's scores against
the spec's targets, every clip's verdict) and <out>.summary.json with the int8
comparison: the same clips generated with int8-rounded
weights, their scores, and the largest pixel difference between the two.

Clips are sampled as the app samples them by default (the manifest's Fast
preset, lantern.manifest SPEEDS), unless --sampler, --steps or --shift say
otherwise. It runs on CUDA when there is one (TF32 off: float32 scores are float32),
`--batch` clips per generate call (each clip's noise comes from its own seed,
so the batch changes only rounding); `--workers N` judges in N processes
beside generation (the judge takes about 0.5 s of a CPU core a clip).
"""
from __future__ import annotations

import argparse
import copy
import json
from pathlib import Path

import numpy as np
import torch

from .evaluate import evaluate, scores_of, write_report
from .flow import SAMPLERS
from .manifest import DEFAULT_SPEED, SPEEDS
from .pipeline import LanternModel, load_checkpoint
from .quantize import fake_quantize
from .world.heldout import eval_prompts


APP_DEFAULT = SPEEDS[DEFAULT_SPEED]


def model_generator(model: LanternModel, steps: int, guidance: float, sampler: str = "euler", shift: float | None = None):
    """generate_fn for evaluate: (B, T, 3, S, S) float32 on the host."""

    def generate(texts: list[str], seeds: list[int]) -> np.ndarray:
        with torch.no_grad():
            return model.generate(texts, seeds, steps=steps, guidance=guidance, sampler=sampler, shift=shift).cpu().numpy()
    return generate


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--checkpoint", type=Path, required=True)
    ap.add_argument("--count", type=int, default=200, help="held-out prompts")
    ap.add_argument("--prompt-seed", type=int, default=0, help="which held-out prompt set")
    ap.add_argument("--seeds", type=int, nargs="+", default=[0], help="generation seeds per prompt")
    ap.add_argument("--sampler", choices=SAMPLERS, help=f"sampler (default: the app's, {APP_DEFAULT['sampler']})")
    ap.add_argument("--steps", type=int, help=f"sampler steps (default: the app's, {APP_DEFAULT['steps']})")
    ap.add_argument("--shift", type=float, help=f"the schedule's shift (default: the app's, {APP_DEFAULT['shift']})")
    ap.add_argument("--guidance", type=float, help="guidance (default: the model's, as the app)")
    ap.add_argument("--int8-count", type=int, default=100, help="prompts for the int8 comparison (0: skip)")
    ap.add_argument("--out", type=Path, required=True, help="report path stem, e.g. ../models-manifest/lantern-tiny")
    ap.add_argument("--int8-only", action="store_true",
                    help="keep <out>.report.json (the float32 scores) and only run the int8 comparison")
    ap.add_argument("--device", help="torch device (default: cuda when available, else cpu)")
    ap.add_argument("--batch", type=int, help="clips per generate call (default: 50 on CUDA, 8 on the CPU)")
    ap.add_argument("--workers", type=int, default=1, help="judging processes (1: judge in this one)")
    args = ap.parse_args(argv)

    device = torch.device(args.device or ("cuda" if torch.cuda.is_available() else "cpu"))
    batch = args.batch or (50 if device.type == "cuda" else 8)
    torch.backends.cuda.matmul.allow_tf32 = False  # score float32 as float32 (train.py turns TF32 on)
    torch.backends.cudnn.allow_tf32 = False
    model, meta = load_checkpoint(args.checkpoint)
    model.to(device).eval()
    # The app's default (the manifest's Fast preset) unless told otherwise: the report is of what users get.
    sampler = args.sampler or APP_DEFAULT["sampler"]
    steps = args.steps or APP_DEFAULT["steps"]
    shift = APP_DEFAULT["shift"] if args.shift is None else args.shift
    guidance = model.cfg.flow.default_guidance if args.guidance is None else args.guidance
    prompts = eval_prompts(args.count, args.prompt_seed)
    if not args.int8_only:
        result = evaluate(model_generator(model, steps, guidance, sampler, shift), prompts, args.seeds, batch_size=batch,
                          workers=args.workers)
        write_report(result, Path(f"{args.out}.report.md"), Path(f"{args.out}.report.json"))
    report = json.loads(Path(f"{args.out}.report.json").read_text())
    if report["clips"] != args.count * len(args.seeds) or report["seeds"] != list(args.seeds):
        raise SystemExit(f"{args.out}.report.json has {report['clips']} clips with seeds {report['seeds']}, "
                         f"not --count {args.count} with --seeds {args.seeds}: score without --int8-only")
    summary = {"model": model.cfg.name, "checkpoint_step": meta.get("step"),
               "denoiser_steps": meta.get("denoiser_steps"), "clips": report["clips"],
               "seeds": list(args.seeds), "prompt_seed": args.prompt_seed, "sampler": sampler, "steps": steps, "shift": shift,
               "guidance": guidance,
               "scores": report["scores"], "targets": report["targets"],
               "minutes_generating": round(report["seconds_generating"] / 60, 1),
               "minutes_judging": round(report["seconds_judging"] / 60, 1), "device": str(device)}
    if args.int8_count:
        quantized = fake_quantize(copy.deepcopy(model)).eval()
        subset = prompts[: args.int8_count]
        texts, seeds = [p.prompt for p in subset[:8]], [args.seeds[0]] * min(8, len(subset))
        a = model_generator(model, steps, guidance, sampler, shift)(texts, seeds)
        b = model_generator(quantized, steps, guidance, sampler, shift)(texts, seeds)
        int8_report = evaluate(model_generator(quantized, steps, guidance, sampler, shift), subset, args.seeds, batch_size=batch,
                               workers=args.workers)
        # The float32 clips of the same prompts and seeds are already judged in the report.
        wanted = {(p.prompt, s) for s in args.seeds for p in subset}
        float_scores = scores_of([v for v in report["verdicts"] if (v["prompt"], v["seed"]) in wanted])
        summary["int8"] = {
            "clips": int8_report.clips,
            "scores_float32": float_scores,
            "scores_int8": int8_report.scores,
            "max_score_drop": max((float_scores[k] or 0) - (int8_report.scores[k] or 0) for k in float_scores),
            "frames_max_abs_diff": float(np.abs(a - b).max()),
            "frames_mean_abs_diff": float(np.abs(a - b).mean()),
            "device": str(device),
        }
    previous = Path(f"{args.out}.summary.json")
    if args.int8_only and previous.exists():  # the float32 scores were made before, maybe on another device
        summary["device"] = json.loads(previous.read_text()).get("device", summary["device"])
    Path(f"{args.out}.summary.json").write_text(json.dumps(summary, indent=2) + "\n")
    print(json.dumps(summary, indent=2))


if __name__ == "__main__":
    main()
