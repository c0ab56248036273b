"""The convolutional refiner's cost (training/lantern/dit.py, DiTConfig.out_refine):
one denoiser forward and backward of the CPU line's shapes (12 x 8 x 32 x 32
latent, patch 8, dim 192, 6 blocks, x0 prediction, batch 24), with no
refiner and with R channels, run in turn in one process so both see the same
machine. Prints a table.

    .venv/bin/python bench/refiner_bench.py [--channels 8 16] [--repeats 6] [--threads 1]
"""
from __future__ import annotations

import argparse
import dataclasses
import statistics
import sys
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "training"))
from lantern.dit import DiT, DiTConfig  # noqa: E402

LINE = DiTConfig(latent_channels=12, latent_frames=8, latent_size=32, patch=8, dim=192, depth=6, heads=6,
                 text_dim=192, rope_dims=(8, 12, 12), prediction="x")


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--channels", type=int, nargs="+", default=[8, 16], help="refiner widths R to time beside none")
    ap.add_argument("--repeats", type=int, default=6, help="steps per model (the first is dropped as warm-up)")
    ap.add_argument("--batch", type=int, default=24)
    ap.add_argument("--threads", type=int, default=1)
    args = ap.parse_args(argv)
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    models = {r: DiT(dataclasses.replace(LINE, out_refine=r)) for r in [0, *args.channels]}
    c, (f, s) = LINE.latent_channels, (LINE.latent_frames, LINE.latent_size)
    x_in = torch.randn(args.batch, LINE.in_channels, f, s, s)
    t, text = torch.rand(args.batch), torch.randn(args.batch, 48, LINE.text_dim)
    seconds: dict[int, list[float]] = {r: [] for r in models}
    for _ in range(args.repeats):
        for r, model in models.items():  # in turn, so a busy machine slows each alike
            model.zero_grad(set_to_none=True)
            start = time.perf_counter()
            model(x_in, t, text).square().mean().backward()
            seconds[r].append(time.perf_counter() - start)
    base = statistics.median(seconds[0][1:])
    print(f"Denoiser forward + backward, the CPU line's shapes, batch {args.batch}, {args.threads} thread(s), "
          f"median of {args.repeats - 1}:\n")
    print("| refiner channels R | parameters | seconds per step | against none |")
    print("|---|---|---|---|")
    for r, model in models.items():
        median = statistics.median(seconds[r][1:])
        params = sum(p.numel() for p in model.parameters())
        print(f"| {r or 'none'} | {params:,} | {median:.3f} | {median / base:.2f}x |")


if __name__ == "__main__":
    main()
