"""Prompt adherence of a generator, scored by the judge (judge/) against
the targets of ../shared/shapes-world.md ("What must hold for the shipped
model").

    evaluate(generate_fn, prompts, seeds, batch_size=8, workers=1) -> Report
    write_report(report, path_md, path_json)

`generate_fn(texts, seeds) -> (B, T, 3, S, S)` floats in [0, 1]; every
prompt is generated once per seed, `batch_size` clips a call. A score is the
percentage of the clips judgeable for that attribute that pass it. The judge
takes about 0.5 s of one CPU core a clip; `workers` > 1 judges in that many
processes while the next batch generates (the verdicts are the same).

The CLI scores the renderer itself: each eval prompt's own clip, rendered,
judged as if a model had made it from the prompt. That is the judge's
calibration: a perfect generator's score.

    python -m lantern.evaluate --ground-truth --count 200 [--seed 0] [--seeds 0] \\
        [--trust prompt|clip] [--out ../runs/eval]
"""
from __future__ import annotations

import argparse
import contextlib
import json
import multiprocessing
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Callable, Sequence

import numpy as np

from .judge import ATTRIBUTES, TRUSTS, ClipVerdict, judge_clip
from .world.spec import EvalPrompt

# Percent of clips, from shapes-world.md.
TARGETS: dict[str, float] = {"colour": 90.0, "motion": 85.0, "shape": 80.0, "background": 85.0,
                             "consistency": 95.0}

GenerateFn = Callable[[list[str], list[int]], np.ndarray]


@dataclass
class Report:
    scores: dict[str, float | None]  # attribute -> percent of judgeable clips passing (None: none judgeable)
    counts: dict[str, dict[str, int]]  # attribute -> passed, failed, not_judged
    targets: dict[str, float]
    clips: int
    seeds: list[int]
    trust: str
    by_kind: dict[str, dict[str, float | None]]  # eval prompt kind ('combo', ...) -> scores
    failures: list[dict]  # per failing clip: prompt, seed, failed attributes, measurements
    seconds_generating: float
    seconds_judging: float  # wall time beyond generating (judges in worker processes overlap generation)
    verdicts: list[dict] = field(default_factory=list, repr=False)  # every clip's verdict, for the JSON
    description: str = ""  # what was generated, for the report's reader
    judge_workers: int = 1  # processes judging

    def meets_targets(self) -> dict[str, bool | None]:
        return {a: None if self.scores[a] is None else self.scores[a] >= self.targets[a] for a in ATTRIBUTES}


def evaluate(generate_fn: GenerateFn, prompts: Sequence[EvalPrompt], seeds: Sequence[int], batch_size: int = 8,
             trust: str = "prompt", workers: int = 1) -> Report:
    """Generate every (prompt, seed) and judge it. trust='clip' tells the
    judge the clip's unnamed attributes too (only right for renders of the
    clip itself; see judge.judge_clip). workers > 1: judge in that many
    processes (spawned, so a parent holding CUDA is safe)."""
    if trust not in TRUSTS:
        raise ValueError(f"Unsupported trust {trust!r}. Must be one of: {', '.join(TRUSTS)}.")
    if not prompts or not seeds:
        raise ValueError(f"evaluate needs prompts and seeds, got {len(prompts)} prompts and {len(seeds)} seeds")
    if batch_size < 1 or workers < 1:
        raise ValueError(f"batch_size and workers must be at least 1, got {batch_size} and {workers}")
    jobs = [(p, s) for s in seeds for p in prompts]
    judged: list = []  # per job: its ClipVerdict, or the Future of one
    t_gen = 0.0
    t_start = time.perf_counter()
    with _judge_pool(workers) as pool:
        for start in range(0, len(jobs), batch_size):
            batch = jobs[start:start + batch_size]
            t0 = time.perf_counter()
            clips = np.asarray(generate_fn([p.prompt for p, _ in batch], [s for _, s in batch]), dtype=np.float32)
            t_gen += time.perf_counter() - t0
            if clips.ndim != 5 or clips.shape[0] != len(batch):
                raise ValueError(f"generate_fn returned shape {clips.shape} for {len(batch)} prompts; "
                                 "it must return (B, T, 3, S, S)")
            for (p, _), frames in zip(batch, clips):
                judged.append(pool.submit(judge_clip, frames, p, trust) if pool else judge_clip(frames, p, trust=trust))
        verdicts = [(p, s, v.result() if pool else v) for (p, s), v in zip(jobs, judged)]
    t_judge = time.perf_counter() - t_start - t_gen
    scores, counts = _score([v for _, _, v in verdicts])
    kinds: dict[str, list[ClipVerdict]] = {}
    for p, _, v in verdicts:
        kinds.setdefault(_kind(p), []).append(v)
    failures = [_failure(p, s, v) for p, s, v in verdicts if any(getattr(v, a) is False for a in ATTRIBUTES)]
    return Report(scores=scores, counts=counts, targets=dict(TARGETS), clips=len(verdicts), seeds=list(seeds),
                  trust=trust, by_kind={k: _score(vs)[0] for k, vs in sorted(kinds.items())}, failures=failures,
                  seconds_generating=round(t_gen, 2), seconds_judging=round(t_judge, 2),
                  verdicts=[{"prompt": p.prompt, "seed": s, **v.as_dict()} for p, s, v in verdicts],
                  judge_workers=workers)


def _judge_pool(workers: int):
    """A pool of `workers` judging processes, or None (judge here) for one."""
    if workers <= 1:
        return contextlib.nullcontext(None)
    return ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"),
                               initializer=_judge_worker_start)


def _judge_worker_start() -> None:
    import torch  # the judge renders reference shapes with torch; one thread per worker process

    torch.set_num_threads(1)


def _score(verdicts: Sequence[ClipVerdict]) -> tuple[dict[str, float | None], dict[str, dict[str, int]]]:
    scores, counts = {}, {}
    for a in ATTRIBUTES:
        values = [getattr(v, a) for v in verdicts]
        passed, failed = sum(x is True for x in values), sum(x is False for x in values)
        counts[a] = {"passed": passed, "failed": failed, "not_judged": len(values) - passed - failed}
        scores[a] = round(100.0 * passed / (passed + failed), 1) if passed + failed else None
    return scores, counts


def _kind(prompt: EvalPrompt) -> str:
    from .world.heldout import eval_prompt_kind
    try:
        return eval_prompt_kind(prompt)
    except ValueError:  # a prompt that holds nothing out
        return "other"


def _failure(prompt: EvalPrompt, seed: int, v: ClipVerdict) -> dict:
    objects = []
    for o in v.objects:
        objects.append({"expected": o.expected, "colour": o.colour_name, "shape": o.shape_guess,
                        "displacement": o.displacement, "area_ratio": o.area_ratio, "rotation_deg": o.rotation_deg,
                        "turning_deg": o.turning_deg, "found_frames": o.found_frames, "notes": o.notes})
    return {"prompt": prompt.prompt, "seed": seed, "failed": [a for a in ATTRIBUTES if getattr(v, a) is False],
            "background_guess": v.background_guess, "objects": objects}


def scores_of(verdicts: list[dict]) -> dict[str, float | None]:
    """Percent passing per attribute over judged clips, from a report's verdicts."""
    scores = {}
    for a in ATTRIBUTES:
        values = [v[a] for v in verdicts]
        passed, failed = sum(x is True for x in values), sum(x is False for x in values)
        scores[a] = round(100.0 * passed / (passed + failed), 1) if passed + failed else None
    return scores


def by_object_count(verdicts: list[dict]) -> dict[int, tuple[int, dict[str, float | None]]]:
    """Objects in the clip -> (clips, scores): single-object prompts on their own."""
    groups: dict[int, list[dict]] = {}
    for v in verdicts:
        groups.setdefault(len(v["objects"]), []).append(v)
    return {n: (len(vs), scores_of(vs)) for n, vs in sorted(groups.items())}


def write_report(report: Report, path_md: str | Path, path_json: str | Path) -> None:
    """The Markdown summary (scores beside the spec's targets, then the
    failing prompts) and the full JSON (every clip's verdict)."""
    Path(path_md).parent.mkdir(parents=True, exist_ok=True)
    Path(path_json).parent.mkdir(parents=True, exist_ok=True)
    meets = report.meets_targets()
    lines = [f"# Prompt adherence: {report.clips} clips", ""] + ([report.description, ""] if report.description else []) + [
             f"Seeds {report.seeds}; judge trust '{report.trust}'; generating {report.seconds_generating} s, "
             f"judging {report.seconds_judging} s ({report.seconds_judging / max(report.clips, 1):.2f} s a clip"
             + (f", {report.judge_workers} processes beside generation" if report.judge_workers > 1 else "") + ").",
             "", "| attribute | score | target | meets | passed | failed | not judged |", "|---|---|---|---|---|---|---|"]
    for a in ATTRIBUTES:
        c, s = report.counts[a], report.scores[a]
        mark = {True: "yes", False: "**no**", None: "-"}[meets[a]]
        lines.append(f"| {a} | {'-' if s is None else f'{s:.1f}%'} | >= {report.targets[a]:.0f}% | {mark} | "
                     f"{c['passed']} | {c['failed']} | {c['not_judged']} |")
    if report.by_kind:
        lines += ["", "By prompt kind (held-out combination, phrasing, or both):", "",
                  "| kind | " + " | ".join(ATTRIBUTES) + " |", "|---" * (len(ATTRIBUTES) + 1) + "|"]
        for kind, scores in report.by_kind.items():
            lines.append(f"| {kind} | " + " | ".join("-" if scores[a] is None else f"{scores[a]:.1f}"
                                                      for a in ATTRIBUTES) + " |")
    counted = by_object_count(report.verdicts)
    if len(counted) > 1:
        lines += ["", "By objects in the clip (single-object prompts on their own):", "",
                  "| objects | clips | " + " | ".join(ATTRIBUTES) + " |", "|---" * (len(ATTRIBUTES) + 2) + "|"]
        for n, (clips, scores) in counted.items():
            lines.append(f"| {n} | {clips} | " + " | ".join("-" if scores[a] is None else f"{scores[a]:.1f}"
                                                             for a in ATTRIBUTES) + " |")
    lines += ["", f"## Failures ({len(report.failures)} clips)", ""]
    for f in report.failures:
        seen = "; ".join(f"{o['expected']['colour']} {o['expected']['shape']} {o['expected']['motion']} -> "
                         f"{o['colour']} {o['shape']}, moved {o['displacement']}" for o in f["objects"])
        lines.append(f"- `{f['prompt']}` (seed {f['seed']}): **{', '.join(f['failed'])}**; seen: {seen}; "
                     f"background {f['background_guess']}")
    Path(path_md).write_text("\n".join(lines) + "\n")
    Path(path_json).write_text(json.dumps(asdict(report), indent=1, default=_jsonable) + "\n")


def _jsonable(x):
    if isinstance(x, (np.floating, np.integer)):
        return x.item()
    if isinstance(x, np.ndarray):
        return x.tolist()
    raise TypeError(f"cannot write {type(x).__name__} to JSON")


def ground_truth_generator(prompts: Sequence[EvalPrompt], size: int = 128, frames: int = 16) -> GenerateFn:
    """A generate_fn that renders each prompt's own clip (seed added to the
    clip's seed, so seed 0 is the clip as sampled)."""
    import torch

    from .world.render import render_clips

    by_text = {p.prompt: p for p in prompts}

    def generate(texts: list[str], seeds: list[int]) -> np.ndarray:
        clips = [replace(by_text[t].clip, seed=by_text[t].clip.seed + s) for t, s in zip(texts, seeds)]
        with torch.no_grad():
            return render_clips(clips, size, frames).numpy()

    return generate


def reconstructed_generator(prompts: Sequence[EvalPrompt], checkpoint: Path,
                            token_rank: int | None = None) -> GenerateFn:
    """The renderer's clips after a round trip through a checkpoint's
    autoencoder: what its denoiser would make if it found each clip's latent
    exactly, so the judge's scores on these are the ceiling of that model.

    token_rank k: each of the denoiser's tokens (the latent cut into its
    patches, C * p * p numbers) is also projected onto the top k principal
    components of real clips' tokens (fitted on 64 other clips), the most a
    last layer of width k can give: the ceiling of the denoiser's output."""
    import torch

    from .pipeline import load_checkpoint

    model, _ = load_checkpoint(checkpoint)
    model.eval()
    truth = ground_truth_generator(prompts, model.cfg.size, model.cfg.frames)
    project = None if token_rank is None else _token_projection(model, token_rank)

    def generate(texts: list[str], seeds: list[int]) -> np.ndarray:
        with torch.no_grad():
            z = model.encode_video(torch.from_numpy(truth(texts, seeds)))
            return model.decode_latent(z if project is None else project(z)).numpy()

    return generate


def _token_projection(model, rank: int):
    """-> z (B, C, F, h, w) -> z with each patch token projected onto the
    top `rank` principal components (with their mean) of real clips' tokens."""
    import torch

    from .dit import patchify, unpatchify
    from .world.heldout import eval_prompts

    p = model.cfg.dit.patch
    size = model.cfg.dit.latent_channels * p * p
    if not 1 <= rank <= size:
        raise ValueError(f"token_rank must lie in [1, {size}] (a token holds {size} numbers), got {rank}")

    grid = model.cfg.dit.grid
    tokens = lambda z: patchify(z, p).reshape(-1, size)  # (B, C, F, h, w) -> (B*N, C*p*p)
    untokens = lambda x, b: unpatchify(x.reshape(b, -1, size), p, model.cfg.dit.latent_channels, grid)

    fit = eval_prompts(64, seed=1)
    with torch.no_grad():
        video = ground_truth_generator(fit, model.cfg.size, model.cfg.frames)([q.prompt for q in fit], [0] * len(fit))
        sample = tokens(model.encode_video(torch.from_numpy(video)))
    mean = sample.mean(0)
    basis = torch.linalg.svd(sample - mean, full_matrices=False).Vh[:rank]  # (rank, C*p*p)
    return lambda z: untokens((tokens(z) - mean) @ basis.T @ basis + mean, z.shape[0])


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--ground-truth", action="store_true", required=True,
                    help="judge renders of the eval prompts' own clips (the judge's calibration)")
    ap.add_argument("--count", type=int, default=200, help="eval prompts")
    ap.add_argument("--seed", type=int, default=0, help="which eval prompt set (heldout.eval_prompts)")
    ap.add_argument("--seeds", type=int, nargs="+", default=[0], help="generation seeds per prompt")
    ap.add_argument("--trust", choices=TRUSTS, default="prompt",
                    help="prompt: the judge knows what the prompt names (as for a model); clip: everything")
    ap.add_argument("--size", type=int, default=128)
    ap.add_argument("--reconstructed", type=Path, metavar="CHECKPOINT",
                    help="judge the clips after CHECKPOINT's autoencoder (encode, decode): the ceiling of its denoiser")
    ap.add_argument("--token-rank", type=int, metavar="K",
                    help="with --reconstructed: project each denoiser token onto its top K principal components "
                         "(the ceiling of a last layer K wide)")
    ap.add_argument("--out", type=Path, default=Path(__file__).resolve().parents[2] / "runs" / "eval",
                    help="folder for the .md and .json (default: the repository's runs/eval, which git ignores)")
    ap.add_argument("--threads", type=int, default=0, help="torch threads for rendering (0: default)")
    ap.add_argument("--workers", type=int, default=1, help="judging processes (1: judge in this one)")
    args = ap.parse_args(argv)
    if args.token_rank is not None and args.reconstructed is None:
        ap.error("--token-rank needs --reconstructed CHECKPOINT (it projects that autoencoder's latents)")

    import torch

    from .world.heldout import eval_prompts

    if args.threads:
        torch.set_num_threads(args.threads)
    prompts = eval_prompts(args.count, args.seed)
    if args.reconstructed is None:
        report = evaluate(ground_truth_generator(prompts, args.size), prompts, args.seeds, trust=args.trust,
                          workers=args.workers)
        report.description = (f"Ground truth: the renderer's own clips for heldout.eval_prompts({args.count}, "
                              f"seed={args.seed}) at {args.size} px, judged as a generator's (the judge's calibration).")
        stem = args.out / f"ground-truth-{args.count}-set{args.seed}-{args.trust}"
    else:
        report = evaluate(reconstructed_generator(prompts, args.reconstructed, args.token_rank), prompts, args.seeds,
                          trust=args.trust, workers=args.workers)
        report.description = (f"Reconstructed: the renderer's own clips for heldout.eval_prompts({args.count}, "
                              f"seed={args.seed}) through the autoencoder of {args.reconstructed} (encode, decode): "
                              "the ceiling of its denoiser."
                              + (f" Each denoiser token projected onto its top {args.token_rank} principal components."
                                 if args.token_rank else ""))
        rank = f"-rank{args.token_rank}" if args.token_rank else ""
        stem = args.out / f"reconstructed-{args.count}-set{args.seed}-{args.trust}{rank}"
    write_report(report, stem.with_suffix(".md"), stem.with_suffix(".json"))
    print(stem.with_suffix(".md").read_text().split("\n## Failures")[0])
    print(f"wrote {stem}.md and {stem}.json")


if __name__ == "__main__":
    main()
