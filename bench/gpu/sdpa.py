"""PyTorch's scaled_dot_product_attention at the shapes the Dawn bench
(attention-dawn.ts) measured Lantern's WGSL attention at, on the same GPU in
the same device call, and one table of both (bench/gpu/run.sh).

    python3 bench/gpu/sdpa.py --dawn-result OUT/attention-dawn.json --out OUT/attention-gpu.md

Rows per shape: SDPA in float32 (PyTorch picks its kernel); for
self-attention also RoPE + SDPA in float32, the training code's own
`apply_rope` then SDPA, which is the work our kernel does in one pass; and
SDPA in bfloat16 (tensor cores, which WGSL here cannot reach: this Dawn has
no shader-f16) for scale. Timing matches the Dawn bench: n calls back to back
(a batch of about 20 ms), the median of 7 batches.
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

import torch
import torch.nn.functional as F

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "training"))
from lantern.dit import apply_rope, rope_tables  # noqa: E402

TARGET_BATCH_S = 0.020
REPS = 7


def synchronize(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def time_per_call(fn, device: torch.device) -> float:
    """Milliseconds per call: the median over REPS batches of back-to-back calls."""
    def batch(n: int) -> float:
        synchronize(device)
        start = time.perf_counter()
        for _ in range(n):
            fn()
        synchronize(device)
        return time.perf_counter() - start

    batch(3)
    one = min(batch(1), batch(1))
    n = max(1, min(400, round(TARGET_BATCH_S / max(one, 1e-6))))
    return statistics.median(batch(n) / n for _ in range(REPS)) * 1e3


def measure(shape: dict, device: torch.device) -> list[dict]:
    b, h, d = shape["batch"], shape["heads"], shape["headDim"]
    nq, nk = shape["queries"], shape["keys"]
    gen = torch.Generator(device="cpu").manual_seed(7)
    q = torch.randn(b, h, nq, d, generator=gen).to(device)
    k = torch.randn(b, h, nk, d, generator=gen).to(device)
    v = torch.randn(b, h, nk, d, generator=gen).to(device)
    scale = shape["scale"]
    rows = [("SDPA f32", lambda: F.scaled_dot_product_attention(q, k, v, scale=scale))]
    rope = shape["rope"]
    if rope is not None:
        cos, sin = (t.to(device) for t in rope_tables(tuple(rope["grid"]), tuple(rope["dims"]), rope["theta"]))
        rows.append((
            "RoPE + SDPA f32",
            lambda: F.scaled_dot_product_attention(apply_rope(q, cos, sin), apply_rope(k, cos, sin), v, scale=scale),
        ))
    if device.type == "cuda":
        q16, k16, v16 = (t.bfloat16() for t in (q, k, v))
        rows.append(("SDPA bf16", lambda: F.scaled_dot_product_attention(q16, k16, v16, scale=scale)))
    flops = 4 * b * h * nq * nk * d
    with torch.no_grad():
        return [{"what": what, "ms": (ms := time_per_call(fn, device)), "tflops": flops / (ms * 1e9)} for what, fn in rows]


def table(dawn: dict, torch_rows: dict[str, list[dict]]) -> str:
    header = ["shape", "implementation", "ms", "TFLOP/s", "x ours (default tile)"]
    lines = []
    for result in dawn["results"]:
        name = result["name"]
        timings = result["timings"]
        defaults = {t["path"]: t for t in timings if t["isDefault"]}
        ours = defaults.get("subgroups") or defaults["portable"]
        entries = []
        for path in ("subgroups", "portable"):
            if path not in defaults:
                continue
            mine = [t for t in timings if t["path"] == path]
            best = min(mine, key=lambda t: t["ms"])
            tile = best["tile"]
            entries.append((f"Lantern WGSL {path}, default tile", defaults[path]["ms"], defaults[path]["tflops"]))
            entries.append((
                f"Lantern WGSL {path}, best tile ({tile['queries'] // tile['rows']}x{tile['rows']} rows, {tile['keys']} keys)",
                best["ms"], best["tflops"],
            ))
        entries += [(f"PyTorch {r['what']}", r["ms"], r["tflops"]) for r in torch_rows[name]]
        for what, ms, tflops in entries:
            lines.append([name, what, f"{ms:.4f}", f"{tflops:.2f}", f"{ms / ours['ms']:.2f}"])
    widths = [max(len(h), *(len(l[i]) for l in lines)) for i, h in enumerate(header)]
    fmt = lambda cells: "| " + " | ".join(c.ljust(w) for c, w in zip(cells, widths)) + " |"  # noqa: E731
    return "\n".join([fmt(header), "|" + "|".join("-" * (w + 2) for w in widths) + "|", *map(fmt, lines)])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dawn-result", required=True, type=Path, help="the JSON attention-dawn.mjs wrote")
    parser.add_argument("--out", required=True, type=Path, help="where to write the combined table (markdown)")
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    args = parser.parse_args()
    device = torch.device(args.device)
    dawn = json.loads(args.dawn_result.read_text())
    gpu = torch.cuda.get_device_name(device) if device.type == "cuda" else "CPU"
    torch_rows = {}
    for result in dawn["results"]:
        torch_rows[result["name"]] = measure(result["shape"], device)
        timed = ", ".join(f"{r['what']} {r['ms']:.4f} ms" for r in torch_rows[result["name"]])
        print(f"{result['name']}: {timed}", flush=True)
    text = (
        f"Attention on {gpu}: Lantern's WGSL through Dawn ({json.dumps(dawn['adapter'])}) and PyTorch "
        f"{torch.__version__} (matmul TF32 {torch.backends.cuda.matmul.allow_tf32}), same shapes, same run.\n"
        "Time per call: n calls back to back divided by n, median of 7 batches. "
        "FLOPs counted as 4 * B * H * Nq * Nk * D.\n\n"
        f"{table(dawn, torch_rows)}\n"
    )
    args.out.write_text(text)
    print(text)


if __name__ == "__main__":
    main()
