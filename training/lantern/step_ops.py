"""How many operators one eager training step dispatches, counted with no
arithmetic: the preset's denoiser and text encoder on PyTorch's meta device
(shapes only), forward and backward, under the CPU profiler.

    python -m lantern.step_ops --preset gpu

On a GPU each non-view operator is at least one kernel launch, so this
count is the host's share of a step that the GPU cannot hide
(bench/README.md, "Host time on the H200"). The meta device's own
allocations (empty, as_strided) are counted too; the table shows which
operators dominate.
"""
from __future__ import annotations

import argparse

import torch
from torch.profiler import ProfilerActivity, profile

from .pipeline import LanternModel
from .presets import PRESETS


def count_step_ops(preset: str) -> dict[str, int]:
    """-> {aten operator: calls} for one forward and backward of `preset`'s batch."""
    cfg = PRESETS[preset]()
    model = LanternModel(cfg.model).to("meta")
    c, f, h, w = model.latent_shape()
    b, length = cfg.batch, cfg.model.text.max_tokens
    x_in = torch.randn(b, 2 * c + 1, f, h, w, device="meta")
    t = torch.rand(b, device="meta")
    ids = torch.zeros(b, length, dtype=torch.long, device="meta")
    mask = torch.ones(b, length, dtype=torch.bool, device="meta")

    def step() -> None:
        v = model.dit(x_in, t, model.text_encoder(ids, mask))
        (v.float() ** 2).mean().backward()

    step()  # first-call set-up stays out of the count
    with profile(activities=[ProfilerActivity.CPU]) as prof:
        step()
    return {e.key: e.count for e in prof.key_averages() if e.key.startswith("aten::")}


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--preset", choices=sorted(PRESETS), default="gpu")
    ap.add_argument("--top", type=int, default=15, help="operators listed")
    args = ap.parse_args(argv)
    counts = count_step_ops(args.preset)
    print(f"{args.preset} preset, one eager forward and backward: {sum(counts.values())} aten operator calls")
    print("| operator | calls |\n|---|---|")
    for name, n in sorted(counts.items(), key=lambda kv: -kv[1])[: args.top]:
        print(f"| {name} | {n} |")


if __name__ == "__main__":
    main()
