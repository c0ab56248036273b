"""Does the denoiser listen to its text? Measurements on real clips of the
world, printed as tables:

    python -m lantern.conditioning --checkpoint checkpoints/lantern-tiny

1. The conditioning probe: for the same noisy latent, how far the predicted
   velocity moves when the caption changes. `text` is the move from the
   empty caption to the clip's caption, ||v(caption) - v("")|| / ||v("")||;
   `colour`, `shape`, `motion` and `background` the move when only that
   attribute of the caption changes (the same caption grammar and random
   choices, made for a clip that differs in that attribute alone),
   ||v(caption) - v(caption')|| / ||v(caption)||. A model that ignores its
   text shows numbers near 0; training logs the probe beside adherence.
2. The flow-matching loss with the true, the empty and a shuffled caption
   (another clip's), in bins of t. If the three match, the text path is dead.
3. Where sampling starts (t = 1, 0.99, 0.95, 0.9): how far the predicted
   clean latent moves when the noise is drawn again against when the
   caption changes, and its error. At t = 1 the latent is pure noise; a
   model that reads its clip from the noise there ignores its caption.
4. How far samples spread: per channel, the standard deviation of sampled
   latents over that of the same captions' real clips, at guidance 1 and
   at the model's default. Near 1 the samples vary as much as the world
   does; far below 1 every sample falls towards the mean latent, a grey,
   washed-out clip whatever the caption says.
5. The normalised latents of fresh clips: per channel, their mean and
   standard deviation should be near 0 and 1, the scale the noise has.
6. Does the text encoder know the words (text_probe.py, with
   --text-probe-captions)? A linear probe of the pooled caption vector for
   the attributes a caption names, so a model that ignores its prompt shows
   whether the words or the denoiser's use of them is missing.

The probe's clips are single objects on plain backgrounds with a static camera, flat
style, normal light and no weather, so each attribute's words are the only
thing that differs. Captions name motion and background besides shape and
colour (which every caption names).
"""
from __future__ import annotations

import argparse
import dataclasses
import json
import random
from dataclasses import dataclass
from pathlib import Path

import torch

from .flow import noisy
from .pipeline import LanternModel, load_checkpoint
from .text_probe import markdown as text_probe_markdown
from .text_probe import text_probe
from .world.captions import captions_for, describe
from .world.render import render_clips
from .world.spec import COLOUR_NAMES, MOTIONS, SHAPES, ClipSpec, allowed_object_colours, sample_clip, sample_object

PROBED = ("colour", "shape", "motion", "background")
PROBE_TIMES = (0.9, 0.5)
LOSS_BINS = ((0.0, 0.25), (0.25, 0.5), (0.5, 0.75), (0.75, 1.0))
START_TIMES = (1.0, 0.99, 0.95, 0.9)
_MENTION = frozenset({"motion", "background"})


@dataclass(frozen=True)
class ProbeClip:
    clip: ClipSpec
    caption: str
    swapped: dict[str, str]  # attribute -> the caption of a clip differing in that attribute alone


def _swap(clip: ClipSpec, attribute: str, rng: random.Random) -> ClipSpec:
    """The clip with one attribute changed to another valid value."""
    o = clip.objects[0]
    if attribute == "colour":
        colours = [c for c in allowed_object_colours(clip.background, clip.background_colour) if c != o.colour]
        return dataclasses.replace(clip, objects=(dataclasses.replace(o, colour=rng.choice(colours)),))
    if attribute == "shape":
        shapes = [s for s in SHAPES if s != o.shape and not (s == "circle" and o.motion == "spin")]
        return dataclasses.replace(clip, objects=(dataclasses.replace(o, shape=rng.choice(shapes)),))
    if attribute == "motion":
        motions = [m for m in MOTIONS if m != o.motion and not (m == "spin" and o.shape == "circle")]
        moved = sample_object(rng, (o.colour,), shape=o.shape, colour=o.colour, motion=rng.choice(motions), size=o.size)
        return dataclasses.replace(clip, objects=(moved,))
    if attribute == "background":
        others = [c for c in COLOUR_NAMES if c != clip.background_colour
                  and o.colour in allowed_object_colours("plain", c)]
        return dataclasses.replace(clip, background_colour=rng.choice(others))
    raise ValueError(f"Unsupported attribute {attribute!r}. Must be one of: {', '.join(PROBED)}.")


def probe_clips(count: int, seed: int = 4321) -> list[ProbeClip]:
    """`count` clips, each with its caption and one swapped caption per attribute."""
    rng = random.Random(seed)
    out = []
    while len(out) < count:
        clip = sample_clip(rng, n_objects=1, background="plain", camera="static", style="flat",
                           light="normal", weather="none")
        words = rng.randrange(2 ** 31)  # the caption grammar's choices, the same for every variant
        caption = describe(clip, random.Random(words), _MENTION)
        swapped = {}
        for attribute in PROBED:
            variant = _swap(clip, attribute, rng)
            variant.validate()
            swapped[attribute] = describe(variant, random.Random(words), _MENTION)
        out.append(ProbeClip(clip, caption, swapped))
    return out


def _relative(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """||a - b|| / ||b|| per clip. (B, ...) -> (B,)"""
    return (a - b).flatten(1).norm(dim=1) / b.flatten(1).norm(dim=1).clamp_min(1e-12)


def _latents(model: LanternModel, clips: list[ClipSpec]) -> torch.Tensor:
    """The clips rendered and encoded, 32 at a time. -> (B, C, F, h, w)"""
    device = next(model.parameters()).device
    return torch.cat([model.encode_video(render_clips(clips[i:i + 32], size=model.cfg.size, frames=model.cfg.frames,
                                                      device=device)) for i in range(0, len(clips), 32)])


def _training_clips(count: int, seed: int) -> tuple[list[ClipSpec], list[str]]:
    """`count` clips of the training distribution and a training caption for each."""
    from .world.heldout import sample_training_clip

    rng = random.Random(seed)
    clips = [sample_training_clip(rng) for _ in range(count)]
    return clips, [captions_for(c, rng, n=1)[0] for c in clips]


def _velocity(model: LanternModel, x_t: torch.Tensor, t: float, captions: list[str]) -> torch.Tensor:
    """v for latents x_t at time t under captions, with no frames given. (B, C, F, h, w)"""
    mask = torch.zeros_like(x_t[:, :1])  # (B, 1, F, h, w)
    x_in = torch.cat([x_t, torch.zeros_like(x_t), mask], 1)  # (B, 2C+1, F, h, w)
    tt = torch.full((x_t.shape[0],), t, device=x_t.device)
    return model.dit(x_in, tt, model.encode_text(captions)).float()


@torch.no_grad()
def conditioning_probe(model: LanternModel, clips: list[ProbeClip], times=PROBE_TIMES, seed: int = 0) -> dict:
    """{f"t={t}": {"text": mean, "colour": mean, ...}} over the clips, and the
    mean number of words a swap changed per attribute (the grammar's own
    random choices can fall differently for a different word)."""
    was_training = model.training
    model.eval()
    x0 = _latents(model, [p.clip for p in clips])
    noise = torch.randn(x0.shape, generator=torch.Generator().manual_seed(seed)).to(x0.device)
    result: dict = {}
    for t in times:
        x_t = noisy(x0, noise, torch.full((x0.shape[0],), t, device=x0.device))
        base = _velocity(model, x_t, t, [p.caption for p in clips])
        row = {"text": _relative(base, _velocity(model, x_t, t, [""] * len(clips))).mean().item()}
        for attribute in PROBED:
            other = _velocity(model, x_t, t, [p.swapped[attribute] for p in clips])
            row[attribute] = _relative(other, base).mean().item()
        result[f"t={t}"] = {k: round(v, 4) for k, v in row.items()}
    result["words_changed"] = {a: round(sum(_words_changed(p.caption, p.swapped[a]) for p in clips) / len(clips), 2)
                               for a in PROBED}
    model.train(was_training)
    return result


def _words_changed(a: str, b: str) -> int:
    """Words of b not at the same place in a, aligned from both ends."""
    x, y = a.split(), b.split()
    head = 0
    while head < min(len(x), len(y)) and x[head] == y[head]:
        head += 1
    tail = 0
    while tail < min(len(x), len(y)) - head and x[-1 - tail] == y[-1 - tail]:
        tail += 1
    return max(len(x), len(y)) - head - tail


@torch.no_grad()
def caption_loss(model: LanternModel, count: int, seed: int = 0, bins=LOSS_BINS) -> dict:
    """Flow-matching loss (mean squared error of v) with the true, the empty
    and a shuffled caption, per bin of t, on `count` training-distribution clips."""
    was_training = model.training
    model.eval()
    gen = torch.Generator().manual_seed(seed)
    clips, captions = _training_clips(count, seed)
    shuffled = captions[1:] + captions[:1]
    x0 = _latents(model, clips)
    device = x0.device
    result = {}
    for lo, hi in bins:
        t = (lo + (hi - lo) * torch.rand(count, generator=gen)).to(device)
        noise = torch.randn(x0.shape, generator=gen).to(device)
        x_t = noisy(x0, noise, t)
        target = noise - x0
        row = {}
        for name, texts in (("true", captions), ("empty", [""] * count), ("shuffled", shuffled)):
            losses = []
            for i in range(0, count, 32):
                mask = torch.zeros_like(x_t[i:i + 32, :1])
                x_in = torch.cat([x_t[i:i + 32], torch.zeros_like(x_t[i:i + 32]), mask], 1)
                v = model.dit(x_in, t[i:i + 32], model.encode_text(texts[i:i + 32])).float()
                losses.append(((v - target[i:i + 32]) ** 2).flatten(1).mean(1))
            row[name] = round(torch.cat(losses).mean().item(), 5)
        result[f"t in [{lo}, {hi})"] = row
    model.train(was_training)
    return result


@torch.no_grad()
def start_check(model: LanternModel, count: int, seed: int = 2, times=START_TIMES) -> dict:
    """Where sampling starts, does the prediction follow the caption or the
    noise? Per t, on `count` training-distribution clips, the predicted clean
    latent x0' = x_t - t v: `noise`, its relative move when the noise is drawn
    again; `empty` and `shuffled`, its move when the caption is emptied or is
    another clip's; `x0_error`, its mean squared error over the latents'
    variance (1: no better than a constant). At t = 1 the latent is pure noise,
    so a model that learnt its captions moves with the caption, not the noise,
    and its error is below 1; the sampler's first step is taken there."""
    was_training = model.training
    model.eval()
    clips, captions = _training_clips(count, seed)
    shuffled = captions[1:] + captions[:1]
    x0 = _latents(model, clips)
    gen = torch.Generator().manual_seed(seed)
    draws = [torch.randn(x0.shape, generator=gen).to(x0.device) for _ in range(2)]
    result = {}
    for t in times:
        def predicted(noise: torch.Tensor, texts: list[str]) -> torch.Tensor:
            x_t = noisy(x0, noise, torch.full((count,), t, device=x0.device))
            return x_t - t * _velocity(model, x_t, t, texts)

        base = predicted(draws[0], captions)
        result[f"t={t}"] = {k: round(v, 4) for k, v in {
            "noise": _relative(predicted(draws[1], captions), base).mean().item(),
            "empty": _relative(predicted(draws[0], [""] * count), base).mean().item(),
            "shuffled": _relative(predicted(draws[0], shuffled), base).mean().item(),
            "x0_error": (((base - x0) ** 2).mean() / x0.var()).item(),
        }.items()}
    model.train(was_training)
    return result


@torch.no_grad()
def sample_spread(model: LanternModel, count: int, steps: int | None = None, seed: int = 3) -> dict:
    """Per guidance (1 and the model's default), the mean over channels of the
    standard deviation of latents sampled for `count` training-distribution
    captions (over clips, frames and positions), over that of the captions'
    own clips. 1: samples as varied as the world; near 0: collapsed."""
    was_training = model.training
    model.eval()
    clips, captions = _training_clips(count, seed)
    spread = lambda z: z.transpose(0, 1).flatten(1).std(1)  # (B, C, F, h, w) -> (C,)
    real = spread(_latents(model, clips))
    result = {}
    for guidance in sorted({1.0, model.cfg.flow.default_guidance}):
        z = torch.cat([model.generate_latent(captions[i:i + 16], list(range(i, min(i + 16, count))), steps=steps,
                                             guidance=guidance) for i in range(0, count, 16)])
        result[f"guidance={guidance:g}"] = round((spread(z) / real).mean().item(), 4)
    model.train(was_training)
    return result


@torch.no_grad()
def latent_statistics(model: LanternModel, count: int, seed: int = 1) -> dict:
    """Per-channel mean and std of the normalised latents of `count` fresh
    training-distribution clips (the model's stats were measured once, at
    the start of its first denoiser run)."""
    clips, _ = _training_clips(count, seed)
    z = _latents(model, clips)  # (B, C, F, h, w)
    per_channel = z.transpose(0, 1).flatten(1)  # (C, B*F*h*w)
    return {"mean": [round(m, 3) for m in per_channel.mean(1).tolist()],
            "std": [round(s, 3) for s in per_channel.std(1).tolist()]}


def markdown(probe: dict, loss: dict | None, start: dict | None = None, spread: dict | None = None) -> str:
    lines = ["| t | text vs empty | " + " | ".join(f"only {a}" for a in PROBED) + " |",
             "|---|---|" + "---|" * len(PROBED)]
    for key, row in probe.items():
        if key.startswith("t="):
            lines.append(f"| {key[2:]} | {row['text']:.3f} | " + " | ".join(f"{row[a]:.3f}" for a in PROBED) + " |")
    lines.append("")
    lines.append("Words a swap changed, mean: " + ", ".join(f"{a} {n}" for a, n in probe["words_changed"].items()))
    if loss:
        lines += ["", "| t | loss, true caption | empty | shuffled |", "|---|---|---|---|"]
        lines += [f"| {k[5:]} | {r['true']:.4f} | {r['empty']:.4f} | {r['shuffled']:.4f} |" for k, r in loss.items()]
    if start:
        lines += ["", "| t | x0' moves with the noise | with the empty caption | with another's | x0' error / variance |",
                  "|---|---|---|---|---|"]
        lines += [f"| {k[2:]} | {r['noise']:.3f} | {r['empty']:.3f} | {r['shuffled']:.3f} | {r['x0_error']:.3f} |"
                  for k, r in start.items()]
    if spread:
        lines += ["", "Spread of sampled latents over real ones (1: as varied as the world): "
                  + ", ".join(f"{k.replace('=', ' ')}: {v:.3f}" for k, v in spread.items())]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--checkpoint", type=Path, required=True)
    ap.add_argument("--clips", type=int, default=32, help="probe clips (each with 4 swapped captions)")
    ap.add_argument("--loss-clips", type=int, default=256, help="clips for the caption-loss check (0: skip)")
    ap.add_argument("--start-clips", type=int, default=32,
                    help="clips for the check where sampling starts, t near 1 (0: skip)")
    ap.add_argument("--spread-clips", type=int, default=32,
                    help="clips sampled (twice: guidance 1 and the default) for the spread check (0: skip)")
    ap.add_argument("--text-probe-captions", type=int, default=0,
                    help="training captions for the text encoder's linear probe (text_probe.py; 0: skip)")
    ap.add_argument("--out", type=Path, help="also write the numbers as JSON here")
    args = ap.parse_args(argv)
    torch.manual_seed(0)
    model, _ = load_checkpoint(args.checkpoint)
    probe = conditioning_probe(model, probe_clips(args.clips))
    loss = caption_loss(model, args.loss_clips) if args.loss_clips else None
    start = start_check(model, args.start_clips) if args.start_clips else None
    spread = sample_spread(model, args.spread_clips) if args.spread_clips else None
    stats = latent_statistics(model, args.loss_clips or 64)
    words = text_probe(model.encode_text, args.text_probe_captions) if args.text_probe_captions else None
    print(markdown(probe, loss, start, spread))
    if words:
        print("\nDoes the text encoder know the words? (linear probe of the pooled caption vector)\n")
        print(text_probe_markdown(words))
    print(f"\nNormalised latents of fresh clips, per channel: mean {stats['mean']}, std {stats['std']}")
    if args.out:
        args.out.write_text(json.dumps({"probe": probe, "caption_loss": loss, "start": start, "spread": spread,
                                        "latents": stats, "text_probe": words},
                                       indent=2) + "\n")


if __name__ == "__main__":
    main()
