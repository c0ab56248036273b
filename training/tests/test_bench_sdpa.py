"""bench/gpu/sdpa.py, the PyTorch half of the GPU-machine attention bench,
on the CPU at a small shape: it times every row for each shape the Dawn
bench reports and prints one table of both. (Device time is scarce; a
Python error there would waste a whole call.)"""
import importlib.util
import math
from pathlib import Path

import torch

from lantern.dit import apply_rope, attention, rope_tables

SDPA = Path(__file__).resolve().parents[2] / "bench" / "gpu" / "sdpa.py"


def load_sdpa():
    spec = importlib.util.spec_from_file_location("bench_sdpa", SDPA)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def dawn_result(kind: str, rope) -> dict:
    shape = {"kind": kind, "batch": 1, "heads": 2, "headDim": 16, "queries": 6, "keys": 6 if kind == "self" else 5,
             "scale": 0.25, "rope": rope, "origin": "test"}
    timing = lambda path, ms, default: {"path": path, "tile": {"queries": 8, "keys": 16, "rows": 2}, "isDefault": default,  # noqa: E731
                                        "ms": ms, "tflops": 1.0, "maxError": 0.0}
    return {"name": f"{kind} test", "shape": shape, "flops": 1,
            "timings": [timing("subgroups", 2.0, True), timing("subgroups", 1.0, False), timing("portable", 4.0, True)]}


def test_rows_and_table_cover_every_shape(monkeypatch):
    sdpa = load_sdpa()
    monkeypatch.setattr(sdpa, "TARGET_BATCH_S", 1e-4)
    rope = {"grid": [1, 2, 3], "dims": [4, 6, 6], "theta": 10000.0}
    dawn = {"adapter": {}, "results": [dawn_result("self", rope), dawn_result("cross", None)]}
    rows = {r["name"]: sdpa.measure(r["shape"], torch.device("cpu")) for r in dawn["results"]}
    assert [r["what"] for r in rows["self test"]] == ["SDPA f32", "RoPE + SDPA f32"]
    assert [r["what"] for r in rows["cross test"]] == ["SDPA f32"]
    assert all(r["ms"] > 0 and math.isfinite(r["tflops"]) for rs in rows.values() for r in rs)
    lines = sdpa.table(dawn, rows).splitlines()
    assert len(lines) == 2 + (4 + 2) + (4 + 1)  # header and rule; per shape 4 Lantern rows and PyTorch's
    best = next(line for line in lines if "self test" in line and "subgroups, best tile (4x2 rows, 16 keys)" in line)
    assert best.split("|")[5].strip() == "0.50"  # 1.0 ms against the 2.0 ms default


def test_rope_then_sdpa_is_the_models_self_attention():
    # The "RoPE + SDPA" row does the work our kernel does: the training code's rope, then attention.
    cos, sin = rope_tables((1, 2, 3), (4, 6, 6), 10000.0)
    q, k, v = torch.randn(3, 1, 2, 6, 16).unbind(0)
    expected = attention(apply_rope(q, cos, sin), apply_rope(k, cos, sin), v, fast=False)
    got = torch.nn.functional.scaled_dot_product_attention(apply_rope(q, cos, sin), apply_rope(k, cos, sin), v, scale=16 ** -0.5)
    assert torch.allclose(got, expected, atol=1e-6)
