"""Contact sheet of random clips, to eyeball the renderer.

    python -m lantern.world.preview --out /tmp/x.png [--n 14] [--seed 0]

Clip i takes style STYLES[i % 7], so every style shows. Each clip shows
its first, middle and last frame; two clips per row. The clips are printed
in reading order so each tile can be matched to its attributes.
"""
from __future__ import annotations

import argparse
import random
from pathlib import Path

import torch

from .. import media
from .render import render_clips
from .spec import STYLES, sample_clip


def write_png(path: str | Path, image: torch.Tensor) -> None:
    """image: (H, W, 3) float in [0, 1] -> an 8-bit RGB PNG."""
    media.write_png(Path(path), (image.clamp(0, 1) * 255 + 0.5).to(torch.uint8).cpu().numpy())


def contact_sheet(videos: torch.Tensor, per_row: int = 2, gap: int = 4) -> torch.Tensor:
    """videos (B, T, 3, S, S) -> (H, W, 3): first, middle and last frames."""
    B, T, _, S, _ = videos.shape
    picks = videos[:, [0, T // 2, T - 1]]  # (B, 3, 3, S, S)
    rows = (B + per_row - 1) // per_row
    cols = per_row * 3
    sheet = torch.full((rows * (S + gap) + gap, cols * (S + gap) + gap * per_row, 3), 0.15)
    for i in range(B):
        r, c0 = divmod(i, per_row)
        for j in range(3):
            x = gap + (c0 * 3 + j) * (S + gap) + c0 * gap
            y = gap + r * (S + gap)
            sheet[y:y + S, x:x + S] = picks[i, j].permute(1, 2, 0)
    return sheet


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", required=True)
    parser.add_argument("--n", type=int, default=14)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--size", type=int, default=128)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    clips = [sample_clip(rng, style=STYLES[i % len(STYLES)]) for i in range(args.n)]
    for i, c in enumerate(clips):
        objs = "; ".join(f"{o.colour} {o.shape} {o.motion}" for o in c.objects)
        bg = c.background + (f" {c.background_colour}" if c.background == "plain" else "")
        print(f"{i:2d} row {i // 2} {'left ' if i % 2 == 0 else 'right'}: style={c.style} bg={bg} camera={c.camera} "
              f"light={c.light} weather={c.weather} | {objs}")
    write_png(args.out, contact_sheet(render_clips(clips, size=args.size)))
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
