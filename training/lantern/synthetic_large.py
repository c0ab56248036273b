"""A synthetic model 50x the built-in one, for the browser's scale limits:
a denoiser shaped like Wan2.1-1.3B (hidden 1536, 30 blocks, 12 heads of
128, text cross-attention, about 1.3B parameters) with random int8 weights,
written as a Lantern manifest and sharded ONNX files. Never committed: run

    cd training && ../.venv/bin/python -m lantern.synthetic_large --out ../runs/lantern-large

(`npm run bench:large` does, then runs it in Chromium: bench/large-model.mjs).

Weights are made here, seeded, never trained. The text encoder, decoder and
tokenizer are the built-in model's files (public/models/lantern-tiny/), so
the text is 48 tokens of 256 and the latent 12 channels of 4 x 16 x 16 (256
tokens at patch 2): the scale is in the denoiser.

Layout (ARCHITECTURE.md, "A model 50x larger"): each stage graph of the
WebGPU plan (export.denoiser_plan) keeps its int8 weights in one ONNX
external-data file, `<stage>.weights`, of at most 128 MiB, so one file is
one shard. The whole-graph denoiser (WASM) is composed from the same stage
graphs and ONNX attention, and its initializers point into the same files:
both backends read one 1.3 GB copy of the weights, not two.

Wan2.1-1.3B's block has a 8960-wide FFN and one modulation projection
shared by all blocks; Lantern's block has its own adaLN projection (6 x
1536^2 = 14.2M weights a block), so the FFN here is 3 x 1536 = 4608 wide
to keep the total at 1.3B parameters.
"""
from __future__ import annotations

import argparse
import copy
import json
import shutil
import time
from pathlib import Path

import onnx
import torch
import torch.nn as nn
from onnx import helper

from .dit import DiT, DiTConfig, apply_rope, attention, rope_tables
from .export import Graph, denoiser_plan, export_graph, run_plan
from .manifest import DEFAULT_SHARD_BYTES, integrity
from .quantize import quantize_weights

REPO = Path(__file__).resolve().parents[2]
TINY_MANIFEST = REPO / "models-manifest" / "lantern-tiny.json"
TINY_FILES = REPO / "public" / "models" / "lantern-tiny"
MODEL_ID = "lantern-large-synthetic"
WEIGHTS_SUFFIX = ".weights"


def wan_rope_dims(head_dim: int) -> tuple[int, int, int]:
    """Wan's split of a head between time, rows and columns: 44/42/42 at 128."""
    hw = 2 * (head_dim // 6)
    return (head_dim - 2 * hw, hw, hw)


def large_config(dim: int = 1536, depth: int = 30, heads: int = 12, mlp_ratio: float = 3.0) -> DiTConfig:
    """The DiT at Wan2.1-1.3B's width, depth and heads, on the built-in model's
    latent (12 x 4 x 16 x 16) and text (256 wide)."""
    return DiTConfig(latent_channels=12, latent_frames=4, latent_size=16, patch=2, dim=dim, depth=depth,
                     heads=heads, text_dim=256, mlp_ratio=mlp_ratio, rope_dims=wan_rope_dims(dim // heads))


@torch.no_grad()
def synthetic_dit(cfg: DiTConfig, seed: int) -> DiT:
    """Seeded random weights; adaLN and the output layer (zero-initialised
    for training) get small random values so every path carries signal."""
    torch.manual_seed(seed)
    dit = DiT(cfg).eval()
    for name, p in dit.named_parameters():
        if "ada" in name or "patch_out" in name:
            p.normal_(0, 0.02)
    return dit


class SelfAttention(nn.Module):
    """The plan's self-attention step as a graph: RoPE on q and k, then attention."""

    def __init__(self, cfg: DiTConfig):
        super().__init__()
        cos, sin = rope_tables(cfg.grid, cfg.rope_dims, cfg.rope_theta)  # (N, hd/2) each
        self.register_buffer("cos", cos)
        self.register_buffer("sin", sin)

    def forward(self, q, k, v):  # (B, H, N, hd) each -> (B, H, N, hd)
        return attention(apply_rope(q, self.cos, self.sin), apply_rope(k, self.cos, self.sin), v, fast=False)


def export_attention(cfg: DiTConfig, folder: Path) -> dict[str, onnx.ModelProto]:
    """ONNX graphs of the two attention steps (q, k, v -> out), for composing the whole graph."""
    q = torch.randn(2, cfg.heads, cfg.tokens, cfg.head_dim)
    text = torch.randn(2, cfg.heads, 7, cfg.head_dim)
    graphs = {}
    for kind, module, kv in (("self", SelfAttention(cfg), q),
                             ("cross", Graph(nn.Module(), lambda q, k, v: attention(q, k, v, fast=False)), text)):
        path = folder / f"attention_{kind}.onnx"
        torch.onnx.export(module.eval(), (q, kv, kv), str(path), input_names=["q", "k", "v"], output_names=["out"],
                          dynamic_axes={"q": {0: "batch"}, "k": {0: "batch", 2: "keys"}, "v": {0: "batch", 2: "keys"},
                                        "out": {0: "batch"}}, opset_version=17, dynamo=False)
        graphs[kind] = onnx.load(str(path))
        path.unlink()
    return graphs


def move_to_external(model: onnx.ModelProto, folder: Path, name: str) -> Path:
    """Saves `name`.onnx with its initializers in one external-data file `name`.weights."""
    weights = folder / f"{name}{WEIGHTS_SUFFIX}"
    weights.unlink(missing_ok=True)
    onnx.save_model(model, str(folder / f"{name}.onnx"), save_as_external_data=True, all_tensors_to_one_file=True,
                    location=weights.name, size_threshold=1024)
    return weights


def compose_whole_graph(plan: list[dict], stages: dict[str, onnx.ModelProto],
                        attention_graphs: dict[str, onnx.ModelProto]) -> onnx.ModelProto:
    """The plan as one ONNX graph: every stage graph inlined (its initializers
    keep their external-data references, so the weights are shared with the
    stage files) and each attention step inlined from `attention_graphs`."""
    env = {"x_in": "x_in", "t": "t", "text": "text"}  # plan tensor -> value name in the whole graph
    nodes: list[onnx.NodeProto] = []
    initializers: dict[str, onnx.TensorProto] = {}

    def inline(model: onnx.ModelProto, prefix: str, feeds: dict[str, str], shared: str | None = None) -> dict[str, str]:
        graph = model.graph
        names = dict(feeds)
        for tensor in graph.initializer:
            # Attention graphs hold only RoPE tables: one copy for every inlined call.
            names[tensor.name] = f"{shared or prefix}{tensor.name}"
            if names[tensor.name] not in initializers:
                copied = copy.deepcopy(tensor)
                copied.name = names[tensor.name]
                initializers[copied.name] = copied
        for node in graph.node:
            copied = copy.deepcopy(node)
            copied.name = prefix + node.name
            copied.input[:] = [names.get(x, prefix + x) if x else x for x in node.input]
            copied.output[:] = [prefix + x if x else x for x in node.output]
            for x in node.output:
                names[x] = prefix + x
            nodes.append(copied)
        return {out.name: names[out.name] for out in graph.output}

    for i, step in enumerate(plan):
        if step["op"] == "run":
            model = stages[step["graph"]]
            outputs = inline(model, f"{step['graph']}/", {g: env[p] for g, p in step["inputs"].items()})
            for g, p in step["outputs"].items():
                env[p] = outputs[g]
        else:
            feeds = {"q": env[step["q"]], "k": env[step["k"]], "v": env[step["v"]]}
            env[step["out"]] = inline(attention_graphs[step["kind"]], f"attention_{i:03d}/", feeds,
                                      shared=f"attention_{step['kind']}/")["out"]
    nodes.append(helper.make_node("Identity", [env["v_out"]], ["v_out"], name="v_out/identity"))
    first, last = stages[plan[1]["graph"]], stages[plan[-1]["graph"]]
    inputs = [copy.deepcopy(v) for v in first.graph.input if v.name in env]
    outputs = [copy.deepcopy(v) for v in last.graph.output if v.name == "v_out"]
    graph = helper.make_graph(nodes, "denoiser", inputs, outputs, list(initializers.values()))
    model = helper.make_model(graph, opset_imports=list(first.opset_import), producer_name="lantern.synthetic_large")
    model.ir_version = first.ir_version
    return model


def file_entry(path: Path, base: str, max_bytes: int = DEFAULT_SHARD_BYTES) -> dict:
    """Size, digest and shards of one file; a file over max_bytes is served
    as <name>.part-NN pieces written next to it (the file itself is kept,
    for onnxruntime in Python)."""
    data = path.read_bytes()
    if len(data) <= max_bytes:
        shards = [{"url": base + path.name, "bytes": len(data), "sha256": integrity(data)}]
    else:
        shards = []
        for i in range(0, len(data), max_bytes):
            part = path.with_name(f"{path.name}.part-{i // max_bytes:02d}")
            part.write_bytes(data[i:i + max_bytes])
            shards.append({"url": base + part.name, "bytes": len(data[i:i + max_bytes]),
                           "sha256": integrity(data[i:i + max_bytes])})
    return {"bytes": len(data), "sha256": integrity(data), "shards": shards}


@torch.no_grad()
def generate(out: Path, cfg: DiTConfig, seed: int = 0, log=print) -> dict:
    """Writes the model folder `out` (graphs, weights, tokenizer) and `out`.json
    beside it (the manifest; shard URLs are `<folder name>/<file>`). Returns the manifest."""
    started = time.perf_counter()
    out.mkdir(parents=True, exist_ok=True)
    for stale in [*out.glob("*.onnx"), *out.glob(f"*{WEIGHTS_SUFFIX}*"), *out.glob("tokenizer.json")]:
        stale.unlink()  # what an earlier run wrote here, and nothing else
    dit = synthetic_dit(cfg, seed)
    parameters = sum(p.numel() for p in dit.parameters())
    log(f"DiT {cfg.dim} wide, {cfg.depth} blocks, {cfg.heads} heads of {cfg.head_dim}: {parameters / 1e9:.3f}B parameters")
    plan, stage_graphs = denoiser_plan(dit)
    g = torch.Generator().manual_seed(seed)
    example = {"x_in": torch.randn(2, cfg.in_channels, cfg.latent_frames, cfg.latent_size, cfg.latent_size, generator=g),
               "t": torch.rand(2, generator=g), "text": torch.randn(2, 48, cfg.text_dim, generator=g)}
    stage_args: dict[str, tuple] = {}
    run_plan(plan, {name: m for name, m, _, _ in stage_graphs}, example, record=stage_args)

    stages: dict[str, onnx.ModelProto] = {}
    info: dict[str, dict] = {}
    for name, module, ins, outs in stage_graphs:
        path = out / f"{name}.onnx"
        export_graph(module, stage_args[name], path, ins, outs)
        proto, summary = quantize_weights(onnx.load(str(path)))
        move_to_external(proto, out, name)
        stages[name] = onnx.load(str(path), load_external_data=False)
        info[name] = {"inputs": ins, "outputs": outs, **summary}
        log(f"  {name}: {summary['weights']} int8 weights, {(out / (name + WEIGHTS_SUFFIX)).stat().st_size / 1e6:.1f} MB "
            f"({time.perf_counter() - started:.0f} s)")
    del dit, stage_graphs
    whole = compose_whole_graph(plan, stages, export_attention(cfg, out))
    onnx.save_model(whole, str(out / "denoiser.onnx"))
    onnx.checker.check_model(str(out / "denoiser.onnx"))
    info["denoiser"] = {"inputs": ["x_in", "t", "text"], "outputs": ["v_out"]}
    for name in ("text_encoder", "decoder", "tokenizer.json"):
        shutil.copyfile(TINY_FILES / (name if name.endswith(".json") else f"{name}.onnx"),
                        out / (name if name.endswith(".json") else f"{name}.onnx"))
    manifest = write_manifest(out, cfg, plan, info, parameters, seed)
    log(f"wrote {out}.json and {out}/ in {time.perf_counter() - started:.0f} s")
    return manifest


def write_manifest(out: Path, cfg: DiTConfig, plan: list[dict], info: dict[str, dict], parameters: int,
                   seed: int) -> dict:
    """The manifest, `out`.json: the built-in model's text, latent, sampler and
    preview, this denoiser, and every graph with its shards. The whole graph's
    externalData names the stage graphs' weight files, shard for shard."""
    tiny = json.loads(TINY_MANIFEST.read_text())
    base = f"{out.name}/"
    graphs: dict[str, dict] = {}
    weights: dict[str, dict] = {}  # stage -> its externalData entry
    for name in ["text_encoder", "decoder", *info]:
        io = info.get(name, tiny["graphs"].get(name, {}))
        entry = {"inputs": io["inputs"], "outputs": io["outputs"], "weights": "int8-per-channel",
                 **file_entry(out / f"{name}.onnx", base)}
        external = out / f"{name}{WEIGHTS_SUFFIX}"
        if external.exists():
            weights[name] = {"path": external.name, **file_entry(external, base)}
            entry["externalData"] = [weights[name]]
        graphs[name] = entry
    graphs["denoiser"]["externalData"] = [weights[s["graph"]] for s in plan if s["op"] == "run"]
    files = {s["url"]: s["bytes"] for g in graphs.values()
             for s in g["shards"] + [s for f in g.get("externalData", []) for s in f["shards"]]}
    weights_bytes = sum(files.values())
    hidden = int(cfg.dim * cfg.mlp_ratio)
    # The largest buffers of a step: a dequantized float32 weight (the MLP's),
    # the MLP's hidden activations and a naive score matrix, at the guidance batch of 2.
    largest_weight = 4 * cfg.dim * max(hidden, 3 * cfg.dim)
    activations = 4 * 2 * max(cfg.tokens * hidden, cfg.heads * cfg.tokens * cfg.tokens)
    latent_bytes = 4 * cfg.latent_channels * cfg.latent_frames * cfg.latent_size ** 2
    manifest = {
        "format": "lantern-model-manifest",
        "formatVersion": 1,
        "id": MODEL_ID,
        "version": "0.0.0",
        "name": "Lantern synthetic large (random weights, Wan2.1-1.3B shape)",
        "description": "Random int8 weights for scale tests: it makes noise, not video.",
        "license": "Apache-2.0",
        "video": tiny["video"],
        "tokenizer": {**tiny["tokenizer"], "url": base + "tokenizer.json",
                      **{k: v for k, v in file_entry(out / "tokenizer.json", base).items() if k in ("bytes", "sha256")}},
        "text": tiny["text"],
        "latent": tiny["latent"],
        "denoiser": {"inputChannels": cfg.in_channels, "inputLayout": ["noisy", "condition", "mask"],
                     "patch": [1, cfg.patch, cfg.patch], "tokens": cfg.tokens, "dim": cfg.dim, "depth": cfg.depth,
                     "heads": cfg.heads, "headDim": cfg.head_dim, "prediction": "velocity",
                     "wholeGraph": "denoiser", "plan": plan},
        "sampler": tiny["sampler"],
        "preview": tiny["preview"],
        "graphs": graphs,
        "memory": {"weightsBytes": weights_bytes, "latentBytes": latent_bytes,
                   "peakActivationBytes": largest_weight + 8 * activations,
                   # the weights in the runtime, a second copy while a session is made, and a step's buffers
                   "recommendedBytes": 2 * weights_bytes + largest_weight + 8 * activations},
        "requires": {"webgpuFeatures": [], "maxStorageBufferBindingSize": max(largest_weight, activations)},
        "synthetic": {"generator": "python -m lantern.synthetic_large", "seed": seed, "parameters": parameters,
                      "config": {"dim": cfg.dim, "depth": cfg.depth, "heads": cfg.heads, "headDim": cfg.head_dim,
                                 "mlpHidden": hidden, "textDim": cfg.text_dim, "ropeDims": list(cfg.rope_dims)}},
    }
    out.with_suffix(".json").write_text(json.dumps(manifest, indent=1) + "\n")
    return manifest


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", type=Path, default=REPO / "runs" / "lantern-large",
                    help="model folder (outside git); the manifest is written beside it as <folder>.json")
    ap.add_argument("--dim", type=int, default=1536)
    ap.add_argument("--depth", type=int, default=30)
    ap.add_argument("--heads", type=int, default=12)
    ap.add_argument("--mlp-ratio", type=float, default=3.0)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--threads", type=int, default=0, help="torch threads (0: torch's default)")
    args = ap.parse_args(argv)
    if args.threads > 0:
        torch.set_num_threads(args.threads)
    generate(args.out.resolve(), large_config(args.dim, args.depth, args.heads, args.mlp_ratio), args.seed)


if __name__ == "__main__":
    main()
