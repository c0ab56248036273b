"""Renderer speed: seconds to render one training batch of random clips.

    python -m lantern.world.bench [--batch 32] [--size 128] [--frames 16] [--threads 2] [--device cpu]

Prints the best and the median of --repeats timed runs after one warm-up.
"""
from __future__ import annotations

import argparse
import random
import statistics
import time

import torch

from .render import render_clips
from .spec import sample_clip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--size", type=int, default=128)
    parser.add_argument("--frames", type=int, default=16)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=10)
    parser.add_argument("--device", default="cpu")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    rng = random.Random(0)
    times = []
    for i in range(args.repeats + 1):
        clips = [sample_clip(rng) for _ in range(args.batch)]
        start = time.perf_counter()
        render_clips(clips, size=args.size, frames=args.frames, device=args.device)
        if args.device.startswith("cuda"):
            torch.cuda.synchronize()
        if i:  # the first run warms up
            times.append(time.perf_counter() - start)
    print(f"render_clips batch={args.batch} size={args.size} frames={args.frames} threads={args.threads} "
          f"device={args.device}: best {min(times):.3f} s, median {statistics.median(times):.3f} s "
          f"over {len(times)} batches")


if __name__ == "__main__":
    main()
